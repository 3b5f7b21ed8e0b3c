using Bisync.Listing;
using Bisync.Logging;

namespace Bisync.Engine;

/// <summary>
/// --recover: which pair of listings a run starts from after an interrupted or failed run.
///
/// A run with --recover writes its two final listings with the same header time, so a pair is
/// whole when both files exist and their first lines are equal; a run cut off between the two
/// writes leaves a pair whose headers differ. Before it changes anything, the run copies its
/// prior pair to <c>.lst-old</c> (the last known good pair); the <c>.lst</c> pair is only
/// replaced at the end. So whatever moment a run is killed at, one of the two pairs is whole
/// and describes the sides as they were at a successful run's end, or later:
/// <list type="bullet">
/// <item>killed while copying to .lst-old: the .lst pair is untouched;</item>
/// <item>killed while listing, copying, deleting: both pairs are the prior state; what the run
///   already did shows up next time as the same change on both sides (no action: the files are
///   equal) or as a change on one side (done again);</item>
/// <item>killed between the two final writes: .lst is torn, .lst-old is whole.</item>
/// </list>
/// Choice, first that fits: a whole .lst pair, a whole .lst-old pair, a whole .lst-err pair (a
/// critical error renamed it), then any .lst, .lst-old or .lst-err pair that exists.
/// </summary>
public static class Recovery
{
    public static string Old(string listing) => listing + "-old";

    /// <summary>The pair to start from when it is not the .lst pair (null: the .lst pair, or nothing found).</summary>
    public static (string, string)? ChoosePrior(SessionNames names, Logger log)
    {
        var real = (names.RealListing1, names.RealListing2);
        var old = (Old(names.RealListing1), Old(names.RealListing2));
        var err = (names.ErrListing1, names.ErrListing2);
        foreach (var (pair, whole) in new[] { (real, true), (old, true), (err, true), (real, false), (old, false), (err, false) })
        {
            if (!(whole ? Whole(pair) : Exists(pair))) continue;
            if (pair == real) return null;
            log.Notice($"Recovering from the last good listings {Path.GetFileName(pair.Item1)} and {Path.GetFileName(pair.Item2)} (--recover)");
            return pair;
        }
        return null;
    }

    /// <summary>
    /// rclone v1.75's default: every run starts by copying each prior listing (.lst) that exists to
    /// .lst-old (in a dry run .lst-dry-old), so the last known good listings stay beside the new ones.
    /// </summary>
    public static void KeepPrevious(SessionNames names)
    {
        foreach (var (real, working) in new[] { (names.RealListing1, names.Listing1), (names.RealListing2, names.Listing2) })
            if (File.Exists(real)) StateFile.Copy(real, Old(working));
    }

    /// <summary>Copies a whole .lst pair to .lst-old, unless .lst-old already is that pair.</summary>
    public static void KeepLastGood(SessionNames names, Logger log)
    {
        var real = (names.RealListing1, names.RealListing2);
        var old = (Old(names.RealListing1), Old(names.RealListing2));
        if (!Whole(real)) return; // never replace a whole backup with a torn pair
        if (Whole(old) && Header(old.Item1) == Header(real.Item1)) return;
        CopyPair(real, old);
        log.Debug($"kept the last good listings as {Path.GetFileName(old.Item1)} and {Path.GetFileName(old.Item2)}");
    }

    /// <summary>Each file copied to a temporary name, then renamed into place.</summary>
    public static void CopyPair((string, string) from, (string, string) to)
    {
        StateFile.Copy(from.Item1, to.Item1);
        StateFile.Copy(from.Item2, to.Item2);
    }

    private static bool Exists((string, string) pair) => File.Exists(pair.Item1) && File.Exists(pair.Item2);

    /// <summary>Both files there, each starting with a listing header, the two headers equal.</summary>
    public static bool Whole((string, string) pair)
    {
        if (!Exists(pair)) return false;
        var h1 = Header(pair.Item1);
        return h1 is not null && h1.StartsWith(ListingFile.HeaderPrefix, StringComparison.Ordinal) && h1 == Header(pair.Item2);
    }

    private static string? Header(string path)
    {
        try
        {
            using var reader = new StreamReader(path);
            return reader.ReadLine();
        }
        catch (IOException)
        {
            return null;
        }
    }
}
