using System.Collections.Concurrent;
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
    public bool Ok => Failed.IsEmpty;
    public Exception? FirstError => Failed.Values.FirstOrDefault();

    public void Add(OperationResults other)
    {
        foreach (var (k, v) in other.Failed) Failed[k] = v;
        foreach (var (k, v) in other.Done) Done[k] = v;
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

    /// <summary>Where -P/--progress counts transfers, when asked for.</summary>
    public Progress? Progress { get; set; }

    /// <summary>Whether <paramref name="dst"/> must be (re)written to equal <paramref name="src"/>.</summary>
    public bool NeedsCopy(StorageEntry src, StorageEntry? dst, long precisionNs)
    {
        if (dst is null) return true;
        if (src.Size != dst.Value.Size) return true;
        if (options.SizeOnly) return false;
        if (options.Checksum && src.Hash is not null && dst.Value.Hash is not null && src.Hash != "-" && dst.Value.Hash != "-")
            return src.Hash != dst.Value.Hash;
        var diff = Math.Abs(src.ModTime - dst.Value.ModTime);
        return diff >= Math.Max(precisionNs, 1);
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
        Progress?.Queued(count, bytes);
        await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Transfers), CancellationToken = ct },
            async (item, token) =>
            {
                var path = item.Path;
                try
                {
                    var entry = await CopyOneAsync(src, dst, item, precision, token).ConfigureAwait(false);
                    if (entry is not null) results.Done[path] = entry;
                    Progress?.Done(item.Src?.Size ?? entry?.Size ?? 0);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    results.Failed[path] = ex;
                    log.Error($"{Messages.ShowPath(path)}: Failed to copy: {ex.Message}");
                }
            }).ConfigureAwait(false);
        return results;
    }

    /// <summary>Copies one file if needed; returns the entry now at the destination (null in a dry run).</summary>
    private async Task<StorageEntry?> CopyOneAsync(IStorage src, IStorage dst, CopyItem item, long precision, CancellationToken ct)
    {
        var path = item.Path;
        var s = item.Known ? item.Src : await src.StatAsync(path, ct).ConfigureAwait(false);
        if (s is null || s.Value.IsDir)
        {
            if (_dryRun) return null; // e.g. a conflict copy whose rename was only pretended
            throw new FileNotFoundException($"source file not found: {src.Root}{path}");
        }
        var d = item.Known ? item.Dst : await dst.StatAsync(path, ct).ConfigureAwait(false);
        if (d is { IsDir: true }) throw new IOException($"destination is a directory: {dst.Root}{path}");
        if (!NeedsCopy(s.Value, d, precision)) return d;
        if (_dryRun)
        {
            log.Notice($"{Messages.ShowPath(path)}: Skipped copy as --dry-run is set (size {s.Value.Size})");
            return null;
        }
        var result = new StorageEntry(path, s.Value.Size, s.Value.ModTime, false, s.Value.Hash);
        if (d is not null && d.Value.Size == s.Value.Size && dst.Features.CanSetModTime && !options.SizeOnly
            && await SameContentAsync(src, dst, path, s.Value.Size, ct).ConfigureAwait(false))
        {
            await dst.SetModTimeAsync(path, s.Value.ModTime, ct).ConfigureAwait(false);
            log.Info($"{Messages.ShowPath(path)}: Updated modification time in destination");
            return result;
        }
        var copied = dst.Capability<IDirectCopier>() is { } direct
            && await direct.TryCopyFromAsync(src, path, path, s.Value.ModTime, ct).ConfigureAwait(false);
        if (!copied)
        {
            await using var input = await src.OpenReadAsync(path, ct).ConfigureAwait(false);
            await dst.PutAsync(path, input, s.Value.Size, s.Value.ModTime, ct).ConfigureAwait(false);
        }
        log.Info($"{Messages.ShowPath(path)}: Copied ({(d is null ? "new" : "replaced existing")})");
        // A backend that keeps times coarser than ours (sftp: seconds) records what it kept.
        if (dst.Features.ModTimePrecisionNs > 1)
            return await dst.StatAsync(path, ct).ConfigureAwait(false) is { IsDir: false } kept ? kept with { Hash = kept.Hash ?? s.Value.Hash } : result;
        return result;
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

    public async Task<OperationResults> DeleteAsync(IStorage storage, IReadOnlyList<string> paths, CancellationToken ct)
    {
        var results = new OperationResults();
        await Parallel.ForEachAsync(paths, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Transfers), CancellationToken = ct },
            async (path, token) =>
            {
                try
                {
                    var e = await storage.StatAsync(path, token).ConfigureAwait(false);
                    if (e is null || e.Value.IsDir) return; // already gone
                    if (_dryRun)
                    {
                        log.Notice($"{Messages.ShowPath(path)}: Skipped delete as --dry-run is set (size {e.Value.Size})");
                        return;
                    }
                    await storage.DeleteAsync(path, token).ConfigureAwait(false);
                    results.Done[path] = null;
                    log.Info($"{Messages.ShowPath(path)}: Deleted");
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
    public async Task RenameAsync(IStorage storage, string from, string to, CancellationToken ct)
    {
        var e = await storage.StatAsync(from, ct).ConfigureAwait(false) ?? throw new FileNotFoundException($"file not found: {storage.Root}{from}");
        if (_dryRun)
        {
            log.Notice($"{Messages.ShowPath(from)}: Skipped move as --dry-run is set (size {e.Size})");
            return;
        }
        if (storage.Capability<IMover>() is { } mover)
        {
            await mover.MoveAsync(from, to, ct).ConfigureAwait(false);
            log.Info($"{Messages.ShowPath(from)}: Moved (server-side) to: {Messages.ShowPath(to)}");
            return;
        }
        await using (var input = await storage.OpenReadAsync(from, ct).ConfigureAwait(false))
        {
            await storage.PutAsync(to, input, e.Size, e.ModTime, ct).ConfigureAwait(false);
        }
        await storage.DeleteAsync(from, ct).ConfigureAwait(false);
        log.Info($"{Messages.ShowPath(from)}: Moved to: {Messages.ShowPath(to)}");
    }
}
