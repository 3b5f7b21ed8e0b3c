using Bisync.Filters;
using Bisync.Listing;
using Bisync.Logging;
using Bisync.Storage;

namespace Bisync.Engine;

/// <summary>
/// One run of the pipeline over an opened, locked pair. A normal run reads top to bottom:
/// list both sides → find deltas → safety checks → plan → apply → update listings → write
/// listings → check sync → remove empty dirs.
/// </summary>
internal sealed class Run : IDisposable
{
    private readonly BisyncOptions _options;
    private readonly IStorage _path1, _path2;
    private readonly IPathFilter _filter;
    private readonly Logger _log;
    private readonly SessionNames _names;
    private readonly WorkdirListings _listings;
    private readonly SideLister _side1, _side2;
    private readonly Transfers _transfers;
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    public Run(BisyncOptions options, SessionNames names, IStorage path1, IStorage path2, IPathFilter filter, Logger log)
    {
        _options = options;
        _names = names;
        _path1 = path1;
        _path2 = path2;
        _filter = filter;
        _log = log;
        _listings = new WorkdirListings(names, options);
        _side1 = new SideLister(path1, filter, options, names.Hashes1, log);
        _side2 = new SideLister(path2, filter, options, names.Hashes2, log);
        _transfers = new Transfers(options, log) { Progress = options.Progress ? new Progress(log, options.ProgressInPlace) : null };
    }

    public void Dispose() => _transfers.Progress?.Dispose();

    /// <summary>--backup-dir1/2: each side's backup folder (null: none).</summary>
    public (BackupDir? For1, BackupDir? For2) Backups
    {
        init => _transfers.BackupFor = s => ReferenceEquals(s, _path1) ? value.For1 : ReferenceEquals(s, _path2) ? value.For2
            : s is AliasedStorage a && ReferenceEquals(a.Inner, _path2) ? value.For2?.ForNames(a.Real) : null;
    }

    /// <summary>Graceful shutdown (SIGINT/SIGTERM): start no more transfers, keep the listings consistent, stop.</summary>
    public CancellationToken Stop
    {
        get => _transfers.Stop;
        init => _transfers.Stop = value;
    }

    /// <summary>The test seam of <see cref="BisyncEngine.BeforeCopies"/>.</summary>
    public Func<CancellationToken, Task>? BeforeCopies
    {
        get => _transfers.BeforeBatch;
        init => _transfers.BeforeBatch = value;
    }

    private void StopIfAsked(string what)
    {
        if (Stop.IsCancellationRequested)
            throw new AbortException($"Bisync interrupted by a signal: {what}", "interrupted") { Interrupted = true };
    }

