using Bisync.Filters;
using Bisync.Listing;
using Bisync.Logging;
using Bisync.Storage;

namespace Bisync.Engine;

/// <summary>One run of the pipeline over an opened, locked pair.</summary>
internal sealed class Run(BisyncOptions options, SessionNames names, IStorage path1, IStorage path2, IPathFilter filter, Logger log) : IDisposable
{
    private readonly Transfers _transfers = new(options, log)
    {
        Progress = options.Progress ? new Progress(log, options.ProgressInPlace) : null,
    };

    public void Dispose() => _transfers.Progress?.Dispose();

    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    /// <summary>Stage timings for -vv.</summary>
    private void Timing(string what)
    {
        if (!log.Enabled(LogLevel.Debug)) return;
        var gc = GC.GetGCMemoryInfo();
        log.Debug($"{what}: {_clock.ElapsedMilliseconds} ms, managed heap {GC.GetTotalMemory(false) >> 20} MiB (last GC {gc.HeapSizeBytes >> 20} MiB), RSS {Environment.WorkingSet >> 20} MiB");
    }

    public async Task ResyncAsync(CancellationToken ct)
    {
        var (current1, current2) = await ListBothAsync(ct).ConfigureAwait(false);
        WriteListing(names.NewListing1, current1);
        WriteListing(names.NewListing2, current2);
        var resync = new Resync(options, names, path1, path2, _transfers, log);
        var (copied1, synced2) = await resync.RunAsync(current1, current2, ct).ConfigureAwait(false);
        var firstError = copied1.FirstError ?? synced2.FirstError;
        if (firstError is not null)
            throw new CriticalException($"resync failed: {firstError.Message}");

        log.Info("Resync updating listings");
        FileListing final1 = current1, final2 = current2;
        if (!options.DryRun)
        {
            final1 = await ListingUpdater.UpdateAsync(path1, current1, () => current1, copied1.Done.Keys, copied1.Done, EmptySet, ct).ConfigureAwait(false);
            final2 = await ListingUpdater.UpdateAsync(path2, current2, () => current2, synced2.Done.Keys, synced2.Done, EmptySet, ct).ConfigureAwait(false);
        }
        WriteListing(names.Listing1, final1);
        WriteListing(names.Listing2, final2);
        SaveHashes(final1, final2);
        await RemoveEmptyDirsAsync(ct).ConfigureAwait(false);
        Cleanup();
    }

    private static readonly HashSet<string> EmptySet = [];

