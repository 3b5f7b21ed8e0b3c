using System.Runtime.CompilerServices;
using Bisync.Storage;

namespace Bisync.Remotes.Wrappers;

/// <summary>
/// Base of the decorators: every operation of the wrapped storage runs through <see cref="RunAsync{T}"/>,
/// and so does every operation of its optional capabilities: <see cref="Capability{T}"/> hands out the
/// wrapped storage's <see cref="IMover"/>, <see cref="IDirectCopier"/>, <see cref="ISyncLister"/>,
/// <see cref="IRecursiveLister"/>, <see cref="IServerHasher"/>, <see cref="ITemporaryCleaner"/> and <see cref="INameLister"/> behind a small adapter (one per capability, shared by every
/// decorator), and whatever the wrapped storage lacks stays missing. Any other capability is data
/// about the backend, with no operation to guard (e.g. <see cref="IRootCheck"/>), and passes
/// through as it is.
/// </summary>
public abstract class StorageDecorator(IStorage inner) : IStorage
{
    public IStorage Inner { get; } = inner;
    public string Type => Inner.Type;
    public string Root => Inner.Root;
    public StorageFeatures Features => Inner.Features;
    public bool IsTemporaryName(string name) => Inner.IsTemporaryName(name);

    /// <summary>Runs one operation. <paramref name="prepareRetry"/> is called before any repeat and returns false when the operation cannot be repeated.</summary>
    protected abstract Task<T> RunAsync<T>(string what, Func<CancellationToken, Task<T>> op, Func<bool>? prepareRetry, CancellationToken ct);

    /// <summary>Runs one synchronous operation (a local directory listing); by default as it is.</summary>
    protected virtual T RunSync<T>(string what, Func<T> op) => op();

    protected virtual Stream WrapRead(Stream s) => s;

    private Task RunAsync(string what, Func<CancellationToken, Task> op, Func<bool>? prepareRetry, CancellationToken ct) =>
        RunAsync<bool>(what, async c => { await op(c).ConfigureAwait(false); return true; }, prepareRetry, ct);

    public T? Capability<T>() where T : class
    {
        var inner = Inner.Capability<T>();
        if (inner is null) return null;
        object? wrapped = inner switch
        {
            _ when typeof(T) == typeof(IMover) => new Mover(this, (IMover)inner),
            _ when typeof(T) == typeof(IDirectCopier) => new DirectCopier(this, (IDirectCopier)inner),
            _ when typeof(T) == typeof(IDirectSender) => new DirectSender(this, (IDirectSender)inner),
            _ when typeof(T) == typeof(ISyncLister) => new SyncLister(this, (ISyncLister)inner),
            _ when typeof(T) == typeof(IRecursiveLister) => new RecursiveLister(this, (IRecursiveLister)inner),
            _ when typeof(T) == typeof(IServerHasher) => new ServerHasher(this, (IServerHasher)inner),
            _ when typeof(T) == typeof(ITemporaryCleaner) => new TemporaryCleaner(this, (ITemporaryCleaner)inner),
            _ when typeof(T) == typeof(INameLister) => new NameLister(this, (INameLister)inner),
            _ => inner,
        };
        return (T)wrapped;
    }

    public async IAsyncEnumerable<StorageEntry> ListAsync(string dir, [EnumeratorCancellation] CancellationToken ct)
    {
        // A listing is repeated whole: collect it inside the guarded operation, then hand it out.
        var entries = await RunAsync($"list \"{dir}\"", async c =>
        {
            var list = new List<StorageEntry>();
            await foreach (var e in Inner.ListAsync(dir, c).ConfigureAwait(false))
            {
                list.Add(e);
                TransferActivity.Touch();
            }
            return list;
        }, null, ct).ConfigureAwait(false);
        foreach (var e in entries) yield return e;
    }

    public Task<StorageEntry?> StatAsync(string path, CancellationToken ct) =>
        RunAsync($"stat \"{path}\"", c => Inner.StatAsync(path, c), null, ct);

    public async Task<Stream> OpenReadAsync(string path, CancellationToken ct) =>
        WrapRead(await RunAsync($"open \"{path}\"", c => Inner.OpenReadAsync(path, c), null, ct).ConfigureAwait(false));

    public virtual Task PutAsync(string path, Stream content, long size, long modTime, CancellationToken ct, CommitGuard? guard = null)
    {
        long start = content.CanSeek ? content.Position : -1;
        return RunAsync($"upload \"{path}\"", c => Inner.PutAsync(path, content, size, modTime, c, guard), () =>
        {
            if (start < 0) return false; // a one-way stream cannot be sent again
            content.Position = start;
            return true;
        }, ct);
    }

