namespace Bisync.Engine;

/// <summary>The queues that applying the deltas produces: what to copy each way and what to delete on each side.</summary>
public sealed class SyncPlan
{
    public List<string> Copy1To2 { get; } = [];
    public List<string> Copy2To1 { get; } = [];
    public List<string> Delete1 { get; } = [];
    public List<string> Delete2 { get; } = [];

    /// <summary>Conflict renames already done on each side: (original, renamed).</summary>
    public List<(string From, string To)> Renamed1 { get; } = [];
    public List<(string From, string To)> Renamed2 { get; } = [];

    public bool IsEmpty => Copy1To2.Count == 0 && Copy2To1.Count == 0 && Delete1.Count == 0 && Delete2.Count == 0
        && Renamed1.Count == 0 && Renamed2.Count == 0;
}
