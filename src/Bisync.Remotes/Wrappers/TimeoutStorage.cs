using Bisync.Storage;

namespace Bisync.Remotes.Wrappers;

/// <summary>
/// --timeout as a decorator: an operation that makes no progress (see <see cref="TransferActivity"/>)
/// for the whole timeout is cancelled and fails with <see cref="TimeoutException"/>, which the retry
/// decorator treats as transient. Each read of a download stream gets the same idle limit.
/// </summary>
public sealed class TimeoutStorage : StorageDecorator
{
    private readonly TimeSpan _timeout;

    private TimeoutStorage(IStorage inner, TimeSpan timeout) : base(inner) => _timeout = timeout;

    /// <summary>Wraps <paramref name="inner"/>; a time-out that means no limit ("off", zero, negative, longer than
    /// a timer takes) leaves the storage as it is.</summary>
    public static IStorage Wrap(IStorage inner, TimeSpan timeout)
    {
        if (Bisync.Units.Duration.IsNoLimit(timeout)) return inner;
        return new TimeoutStorage(inner, timeout);
    }

    public TimeSpan Timeout => _timeout;

    protected override async Task<T> RunAsync<T>(string what, Func<CancellationToken, Task<T>> op, Func<bool>? prepareRetry, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var box = TransferActivity.Begin();
        var period = TimeSpan.FromMilliseconds(Math.Clamp(_timeout.TotalMilliseconds / 4, 10, 1000));
        long periodMs = (long)period.TotalMilliseconds, lastCheck = Environment.TickCount64;
        bool timedOut = false;
        using var timer = new Timer(_ =>
        {
            lock (box)
            {
                long now = Environment.TickCount64;
                // A watchdog tick that comes late means this process did not run (starved thread
                // pool, suspended machine): that time says nothing about the connection, so it
                // is not counted as the operation's idleness.
                long late = now - lastCheck - periodMs;
                lastCheck = now;
                if (late > periodMs) Volatile.Write(ref box.LastTick, Volatile.Read(ref box.LastTick) + late);
                if (now - Volatile.Read(ref box.LastTick) > (long)_timeout.TotalMilliseconds)
                {
                    timedOut = true;
                    try { cts.Cancel(); } catch (ObjectDisposedException) { }
                }
            }
        }, null, period, period);
        try
        {
            return await op(cts.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (timedOut && !ct.IsCancellationRequested && e is not TimeoutException)
        {
            throw new TimeoutException($"{what}: no progress for {_timeout.TotalSeconds:0.###}s (--timeout)", e);
        }
    }

    protected override Stream WrapRead(Stream s) => new IdleTimeoutStream(s, _timeout);

    /// <summary>A read stream whose every read must return within the timeout.</summary>
    private sealed class IdleTimeoutStream(Stream inner, TimeSpan timeout) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }

        public override int Read(byte[] buffer, int offset, int count) =>
            ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(timeout);
            var read = inner.ReadAsync(buffer, cts.Token).AsTask();
            var done = await Task.WhenAny(read, Task.Delay(System.Threading.Timeout.Infinite, cts.Token)).ConfigureAwait(false);
            if (done == read) return await read.ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();
            _ = read.ContinueWith(t => _ = t.Exception, TaskScheduler.Default); // observe the abandoned read
            throw new TimeoutException($"read: no data for {timeout.TotalSeconds:0.###}s (--timeout)");
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
            ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
