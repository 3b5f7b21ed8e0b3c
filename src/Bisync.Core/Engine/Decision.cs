namespace Bisync.Engine;

/// <summary>What the plan does with one changed path.</summary>
public enum DecisionKind
{
    /// <summary>Deleted on both sides: nothing to do.</summary>
    None,
    /// <summary>Path1's version is copied to Path2 (new or changed on Path1, or changed on Path1 and deleted on Path2).</summary>
    CopyToPath2,
    /// <summary>Path2's version is copied to Path1.</summary>
    CopyToPath1,
    /// <summary>Deleted on Path2, unchanged on Path1: deleted on Path1.</summary>
    DeleteOnPath1,
    /// <summary>Deleted on Path1, unchanged on Path2: deleted on Path2.</summary>
    DeleteOnPath2,
    /// <summary>
    /// New or changed on both sides: each side's version is renamed (<see cref="Decision.Rename1"/>,
    /// <see cref="Decision.Rename2"/>) and copied to the other side, so both are kept on both.
    /// </summary>
    KeepBoth,
    /// <summary>
    /// New or changed on both sides, and --conflict-resolve picked <see cref="Decision.Winner"/>: the
    /// loser is renamed (its new name in Rename1 or Rename2, and copied across) or, with
    /// --conflict-loser delete, deleted; the winner is copied over the loser's place.
    /// </summary>
    Resolved,
}

/// <summary>
/// One decision of the plan: the path, what was found on each side (<see cref="DeltaKind.None"/> for
/// no change), and what happens. Data only: deciding does no I/O; <see cref="Applier"/> carries it out.
/// </summary>
public sealed record Decision(string Path, DeltaKind On1, DeltaKind On2, DecisionKind Kind, string? Rename1 = null, string? Rename2 = null)
{
    /// <summary>The winning side of a <see cref="DecisionKind.Resolved"/> conflict (1 or 2; 0 otherwise).</summary>
    public int Winner { get; init; }

    /// <summary>What comparing the two versions found (rclone's wording), for the log; null when nothing was compared.</summary>
    public string? Why { get; init; }

    /// <summary>A --conflict-resolve rule was applied (so the log says whether it found a winner).</summary>
    public bool Resolving { get; init; }

    /// <summary>Changed on both sides, but the two are the same now: not a conflict, nothing to do.</summary>
    public bool Equal { get; init; }

    /// <summary>The loser of a resolved conflict is deleted (--conflict-loser delete), not renamed.</summary>
    public bool DeletesLoser => Kind == DecisionKind.Resolved && Rename1 is null && Rename2 is null;

    public override string ToString() => Kind switch
    {
        DecisionKind.KeepBoth => $"{Path}: {Describe(On1)} on Path1, {Describe(On2)} on Path2 -> keep both as {Rename1} and {Rename2}",
        DecisionKind.Resolved => $"{Path}: {Describe(On1)} on Path1, {Describe(On2)} on Path2 -> Path{Winner} wins, loser "
            + (DeletesLoser ? "deleted" : "kept as " + (Rename1 ?? Rename2)),
        DecisionKind.None when Equal => $"{Path}: {Describe(On1)} on Path1, {Describe(On2)} on Path2 -> equal, nothing to do",
        _ => $"{Path}: {Describe(On1)} on Path1, {Describe(On2)} on Path2 -> {Kind}",
    };

    private static string Describe(DeltaKind k) => k == DeltaKind.None ? "unchanged" : k.ToString().ToLowerInvariant();
}

/// <summary>The decisions of a run, in the order rclone reports them (Path1's changes, then Path2's).</summary>
public sealed class SyncPlan(IReadOnlyList<Decision> decisions)
{
    public IReadOnlyList<Decision> Decisions { get; } = decisions;
    public bool IsEmpty => Decisions.All(d => d.Kind == DecisionKind.None);
}
