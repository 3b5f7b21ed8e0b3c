using Bisync.Remotes.Wrappers;
using System.Net;
using System.Net.Sockets;
using Bisync.Remotes;
using Bisync.Storage;
using Bisync.Tests.Support;
using Xunit;

namespace Bisync.Tests.Remotes;

/// <summary>
/// Real servers behind an in-process TCP relay on 127.0.0.1 that the test can cut or freeze:
/// a dropped connection is retried (--low-level-retries) on a new one; a frozen one ends in a
/// TimeoutException (--timeout) within a bound.
/// </summary>
public class ConnectionLossTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    internal sealed class Relay : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly int _target;
        private readonly CancellationTokenSource _stop = new();
        private readonly List<TcpClient> _open = [];
        private readonly Task _accept;
        private volatile bool _frozen;

        public Relay(int targetPort)
        {
            _target = targetPort;
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _accept = Task.Run(AcceptLoop);
        }

        public int Port { get; }
        public int Connections;

        private async Task AcceptLoop()
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    var inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
                    if (Down)
                    {
                        inbound.Client.LingerState = new LingerOption(true, 0);
                        inbound.Close(); // the server is gone: refused at once
                        continue;
                    }
                    var outbound = new TcpClient();
                    await outbound.ConnectAsync(IPAddress.Loopback, _target, _stop.Token);
                    Interlocked.Increment(ref Connections);
                    lock (_open) { _open.Add(inbound); _open.Add(outbound); }
                    _ = Pump(inbound, outbound, up: true);
                    _ = Pump(outbound, inbound, up: false);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
        }

        private async Task Pump(TcpClient from, TcpClient to, bool up)
        {
            var buf = new byte[32 * 1024];
            try
            {
                var src = from.GetStream();
                var dst = to.GetStream();
                while (true)
                {
                    int n = await src.ReadAsync(buf, _stop.Token);
                    if (n == 0) break;
                    while (_frozen) await Task.Delay(50, _stop.Token);
                    if (up && Interlocked.Add(ref _forwardedUp, n) >= Interlocked.Read(ref _dieAfter))
                    {
                        Interlocked.Exchange(ref _dieAfter, long.MaxValue); // dies once
                        Down = true;
                        Cut();
                        break;
                    }
                    await dst.WriteAsync(buf.AsMemory(0, n), _stop.Token);
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException) { }
            finally
            {
                from.Close();
                to.Close();
            }
        }

        /// <summary>Drops every open connection, as a network failure would.</summary>
        public void Cut()
        {
            lock (_open)
            {
                foreach (var c in _open)
                {
                    try
                    {
                        if (c.Client is { } sock) sock.LingerState = new LingerOption(true, 0); // reset, not a polite close
                        c.Close();
                    }
                    catch (Exception e) when (e is ObjectDisposedException or SocketException) { }
                }
                _open.Clear();
            }
        }

        private long _forwardedUp, _dieAfter = long.MaxValue;

        /// <summary>While true, new connections are reset at once, as by a host whose server was killed.</summary>
        public volatile bool Down;

        /// <summary>Once clients have sent this many more bytes, the server dies: every connection is cut and <see cref="Down"/> set.</summary>
        public void DieAfterUploading(long bytes)
        {
            Interlocked.Exchange(ref _forwardedUp, 0);
            Interlocked.Exchange(ref _dieAfter, bytes);
        }

        /// <summary>Stops forwarding data (connections stay open).</summary>
        public void Freeze() => _frozen = true;

        public async ValueTask DisposeAsync()
        {
            _frozen = false;
            _stop.Cancel();
            _listener.Stop();
            Cut();
            await _accept;
        }
    }

    private static RemoteStorageOpener Opener(TimeSpan timeout, int retries) => new(new RemoteOptions
    {
        ConfigPath = "/nonexistent/rclone.conf",
        ConnectTimeout = TimeSpan.FromSeconds(5),
        Timeout = timeout,
        LowLevelRetries = retries,
        RetryFirstDelay = TimeSpan.FromMilliseconds(50),
        RetryMaxDelay = TimeSpan.FromMilliseconds(200),
        Environment = RemoteTestEnv.CleanEnv(),
    }, LocalOpener.Create());

    private static string SftpVia(int port, string dir) =>
        $":sftp,host=127.0.0.1,port={port},user={RemoteTestEnv.SftpUser},key_file={RemoteTestEnv.SftpKeyFile}:{dir}";

    private static string S3Via(int port, string dir) =>
        $":s3,provider=Other,access_key_id={RemoteTestEnv.S3Key},secret_access_key={RemoteTestEnv.S3Secret}," +
        $"endpoint=\"http://127.0.0.1:{port}\":{RemoteTestEnv.S3Bucket}/{dir}";

    private static int S3Port => new Uri(RemoteTestEnv.S3Endpoint).Port;

    public static TheoryData<string> Backends() => new() { "sftp", "s3" };

    private static string Via(string backend, int port, string dir) => backend == "sftp" ? SftpVia(port, dir) : S3Via(port, dir);

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Dropped_connection_is_retried_on_a_new_one(string backend)
    {
        await using var relay = new Relay(backend == "sftp" ? RemoteTestEnv.SftpPort : S3Port);
        var dir = "loss-" + Guid.NewGuid().ToString("N")[..10];
        await using var s = await Opener(TimeSpan.FromSeconds(30), 5).OpenAsync(Via(backend, relay.Port, dir), None);
        await s.PutAsync("a.txt", new MemoryStream("first"u8.ToArray()), 5, 1_000_000_000_000_000_000L, None);
        int before = relay.Connections;

        relay.Cut();
        var st = await s.StatAsync("a.txt", None);
        Assert.Equal(5, st!.Value.Size);
        await s.PutAsync("b.txt", new MemoryStream("second"u8.ToArray()), 6, 1_000_000_000_000_000_000L, None);
        Assert.Equal("second", RemoteTestEnv.Utf8(await RemoteTestEnv.ReadAllAsync(s, "b.txt")));
        Assert.True(relay.Connections > before, "a new connection was made after the cut");
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Frozen_connection_ends_in_a_timeout(string backend)
    {
        await using var relay = new Relay(backend == "sftp" ? RemoteTestEnv.SftpPort : S3Port);
        var dir = "frozen-" + Guid.NewGuid().ToString("N")[..10];
        await using var s = await Opener(TimeSpan.FromSeconds(1), 2).OpenAsync(Via(backend, relay.Port, dir), None);
        await s.PutAsync("a.txt", new MemoryStream("x"u8.ToArray()), 1, 0, None);

        relay.Freeze();
        var ex = await Assert.ThrowsAsync<TimeoutException>(() => s.StatAsync("a.txt", None));
        Assert.Contains("(--timeout)", ex.Message);
        // The remote is given up: the next operation fails at once, without new time-outs.
        var next = await Assert.ThrowsAsync<RemoteGaveUpException>(() => s.PutAsync("b.txt", new MemoryStream("y"u8.ToArray()), 1, 0, None));
        Assert.Contains("giving up on this remote for this run", next.Message);
    }

    /// <summary>A source that trickles: one small piece every 250 ms.</summary>
    private sealed class Trickle(int pieces) : ReadOnlySourceStream
    {
        private int _left = pieces;
        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();
        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct)
        {
            if (_left == 0) return 0;
            await Task.Delay(250, ct);
            _left--;
            int n = Math.Min(count, 100);
            Array.Fill(buffer, (byte)'t', offset, n);
            return n;
        }
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            var tmp = new byte[Math.Min(buffer.Length, 100)];
            return new ValueTask<int>(ReadAsync(tmp, 0, tmp.Length, ct).ContinueWith(t => { tmp.AsSpan(0, t.Result).CopyTo(buffer.Span); return t.Result; }, ct, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default));
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task A_slow_but_moving_source_is_not_a_timeout(string backend)
    {
        // 12 pieces x 250 ms = 3 s of upload under a 1 s idle timeout
        var dir = "slow-" + Guid.NewGuid().ToString("N")[..10];
        var port = backend == "sftp" ? RemoteTestEnv.SftpPort : S3Port;
        await using var s = await Opener(TimeSpan.FromSeconds(1), 1).OpenAsync(Via(backend, port, dir), None);
        await s.PutAsync("slow.txt", new Trickle(12), 1200, 1_000_000_000L, None);
        Assert.Equal(1200, (await s.StatAsync("slow.txt", None))!.Value.Size);
    }
}