    public async Task NormalAsync(CancellationToken ct)
    {
        if (!File.Exists(names.RealListing1) || !File.Exists(names.RealListing2))
            throw new CriticalException("cannot find prior Path1 or Path2 listings, likely due to critical error on prior run");
        if (options.DryRun)
        {
            File.Copy(names.RealListing1, names.Listing1, overwrite: true);
            File.Copy(names.RealListing2, names.Listing2, overwrite: true);
        }
        // Both sides are listed at the same time; each prior listing is streamed through the
        // delta merge and never held in memory (it is read again only if a transfer fails).
        Timing("start");
        var list1 = Task.Run(() => ListSideAsync(1, ct), ct);
        var list2 = Task.Run(() => ListSideAsync(2, ct), ct);

        // Each side's .lst-new is written in the background; whatever ends this stage, no
        // listing is left half-written behind the run.
        Task write1 = Task.CompletedTask, write2 = Task.CompletedTask;
        FileListing current1, current2;
        SideDeltas deltas1, deltas2;
        try
        {
            log.Info("Path1 checking for diffs");
            current1 = await AwaitListing(list1, "Path1").ConfigureAwait(false);
            Timing($"listed Path1 ({current1.Count} files)");
            var listed1 = current1;
            write1 = Task.Run(() => WriteListing(names.NewListing1, listed1), ct);
            if (current1.Count == 0) EmptyAbort("Path1", names.NewListing1);
            deltas1 = FindDeltas("Path1", names.Listing1, current1, path1);

            log.Info("Path2 checking for diffs");
            current2 = await AwaitListing(list2, "Path2").ConfigureAwait(false);
            Timing($"listed Path2 ({current2.Count} files)");
            var listed2 = current2;
            write2 = Task.Run(() => WriteListing(names.NewListing2, listed2), ct);
            if (current2.Count == 0) EmptyAbort("Path2", names.NewListing2);
            deltas2 = FindDeltas("Path2", names.Listing2, current2, path2);
            await Task.WhenAll(write1, write2).ConfigureAwait(false);
        }
        finally
        {
            await Task.WhenAll(write1, write2).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }
        Timing("found deltas");

        if (!options.Force)
        {
            TooManyDeletes(deltas1, path1);
            TooManyDeletes(deltas2, path2);
            AllChanged(deltas1, path1);
            AllChanged(deltas2, path2);
        }

        if (options.CheckAccess && !CheckAccess.Run(current1, current2, options.CheckFilename, log))
            throw new CriticalException("check file check failed");

        FileListing final1, final2;
        var failed = false;
        if (deltas1.Count == 0 && deltas2.Count == 0)
        {
            log.Info("No changes found");
            final1 = current1;
            final2 = current2;
        }
        else
        {
            log.Info("Applying changes");
            var reconciler = new DeltaReconciler(path1, path2, _transfers, log);
            var plan = await reconciler.PlanAsync(deltas1, deltas2, ct).ConfigureAwait(false);
            SaveQueues(plan);
            var on1 = new OperationResults();
            var on2 = new OperationResults();
            if (plan.Copy2To1.Count > 0)
            {
                log.Info(Messages.Row("Path2", "Do queued copies to", "Path1"));
                on1.Add(await _transfers.CopyAsync(path2, path1, Items(plan.Copy2To1, current2, current1, plan.Renamed2), ct).ConfigureAwait(false));
            }
            if (plan.Copy1To2.Count > 0)
            {
                log.Info(Messages.Row("Path1", "Do queued copies to", "Path2"));
                on2.Add(await _transfers.CopyAsync(path1, path2, Items(plan.Copy1To2, current1, current2, plan.Renamed1), ct).ConfigureAwait(false));
            }
            if (plan.Delete1.Count > 0)
            {
                log.Info(Messages.Row("", "Do queued deletes on", "Path1"));
                on1.Add(await _transfers.DeleteAsync(path1, plan.Delete1, ct).ConfigureAwait(false));
            }
            if (plan.Delete2.Count > 0)
            {
                log.Info(Messages.Row("", "Do queued deletes on", "Path2"));
                on2.Add(await _transfers.DeleteAsync(path2, plan.Delete2, ct).ConfigureAwait(false));
            }
            // A failed operation on a path is failed for both listings: both keep their prior entry.
            var failedPaths = new HashSet<string>(on1.Failed.Keys.Concat(on2.Failed.Keys), StringComparer.Ordinal);
            failed = failedPaths.Count > 0;

            if (options.DryRun)
            {
                final1 = current1;
                final2 = current2;
            }
            else
            {
                var touched1 = plan.Copy2To1.Concat(plan.Delete1).Concat(plan.Renamed1.SelectMany(r => new[] { r.From, r.To }));
                var touched2 = plan.Copy1To2.Concat(plan.Delete2).Concat(plan.Renamed2.SelectMany(r => new[] { r.From, r.To }));
                final1 = await ListingUpdater.UpdateAsync(path1, current1, () => BisyncEngine.ReadListing(names.Listing1), touched1, on1.Done, failedPaths, ct).ConfigureAwait(false);
                final2 = await ListingUpdater.UpdateAsync(path2, current2, () => BisyncEngine.ReadListing(names.Listing2), touched2, on2.Done, failedPaths, ct).ConfigureAwait(false);
            }
        }

        Timing("applied changes");
        log.Info("Updating listings");
        // Where nothing changed on a side, its listing is the .lst-new just written: copy, not format again.
        await Task.WhenAll(
            Task.Run(() => WriteOrCopy(names.Listing1, final1, current1, names.NewListing1), ct),
            Task.Run(() => WriteOrCopy(names.Listing2, final2, current2, names.NewListing2), ct)).ConfigureAwait(false);
        SaveHashes(final1, final2);
        Timing("wrote listings");
        if (failed)
            throw new AbortException("Bisync failed: some transfers failed; the listings keep those files as before, so the next run tries them again", "transfers failed");

        if (options.CheckSync == CheckSyncMode.True && !options.DryRun)
        {
            if (!CheckSync.Run(final1, final2, path1.Root, path2.Root, log))
                throw new CriticalException("path1 and path2 are out of sync, run --resync to recover");
        }
        await RemoveEmptyDirsAsync(ct).ConfigureAwait(false);
        Cleanup();
    }