    public async Task NormalAsync(CancellationToken ct)
    {
        LogComparison();
        var prior = _options.Recover ? Recovery.ChoosePrior(_names, _log) : null;
        _listings.RequirePrior(prior);
        if (_options.Recover && !_options.DryRun) Recovery.KeepLastGood(_names, _log);
        var (current1, deltas1, current2, deltas2) = await ListAndFindDeltasAsync(ct).ConfigureAwait(false);
        Timing("found deltas");
        await TestHook.AtAsync("after-listing", ct).ConfigureAwait(false);
        StopIfAsked("nothing was changed");
        await CleanTemporariesAsync(ct).ConfigureAwait(false);

        Safety.Check(_options, deltas1, _path1.Root, deltas2, _path2.Root);
        if (_options.CheckAccess && !CheckAccess.Run(current1, current2, _options.CheckFilename, _log))
            throw new CriticalException("check file check failed") { LessSerious = true };
        // rclone v1.75 keeps the prior listings as .lst-old once the run passed its checks.
        if (_options.Compat == Compat.V1_75 && !_options.Recover) Recovery.KeepPrevious(_names);

        // Names that differ only by case or normalisation (rclone v1.66+): from here on the engine
        // works in Path1's names and sees Path2 through them (NameMatching).
        var (listed1, listed2) = (current1, current2);
        var names = MatchNames(current1, current2, deltas1, deltas2);
        if (names is { Count: > 0 } && _options.FixCase)
            (current1, deltas1, current2, deltas2) = await FixNamesAsync(names, current1, deltas1, current2, deltas2, ct).ConfigureAwait(false);
        var view2 = names?.ToCanonical(current2) ?? current2;
        if (names is not null) deltas2 = names.ToCanonical(deltas2);
        IStorage side2 = names is { Count: > 0 } ? new AliasedStorage(_path2, names) : _path2;

        FileListing final1 = current1, final2 = current2;
        Applied? applied = null;
        var dirFailures = 0;
        if (deltas1.Count == 0 && deltas2.Count == 0 && (_dirs1?.Count ?? 0) == 0 && (_dirs2?.Count ?? 0) == 0)
        {
            _log.Info("No changes found");
        }
        else
        {
            _log.Info("Applying changes");
            Func<string, bool>? equal = null;
            if (_options.EqualIsNoConflict)
                equal = (await ConflictCheck.EqualAsync(deltas1, deltas2, current1, view2, _path1, side2, ct).ConfigureAwait(false)).Contains;
            else if (_options.Recover)
                equal = p => SameOnBoth(current1, view2, p);
            var rules = new ConflictRules(_options.ConflictResolve, ConflictNaming.From(_options, DateTimeOffset.Now), current1, view2,
                Transfers.Precision(_path1, _path2), KeepsModTimes(_path1) && KeepsModTimes(_path2))
            {
                UpdateEqualTimes = _options.EqualIsNoConflict && (_transfers.Compare.Legacy || _transfers.Compare.ModTime),
            };
            var plan = Planner.Decide(deltas1, deltas2, p => current1.Contains(p) || view2.Contains(p), equal, rules);
            // Folders keep each side's own names (NameMatching pairs files only).
            var dirPlan = _options.CreateEmptySrcDirs
                ? DirSync.Decide(_dirs1, _dirs2, current1.Dirs, current2.Dirs, _side1.ListsDirs, _side2.ListsDirs)
                : null;
            applied = await new Applier(_options, _names, _path1, side2, _transfers, _log, rules.Naming) { Dirs = dirPlan }
                .ApplyAsync(plan, current1, view2, ct).ConfigureAwait(false);
            dirFailures = (applied.Dirs1?.Failed.Count ?? 0) + (applied.Dirs2?.Failed.Count ?? 0);
            if (!_options.DryRun)
            {
                // After a signal the transfers may have been cancelled: the listings are still written.
                var wrapUp = Stop.IsCancellationRequested ? CancellationToken.None : ct;
                FileListing Prior2() => names?.ToCanonical(_listings.ReadPrior(2)) ?? _listings.ReadPrior(2);
                final1 = await ListingUpdater.UpdateAsync(_path1, current1, () => _listings.ReadPrior(1), Prior2, applied.Touched1, applied.On1.Done, applied.KeepPrior, wrapUp, applied.Unlisted).ConfigureAwait(false);
                var final2c = await ListingUpdater.UpdateAsync(side2, view2, Prior2, () => _listings.ReadPrior(1), applied.Touched2, applied.On2.Done, applied.KeepPrior, wrapUp, applied.Unlisted).ConfigureAwait(false);
                if (!ReferenceEquals(final2c, view2)) final2 = names?.ToPath2(final2c) ?? final2c;
                final1 = await _side1.FillHashesAsync(final1, wrapUp).ConfigureAwait(false);
                final2 = await _side2.FillHashesAsync(final2, wrapUp).ConfigureAwait(false);
                if (_side1.ListsDirs)
                    final1 = final1.WithDirs(await FinalDirsAsync(_path1, current1, applied.Dirs1, applied.On1.Done.Keys, _dirs1, _priorDirs1, applied.Dirs2, wrapUp).ConfigureAwait(false));
                if (_side2.ListsDirs)
                    final2 = final2.WithDirs(await FinalDirsAsync(_path2, current2, applied.Dirs2, applied.On2.Done.Keys, _dirs2, _priorDirs2, applied.Dirs1, wrapUp).ConfigureAwait(false));
            }
        }
        Timing("applied changes");

        if (applied is not null) SyncToDisk(applied.On1, applied.On2);
        _log.Info("Updating listings");
        await _listings.WriteFinalAsync(final1, listed1, final2, listed2, Stop.IsCancellationRequested ? CancellationToken.None : ct).ConfigureAwait(false);
        _side1.SaveHashes(final1);
        _side2.SaveHashes(final2);
        Timing("wrote listings");
        await TestHook.AtAsync("after-listings", ct).ConfigureAwait(false);
        StopIfAsked("the listings were saved; what was not done is left for the next run");
        if (applied is { Failed.Count: > 0 } || dirFailures > 0)
            throw new AbortException("Bisync failed: some transfers failed; the listings keep those files as before, so the next run tries them again", "transfers failed") { Retryable = true };

        if (_options.CheckSync == CheckSyncMode.True && !_options.DryRun && !CheckSync.Run(final1, Matched(final1, final2), _path1.Root, _path2.Root, _log))
            throw new CriticalException("path1 and path2 are out of sync, run --resync to recover");
        await FinishAsync(ct).ConfigureAwait(false);
    }

