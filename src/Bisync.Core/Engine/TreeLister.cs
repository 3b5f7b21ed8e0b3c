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
        List<string>? directories = null, ConcurrentDictionary<string, ulong>? fileIds = null)
    {
        var files = new ConcurrentBag<List<ListingEntry>>();
        var dirs = directories is null ? null : new ConcurrentBag<string>();
        var pending = new BlockingCollection<string>(new ConcurrentQueue<string>());
        var outstanding = 1;
        Exception? failure = null;
        pending.Add("");
        var sync = storage as ISyncLister;

        async Task Worker()
        {
            var entries = new List<StorageEntry>();
            var found = new List<ListingEntry>();
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
        void ProcessDirectory(List<StorageEntry> entries, List<ListingEntry> local)
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
                    local.Add(new ListingEntry(e.Path, e.Size, e.ModTime, e.Hash ?? "-"));
                    if (fileIds is not null && e.FileId != 0) fileIds[e.Path] = e.FileId;
                }
            }
        }

        var workers = new Task[Math.Max(1, checkers)];
        for (var i = 0; i < workers.Length; i++) workers[i] = Task.Run(Worker, ct);
        await Task.WhenAll(workers).ConfigureAwait(false);
        if (failure is not null) throw failure;

        var all = new List<ListingEntry>(files.Sum(l => l.Count));
        foreach (var l in files) all.AddRange(l);
        if (directories is not null && dirs is not null) directories.AddRange(dirs);
        return new FileListing(all);
    }
}