    /// <summary>
    /// The copies of a queue with what the listings just saw on both sides; a conflict copy was
    /// renamed since, so it is looked at afresh.
    /// </summary>
    private static List<CopyItem> Items(List<string> paths, FileListing from, FileListing to, List<(string From, string To)> renamed)
    {
        var renamedTo = new HashSet<string>(renamed.Select(r => r.To), StringComparer.Ordinal);
        var items = new List<CopyItem>(paths.Count);
        foreach (var p in paths)
        {
            if (renamedTo.Contains(p)) { items.Add(new CopyItem(p)); continue; }
            StorageEntry? s = from.TryGet(p, out var a) ? new StorageEntry(p, a.Size, a.ModTime, false, a.Hash) : null;
            StorageEntry? d = to.TryGet(p, out var b) ? new StorageEntry(p, b.Size, b.ModTime, false, b.Hash) : null;
            items.Add(new CopyItem(p, s, d, Known: true));
        }
        return items;
    }

    private async Task<FileListing> AwaitListing(Task<FileListing> task, string side)
    {
        try
        {
            return await task.ConfigureAwait(false);
        }
        catch (DirectoryNotFoundException ex)
        {
            throw new UserException($"{side}: {ex.Message}", 3);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new AbortException($"{side}: error listing: {ex.Message}", "error listing " + side);
        }
    }

    private void EmptyAbort(string side, string listingPath)
    {
        log.Error($"Empty current {side} listing. Cannot sync to an empty directory: {listingPath}");
        throw new CriticalException($"empty current {side} listing: {listingPath}");
    }

    private void TooManyDeletes(SideDeltas d, IStorage storage)
    {
        if (d.PriorCount == 0 || d.Deleted == 0) return;
        var percent = 100.0 * d.Deleted / d.PriorCount;
        if (percent > options.MaxDelete)
            throw new AbortException(
                $"Safety abort: too many deletes (>{options.MaxDelete}%, {d.Deleted} of {d.PriorCount}) on {d.Side} \"{storage.Root}\". Run with --force if desired.",
                "too many deletes");
    }

    private static void AllChanged(SideDeltas d, IStorage storage)
    {
        if (d.PriorCount > 0 && d.ChangedPrior >= d.PriorCount)
            throw new AbortException(
                $"Safety abort: all files were changed on {d.Side} \"{storage.Root}\". Run with --force if desired.",
                "all files were changed");
    }

    private async Task<(FileListing, FileListing)> ListBothAsync(CancellationToken ct)
    {
        var t1 = Task.Run(() => ListSideAsync(1, ct), ct);
        var t2 = Task.Run(() => ListSideAsync(2, ct), ct);
        var l1 = await AwaitListing(t1, "Path1").ConfigureAwait(false);
        var l2 = await AwaitListing(t2, "Path2").ConfigureAwait(false);
        return (l1, l2);
    }

    private SideDeltas FindDeltas(string side, string priorFile, FileListing current, IStorage storage)
    {
        try
        {
            try
            {
                return DeltaFinder.Find(side, ListingFile.Stream(priorFile), current, storage.Features.ModTimePrecisionNs, log, options.Checksum);
            }
            catch (DeltaFinder.NotSortedException)
            {
                // A listing edited by hand: read it whole and sort it.
                return DeltaFinder.Find(side, ListingFile.Read(priorFile), current, storage.Features.ModTimePrecisionNs, log, options.Checksum);
            }
        }
        catch (ListingFormatException ex)
        {
            throw new CriticalException(ex.Message);
        }
    }

    private HashCache? _hashes1, _hashes2;