    public Task SetModTimeAsync(string path, long modTime, CancellationToken ct) =>
        RunAsync($"set modtime \"{path}\"", c => Inner.SetModTimeAsync(path, modTime, c), null, ct);

    public Task DeleteAsync(string path, CancellationToken ct) =>
        RunAsync($"delete \"{path}\"", c => Inner.DeleteAsync(path, c), null, ct);

    public Task MkdirAsync(string dir, CancellationToken ct) =>
        RunAsync($"mkdir \"{dir}\"", c => Inner.MkdirAsync(dir, c), null, ct);

    public Task RmdirAsync(string dir, CancellationToken ct) =>
        RunAsync($"rmdir \"{dir}\"", c => Inner.RmdirAsync(dir, c), null, ct);

    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return Inner.DisposeAsync();
    }

    // The adapters: each capability's operations through the decorator's guard.

    private sealed class Mover(StorageDecorator d, IMover inner) : IMover
    {
        public Task MoveAsync(string from, string to, CancellationToken ct) =>
            d.RunAsync($"move \"{from}\"", c => inner.MoveAsync(from, to, c), null, ct);
    }

    private sealed class DirectCopier(StorageDecorator d, IDirectCopier inner) : IDirectCopier
    {
        public Task<bool> TryCopyFromAsync(IStorage source, string srcPath, string dstPath, long modTime, CancellationToken ct, CommitGuard? guard = null) =>
            d.RunAsync($"copy \"{dstPath}\"", c => inner.TryCopyFromAsync(source, srcPath, dstPath, modTime, c, guard), null, ct);
    }

    /// <summary>Each try writes a fresh temporary on the destination (a failed one removes its own).</summary>
    private sealed class DirectSender(StorageDecorator d, IDirectSender inner) : IDirectSender
    {
        public Task<bool> TryCopyToAsync(string srcPath, IStorage destination, string dstPath, long size, long modTime, CancellationToken ct, CommitGuard? guard = null) =>
            d.RunAsync($"copy \"{srcPath}\"", c => inner.TryCopyToAsync(srcPath, destination, dstPath, size, modTime, c, guard), null, ct);
    }

    private sealed class SyncLister(StorageDecorator d, ISyncLister inner) : ISyncLister
    {
        public IEnumerable<StorageEntry> ListDirectory(string dir) => d.RunSync($"list \"{dir}\"", () => inner.ListDirectory(dir).ToList());

        public void ListDirectory(string dir, List<StorageEntry> results) =>
            d.RunSync($"list \"{dir}\"", () => { inner.ListDirectory(dir, results); return true; });
    }

    private sealed class ServerHasher(StorageDecorator d, IServerHasher inner) : IServerHasher
    {
        public Task<string?> HashAsync(string path, string hashType, CancellationToken ct) =>
            d.RunAsync($"hash \"{path}\"", c => inner.HashAsync(path, hashType, c), null, ct);
    }

    private sealed class TemporaryCleaner(StorageDecorator d, ITemporaryCleaner inner) : ITemporaryCleaner
    {
        public Task<IReadOnlyList<string>> CleanTemporariesAsync(IReadOnlyList<string> found, TimeSpan minAge, CancellationToken ct) =>
            d.RunAsync("remove temporaries", c => inner.CleanTemporariesAsync(found, minAge, c), null, ct);
    }

    private sealed class NameLister(StorageDecorator d, INameLister inner) : INameLister
    {
        public Task<IReadOnlySet<string>?> ListNamesAsync(string dir, int limit, CancellationToken ct) =>
            d.RunAsync($"list names \"{dir}\"", c => inner.ListNamesAsync(dir, limit, c), null, ct);
    }

    private sealed class RecursiveLister(StorageDecorator d, IRecursiveLister inner) : IRecursiveLister
    {
        public async IAsyncEnumerable<StorageEntry> ListRecursiveAsync(bool modTimes, [EnumeratorCancellation] CancellationToken ct)
        {
            // Repeated whole, like a directory listing.
            var entries = await d.RunAsync("list recursively", async c =>
            {
                var list = new List<StorageEntry>();
                await foreach (var e in inner.ListRecursiveAsync(modTimes, c).ConfigureAwait(false))
                {
                    list.Add(e);
                    TransferActivity.Touch();
                }
                return list;
            }, null, ct).ConfigureAwait(false);
            foreach (var e in entries) yield return e;
        }
    }
}
