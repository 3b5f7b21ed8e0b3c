using System.Diagnostics;
using System.Text;
using Bisync.Remotes;
using Bisync.Storage;

namespace Bisync.Tests.Remotes;

/// <summary>
/// Settings of the test servers that tests/servers/*.sh started (read from the process environment,
/// or from the file $BISYNC_TEST_ENV). A missing setting fails the test: servers are never optional.
/// </summary>
internal static class RemoteTestEnv
{
    private static readonly Lazy<Dictionary<string, string>> FromFile = new(() =>
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        var file = Environment.GetEnvironmentVariable("BISYNC_TEST_ENV");
        if (string.IsNullOrEmpty(file) || !File.Exists(file)) return d;
        foreach (var line in File.ReadAllLines(file))
        {
            var l = line.Trim();
            if (l.StartsWith("export ", StringComparison.Ordinal)) l = l[7..];
            var eq = l.IndexOf('=');
            if (eq > 0) d[l[..eq]] = l[(eq + 1)..].Trim('"', '\'');
        }
        return d;
    });

    public static string Get(string name)
    {
        var v = Environment.GetEnvironmentVariable(name);
        if (string.IsNullOrEmpty(v)) FromFile.Value.TryGetValue(name, out v);
        if (string.IsNullOrEmpty(v))
            throw new InvalidOperationException(
                $"{name} is not set: the test servers are not running. Run ./test.sh (it starts tests/servers/*.sh).");
        return v;
    }

    public static string SftpHost => Get("BISYNC_SFTP_HOST");
    public static int SftpPort => int.Parse(Get("BISYNC_SFTP_PORT"));
    public static string SftpUser => Get("BISYNC_SFTP_USER");
    public static string SftpPass => Get("BISYNC_SFTP_PASS");
    public static string SftpKeyFile => Get("BISYNC_SFTP_KEY_FILE");
    public static string SftpKnownHosts => Get("BISYNC_SFTP_KNOWN_HOSTS");
    public static string SftpHome => Get("BISYNC_SFTP_HOME");
    public static string S3Endpoint => Get("BISYNC_S3_ENDPOINT");
    public static string S3Key => Get("BISYNC_S3_ACCESS_KEY_ID");
    public static string S3Secret => Get("BISYNC_S3_SECRET_ACCESS_KEY");
    public static string S3Bucket => Get("BISYNC_S3_BUCKET");

    /// <summary>An rclone.conf with "sftpt" and "s3t" remotes for the test servers, in a fresh temp folder.</summary>
    public static string WriteConfig(string dir, string extraS3 = "")
    {
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "rclone.conf");
        File.WriteAllText(path, $"""
            [sftpt]
            type = sftp
            host = {SftpHost}
            port = {SftpPort}
            user = {SftpUser}
            key_file = {SftpKeyFile}
            known_hosts_file = {SftpKnownHosts}

            [s3t]
            type = s3
            provider = Other
            access_key_id = {S3Key}
            secret_access_key = {S3Secret}
            endpoint = {S3Endpoint}
            force_path_style = true
            region = us-east-1
            {extraS3}
            """);
        return path;
    }

    public static string TempDir(string tag)
    {
        var d = Path.Combine(Path.GetTempPath(), "bisync-remotes-" + tag + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(d);
        return d;
    }

    /// <summary>Environment for the remotes layer in tests: the process environment minus any RCLONE_* that could leak in.</summary>
    public static Func<string, string?> CleanEnv(IReadOnlyDictionary<string, string>? extra = null) => name =>
    {
        if (extra is not null && extra.TryGetValue(name, out var v)) return v;
        if (name.StartsWith("RCLONE_", StringComparison.Ordinal)) return null;
        return Environment.GetEnvironmentVariable(name);
    };

    public static RemoteStorageOpener Opener(string? configPath = null, Action<string>? log = null,
        IReadOnlyDictionary<string, string>? env = null, TimeSpan? contimeout = null, int lowLevelRetries = 3) =>
        new(new RemoteOptions
        {
            ConfigPath = configPath ?? "/nonexistent/rclone.conf",
            ConnectTimeout = contimeout ?? TimeSpan.FromSeconds(15),
            Timeout = TimeSpan.FromSeconds(60),
            LowLevelRetries = lowLevelRetries,
            RetryFirstDelay = TimeSpan.FromMilliseconds(20),
            RetryMaxDelay = TimeSpan.FromMilliseconds(200),
            Log = log,
            Environment = CleanEnv(env),
        }, LocalOpener.Create());

    /// <summary>Runs rclone (v1.60.1, the oracle) with a bounded time; clears CA-bundle variables so plain-HTTP s3rver works.</summary>
    public static (int Code, string Out, string Err) Rclone(string configPath, params string[] args)
    {
        var psi = new ProcessStartInfo("rclone") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("--config");
        psi.ArgumentList.Add(configPath);
        psi.ArgumentList.Add("--retries");
        psi.ArgumentList.Add("1");
        psi.ArgumentList.Add("--low-level-retries");
        psi.ArgumentList.Add("2");
        psi.ArgumentList.Add("--contimeout");
        psi.ArgumentList.Add("10s");
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var k in new[] { "AWS_CA_BUNDLE", "CURL_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR", "NIX_SSL_CERT_FILE" })
            psi.Environment.Remove(k);
        foreach (var k in psi.Environment.Keys.Where(k => k.StartsWith("RCLONE_", StringComparison.Ordinal)).ToList())
            psi.Environment.Remove(k);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(true);
            throw new TimeoutException("rclone " + string.Join(' ', args) + " took over 120s");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    public static byte[] RandomBytes(int n, int seed)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }

    public static async Task<byte[]> ReadAllAsync(IStorage s, string path)
    {
        await using var st = await s.OpenReadAsync(path, CancellationToken.None);
        using var ms = new MemoryStream();
        await st.CopyToAsync(ms);
        return ms.ToArray();
    }

    public static string Utf8(byte[] b) => Encoding.UTF8.GetString(b);
}
