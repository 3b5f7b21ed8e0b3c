using System.Net;
using System.Net.Sockets;
using Bisync.Remotes.Config;
using Bisync.Storage;
using Xunit;

namespace Bisync.Tests.Remotes;

/// <summary>Bad credentials, bad hosts, bad config: each ends quickly in one clear line, and never shows a secret.</summary>
public class FailureTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static string Sftp(string extra, string path = "fail-tests") =>
        $":sftp,host={RemoteTestEnv.SftpHost},port={RemoteTestEnv.SftpPort},user={RemoteTestEnv.SftpUser}{extra}:{path}";

    private static async Task<UserException> Fails(Func<Task> open)
    {
        var ex = await Assert.ThrowsAsync<UserException>(open);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.StartsWith("Failed to create file system for ", ex.Message);
        return ex;
    }

    [Fact]
    public async Task Password_login_works()
    {
        var pass = Obscure.Encode(RemoteTestEnv.SftpPass);
        await using var s = await RemoteTestEnv.Opener().OpenAsync(Sftp($",pass={pass}"), None);
        await s.MkdirAsync("", None);
        Assert.True((await s.StatAsync("", None))!.Value.IsDir);
    }

    [Fact]
    public async Task Encrypted_key_file_with_key_file_pass_works()
    {
        var kp = Obscure.Encode(RemoteTestEnv.Get("BISYNC_SFTP_KEY_FILE_PASS"));
        await using var s = await RemoteTestEnv.Opener().OpenAsync(
            Sftp($",key_file={RemoteTestEnv.Get("BISYNC_SFTP_KEY_FILE_ENC")},key_file_pass={kp}"), None);
        await s.MkdirAsync("", None);
    }

    [Fact]
    public async Task Wrong_password_is_refused_without_showing_it()
    {
        const string wrong = "definitely-Wrong-pw-4711";
        var obscured = Obscure.Encode(wrong);
        var log = new List<string>();
        var ex = await Fails(() =>
            RemoteTestEnv.Opener(log: l => { lock (log) log.Add(l); }).OpenAsync(Sftp($",pass={obscured}"), None));
        Assert.Contains("denied", ex.Message, StringComparison.OrdinalIgnoreCase);
        foreach (var text in log.Append(ex.Message).Append(ex.ToString()))
        {
            Assert.DoesNotContain(wrong, text);
            Assert.DoesNotContain(obscured, text);
        }
        Assert.Contains("pass=***", ex.Message);
    }

    [Fact]
    public async Task Password_not_obscured_is_a_clear_error_without_the_value()
    {
        var ex = await Fails(() =>
            RemoteTestEnv.Opener().OpenAsync(Sftp(",pass=plain!text"), None));
        Assert.Contains("couldn't decrypt pass", ex.Message);
        Assert.DoesNotContain("plain!text", ex.Message);
    }

    [Fact]
    public async Task Secrets_from_the_config_file_never_reach_the_log()
    {
        var dir = RemoteTestEnv.TempDir("secrets");
        var obscured = Obscure.Encode(RemoteTestEnv.SftpPass);
        var conf = Path.Combine(dir, "rclone.conf");
        File.WriteAllText(conf, $"""
            [withpass]
            type = sftp
            host = {RemoteTestEnv.SftpHost}
            port = {RemoteTestEnv.SftpPort}
            user = {RemoteTestEnv.SftpUser}
            pass = {obscured}

            [s3bad]
            type = s3
            provider = Other
            access_key_id = UNKNOWNKEY
            secret_access_key = NotTheSecretXyz123
            endpoint = {RemoteTestEnv.S3Endpoint}
            """);
        var log = new List<string>();
        var opener = RemoteTestEnv.Opener(conf, l => { lock (log) log.Add(l); });
        await using (var s = await opener.OpenAsync("withpass:secrets-test", None))
        {
            await s.PutAsync("x.txt", new MemoryStream([1, 2, 3]), 3, 0, None);
            Assert.DoesNotContain(RemoteTestEnv.SftpPass, s.Root);
            Assert.Equal("withpass:secrets-test/", s.Root);
        }
        var ex = await Assert.ThrowsAsync<UserException>(() => opener.OpenAsync("s3bad:" + RemoteTestEnv.S3Bucket, None));
        foreach (var text in log.Append(ex.ToString()))
        {
            Assert.DoesNotContain(RemoteTestEnv.SftpPass, text);
            Assert.DoesNotContain(obscured, text);
            Assert.DoesNotContain("NotTheSecretXyz123", text);
        }
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task Wrong_s3_credentials_are_refused()
    {
        // s3rver checks the access key id (it does not verify v4 signatures)
        var ex = await Fails(() => RemoteTestEnv.Opener().OpenAsync(
            $":s3,provider=Other,access_key_id=NOSUCHKEY,secret_access_key=WrongSecretAbc," +
            $"endpoint=\"{RemoteTestEnv.S3Endpoint}\":{RemoteTestEnv.S3Bucket}", None));
        Assert.DoesNotContain("WrongSecretAbc", ex.Message);
        Assert.Contains("Access Key", ex.Message);
    }

    [Fact]
    public async Task Unknown_host_key_is_refused()
    {
        var ex = await Fails(() => RemoteTestEnv.Opener().OpenAsync(
            Sftp($",key_file={RemoteTestEnv.SftpKeyFile},known_hosts_file={RemoteTestEnv.Get("BISYNC_SFTP_KNOWN_HOSTS_WRONG")}"), None));
        Assert.Contains("couldn't connect", ex.Message);
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    [Fact]
    public async Task Closed_port_fails_fast_with_a_clear_error()
    {
        var port = FreePort();
        var ex = await Fails(() => RemoteTestEnv.Opener(contimeout: TimeSpan.FromSeconds(5)).OpenAsync(
            $":sftp,host=127.0.0.1,port={port},user=u,key_file={RemoteTestEnv.SftpKeyFile}:x", None));
        Assert.Contains("couldn't connect", ex.Message);

        var ex3 = await Fails(() => RemoteTestEnv.Opener(contimeout: TimeSpan.FromSeconds(5)).OpenAsync(
            $":s3,provider=Other,access_key_id=a,secret_access_key=b,endpoint=\"http://127.0.0.1:{port}\":bucket", None));
        Assert.Contains("couldn't connect", ex3.Message);
    }

    [Fact]
    public async Task Silent_server_hits_the_connect_timeout()
    {
        // accepts TCP connections and never says a word
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepted = new List<TcpClient>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var acceptLoop = Task.Run(async () =>
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    var c = await listener.AcceptTcpClientAsync(stop.Token);
                    lock (accepted) accepted.Add(c);
                }
            }
            catch (OperationCanceledException) { }
            catch (SocketException) { }
        });
        try
        {
            var ex = await Fails(() => RemoteTestEnv.Opener(contimeout: TimeSpan.FromSeconds(1)).OpenAsync(
                $":sftp,host=127.0.0.1,port={port},user=u,key_file={RemoteTestEnv.SftpKeyFile}:x", None));
            // the connect timeout ended it, not the server or the OS
            Assert.Contains("couldn't connect within 1s (--contimeout)", ex.Message);
        }
        finally
        {
            stop.Cancel();
            listener.Stop();
            await acceptLoop;
            lock (accepted) foreach (var c in accepted) c.Dispose();
        }
    }

    [Theory]
    [InlineData(":nosuchtype:x", "didn't find backend called \"nosuchtype\"")]
    [InlineData("nosuchremote:x", "didn't find section in config file")]
    [InlineData(":sftp:x", "\"host\" is required")]
    [InlineData(":sftp,host=127.0.0.1:x", "set \"pass\", \"key_file\" or \"key_pem\", or start an ssh-agent")]
    [InlineData(":s3,access_key_id=a:bucket", "secret_access_key not found")]
    public async Task Config_mistakes_are_one_line_user_errors(string path, string expected)
    {
        // no agent and an empty HOME: nothing to log in with (and the real ~/.ssh stays out of it)
        var env = new Dictionary<string, string> { ["SSH_AUTH_SOCK"] = "", ["HOME"] = "/nonexistent-home" };
        var ex = await Fails(() => RemoteTestEnv.Opener(env: env).OpenAsync(path, None));
        Assert.Contains(expected, ex.Message);
        Assert.Equal(1, ex.ExitCode);
    }
}
