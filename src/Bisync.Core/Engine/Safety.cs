using Bisync.Logging;

namespace Bisync.Engine;

/// <summary>Stage: the safety aborts between finding the deltas and deciding on them.</summary>
public static class Safety
{
    /// <summary>An empty side is never synced (it would delete everything on the other).</summary>
    public static void NotEmpty(string side, int count, string listingPath, Logger log)
    {
        if (count > 0) return;
        log.Error($"Empty current {side} listing. Cannot sync to an empty directory: {listingPath}");
        throw new CriticalException($"empty current {side} listing: {listingPath}");
    }

    /// <summary>--max-delete and the all-files-changed check, each side; --force skips both.</summary>
    public static void Check(BisyncOptions options, SideDeltas d1, string root1, SideDeltas d2, string root2)
    {
        if (options.Force) return;
        TooManyDeletes(options.MaxDelete, d1, root1);
        TooManyDeletes(options.MaxDelete, d2, root2);
        AllChanged(d1, root1);
        AllChanged(d2, root2);
    }

    private static void TooManyDeletes(int maxDelete, SideDeltas d, string root)
    {
        if (d.PriorCount == 0 || d.Deleted == 0) return;
        var percent = 100.0 * d.Deleted / d.PriorCount;
        if (percent > maxDelete)
            throw new AbortException(
                $"Safety abort: too many deletes (>{maxDelete}%, {d.Deleted} of {d.PriorCount}) on {d.Side} \"{root}\". Run with --force if desired.",
                "too many deletes");
    }

    private static void AllChanged(SideDeltas d, string root)
    {
        if (d.PriorCount > 0 && d.ChangedPrior >= d.PriorCount)
            throw new AbortException(
                $"Safety abort: all files were changed on {d.Side} \"{root}\". Run with --force if desired.",
                "all files were changed");
    }
}
