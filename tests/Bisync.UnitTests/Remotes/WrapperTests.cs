using Bisync.Tests.Support;
using System.Runtime.CompilerServices;
using Bisync.Remotes.Wrappers;
using Bisync.Storage;
using Xunit;

namespace Bisync.UnitTests.Remotes;

/// <summary>
/// The retry and timeout decorators' own logic, checked with a scripted in-memory storage (the
/// backends themselves are only ever tested against real servers).
/// </summary>
public class WrapperTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private sealed class Scripted : IStorage, IMover, IDirectSender
    {
        public int Calls;
        public Func<int, CancellationToken, Task>? Behaviour;
        public readonly List<byte[]> Uploads = [];
        public string Type => "scripted";
        public string Root => "scripted:";
        public StorageFeatures Features { get; } = new();

        private async Task Step(CancellationToken ct)
        {
            int n = Interlocked.Increment(ref Calls);
            if (Behaviour is not null) await Behaviour(n, ct);
        }

        public async IAsyncEnumerable<StorageEntry> ListAsync(string dir, [EnumeratorCancellation] CancellationToken ct)
        {
            yield return new StorageEntry("a", 1, 0, false);
            await Step(ct);
            yield return new StorageEntry("b", 1, 0, false);
        }

        public async Task<StorageEntry?> StatAsync(string path, CancellationToken ct)
        {
            await Step(ct);
            return new StorageEntry(path, 1, 0, false);
        }

        public Task<Stream> OpenReadAsync(string path, CancellationToken ct) => Task.FromResult<Stream>(new MemoryStream([1]));

        public async Task PutAsync(string path, Stream content, long size, long modTime, CancellationToken ct, CommitGuard? guard = null)
        {
            var ms = new MemoryStream();
            var buf = new byte[4];
            int r = await content.ReadAsync(buf, ct);
            ms.Write(buf, 0, r);
            await Step(ct);
            await content.CopyToAsync(ms, ct);
            Uploads.Add(ms.ToArray());
        }

        public Task SetModTimeAsync(string path, long modTime, CancellationToken ct) => Step(ct);

        public async Task<bool> TryCopyToAsync(string srcPath, IStorage destination, string dstPath, long size, long modTime, CancellationToken ct, CommitGuard? guard = null)
        {
            await Step(ct);
            return true;
        }
        public Task DeleteAsync(string path, CancellationToken ct) => Step(ct);
        public Task MkdirAsync(string dir, CancellationToken ct) => Step(ct);
        public Task RmdirAsync(string dir, CancellationToken ct) => Step(ct);
        public Task MoveAsync(string from, string to, CancellationToken ct) => Step(ct);
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private static IStorage Retry(IStorage s, int attempts, List<string>? log = null) =>
        RetryStorage.Wrap(s, attempts, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5), l => log?.Add(l));

    [Fact]
    public async Task Transient_errors_are_retried_up_to_the_limit()
    {
        var inner = new Scripted { Behaviour = (n, _) => n <= 2 ? throw new IOException("connection reset") : Task.CompletedTask };
        var log = new List<string>();
        Assert.NotNull(await Retry(inner, 10, log).StatAsync("x", None));
        Assert.Equal(3, inner.Calls);
        Assert.Equal(2, log.Count);
        Assert.Contains("low level retry 1/9", log[0]);

        var always = new Scripted { Behaviour = (_, _) => throw new TimeoutException("slow") };
        await Assert.ThrowsAsync<TimeoutException>(() => Retry(always, 4).DeleteAsync("x", None));
        Assert.Equal(4, always.Calls);

        var once = new Scripted { Behaviour = (_, _) => throw new IOException("x") };
        await Assert.ThrowsAsync<IOException>(() => Retry(once, 1).MkdirAsync("d", None));
        Assert.Equal(1, once.Calls);
    }

    [Fact]
    public async Task After_one_operation_used_all_its_tries_a_network_remote_is_given_up_for_the_run()
    {
        var down = new Scripted { Behaviour = (_, _) => throw new TimeoutException("no progress for 1s (--timeout)") };
        var s = RetryStorage.Wrap(down, 3, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5), giveUp: true);
        await Assert.ThrowsAsync<TimeoutException>(() => s.StatAsync("a", None));
        Assert.Equal(3, down.Calls);

        var ex = await Assert.ThrowsAsync<RemoteGaveUpException>(() => s.DeleteAsync("b", None));
        Assert.Equal(3, down.Calls); // not even tried once
        Assert.Contains("failed 3 times (no progress for 1s (--timeout)); giving up on this remote for this run", ex.Message);
        Assert.False(TransientErrors.IsTransient(ex));

        // Without giveUp (a local disk), and when a retry cured it, every operation gets its own tries.
        var local = new Scripted { Behaviour = (_, _) => throw new TimeoutException("slow") };
        var l = RetryStorage.Wrap(local, 3, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5));
        await Assert.ThrowsAsync<TimeoutException>(() => l.StatAsync("a", None));
        await Assert.ThrowsAsync<TimeoutException>(() => l.StatAsync("a", None));
        Assert.Equal(6, local.Calls);
        var flaky = new Scripted { Behaviour = (n, _) => n % 3 != 0 ? throw new IOException("reset") : Task.CompletedTask };
        var f = RetryStorage.Wrap(flaky, 3, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5), giveUp: true);
        for (int i = 0; i < 4; i++) Assert.NotNull(await f.StatAsync("a", None));
        Assert.Equal(12, flaky.Calls);
    }

    [Fact]
    public async Task Permanent_errors_are_not_retried()
    {
        var inner = new Scripted { Behaviour = (_, _) => throw new FileNotFoundException("gone") };
        await Assert.ThrowsAsync<FileNotFoundException>(() => Retry(inner, 10).SetModTimeAsync("x", 0, None));
        Assert.Equal(1, inner.Calls);
        var perm = new Scripted { Behaviour = (_, _) => throw new PermanentIOException("directory not empty") };
        await Assert.ThrowsAsync<PermanentIOException>(() => Retry(perm, 10).RmdirAsync("x", None));
        Assert.Equal(1, perm.Calls);
    }

    [Fact]
    public async Task Upload_is_retried_from_the_start_only_when_the_stream_can_rewind()
    {
        var inner = new Scripted { Behaviour = (n, _) => n == 1 ? throw new IOException("broken pipe") : Task.CompletedTask };
        var data = "0123456789"u8.ToArray();
        await Retry(inner, 5).PutAsync("f", new MemoryStream(data), data.Length, 0, None);
        Assert.Equal(data, Assert.Single(inner.Uploads));

        var oneWay = new Scripted { Behaviour = (n, _) => n == 1 ? throw new IOException("broken pipe") : Task.CompletedTask };
        await Assert.ThrowsAsync<IOException>(() => Retry(oneWay, 5).PutAsync("f", new BufferedStream(new OneWayStream(data)), data.Length, 0, None));
        Assert.Equal(1, oneWay.Calls);
    }

    [Fact]
    public async Task Listing_is_repeated_whole()
    {
        var inner = new Scripted { Behaviour = (n, _) => n == 1 ? throw new IOException("reset") : Task.CompletedTask };
        var got = new List<string>();
        await foreach (var e in Retry(inner, 3).ListAsync("", None)) got.Add(e.Path);
        Assert.Equal(["a", "b"], got);
    }

    [Fact]
    public async Task Idle_operation_times_out_and_busy_one_does_not()
    {
        var stuck = new Scripted { Behaviour = async (_, ct) => await Task.Delay(Timeout.Infinite, ct) };
        var t = TimeoutStorage.Wrap(stuck, TimeSpan.FromMilliseconds(300));
        var ex = await Assert.ThrowsAsync<TimeoutException>(() => t.StatAsync("x", None));
        Assert.Contains("--timeout", ex.Message);

        // keeps reporting progress for longer than the timeout: not cancelled
        var busy = new Scripted
        {
            Behaviour = async (_, ct) =>
            {
                // 3 s of work in 100 ms steps under a 2 s idle timeout (generous: the machine may be loaded)
                var until = DateTime.UtcNow.AddSeconds(3);
                while (DateTime.UtcNow < until)
                {
                    await Task.Delay(100, ct);
                    TransferActivity.Touch();
                }
            },
        };
        Assert.NotNull(await TimeoutStorage.Wrap(busy, TimeSpan.FromSeconds(2)).StatAsync("x", None));
    }

    [Fact]
    public async Task Timeouts_are_retried_as_transient()
    {
        var inner = new Scripted { Behaviour = async (n, ct) => { if (n == 1) await Task.Delay(Timeout.Infinite, ct); } };
        var s = Retry(TimeoutStorage.Wrap(inner, TimeSpan.FromMilliseconds(200)), 3);
        await s.DeleteAsync("x", None);
        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task Caller_cancellation_is_not_retried_or_renamed()
    {
        var inner = new Scripted { Behaviour = async (_, ct) => await Task.Delay(Timeout.Infinite, ct) };
        using var cts = new CancellationTokenSource(100);
        var s = Retry(TimeoutStorage.Wrap(inner, TimeSpan.FromSeconds(30)), 5);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => s.StatAsync("x", cts.Token));
        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public async Task Decorators_keep_optional_capabilities_only_when_present_and_guard_them()
    {
        var inner = new Scripted();
        var wrapped = Retry(TimeoutStorage.Wrap(inner, TimeSpan.FromSeconds(1)), 3);
        var mover = wrapped.Capability<IMover>();
        Assert.NotNull(mover);
        Assert.IsNotType<Scripted>(mover); // the decorators' adapter, not the inner storage itself
        var plain = new NoMove(inner);
        Assert.Null(Retry(TimeoutStorage.Wrap(plain, TimeSpan.FromSeconds(1)), 3).Capability<IMover>());
        Assert.Null(wrapped.Capability<IRecursiveLister>());
        Assert.Same(plain, TimeoutStorage.Wrap(plain, TimeSpan.Zero));

        // A move through the capability is retried like any other operation.
        inner.Behaviour = (n, _) => n <= 2 ? throw new IOException("connection reset") : Task.CompletedTask;
        await mover!.MoveAsync("a", "b", None);
        Assert.Equal(3, inner.Calls);

        // so is a copy the source makes into another storage itself (rclone into a local folder)
        var sender = wrapped.Capability<IDirectSender>();
        Assert.IsNotType<Scripted>(sender);
        inner.Calls = 0;
        Assert.True(await sender!.TryCopyToAsync("a", inner, "a", 1, 0, None));
        Assert.Equal(3, inner.Calls);
    }

    private sealed class NoMove(IStorage s) : IStorage
    {
        public string Type => s.Type;
        public string Root => s.Root;
        public StorageFeatures Features => s.Features;
        public IAsyncEnumerable<StorageEntry> ListAsync(string dir, CancellationToken ct) => s.ListAsync(dir, ct);
        public Task<StorageEntry?> StatAsync(string path, CancellationToken ct) => s.StatAsync(path, ct);
        public Task<Stream> OpenReadAsync(string path, CancellationToken ct) => s.OpenReadAsync(path, ct);
        public Task PutAsync(string path, Stream content, long size, long modTime, CancellationToken ct, CommitGuard? guard = null) => s.PutAsync(path, content, size, modTime, ct, guard);
        public Task SetModTimeAsync(string path, long modTime, CancellationToken ct) => s.SetModTimeAsync(path, modTime, ct);
        public Task DeleteAsync(string path, CancellationToken ct) => s.DeleteAsync(path, ct);
        public Task MkdirAsync(string dir, CancellationToken ct) => s.MkdirAsync(dir, ct);
        public Task RmdirAsync(string dir, CancellationToken ct) => s.RmdirAsync(dir, ct);
        public ValueTask DisposeAsync() => s.DisposeAsync();
    }

}
