using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Bisync.Remotes.Config;
using Bisync.Remotes.Wrappers;
using Bisync.Storage;
using Renci.SshNet;
using Renci.SshNet.Common;
using Renci.SshNet.Sftp;

namespace Bisync.Remotes.Sftp;

/// <summary>Settings of an sftp remote, from rclone.conf option names (meanings as in rclone 1.60.1).</summary>
public sealed record SftpSettings
{
    public required string Host { get; init; }
    public int Port { get; init; } = 22;
    public required string User { get; init; }
    public string? Password { get; init; }
    public string? KeyFile { get; init; }

    /// <summary>key_pem: the private key itself (its "\n" escapes turned into line breaks); wins over key_file.</summary>
    public string? KeyPem { get; init; }
    public string? KeyFilePassword { get; init; }

    /// <summary>key_use_agent: use the ssh-agent even with a key set; with key_file (or key_pem), only that key's agent entry.</summary>
    public bool KeyUseAgent { get; init; }

    /// <summary>$SSH_AUTH_SOCK: the agent's socket, or null.</summary>
    public string? AgentSocket { get; init; }

    /// <summary>
    /// Default key files (~/.ssh/id_ed25519, id_ecdsa, id_rsa that exist), tried when neither pass,
    /// key_file nor key_pem is set. rclone 1.60.1 tries only the agent there; this is our extra.
    /// </summary>
    public IReadOnlyList<string> DefaultKeyFiles { get; init; } = [];
    public string? KnownHostsFile { get; init; }
    public bool SetModTime { get; init; } = true;

    /// <summary>shell_type: unix, powershell, cmd or none; null = detect on first use.</summary>
    public string? ShellType { get; init; }

    /// <summary>md5sum_command / sha1sum_command: null = detect, "none" = no such hash.</summary>
    public string? Md5Command { get; init; }
    public string? Sha1Command { get; init; }

    /// <summary>path_override: the server path that the shell sees for the remote's root.</summary>
    public string? PathOverride { get; init; }
    public bool DisableHashcheck { get; init; }

    /// <summary>use_insecure_cipher: also offer the CBC ciphers and the group-exchange key exchanges.</summary>
    public bool UseInsecureCipher { get; init; }
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>True when authentication goes to the ssh-agent (rclone: no pass/key given, or key_use_agent).</summary>
    public bool UsesAgent => KeyUseAgent || (Password is null && KeyFile is null && KeyPem is null);

    internal static readonly string[] DefaultKeyNames = ["id_ed25519", "id_ecdsa", "id_rsa"];

