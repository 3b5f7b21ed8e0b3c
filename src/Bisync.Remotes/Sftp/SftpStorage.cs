using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Bisync.Remotes.Config;
using Bisync.Remotes.Wrappers;
using Bisync.Storage;
using Renci.SshNet;
using Renci.SshNet.Common;
using Renci.SshNet.Sftp;

namespace Bisync.Remotes.Sftp;

/// <summary>Settings of an sftp remote, from rclone.conf option names.</summary>
public sealed record SftpSettings
{
    public required string Host { get; init; }
    public int Port { get; init; } = 22;
    public required string User { get; init; }
    public string? Password { get; init; }
    public string? KeyFile { get; init; }
    public string? KeyFilePassword { get; init; }
    public string? KnownHostsFile { get; init; }
    public bool SetModTime { get; init; } = true;
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Reads the sftp options of <paramref name="cfg"/>; passwords are revealed here.</summary>
    public static SftpSettings From(RemoteConfig cfg, Func<string, string?>? env = null)
    {
        env ??= Environment.GetEnvironmentVariable;
        var host = cfg.Require("host");
        var user = cfg.GetString("user", env("USER") ?? Environment.UserName);
        var keyFile = cfg.Get("key_file");
        var known = cfg.Get("known_hosts_file");
        var settings = new SftpSettings
        {
            Host = host,
            Port = cfg.GetInt("port", 22),
            User = user,
            Password = cfg.GetSecret("pass"),
            KeyFile = string.IsNullOrEmpty(keyFile) ? null : ConfigLocator.ExpandHome(keyFile, env),
            KeyFilePassword = cfg.GetSecret("key_file_pass"),
            KnownHostsFile = string.IsNullOrEmpty(known) ? null : ConfigLocator.ExpandHome(known, env),
            SetModTime = cfg.GetBool("set_modtime", true),
        };
        if (settings.Password is null && settings.KeyFile is null)
            throw new UserException(
                $"Failed to create file system for \"{cfg.Display}\": sftp needs \"pass\" or \"key_file\" (ssh-agent is not supported)", 1);
        return settings;
    }
}

/// <summary>
/// A directory tree on an SSH server, over SFTP (SSH.NET). Uploads go to a temporary name in the
/// target directory, get their modification time, then are renamed over the real name, so a
/// partial file never shows under the real name. SFTP keeps modification times to the second.
/// </summary>
public sealed class SftpStorage : IStorage, IMover, IConnectable
{
    private readonly SftpSettings _settings;
    private readonly string _rootPath;
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private SftpClient? _client;
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

    private async Task<SftpClient> ClientAsync(CancellationToken ct)
    {
        var c = _client;
        if (c is { IsConnected: true }) return c;
        await _connectLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_client is { IsConnected: true }) return _client;
            _client?.Dispose();
            _client = null;
            var client = new SftpClient(BuildConnectionInfo());
            if (_settings.KnownHostsFile is { } khPath)
            {
                KnownHosts kh;
                try { kh = KnownHosts.Load(khPath); }
                catch (IOException e) { throw new IOException($"couldn't read known_hosts_file: {e.Message}", e); }
                client.HostKeyReceived += (_, e) => e.CanTrust = kh.Trusts(_settings.Host, _settings.Port, e.HostKey);
            }
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
            _client = client;
            return client;
        }
        finally
        {
            _connectLock.Release();
        }
    }

    private ConnectionInfo BuildConnectionInfo()
    {
        var methods = new List<AuthenticationMethod>();
        if (_settings.KeyFile is { } keyFile)
        {
            PrivateKeyFile key;
            try
            {
                key = _settings.KeyFilePassword is { } kp ? new PrivateKeyFile(keyFile, kp) : new PrivateKeyFile(keyFile);
            }
            catch (Exception e) when (e is IOException or SshException or UnauthorizedAccessException)
            {
                throw new IOException($"couldn't read key_file: {e.Message}", e);
            }
            methods.Add(new PrivateKeyAuthenticationMethod(_settings.User, key));
        }
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
        return new ConnectionInfo(_settings.Host, _settings.Port, _settings.User, methods.ToArray())
        {
            Timeout = _settings.ConnectTimeout,
            // Names are bytes on sftp: keep those that are not UTF-8 (rclone does).
            Encoding = RawByteUtf8Encoding.Instance,
        };
    }

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

    /// <summary>Our upload temporaries, <c>.NAME.xxxxxxxx.partial</c> (8 hex digits): never listed as user files.</summary>
    public bool IsTemporaryName(string name) =>
        name.Length >= 19 && name[0] == '.' && name.EndsWith(".partial", StringComparison.Ordinal) && name[^17] == '.'
        && !name.AsSpan(name.Length - 16, 8).ContainsAnyExcept("0123456789abcdef");

    public async Task PutAsync(string path, Stream content, long size, long modTime, CancellationToken ct)
    {
        var client = await ClientAsync(ct).ConfigureAwait(false);
        var full = Full(path);
        var slash = full.LastIndexOf('/');
        var dir = slash <= 0 ? "/" : full[..slash];
        await MkdirFullAsync(client, dir, ct).ConfigureAwait(false);
        var tmp = (slash < 0 ? "" : full[..(slash + 1)]) + "." + full[(slash + 1)..] + "." +
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
                }
                catch (Exception e) when (e is SshException or IOException or ObjectDisposedException)
                {
                    // best effort: the temporary name is never mistaken for the real file
                }
            }
        }
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
        var c = Interlocked.Exchange(ref _client, null);
        if (c is not null)
        {
            try { if (c.IsConnected) c.Disconnect(); }
            catch (Exception e) when (e is SshException or IOException or ObjectDisposedException) { }
            c.Dispose();
        }
        _connectLock.Dispose();
        return ValueTask.CompletedTask;
    }
}
