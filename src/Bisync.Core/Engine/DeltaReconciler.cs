using Bisync.Logging;
using Bisync.Storage;

namespace Bisync.Engine;

/// <summary>
/// Stage: decide, per changed file, what happens (rclone bisync's normal and unusual sync checks):
/// a change on one side is copied to the other; a deletion on one side is deleted on the other;
/// a deletion against a change keeps the changed file; changes on both sides keep both versions,
/// renamed to NAME..path1 and NAME..path2 on both sides. Nothing is ever lost.
/// </summary>
public sealed class DeltaReconciler(IStorage path1, IStorage path2, Transfers transfers, Logger log)
{
    public const string Path1Suffix = "..path1";
    public const string Path2Suffix = "..path2";

    public async Task<SyncPlan> PlanAsync(SideDeltas d1, SideDeltas d2, CancellationToken ct)
    {
        var plan = new SyncPlan();
        var handled = new HashSet<string>(StringComparer.Ordinal);
        foreach (var a in d1.Deltas)
        {
            if (d2.ByPath.TryGetValue(a.Path, out var b))
            {
                handled.Add(a.Path);
                if (b.IsDeleted)
                {
                    if (a.IsDeleted) continue; // deleted on both sides: nothing to do
                    QueueCopy1To2(plan, a.Path);   // changed on Path1, deleted on Path2: Path1 survives
                }
                else if (a.IsDeleted)
                {
                    QueueCopy2To1(plan, a.Path);   // changed on Path2, deleted on Path1: Path2 survives
                }
                else
                {
                    await ConflictAsync(plan, a.Path, ct).ConfigureAwait(false);
                }
                continue;
            }
            if (a.IsDeleted)
            {
                log.Info(Messages.Row("Path2", "Queue delete", Messages.ShowPath(path2.Root + a.Path)));
                plan.Delete2.Add(a.Path);
            }
            else
            {
                QueueCopy1To2(plan, a.Path);
            }
        }
        foreach (var b in d2.Deltas)
        {
            if (handled.Contains(b.Path)) continue;
            if (b.IsDeleted)
            {
                log.Info(Messages.Row("Path1", "Queue delete", Messages.ShowPath(path1.Root + b.Path)));
                plan.Delete1.Add(b.Path);
            }
            else
            {
                QueueCopy2To1(plan, b.Path);
            }
        }
        return plan;
    }

    private void QueueCopy1To2(SyncPlan plan, string path, LogLevel level = LogLevel.Info)
    {
        log.Write(level, Messages.Row("Path1", "Queue copy to Path2", Messages.ShowPath(path2.Root + path)));
        plan.Copy1To2.Add(path);
    }

    private void QueueCopy2To1(SyncPlan plan, string path, LogLevel level = LogLevel.Info)
    {
        log.Write(level, Messages.Row("Path2", "Queue copy to Path1", Messages.ShowPath(path1.Root + path)));
        plan.Copy2To1.Add(path);
    }

    private async Task<string> FreeNameAsync(string candidate, CancellationToken ct)
    {
        var name = candidate;
        for (var n = 2; await TakenAsync(name, ct).ConfigureAwait(false); n++) name = candidate + "-" + n;
        return name;
    }

    private async Task<bool> TakenAsync(string name, CancellationToken ct) =>
        await path1.StatAsync(name, ct).ConfigureAwait(false) is not null
        || await path2.StatAsync(name, ct).ConfigureAwait(false) is not null;

    private async Task ConflictAsync(SyncPlan plan, string path, CancellationToken ct)
    {
        log.Notice(Messages.Row("WARNING", "New or changed in both paths", Messages.ShowPath(path)));
        // rclone overwrites an older NAME..pathN; we never do: a taken name gets a number.
        var p1 = await FreeNameAsync(path + Path1Suffix, ct).ConfigureAwait(false);
        var p2 = await FreeNameAsync(path + Path2Suffix, ct).ConfigureAwait(false);
        log.Notice(Messages.Row("Path1", "Renaming Path1 copy", Messages.ShowPath(path1.Root + p1)));
        await transfers.RenameAsync(path1, path, p1, ct).ConfigureAwait(false);
        plan.Renamed1.Add((path, p1));
        QueueCopy1To2(plan, p1, LogLevel.Notice);
        log.Notice(Messages.Row("Path2", "Renaming Path2 copy", Messages.ShowPath(path2.Root + p2)));
        await transfers.RenameAsync(path2, path, p2, ct).ConfigureAwait(false);
        plan.Renamed2.Add((path, p2));
        QueueCopy2To1(plan, p2, LogLevel.Notice);
    }
}
