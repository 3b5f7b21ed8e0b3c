using Bisync.Listing;
using Bisync.Logging;
using Bisync.Storage;
using Bisync.Text;

namespace Bisync.Engine;

/// <summary>The directories new and deleted on one side since the prior run (directories have no other change).</summary>
public sealed record DirDeltas(string Side, List<string> New, List<string> Deleted)
{
    public int Count => New.Count + Deleted.Count;
}

/// <summary>The directory operations of a run: made on, and removed from, each side.</summary>
public sealed class DirPlan
{
    public List<string> Make1 { get; } = [];
    public List<string> Make2 { get; } = [];
    public List<string> Remove1 { get; } = [];
    public List<string> Remove2 { get; } = [];
}

/// <summary>What the directory operations did on one side: done, failed, and left in place because not empty.</summary>
public sealed class DirResults
{
    public HashSet<string> Made { get; } = new(StringComparer.Ordinal);
    public HashSet<string> Removed { get; } = new(StringComparer.Ordinal);
    public HashSet<string> Failed { get; } = new(StringComparer.Ordinal);
}

/// <summary>
/// --create-empty-src-dirs, with rclone v1.66+'s meaning: each side's directories are listed (the
/// <c>d</c> lines of its listing), a directory new on one side is made on the other, and one deleted
/// on one side is removed from the other once the file operations are done (deepest first, and only
/// when it is empty then: a directory still holding files stays). Directories are only ever new or
/// deleted: their times are recorded, never compared. A side whose backend has no directories of its
/// own (s3: key prefixes) lists none and gets none made or removed.
/// </summary>
public static class DirSync
{
    /// <summary>Whether a side's directories take part in this run.</summary>
    public static bool Tracks(BisyncOptions options, IStorage storage) =>
        options.CreateEmptySrcDirs && storage.Features.CanHaveEmptyDirectories;

    /// <summary>A directory's listing entry: size -1 (unknown), no hash, its time.</summary>
    public static ListingEntry Entry(StorageEntry e) => new(e.Path, -1, e.ModTime);

    /// <summary>A side's directory deltas: its prior listing's directories against its current ones.</summary>
    public static DirDeltas Find(string side, IReadOnlyList<ListingEntry> prior, IReadOnlyList<ListingEntry> current, Logger log)
    {
        var before = prior.Select(e => e.Path).ToHashSet(StringComparer.Ordinal);
        var now = current.Select(e => e.Path).ToHashSet(StringComparer.Ordinal);
        var cmp = GoOrdinalComparer.Instance;
        var added = now.Where(p => !before.Contains(p)).Order(cmp).ToList();
        var deleted = before.Where(p => !now.Contains(p)).Order(cmp).ToList();
        foreach (var p in added) log.Info(Messages.Row(side, "Directory is new", Messages.ShowPath(p)));
        foreach (var p in deleted) log.Info(Messages.Row(side, "Directory was deleted", Messages.ShowPath(p)));
        return new DirDeltas(side, added, deleted);
    }

    /// <summary>
    /// A pure function: a directory new on one side that the other lacks is made there; one deleted on
    /// one side that the other still has is removed there (a directory deleted on both needs nothing).
    /// A side that does not take part (<paramref name="to1"/>, <paramref name="to2"/> false) gets nothing.
    /// </summary>
    public static DirPlan Decide(DirDeltas? d1, DirDeltas? d2, IReadOnlyList<ListingEntry> dirs1, IReadOnlyList<ListingEntry> dirs2, bool to1, bool to2)
    {
        var has1 = dirs1.Select(e => e.Path).ToHashSet(StringComparer.Ordinal);
        var has2 = dirs2.Select(e => e.Path).ToHashSet(StringComparer.Ordinal);
        var plan = new DirPlan();
        if (d1 is not null && to2)
        {
            plan.Make2.AddRange(d1.New.Where(p => !has2.Contains(p)));
            plan.Remove2.AddRange(d1.Deleted.Where(has2.Contains));
        }
        if (d2 is not null && to1)
        {
            plan.Make1.AddRange(d2.New.Where(p => !has1.Contains(p)));
            plan.Remove1.AddRange(d2.Deleted.Where(has1.Contains));
        }
        return plan;
    }

