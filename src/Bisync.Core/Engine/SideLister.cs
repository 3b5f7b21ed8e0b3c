using Bisync.Filters;
using Bisync.Listing;
using Bisync.Logging;
using Bisync.Storage;

namespace Bisync.Engine;

/// <summary>
/// Stage: one side's current listing. With --checksum every file also gets its MD5, from the
/// backend when it knows it, else from the side's hash cache, else by reading the file; the cache
/// is saved with the side's final listing at the end of the run.
/// </summary>
public sealed class SideLister(IStorage storage, IPathFilter filter, BisyncOptions options, string hashCacheFile, Logger log)
{
    private HashCache? _cache;
    private int _read;

    public IStorage Storage => storage;

    public async Task<FileListing> ListAsync(CancellationToken ct)
    {
        if (!options.Checksum) return await TreeLister.ListAsync(storage, filter, options.Checkers, ct, unsafeName: Unsafe).ConfigureAwait(false);
        var listing = await TreeLister.ListAsync(storage, filter, options.Checkers, ct, null, fileIds: true, Unsafe).ConfigureAwait(false);
        _cache ??= new HashCache(hashCacheFile);
        var (hashed, read) = await Hasher.HashAsync(storage, listing, _cache, options.Checkers, ct).ConfigureAwait(false);
        _read = read;
        return hashed;
    }

    private void Unsafe(string name) =>
        log.Error($"{storage.Root}{Messages.ShowPath(name)}: skipped: a name that could reach outside the root is never synced");

    /// <summary>Keeps the hashes of the side's final listing for the next run (not in a dry run).</summary>
    public void SaveHashes(FileListing final)
    {
        if (!options.DryRun) _cache?.Save(final, _read);
    }
}