    // --create-empty-src-dirs: each side's directory deltas and prior directories (null when the side's directories are not synced).
    private DirDeltas? _dirs1, _dirs2;
    private List<ListingEntry>? _priorDirs1, _priorDirs2;

    /// <summary>
    /// A side's directories after the run: see <see cref="DirSync.FinalAsync"/>. Where making or removing a
    /// directory on the other side (<paramref name="other"/>) failed, this side keeps its prior state of it.
    /// </summary>
    private static Task<List<ListingEntry>> FinalDirsAsync(IStorage storage, FileListing current, DirResults? here, IEnumerable<string> written,
        DirDeltas? deltas, List<ListingEntry>? prior, DirResults? other, CancellationToken ct)
    {
        var failed = other?.Failed ?? [];
        var notYet = deltas?.New.Where(failed.Contains) ?? [];
        var stillThere = deltas is null || prior is null ? [] : prior.Where(e => failed.Contains(e.Path) && deltas.Deleted.Contains(e.Path));
        return DirSync.FinalAsync(storage, current.Dirs, here, written, notYet, stillThere, ct);
    }

    /// <summary>
    /// The pairs of names the two sides hold for one file where they differ; null when names are
    /// matched exactly (as rclone v1.60.1 did).
    /// </summary>
    private NameMap? MatchNames(FileListing current1, FileListing current2, SideDeltas? deltas1 = null, SideDeltas? deltas2 = null)
    {
        if (NameMatching.For(_options) is not { } matching) return null;
        static IEnumerable<string>? Gone(SideDeltas? d) => d?.Deltas.Where(x => x.IsDeleted).Select(x => x.Path);
        var names = matching.Pair(current1, current2, _log, Gone(deltas1), Gone(deltas2));
        foreach (var (n1, n2) in names.Pairs)
            _log.Debug($"One file under two names: Path1 {Messages.ShowPath(n1)}, Path2 {Messages.ShowPath(n2)}");
        return names;
    }

    /// <summary>--fix-case: the pairs about to be copied get the source's name on both sides (<see cref="FixCase"/>).</summary>
    private async Task<(FileListing, SideDeltas, FileListing, SideDeltas)> FixNamesAsync(NameMap names, FileListing current1, SideDeltas deltas1,
        FileListing current2, SideDeltas deltas2, CancellationToken ct)
    {
        var r = await FixCase.RunAsync(names, current1, deltas1, current2, deltas2, _path1, _path2, _transfers, _log, ct).ConfigureAwait(false);
        return (r.Current1, r.Deltas1!, r.Current2, r.Deltas2!);
    }

    /// <summary>Path2's final listing under Path1's names where the two name one file differently (for the check-sync).</summary>
    private FileListing Matched(FileListing final1, FileListing final2)
    {
        if (NameMatching.For(_options) is not { } matching) return final2;
        using var quiet = Logger.Silent(LogLevel.Error);
        return matching.Pair(final1, final2, quiet).ToCanonical(final2);
    }

