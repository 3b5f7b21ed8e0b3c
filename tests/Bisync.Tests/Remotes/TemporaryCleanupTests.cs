using System.Net;
using System.Net.Sockets;
using System.Text;
using Bisync.Engine;
using Bisync.Logging;
using Bisync.Remotes;
using Bisync.Storage;
using Bisync.Tests.Support;
using Xunit;

namespace Bisync.Tests.Remotes;

/// <summary>
/// No half-written object anywhere, on the real test servers: an sftp temporary that a killed run left
/// is removed by the next run and never synced; an sftp upload cut off mid-way leaves no temporary; an
/// S3 multipart upload that fails is aborted.
/// </summary>
public class TemporaryCleanupTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly string _dir = RemoteTestEnv.TempDir("temps");
    private readonly string _config;

    public TemporaryCleanupTests() => _config = RemoteTestEnv.WriteConfig(_dir);

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    /// <summary>The PID of a process of this host that has ended.</summary>
    private static int DeadPid()
    {
        using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("true") { UseShellExecute = false })!;
        p.WaitForExit();
        return p.Id;
    }

    private static string Unique(string tag) => tag + "-" + Guid.NewGuid().ToString("N")[..10];

    private async Task<(int Code, List<string> Log)> RunAsync(string path1, string path2, string workdir, bool resync)
    {
        var lines = new List<string>();
        using var log = Logger.Silent(LogLevel.Info);
        log.Sink = l => { lock (lines) lines.Add(l); };
        var engine = new BisyncEngine(RemoteTestEnv.Opener(_config), log);
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var result = await engine.RunAsync(new BisyncOptions { Path1 = path1, Path2 = path2, Workdir = workdir, Resync = resync }, cts.Token);
        return (result.ExitCode, lines);
    }

    [Fact]
    public async Task Sftp_temporary_left_by_a_killed_run_is_removed_and_never_synced()
    {
        var onServer = Path.Combine(RemoteTestEnv.SftpHome, Unique("tmpclean"));
        var path2 = "sftpt:" + onServer;
        var local = Path.Combine(_dir, "path1");
        var workdir = Path.Combine(_dir, "work");
        Directory.CreateDirectory(local);
        File.WriteAllText(Path.Combine(local, "a.txt"), "a");
        Directory.CreateDirectory(Path.Combine(local, "sub"));
        File.WriteAllText(Path.Combine(local, "sub", "b.txt"), "b");
        await using (var s = await RemoteTestEnv.Opener(_config).OpenAsync(path2, None))
            await s.MkdirAsync("", None);
        Assert.Equal(0, (await RunAsync(local, path2, workdir, resync: true)).Code);

        // As a killed upload leaves them: one untouched for two hours, one still being written.
        var old = Path.Combine(onServer, "sub", ".b.txt.0123abcd.partial");
        var fresh = Path.Combine(onServer, ".a.txt.89abcdef.partial");
        File.WriteAllText(old, "half of b");
        File.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddHours(-2));
        File.SetLastAccessTimeUtc(old, DateTime.UtcNow.AddHours(-2));
        File.WriteAllText(fresh, "half of a");
        // Just written, as a run of this host killed a moment ago leaves it, and one of a live process.
        var killedName = ".a.txt." + TemporaryOwner.Tag(DeadPid()) + "-4567cdef.partial";
        var killed = Path.Combine(onServer, killedName);
        var live = Path.Combine(onServer, "sub", ".b.txt." + TemporaryOwner.Tag(1) + "-4567cdef.partial");
        File.WriteAllText(killed, "half of a, killed");
        File.WriteAllText(live, "half of b, still being written");

        var (code, log) = await RunAsync(local, path2, workdir, resync: false);
        Assert.Equal(0, code);
        Assert.False(File.Exists(old), "the abandoned temporary is removed");
        Assert.False(File.Exists(killed), "a fresh temporary whose writer is dead is removed at once");
        Assert.True(File.Exists(fresh), "a temporary that may be an upload in progress stays");
        Assert.True(File.Exists(live), "a fresh temporary of a live process stays");
        Assert.Contains(log, l => l == "INFO  : sub/.b.txt.0123abcd.partial: Removed a temporary left by an interrupted run");
        Assert.Contains(log, l => l == "INFO  : " + killedName + ": Removed a temporary left by an interrupted run");
        Assert.Equal(["a.txt", "sub", Path.Combine("sub", "b.txt")],
            Directory.EnumerateFileSystemEntries(local, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(local, p)).Order().ToList());
    }

    [Fact]
    public async Task Sftp_server_dying_mid_upload_fails_the_run_and_the_next_run_removes_the_cut_off_temporary()
    {
        await using var relay = new ConnectionLossTests.Relay(RemoteTestEnv.SftpPort);
        var onServer = Path.Combine(RemoteTestEnv.SftpHome, Unique("died"));
        var conf = Path.Combine(_dir, "relay.conf");
        File.WriteAllText(conf, $"[dying]\ntype = sftp\nhost = 127.0.0.1\nport = {relay.Port}\nuser = {RemoteTestEnv.SftpUser}\nkey_file = {RemoteTestEnv.SftpKeyFile}\n");
        var local = Path.Combine(_dir, "p1");
        Directory.CreateDirectory(local);
        File.WriteAllText(Path.Combine(local, "a.txt"), "a");
        await using (var s = await RemoteTestEnv.Opener(conf).OpenAsync("dying:" + onServer, None))
            await s.MkdirAsync("", None);
        string[] run = [local, "dying:" + onServer, "--config", conf, "--workdir", Path.Combine(_dir, "work"), "--low-level-retries", "2", "-v"];
        var first = Processes.Bisync([.. run, "--resync"]);
        Assert.True(first.ExitCode == 0, first.StdErr);

        var big = new byte[8 << 20];
        new Random(3).NextBytes(big);
        File.WriteAllBytes(Path.Combine(local, "big.bin"), big);
        relay.DieAfterUploading(2 << 20);
        var cut = Processes.Bisync(run);
        Assert.NotEqual(0, cut.ExitCode);
        var left = Directory.GetFiles(onServer).Select(Path.GetFileName).Where(n => n!.StartsWith(".big.bin.", StringComparison.Ordinal)).ToList();
        Assert.True(left.Count == 1, "the cut-off upload left its temporary on the server: " + string.Join(", ", left) + "\n" + cut.StdErr);

        relay.Down = false;
        var next = Processes.Bisync(run);
        Assert.True(next.ExitCode == 0, next.StdErr);
        Assert.Contains("INFO  : " + left[0] + ": Removed a temporary left by an interrupted run", next.StdErr);
        Assert.Equal(["a.txt", "big.bin"], Directory.GetFileSystemEntries(onServer).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList());
        Assert.Equal(big, File.ReadAllBytes(Path.Combine(onServer, "big.bin")));
        Assert.Equal(["a.txt", "big.bin"], Directory.GetFileSystemEntries(local).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList());
    }

    /// <summary>A source that cuts the relay's connections once, part-way through the upload.</summary>
    private sealed class CuttingStream(byte[] data, long cutAt, Action cut) : MemoryStream(data, writable: false)
    {
        private bool _cut;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            if (!_cut && Position >= cutAt)
            {
                _cut = true;
                cut();
                await Task.Delay(100, ct); // let the reset reach the client
            }
            return await base.ReadAsync(buffer[..Math.Min(buffer.Length, 64 * 1024)], ct);
        }
    }

    [Fact]
    public async Task Sftp_upload_cut_off_mid_way_leaves_no_temporary()
    {
        await using var relay = new ConnectionLossTests.Relay(RemoteTestEnv.SftpPort);
        var onServer = Path.Combine(RemoteTestEnv.SftpHome, Unique("cut"));
        var opener = new RemoteStorageOpener(new RemoteOptions
        {
            ConfigPath = "/nonexistent/rclone.conf",
            ConnectTimeout = TimeSpan.FromSeconds(5),
            Timeout = TimeSpan.FromSeconds(30),
            LowLevelRetries = 5,
            RetryFirstDelay = TimeSpan.FromMilliseconds(50),
            RetryMaxDelay = TimeSpan.FromMilliseconds(200),
            Environment = RemoteTestEnv.CleanEnv(),
        }, LocalOpener.Create());
        await using var s = await opener.OpenAsync(
            $":sftp,host=127.0.0.1,port={relay.Port},user={RemoteTestEnv.SftpUser},key_file={RemoteTestEnv.SftpKeyFile}:{onServer}", None);
        await s.MkdirAsync("", None);
        var data = new byte[4 << 20];
        new Random(7).NextBytes(data);
        int before = relay.Connections;

        await s.PutAsync("big.bin", new CuttingStream(data, 1 << 20, relay.Cut), data.Length, 1_600_000_000_000_000_000L, None);

        Assert.True(relay.Connections > before, "the connection was cut and a new one made");
        Assert.Equal(data, await File.ReadAllBytesAsync(Path.Combine(onServer, "big.bin")));
        Assert.Equal(["big.bin"], Directory.EnumerateFileSystemEntries(onServer).Select(Path.GetFileName).ToList());
    }

    /// <summary>A TCP relay that keeps everything the client sent (the HTTP requests), to see which requests were made.</summary>
    private sealed class RecordingRelay : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly StringBuilder _sent = new();
        private readonly Task _accept;

        public RecordingRelay(int target)
        {
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _accept = Task.Run(async () =>
            {
                try
                {
                    while (true)
                    {
                        var inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
                        var outbound = new TcpClient();
                        await outbound.ConnectAsync(IPAddress.Loopback, target, _stop.Token);
                        _ = Pump(inbound, outbound, record: true);
                        _ = Pump(outbound, inbound, record: false);
                    }
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
            });
        }

        public int Port { get; }

        public string Sent
        {
            get { lock (_sent) return _sent.ToString(); }
        }

        private async Task Pump(TcpClient from, TcpClient to, bool record)
        {
            var buf = new byte[64 * 1024];
            try
            {
                while (true)
                {
                    var n = await from.GetStream().ReadAsync(buf, _stop.Token);
                    if (n == 0) break;
                    if (record) lock (_sent) _sent.Append(Encoding.Latin1.GetString(buf, 0, n));
                    await to.GetStream().WriteAsync(buf.AsMemory(0, n), _stop.Token);
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException) { }
            finally
            {
                from.Close();
                to.Close();
            }
        }

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            _listener.Stop();
            await _accept;
        }
    }

    /// <summary>Gives <paramref name="good"/> bytes, then fails as a source disk would.</summary>
    private sealed class FailingSource(long good) : ReadOnlySourceStream
    {
        private long _given;
        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_given >= good) throw new IOException("read failed: input/output error");
            var n = (int)Math.Min(count, good - _given);
            buffer.AsSpan(offset, n).Fill((byte)'x');
            _given += n;
            return n;
        }
    }

    [Fact]
    public async Task S3_multipart_upload_that_fails_is_aborted_and_leaves_no_object()
    {
        await using var relay = new RecordingRelay(new Uri(RemoteTestEnv.S3Endpoint).Port);
        var dir = Unique("mpu");
        var opener = new RemoteStorageOpener(new RemoteOptions
        {
            ConfigPath = "/nonexistent/rclone.conf",
            LowLevelRetries = 1,
            Environment = RemoteTestEnv.CleanEnv(),
        }, LocalOpener.Create());
        await using var s = await opener.OpenAsync(
            $":s3,provider=Other,access_key_id={RemoteTestEnv.S3Key},secret_access_key={RemoteTestEnv.S3Secret}," +
            $"endpoint=\"http://127.0.0.1:{relay.Port}\",upload_cutoff=1M,chunk_size=5M:{RemoteTestEnv.S3Bucket}/{dir}", None);

        // 12 MiB promised, 6 MiB given: part 1 goes up, then the source fails.
        await Assert.ThrowsAsync<IOException>(() => s.PutAsync("big.bin", new FailingSource(6 << 20), 12 << 20, 1_600_000_000_000_000_000L, None));

        var sent = relay.Sent;
        Assert.Contains($"POST /{RemoteTestEnv.S3Bucket}/{dir}/big.bin?uploads", sent);
        Assert.Contains($"DELETE /{RemoteTestEnv.S3Bucket}/{dir}/big.bin?uploadId=", sent);
        Assert.Null(await s.StatAsync("big.bin", None));
    }

    [Fact]
    public async Task S3_cleaner_leaves_a_server_without_ListMultipartUploads_as_it_is()
    {
        // s3rver 3.7.1 has neither ListMultipartUploads nor AbortMultipartUpload: the cleaner must
        // say nothing was removed instead of failing every run.
        await using var s = await RemoteTestEnv.Opener(_config).OpenAsync($"s3t:{RemoteTestEnv.S3Bucket}/{Unique("mpuclean")}", None);
        var cleaner = s.Capability<ITemporaryCleaner>();
        Assert.NotNull(cleaner);
        Assert.Empty(await cleaner.CleanTemporariesAsync([], TimeSpan.Zero, None));
        Assert.Empty(await cleaner.CleanTemporariesAsync([], TimeSpan.Zero, None));
    }
}
