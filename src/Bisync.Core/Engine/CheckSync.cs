using Bisync.Listing;
using Bisync.Logging;

namespace Bisync.Engine;

/// <summary>Stage (--check-sync): both listings must hold the same set of files.</summary>
public static class CheckSync
{
    public static bool Run(FileListing listing1, FileListing listing2, string root1, string root2, Logger log)
    {
        log.Info($"Validating listings for Path1 \"{root1}\" vs Path2 \"{root2}\"");
        var ok = true;
        // Both listings are sorted: one merge pass, no index of either.
        var missing2 = new List<string>();
        var missing1 = new List<string>();
        foreach (var (i, j) in FileListing.Align(listing1, listing2))
        {
            if (j < 0) missing2.Add(listing1.PathAt(i));
            else if (i < 0) missing1.Add(listing2.PathAt(j));
        }
        foreach (var p in missing2)
        {
            log.Error(Messages.Row("", "Path1 file not found in Path2", Messages.ShowPath(p)));
            ok = false;
        }
        foreach (var p in missing1)
        {
            log.Error(Messages.Row("", "Path2 file not found in Path1", Messages.ShowPath(p)));
            ok = false;
        }
        return ok;
    }
}