    /// <summary>Reads the sftp options of <paramref name="cfg"/>; passwords are revealed here.</summary>
    public static SftpSettings From(RemoteConfig cfg, Func<string, string?>? env = null)
    {
        env ??= Environment.GetEnvironmentVariable;
        var host = cfg.Require("host");
        var user = cfg.GetString("user", env("USER") ?? Environment.UserName);
        var keyFile = cfg.Get("key_file");
        var keyPem = cfg.Get("key_pem");
        var known = cfg.Get("known_hosts_file");
        var shell = cfg.Get("shell_type")?.Trim().ToLowerInvariant();
        if (shell is { Length: > 0 } && shell is not ("unix" or "powershell" or "cmd" or "none"))
            throw new UserException(
                $"Failed to create file system for \"{cfg.Display}\": sftp option \"shell_type\" must be unix, powershell, cmd or none", 1);
        var agentSock = env("SSH_AUTH_SOCK");
        var settings = new SftpSettings
        {
            Host = host,
            Port = cfg.GetInt("port", 22),
            User = user,
            Password = cfg.GetSecret("pass"),
            KeyFile = string.IsNullOrEmpty(keyFile) ? null : ExpandPath(keyFile, env),
            KeyPem = string.IsNullOrEmpty(keyPem) ? null : keyPem.Replace("\\r\\n", "\n").Replace("\\n", "\n"),
            KeyFilePassword = cfg.GetSecret("key_file_pass"),
            KeyUseAgent = cfg.GetBool("key_use_agent", false),
            AgentSocket = string.IsNullOrEmpty(agentSock) ? null : agentSock,
            KnownHostsFile = string.IsNullOrEmpty(known) ? null : ExpandPath(known, env),
            SetModTime = cfg.GetBool("set_modtime", true),
            ShellType = string.IsNullOrEmpty(shell) ? null : shell,
            Md5Command = cfg.Get("md5sum_command") is { Length: > 0 } md5 ? md5 : null,
            Sha1Command = cfg.Get("sha1sum_command") is { Length: > 0 } sha1 ? sha1 : null,
            PathOverride = cfg.Get("path_override") is { Length: > 0 } po ? po : null,
            DisableHashcheck = cfg.GetBool("disable_hashcheck", false),
            UseInsecureCipher = cfg.GetBool("use_insecure_cipher", false),
        };
        if (settings.Password is null && settings.KeyFile is null && settings.KeyPem is null)
        {
            var home = ConfigLocator.Home(env);
            var defaults = home is null ? [] : DefaultKeyNames.Select(n => Path.Combine(home, ".ssh", n)).Where(File.Exists).ToList();
            settings = settings with { DefaultKeyFiles = defaults };
            if (settings.AgentSocket is null && defaults.Count == 0)
                throw new UserException(
                    $"Failed to create file system for \"{cfg.Display}\": couldn't connect to ssh-agent: SSH agent requested but SSH_AUTH_SOCK not-specified " +
                    "(and no ~/.ssh/id_ed25519, id_ecdsa or id_rsa): set \"pass\", \"key_file\" or \"key_pem\", or start an ssh-agent", 1);
        }
        else if (settings.KeyUseAgent && settings.AgentSocket is null)
        {
            throw new UserException(
                $"Failed to create file system for \"{cfg.Display}\": couldn't connect to ssh-agent: SSH agent requested but SSH_AUTH_SOCK not-specified", 1);
        }
        return settings;
    }

    /// <summary>A leading ~ and $VAR / ${VAR} expanded from the environment, as rclone does for file options.</summary>
    internal static string ExpandPath(string path, Func<string, string?> env)
    {
        var expanded = System.Text.RegularExpressions.Regex.Replace(path, @"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)",
            m => env(m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value) ?? "");
        return ConfigLocator.ExpandHome(expanded, env);
    }
}

/// <summary>
/// A directory tree on an SSH server, over SFTP (SSH.NET). Uploads go to a temporary name in the
/// target directory, get their modification time, then are renamed over the real name, so a
/// partial file never shows under the real name. SFTP keeps modification times to the second.
/// </summary>
public sealed partial class SftpStorage : IStorage, IMover, IConnectable, IServerHasher, ITemporaryCleaner
{
    private readonly SftpSettings _settings;
    private readonly string _rootPath;
    private readonly ReconnectingClient<SftpClient> _client = new();
    private string? _absRoot;

    public SftpStorage(SftpSettings settings, string rootPath, string display)
    {
        _settings = settings;
        _rootPath = rootPath;
        Root = display;
        Features = new StorageFeatures
        {
            ModTimePrecisionNs = TimeConv.NsPerSecond,
            Hashes = [],
            CanHaveEmptyDirectories = true,
            IsLocal = false,
            // set_modtime = false: the server keeps its own upload times
            CanSetModTime = settings.SetModTime,
        };
    }

    public string Type => "sftp";
    public string Root { get; }

    public StorageFeatures Features { get; }

    public async Task ConnectAsync(CancellationToken ct) => await ClientAsync(ct).ConfigureAwait(false);

    private Task<SftpClient> ClientAsync(CancellationToken ct) => _client.GetAsync(async c =>
    {
        var client = await ConnectClientAsync(info => new SftpClient(info), c).ConfigureAwait(false);
        if (_absRoot is null)
        {
            var root = _rootPath;
            if (!root.StartsWith('/'))
            {
                var wd = client.WorkingDirectory.TrimEnd('/');
                root = root.Length == 0 ? (wd.Length == 0 ? "/" : wd) : wd + "/" + root;
            }
            _absRoot = root;
        }
        await RemoveOrphansAsync(client, c).ConfigureAwait(false);
        return client;
    }, ct);

