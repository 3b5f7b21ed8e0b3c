using System.Diagnostics;
using System.Security.Cryptography;
using Bisync.Remotes;
using Bisync.Remotes.Config;
using Bisync.Remotes.Sftp;
using Bisync.Storage;
using Bisync.Tests.Support;
using Xunit;

namespace Bisync.Tests.Remotes;

/// <summary>
/// SFTP as people configure it in rclone.conf: ssh-agent, default key files, key_pem, key_use_agent,
/// host key checking, server-side hashes (md5sum_command, sha1sum_command, shell_type,
/// disable_hashcheck) and use_insecure_cipher, each against the OpenSSH test server
/// (tests/servers/sshd.sh), with rclone 1.60.1 run on the same settings where it tells the meaning.
/// The real ~/.ssh is never read: HOME points at a temp folder through the options' environment.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SftpConfigTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly string _home = RemoteTestEnv.TempDir("sftp-home");
    private readonly List<TestAgent> _agents = [];

    public void Dispose()
    {
        foreach (var a in _agents) a.Dispose();
        try { Directory.Delete(_home, true); } catch (IOException) { }
    }

    private static string Base(int? port = null) =>
        $"host = {RemoteTestEnv.SftpHost}\nport = {port ?? RemoteTestEnv.SftpPort}\nuser = {RemoteTestEnv.SftpUser}\n";

    /// <summary>An rclone.conf with one sftp remote "r" from the given option lines.</summary>
    private string Conf(string options, int? port = null)
    {
        var path = Path.Combine(_home, "rclone-" + Guid.NewGuid().ToString("N")[..6] + ".conf");
        File.WriteAllText(path, "[r]\ntype = sftp\n" + Base(port) + options + "\n");
        return path;
    }

    /// <summary>HOME at the temp folder; SSH_AUTH_SOCK as given ("" = no agent).</summary>
    private Dictionary<string, string> Env(string agentSock = "") => new() { ["HOME"] = _home, ["SSH_AUTH_SOCK"] = agentSock };

    private static string Unique(string tag) => "cfg-" + tag + "-" + Guid.NewGuid().ToString("N")[..8];

    private static async Task<UserException> Fails(Func<Task> open)
    {
        var ex = await Assert.ThrowsAsync<UserException>(open);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.StartsWith("Failed to create file system for ", ex.Message);
        return ex;
    }

    /// <summary>Opens r:dir, writes and reads back one file: the login worked for real.</summary>
    private static async Task RoundTrip(string conf, Dictionary<string, string> env, string dir)
    {
        await using var s = await RemoteTestEnv.Opener(conf, env: env).OpenAsync("r:" + dir, None);
        await s.PutAsync("hello.txt", new MemoryStream("hi"u8.ToArray()), 2, 1_600_000_000_000_000_000, None);
        Assert.Equal("hi", RemoteTestEnv.Utf8(await RemoteTestEnv.ReadAllAsync(s, "hello.txt")));
    }

    private TestAgent Agent(params string[] keys)
    {
        var a = TestAgent.Start(Path.Combine(_home, "agent-" + _agents.Count + ".sock"));
        _agents.Add(a);
        foreach (var k in keys) a.Add(k);
        return a;
    }

    // ---- ssh-agent ----

    [Fact]
    public async Task No_pass_and_no_key_file_uses_the_agents_keys()
    {
        var agent = Agent(RemoteTestEnv.SftpKeyFile);
        var conf = Conf("");
        await RoundTrip(conf, Env(agent.Socket), Unique("agent"));
        // rclone 1.60.1 logs in the same way with this config
        var r = RcloneWith(agent.Socket, conf, "lsf", "r:");
        Assert.True(r.Code == 0, r.Err);
    }

    [Fact]
    public async Task An_rsa_key_in_the_agent_signs_with_rsa_sha2()
    {
        // OpenSSH 9 refuses the old ssh-rsa (SHA-1) signatures: this login works only with the agent's SHA-2 flags.
        var agent = Agent(RemoteTestEnv.Get("BISYNC_SFTP_KEY_FILE_RSA"));
        await RoundTrip(Conf(""), Env(agent.Socket), Unique("agent-rsa"));
    }

    [Fact]
    public async Task An_agent_without_the_servers_key_is_refused()
    {
        var agent = Agent(); // no keys at all
        var ex = await Fails(() => RemoteTestEnv.Opener(Conf(""), env: Env(agent.Socket)).OpenAsync("r:x", None));
        Assert.Contains("ssh-agent holds no keys", ex.Message);
    }

    [Fact]
    public async Task Key_use_agent_with_key_file_uses_only_that_key_from_the_agent()
    {
        var agent = Agent(RemoteTestEnv.SftpKeyFile);
        // the right key: its ".pub" names an agent key
        await RoundTrip(Conf($"key_use_agent = true\nkey_file = {RemoteTestEnv.SftpKeyFile}"), Env(agent.Socket), Unique("kua"));
        // a key the agent does not hold: refused before any login, as rclone does
        var other = Conf($"key_use_agent = true\nkey_file = {RemoteTestEnv.Get("BISYNC_SFTP_KEY_FILE_ENC")}");
        var ex = await Fails(() => RemoteTestEnv.Opener(other, env: Env(agent.Socket)).OpenAsync("r:x", None));
        Assert.Contains("private key not found in the ssh-agent", ex.Message);
        var r = RcloneWith(agent.Socket, other, "lsf", "r:");
        Assert.NotEqual(0, r.Code);
        Assert.Contains("private key not found in the ssh-agent", r.Err);
    }

    [Fact]
    public async Task Key_use_agent_lets_an_encrypted_key_file_log_in_without_its_passphrase()
    {
        // ssh-add decrypts the key once; the agent signs, so no key_file_pass is needed
        var enc = RemoteTestEnv.Get("BISYNC_SFTP_KEY_FILE_ENC");
        var plain = Path.Combine(_home, "enc_copy");
        var psi = new ProcessStartInfo("ssh-keygen") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-y", "-P", RemoteTestEnv.Get("BISYNC_SFTP_KEY_FILE_PASS"), "-f", enc }) psi.ArgumentList.Add(a);
        using (var p = Process.Start(psi)!)
        {
            var pub = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            Assert.Equal(0, p.ExitCode);
            File.WriteAllText(plain + ".pub", pub);
        }
        File.Copy(enc, plain);
        File.SetUnixFileMode(plain, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var agent = Agent();
        agent.Add(plain, RemoteTestEnv.Get("BISYNC_SFTP_KEY_FILE_PASS"));
        await RoundTrip(Conf($"key_use_agent = true\nkey_file = {plain}"), Env(agent.Socket), Unique("kua-enc"));
    }

    [Fact]
    public async Task Key_use_agent_without_an_agent_is_a_clear_error()
    {
        var ex = await Fails(() => RemoteTestEnv.Opener(Conf($"key_use_agent = true\nkey_file = {RemoteTestEnv.SftpKeyFile}"), env: Env())
            .OpenAsync("r:x", None));
        Assert.Contains("SSH_AUTH_SOCK not-specified", ex.Message);
    }

    [Fact]
    public async Task A_stale_agent_socket_is_a_clear_error_when_nothing_else_can_log_in()
    {
        var ex = await Fails(() => RemoteTestEnv.Opener(Conf(""), env: Env(Path.Combine(_home, "no-such.sock"))).OpenAsync("r:x", None));
        Assert.Contains("couldn't connect to ssh-agent", ex.Message);
    }

    // ---- default key files ----

    [Fact]
    public async Task Without_pass_key_or_agent_and_no_default_keys_the_error_says_what_to_set()
    {
        var ex = await Fails(() => RemoteTestEnv.Opener(Conf(""), env: Env()).OpenAsync("r:x", None));
        Assert.Contains("SSH_AUTH_SOCK not-specified", ex.Message);
        Assert.Contains("\"key_file\"", ex.Message);
        // rclone 1.60.1 fails here too (it tries only the agent)
        var r = RcloneWith("", Conf(""), "lsf", "r:");
        Assert.NotEqual(0, r.Code);
        Assert.Contains("SSH_AUTH_SOCK not-specified", r.Err);
    }

    [Fact]
    public async Task Without_an_agent_the_default_key_file_in_home_ssh_logs_in()
    {
        // Our extra over rclone 1.60.1 (which stops at "SSH_AUTH_SOCK not-specified"): ~/.ssh/id_* as ssh uses them.
        var ssh = Directory.CreateDirectory(Path.Combine(_home, ".ssh")).FullName;
        // an encrypted id_ecdsa (it cannot be used without a passphrase) is skipped, the id_rsa is used
        File.Copy(RemoteTestEnv.Get("BISYNC_SFTP_KEY_FILE_ENC"), Path.Combine(ssh, "id_ecdsa"));
        File.Copy(RemoteTestEnv.Get("BISYNC_SFTP_KEY_FILE_RSA"), Path.Combine(ssh, "id_rsa"));
        await RoundTrip(Conf(""), Env(), Unique("defkey"));
    }

    [Fact]
    public async Task A_default_key_file_the_server_does_not_know_is_refused()
    {
        var ssh = Directory.CreateDirectory(Path.Combine(_home, ".ssh")).FullName;
        var key = Path.Combine(ssh, "id_ed25519");
        Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key);
        var ex = await Fails(() => RemoteTestEnv.Opener(Conf(""), env: Env()).OpenAsync("r:x", None));
        Assert.Contains("couldn't connect", ex.Message);
    }

    // ---- key_pem ----

    [Fact]
    public async Task Key_pem_inline_with_escaped_newlines_logs_in_as_with_rclone()
    {
        var pem = File.ReadAllText(RemoteTestEnv.SftpKeyFile).TrimEnd('\n').Replace("\n", "\\n");
        // key_pem wins over a key_file that does not exist
        var conf = Conf($"key_pem = {pem}\nkey_file = {Path.Combine(_home, "missing")}");
        await RoundTrip(conf, Env(), Unique("pem"));
        var r = RcloneWith("", conf, "lsf", "r:");
        Assert.True(r.Code == 0, r.Err);
    }

    [Fact]
    public async Task A_broken_key_pem_is_a_one_line_error_without_the_key()
    {
        var ex = await Fails(() => RemoteTestEnv.Opener(Conf("key_pem = -----BEGIN OPENSSH PRIVATE KEY-----\\nAAAAnotakey\\n-----END OPENSSH PRIVATE KEY-----"), env: Env())
            .OpenAsync("r:x", None));
        Assert.True(ex.Message.Contains("couldn't read key_pem"), ex.Message);
        Assert.DoesNotContain("AAAAnotakey", ex.Message);
    }

    // ---- host keys ----

    [Fact]
    public async Task Host_keys_are_checked_only_with_known_hosts_file()
    {
        var key = $"key_file = {RemoteTestEnv.SftpKeyFile}\n";
        await RoundTrip(Conf(key + $"known_hosts_file = {RemoteTestEnv.SftpKnownHosts}"), Env(), Unique("kh-ok"));
        await RoundTrip(Conf(key), Env(), Unique("kh-none")); // none set: any host key, as rclone
        var wrong = Conf(key + $"known_hosts_file = {RemoteTestEnv.Get("BISYNC_SFTP_KNOWN_HOSTS_WRONG")}");
        await Fails(() => RemoteTestEnv.Opener(wrong, env: Env()).OpenAsync("r:x", None));
        var r = RcloneWith("", wrong, "lsf", "r:");
        Assert.NotEqual(0, r.Code);
        Assert.Contains("knownhosts", r.Err);
    }

    // ---- server-side hashes ----

    private async Task<(IStorage S, IServerHasher H, byte[] Data)> HashSetup(string options, string name)
    {
        var conf = Conf($"key_file = {RemoteTestEnv.SftpKeyFile}\n" + options);
        var s = await RemoteTestEnv.Opener(conf, env: Env()).OpenAsync("r:" + Unique("hash"), None);
        var data = RemoteTestEnv.RandomBytes(70_000, name.Length);
        await s.PutAsync(name, new MemoryStream(data), data.Length, 1_600_000_000_000_000_000, None);
        var h = s.Capability<IServerHasher>();
        Assert.NotNull(h);
        return (s, h!, data);
    }

    [Fact]
    public async Task Md5_and_sha1_come_from_the_server_even_for_names_a_shell_would_mangle()
    {
        const string name = "it's a $HOME `x` \"q\" \\ name.bin";
        var (s, h, data) = await HashSetup("", name);
        await using (s)
        {
            Assert.Equal(Convert.ToHexStringLower(MD5.HashData(data)), await h.HashAsync(name, "md5", None));
            Assert.Equal(Convert.ToHexStringLower(SHA1.HashData(data)), await h.HashAsync(name, "sha1", None));
            Assert.Null(await h.HashAsync(name, "crc32", None));
            Assert.Equal("unix", await ((SftpStorage)Unwrap(s)).ShellTypeAsync(None));
        }
    }

    [Fact]
    public async Task Backend_flags_on_the_command_line_override_rclone_conf()
    {
        // rclone.conf names a port nobody listens on and a hash command that does not exist.
        var conf = Conf($"key_file = {RemoteTestEnv.SftpKeyFile}\nmd5sum_command = no-such-md5", port: 1);
        var local = Path.Combine(_home, Unique("flags-local"));
        Directory.CreateDirectory(local);
        File.WriteAllText(Path.Combine(local, "a.txt"), "a");
        var dir = Unique("flags");
        var onServer = Path.Combine(RemoteTestEnv.SftpHome, dir);
        await using (var s = await RemoteTestEnv.Opener(Conf($"key_file = {RemoteTestEnv.SftpKeyFile}"), env: Env()).OpenAsync("r:" + dir, None))
            await s.MkdirAsync("", None);
        string[] run = [local, "r:" + dir, "--config", conf, "--workdir", Path.Combine(_home, "work"), "--resync", "--low-level-retries", "1"];

        var refused = Processes.Bisync(run);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Empty(Directory.GetFileSystemEntries(onServer)); // nothing reached the server

        var r = Processes.Bisync([.. run, "--sftp-port", RemoteTestEnv.SftpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--sftp-md5sum-command", "md5sum", "--compare", "size,checksum"]);
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Equal("a", File.ReadAllText(Path.Combine(onServer, "a.txt")));
    }

    [Fact]
    public async Task Md5sum_command_none_turns_md5_off_and_leaves_sha1()
    {
        var (s, h, data) = await HashSetup("md5sum_command = none", "a.bin");
        await using (s)
        {
            Assert.Null(await h.HashAsync("a.bin", "md5", None));
            Assert.Equal(Convert.ToHexStringLower(SHA1.HashData(data)), await h.HashAsync("a.bin", "sha1", None));
        }
    }

    [Fact]
    public async Task A_configured_hash_command_is_the_one_run()
    {
        // "md5sum -b" is a command of the user's choice (binary mode: same digest, "*name" in the output)
        var (s, h, data) = await HashSetup("md5sum_command = md5sum -b\nsha1sum_command = false", "b.bin");
        await using (s)
        {
            Assert.Equal(Convert.ToHexStringLower(MD5.HashData(data)), await h.HashAsync("b.bin", "md5", None));
            // a command that fails gives a one-line error
            var ex = await Assert.ThrowsAsync<IOException>(() => h.HashAsync("b.bin", "sha1", None));
            Assert.DoesNotContain('\n', ex.Message);
            Assert.Contains("failed to calculate sha1 hash", ex.Message);
        }
    }

    [Fact]
    public async Task Disable_hashcheck_and_shell_type_none_give_no_hashes()
    {
        foreach (var opt in new[] { "disable_hashcheck = true", "shell_type = none" })
        {
            var (s, h, _) = await HashSetup(opt, "c.bin");
            await using (s)
            {
                Assert.Null(await h.HashAsync("c.bin", "md5", None));
                Assert.Null(await h.HashAsync("c.bin", "sha1", None));
            }
        }
    }

    [Fact]
    public async Task Hashes_agree_with_rclone_md5sum_on_the_same_files()
    {
        var dir = Unique("hash-rc");
        var conf = Conf($"key_file = {RemoteTestEnv.SftpKeyFile}");
        await using var s = await RemoteTestEnv.Opener(conf, env: Env()).OpenAsync("r:" + dir, None);
        var h = s.Capability<IServerHasher>()!;
        var names = new[] { "plain.txt", "sp ace.txt", "quo'te.txt" };
        for (var i = 0; i < names.Length; i++)
        {
            var d = RemoteTestEnv.RandomBytes(1000 + i, i);
            await s.PutAsync(names[i], new MemoryStream(d), d.Length, 1_600_000_000_000_000_000, None);
        }
        // rclone 1.60.1 detects its hash command in the background and calls the files listed meanwhile
        // "hash unsupported" on its first run against a remote: name the command it would find.
        var r = RcloneWith("", conf, "md5sum", "--sftp-md5sum-command", "md5sum", "r:" + dir);
        Assert.True(r.Code == 0, r.Err);
        var fromRclone = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(l => l[34..], l => l[..32]);
        foreach (var n in names) Assert.Equal(fromRclone[n], await h.HashAsync(n, "md5", None));
    }

    [Theory]
    [InlineData("unix", "/a/it's", "'/a/it'\\''s'")]
    [InlineData("powershell", "/a/it's $x", "'/a/it''s $x'")]
    [InlineData("cmd", "/a/b c", "\"/a/b c\"")]
    public void Paths_are_quoted_for_each_shell(string shell, string path, string quoted) =>
        Assert.Equal(quoted, SftpStorage.Quote(path, shell));

    [Fact]
    public void Cmd_refuses_a_path_it_cannot_quote() =>
        Assert.Throws<IOException>(() => SftpStorage.Quote("/a/\"b\"", "cmd"));

    [Fact]
    public async Task A_bad_shell_type_is_a_clear_error()
    {
        var ex = await Fails(() => RemoteTestEnv.Opener(Conf($"key_file = {RemoteTestEnv.SftpKeyFile}\nshell_type = bash"), env: Env())
            .OpenAsync("r:x", None));
        Assert.Contains("shell_type", ex.Message);
    }

    // ---- ciphers ----

    [Fact]
    public async Task Use_insecure_cipher_reaches_a_server_that_speaks_only_cbc()
    {
        var port = int.Parse(RemoteTestEnv.Get("BISYNC_SFTP_CBC_PORT"));
        var key = $"key_file = {RemoteTestEnv.SftpKeyFile}\n";
        var plain = Conf(key, port);
        await Fails(() => RemoteTestEnv.Opener(plain, env: Env()).OpenAsync("r:x", None));
        var insecure = Conf(key + "use_insecure_cipher = true", port);
        await RoundTrip(insecure, Env(), Unique("cbc"));
        // rclone 1.60.1 behaves the same with both configs
        Assert.NotEqual(0, RcloneWith("", plain, "lsf", "r:").Code);
        var r = RcloneWith("", insecure, "lsf", "r:");
        Assert.True(r.Code == 0, r.Err);
    }

    // ---- helpers ----

    private static IStorage Unwrap(IStorage s)
    {
        while (s is Bisync.Remotes.Wrappers.StorageDecorator d) s = d.Inner;
        return s;
    }

    /// <summary>rclone with HOME at the temp folder and the given agent socket ("" = none).</summary>
    private (int Code, string Out, string Err) RcloneWith(string agentSock, string conf, params string[] args)
    {
        // rclone writes what it detects (shell_type, hash commands) into the config: give it a copy
        var copy = conf + ".rclone";
        File.Copy(conf, copy, true);
        var env = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(k => k.StartsWith("RCLONE_", StringComparison.Ordinal)).ToDictionary(k => k, _ => (string?)null);
        env["HOME"] = _home;
        env["SSH_AUTH_SOCK"] = agentSock.Length > 0 ? agentSock : null;
        var r = Processes.Run("rclone", new[] { "--config", copy, "--retries", "1", "--low-level-retries", "1", "--contimeout", "10s" }.Concat(args), env: env);
        return (r.ExitCode, r.StdOut, r.StdErr);
    }

    private static void Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} failed: {err.Result.Trim()}");
    }

    /// <summary>A real OpenSSH ssh-agent on a socket of the test's own, ended by its PID.</summary>
    private sealed class TestAgent : IDisposable
    {
        private readonly Process _process;
        public string Socket { get; }

        private TestAgent(Process p, string socket)
        {
            _process = p;
            Socket = socket;
        }

        public static TestAgent Start(string socket)
        {
            var psi = new ProcessStartInfo("ssh-agent") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "-D", "-a", socket }) psi.ArgumentList.Add(a);
            var p = Process.Start(psi) ?? throw new InvalidOperationException("ssh-agent did not start (is openssh-client installed?)");
            // -D: stays in the foreground; it prints its settings once the socket is listening
            var first = p.StandardOutput.ReadLine();
            if (first is null || !File.Exists(socket))
            {
                p.Kill();
                p.Dispose();
                throw new InvalidOperationException("ssh-agent did not create its socket: " + p.StandardError.ReadToEnd().Trim());
            }
            _ = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
            return new TestAgent(p, socket);
        }

        public void Add(string keyFile, string? passphrase = null)
        {
            var psi = new ProcessStartInfo("ssh-add") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
            psi.ArgumentList.Add(keyFile);
            psi.Environment["SSH_AUTH_SOCK"] = Socket;
            if (passphrase is not null)
            {
                // ssh-add reads the passphrase from SSH_ASKPASS when it has no terminal
                var askpass = Path.Combine(Path.GetDirectoryName(Socket)!, "askpass-" + Guid.NewGuid().ToString("N")[..6] + ".sh");
                File.WriteAllText(askpass, "#!/bin/sh\nprintf '%s\\n' \"$BISYNC_TEST_KEYPASS\"\n");
                File.SetUnixFileMode(askpass, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
                psi.Environment["SSH_ASKPASS"] = askpass;
                psi.Environment["SSH_ASKPASS_REQUIRE"] = "force";
                psi.Environment["DISPLAY"] = "none";
                psi.Environment["BISYNC_TEST_KEYPASS"] = passphrase;
            }
            using var p = Process.Start(psi)!;
            p.StandardInput.Close();
            var err = p.StandardError.ReadToEndAsync();
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException($"ssh-add {Path.GetFileName(keyFile)} failed: {err.Result.Trim()}");
        }

        public void Dispose()
        {
            try { if (!_process.HasExited) _process.Kill(); }
            catch (InvalidOperationException) { }
            _process.WaitForExit(10_000);
            _process.Dispose();
        }
    }
}
