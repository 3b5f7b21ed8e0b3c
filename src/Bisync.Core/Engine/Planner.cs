using Bisync.Listing;

namespace Bisync.Engine;

/// <summary>
/// What the plan needs to settle a conflict (a file new or changed on both sides): the rule that
/// picks a winner, how losers are named, and this run's listings of both sides (read only).
/// </summary>
/// <param name="ModTimes">Whether both sides keep modification times (else newer/older fall back to none).</param>
public sealed record ConflictRules(ConflictResolve Resolve, ConflictNaming Naming, FileListing? Current1 = null, FileListing? Current2 = null,
    long PrecisionNs = 1, bool ModTimes = true)
{
    /// <summary>rclone v1.60.1's: no winner, both kept as NAME..path1 and NAME..path2.</summary>
    public static readonly ConflictRules Legacy = new(ConflictResolve.None, ConflictNaming.Legacy);

    /// <summary>
    /// rclone v1.66+ (comparing by time): a file changed on both sides that is the same on both but for
    /// its time is copied from the newer side, so both get that time (no rename).
    /// </summary>
    public bool UpdateEqualTimes { get; init; }
}

/// <summary>
/// Stage: decide, per changed path, what happens (rclone bisync's normal and unusual sync checks).
/// A change on one side is copied to the other; a deletion on one side is deleted on the other;
/// a deletion against a change keeps the changed file; changes on both sides are a conflict:
/// settled by <see cref="ConflictRules"/> (by default both versions kept, renamed, on both sides;
/// only --conflict-loser delete drops a version). A pure function of its inputs: it reads and writes nothing.
/// </summary>
public static class Planner
{
    /// <param name="taken">Whether a name is in use on either side, as far as the listings know
    /// (conflict names avoid them; the apply stage checks the storage again before renaming).</param>
    /// <param name="equal">Whether a path changed on both sides now holds the same file on both: then
    /// nothing is to be done (rclone v1.66+, and --recover). Null: never.</param>
    /// <param name="rules">How conflicts are settled; null: rclone v1.60.1's way.</param>
    public static SyncPlan Decide(SideDeltas d1, SideDeltas d2, Func<string, bool> taken, Func<string, bool>? equal = null, ConflictRules? rules = null)
    {
        rules ??= ConflictRules.Legacy;
        var decisions = new List<Decision>(d1.Count + d2.Count);
        var handled = new HashSet<string>(StringComparer.Ordinal);
        foreach (var a in d1.Deltas)
        {
            if (d2.ByPath.TryGetValue(a.Path, out var b))
            {
                handled.Add(a.Path);
                decisions.Add(!a.IsDeleted && !b.IsDeleted && equal is not null && equal(a.Path)
                    ? new Decision(a.Path, a.Kind, b.Kind, EqualButTime(a.Path, rules)) { Equal = true }
                    : Both(a, b, taken, rules));
                continue;
            }
            decisions.Add(new Decision(a.Path, a.Kind, DeltaKind.None, a.IsDeleted ? DecisionKind.DeleteOnPath2 : DecisionKind.CopyToPath2));
        }
        foreach (var b in d2.Deltas)
        {
            if (handled.Contains(b.Path)) continue;
            decisions.Add(new Decision(b.Path, DeltaKind.None, b.Kind, b.IsDeleted ? DecisionKind.DeleteOnPath1 : DecisionKind.CopyToPath1));
        }
        return new SyncPlan(decisions);
    }

    /// <summary>An equal file: nothing to do, or (<see cref="ConflictRules.UpdateEqualTimes"/>) the newer side's copied for its time.</summary>
    private static DecisionKind EqualButTime(string path, ConflictRules rules)
    {
        if (!rules.UpdateEqualTimes || !rules.ModTimes || rules.Current1 is null || rules.Current2 is null
            || !rules.Current1.TryGet(path, out var e1) || !rules.Current2.TryGet(path, out var e2)) return DecisionKind.None;
        var diff = e1.ModTime - e2.ModTime;
        if (Math.Abs(diff) < Math.Max(rules.PrecisionNs, 1)) return DecisionKind.None;
        return diff < 0 ? DecisionKind.CopyToPath1 : DecisionKind.CopyToPath2;
    }