    /// <summary>Makes and connects a client (sftp, or ssh for hash commands) with this remote's authentication and host key check.</summary>
    private async Task<T> ConnectClientAsync<T>(Func<ConnectionInfo, T> make, CancellationToken ct) where T : BaseClient
    {
        KnownHosts? kh = null;
        if (_settings.KnownHostsFile is { } khPath)
        {
            try { kh = KnownHosts.Load(khPath); }
            catch (IOException e) { throw new IOException($"couldn't read known_hosts_file: {e.Message}", e); }
        }
        var (info, agent) = BuildConnectionInfo();
        using (agent)
        {
            var client = make(info);
            // No known_hosts_file: any host key is accepted, as rclone does.
            if (kh is not null)
                client.HostKeyReceived += (_, e) => e.CanTrust = kh.Trusts(_settings.Host, _settings.Port, e.HostKey);
            try
            {
                await client.ConnectAsync(ct).ConfigureAwait(false);
            }
            catch (SshOperationTimeoutException e)
            {
                // SSH.NET's own connect timeout (set from --contimeout) is a timeout like any other
                client.Dispose();
                throw new TimeoutException(e.Message, e);
            }
            catch
            {
                client.Dispose();
                throw;
            }
            return client; // the agent is only needed while authenticating
        }
    }

