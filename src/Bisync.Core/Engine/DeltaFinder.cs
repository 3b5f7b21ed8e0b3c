using Bisync.Listing;
using Bisync.Logging;

namespace Bisync.Engine;

[Flags]
public enum DeltaKind
{
    None = 0,
    New = 1,
    Newer = 2,
    Older = 4,
    Size = 8,
    Deleted = 16,
    Hash = 32,
}

/// <summary>What changed on one side for one file since the prior run.</summary>
public readonly record struct Delta(string Path, DeltaKind Kind)
{
    public bool IsDeleted => (Kind & DeltaKind.Deleted) != 0;
    public bool IsNew => (Kind & DeltaKind.New) != 0;
}

/// <summary>The changes found on one side, in Go byte order of path.</summary>
public sealed class SideDeltas
{
    public SideDeltas(string side, List<Delta> deltas, int priorCount)
    {
        Side = side;
        Deltas = deltas;
        PriorCount = priorCount;
        ByPath = new Dictionary<string, Delta>(deltas.Count, StringComparer.Ordinal);
        foreach (var d in deltas) ByPath[d.Path] = d;
    }

    public string Side { get; }
    public List<Delta> Deltas { get; }
    public Dictionary<string, Delta> ByPath { get; }
    public int PriorCount { get; }
    public int Count => Deltas.Count;
    public int New => Deltas.Count(d => (d.Kind & DeltaKind.New) != 0);
    public int Newer => Deltas.Count(d => (d.Kind & DeltaKind.Newer) != 0);
    public int Older => Deltas.Count(d => (d.Kind & DeltaKind.Older) != 0);
    public int Deleted => Deltas.Count(d => (d.Kind & DeltaKind.Deleted) != 0);

    /// <summary>Prior files that were changed or deleted (new files are not prior files).</summary>
    public int ChangedPrior => Deltas.Count(d => (d.Kind & DeltaKind.New) == 0);
}

/// <summary>Stage: compare a side's prior listing with its current one (a merge of two sorted lists).</summary>
public static class DeltaFinder
{
    /// <param name="precisionNs">The side's modification-time precision: smaller differences are no change.</param>
    /// <param name="checksum">Compare MD5s where both listings have them: same content is no change, whatever the time.</param>
    /// <param name="compare">rclone v1.75's comparison (--compare ...); null or legacy: v1.60.1's.</param>
    public static SideDeltas Find(string side, FileListing prior, FileListing current, long precisionNs, Logger log, bool checksum = false,
        Comparison? compare = null) =>
        Find(side, prior.Entries, current, precisionNs, log, checksum, compare);

    /// <summary>
    /// The same over a prior listing read as a stream (it is never held in memory); the stream
    /// must be in Go byte order, as rclone and we write listings, else <see cref="NotSortedException"/>.
    /// </summary>
    public static SideDeltas Find(string side, IEnumerable<ListingEntry> prior, FileListing current, long precisionNs, Logger log, bool checksum = false,
        Comparison? compare = null)
    {
        if (compare is { Legacy: true }) compare = null;
        var deltas = new List<Delta>();
        var count = current.Count;
        var j = 0;
        // The current entry, made once (a listing makes entries on demand).
        var now = count > 0 ? current[0] : default;
        void Next() => now = ++j < count ? current[j] : default;
        var priorCount = 0;
        string? last = null;
        var cmp = Text.GoOrdinalComparer.Instance;
        foreach (var a in prior)
        {
            priorCount++;
            if (last is not null && cmp.Compare(last, a.Path) >= 0) throw new NotSortedException();
            last = a.Path;
            while (j < count && cmp.Compare(now.Path, a.Path) < 0)
            {
                deltas.Add(new Delta(now.Path, DeltaKind.New));
                Next();
            }
            if (j < count && now.Path == a.Path)
            {
                var kind = compare is null
                    ? Compare(a, now, precisionNs, checksum)
                    : compare.Delta(a.Size, a.ModTime, a.Hash, now.Size, now.ModTime, now.Hash, precisionNs);
                if (kind != DeltaKind.None) deltas.Add(new Delta(now.Path, kind));
                Next();
            }
            else
            {
                deltas.Add(new Delta(a.Path, DeltaKind.Deleted));
            }
        }
        for (; j < count; Next()) deltas.Add(new Delta(now.Path, DeltaKind.New));
        var result = new SideDeltas(side, deltas, priorCount);
        Report(result, log);
        return result;
    }

    /// <summary>A prior listing that is not in Go byte order cannot be merged as a stream.</summary>
    public sealed class NotSortedException() : Exception("listing is not sorted");

    private static DeltaKind Compare(in ListingEntry prior, in ListingEntry now, long precisionNs, bool checksum)
    {
        var hashed = checksum && prior.Hash != "-" && now.Hash != "-";
        if (hashed && prior.Size == now.Size && prior.Hash == now.Hash) return DeltaKind.None;
        if (prior.ModTime == ListingFile.NoTime || now.ModTime == ListingFile.NoTime)
            return prior.Size >= 0 && now.Size >= 0 && prior.Size != now.Size ? DeltaKind.Size : hashed ? DeltaKind.Hash : DeltaKind.None;
        var diff = now.ModTime - prior.ModTime;
        var tolerance = Math.Max(precisionNs, 1) - 1;
        if (diff > tolerance) return DeltaKind.Newer;
        if (diff < -tolerance) return DeltaKind.Older;
        // Same time but another size: rclone v1.60.1 misses this change; we report it.
        if (prior.Size >= 0 && now.Size >= 0 && prior.Size != now.Size) return DeltaKind.Size;
        return hashed ? DeltaKind.Hash : DeltaKind.None;
    }

    public static string Describe(DeltaKind kind) => kind switch
    {
        DeltaKind.New => "File is new",
        DeltaKind.Newer => "File is newer",
        DeltaKind.Older => "File is OLDER",
        DeltaKind.Size => "File size differs",
        DeltaKind.Deleted => "File was deleted",
        DeltaKind.Hash => "File hash differs",
        _ => "File changed",
    };

    private static void Report(SideDeltas d, Logger log)
    {
        if (d.Count == 0) return;
        if (log.Enabled(LogLevel.Info))
        {
            // rclone groups them: new, newer, older, size, deleted; each group in path order.
            foreach (var kind in new[] { DeltaKind.New, DeltaKind.Newer, DeltaKind.Older, DeltaKind.Size, DeltaKind.Hash, DeltaKind.Deleted })
            {
                foreach (var x in d.Deltas)
                {
                    if (x.Kind == kind) log.Info(Messages.Row(d.Side, Describe(kind), Messages.ShowPath(x.Path)));
                }
            }
        }
        log.Info($"{d.Side}:  {d.Count,3} changes:  {d.New,3} new,  {d.Newer,3} newer,  {d.Older,3} older,  {d.Deleted,3} deleted");
    }
}
