using Bisync.Filters;
using Bisync.Listing;
using Bisync.Logging;
using Bisync.Storage;

namespace Bisync.Engine;

/// <summary>A failure that locks the pair out until --resync (listings renamed to .lst-err, exit 2).</summary>
public sealed class CriticalException(string message) : Exception(message)
{
    /// <summary>One of rclone's less serious errors (check files, missing listings, changed filters file):
    /// with --resilient it aborts the run without locking the pair out.</summary>
    public bool LessSerious { get; init; }
}

/// <summary>A failure that leaves the listings as they were (exit 1): fix the cause and run again.</summary>
public sealed class AbortException(string message, string shortError) : Exception(message)
{
    public string ShortError { get; } = shortError;

    /// <summary>A failure another try may cure (failed transfers, a listing error): --retries runs again.</summary>
    public bool Retryable { get; init; }

    /// <summary>Stopped by SIGINT/SIGTERM (graceful shutdown).</summary>
    public bool Interrupted { get; init; }
}

/// <summary>
/// The bisync pipeline, callable without the CLI:
/// open both paths → lock → filters → <see cref="Run"/> (list both sides → find deltas → safety
/// checks → plan → apply → update listings → check sync → remove empty dirs); a critical error
/// renames the listings, any error releases the lock.
/// </summary>
public sealed class BisyncEngine(IStorageOpener opener, Logger log)
{
    /// <summary>Graceful shutdown: once cancelled, no new transfer starts and the run ends with consistent listings (exit 1).</summary>
    public CancellationToken Stop { get; init; }

    /// <summary>
    /// TEST SEAM (the conformance runner's test-func / concurrent-func): called each time the run is
    /// about to start a batch of copies, after both sides were listed and the deltas decided. It
    /// stands for a user changing files during a run. Null (always, outside tests): nothing.
    /// </summary>
    public Func<CancellationToken, Task>? BeforeCopies { get; init; }