    /// <summary>The connection settings and, when the agent is used, the open agent connection (the caller disposes it).</summary>
    private (ConnectionInfo Info, SshAgent? Agent) BuildConnectionInfo()
    {
        var methods = new List<AuthenticationMethod>();
        var keys = new List<IPrivateKeySource>();
        SshAgent? agent = null;
        try
        {
            if (_settings.UsesAgent)
            {
                agent = ConnectAgent();
                if (agent is not null)
                {
                    var agentKeys = agent.ListKeys();
                    if (_settings.KeyUseAgent && (_settings.KeyFile is not null || _settings.KeyPem is not null))
                    {
                        // only the agent's entry for the configured key (rclone: key_file's ".pub")
                        var want = ConfiguredPublicKey();
                        var match = agentKeys.FirstOrDefault(k => k.Blob.AsSpan().SequenceEqual(want));
                        if (match.Blob is null) throw new IOException("private key not found in the ssh-agent");
                        keys.Add(agent.KeySource(match.Blob));
                    }
                    else
                    {
                        keys.AddRange(agentKeys.Select(k => agent.KeySource(k.Blob)));
                    }
                }
                // Our extra over rclone: the default key files (unencrypted ones) after the agent's keys.
                foreach (var path in _settings.DefaultKeyFiles)
                {
                    try { keys.Add(new PrivateKeyFile(path)); }
                    catch (Exception e) when (e is IOException or SshException or UnauthorizedAccessException or ArgumentException or FormatException or NotSupportedException or System.Security.Cryptography.CryptographicException)
                    {
                        // passphrase-protected or unreadable: skipped, as ssh does without a terminal
                    }
                }
                if (keys.Count == 0 && _settings.Password is null)
                    throw new IOException(agent is null
                        ? "no usable key: the default key files in ~/.ssh could not be read (encrypted keys need an ssh-agent)"
                        : "the ssh-agent holds no keys (ssh-add one) and no default key file in ~/.ssh could be read");
            }
            else if (LoadConfiguredKey() is { } own)
            {
                keys.Add(own);
            }
            if (keys.Count > 0) methods.Add(new PrivateKeyAuthenticationMethod(_settings.User, keys.ToArray()));
            if (_settings.Password is { } pw)
            {
                methods.Add(new PasswordAuthenticationMethod(_settings.User, pw));
                var ki = new KeyboardInteractiveAuthenticationMethod(_settings.User);
                ki.AuthenticationPrompt += (_, e) =>
                {
                    foreach (var p in e.Prompts) p.Response = pw;
                };
                methods.Add(ki);
            }
            var info = new ConnectionInfo(_settings.Host, _settings.Port, _settings.User, methods.ToArray())
            {
                Timeout = _settings.ConnectTimeout,
                // Names are bytes on sftp: keep those that are not UTF-8 (rclone does).
                Encoding = RawByteUtf8Encoding.Instance,
            };
            RestrictAlgorithms(info, _settings.UseInsecureCipher);
            return (info, agent);
        }
        catch
        {
            agent?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The algorithms rclone 1.60.1 offers: no CBC ciphers and no group-exchange key exchanges unless
    /// use_insecure_cipher is set (then aes128/192/256-cbc, 3des-cbc and diffie-hellman-group-exchange-sha256/sha1
    /// as well); the old diffie-hellman-group1-sha1 never.
    /// </summary>
    internal static void RestrictAlgorithms(ConnectionInfo info, bool insecure)
    {
        info.KeyExchangeAlgorithms.Remove("diffie-hellman-group1-sha1");
        if (insecure) return;
        foreach (var c in InsecureCiphers) info.Encryptions.Remove(c);
        foreach (var k in InsecureKex) info.KeyExchangeAlgorithms.Remove(k);
    }

    internal static readonly string[] InsecureCiphers = ["aes128-cbc", "aes192-cbc", "aes256-cbc", "3des-cbc"];
    internal static readonly string[] InsecureKex = ["diffie-hellman-group-exchange-sha256", "diffie-hellman-group-exchange-sha1"];

    /// <summary>The agent, or null when there is none to use and other keys may do; an IOException when the agent is required.</summary>
    private SshAgent? ConnectAgent()
    {
        var required = _settings.KeyUseAgent || _settings.DefaultKeyFiles.Count == 0;
        if (_settings.AgentSocket is not { } sock)
        {
            if (required) throw new IOException("couldn't connect to ssh-agent: SSH agent requested but SSH_AUTH_SOCK not-specified");
            return null;
        }
        try
        {
            return SshAgent.Connect(sock, _settings.ConnectTimeout);
        }
        catch (IOException) when (!required)
        {
            return null; // a stale SSH_AUTH_SOCK: the default key files may still do
        }
    }

    /// <summary>key_pem (which wins, as in rclone) or key_file, with key_file_pass; null when neither is set.</summary>
    private PrivateKeyFile? LoadConfiguredKey()
    {
        var what = _settings.KeyPem is not null ? "key_pem" : "key_file";
        try
        {
            if (_settings.KeyPem is { } pem)
            {
                using var ms = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(pem));
                return _settings.KeyFilePassword is { } kp ? new PrivateKeyFile(ms, kp) : new PrivateKeyFile(ms);
            }
            if (_settings.KeyFile is { } keyFile)
                return _settings.KeyFilePassword is { } kp ? new PrivateKeyFile(keyFile, kp) : new PrivateKeyFile(keyFile);
            return null;
        }
        catch (Exception e) when (e is IOException or SshException or UnauthorizedAccessException or ArgumentException or FormatException or NotSupportedException or System.Security.Cryptography.CryptographicException)
        {
            throw new IOException($"couldn't read {what}: {OneLine(e.Message)}", e);
        }
    }

    /// <summary>The public key blob of the configured key: key_file's ".pub" file (as rclone reads it), or key_pem's own.</summary>
    private byte[] ConfiguredPublicKey()
    {
        if (_settings.KeyPem is null && _settings.KeyFile is { } keyFile)
        {
            string text;
            try { text = File.ReadAllText(keyFile + ".pub"); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new IOException($"failed to read public key file: {OneLine(e.Message)}", e);
            }
            var parts = text.Split([' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries);
            try
            {
                if (parts.Length >= 2) return Convert.FromBase64String(parts[1]);
            }
            catch (FormatException) { }
            throw new IOException($"failed to parse public key file {keyFile}.pub");
        }
        return LoadConfiguredKey()!.HostKeyAlgorithms.First().Data;
    }

    private static string OneLine(string s) => s.ReplaceLineEndings(" ").Trim();

    private string Full(string rel)
    {
        var root = _absRoot ?? throw new InvalidOperationException("not connected");
        if (rel.Length == 0) return root;
        return root == "/" ? "/" + rel : root.TrimEnd('/') + "/" + rel;
    }

    private static string Join(string dir, string name) => dir.Length == 0 ? name : dir + "/" + name;

    public async IAsyncEnumerable<StorageEntry> ListAsync(string dir, [EnumeratorCancellation] CancellationToken ct)
    {
        var client = await ClientAsync(ct).ConfigureAwait(false);
        var full = Full(dir);
        var items = new List<ISftpFile>();
        try
        {
            await foreach (var f in client.ListDirectoryAsync(full, ct).ConfigureAwait(false))
            {
                items.Add(f);
                TransferActivity.Touch();
            }
        }
        catch (SftpPathNotFoundException)
        {
            throw new DirectoryNotFoundException($"directory not found: {Join(Root, dir)}");
        }
        foreach (var f in items)
        {
            if (f.Name is "." or "..") continue;
            var attrs = f.Attributes;
            if (attrs.IsSymbolicLink)
            {
                try { attrs = await client.GetAttributesAsync(f.FullName, ct).ConfigureAwait(false); }
                catch (SftpPathNotFoundException) { continue; } // dangling link
            }
            var path = Join(dir, f.Name);
            if (attrs.IsDirectory)
                yield return new StorageEntry(path, 0, TimeConv.ToUnixNs(attrs.LastWriteTimeUtc), true);
            else if (attrs.IsRegularFile)
                yield return new StorageEntry(path, attrs.Size, TimeConv.ToUnixNs(attrs.LastWriteTimeUtc), false);
        }
    }

    public async Task<StorageEntry?> StatAsync(string path, CancellationToken ct)
    {
        var client = await ClientAsync(ct).ConfigureAwait(false);
        SftpFileAttributes attrs;
        try
        {
            attrs = await client.GetAttributesAsync(Full(path), ct).ConfigureAwait(false);
        }
        catch (SftpPathNotFoundException)
        {
            return null;
        }
        return new StorageEntry(path, attrs.IsDirectory ? 0 : attrs.Size, TimeConv.ToUnixNs(attrs.LastWriteTimeUtc), attrs.IsDirectory);
    }

    public async Task<Stream> OpenReadAsync(string path, CancellationToken ct)
    {
        var client = await ClientAsync(ct).ConfigureAwait(false);
        try
        {
            return await client.OpenAsync(Full(path), FileMode.Open, FileAccess.Read, ct).ConfigureAwait(false);
        }
        catch (SftpPathNotFoundException)
        {
            throw new FileNotFoundException($"file not found: {path}");
        }
    }

    /// <summary>
    /// Our upload temporaries, <c>.NAME.HOST-PID-xxxxxxxx.partial</c> (who wrote it, see
    /// <see cref="TemporaryOwner"/>, then 8 random hex digits), or the older <c>.NAME.xxxxxxxx.partial</c>:
    /// never listed as user files.
    /// </summary>
    public bool IsTemporaryName(string name) => TryParseTemporary(name, out _, out _);

    /// <summary>Splits a temporary name; <paramref name="host"/> and <paramref name="pid"/> are empty for the older form.</summary>
    internal static bool TryParseTemporary(string name, out string host, out string pid)
    {
        const string Hex = "0123456789abcdef";
        host = pid = "";
        if (name.Length < 19 || name[0] != '.' || !name.EndsWith(".partial", StringComparison.Ordinal)
            || name.AsSpan(name.Length - 16, 8).ContainsAnyExcept(Hex)) return false;
        if (name[^17] == '.') return true;
        if (name[^17] != '-') return false;
        var head = name.AsSpan(0, name.Length - 17); // .NAME.HOST-PID
        var dash = head.LastIndexOf('-');
        var dot = dash - 9;
        if (dot < 2 || head[dot] != '.' || dash == head.Length - 1
            || head[(dash + 1)..].ContainsAnyExcept("0123456789") || head.Slice(dot + 1, 8).ContainsAnyExcept(Hex)) return false;
        host = head.Slice(dot + 1, 8).ToString();
        pid = head[(dash + 1)..].ToString();
        return true;
    }

    public async Task PutAsync(string path, Stream content, long size, long modTime, CancellationToken ct, CommitGuard? guard = null)
    {
        var client = await ClientAsync(ct).ConfigureAwait(false);
        var full = Full(path);
        var slash = full.LastIndexOf('/');
        var dir = slash <= 0 ? "/" : full[..slash];
        await MkdirFullAsync(client, dir, ct).ConfigureAwait(false);
        var tmp = (slash < 0 ? "" : full[..(slash + 1)]) + "." + full[(slash + 1)..] + "." + TemporaryOwner.Mine + "-" +
                  Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)) + ".partial";
        bool renamed = false;
        try
        {
            long written = 0;
            await using (var dst = await client.OpenAsync(tmp, FileMode.CreateNew, FileAccess.Write, ct).ConfigureAwait(false))
            {
                var buffer = new byte[64 * 1024];
                int n;
                while ((n = await content.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
                {
                    await dst.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                    written += n;
                    TransferActivity.Touch();
                }
                await dst.FlushAsync(ct).ConfigureAwait(false);
            }
            if (size >= 0 && written != size)
                throw new PermanentIOException($"upload of {path}: source gave {written} bytes, expected {size}");
            if (_settings.SetModTime)
                await Task.Run(() => client.SetLastWriteTimeUtc(tmp, TimeConv.FromUnixNs(modTime)), ct).ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();
            if (guard is not null && !await guard(ct).ConfigureAwait(false)) throw new CommitRefusedException(path);
            await Task.Run(() => client.RenameFile(tmp, full, true), ct).ConfigureAwait(false);
            renamed = true;
        }
        finally
        {
            if (!renamed)
            {
                try
                {
                    if (client.IsConnected) await client.DeleteFileAsync(tmp, CancellationToken.None).ConfigureAwait(false);
                    else _orphans.Add(tmp);
                }
                catch (SftpPathNotFoundException)
                {
                    // never created
                }
                catch (Exception e) when (e is SshException or IOException or ObjectDisposedException)
                {
                    // the connection is gone: removed once a new one is made (the retry of this upload makes one)
                    _orphans.Add(tmp);
                }
            }
        }
    }

    /// <summary>Temporaries of this process's failed uploads that could not be removed at once (full server paths).</summary>
    private readonly System.Collections.Concurrent.ConcurrentBag<string> _orphans = [];

    /// <summary>Removes the temporaries of uploads that a lost connection cut off; those that still fail stay queued.</summary>
    private async Task RemoveOrphansAsync(SftpClient client, CancellationToken ct)
    {
        var left = new List<string>();
        while (_orphans.TryTake(out var tmp))
        {
            try
            {
                await client.DeleteFileAsync(tmp, ct).ConfigureAwait(false);
            }
            catch (SftpPathNotFoundException)
            {
            }
            catch (Exception e) when (e is SshException or IOException or ObjectDisposedException)
            {
                left.Add(tmp);
            }
        }
        foreach (var tmp in left) _orphans.Add(tmp);
    }

    /// <summary>
    /// Removes abandoned upload temporaries: those this process's cut-off uploads left; any the listing
    /// met that a process of this host wrote which is no longer running (a killed run); and any other
    /// whose content and access times are both older than <paramref name="minAge"/> by the server's
    /// clock against ours (an upload in progress writes to its temporary all the time, and the time an
    /// upload sets on it comes only just before the rename).
    /// </summary>
    public async Task<IReadOnlyList<string>> CleanTemporariesAsync(IReadOnlyList<string> found, TimeSpan minAge, CancellationToken ct)
    {
        var client = await ClientAsync(ct).ConfigureAwait(false);
        await RemoveOrphansAsync(client, ct).ConfigureAwait(false);
        var removed = new List<string>();
        var now = DateTime.UtcNow;
        foreach (var path in found)
        {
            var name = path[(path.LastIndexOf('/') + 1)..];
            if (!TryParseTemporary(name, out var host, out var pid)) continue;
            var writerDead = TemporaryOwner.WriterIsDead(host, pid);
            SftpFileAttributes attrs;
            try
            {
                attrs = await client.GetAttributesAsync(Full(path), ct).ConfigureAwait(false);
            }
            catch (SftpPathNotFoundException)
            {
                continue;
            }
            var last = attrs.LastWriteTimeUtc > attrs.LastAccessTimeUtc ? attrs.LastWriteTimeUtc : attrs.LastAccessTimeUtc;
            if (!attrs.IsRegularFile || (!writerDead && now - last < minAge)) continue;
            try
            {
                await client.DeleteFileAsync(Full(path), ct).ConfigureAwait(false);
                removed.Add(path);
            }
            catch (SftpPathNotFoundException)
            {
            }
        }
        return removed;
    }

    public async Task SetModTimeAsync(string path, long modTime, CancellationToken ct)
    {
        var client = await ClientAsync(ct).ConfigureAwait(false);
        if (!_settings.SetModTime) return;
        try
        {
            await Task.Run(() => client.SetLastWriteTimeUtc(Full(path), TimeConv.FromUnixNs(modTime)), ct).ConfigureAwait(false);
        }
        catch (SftpPathNotFoundException)
        {
            throw new FileNotFoundException($"file not found: {path}");
        }
    }

    /// <summary>Deletes a file; a file already gone is not an error (so a retried delete succeeds).</summary>
    public async Task DeleteAsync(string path, CancellationToken ct)
    {
        var client = await ClientAsync(ct).ConfigureAwait(false);
        try
        {
            await client.DeleteFileAsync(Full(path), ct).ConfigureAwait(false);
        }
        catch (SftpPathNotFoundException)
        {
        }
    }

    public async Task MkdirAsync(string dir, CancellationToken ct)
    {
        var client = await ClientAsync(ct).ConfigureAwait(false);
        await MkdirFullAsync(client, Full(dir), ct).ConfigureAwait(false);
    }

    private static async Task MkdirFullAsync(SftpClient client, string full, CancellationToken ct)
    {
        if (full is "" or "/") return;
        try
        {
            var a = await client.GetAttributesAsync(full, ct).ConfigureAwait(false);
            if (a.IsDirectory) return;
            throw new PermanentIOException($"not a directory: {full}");
        }
        catch (SftpPathNotFoundException)
        {
        }
        var slash = full.LastIndexOf('/');
        if (slash > 0) await MkdirFullAsync(client, full[..slash], ct).ConfigureAwait(false);
        try
        {
            await client.CreateDirectoryAsync(full, ct).ConfigureAwait(false);
        }
        catch (SshException) when (client.Exists(full))
        {
            // created meanwhile by a concurrent upload
        }
    }

    public async Task RmdirAsync(string dir, CancellationToken ct)
    {
        var client = await ClientAsync(ct).ConfigureAwait(false);
        try
        {
            await client.DeleteDirectoryAsync(Full(dir), ct).ConfigureAwait(false);
        }
        catch (SftpPathNotFoundException)
        {
        }
        catch (SshException e) when (e is not SshConnectionException)
        {
            throw new PermanentIOException($"couldn't remove directory {dir}: {e.Message}", e);
        }
    }

    public async Task MoveAsync(string from, string to, CancellationToken ct)
    {
        var client = await ClientAsync(ct).ConfigureAwait(false);
        var dst = Full(to);
        var slash = dst.LastIndexOf('/');
        if (slash > 0) await MkdirFullAsync(client, dst[..slash], ct).ConfigureAwait(false);
        try
        {
            await Task.Run(() => client.RenameFile(Full(from), dst, true), ct).ConfigureAwait(false);
        }
        catch (SftpPathNotFoundException)
        {
            throw new FileNotFoundException($"file not found: {from}");
        }
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        _ssh.Dispose();
        return ValueTask.CompletedTask;
    }
}
