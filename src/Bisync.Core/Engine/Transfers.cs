using System.Collections.Concurrent;
using Bisync.Listing;
using Bisync.Logging;
using Bisync.Storage;

namespace Bisync.Engine;

/// <summary>
/// The outcome of a batch of operations: the paths that failed, with their error, and for the
/// paths that succeeded the entry now at the destination (null where the file is now gone).
/// </summary>
public sealed class OperationResults
{
    public ConcurrentDictionary<string, Exception> Failed { get; } = new(StringComparer.Ordinal);
    public ConcurrentDictionary<string, StorageEntry?> Done { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Paths left alone because the file about to be replaced or removed (or the file to copy) is no
    /// longer what this run listed: someone changed it during the run. Not a failure; both listings
    /// keep their prior entry, so the next run sees the change and decides again.
    /// </summary>
    public ConcurrentDictionary<string, string> Skipped { get; } = new(StringComparer.Ordinal);
    public bool Ok => Failed.IsEmpty;
    public Exception? FirstError => Failed.Values.FirstOrDefault();

    public void Add(OperationResults other)
    {
        foreach (var (k, v) in other.Failed) Failed[k] = v;
        foreach (var (k, v) in other.Done) Done[k] = v;
        foreach (var (k, v) in other.Skipped) Skipped[k] = v;
    }
}

/// <summary>
/// One file to copy. When the engine has just listed both sides it passes what it saw
/// (<paramref name="Known"/> true; <paramref name="Dst"/> null for a file absent there), which
/// spares two stat calls per file; otherwise the transfer looks.
/// </summary>
public readonly record struct CopyItem(string Path, StorageEntry? Src = null, StorageEntry? Dst = null, bool Known = false)
{
    public static implicit operator CopyItem(string path) => new(path);
}

/// <summary>
/// Copies, deletes and renames between the two sides, in parallel (--transfers), honouring
/// --dry-run and --size-only. Every copy is atomic on the destination (the backend's PutAsync).
/// </summary>
public sealed class Transfers(BisyncOptions options, Logger log)
{
    private readonly bool _dryRun = options.DryRun;

    /// <summary>What this run compares files by (--compare and the sync flags).</summary>
    public Comparison Compare { get; } = new(options);

    /// <summary>Where -P/--progress counts transfers, when asked for.</summary>
    public Progress? Progress { get; set; }

    /// <summary>
    /// Graceful shutdown: once cancelled, no transfer is started; the ones running go on until the
    /// run's own token is cancelled. Either way a path not done is <see cref="OperationResults.Skipped"/>
    /// ("interrupted"), so both listings keep its prior entry and the next run does it.
    /// </summary>
    public CancellationToken Stop { get; set; }

    private int _copies;

    /// <summary>--backup-dir: where a destination's file goes before it is overwritten or deleted (null: nowhere).</summary>
    public Func<IStorage, BackupDir?>? BackupFor { get; set; }

    /// <summary>Test seam (see <see cref="BisyncEngine.BeforeCopies"/>): awaited before each batch of copies starts.</summary>
    public Func<CancellationToken, Task>? BeforeBatch { get; set; }

    private bool Interrupted(string path, OperationResults results)
    {
        if (!Stop.IsCancellationRequested) return false;
        results.Skipped[path] = "interrupted";
        return true;
    }

    /// <summary>Whether <paramref name="dst"/> must be (re)written to equal <paramref name="src"/>.</summary>
    public bool NeedsCopy(StorageEntry src, StorageEntry? dst, long precisionNs)
    {
        if (dst is null) return true;
        if (!Compare.Legacy) return Compare.Differ(src, dst.Value, precisionNs);
        if (src.Size != dst.Value.Size) return true;
        if (options.SizeOnly) return false;
        if (options.Checksum && src.Hash is not null && dst.Value.Hash is not null && src.Hash != "-" && dst.Value.Hash != "-")
            return src.Hash != dst.Value.Hash;
        var diff = Math.Abs(src.ModTime - dst.Value.ModTime);
        return diff >= Compare.ToleranceNs(precisionNs);
    }

