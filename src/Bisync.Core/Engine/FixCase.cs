using Bisync.Listing;
using Bisync.Logging;
using Bisync.Storage;

namespace Bisync.Engine;

/// <summary>
/// Stage (--fix-case), after the safety checks and before the plan: where a file's two names differ
/// only by case or normalisation (a <see cref="NameMap"/> pair) and the file is about to be copied,
/// the destination is renamed to the source's name, as rclone's sync --fix-case does. The source is
/// the side that changed; changed on both, Path1 (so Path2 is renamed); in a resync, Path1. A pair
/// that did not change is left as it is. Each file is re-checked first: one that changed since it was
/// listed, or a name that is taken by another file meanwhile, is left alone (the pair stays matched).
/// </summary>
public static class FixCase
{
    public sealed record Result(FileListing Current1, SideDeltas? Deltas1, FileListing Current2, SideDeltas? Deltas2);

    /// <param name="deltas1">Null in a resync (every pair is renamed after Path1).</param>
    public static async Task<Result> RunAsync(NameMap map, FileListing current1, SideDeltas? deltas1, FileListing current2, SideDeltas? deltas2,
        IStorage path1, IStorage path2, Transfers transfers, Logger log, CancellationToken ct)
    {
        var renamed1 = new List<(string From, string To, StorageEntry Entry)>();
        var renamed2 = new List<(string From, string To, StorageEntry Entry)>();
        foreach (var (name1, name2) in map.Pairs.ToList())
        {
            var side = deltas1 is null || deltas2 is null ? 2 : Renamed(deltas1.ByPath.GetValueOrDefault(name1), deltas2.ByPath.GetValueOrDefault(name2));
            if (side == 0) continue;
            var (storage, listing, from, to) = side == 2 ? (path2, current2, name2, name1) : (path1, current1, name1, name2);
            var entry = await RenameAsync(storage, listing, from, to, transfers, log, ct).ConfigureAwait(false);
            if (entry is null) continue; // not done (dry run, or changed): the pair stays matched
            map.Remove(name1);
            (side == 2 ? renamed2 : renamed1).Add((from, to, entry.Value));
        }
        return new Result(Apply(current1, renamed1), Apply(deltas1, renamed1), Apply(current2, renamed2), Apply(deltas2, renamed2));
    }

    /// <summary>Which side's name goes (0: none): the destination of the copy the deltas call for.</summary>
    private static int Renamed(Delta d1, Delta d2)
    {
        bool Changed(Delta d) => d.Path is not null && !d.IsDeleted;
        if (Changed(d1)) return 2;
        if (Changed(d2)) return 1;
        return 0;
    }

    private static async Task<StorageEntry?> RenameAsync(IStorage storage, FileListing listing, string from, string to, Transfers transfers, Logger log,
        CancellationToken ct)
    {
        if (!listing.TryGet(from, out var listed)) return null;
        var now = await storage.StatAsync(from, ct).ConfigureAwait(false);
        if (now is null || !Transfers.SameAsListed(now, listed.ToStorageEntry()))
        {
            log.Notice($"{Messages.ShowPath(from)}: Not renamed to {Messages.ShowPath(to)}: it changed since it was listed; left for the next run");
            return null;
        }
        // The new name must be free, or (a file system that ignores case or normalisation) this same file.
        if (await storage.StatAsync(to, ct).ConfigureAwait(false) is { } there && (there.FileId == 0 || there.FileId != now.Value.FileId))
        {
            log.Notice($"{Messages.ShowPath(from)}: Not renamed to {Messages.ShowPath(to)}: that name is taken; left as it is");
            return null;
        }
        var entry = await transfers.RenameAsync(storage, from, to, ct).ConfigureAwait(false);
        if (entry is null) return null;
        log.Info($"{Messages.ShowPath(from)}: Fixed case by renaming to: {Messages.ShowPath(to)}");
        return entry.Value with { Path = to };
    }

    private static FileListing Apply(FileListing listing, List<(string From, string To, StorageEntry Entry)> renamed) =>
        renamed.Count == 0 ? listing : listing.With(renamed.Select(r => r.From), renamed.Select(r => ListingEntry.From(r.Entry) with { Hash = listing.TryGet(r.From, out var e) ? e.Hash : "-" }));

    private static SideDeltas? Apply(SideDeltas? deltas, List<(string From, string To, StorageEntry Entry)> renamed)
    {
        if (deltas is null || renamed.Count == 0) return deltas;
        var to = renamed.ToDictionary(r => r.From, r => r.To, StringComparer.Ordinal);
        var list = deltas.Deltas.Select(d => to.TryGetValue(d.Path, out var n) && !d.IsDeleted ? d with { Path = n } : d).ToList();
        // A deletion under the name the file now has again (it was renamed on that side before) is no deletion.
        var targets = new HashSet<string>(renamed.Select(r => r.To), StringComparer.Ordinal);
        list.RemoveAll(d => d.IsDeleted && targets.Contains(d.Path));
        list.Sort((a, b) => Text.GoOrdinalComparer.Instance.Compare(a.Path, b.Path));
        return new SideDeltas(deltas.Side, list, deltas.PriorCount);
    }
}
