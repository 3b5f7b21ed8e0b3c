using Bisync.Listing;
using Bisync.Logging;
using Bisync.Storage;

namespace Bisync.Engine;

/// <summary>
/// Stage (--resync): make both sides agree without prior listings. Files only on Path2 are copied
/// to Path1 first (so nothing is lost), then Path1 is synced to Path2. Where a file differs on both
/// sides Path1 wins, unless --resync-mode names another winner (path2, newer, older, larger,
/// smaller; a tie goes to Path2, as in rclone, whose Path2-to-Path1 copy comes first): a Path2 winner
/// is copied to Path1 with the unique files. The loser is overwritten only while it is still the
/// version listed (the transfers re-check it).
/// </summary>
public sealed class Resync(BisyncOptions options, SessionNames names, IStorage path1, IStorage path2, Transfers transfers, Logger log)
{
    private bool V175 => options.Compat == Compat.V1_75;

    /// <summary>Returns what happened on Path1 (Path2 files copied) and on Path2 (the sync).</summary>
    public async Task<(OperationResults On1, OperationResults On2)> RunAsync(FileListing current1, FileListing current2, CancellationToken ct)
    {
        var precision = Transfers.Precision(path1, path2);
        var mode = options.ResyncMode;
        var rules = new ConflictRules(ModeRule(mode), ConflictNaming.Legacy, PrecisionNs: precision,
            ModTimes: Run.KeepsModTimes(path1) && Run.KeepsModTimes(path2));
        // rclone says why for the size and age rules (newer works as copy --update there, silently).
        var explain = mode is ResyncMode.Older or ResyncMode.Larger or ResyncMode.Smaller;
        var fallBack = mode is ResyncMode.Newer or ResyncMode.Older && !rules.ModTimes;
        if (fallBack) log.Notice($"--resync-mode {mode.ToString().ToLowerInvariant()} needs modification times on both sides: Path1 wins");

        // Path2's files for Path1: those only on Path2, and those Path2 wins.
        var copy2 = new List<ListingEntry>();
        var path1Wins = new List<string>();
        var whys = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (i, j) in FileListing.Align(current1, current2))
        {
            if (j < 0) continue;
            if (i < 0)
            {
                copy2.Add(current2[j]);
                continue;
            }
            if (mode is ResyncMode.None or ResyncMode.Path1 || fallBack) continue;
            var a = current1[i];
            var b = current2[j];
            if (!transfers.NeedsCopy(a.ToStorageEntry(), b.ToStorageEntry(), precision)) continue;
            var (winner, why) = Planner.Winner(rules, a, b);
            if (why is not null) whys[a.Path] = why;
            if (winner == 1) path1Wins.Add(a.Path);
            else copy2.Add(b);
        }

        log.Info(V175 ? "Copying Path2 files to Path1" : mode is ResyncMode.None or ResyncMode.Path1 ? "Copying unique Path2 files to Path1" : "Copying unique and winning Path2 files to Path1");
        if (V175) log.Info(Messages.Row("Path2", "Resync is copying files to", "Path1"));
        else foreach (var e in copy2) log.Info(Messages.Row("Path2", "Resync will copy to Path1", Messages.ShowPath(e.Path)));
        if (explain) foreach (var (p, why) in whys) log.Info($"{Messages.ShowPath(p)}: {why}");
        var on1 = new OperationResults();
        if (copy2.Count > 0)
        {
            if (options.NoCleanup && options.Compat == Compat.V1_60) QueueFiles.Write(names.Queue("resync-copy2to1"), copy2.Select(e => e.Path));
            if (!V175) log.Info(Messages.Row("Path2", "Resync is doing queued copies to", "Path1"));
            var items = copy2.Select(e => new CopyItem(e.Path, e.ToStorageEntry(),
                current1.TryGet(e.Path, out var there) ? there.ToStorageEntry() : null, Known: true)).ToList();
            on1 = await transfers.CopyAsync(path2, path1, items, ct).ConfigureAwait(false);
            // A file that changed on Path1 while the resync ran is not overwritten; the resync is not complete.
            foreach (var (p, why) in on1.Skipped)
                on1.Failed.TryAdd(p, new IOException($"{Messages.ShowPath(p)}: not copied, {why} since it was listed; run the resync again"));
            // A Path2 file that did not reach Path1 must not meet the sync below, which would delete or overwrite it.
            if (!on1.Ok) return (on1, new OperationResults());
        }
        if (V175 && on1.Done.IsEmpty) log.Info("There was nothing to transfer");

        log.Info(V175 ? Messages.Row("Path1", "Resync is copying files to", "Path2") : "Resynching Path1 to Path2");
        if (explain) foreach (var p in path1Wins) log.Info($"{Messages.ShowPath(p)}: {whys[p]}");
        // After the copies Path1 holds the union; in a dry run it still holds only its own files.
        var after1 = options.DryRun ? current1 : current1.With([], copy2.Where(e => on1.Done.ContainsKey(e.Path)));
        var won2 = new HashSet<string>(copy2.Select(e => e.Path), StringComparer.Ordinal);
        // One merge of the two sorted listings finds what Path2 lacks or holds otherwise (copied)
        // and what only Path2 holds (deleted). The copies are counted first and made one by one
        // as they are done, so a first sync of millions of files does not hold them all.
        IEnumerable<CopyItem> Copies()
        {
            foreach (var (i, j) in FileListing.Align(after1, current2))
            {
                if (i < 0) continue;
                var src = after1[i].ToStorageEntry();
                if (j >= 0 && won2.Contains(src.Path)) continue; // Path2's version stays (in a dry run Path1 still holds the other)
                StorageEntry? dst = j < 0 ? null : current2[j].ToStorageEntry();
                if (transfers.NeedsCopy(src, dst, precision)) yield return new CopyItem(src.Path, src, dst, Known: true);
            }
        }
        int copies = 0;
        long bytes = 0;
        foreach (var item in Copies())
        {
            copies++;
            bytes += item.Src!.Value.Size;
        }
        var toDelete = FileListing.Align(after1, current2).Where(x => x.A < 0).Select(x => current2.PathAt(x.B)).ToList();
        var on2 = copies > 0 ? await transfers.CopyAsync(path1, path2, Copies(), copies, bytes, ct).ConfigureAwait(false) : new OperationResults();
        if (toDelete.Count > 0) on2.Add(await transfers.DeleteAsync(path2, toDelete, current2, ct).ConfigureAwait(false));
        if (V175 && on1.Done.IsEmpty && on2.Done.IsEmpty) log.Info("There was nothing to transfer");
        return (on1, on2);
    }

    private static ConflictResolve ModeRule(ResyncMode m) => m switch
    {
        ResyncMode.Path2 => ConflictResolve.Path2,
        ResyncMode.Newer => ConflictResolve.Newer,
        ResyncMode.Older => ConflictResolve.Older,
        ResyncMode.Larger => ConflictResolve.Larger,
        ResyncMode.Smaller => ConflictResolve.Smaller,
        _ => ConflictResolve.Path1,
    };
}

/// <summary>Queue files: one Go-quoted path per line, kept in the working directory.</summary>
public static class QueueFiles
{
    public static void Write(string path, IEnumerable<string> items) => StateFile.WriteText(path, writer =>
    {
        foreach (var i in items)
        {
            writer.Write(Text.GoQuote.Quote(i));
            writer.Write('\n');
        }
    });
}
