namespace Bisync.Engine;

/// <summary>
/// Stage: decide, per changed path, what happens (rclone bisync's normal and unusual sync checks).
/// A change on one side is copied to the other; a deletion on one side is deleted on the other;
/// a deletion against a change keeps the changed file; changes on both sides keep both versions,
/// renamed to NAME..path1 and NAME..path2 on both sides. Nothing is ever lost.
/// A pure function of the deltas: it reads and writes nothing.
/// </summary>
public static class Planner
{
    public const string Path1Suffix = "..path1";
    public const string Path2Suffix = "..path2";

    /// <param name="taken">Whether a name is in use on either side, as far as the listings know
    /// (conflict names avoid them; the apply stage checks the storage again before renaming).</param>
    /// <param name="equal">Whether a path changed on both sides now holds the same file on both (rclone
    /// v1.66's equality check, used with --recover): then nothing is to be done. Null: never.</param>
    public static SyncPlan Decide(SideDeltas d1, SideDeltas d2, Func<string, bool> taken, Func<string, bool>? equal = null)
    {
        var decisions = new List<Decision>(d1.Count + d2.Count);
        var handled = new HashSet<string>(StringComparer.Ordinal);
        foreach (var a in d1.Deltas)
        {
            if (d2.ByPath.TryGetValue(a.Path, out var b))
            {
                handled.Add(a.Path);
                decisions.Add(!a.IsDeleted && !b.IsDeleted && equal is not null && equal(a.Path)
                    ? new Decision(a.Path, a.Kind, b.Kind, DecisionKind.None)
                    : Both(a, b, taken));
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

    private static Decision Both(Delta a, Delta b, Func<string, bool> taken)
    {
        if (a.IsDeleted && b.IsDeleted) return new Decision(a.Path, a.Kind, b.Kind, DecisionKind.None);
        if (b.IsDeleted) return new Decision(a.Path, a.Kind, b.Kind, DecisionKind.CopyToPath2); // Path1's change survives
        if (a.IsDeleted) return new Decision(a.Path, a.Kind, b.Kind, DecisionKind.CopyToPath1); // Path2's change survives
        // rclone overwrites an older NAME..pathN; we never do: a taken name gets a number.
        var r1 = FreeName(a.Path + Path1Suffix, taken, null);
        var r2 = FreeName(a.Path + Path2Suffix, taken, r1);
        return new Decision(a.Path, a.Kind, b.Kind, DecisionKind.KeepBoth, r1, r2);
    }

    /// <summary><paramref name="candidate"/>, or candidate-2, -3 … the first that is free.</summary>
    public static string FreeName(string candidate, Func<string, bool> taken, string? alsoTaken)
    {
        var name = candidate;
        for (var n = 2; taken(name) || name == alsoTaken; n++) name = candidate + "-" + n;
        return name;
    }
}
