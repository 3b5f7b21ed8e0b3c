namespace Bisync.Remotes.Wrappers;

/// <summary>
/// Progress signal for the --timeout watchdog: backends call <see cref="Touch"/> whenever data or an
/// answer arrives, and <see cref="TimeoutStorage"/> cancels an operation only after it has been
/// idle for the whole timeout (rclone's --timeout is an idle timeout, not a deadline).
/// </summary>
public static class TransferActivity
{
    private static readonly AsyncLocal<Box?> Current = new();

    internal sealed class Box
    {
        public long LastTick = Environment.TickCount64;
    }

    public static void Touch()
    {
        if (Current.Value is { } b) Volatile.Write(ref b.LastTick, Environment.TickCount64);
    }

    internal static Box Begin()
    {
        var b = new Box();
        Current.Value = b;
        return b;
    }
}

/// <summary>A pass-through stream that reports each read and write as activity.</summary>
internal sealed class ActivityStream(Stream inner, bool leaveOpen = true) : Stream
{
    public override bool CanRead => inner.CanRead;
    public override bool CanSeek => inner.CanSeek;
    public override bool CanWrite => inner.CanWrite;
    public override long Length => inner.Length;
    public override long Position { get => inner.Position; set => inner.Position = value; }
    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken ct) => inner.FlushAsync(ct);

    public override int Read(byte[] buffer, int offset, int count)
    {
        int n = inner.Read(buffer, offset, count);
        TransferActivity.Touch();
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        int n = await inner.ReadAsync(buffer, ct).ConfigureAwait(false);
        TransferActivity.Touch();
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
    public override void SetLength(long value) => inner.SetLength(value);

    public override void Write(byte[] buffer, int offset, int count)
    {
        inner.Write(buffer, offset, count);
        TransferActivity.Touch();
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
    {
        await inner.WriteAsync(buffer, ct).ConfigureAwait(false);
        TransferActivity.Touch();
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !leaveOpen) inner.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!leaveOpen) await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