    private static Decision Both(Delta a, Delta b, Func<string, bool> taken, ConflictRules rules)
    {
        if (a.IsDeleted && b.IsDeleted) return new Decision(a.Path, a.Kind, b.Kind, DecisionKind.None);
        if (b.IsDeleted) return new Decision(a.Path, a.Kind, b.Kind, DecisionKind.CopyToPath2); // Path1's change survives
        if (a.IsDeleted) return new Decision(a.Path, a.Kind, b.Kind, DecisionKind.CopyToPath1); // Path2's change survives

        ListingEntry? e1 = rules.Current1 is not null && rules.Current1.TryGet(a.Path, out var x1) ? x1 : null;
        ListingEntry? e2 = rules.Current2 is not null && rules.Current2.TryGet(a.Path, out var x2) ? x2 : null;
        var (winner, why) = Winner(rules, e1, e2);
        var naming = rules.Naming;
        if (winner == 0)
        {
            // No winner: both kept, each renamed to a name free on both sides (rclone overwrites an
            // older NAME..pathN; we never do). --conflict-loser delete drops nothing without a winner.
            var both = naming.ForKeepBoth;
            var r1 = both.FirstFree(a.Path, 1, taken, null);
            var r2 = both.FirstFree(a.Path, 2, taken, r1);
            return new Decision(a.Path, a.Kind, b.Kind, DecisionKind.KeepBoth, r1, r2)
            {
                Why = why, Resolving = rules.Resolve != ConflictResolve.None,
            };
        }
        var loser = 3 - winner;
        string? rename = naming.Loser == ConflictLoser.Delete ? null : naming.FirstFree(a.Path, loser, taken, null);
        return new Decision(a.Path, a.Kind, b.Kind, DecisionKind.Resolved, loser == 1 ? rename : null, loser == 2 ? rename : null)
        {
            Winner = winner, Why = why, Resolving = true,
        };
    }

    /// <summary>The winning side (0: none) under the rule, and what the comparison found, as rclone words it.</summary>
    public static (int Winner, string? Why) Winner(ConflictRules rules, ListingEntry? a, ListingEntry? b)
    {
        switch (rules.Resolve)
        {
            case ConflictResolve.Path1: return (1, null);
            case ConflictResolve.Path2: return (2, null);
            case ConflictResolve.Newer or ConflictResolve.Older:
            {
                if (a is null || b is null) return (0, null);
                if (!rules.ModTimes) return (0, "Winner cannot be determined as a side does not keep modification times");
                var diff = a.Value.ModTime - b.Value.ModTime;
                var shown = $"Path1: {GoTime.Show(a.Value.ModTime)}, Path2: {GoTime.Show(b.Value.ModTime)}, Difference: {GoTime.Duration(Math.Abs(diff))}";
                if (Math.Abs(diff) < Math.Max(rules.PrecisionNs, 1)) return (0, "Winner cannot be determined as times are equal. " + shown);
                var newer = diff > 0 ? 1 : 2;
                var w = rules.Resolve == ConflictResolve.Newer ? newer : 3 - newer;
                return (w, $"Path{w} is {(rules.Resolve == ConflictResolve.Newer ? "newer" : "older")}. " + shown);
            }
            case ConflictResolve.Larger or ConflictResolve.Smaller:
            {
                if (a is null || b is null) return (0, null);
                var diff = a.Value.Size - b.Value.Size;
                var shown = $"Path1: {a.Value.Size}, Path2: {b.Value.Size}, Difference: {Math.Abs(diff)}";
                if (diff == 0) return (0, "Winner cannot be determined as sizes are equal. " + shown);
                var larger = diff > 0 ? 1 : 2;
                var w = rules.Resolve == ConflictResolve.Larger ? larger : 3 - larger;
                return (w, $"Path{w} is {(rules.Resolve == ConflictResolve.Larger ? "larger" : "smaller")}. " + shown);
            }
            default: return (0, null);
        }
    }
}
