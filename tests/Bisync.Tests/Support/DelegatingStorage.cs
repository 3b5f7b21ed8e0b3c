using Bisync.Storage;
using Bisync.Storage.Local;

namespace Bisync.Tests.Support;

/// <summary>A local storage seen through a wrapper, for tests that observe or hide one of its abilities.</summary>
public abstract class DelegatingStorage(LocalStorage inner) : IStorage
{
    protected LocalStorage Inner { get; } = inner;
    public string Type => Inner.Type;
    public string Root => Inner.Root;
    public StorageFeatures Features => Inner.Features;
    public virtual IAsyncEnumerable<StorageEntry> ListAsync(string dir, CancellationToken ct) => Inner.ListAsync(dir, ct);
    public virtual Task<StorageEntry?> StatAsync(string path, CancellationToken ct) => Inner.StatAsync(path, ct);
    public bool IsTemporaryName(string name) => Inner.IsTemporaryName(name);
    public virtual Task<Stream> OpenReadAsync(string path, CancellationToken ct) => Inner.OpenReadAsync(path, ct);
    public Task PutAsync(string path, Stream content, long size, long modTime, CancellationToken ct, CommitGuard? guard = null) => Inner.PutAsync(path, content, size, modTime, ct, guard);
    public Task SetModTimeAsync(string path, long modTime, CancellationToken ct) => Inner.SetModTimeAsync(path, modTime, ct);
    public virtual Task DeleteAsync(string path, CancellationToken ct) => Inner.DeleteAsync(path, ct);
    public Task MkdirAsync(string dir, CancellationToken ct) => Inner.MkdirAsync(dir, ct);
    public Task RmdirAsync(string dir, CancellationToken ct) => Inner.RmdirAsync(dir, ct);
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
