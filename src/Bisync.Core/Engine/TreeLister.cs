using System.Collections.Concurrent;
using Bisync.Filters;
using Bisync.Listing;
using Bisync.Storage;

namespace Bisync.Engine;

/// <summary>Stage: list one side recursively, in parallel, pruning excluded directories.</summary>
public static class TreeLister
{
    /// <summary>Our own temporary upload names, never listed as user files.</summary>
    public static bool IsTemporaryName(string name) =>
        name.StartsWith(".bisync-", StringComparison.Ordinal) && name.EndsWith(".partial", StringComparison.Ordinal);

    public static async Task<FileListing> ListAsync(IStorage storage, IPathFilter filter, int checkers, CancellationToken ct,
        List<string>? directories = null, bool fileIds = false)
    {
        if (storage is IRecursiveLister { CanListRecursively: true } flat && directories is null)
            return await ListFlatAsync(flat, filter, ct, fileIds).ConfigureAwait(false);

        var files = new ConcurrentBag<FileListing.Builder>();
        var dirs = directories is null ? null : new ConcurrentBag<string>();
        var pending = new BlockingCollection<string>(new ConcurrentQueue<string>());
        var outstanding = 1;
        Exception? failure = null;
        pending.Add("");
        var sync = storage as ISyncLister;

        async Task Worker()
        {
            var entries = new List<StorageEntry>();
            var found = new FileListing.Builder();
            foreach (var dir in pending.GetConsumingEnumerable(ct))
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
                        ProcessDirectory(entries, found);
                    }
                }
                catch (Exception ex)
                {
                    Interlocked.CompareExchange(ref failure, ex, null);
                }
                finally
                {
                    if (Interlocked.Decrement(ref outstanding) == 0) pending.CompleteAdding();
                }
            }
            if (found.Count > 0) files.Add(found);
        }

        // Each worker keeps one list of what it found; directories are queued for any worker.
        void ProcessDirectory(List<StorageEntry> entries, FileListing.Builder local)
        {
            if (filter.ExcludeIfPresent.Count > 0)
            {
                foreach (var e in entries)
                {
                    if (!e.IsDir && filter.ExcludeIfPresent.Contains(e.Name)) return;
                }
            }
            foreach (var e in entries)
            {
                if (e.IsDir)
                {
                    if (!filter.IsEmpty && !filter.IncludeDirectory(e.Path)) continue;
                    dirs?.Add(e.Path);
                    Interlocked.Increment(ref outstanding);
                    pending.Add(e.Path);
                }
                else
                {
                    if (IsTemporaryName(e.Name)) continue;
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
        return FileListing.Builder.Merge(files.ToArray());
    }

    /// <summary>
    /// The same result from a flat listing of the whole tree: a file is kept when every directory
    /// above it passes the filter (as if the walk had pruned there), no directory above it holds an
    /// --exclude-if-present marker, and the file itself passes.
    /// </summary>
    private static async Task<FileListing> ListFlatAsync(IRecursiveLister storage, IPathFilter filter, CancellationToken ct,
        bool fileIds)
    {
        var entries = new List<StorageEntry>();
        await foreach (var e in storage.ListRecursiveAsync(ct).ConfigureAwait(false))
        {
            if (!e.IsDir) entries.Add(e);
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
            if (IsTemporaryName(e.Name)) continue;
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
