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
        var a = listing1.Entries;
        var b = listing2.Entries;
        var cmp = Text.GoOrdinalComparer.Instance;
        var missing2 = new List<string>();
        var missing1 = new List<string>();
        int i = 0, j = 0;
        while (i < a.Count || j < b.Count)
        {
            var c = i >= a.Count ? 1 : j >= b.Count ? -1 : cmp.Compare(a[i].Path, b[j].Path);
            if (c < 0) missing2.Add(a[i++].Path);
            else if (c > 0) missing1.Add(b[j++].Path);
            else { i++; j++; }
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
