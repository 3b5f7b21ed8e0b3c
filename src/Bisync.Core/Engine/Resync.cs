using Bisync.Listing;
using Bisync.Logging;
using Bisync.Storage;

namespace Bisync.Engine;

/// <summary>
/// Stage (--resync): make both sides agree without prior listings. Files only on Path2 are copied
/// to Path1 first (so nothing is lost), then Path1 is synced to Path2 (Path1 wins where both differ).
/// </summary>
public sealed class Resync(BisyncOptions options, SessionNames names, IStorage path1, IStorage path2, Transfers transfers, Logger log)
{
    /// <summary>Returns what happened on Path1 (unique Path2 files copied) and on Path2 (the sync).</summary>
    public async Task<(OperationResults On1, OperationResults On2)> RunAsync(FileListing current1, FileListing current2, CancellationToken ct)
    {
        log.Info("Copying unique Path2 files to Path1");
        var unique2 = FileListing.Align(current1, current2).Where(x => x.A < 0).Select(x => current2[x.B]).ToList();
        foreach (var e in unique2) log.Info(Messages.Row("Path2", "Resync will copy to Path1", Messages.ShowPath(e.Path)));
        var on1 = new OperationResults();
        if (unique2.Count > 0)
        {
            if (options.NoCleanup && options.Compat == Compat.V1_60) QueueFiles.Write(names.Queue("resync-copy2to1"), unique2.Select(e => e.Path));
            log.Info(Messages.Row("Path2", "Resync is doing queued copies to", "Path1"));
            var items = unique2.Select(e => new CopyItem(e.Path, e.ToStorageEntry(), null, Known: true)).ToList();
            on1 = await transfers.CopyAsync(path2, path1, items, ct).ConfigureAwait(false);
            // A Path2 file that did not reach Path1 must not meet the sync below, which would delete it.
            if (!on1.Ok) return (on1, new OperationResults());
        }

        log.Info("Resynching Path1 to Path2");
        // After the copies Path1 holds the union; in a dry run it still holds only its own files.
        var after1 = options.DryRun ? current1 : current1.With([], unique2.Where(e => on1.Done.ContainsKey(e.Path)));
        var precision = Transfers.Precision(path1, path2);
        // One merge of the two sorted listings finds what Path2 lacks or holds otherwise (copied)
        // and what only Path2 holds (deleted). The copies are counted first and made one by one
        // as they are done, so a first sync of millions of files does not hold them all.
        IEnumerable<CopyItem> Copies()
        {
            foreach (var (i, j) in FileListing.Align(after1, current2))
            {
                if (i < 0) continue;
                var src = after1[i].ToStorageEntry();
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
        return (on1, on2);
    }
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
