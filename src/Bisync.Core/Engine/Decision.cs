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
}

/// <summary>
/// One decision of the plan: the path, what was found on each side (<see cref="DeltaKind.None"/> for
/// no change), and what happens. Data only: deciding does no I/O; <see cref="Applier"/> carries it out.
/// </summary>
public sealed record Decision(string Path, DeltaKind On1, DeltaKind On2, DecisionKind Kind, string? Rename1 = null, string? Rename2 = null)
{
    public override string ToString() => Kind switch
    {
        DecisionKind.KeepBoth => $"{Path}: {Describe(On1)} on Path1, {Describe(On2)} on Path2 -> keep both as {Rename1} and {Rename2}",
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
