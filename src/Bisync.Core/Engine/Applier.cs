using Bisync.Listing;
using Bisync.Logging;
using Bisync.Storage;

namespace Bisync.Engine;

/// <summary>What applying a plan did on each side.</summary>
/// <param name="On1">Operations on Path1 (copies to it, deletes and renames on it).</param>
/// <param name="Touched1">Every Path1 path an operation may have changed, for the listing update.</param>
/// <param name="Failed">Paths whose operation failed on either side.</param>
/// <param name="KeepPrior">Failed paths, and paths left alone because they changed during the run: both
/// listings keep their prior entry for these, so the next run finds the change again.</param>
/// <param name="Unlisted">Paths left out of both new listings although both sides hold them: under
/// <c>--compat 1.75</c>, a conflict Path2 won, as rclone v1.75 leaves it (the next run finds the file new on
/// both sides and, the two being equal, records it then).</param>
public sealed record Applied(OperationResults On1, OperationResults On2, IReadOnlyList<string> Touched1, IReadOnlyList<string> Touched2,
    HashSet<string> Failed, HashSet<string> KeepPrior)
{
    /// <summary>--create-empty-src-dirs: the directory operations on each side (null: none planned).</summary>
    public DirResults? Dirs1 { get; init; }
    public DirResults? Dirs2 { get; init; }

    public IReadOnlySet<string> Unlisted { get; init; } = new HashSet<string>(StringComparer.Ordinal);
}