    /// <summary>Makes the directories on a side, parents first (a dry run only says so).</summary>
    public static async Task<DirResults> MakeAsync(IStorage storage, IEnumerable<string> dirs, bool dryRun, Logger log, CancellationToken ct)
    {
        var results = new DirResults();
        foreach (var dir in dirs.Order(GoOrdinalComparer.Instance))
        {
            if (dryRun)
            {
                log.Notice($"{Messages.ShowPath(dir)}: Skipped make directory as --dry-run is set");
                continue;
            }
            try
            {
                var there = await storage.StatAsync(dir, ct).ConfigureAwait(false);
                if (there is { IsDir: false }) throw new IOException($"{storage.Root}{Messages.ShowPath(dir)}: a file is in the way");
                if (there is null) await storage.MkdirAsync(dir, ct).ConfigureAwait(false);
                results.Made.Add(dir);
                log.Debug($"{Messages.ShowPath(dir)}: Making directory");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                results.Failed.Add(dir);
                log.Error($"{Messages.ShowPath(dir)}: Failed to make directory: {ex.Message}");
            }
        }
        return results;
    }

    /// <summary>
    /// Removes the directories from a side, deepest first, each only while empty: one that holds
    /// anything now (a file new on that side, one the filters leave out) stays, with a NOTICE.
    /// </summary>
    public static async Task<DirResults> RemoveAsync(IStorage storage, IEnumerable<string> dirs, bool dryRun, Logger log, CancellationToken ct)
    {
        var results = new DirResults();
        foreach (var dir in dirs.OrderByDescending(d => d.Count(c => c == '/')).ThenByDescending(d => d, GoOrdinalComparer.Instance))
        {
            if (dryRun)
            {
                log.Notice($"{Messages.ShowPath(dir)}: Skipped remove directory as --dry-run is set");
                continue;
            }
            try
            {
                var there = await storage.StatAsync(dir, ct).ConfigureAwait(false);
                if (there is null) { results.Removed.Add(dir); continue; }
                if (!there.Value.IsDir) continue; // a file of that name now: not a directory to remove
                if (await HoldsAnythingAsync(storage, dir, ct).ConfigureAwait(false))
                {
                    log.Notice($"{Messages.ShowPath(dir)}: Not removing directory: it is not empty on {storage.Root}");
                    continue;
                }
                await storage.RmdirAsync(dir, ct).ConfigureAwait(false);
                results.Removed.Add(dir);
                log.Info($"{Messages.ShowPath(dir)}: Removing directory");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                results.Failed.Add(dir);
                log.Error($"{Messages.ShowPath(dir)}: Failed to remove directory: {ex.Message}");
            }
        }
        return results;
    }

    private static async Task<bool> HoldsAnythingAsync(IStorage storage, string dir, CancellationToken ct)
    {
        await foreach (var _ in storage.ListAsync(dir, ct).ConfigureAwait(false)) return true;
        return false;
    }

    /// <summary>
    /// A side's directories after the run: those listed, plus those made there and the parents of the
    /// files written there, less those removed. Where an operation failed the source side keeps its
    /// prior state, so the next run finds the change again: a directory new on it that could not be
    /// made on the other side is left out of its listing (<paramref name="notYet"/>), one deleted on it
    /// that could not be removed from the other is kept (<paramref name="stillThere"/>, from the prior listing).
    /// </summary>
    public static async Task<List<ListingEntry>> FinalAsync(IStorage storage, IReadOnlyList<ListingEntry> listed, DirResults? here,
        IEnumerable<string> filesWritten, IEnumerable<string> notYet, IEnumerable<ListingEntry> stillThere, CancellationToken ct)
    {
        var dirs = new Dictionary<string, ListingEntry>(StringComparer.Ordinal);
        foreach (var e in listed) dirs[e.Path] = e;
        var add = new SortedSet<string>(here?.Made ?? [], StringComparer.Ordinal);
        foreach (var f in filesWritten)
        {
            for (var slash = f.LastIndexOf('/'); slash > 0; slash = f.LastIndexOf('/', slash - 1))
            {
                var parent = f[..slash];
                if (dirs.ContainsKey(parent) || !add.Add(parent)) break;
            }
        }
        foreach (var d in add)
        {
            if (dirs.ContainsKey(d)) continue;
            var e = await storage.StatAsync(d, ct).ConfigureAwait(false);
            if (e is { IsDir: true }) dirs[d] = Entry(e.Value);
        }
        if (here is not null) foreach (var d in here.Removed) dirs.Remove(d);
        foreach (var d in notYet) dirs.Remove(d);
        foreach (var e in stillThere) dirs.TryAdd(e.Path, e);
        return [.. dirs.Values];
    }
}
