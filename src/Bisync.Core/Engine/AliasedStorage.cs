using System.Runtime.CompilerServices;
using Bisync.Storage;

namespace Bisync.Engine;

/// <summary>
/// Path2 seen under Path1's names (<see cref="NameMap"/>): every path the engine passes in is turned
/// into Path2's own name of that file, every entry handed back carries the engine's name. Used only
/// when some names differ; otherwise the engine talks to Path2 directly. The move, copy and hash
/// capabilities pass through with their paths mapped; a backend's own type is not handed out, so a
/// backend that would read Path2's files by name behind this view (a direct local-to-local copy from
/// Path2) streams through it instead.
/// </summary>
public sealed class AliasedStorage(IStorage inner, NameMap map) : IStorage
{
    public IStorage Inner { get; } = inner;
    public string Type => Inner.Type;
    public string Root => Inner.Root;
    public StorageFeatures Features => Inner.Features;
    public bool IsTemporaryName(string name) => Inner.IsTemporaryName(name);

    /// <summary>The side's own name of the file the engine calls <paramref name="path"/>.</summary>
    public string Real(string path) => map.On2(path);
    private StorageEntry Canonical(StorageEntry e) => e with { Path = map.FromPath2(e.Path) };

    public async IAsyncEnumerable<StorageEntry> ListAsync(string dir, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var e in Inner.ListAsync(dir, ct).ConfigureAwait(false)) yield return Canonical(e);
    }

    public async Task<StorageEntry?> StatAsync(string path, CancellationToken ct) =>
        await Inner.StatAsync(Real(path), ct).ConfigureAwait(false) is { } e ? Canonical(e) : null;

    public Task<Stream> OpenReadAsync(string path, CancellationToken ct) => Inner.OpenReadAsync(Real(path), ct);

    public Task PutAsync(string path, Stream content, long size, long modTime, CancellationToken ct, CommitGuard? guard = null) =>
        Inner.PutAsync(Real(path), content, size, modTime, ct, guard);

    public Task SetModTimeAsync(string path, long modTime, CancellationToken ct) => Inner.SetModTimeAsync(Real(path), modTime, ct);
    public Task DeleteAsync(string path, CancellationToken ct) => Inner.DeleteAsync(Real(path), ct);
    public Task MkdirAsync(string dir, CancellationToken ct) => Inner.MkdirAsync(dir, ct);
    public Task RmdirAsync(string dir, CancellationToken ct) => Inner.RmdirAsync(dir, ct);
    public ValueTask DisposeAsync() => ValueTask.CompletedTask; // the run owns the inner storage

    public T? Capability<T>() where T : class
    {
        object? c = typeof(T) switch
        {
            var t when t == typeof(IMover) => Inner.Capability<IMover>() is { } m ? new Mover(this, m) : null,
            var t when t == typeof(IDirectCopier) => Inner.Capability<IDirectCopier>() is { } d ? new DirectCopier(this, d) : null,
            var t when t == typeof(IDirectSender) => Inner.Capability<IDirectSender>() is { } s ? new DirectSender(this, s) : null,
            var t when t == typeof(IServerHasher) => Inner.Capability<IServerHasher>() is { } h ? new ServerHasher(this, h) : null,
            var t when t == typeof(IRootCheck) => Inner.Capability<IRootCheck>(),
            _ => null,
        };
        return (T?)c;
    }

    private sealed class Mover(AliasedStorage s, IMover inner) : IMover
    {
        public Task MoveAsync(string from, string to, CancellationToken ct) => inner.MoveAsync(s.Real(from), s.Real(to), ct);
    }

    private sealed class DirectCopier(AliasedStorage s, IDirectCopier inner) : IDirectCopier
    {
        public Task<bool> TryCopyFromAsync(IStorage source, string srcPath, string dstPath, long modTime, CancellationToken ct, CommitGuard? guard = null) =>
            inner.TryCopyFromAsync(source, srcPath, s.Real(dstPath), modTime, ct, guard);
    }

    private sealed class DirectSender(AliasedStorage s, IDirectSender inner) : IDirectSender
    {
        public Task<bool> TryCopyToAsync(string srcPath, IStorage destination, string dstPath, long size, long modTime, CancellationToken ct, CommitGuard? guard = null) =>
            inner.TryCopyToAsync(s.Real(srcPath), destination, dstPath, size, modTime, ct, guard);
    }

    private sealed class ServerHasher(AliasedStorage s, IServerHasher inner) : IServerHasher
    {
        public Task<string?> HashAsync(string path, string hashType, CancellationToken ct) => inner.HashAsync(s.Real(path), hashType, ct);
    }
}
