using System.Runtime.CompilerServices;
using Bisync.Storage;

namespace Bisync.Remotes.Wrappers;

/// <summary>
/// Base of the decorators: every operation of the wrapped storage runs through <see cref="RunAsync{T}"/>.
/// A decorator keeps <see cref="IMover"/> only when the wrapped storage has it (see the Wrap factories).
/// </summary>
public abstract class StorageDecorator(IStorage inner) : IStorage, IRecursiveLister
{
    public IStorage Inner { get; } = inner;
    public string Type => Inner.Type;
    public string Root => Inner.Root;
    public StorageFeatures Features => Inner.Features;

    /// <summary>Runs one operation. <paramref name="prepareRetry"/> is called before any repeat and returns false when the operation cannot be repeated.</summary>
    protected abstract Task<T> RunAsync<T>(string what, Func<CancellationToken, Task<T>> op, Func<bool>? prepareRetry, CancellationToken ct);

    protected virtual Stream WrapRead(Stream s) => s;

    private Task RunAsync(string what, Func<CancellationToken, Task> op, Func<bool>? prepareRetry, CancellationToken ct) =>
        RunAsync<bool>(what, async c => { await op(c).ConfigureAwait(false); return true; }, prepareRetry, ct);

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

    public bool CanListRecursively => Inner is IRecursiveLister { CanListRecursively: true };

    public async IAsyncEnumerable<StorageEntry> ListRecursiveAsync([EnumeratorCancellation] CancellationToken ct)
    {
        // Repeated whole, like a directory listing.
        var entries = await RunAsync("list recursively", async c =>
        {
            var list = new List<StorageEntry>();
            await foreach (var e in ((IRecursiveLister)Inner).ListRecursiveAsync(c).ConfigureAwait(false))
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

    public virtual Task PutAsync(string path, Stream content, long size, long modTime, CancellationToken ct)
    {
        long start = content.CanSeek ? content.Position : -1;
        return RunAsync($"upload \"{path}\"", c => Inner.PutAsync(path, content, size, modTime, c), () =>
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

    protected Task MoveCoreAsync(string from, string to, CancellationToken ct) =>
        RunAsync($"move \"{from}\"", c => ((IMover)Inner).MoveAsync(from, to, c), null, ct);

    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return Inner.DisposeAsync();
    }
}
