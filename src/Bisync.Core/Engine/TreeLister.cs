using System.Collections.Concurrent;
using System.Threading.Channels;
using Bisync.Filters;
using Bisync.Listing;
using Bisync.Storage;

namespace Bisync.Engine;

/// <summary>
/// Stage: list one side recursively, pruning excluded directories. Directories are walked by
/// <c>checkers</c> workers that take them from a channel (waiting for work never blocks a thread);
/// a backend with a flat listing of the whole tree is listed in one go instead.
/// </summary>
public static class TreeLister
{
    /// <param name="unsafeName">Told of each name the backend gave that breaks <see cref="SafePath"/> (absolute,
    /// "..", empty segments): it is left out of the listing, and never walked into or acted on.</param>
    /// <param name="temporary">Told of each of the backend's own temporary names met (left out of the listing).</param>
    /// <param name="skippedLink">Told of each symbolic link the backend neither follows nor stores (left out).</param>
    /// <param name="directoryEntries">Filled with the directories the listing holds (--create-empty-src-dirs), with their
    /// times: those the filter keeps, not one that an --exclude-if-present marker excludes.</param>
    /// <param name="modTimes">False when the run needs no modification times: a flat lister may leave out those that
    /// cost it a request per file (see <see cref="IRecursiveLister"/>).</param>
    public static async Task<FileListing> ListAsync(IStorage storage, IPathFilter filter, int checkers, CancellationToken ct,
        List<string>? directories = null, bool fileIds = false, Action<string>? unsafeName = null,
        Action<string>? temporary = null, Action<string>? skippedLink = null, List<StorageEntry>? directoryEntries = null,
        bool modTimes = true)
    {
        if (directories is null && directoryEntries is null && storage.Capability<IRecursiveLister>() is { } flat)
            return await ListFlatAsync(storage, flat, filter, ct, fileIds, unsafeName, temporary, skippedLink, modTimes).ConfigureAwait(false);

        var files = new ConcurrentBag<FileListing.Builder>();
        var dirs = directories is null ? null : new ConcurrentBag<string>();
        var dirEntries = directoryEntries is null ? null : new ConcurrentBag<StorageEntry>();
        var markerDirs = directoryEntries is null ? null : new ConcurrentBag<string>();
        var pending = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });
        var outstanding = 1;
        Exception? failure = null;
        pending.Writer.TryWrite("");
        var sync = storage.Capability<ISyncLister>();

        async Task Worker()
        {
            var entries = new List<StorageEntry>();
            var found = new FileListing.Builder();
            await foreach (var dir in pending.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                try
                {
                    if (Volatile.Read(ref failure) is null)
                    {
                        if (sync is not null)
                        {
                            sync.ListDirectory(dir, entries);
                        }
                        else
                        {
                            entries.Clear();
                            await foreach (var e in storage.ListAsync(dir, ct).ConfigureAwait(false)) entries.Add(e);
                        }
                        ProcessDirectory(dir, entries, found);
                    }
                }
                catch (Exception ex)
                {
                    Interlocked.CompareExchange(ref failure, ex, null);
                }
                finally
                {
                    if (Interlocked.Decrement(ref outstanding) == 0) pending.Writer.TryComplete();
                }
            }
            if (found.Count > 0) files.Add(found);
        }

        // Each worker keeps one list of what it found; directories are queued for any worker.
        void ProcessDirectory(string dir, List<StorageEntry> entries, FileListing.Builder local)
        {
            if (filter.ExcludeIfPresent.Count > 0)
            {
                foreach (var e in entries)
                {
                    if (!e.IsDir && filter.ExcludeIfPresent.Contains(e.Name))
                    {
                        markerDirs?.Add(dir);
                        return;
                    }
                }
            }
            foreach (var e in entries)
            {
                if (!SafePath.IsSafe(e.Path) || e.Path.Length == 0)
                {
                    unsafeName?.Invoke(e.Path);
                    continue;
                }
                if (e.IsSkippedLink)
                {
                    if (filter.IsEmpty || filter.IncludeFile(e.Path, e.Size, e.ModTime)) skippedLink?.Invoke(e.Path);
                    continue;
                }
                if (e.IsDir)
                {
                    if (!filter.IsEmpty && !filter.IncludeDirectory(e.Path)) continue;
                    dirs?.Add(e.Path);
                    dirEntries?.Add(e);
                    Interlocked.Increment(ref outstanding);
                    pending.Writer.TryWrite(e.Path);
                }
                else
                {
                    if (e.IsHidden && storage.IsTemporaryName(e.Name))
                    {
                        temporary?.Invoke(e.Path);
                        continue;
                    }
                    if (!filter.IsEmpty && !filter.IncludeFile(e.Path, e.Size, e.ModTime)) continue;
                    local.Add(e.Path, e.Size, e.ModTime, e.Hash ?? "-", fileIds ? e.FileId : 0);
                }
            }
        }

        var workers = new Task[Math.Max(1, checkers)];
        for (var i = 0; i < workers.Length; i++) workers[i] = Task.Run(Worker, ct);
        await Task.WhenAll(workers).ConfigureAwait(false);
        if (failure is not null) throw failure;

        if (directories is not null && dirs is not null) directories.AddRange(dirs);
        if (directoryEntries is not null && dirEntries is not null)
        {
            var excluded = markerDirs!.ToHashSet(StringComparer.Ordinal);
            directoryEntries.AddRange(excluded.Count == 0 ? dirEntries : dirEntries.Where(d => !excluded.Contains(d.Path)));
        }
        return FileListing.Builder.Merge(files.ToArray());
    }

    /// <summary>
    /// The same result from a flat listing of the whole tree: a file is kept when every directory
    /// above it passes the filter (as if the walk had pruned there), no directory above it holds an
    /// --exclude-if-present marker, and the file itself passes.
    /// </summary>
    private static async Task<FileListing> ListFlatAsync(IStorage storage, IRecursiveLister flat, IPathFilter filter, CancellationToken ct,
        bool fileIds, Action<string>? unsafeName, Action<string>? temporary, Action<string>? skippedLink, bool modTimes)
    {
        var entries = new List<StorageEntry>();
        await foreach (var e in flat.ListRecursiveAsync(modTimes, ct).ConfigureAwait(false))
        {
            if (e.IsDir) continue;
            if (e.Path.Length == 0 || !SafePath.IsSafe(e.Path)) unsafeName?.Invoke(e.Path);
            else if (e.IsSkippedLink) skippedLink?.Invoke(e.Path);
            else entries.Add(e);
        }
        var markerDirs = new HashSet<string>(StringComparer.Ordinal);
        if (filter.ExcludeIfPresent.Count > 0)
        {
            foreach (var e in entries)
            {
                if (filter.ExcludeIfPresent.Contains(e.Name)) markerDirs.Add(Parent(e.Path));
            }
        }
        var dirVerdict = new Dictionary<string, bool>(StringComparer.Ordinal);
        bool DirOk(string dir)
        {
            if (dir.Length == 0) return !markerDirs.Contains("");
            if (dirVerdict.TryGetValue(dir, out var ok)) return ok;
            ok = DirOk(Parent(dir)) && !markerDirs.Contains(dir) && (filter.IsEmpty || filter.IncludeDirectory(dir));
            dirVerdict[dir] = ok;
            return ok;
        }
        var result = new FileListing.Builder();
        foreach (var e in entries)
        {
            if (e.IsHidden && storage.IsTemporaryName(e.Name))
            {
                temporary?.Invoke(e.Path);
                continue;
            }
            if (!DirOk(Parent(e.Path))) continue;
            if (!filter.IsEmpty && !filter.IncludeFile(e.Path, e.Size, e.ModTime)) continue;
            result.Add(e.Path, e.Size, e.ModTime, e.Hash ?? "-", fileIds ? e.FileId : 0);
        }
        return result.Build();
    }

    private static string Parent(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? "" : path[..slash];
    }
}
