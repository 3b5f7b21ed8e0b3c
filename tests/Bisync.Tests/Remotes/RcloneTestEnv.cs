using Bisync.Remotes;
using Bisync.Remotes.Rclone;

namespace Bisync.Tests.Remotes;

/// <summary>
/// The rclone backend in tests: an rclone.conf with the sftp and s3 test remotes (sftpt, s3t) plus one
/// remote per WebDAV/FTP test server, and openers that send remotes through rclone rcd.
/// </summary>
internal static class RcloneTestEnv
{
    /// <summary>Remote names in the config below, by backend row name.</summary>
    public static string RemoteFor(string backend) => backend switch
    {
        "rclone-webdav" => "rwebdav",
        "apache-webdav" => "awebdav",
        "ftp" => "ftpt",
        "sftp" => "sftpt",
        "s3" => "s3t",
        _ => throw new ArgumentException(backend),
    };

    /// <summary>rclone.conf for every test server (only the sections whose server settings are present are usable).</summary>
    public static string WriteConfig(string dir, params string[] backends)
    {
        var path = RemoteTestEnv.WriteConfig(dir);
        var extra = new System.Text.StringBuilder();
        foreach (var b in backends.Distinct())
        {
            switch (b)
            {
                case "rclone-webdav":
                    extra.Append($"""

                        [rwebdav]
                        type = webdav
                        url = {RemoteTestEnv.Get("BISYNC_RWEBDAV_URL")}
                        vendor = other
                        user = {RemoteTestEnv.Get("BISYNC_RWEBDAV_USER")}
                        pass = {Obscure(RemoteTestEnv.Get("BISYNC_RWEBDAV_PASS"))}

                        """);
                    break;
                case "apache-webdav":
                    extra.Append($"""

                        [awebdav]
                        type = webdav
                        url = {RemoteTestEnv.Get("BISYNC_AWEBDAV_URL")}
                        vendor = other
                        user = {RemoteTestEnv.Get("BISYNC_AWEBDAV_USER")}
                        pass = {Obscure(RemoteTestEnv.Get("BISYNC_AWEBDAV_PASS"))}

                        """);
                    break;
                case "ftp":
                    extra.Append($"""

                        [ftpt]
                        type = ftp
                        host = {RemoteTestEnv.Get("BISYNC_FTP_HOST")}
                        port = {RemoteTestEnv.Get("BISYNC_FTP_PORT")}
                        user = {RemoteTestEnv.Get("BISYNC_FTP_USER")}
                        pass = {Obscure(RemoteTestEnv.Get("BISYNC_FTP_PASS"))}

                        """);
                    break;
            }
        }
        File.AppendAllText(path, extra.ToString());
        return path;
    }

    internal static string Obscure(string plain)
    {
        var (code, stdout, err) = RemoteTestEnv.Rclone("/dev/null", "obscure", plain);
        if (code != 0) throw new InvalidOperationException("rclone obscure failed: " + err);
        return stdout.Trim();
    }

    /// <summary>The rclone child's environment: no RCLONE_* from outside, no CA bundle (plain-HTTP s3rver).</summary>
    public static IReadOnlyDictionary<string, string?> ChildEnvironment()
    {
        var d = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var k in new[] { "AWS_CA_BUNDLE", "CURL_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR", "NIX_SSL_CERT_FILE" })
            d[k] = null;
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
            if (e.Key is string k && k.StartsWith("RCLONE_", StringComparison.Ordinal)) d[k] = null;
        return d;
    }

    /// <summary>An opener that sends every remote through rclone (as --rclone-backend).</summary>
    public static RemoteStorageOpener Opener(string configPath, bool forAll = true, Action<string>? log = null) =>
        new(new RemoteOptions
        {
            ConfigPath = configPath,
            ConnectTimeout = TimeSpan.FromSeconds(30),
            Timeout = TimeSpan.FromSeconds(60),
            LowLevelRetries = 3,
            RetryFirstDelay = TimeSpan.FromMilliseconds(20),
            RetryMaxDelay = TimeSpan.FromMilliseconds(200),
            Log = log,
            Environment = RemoteTestEnv.CleanEnv(),
            Rclone = new RcloneOptions { ForAllRemotes = forAll, ChildEnvironment = ChildEnvironment() },
        }, LocalOpener.Create());

    /// <summary>A fresh root on <paramref name="backend"/>: under the sftp home (absolute), in the s3 bucket, or at the server's top.</summary>
    public static string Root(string backend, string unique) => backend switch
    {
        "sftp" => $"sftpt:{RemoteTestEnv.SftpHome.TrimEnd('/')}/{unique}",
        "s3" => $"s3t:{RemoteTestEnv.S3Bucket}/{unique}",
        _ => $"{RemoteFor(backend)}:{unique}",
    };
}