    /// <summary>
    /// Before the listings (fsynced) say the copies are there, the copies' data must be on the disk:
    /// for a few changed paths, an fsync of each and of the folders above it; for more, or where the
    /// side cannot, one syncfs of the side's file system (see the README's "Durability" for the
    /// numbers). Remote sides are durable when their server says done.
    /// </summary>
    private void SyncToDisk(OperationResults on1, OperationResults on2)
    {
        if (_options.DryRun) return;
        SyncToDisk(_path1, on1.Done.Keys);
        SyncToDisk(_path2, on2.Done.Keys);
    }

    /// <summary>
    /// Up to this many changed paths are fsynced one by one. syncfs writes out every dirty page of
    /// the file system, other programs' too: seconds on a busy machine for a run that copied one file.
    /// Past a few dozen files, one syncfs costs less than an fsync each.
    /// </summary>
    internal const int FsyncEachUpTo = 32;

    private static void SyncToDisk(IStorage side, ICollection<string> changed)
    {
        if (changed.Count == 0) return;
        if (changed.Count <= FsyncEachUpTo && side.Capability<IFileFlusher>() is { } flusher && flusher.Flush(changed)) return;
        StateFile.SyncFileSystem(side.Root);
    }

    public async Task ResyncAsync(CancellationToken ct)
    {
        LogComparison();
        if (_options.Compat == Compat.V1_75) Recovery.KeepPrevious(_names);
        var list1 = Task.Run(() => _side1.ListAsync(ct), ct);
        var list2 = Task.Run(() => _side2.ListAsync(ct), ct);
        var current1 = await AwaitListing(list1, "Path1").ConfigureAwait(false);
        var current2 = await AwaitListing(list2, "Path2").ConfigureAwait(false);
        await CleanTemporariesAsync(ct).ConfigureAwait(false);
        // rclone v1.75's resync leaves its .lst-new files without entries.
        var v175 = _options.Compat == Compat.V1_75;
        _listings.Write(_listings.New(1), v175 ? FileListing.Empty() : current1);
        _listings.Write(_listings.New(2), v175 ? FileListing.Empty() : current2);

        // Names that differ only by case or normalisation: as in a normal run, Path2 is seen under Path1's names.
        var names = MatchNames(current1, current2);
        if (names is { Count: > 0 } && _options.FixCase)
        {
            var fixedNames = await FixCase.RunAsync(names, current1, null, current2, null, _path1, _path2, _transfers, _log, ct).ConfigureAwait(false);
            (current1, current2) = (fixedNames.Current1, fixedNames.Current2);
        }
        var view2 = names?.ToCanonical(current2) ?? current2;
        IStorage side2 = names is { Count: > 0 } ? new AliasedStorage(_path2, names) : _path2;
        var (copied1, synced2) = await new Resync(_options, _names, _path1, side2, _transfers, _log).RunAsync(current1, view2, ct).ConfigureAwait(false);
        StopIfAsked("the resync is not complete; run --resync again");
        var firstError = copied1.FirstError ?? synced2.FirstError;
        if (firstError is not null)
            throw new CriticalException($"resync failed: {firstError.Message}");
        // --create-empty-src-dirs: as rclone's copy Path2 to Path1 and then Path1 to Path2 with empty directories.
        DirResults? dirs1 = null, dirs2 = null;
        if (_side1.ListsDirs)
        {
            var has1 = current1.Dirs.Select(e => e.Path).ToHashSet(StringComparer.Ordinal);
            dirs1 = await DirSync.MakeAsync(_path1, current2.Dirs.Select(e => e.Path).Where(p => !has1.Contains(p)), _options.DryRun, _log, ct).ConfigureAwait(false);
        }
        if (_side2.ListsDirs)
        {
            var has2 = current2.Dirs.Select(e => e.Path).ToHashSet(StringComparer.Ordinal);
            dirs2 = await DirSync.MakeAsync(_path2, current1.Dirs.Select(e => e.Path).Where(p => !has2.Contains(p)), _options.DryRun, _log, ct).ConfigureAwait(false);
        }
        if ((dirs1?.Failed.Count ?? 0) + (dirs2?.Failed.Count ?? 0) > 0)
            throw new CriticalException("resync failed: a directory could not be made");

        SyncToDisk(copied1, synced2);
        _log.Info("Resync updating listings");
        FileListing final1 = current1, final2 = current2;
        if (!_options.DryRun)
        {
            final1 = await ListingUpdater.UpdateAsync(_path1, current1, () => current1, () => view2, copied1.Done.Keys, copied1.Done, NoPaths, ct).ConfigureAwait(false);
            var final2c = await ListingUpdater.UpdateAsync(side2, view2, () => view2, () => current1, synced2.Done.Keys, synced2.Done, NoPaths, ct).ConfigureAwait(false);
            final2 = ReferenceEquals(final2c, view2) ? current2 : names?.ToPath2(final2c) ?? final2c;
            final1 = await _side1.FillHashesAsync(final1, ct).ConfigureAwait(false);
            final2 = await _side2.FillHashesAsync(final2, ct).ConfigureAwait(false);
            if (_side1.ListsDirs) final1 = final1.WithDirs(await DirSync.FinalAsync(_path1, current1.Dirs, dirs1, copied1.Done.Keys, [], [], ct).ConfigureAwait(false));
            if (_side2.ListsDirs) final2 = final2.WithDirs(await DirSync.FinalAsync(_path2, current2.Dirs, dirs2, synced2.Done.Keys, [], [], ct).ConfigureAwait(false));
        }
        _listings.WriteFinal(_names.Listing1, final1);
        _listings.WriteFinal(_names.Listing2, final2);
        _side1.SaveHashes(final1);
        _side2.SaveHashes(final2);
        await FinishAsync(ct).ConfigureAwait(false);
    }

