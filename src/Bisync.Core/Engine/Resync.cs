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
    public async Task<OperationResults> RunAsync(FileListing current1, FileListing current2, CancellationToken ct)
    {
        log.Info("Copying unique Path2 files to Path1");
        var unique2 = current2.Entries.Where(e => !current1.Contains(e.Path)).Select(e => e.Path).ToList();
        foreach (var p in unique2) log.Info(Messages.Row("Path2", "Resync will copy to Path1", Messages.ShowPath(p)));
        var failed = new HashSet<string>(StringComparer.Ordinal);
        Exception? first = null;
        if (unique2.Count > 0)
        {
            if (options.NoCleanup) QueueFiles.Write(names.Queue("resync-copy2to1"), unique2);
            log.Info(Messages.Row("Path2", "Resync is doing queued copies to", "Path1"));
            var r = await transfers.CopyAsync(path2, path1, unique2, ct).ConfigureAwait(false);
            Merge(r);
        }

        log.Info("Resynching Path1 to Path2");
        // After the copies Path1 holds the union; in a dry run it still holds only its own files.
        var after1 = options.DryRun ? current1 : current1.With([], unique2.Where(p => !failed.Contains(p)).Select(p => current2.TryGet(p, out var e) ? e : default));
        var toCopy = new List<string>();
        var precision = Transfers.Precision(path1, path2);
        foreach (var e in after1.Entries)
        {
            var dst = current2.TryGet(e.Path, out var d) ? new StorageEntry(d.Path, d.Size, d.ModTime, false) : (StorageEntry?)null;
            if (transfers.NeedsCopy(new StorageEntry(e.Path, e.Size, e.ModTime, false), dst, precision)) toCopy.Add(e.Path);
        }
        var toDelete = current2.Entries.Where(e => !after1.Contains(e.Path)).Select(e => e.Path).ToList();
        if (toCopy.Count > 0) Merge(await transfers.CopyAsync(path1, path2, toCopy, ct).ConfigureAwait(false));
        if (toDelete.Count > 0) Merge(await transfers.DeleteAsync(path2, toDelete, ct).ConfigureAwait(false));

        var results = new OperationResults();
        if (first is not null) foreach (var f in failed) results.Failed[f] = first;
        return results;

        void Merge(OperationResults r)
        {
            foreach (var (k, v) in r.Failed) { failed.Add(k); first ??= v; }
        }
    }
}

/// <summary>Queue files: one Go-quoted path per line, kept in the working directory.</summary>
public static class QueueFiles
{
    public static void Write(string path, IEnumerable<string> items)
    {
        using var writer = new StreamWriter(path, false, new System.Text.UTF8Encoding(false));
        foreach (var i in items)
        {
            writer.Write(Text.GoQuote.Quote(i));
            writer.Write('\n');
        }
    }
}
