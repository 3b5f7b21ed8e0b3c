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

    /// <summary>The backend's own temporary names the last listing met (cleaned by <see cref="CleanTemporariesAsync"/>).</summary>
    private readonly System.Collections.Concurrent.ConcurrentBag<string> _temporaries = [];

    private readonly Comparison _compare = new(options);

    /// <summary>Whether this side's directories are listed and synced (--create-empty-src-dirs, on a backend with directories).</summary>
    public bool ListsDirs => DirSync.Tracks(options, storage);

    /// <summary>The side's files, and with <see cref="ListsDirs"/> its directories (<see cref="FileListing.Dirs"/>).</summary>
    public async Task<FileListing> ListAsync(CancellationToken ct)
    {
        _temporaries.Clear();
        var dirs = ListsDirs ? new List<StorageEntry>() : null;
        FileListing WithDirs(FileListing files) => dirs is null ? files : files.WithDirs(dirs.Select(DirSync.Entry));
        if (!_compare.ListingHashes(storage))
        {
            var plain = await TreeLister.ListAsync(storage, filter, options.Checkers, ct, unsafeName: Unsafe, temporary: _temporaries.Add, skippedLink: Link,
                directoryEntries: dirs).ConfigureAwait(false);
            // rclone v1.75 leaves the hash column out unless checksums are compared (whatever the backend knows).
            return WithDirs(_compare.Legacy ? plain : WithoutHashes(plain));
        }
        var listing = await TreeLister.ListAsync(storage, filter, options.Checkers, ct, null, fileIds: true, Unsafe, _temporaries.Add, Link,
            directoryEntries: dirs, modTimes: _compare.TimesNeeded).ConfigureAwait(false);
        _cache ??= new HashCache(hashCacheFile);
        var (hashed, read) = await Hasher.HashAsync(storage, listing, _cache, options.Checkers, ct, _compare.MayRead(storage)).ConfigureAwait(false);
        _read = read;
        return WithDirs(hashed);
    }

    /// <summary>
    /// The v1.75 profile's listings carry a checksum for every file when they carry any: a file this
    /// run wrote (a copy, a conflict's renamed version) gets its hash here, from the cache or by hashing it.
    /// </summary>
    public async Task<FileListing> FillHashesAsync(FileListing listing, CancellationToken ct)
    {
        if (_compare.Legacy || options.DryRun || !_compare.ListingHashes(storage)) return listing;
        var missing = false;
        for (var i = 0; i < listing.Count && !missing; i++) missing = !Hasher.Known(listing[i].Hash);
        if (!missing) return listing;
        _cache ??= new HashCache(hashCacheFile);
        var (hashed, read) = await Hasher.HashAsync(storage, listing, _cache, options.Checkers, ct, _compare.MayRead(storage)).ConfigureAwait(false);
        _read += read;
        return hashed;
    }

    private static FileListing WithoutHashes(FileListing listing)
    {
        var any = false;
        for (var i = 0; i < listing.Count && !any; i++) any = Hasher.Known(listing[i].Hash);
        return any ? listing.WithHashes(Enumerable.Repeat("-", listing.Count).ToArray()) : listing;
    }

    private void Unsafe(string name) =>
        log.Error($"{storage.Root}{Messages.ShowPath(name)}: skipped: a name that could reach outside the root is never synced");

    /// <summary>rclone's notice for a link it does not follow; with -L, a link that leads nowhere or back into the tree.</summary>
    private void Link(string name) =>
        log.Notice(options.CopyLinks
            ? $"{Messages.ShowPath(name)}: Can't follow symlink: it points to nothing, or back to a directory above it"
            : $"{Messages.ShowPath(name)}: Can't follow symlink without -L/--copy-links");

    /// <summary>
    /// Removes the half-written uploads a killed run left on this side (the backend decides which are
    /// abandoned, see <see cref="ITemporaryCleaner"/>): one INFO line each. Never in a dry run; a
    /// failure here is only reported, it never fails the run.
    /// </summary>
    public async Task CleanTemporariesAsync(CancellationToken ct)
    {
        if (options.DryRun || storage.Capability<ITemporaryCleaner>() is not { } cleaner) return;
        try
        {
            var removed = await cleaner.CleanTemporariesAsync(_temporaries.ToArray(), options.TemporaryMinAge, ct).ConfigureAwait(false);
            foreach (var path in removed)
                log.Info($"{Messages.ShowPath(path)}: Removed a temporary left by an interrupted run");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or TimeoutException)
        {
            log.Notice($"{storage.Root}: couldn't remove temporaries left by an interrupted run: {ex.Message}");
        }
    }

    /// <summary>Keeps the hashes of the side's final listing for the next run (not in a dry run).</summary>
    public void SaveHashes(FileListing final)
    {
        if (!options.DryRun) _cache?.Save(final, _read);
    }
}