    private static readonly HashSet<string> NoPaths = [];

    /// <summary>Whether a backend keeps modification times at all (rclone's newer/older rules need them).</summary>
    internal static bool KeepsModTimes(IStorage s) => s.Features.ModTimePrecisionNs != long.MaxValue;

    /// <summary>Half-written uploads that a killed run left on either side go (each side's backend says which).</summary>
    private async Task CleanTemporariesAsync(CancellationToken ct)
    {
        await _side1.CleanTemporariesAsync(ct).ConfigureAwait(false);
        await _side2.CleanTemporariesAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// --recover: a path new or changed on both sides that holds the same file on both (as a run
    /// cut off after copying it leaves it) needs nothing: same size, and the same hash where both
    /// are known (--checksum) or else the same time within the sides' precision.
    /// </summary>
    private bool SameOnBoth(FileListing current1, FileListing current2, string path)
    {
        if (!current1.TryGet(path, out var a) || !current2.TryGet(path, out var b)) return false;
        return !_transfers.NeedsCopy(a.ToStorageEntry(), b.ToStorageEntry(), Transfers.Precision(_path1, _path2));
    }

    /// <summary>
    /// Both sides are listed at the same time; each prior listing is streamed through the delta
    /// merge and never held in memory, and each side's .lst-new is written in the background.
    /// Whatever ends this stage, no listing is left half-written behind the run.
    /// </summary>
    private async Task<(FileListing, SideDeltas, FileListing, SideDeltas)> ListAndFindDeltasAsync(CancellationToken ct)
    {
        Timing("start");
        var list1 = Task.Run(() => _side1.ListAsync(ct), ct);
        var list2 = Task.Run(() => _side2.ListAsync(ct), ct);
        var writes = new List<Task>(2);
        try
        {
            var (current1, deltas1) = await CompareAsync(1, list1, _path1, writes, ct).ConfigureAwait(false);
            var (current2, deltas2) = await CompareAsync(2, list2, _path2, writes, ct).ConfigureAwait(false);
            await Task.WhenAll(writes).ConfigureAwait(false);
            return (current1, deltas1, current2, deltas2);
        }
        finally
        {
            await Task.WhenAll(writes).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }
    }

    /// <summary>One side: its current listing (its .lst-new written in the background) and its deltas.</summary>
    private async Task<(FileListing, SideDeltas)> CompareAsync(int side, Task<FileListing> listing, IStorage storage, List<Task> writes, CancellationToken ct)
    {
        var name = "Path" + side;
        _log.Info($"{name} checking for diffs");
        var current = await AwaitListing(listing, name).ConfigureAwait(false);
        Timing($"listed {name} ({current.Count} files)");
        writes.Add(Task.Run(() => _listings.Write(_listings.New(side), current), ct));
        Safety.NotEmpty(name, current.Count, _listings.New(side), _log);
        var deltas = FindDeltas(name, _listings.Prior(side), current, storage);
        if ((side == 1 ? _side1 : _side2).ListsDirs)
        {
            List<ListingEntry> prior;
            try
            {
                prior = ListingFile.ReadDirs(_listings.Prior(side));
            }
            catch (ListingFormatException ex)
            {
                throw new CriticalException(ex.Message);
            }
            var dirs = DirSync.Find(name, prior, current.Dirs, _log);
            if (side == 1) (_dirs1, _priorDirs1) = (dirs, prior);
            else (_dirs2, _priorDirs2) = (dirs, prior);
        }
        return (current, deltas);
    }

    private async Task FinishAsync(CancellationToken ct)
    {
        if (_options.RemoveEmptyDirs) await EmptyDirs.RemoveAsync([_path1, _path2], _filter, _options, _log, ct).ConfigureAwait(false);
        _listings.Cleanup();
    }

    private static async Task<FileListing> AwaitListing(Task<FileListing> task, string side)
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
            throw new AbortException($"{side}: error listing: {ex.Message}", "error listing " + side) { Retryable = true };
        }
    }

    private SideDeltas FindDeltas(string side, string priorFile, FileListing current, IStorage storage)
    {
        try
        {
            try
            {
                return DeltaFinder.Find(side, ListingFile.Stream(priorFile), current, Tolerance(storage), _log, _options.Checksum, _transfers.Compare);
            }
            catch (DeltaFinder.NotSortedException)
            {
                // A listing edited by hand: read it whole and sort it.
                return DeltaFinder.Find(side, ListingFile.Read(priorFile), current, Tolerance(storage), _log, _options.Checksum, _transfers.Compare);
            }
        }
        catch (ListingFormatException ex)
        {
            throw new CriticalException(ex.Message);
        }
    }

    /// <summary>Under the v1.75 profile, or with a v1.75 compare flag, one INFO line says what files are compared by.</summary>
    private void LogComparison()
    {
        var c = _transfers.Compare;
        if (c.Legacy) return;
        var parts = new List<string>();
        if (c.Size) parts.Add("size");
        if (c.ModTime) parts.Add("modtime");
        if (c.Checksum) parts.Add("checksum");
        _log.Info($"Comparing files by {string.Join(", ", parts)}"
            + (c.Checksum && _options.IgnoreListingChecksum ? " (listings without checksums)" : "")
            + (c.ModifyWindowNs > 0 ? $" (times within {_options.ModifyWindow.TotalMilliseconds:0.###} ms are equal)" : ""));
    }

    /// <summary>The side's time precision, widened by --modify-window.</summary>
    private long Tolerance(IStorage storage) => _transfers.Compare.ToleranceNs(storage.Features.ModTimePrecisionNs);

    /// <summary>Stage timings for -vv.</summary>
    private void Timing(string what)
    {
        if (!_log.Enabled(LogLevel.Debug)) return;
        var gc = GC.GetGCMemoryInfo();
        _log.Debug($"{what}: {_clock.ElapsedMilliseconds} ms, managed heap {GC.GetTotalMemory(false) >> 20} MiB (last GC {gc.HeapSizeBytes >> 20} MiB, " +
            $"allocated {GC.GetTotalAllocatedBytes() >> 20} MiB in all), RSS {Environment.WorkingSet >> 20} MiB");
    }
}
