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
public sealed record Applied(OperationResults On1, OperationResults On2, IReadOnlyList<string> Touched1, IReadOnlyList<string> Touched2,
    HashSet<string> Failed, HashSet<string> KeepPrior);

/// <summary>
/// Stage: carry out a plan. The only stage that changes either side; --dry-run is a switch in
/// <see cref="Transfers"/>. It reports each decision as rclone does (queue lines; a conflict's
/// renames happen as they are reported), then runs the queues: copies to Path1, copies to Path2,
/// deletes on Path1, deletes on Path2.
/// </summary>
public sealed class Applier(BisyncOptions options, SessionNames names, IStorage path1, IStorage path2, Transfers transfers, Logger log)
{
    private sealed class Queues
    {
        public readonly List<string> Copy1To2 = [], Copy2To1 = [], Delete1 = [], Delete2 = [];
        public readonly List<(string From, string To)> Renamed1 = [], Renamed2 = [];
        public readonly List<string> Interrupted = [];
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
                case DecisionKind.None:
                    break;
                case DecisionKind.CopyToPath2:
                    QueueCopy1To2(q, d.Path, LogLevel.Info);
                    break;
                case DecisionKind.CopyToPath1:
                    QueueCopy2To1(q, d.Path, LogLevel.Info);
                    break;
                case DecisionKind.DeleteOnPath2:
                    log.Info(Messages.Row("Path2", "Queue delete", Messages.ShowPath(path2.Root + d.Path)));
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
                    await KeepBothAsync(q, d, ct).ConfigureAwait(false);
                    break;
            }
        }
        SaveQueues(q);

        var on1 = new OperationResults();
        var on2 = new OperationResults();
        if (q.Copy2To1.Count > 0)
        {
            log.Info(Messages.Row("Path2", "Do queued copies to", "Path1"));
            on1.Add(await transfers.CopyAsync(path2, path1, Items(q.Copy2To1, current2, current1, q.Renamed2), ct).ConfigureAwait(false));
        }
        if (q.Copy1To2.Count > 0)
        {
            log.Info(Messages.Row("Path1", "Do queued copies to", "Path2"));
            on2.Add(await transfers.CopyAsync(path1, path2, Items(q.Copy1To2, current1, current2, q.Renamed1), ct).ConfigureAwait(false));
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
        // A failed operation on a path is failed for both listings: both keep their prior entry.
        var failed = new HashSet<string>(on1.Failed.Keys.Concat(on2.Failed.Keys), StringComparer.Ordinal);
        var keepPrior = new HashSet<string>(failed.Concat(on1.Skipped.Keys).Concat(on2.Skipped.Keys).Concat(q.Interrupted), StringComparer.Ordinal);
        var touched1 = q.Copy2To1.Concat(q.Delete1).Concat(q.Renamed1.SelectMany(r => new[] { r.From, r.To })).ToList();
        var touched2 = q.Copy1To2.Concat(q.Delete2).Concat(q.Renamed2.SelectMany(r => new[] { r.From, r.To })).ToList();
        return new Applied(on1, on2, touched1, touched2, failed, keepPrior);
    }

    private void QueueCopy1To2(Queues q, string path, LogLevel level)
    {
        log.Write(level, Messages.Row("Path1", "Queue copy to Path2", Messages.ShowPath(path2.Root + path)));
        q.Copy1To2.Add(path);
    }

    private void QueueCopy2To1(Queues q, string path, LogLevel level)
    {
        log.Write(level, Messages.Row("Path2", "Queue copy to Path1", Messages.ShowPath(path1.Root + path)));
        q.Copy2To1.Add(path);
    }

    /// <summary>Both versions kept: each side's file renamed (to a name still free on both sides) and copied across.</summary>
    private async Task KeepBothAsync(Queues q, Decision d, CancellationToken ct)
    {
        log.Notice(Messages.Row("WARNING", "New or changed in both paths", Messages.ShowPath(d.Path)));
        var p1 = await StillFreeAsync(d.Path + Planner.Path1Suffix, d.Rename1!, ct).ConfigureAwait(false);
        var p2 = await StillFreeAsync(d.Path + Planner.Path2Suffix, d.Rename2!, ct).ConfigureAwait(false);
        log.Notice(Messages.Row("Path1", "Renaming Path1 copy", Messages.ShowPath(path1.Root + p1)));
        await transfers.RenameAsync(path1, d.Path, p1, ct).ConfigureAwait(false);
        q.Renamed1.Add((d.Path, p1));
        QueueCopy1To2(q, p1, LogLevel.Notice);
        log.Notice(Messages.Row("Path2", "Renaming Path2 copy", Messages.ShowPath(path2.Root + p2)));
        await transfers.RenameAsync(path2, d.Path, p2, ct).ConfigureAwait(false);
        q.Renamed2.Add((d.Path, p2));
        QueueCopy2To1(q, p2, LogLevel.Notice);
    }

    /// <summary>
    /// The planned conflict name, or the next numbered one, that neither side holds now: the plan saw
    /// only listed (filtered) names, and a file may have appeared since.
    /// </summary>
    private async Task<string> StillFreeAsync(string baseName, string planned, CancellationToken ct)
    {
        var n = planned == baseName ? 1 : int.Parse(planned.AsSpan(baseName.Length + 1), System.Globalization.CultureInfo.InvariantCulture);
        var name = planned;
        while (await path1.StatAsync(name, ct).ConfigureAwait(false) is not null || await path2.StatAsync(name, ct).ConfigureAwait(false) is not null)
            name = baseName + "-" + ++n;
        return name;
    }

    /// <summary>
    /// The copies of a queue with what the listings just saw on both sides; a conflict copy was
    /// renamed since, so it is looked at afresh.
    /// </summary>
    private static List<CopyItem> Items(List<string> paths, FileListing from, FileListing to, List<(string From, string To)> renamed)
    {
        var renamedTo = new HashSet<string>(renamed.Select(r => r.To), StringComparer.Ordinal);
        var items = new List<CopyItem>(paths.Count);
        foreach (var p in paths)
        {
            if (renamedTo.Contains(p)) { items.Add(new CopyItem(p)); continue; }
            StorageEntry? s = from.TryGet(p, out var a) ? a.ToStorageEntry() : null;
            StorageEntry? d = to.TryGet(p, out var b) ? b.ToStorageEntry() : null;
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
        Save("copy1to2", v175 ? [.. q.Copy1To2, .. q.Delete2] : q.Copy1To2);
        Save("copy2to1", v175 ? [.. q.Copy2To1, .. q.Delete1] : q.Copy2To1);
        Save("delete1", q.Delete1);
        Save("delete2", q.Delete2);
    }
}
