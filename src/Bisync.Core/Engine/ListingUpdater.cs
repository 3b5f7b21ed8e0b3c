using Bisync.Listing;
using Bisync.Storage;

namespace Bisync.Engine;

/// <summary>
/// Stage: the listings a run leaves behind. A side's new listing is its listing at the start of the
/// run, with every path this run touched on that side set to what the operation left there (read
/// back from the side when the operation did not say); a path whose operation failed, or was left
/// alone because it changed during the run, keeps its prior entry on both sides, so the next run
/// finds that change again. A path in <c>unlisted</c> leaves the listing (see <see cref="Applied.Unlisted"/>).
/// </summary>
public static class ListingUpdater
{
    /// <param name="prior">The side's prior listing (read only when <paramref name="keepPrior"/> is not empty).</param>
    /// <param name="otherPrior">The other side's prior listing: a kept path goes back into both listings only
    /// where both held it (else, a damaged listing could leave the two out of step), and out of both otherwise.</param>
    public static async Task<FileListing> UpdateAsync(IStorage storage, FileListing current, Func<FileListing> prior, Func<FileListing> otherPrior,
        IEnumerable<string> touched, IReadOnlyDictionary<string, StorageEntry?> done, ISet<string> keepPrior, CancellationToken ct,
        IReadOnlySet<string>? unlisted = null)
    {
        var removed = new List<string>();
        var set = new List<ListingEntry>();
        if (unlisted is not null)
            foreach (var path in unlisted)
                if (!keepPrior.Contains(path)) removed.Add(path);
        // A path touched twice (a conflict's rename and copy) is looked at twice, to the same end:
        // cheaper than an index of every path a resync touched.
        foreach (var path in touched)
        {
            if (keepPrior.Contains(path) || unlisted?.Contains(path) == true) continue;
            var e = done.TryGetValue(path, out var known) ? known : await storage.StatAsync(path, ct).ConfigureAwait(false);
            if (e is null || e.Value.IsDir) removed.Add(path);
            else set.Add(ListingEntry.From(e.Value));
        }
        if (keepPrior.Count > 0)
        {
            var before = prior();
            var other = otherPrior();
            foreach (var path in keepPrior)
            {
                if (before.TryGet(path, out var old) && other.Contains(path)) set.Add(old);
                else removed.Add(path);
            }
        }
        if (removed.Count == 0 && set.Count == 0) return current;
        return current.With(removed, set);
    }
}