    public static long Precision(IStorage a, IStorage b) => Math.Max(a.Features.ModTimePrecisionNs, b.Features.ModTimePrecisionNs);

    /// <summary>Copies each path from <paramref name="src"/> to <paramref name="dst"/> where it differs.</summary>
    public Task<OperationResults> CopyAsync(IStorage src, IStorage dst, IReadOnlyList<CopyItem> items, CancellationToken ct) =>
        CopyAsync(src, dst, items, items.Count, items.Sum(i => i.Src?.Size ?? 0), ct);

    /// <summary>
    /// The same over items made as they are taken (a resync of millions of files need not hold
    /// them all); <paramref name="count"/> and <paramref name="bytes"/> are for the progress display.
    /// </summary>
    public async Task<OperationResults> CopyAsync(IStorage src, IStorage dst, IEnumerable<CopyItem> items, int count, long bytes, CancellationToken ct)
    {
        var results = new OperationResults();
        var precision = Precision(src, dst);
        if (BeforeBatch is not null && count > 0) await BeforeBatch(ct).ConfigureAwait(false);
        Progress?.Queued(count, bytes);
        // Where names are cheap to list (S3), the re-check of destinations listed as absent lists their folder,
        // one listing for as many files as there are copies at once: no look older than a stat per file's would be.
        var probe = dst.Capability<INameLister>() is { } names ? new AbsenceProbe(names, reuse: Math.Max(1, options.Transfers)) : null;
        await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Transfers), CancellationToken = Stop.CanBeCanceled ? default : ct },
            async (item, token) =>
            {
                var path = item.Path;
                token = ct;
                if (Interrupted(path, results)) return;
                try
                {
                    var (changed, source) = item.Known ? await ChangedSinceListingAsync(src, dst, item, token, probe).ConfigureAwait(false) : default;
                    if (changed is not null)
                    {
                        results.Skipped[path] = changed;
                        log.Notice($"{Messages.ShowPath(path)}: Not copied: {changed} since it was listed; left for the next run");
                    }
                    else
                    {
                        // Listed without its time (see IRecursiveLister): the copy carries the file's own, as the re-check just read it.
                        if (item.Src is { ModTime: StorageEntry.NoTime } untimed && source is { } timed)
                            item = item with { Src = timed with { Hash = Hasher.Known(timed.Hash) ? timed.Hash : untimed.Hash } };
                        var (entry, changedDuringCopy) = await CopyOneAsync(src, dst, item, precision, token).ConfigureAwait(false);
                        if (changedDuringCopy is not null)
                        {
                            results.Skipped[path] = changedDuringCopy;
                            log.Notice($"{Messages.ShowPath(path)}: Not copied: {changedDuringCopy} during the copy; left for the next run");
                        }
                        else if (entry is not null) results.Done[path] = entry;
                        if (Interlocked.Increment(ref _copies) == 1) await TestHook.AtAsync("after-first-copy", token).ConfigureAwait(false);
                    }
                    Progress?.Done(item.Src?.Size ?? 0);
                }
                catch (OperationCanceledException) when (Stop.IsCancellationRequested)
                {
                    results.Done.TryRemove(path, out _);
                    results.Skipped[path] = "interrupted";
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    results.Failed[path] = ex;
                    log.Error($"{Messages.ShowPath(path)}: Failed to copy: {ex.Message}");
                }
            }).ConfigureAwait(false);
        return results;
    }

    /// <summary>
    /// The re-check before a copy: the source must still be the file this run listed (else the copy
    /// would carry content the listing does not describe), and the destination must still be what
    /// was listed there, or still absent (else the copy would destroy a version nobody has seen).
    /// Changed is null when both are as listed, else what changed; Source is the source as found now.
    /// With a <paramref name="probe"/>, a destination listed as absent is looked for in a names listing
    /// of its folder (shared by a few files) instead.
    /// </summary>
    private static async Task<(string? Changed, StorageEntry? Source)> ChangedSinceListingAsync(IStorage src, IStorage dst, CopyItem item,
        CancellationToken ct, AbsenceProbe? probe = null)
    {
        var s = await src.StatAsync(item.Path, ct).ConfigureAwait(false);
        if (!SameAsListed(s, item.Src)) return ("the source changed", s);
        if (item.Dst is null && probe is not null && await probe.AbsentAsync(item.Path, ct).ConfigureAwait(false) is { } absent)
            return (absent ? null : "the destination appeared", s);
        var d = await dst.StatAsync(item.Path, ct).ConfigureAwait(false);
        if (!SameAsListed(d, item.Dst)) return (item.Dst is null ? "the destination appeared" : "the destination changed", s);
        return (null, s);
    }

    /// <summary>
    /// Whether a file found now is the one listed (both absent counts as the same): the same size, and
    /// the same time, or where the listing left the time out (<see cref="StorageEntry.NoTime"/>) the
    /// same checksum; a file whose checksum is not known then counts as changed.
    /// </summary>
    public static bool SameAsListed(StorageEntry? now, StorageEntry? listed) =>
        now is null || listed is null
            ? now is null && listed is null
            : !now.Value.IsDir && now.Value.Size == listed.Value.Size && SameVersion(now.Value, listed.Value);

    private static bool SameVersion(StorageEntry now, StorageEntry listed) =>
        now.ModTime != StorageEntry.NoTime && listed.ModTime != StorageEntry.NoTime
            ? now.ModTime == listed.ModTime
            : Hasher.Known(now.Hash) && now.Hash == listed.Hash;

    /// <summary>
    /// Copies one file if needed; returns the entry now at the destination (null in a dry run), or
    /// what changed when the last look before the copy took the destination's name found the source
    /// or the destination no longer as listed (then nothing was replaced).
    /// </summary>
    private async Task<(StorageEntry? Entry, string? Changed)> CopyOneAsync(IStorage src, IStorage dst, CopyItem item, long precision, CancellationToken ct)
    {
        var path = item.Path;
        var s = item.Known ? item.Src : await src.StatAsync(path, ct).ConfigureAwait(false);
        // Not known: Src is at most a hint, whose checksum holds while size and time are the same.
        if (!item.Known && s is { } now && !Hasher.Known(now.Hash) && item.Src is { } hint && Hasher.Known(hint.Hash)
            && hint.Size == now.Size && hint.ModTime == now.ModTime)
            s = now with { Hash = hint.Hash };
        if (s is null || s.Value.IsDir)
        {
            if (_dryRun) return (null, null); // e.g. a conflict copy whose rename was only pretended
            throw new FileNotFoundException($"source file not found: {src.Root}{path}");
        }
        var d = item.Known ? item.Dst : await dst.StatAsync(path, ct).ConfigureAwait(false);
        if (d is { IsDir: true }) throw new IOException($"destination is a directory: {dst.Root}{path}");
        if (d is not null && s.Value.Size == d.Value.Size && Compare.SyncTimeHashes(src, dst)
            && (!Hasher.Known(s.Value.Hash) || !Hasher.Known(d.Value.Hash)))
        {
            // --slow-hash-sync-only / --ignore-listing-checksum: the checksums the listings left out, for this decision only.
            s = s.Value with { Hash = s.Value.Hash is { } sh && Hasher.Known(sh) ? sh : await Hasher.HashOneAsync(src, path, ct).ConfigureAwait(false) };
            d = d.Value with { Hash = d.Value.Hash is { } dh && Hasher.Known(dh) ? dh : await Hasher.HashOneAsync(dst, path, ct).ConfigureAwait(false) };
        }
        if (!NeedsCopy(s.Value, d, precision)) return (d, null);
        if (_dryRun)
        {
            log.Notice($"{Messages.ShowPath(path)}: Skipped copy as --dry-run is set (size {s.Value.Size})");
            return (null, null);
        }
        var result = new StorageEntry(path, s.Value.Size, s.Value.ModTime, false, s.Value.Hash);
        if (!Compare.Legacy && d is { } same && Compare.Checksum && Hasher.Known(s.Value.Hash) && s.Value.Hash == same.Hash
            && s.Value.Size == same.Size && dst.Features.CanSetModTime)
        {
            // Checksums equal: as rclone's sync, only the destination's time is set.
            await dst.SetModTimeAsync(path, s.Value.ModTime, ct).ConfigureAwait(false);
            log.Info($"{Messages.ShowPath(path)}: Updated modification time in destination");
            return (result, null);
        }
        if (d is not null && d.Value.Size == s.Value.Size && dst.Features.CanSetModTime && !options.SizeOnly && (Compare.Legacy || Compare.ModTime)
            && await SameContentAsync(src, dst, path, s.Value.Size, ct).ConfigureAwait(false))
        {
            await dst.SetModTimeAsync(path, s.Value.ModTime, ct).ConfigureAwait(false);
            log.Info($"{Messages.ShowPath(path)}: Updated modification time in destination");
            return (result, null);
        }
        // The old destination goes to the backup folder first (moved away, so the last look below
        // would find it gone): with a backup, the re-check before the copy is the last one.
        var backedUp = false;
        if (d is not null && BackupFor?.Invoke(dst) is { } backup)
        {
            await backup.SaveAsync(path, ct).ConfigureAwait(false);
            backedUp = true;
        }
        // The last look, as the copy is about to take the destination's name (where the backend writes
        // under a temporary name first): a large copy takes long enough for a user to save either file.
        string? changed = null;
        CommitGuard? guard = item.Known && !backedUp
            ? async c => (changed = (await ChangedSinceListingAsync(src, dst, item, c).ConfigureAwait(false)).Changed) is null
            : null;
        try
        {
            var copied = (dst.Capability<IDirectCopier>() is { } direct
                    && await direct.TryCopyFromAsync(src, path, path, s.Value.ModTime, ct, guard).ConfigureAwait(false))
                || (src.Capability<IDirectSender>() is { } sender
                    && await sender.TryCopyToAsync(path, dst, path, s.Value.Size, s.Value.ModTime, ct, guard).ConfigureAwait(false));
            if (!copied)
            {
                await using var input = await src.OpenReadAsync(path, ct).ConfigureAwait(false);
                await dst.PutAsync(path, input, s.Value.Size, s.Value.ModTime, ct, guard).ConfigureAwait(false);
            }
        }
        catch (CommitRefusedException)
        {
            return (null, changed ?? "it changed");
        }
        catch (FileNotFoundException) when (item.Known)
        {
            // Deleted by a user between the re-check and the copy: the deletion is news for the next run.
            if (await src.StatAsync(path, ct).ConfigureAwait(false) is not null) throw;
            return (null, "the source was deleted");
        }
        log.Info($"{Messages.ShowPath(path)}: Copied ({(d is null ? "new" : "replaced existing")})");
        // A backend that keeps times coarser than ours (sftp: seconds) records what it kept.
        if (dst.Features.ModTimePrecisionNs > 1)
            return (await dst.StatAsync(path, ct).ConfigureAwait(false) is { IsDir: false } kept ? kept with { Hash = kept.Hash ?? s.Value.Hash } : result, null);
        return (result, null);
    }

    /// <summary>Small same-size files on two local disks: compare bytes instead of copying (as rclone compares hashes).</summary>
    private static async Task<bool> SameContentAsync(IStorage src, IStorage dst, string path, long size, CancellationToken ct)
    {
        if (!src.Features.IsLocal || !dst.Features.IsLocal || size > (4 << 20)) return false;
        await using var a = await src.OpenReadAsync(path, ct).ConfigureAwait(false);
        await using var b = await dst.OpenReadAsync(path, ct).ConfigureAwait(false);
        var bufA = new byte[(int)Math.Max(size, 1)];
        var bufB = new byte[bufA.Length];
        await a.ReadExactlyAsync(bufA.AsMemory(0, (int)size), ct).ConfigureAwait(false);
        await b.ReadExactlyAsync(bufB.AsMemory(0, (int)size), ct).ConfigureAwait(false);
        return bufA.AsSpan(0, (int)size).SequenceEqual(bufB.AsSpan(0, (int)size));
    }

    /// <param name="listed">This run's listing of <paramref name="storage"/>: a file is deleted only while it
    /// is still the one listed there (re-checked just before); null deletes whatever is there.</param>
    public async Task<OperationResults> DeleteAsync(IStorage storage, IReadOnlyList<string> paths, FileListing? listed, CancellationToken ct)
    {
        var results = new OperationResults();
        await Parallel.ForEachAsync(paths, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Transfers), CancellationToken = Stop.CanBeCanceled ? default : ct },
            async (path, token) =>
            {
                token = ct;
                if (Interrupted(path, results)) return;
                try
                {
                    var e = await storage.StatAsync(path, token).ConfigureAwait(false);
                    if (e is null || e.Value.IsDir) return; // already gone
                    if (listed is not null)
                    {
                        StorageEntry? was = listed.TryGet(path, out var l) ? l.ToStorageEntry() : null;
                        if (!SameAsListed(e, was))
                        {
                            var why = was is null ? "it is not in this run's listing of the side" : "it changed since it was listed";
                            results.Skipped[path] = why;
                            log.Notice($"{Messages.ShowPath(path)}: Not deleted: {why}; left for the next run");
                            return;
                        }
                    }
                    if (_dryRun)
                    {
                        log.Notice($"{Messages.ShowPath(path)}: Skipped delete as --dry-run is set (size {e.Value.Size})");
                        return;
                    }
                    if (BackupFor?.Invoke(storage) is { } backup)
                    {
                        await backup.SaveAsync(path, token).ConfigureAwait(false);
                        if (await storage.StatAsync(path, token).ConfigureAwait(false) is null)
                        {
                            results.Done[path] = null; // moved away: that was the delete
                            return;
                        }
                    }
                    await storage.DeleteAsync(path, token).ConfigureAwait(false);
                    results.Done[path] = null;
                    log.Info($"{Messages.ShowPath(path)}: Deleted");
                }
                catch (OperationCanceledException) when (Stop.IsCancellationRequested)
                {
                    results.Skipped[path] = "interrupted";
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    results.Failed[path] = ex;
                    log.Error($"{Messages.ShowPath(path)}: Failed to delete: {ex.Message}");
                }
            }).ConfigureAwait(false);
        return results;
    }

    /// <summary>Renames a file within one side (a conflict copy). In a dry run only says so.</summary>
    /// <summary>
    /// Renames <paramref name="from"/> to <paramref name="to"/> on one side; returns the entry now at
    /// <paramref name="to"/> (null in a dry run). Without a server-side move it copies then deletes, and
    /// the delete happens only while <paramref name="from"/> is still the file copied: a version saved
    /// there meanwhile stays, and the next run finds it as new.
    /// </summary>
    public async Task<StorageEntry?> RenameAsync(IStorage storage, string from, string to, CancellationToken ct)
    {
        var e = await storage.StatAsync(from, ct).ConfigureAwait(false) ?? throw new FileNotFoundException($"file not found: {storage.Root}{from}");
        if (_dryRun)
        {
            log.Notice($"{Messages.ShowPath(from)}: Skipped move as --dry-run is set (size {e.Size})");
            return null;
        }
        if (storage.Capability<IMover>() is { } mover)
        {
            await mover.MoveAsync(from, to, ct).ConfigureAwait(false);
            log.Info($"{Messages.ShowPath(from)}: Moved (server-side) to: {Messages.ShowPath(to)}");
            return await storage.StatAsync(to, ct).ConfigureAwait(false) ?? e with { Path = to };
        }
        await using (var input = await storage.OpenReadAsync(from, ct).ConfigureAwait(false))
        {
            await storage.PutAsync(to, input, e.Size, e.ModTime, ct).ConfigureAwait(false);
        }
        if (SameAsListed(await storage.StatAsync(from, ct).ConfigureAwait(false), e))
            await storage.DeleteAsync(from, ct).ConfigureAwait(false);
        else
            log.Notice($"{Messages.ShowPath(from)}: Not removed after copying it to {Messages.ShowPath(to)}: it changed meanwhile; left for the next run");
        log.Info($"{Messages.ShowPath(from)}: Moved to: {Messages.ShowPath(to)}");
        return e with { Path = to };
    }
}