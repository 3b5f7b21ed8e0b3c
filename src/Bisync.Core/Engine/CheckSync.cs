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
        foreach (var e in listing1.Entries)
        {
            if (!listing2.Contains(e.Path))
            {
                log.Error(Messages.Row("", "Path1 file not found in Path2", Messages.ShowPath(e.Path)));
                ok = false;
            }
        }
        foreach (var e in listing2.Entries)
        {
            if (!listing1.Contains(e.Path))
            {
                log.Error(Messages.Row("", "Path2 file not found in Path1", Messages.ShowPath(e.Path)));
                ok = false;
            }
        }
        return ok;
    }
}
