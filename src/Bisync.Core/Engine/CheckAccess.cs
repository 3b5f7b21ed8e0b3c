using Bisync.Listing;
using Bisync.Logging;

namespace Bisync.Engine;

/// <summary>Stage (--check-access): the check files must be the same set on both sides, and not none.</summary>
public static class CheckAccess
{
    /// <summary>Returns true when access is healthy; logs what is wrong otherwise.</summary>
    public static bool Run(FileListing current1, FileListing current2, string checkFilename, Logger log)
    {
        log.Info("Checking access health");
        var set1 = Matching(current1, checkFilename);
        var set2 = Matching(current2, checkFilename);
        var ok = true;
        if (set1.Count == 0 || set1.Count != set2.Count)
        {
            log.Error($"Access test failed: Path1 count {set1.Count}, Path2 count {set2.Count} - {checkFilename}");
            ok = false;
        }
        foreach (var p in set1)
        {
            if (!set2.Contains(p))
            {
                log.Error(Messages.Row("", "Access test failed: Path1 file not found in Path2", Messages.ShowPath(p)));
                ok = false;
            }
        }
        foreach (var p in set2)
        {
            if (!set1.Contains(p))
            {
                log.Error(Messages.Row("", "Access test failed: Path2 file not found in Path1", Messages.ShowPath(p)));
                ok = false;
            }
        }
        if (ok) log.Info($"Found {set1.Count} matching \"{checkFilename}\" files on both paths");
        return ok;
    }

    private static SortedSet<string> Matching(FileListing listing, string name)
    {
        var set = new SortedSet<string>(Text.GoOrdinalComparer.Instance);
        foreach (var e in listing.Entries)
        {
            var slash = e.Path.LastIndexOf('/');
            if (e.Path.AsSpan(slash + 1).SequenceEqual(name)) set.Add(e.Path);
        }
        return set;
    }
}