    /// <summary>Lists one side; with --checksum also gives every file its MD5 (cached between runs).</summary>
    private async Task<FileListing> ListSideAsync(int side, CancellationToken ct)
    {
        var storage = side == 1 ? path1 : path2;
        if (!options.Checksum) return await TreeLister.ListAsync(storage, filter, options.Checkers, ct).ConfigureAwait(false);
        var listing = await TreeLister.ListAsync(storage, filter, options.Checkers, ct, null, fileIds: true).ConfigureAwait(false);
        var cache = side == 1 ? _hashes1 ??= new HashCache(names.Hashes1) : _hashes2 ??= new HashCache(names.Hashes2);
        var (hashed, read) = await Hasher.HashAsync(storage, listing, cache, options.Checkers, ct).ConfigureAwait(false);
        if (side == 1) _read1 = read; else _read2 = read;
        return hashed;
    }

    private int _read1, _read2;

    private void SaveHashes(FileListing final1, FileListing final2)
    {
        if (options.DryRun) return;
        _hashes1?.Save(final1, _read1);
        _hashes2?.Save(final2, _read2);
    }

    private void WriteOrCopy(string path, FileListing final, FileListing current, string currentFile)
    {
        if (ReferenceEquals(final, current) && File.Exists(currentFile))
        {
            File.Copy(currentFile, path + ".tmp", overwrite: true);
            File.Move(path + ".tmp", path, overwrite: true);
        }
        else
        {
            WriteListing(path, final);
        }
    }

    private void WriteListing(string path, FileListing listing) => ListingFile.Write(path, listing, options.LocalTime);

    private void SaveQueues(SyncPlan plan)
    {
        if (!options.NoCleanup) return;
        void Save(string name, List<string> items)
        {
            if (items.Count > 0) QueueFiles.Write(names.Queue(name), items);
        }
        Save("copy1to2", plan.Copy1To2);
        Save("copy2to1", plan.Copy2To1);
        Save("delete1", plan.Delete1);
        Save("delete2", plan.Delete2);
    }

    private async Task RemoveEmptyDirsAsync(CancellationToken ct)
    {
        if (!options.RemoveEmptyDirs) return;
        log.Info("Removing empty directories");
        foreach (var storage in new[] { path1, path2 })
        {
            if (!storage.Features.CanHaveEmptyDirectories) continue;
            var dirs = new List<string>();
            var files = await TreeLister.ListAsync(storage, IncludeAllFilter.Instance, options.Checkers, ct, dirs).ConfigureAwait(false);
            var nonEmpty = new HashSet<string>(StringComparer.Ordinal);
            foreach (var f in files.Entries) MarkParents(f.Path, nonEmpty);
            foreach (var d in dirs)
            {
                // A directory with a subdirectory that stays is not empty either.
                if (dirs.Any(x => x.StartsWith(d + "/", StringComparison.Ordinal) && nonEmpty.Contains(x))) nonEmpty.Add(d);
            }
            foreach (var d in dirs.Where(x => !nonEmpty.Contains(x)).OrderByDescending(x => x.Length))
            {
                if (!filter.IsEmpty && !filter.IncludeDirectory(d)) continue;
                if (options.DryRun)
                {
                    log.Notice($"{Messages.ShowPath(d)}: Skipped remove directory as --dry-run is set");
                    continue;
                }
                try
                {
                    await storage.RmdirAsync(d, ct).ConfigureAwait(false);
                    log.Info($"{Messages.ShowPath(d)}: Removing directory");
                }
                catch (IOException ex)
                {
                    log.Error($"{Messages.ShowPath(d)}: Failed to remove directory: {ex.Message}");
                }
            }
        }
    }

    private static void MarkParents(string path, HashSet<string> set)
    {
        var slash = path.LastIndexOf('/');
        while (slash > 0)
        {
            var parent = path[..slash];
            if (!set.Add(parent)) return;
            slash = parent.LastIndexOf('/');
        }
    }

    private void Cleanup()
    {
        if (options.NoCleanup) return;
        foreach (var f in new[] { names.NewListing1, names.NewListing2 })
        {
            try { File.Delete(f); } catch (IOException) { }
        }
        if (options.DryRun)
        {
            foreach (var f in new[] { names.Listing1, names.Listing2 })
            {
                try { File.Delete(f); } catch (IOException) { }
            }
        }
    }
}