/// <summary>
/// Stage: carry out a plan. The only stage that changes either side; --dry-run is a switch in
/// <see cref="Transfers"/>. It reports each decision as rclone does (queue lines; a conflict's
/// renames happen as they are reported), then runs the queues: copies to Path1, copies to Path2,
/// deletes on Path1, deletes on Path2.
/// </summary>
/// <param name="naming">How conflict copies are named (the plan's naming, to pick the next free name
/// if a planned one was taken since); null: rclone v1.60.1's NAME..path1 / NAME..path2.</param>
public sealed class Applier(BisyncOptions options, SessionNames names, IStorage path1, IStorage path2, Transfers transfers, Logger log,
    ConflictNaming? naming = null)
{
    private readonly ConflictNaming _naming = naming ?? ConflictNaming.Legacy;

    /// <summary>--create-empty-src-dirs: directories to make and remove (after the file copies, and the file deletes).</summary>
    public DirPlan? Dirs { get; init; }

    private sealed class Queues
    {
        public readonly List<string> Copy1To2 = [], Copy2To1 = [], Delete1 = [], Delete2 = [];
        public readonly List<(string From, string To)> Renamed1 = [], Renamed2 = [];
        public readonly List<string> Interrupted = [];
        /// <summary>Paths whose conflict loser was moved away or deleted on that side: the winner's copy finds nothing there.</summary>
        public readonly HashSet<string> LoserGone1 = new(StringComparer.Ordinal), LoserGone2 = new(StringComparer.Ordinal);
        /// <summary>Deletes of conflict losers, done as they are reported.</summary>
        public readonly OperationResults Deleted1 = new(), Deleted2 = new();

        /// <summary>What the conflict renames left on each side: the old name gone, the new one as renamed.
        /// Recorded, not read back later, so a file saved under the old name meanwhile is news for the next run.</summary>
        public readonly OperationResults Renames1 = new(), Renames2 = new();

        /// <summary>Conflicts whose winner is Path2 (its copy to Path1 queued).</summary>
        public readonly List<string> Path2Won = [];
    }

    public async Task<Applied> ApplyAsync(SyncPlan plan, FileListing current1, FileListing current2, CancellationToken ct)
    {
        var q = new Queues();
        foreach (var d in plan.Decisions)
        {
            // Listings and backend names were checked as they came in; this is the last word.
            if (d.Path.Length == 0 || SafePath.Problem(d.Path) is not null)
                throw new CriticalException($"refusing to act on a path that could reach outside the roots: {Messages.ShowPath(d.Path)}");
            if (log.Enabled(LogLevel.Debug)) log.Debug("Decision: " + d);
            switch (d.Kind)
            {
                case DecisionKind.None when d.Equal:
                    log.Notice(Messages.Row("WARNING", "New or changed in both paths", Messages.ShowPath(d.Path)));
                    log.Info($"Files are equal! Skipping: {Messages.ShowPath(d.Path)}");
                    break;
                case DecisionKind.None:
                    break;
                case DecisionKind.CopyToPath2 or DecisionKind.CopyToPath1 when d.Equal:
                    // rclone v1.66+: equal but for the time; the newer side's copy only sets the other's time.
                    log.Notice(Messages.Row("WARNING", "New or changed in both paths", Messages.ShowPath(d.Path)));
                    log.Info($"{Messages.ShowPath(d.Path)}: Files are equal but will copy anyway to update modtime (will not rename)");
                    if (d.Kind == DecisionKind.CopyToPath2) QueueCopy1To2(q, d.Path, LogLevel.Info);
                    else QueueCopy2To1(q, d.Path, LogLevel.Info);
                    break;
                case DecisionKind.CopyToPath2:
                    QueueCopy1To2(q, d.Path, LogLevel.Info);
                    break;
                case DecisionKind.CopyToPath1:
                    QueueCopy2To1(q, d.Path, LogLevel.Info);
                    break;
                case DecisionKind.DeleteOnPath2:
                    log.Info(Messages.Row("Path2", "Queue delete", Messages.ShowPath(path2.Root + OnPath2(d.Path))));
                    q.Delete2.Add(d.Path);
                    break;
                case DecisionKind.DeleteOnPath1:
                    log.Info(Messages.Row("Path1", "Queue delete", Messages.ShowPath(path1.Root + d.Path)));
                    q.Delete1.Add(d.Path);
                    break;
                case DecisionKind.KeepBoth when transfers.Stop.IsCancellationRequested:
                    q.Interrupted.Add(d.Path); // graceful shutdown: not started, left for the next run
                    break;
                case DecisionKind.KeepBoth:
                    await KeepBothAsync(q, d, current1, current2, ct).ConfigureAwait(false);
                    break;
                case DecisionKind.Resolved when transfers.Stop.IsCancellationRequested:
                    q.Interrupted.Add(d.Path);
                    break;
                case DecisionKind.Resolved:
                    await ResolvedAsync(q, d, current1, current2, ct).ConfigureAwait(false);
                    break;
            }
        }
        if (Dirs is { } dirs)
        {
            foreach (var p in dirs.Make2) log.Info(Messages.Row("Path1", "Queue copy to Path2", Messages.ShowPath(path2.Root + p)));
            foreach (var p in dirs.Make1) log.Info(Messages.Row("Path2", "Queue copy to Path1", Messages.ShowPath(path1.Root + p)));
            foreach (var p in dirs.Remove2) log.Info(Messages.Row("Path2", "Queue delete", Messages.ShowPath(path2.Root + p)));
            foreach (var p in dirs.Remove1) log.Info(Messages.Row("Path1", "Queue delete", Messages.ShowPath(path1.Root + p)));
        }
        SaveQueues(q);

        var on1 = new OperationResults();
        var on2 = new OperationResults();
        on1.Add(q.Deleted1);
        on2.Add(q.Deleted2);
        on1.Add(q.Renames1);
        on2.Add(q.Renames2);
        if (q.Copy2To1.Count > 0)
        {
            log.Info(Messages.Row("Path2", "Do queued copies to", "Path1"));
            on1.Add(await transfers.CopyAsync(path2, path1, Items(q.Copy2To1, current2, current1, q.Renamed2, q.LoserGone1, q.Renames2), ct).ConfigureAwait(false));
        }
        if (q.Copy1To2.Count > 0)
        {
            log.Info(Messages.Row("Path1", "Do queued copies to", "Path2"));
            on2.Add(await transfers.CopyAsync(path1, path2, Items(q.Copy1To2, current1, current2, q.Renamed1, q.LoserGone2, q.Renames1), ct).ConfigureAwait(false));
        }
        DirResults? made1 = null, made2 = null;
        if (Dirs is { } dirPlan && !transfers.Stop.IsCancellationRequested)
        {
            if (dirPlan.Make1.Count > 0) made1 = await DirSync.MakeAsync(path1, dirPlan.Make1, options.DryRun, log, ct).ConfigureAwait(false);
            if (dirPlan.Make2.Count > 0) made2 = await DirSync.MakeAsync(path2, dirPlan.Make2, options.DryRun, log, ct).ConfigureAwait(false);
        }
        await TestHook.AtAsync("after-copies", ct).ConfigureAwait(false);
        if (q.Delete1.Count > 0)
        {
            log.Info(Messages.Row("", "Do queued deletes on", "Path1"));
            on1.Add(await transfers.DeleteAsync(path1, q.Delete1, current1, ct).ConfigureAwait(false));
        }
        if (q.Delete2.Count > 0)
        {
            log.Info(Messages.Row("", "Do queued deletes on", "Path2"));
            on2.Add(await transfers.DeleteAsync(path2, q.Delete2, current2, ct).ConfigureAwait(false));
        }
        DirResults? removed1 = null, removed2 = null;
        if (Dirs is { } plan2 && !transfers.Stop.IsCancellationRequested)
        {
            if (plan2.Remove1.Count > 0) removed1 = await DirSync.RemoveAsync(path1, plan2.Remove1, options.DryRun, log, ct).ConfigureAwait(false);
            if (plan2.Remove2.Count > 0) removed2 = await DirSync.RemoveAsync(path2, plan2.Remove2, options.DryRun, log, ct).ConfigureAwait(false);
        }
        // A failed operation on a path is failed for both listings: both keep their prior entry.
        var failed = new HashSet<string>(on1.Failed.Keys.Concat(on2.Failed.Keys), StringComparer.Ordinal);
        var keepPrior = new HashSet<string>(failed.Concat(on1.Skipped.Keys).Concat(on2.Skipped.Keys).Concat(q.Interrupted), StringComparer.Ordinal);
        var touched1 = q.Copy2To1.Concat(q.Delete1).Concat(q.Deleted1.Done.Keys).Concat(q.Renamed1.SelectMany(r => new[] { r.From, r.To })).ToList();
        var touched2 = q.Copy1To2.Concat(q.Delete2).Concat(q.Deleted2.Done.Keys).Concat(q.Renamed2.SelectMany(r => new[] { r.From, r.To })).ToList();
        // rclone v1.75 leaves a conflict Path2 won out of both new listings (test_resolve's golden listings
        // show it); under its profile we do the same, for the copies that were made.
        var unlisted = new HashSet<string>(StringComparer.Ordinal);
        if (options.Compat == Compat.V1_75)
            foreach (var path in q.Path2Won)
                if (on1.Done.ContainsKey(path) && !keepPrior.Contains(path)) unlisted.Add(path);
        return new Applied(on1, on2, touched1, touched2, failed, keepPrior)
        {
            Dirs1 = Merge(made1, removed1),
            Dirs2 = Merge(made2, removed2),
            Unlisted = unlisted,
        };
    }

    private static DirResults? Merge(DirResults? made, DirResults? removed)
    {
        if (made is null) return removed;
        if (removed is null) return made;
        made.Removed.UnionWith(removed.Removed);
        made.Failed.UnionWith(removed.Failed);
        return made;
    }

    /// <summary>Path2's own name of a file (it differs where Path2 is seen under Path1's names, <see cref="AliasedStorage"/>).</summary>
    private string OnPath2(string path) => path2 is AliasedStorage a ? a.Real(path) : path;

    private void QueueCopy1To2(Queues q, string path, LogLevel level)
    {
        log.Write(level, Messages.Row("Path1", "Queue copy to Path2", Messages.ShowPath(path2.Root + OnPath2(path))));
        q.Copy1To2.Add(path);
    }

    private void QueueCopy2To1(Queues q, string path, LogLevel level)
    {
        log.Write(level, Messages.Row("Path2", "Queue copy to Path1", Messages.ShowPath(path1.Root + path)));
        q.Copy2To1.Add(path);
    }

    /// <summary>
    /// Both versions kept: each side's file renamed (to a name still free on both sides) and copied
    /// across. Re-checked first: when either file is no longer the one listed (saved again, or deleted,
    /// during the run), nothing is renamed and both listings keep their prior entry, so the next run
    /// decides again with what is there then.
    /// </summary>
    private async Task KeepBothAsync(Queues q, Decision d, FileListing current1, FileListing current2, CancellationToken ct)
    {
        log.Notice(Messages.Row("WARNING", "New or changed in both paths", Messages.ShowPath(d.Path)));
        var changed = await ChangedSinceListingAsync(path1, d.Path, current1, ct).ConfigureAwait(false)
            ?? await ChangedSinceListingAsync(path2, d.Path, current2, ct).ConfigureAwait(false);
        if (changed is not null)
        {
            q.Renames1.Skipped[d.Path] = changed;
            log.Notice($"{Messages.ShowPath(d.Path)}: Not renamed: {changed} since it was listed; left for the next run");
            return;
        }
        if (d.Why is not null) log.Info($"{Messages.ShowPath(d.Path)}: {d.Why}");
        if (d.Resolving) log.Info($"{Messages.ShowPath(d.Path)}: A winner could not be determined.");
        var keepBoth = _naming.ForKeepBoth;
        var p1 = await StillFreeAsync(keepBoth, d.Path, 1, d.Rename1!, null, ct).ConfigureAwait(false);
        var p2 = await StillFreeAsync(keepBoth, d.Path, 2, d.Rename2!, p1, ct).ConfigureAwait(false);
        await RenameLoserAsync(q, 1, d.Path, p1, current1, ct).ConfigureAwait(false);
        await RenameLoserAsync(q, 2, d.Path, p2, current2, ct).ConfigureAwait(false);
    }

    /// <summary>Null when the side still holds the file its listing of this run holds, else what changed.</summary>
    private static async Task<string?> ChangedSinceListingAsync(IStorage side, string path, FileListing listing, CancellationToken ct)
    {
        StorageEntry? listed = listing.TryGet(path, out var e) ? e.ToStorageEntry() : null;
        var now = await side.StatAsync(path, ct).ConfigureAwait(false);
        if (Transfers.SameAsListed(now, listed)) return null;
        return now is null ? $"it was deleted on {side.Root}" : $"it changed on {side.Root}";
    }

    /// <summary>
    /// One side's version renamed and its new name queued for a copy to the other side. What the rename
    /// left is recorded (not read back later). When the file went away in the moment since the
    /// re-check, the path keeps its prior entries and nothing is queued.
    /// </summary>
    private async Task RenameLoserAsync(Queues q, int side, string path, string to, FileListing listing, CancellationToken ct)
    {
        var storage = side == 1 ? path1 : path2;
        var results = side == 1 ? q.Renames1 : q.Renames2;
        log.Notice(Messages.Row($"Path{side}", $"Renaming Path{side} copy", Messages.ShowPath(storage.Root + to)));
        try
        {
            if (await transfers.RenameAsync(storage, path, to, ct).ConfigureAwait(false) is { } renamed)
            {
                results.Done[path] = null;
                // The renamed file is the version this run listed (re-checked): it keeps the listed checksum, which
                // its copy to the other side then records there too (a remote side without it could not learn it).
                if (!Hasher.Known(renamed.Hash) && listing.TryGet(path, out var listed) && Hasher.Known(listed.Hash)
                    && listed.Size == renamed.Size)
                    renamed = renamed with { Hash = listed.Hash };
                results.Done[to] = renamed;
            }
        }
        catch (FileNotFoundException)
        {
            results.Skipped[path] = "deleted";
            log.Notice($"{Messages.ShowPath(path)}: Not renamed: it was deleted since it was listed; left for the next run");
            return;
        }
        if (side == 1)
        {
            q.Renamed1.Add((path, to));
            QueueCopy1To2(q, to, LogLevel.Notice);
        }
        else
        {
            q.Renamed2.Add((path, to));
            QueueCopy2To1(q, to, LogLevel.Notice);
        }
    }

    /// <summary>
    /// A conflict with a winner (--conflict-resolve): the loser is renamed and copied across, or
    /// (--conflict-loser delete) deleted once it is still the version this run listed; then the
    /// winner is copied to the loser's side, where nothing is left under its name.
    /// </summary>
    private async Task ResolvedAsync(Queues q, Decision d, FileListing current1, FileListing current2, CancellationToken ct)
    {
        var path = d.Path;
        var shown = Messages.ShowPath(path);
        var winner = d.Winner;
        var loser = 3 - winner;
        var loserGone = loser == 1 ? q.LoserGone1 : q.LoserGone2;
        log.Notice(Messages.Row("WARNING", "New or changed in both paths", shown));
        if (d.Why is not null) log.Info($"{shown}: {d.Why}");
        log.Info($"{shown}: The winner is: Path{winner}");
        if (d.DeletesLoser)
        {
            var storage = loser == 1 ? path1 : path2;
            log.Notice(Messages.Row($"Path{loser}", $"Deleting Path{loser} copy", Messages.ShowPath(storage.Root + path)));
            var deleted = await transfers.DeleteAsync(storage, [path], loser == 1 ? current1 : current2, ct).ConfigureAwait(false);
            (loser == 1 ? q.Deleted1 : q.Deleted2).Add(deleted);
            if (deleted.Failed.ContainsKey(path) || deleted.Skipped.ContainsKey(path)) return; // the loser stays: so does the winner's copy
            loserGone.Add(path);
            if (winner == 1) QueueCopy1To2Bare(q, path);
            else QueueCopy2To1Bare(q, path);
            if (winner == 2) q.Path2Won.Add(path);
            return;
        }
        var rename = (loser == 1 ? d.Rename1 : d.Rename2)!;
        for (var side = 1; side <= 2; side++)
        {
            if (side == winner)
            {
                var storage = side == 1 ? path1 : path2;
                log.Notice(Messages.Row($"Path{side}", $"Not renaming Path{side} copy, as it was determined the winner", Messages.ShowPath(storage.Root + path)));
                loserGone.Add(path);
                if (side == 1) QueueCopy1To2(q, path, LogLevel.Notice);
                else
                {
                    QueueCopy2To1(q, path, LogLevel.Notice);
                    q.Path2Won.Add(path);
                }
            }
            else
            {
                var to = await StillFreeAsync(_naming, path, side, rename, null, ct).ConfigureAwait(false);
                await RenameLoserAsync(q, side, path, to, side == 1 ? current1 : current2, ct).ConfigureAwait(false);
            }
        }
    }

    // rclone names the winner's copy after a deleted loser bare (no root), at INFO.
    private void QueueCopy1To2Bare(Queues q, string path)
    {
        log.Info(Messages.Row("Path1", "Queue copy to Path2", Messages.ShowPath(path)));
        q.Copy1To2.Add(path);
    }

    private void QueueCopy2To1Bare(Queues q, string path)
    {
        log.Info(Messages.Row("Path2", "Queue copy to Path1", Messages.ShowPath(path)));
        q.Copy2To1.Add(path);
    }

    /// <summary>
    /// The planned conflict name, or the next one of the naming, that neither side holds now: the
    /// plan saw only listed (filtered) names, and a file may have appeared since.
    /// </summary>
    private async Task<string> StillFreeAsync(ConflictNaming naming, string path, int side, string planned, string? alsoTaken, CancellationToken ct)
    {
        var n = Math.Max(0, naming.AttemptOf(path, side, planned));
        var name = planned;
        while (name == alsoTaken || await path1.StatAsync(name, ct).ConfigureAwait(false) is not null || await path2.StatAsync(name, ct).ConfigureAwait(false) is not null)
            name = naming.Candidate(path, side, ++n);
        return name;
    }

    /// <summary>
    /// The copies of a queue with what the listings just saw on both sides; a conflict copy was
    /// renamed since, so it is looked at afresh.
    /// </summary>
    private List<CopyItem> Items(List<string> paths, FileListing from, FileListing to, List<(string From, string To)> renamed, HashSet<string> loserGone,
        OperationResults renames)
    {
        var renamedTo = new HashSet<string>(renamed.Select(r => r.To), StringComparer.Ordinal);
        var items = new List<CopyItem>(paths.Count);
        foreach (var p in paths)
        {
            // A conflict copy: looked at again before the copy; what the rename left is only a hint (its checksum).
            if (renamedTo.Contains(p)) { items.Add(new CopyItem(p, renames.Done.GetValueOrDefault(p))); continue; }
            StorageEntry? s = from.TryGet(p, out var a) ? a.ToStorageEntry() : null;
            // A conflict's loser was moved away or deleted there (in a dry run it is still there).
            StorageEntry? d = to.TryGet(p, out var b) && (options.DryRun || !loserGone.Contains(p)) ? b.ToStorageEntry() : null;
            items.Add(new CopyItem(p, s, d, Known: true));
        }
        return items;
    }

    private void SaveQueues(Queues q)
    {
        if (!options.NoCleanup) return;
        void Save(string name, List<string> items)
        {
            if (items.Count > 0) QueueFiles.Write(names.Queue(name), items);
        }
        // rclone v1.75 syncs each direction with its deletes, and its copy queue names the deleted paths too.
        var v175 = options.Compat == Compat.V1_75;
        // Directories to make go with the copies of their direction, directories to remove with the deletes.
        List<string> make1 = Dirs?.Make1 ?? [], make2 = Dirs?.Make2 ?? [], remove1 = Dirs?.Remove1 ?? [], remove2 = Dirs?.Remove2 ?? [];
        Save("copy1to2", v175 ? [.. q.Copy1To2, .. make2, .. q.Delete2, .. remove2] : [.. q.Copy1To2, .. make2]);
        Save("copy2to1", v175 ? [.. q.Copy2To1, .. make1, .. q.Delete1, .. remove1] : [.. q.Copy2To1, .. make1]);
        Save("delete1", [.. q.Delete1, .. remove1]);
        Save("delete2", [.. q.Delete2, .. remove2]);
    }
}