    /// <param name="filter">The filter set of <paramref name="options"/> when the caller built it already
    /// (the CLI does, for --dump filters); null to build it here.</param>
    public async Task<BisyncResult> RunAsync(BisyncOptions options, CancellationToken ct, IPathFilter? filter = null)
    {
        if (options.ResyncMode != ResyncMode.None && !options.Resync) options = options with { Resync = true }; // any --resync-mode implies --resync
        IStorage? path1 = null, path2 = null;
        SessionNames? names = null;
        LockFile? lockFile = null;
        try
        {
            if (options.CopyLinks && options.Links)
                throw new UserException($"Failed to create file system for \"{options.Path1}\": can't use -l/--links with -L/--copy-links", 1);
            if (options.CreateEmptySrcDirs && options.RemoveEmptyDirs)
                throw new UserException("--create-empty-src-dirs and --remove-empty-dirs can't be used together: use one or the other", 1);
            path1 = await opener.OpenAsync(options.Path1, ct).ConfigureAwait(false);
            path2 = await opener.OpenAsync(options.Path2, ct).ConfigureAwait(false);
            foreach (var side in new[] { path1, path2 })
                if (side.Capability<Bisync.Storage.Local.LocalStorage>() is { } local) local.Links = options.LinkMode;
            var workdir = options.Workdir ?? SessionNames.DefaultWorkdir();
            try
            {
                StateFile.CreateDirectory(workdir);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new UserException($"cannot create working directory {workdir}: {ex.Message}");
            }
            names = new SessionNames(workdir, path1.Root, path2.Root, options.DryRun, hashSubfolder: options.Compat == Compat.V1_75);
            await CheckRootsAsync(path1, path2, ct).ConfigureAwait(false);

            lockFile = LockFile.TryAcquire(names.LockFile, names.Session, options.MaxLock, log, out var lockProblem);
            if (lockFile is null) return Fail(1, lockProblem!);
            await TestHook.AtAsync("after-lock", ct).ConfigureAwait(false);

            if (options.CheckSync == CheckSyncMode.Only)
            {
                CheckSyncOnly(names, path1, path2);
                log.Info("Bisync successful");
                return BisyncResult.Success;
            }

            log.Info($"Synching Path1 \"{path1.Root}\" with Path2 \"{path2.Root}\"");
            filter ??= BuildFilter(options);
            if (options.FiltersFile is not null)
            {
                var problem = FiltersFileGuard.Check(options.FiltersFile, options.Resync, options.DryRun, log);
                if (problem is not null) throw new CriticalException(problem) { LessSerious = true };
            }

            // One path inside the other (or both the same): each run would copy the tree into itself again.
            // rclone refuses this with a critical error too ("can't sync or move files on overlapping remotes").
            if (BackupDir.Overlap(options.Path1, options.Path2))
                throw new CriticalException($"Path1 \"{options.Path1}\" and Path2 \"{options.Path2}\" overlap: can't sync a folder with one inside it");
            var (backup1, backup2) = await BackupDir.OpenAsync(opener, options, path1, path2, log, ct).ConfigureAwait(false);
            using var run = new Run(options, names, path1, path2, filter, log) { Stop = Stop, Backups = (backup1, backup2), BeforeCopies = BeforeCopies };
            if (options.Resync) await run.ResyncAsync(ct).ConfigureAwait(false);
            else await run.NormalAsync(ct).ConfigureAwait(false);
            log.Info("Bisync successful");
            return BisyncResult.Success;
        }
        catch (CriticalException ex) when (ex.LessSerious && options.Resilient)
        {
            // --resilient: the run stops, but the listings stay where they are for the next run.
            log.Error("Bisync critical error: " + ex.Message);
            log.Error("Bisync aborted. Error is retryable without --resync due to --resilient mode.");
            return new BisyncResult(1, ex.Message, Critical: true);
        }
        catch (CriticalException ex)
        {
            log.Error("Bisync critical error: " + ex.Message);
            if (names is not null && !options.DryRun)
            {
                RenameToErr(names.RealListing1, names.ErrListing1);
                RenameToErr(names.RealListing2, names.ErrListing2);
            }
            log.Error("Bisync aborted. Must run --resync to recover.");
            return new BisyncResult(CriticalExitCode(options), "bisync aborted", Critical: true);
        }
        catch (AbortException ex)
        {
            log.Error(ex.Message);
            if (ex.Interrupted) return new BisyncResult(1, ex.ShortError, Critical: true);
            log.Notice("Bisync aborted. Please try again.");
            return new BisyncResult(1, ex.ShortError) { Retryable = ex.Retryable };
        }
        catch (UserException ex)
        {
            return Fail(ex.ExitCode, ex.Message);
        }
        catch (FilterException ex)
        {
            return Fail(2, ex.Message);
        }
        catch (StateWriteException ex)
        {
            // Our own state could not be written (a full disk, a read-only working directory). Each
            // state file is replaced atomically, so the listings are those of the last good run (or,
            // for one side, this run's): a later run sees what this run did as changes to sync again
            // (or keeps both versions), nothing is lost, and no --resync is needed.
            log.Error("Bisync error: " + ErrorText.OneLine(ex));
            log.Debug(ErrorText.Detail(ex));
            log.Notice("Bisync aborted. The listings were kept: make room in the working directory and run again.");
            return new BisyncResult(1, ErrorText.OneLine(ex));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Anything unforeseen: one line, the stack only at DEBUG. After the lock it is a critical
            // error as rclone has it (listings set aside as .lst-err); before it nothing was touched.
            log.Debug(ErrorText.Detail(ex));
            if (lockFile is null || names is null) return Fail(2, ErrorText.OneLine(ex));
            log.Error("Bisync critical error: " + ErrorText.OneLine(ex));
            if (!options.DryRun)
            {
                RenameToErr(names.RealListing1, names.ErrListing1);
                RenameToErr(names.RealListing2, names.ErrListing2);
            }
            log.Error("Bisync aborted. Must run --resync to recover.");
            return new BisyncResult(CriticalExitCode(options), "bisync aborted", Critical: true);
        }
        finally
        {
            lockFile?.Dispose();
            if (path1 is not null) await path1.DisposeAsync().ConfigureAwait(false);
            if (path2 is not null) await path2.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The exit code of a critical abort: 2 as rclone v1.60.1, 7 under the v1.75 profile.</summary>
    public static int CriticalExitCode(BisyncOptions options) => options.Compat == Compat.V1_75 ? 7 : 2;

    /// <summary>A failure before any work: nothing changed; the caller prints the one line.</summary>
    private BisyncResult Fail(int code, string message)
    {
        log.Debug(message);
        return new BisyncResult(code, message);
    }

    private static async Task CheckRootsAsync(IStorage path1, IStorage path2, CancellationToken ct)
    {
        foreach (var (storage, label) in new[] { (path1, "Path1"), (path2, "Path2") })
        {
            if (storage.Capability<IRootCheck>() is { } root)
            {
                bool isDir;
                try { isDir = root.RootIsDirectory(); }
                catch (IOException ex) { throw new UserException($"{label} {storage.Root}: {ex.Message}", 2); }
                if (!isDir)
                {
                    var st = await storage.StatAsync("", ct).ConfigureAwait(false);
                    if (st is not null) throw new UserException($"{label} is not a directory: {storage.Root.TrimEnd('/')}", 2);
                    throw new UserException($"{label} directory not found: {storage.Root}", 3);
                }
            }
        }
    }

    /// <summary>The run's filter: rclone's filter flags with --filters-file in its place; everything when there are none.</summary>
    public static IPathFilter BuildFilter(BisyncOptions options) =>
        options.FiltersFile is null && options.Filter.IsEmpty
            ? IncludeAllFilter.Instance
            : FilterSet.Build(options.Filter, options.FiltersFile, DateTime.Now);

    private void CheckSyncOnly(SessionNames names, IStorage path1, IStorage path2)
    {
        if (!File.Exists(names.RealListing1) || !File.Exists(names.RealListing2))
            throw new CriticalException("cannot find prior Path1 or Path2 listings, likely due to critical error on prior run");
        var l1 = ReadListing(names.RealListing1);
        var l2 = ReadListing(names.RealListing2);
        if (!CheckSync.Run(l1, l2, path1.Root, path2.Root, log))
            throw new CriticalException("path1 and path2 are out of sync, run --resync to recover");
    }

    internal static FileListing ReadListing(string path)
    {
        try
        {
            return ListingFile.Read(path);
        }
        catch (ListingFormatException ex)
        {
            throw new CriticalException(ex.Message);
        }
    }

    private static void RenameToErr(string from, string to)
    {
        try
        {
            if (File.Exists(from)) File.Move(from, to, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
