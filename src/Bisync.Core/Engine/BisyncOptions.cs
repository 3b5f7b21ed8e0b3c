using Bisync.Filters;

namespace Bisync.Engine;

public enum CheckSyncMode { True, False, Only }

/// <summary>
/// Whose defaults a run follows where rclone's bisync changed them: v1.60.1's (the default) or
/// v1.75's (--compat 1.75, or BISYNC_COMPAT=1.75). Every flag works in both.
/// </summary>
public enum Compat { V1_60, V1_75 }

/// <summary>What two versions of a file are compared by (--compare): any combination.</summary>
[Flags]
public enum CompareBy { None = 0, Size = 1, ModTime = 2, Checksum = 4 }

/// <summary>Everything one bisync run needs; the CLI fills it, tests can build it directly.</summary>
public sealed record BisyncOptions
{
    /// <summary>Path1 and Path2 exactly as the user gave them (they name the session files).</summary>
    public required string Path1 { get; init; }
    public required string Path2 { get; init; }

    /// <summary>Working directory for listings, locks and queues; null means rclone's default.</summary>
    public string? Workdir { get; init; }

    public bool Resync { get; init; }

    /// <summary>--resync-mode: which version a resync keeps where both sides differ (None: Path1's; any other mode implies --resync).</summary>
    public ResyncMode ResyncMode { get; init; } = ResyncMode.None;

    /// <summary>--conflict-resolve: which version of a file changed on both sides wins (None: both kept).</summary>
    public ConflictResolve ConflictResolve { get; init; } = ConflictResolve.None;

    /// <summary>--conflict-loser; null: the profile's (pathname under 1.60, num under 1.75).</summary>
    public ConflictLoser? ConflictLoser { get; init; }

    /// <summary>--conflict-suffix, one or two (Path1,Path2) comma-separated; null: the profile's (".path" under 1.60, "conflict" under 1.75).</summary>
    public string? ConflictSuffix { get; init; }

    /// <summary>--suffix-keep-extension: conflict (and backup) suffixes go before the file's extension.</summary>
    public bool SuffixKeepExtension { get; init; }

    /// <summary>--backup-dir1 / --backup-dir2: where each side's overwritten or deleted files go; --backup-dir: both sides' (overridden by either).</summary>
    public string? BackupDir1 { get; init; }
    public string? BackupDir2 { get; init; }
    public string? BackupDir { get; init; }

    /// <summary>--suffix: added to backed-up files (alone: the old version is kept beside the file under this suffix).</summary>
    public string? Suffix { get; init; }

    public ConflictLoser EffectiveConflictLoser => ConflictLoser ?? (Compat == Compat.V1_75 ? Engine.ConflictLoser.Num : Engine.ConflictLoser.Pathname);

    public string EffectiveConflictSuffix => ConflictSuffix ?? (Compat == Compat.V1_75 ? "conflict" : ".path");

    /// <summary>
    /// Whether a path changed on both sides that now holds the same content on both is left alone
    /// (rclone v1.66+; under 1.60 only with --recover, where equal means same size and time or hash).
    /// </summary>
    public bool EqualIsNoConflict => Compat == Compat.V1_75;

    /// <summary>--no-unicode-normalization: names are matched across the sides exactly, never after NFC normalisation.</summary>
    public bool NoUnicodeNormalization { get; init; }

    /// <summary>--ignore-case-sync: names that differ only by case are the same file on both sides.</summary>
    public bool IgnoreCaseSync { get; init; }

    /// <summary>--fix-case: where a file's two names differ only by case or normalisation, a copy renames the destination to the source's name.</summary>
    public bool FixCase { get; init; }

    /// <summary>
    /// Names are matched across the sides after NFC normalisation (rclone v1.66+'s default, so under
    /// --compat 1.75; under 1.60, whose rclone matched names exactly, only with --ignore-case-sync or
    /// --fix-case), unless --no-unicode-normalization.
    /// </summary>
    public bool NormalizesNames => !NoUnicodeNormalization && (Compat == Compat.V1_75 || IgnoreCaseSync || FixCase);

    /// <summary>--compat: the rclone version whose defaults apply where they differ.</summary>
    public Compat Compat { get; init; } = Compat.V1_60;
    public bool CheckAccess { get; init; }
    public string CheckFilename { get; init; } = "RCLONE_TEST";
    public CheckSyncMode CheckSync { get; init; } = CheckSyncMode.True;
    public string? FiltersFile { get; init; }
    public bool Force { get; init; }
    public bool LocalTime { get; init; }
    public bool NoCleanup { get; init; }
    public bool RemoveEmptyDirs { get; init; }

    /// <summary>
    /// --create-empty-src-dirs (rclone v1.66+): directories are listed (as <c>d</c> lines) and their creation
    /// and deletion mirrored, so empty ones are synced too; only on sides that can hold empty directories.
    /// </summary>
    public bool CreateEmptySrcDirs { get; init; }
    public bool DryRun { get; init; }

    /// <summary>--recover: keep the last good listings (.lst-old) and start from them after an interrupted or failed run.</summary>
    public bool Recover { get; init; }

    /// <summary>--resilient: a less serious error (check files, missing listings, changed filters file) aborts the run but does not lock the pair out.</summary>
    public bool Resilient { get; init; }

    /// <summary>--max-lock: a lock older than this is expired (renewed while the run goes on); zero: never expires.</summary>
    public TimeSpan MaxLock { get; init; }

    /// <summary>--retries (with --resilient): tries of a run that fails in a way a retry may cure.</summary>
    public int Retries { get; init; } = 3;

    /// <summary>--retries-sleep: the pause between tries.</summary>
    public TimeSpan RetriesSleep { get; init; }

    /// <summary>Safety abort when more than this percentage of a side's files would be deleted.</summary>
    public int MaxDelete { get; init; } = 50;

    /// <summary>Compare by size alone when deciding what a transfer must copy.</summary>
    public bool SizeOnly { get; init; }

    /// <summary>Compare files by MD5 instead of modification time (hashes cached in the working directory).</summary>
    public bool Checksum { get; init; }

    /// <summary>--compare size,modtime,checksum: overrides --size-only, --checksum and --ignore-size; null = derived from them.</summary>
    public CompareBy? Compare { get; init; }

    /// <summary>--ignore-size: sizes are not compared (only times, or checksums).</summary>
    public bool IgnoreSize { get; init; }

    /// <summary>--ignore-listing-checksum: no hashes in the listings, none used for the deltas (still used by the copies).</summary>
    public bool IgnoreListingChecksum { get; init; }

    /// <summary>--no-slow-hash: no checksums on a side where they must be computed (local: read; sftp: md5sum on the server).</summary>
    public bool NoSlowHash { get; init; }

    /// <summary>--slow-hash-sync-only: slow checksums only where a copy is decided, never in listings or deltas.</summary>
    public bool SlowHashSyncOnly { get; init; }

    /// <summary>--download-hash: where a backend knows no hash, download the file and compute its MD5.</summary>
    public bool DownloadHash { get; init; }

    /// <summary>--modify-window: times this close count as equal (at least each side's own precision).</summary>
    public TimeSpan ModifyWindow { get; init; }

    /// <summary>Show transfer progress (-P); the CLI says whether stderr is a terminal.</summary>
    public bool Progress { get; init; }
    public bool ProgressInPlace { get; init; }

    /// <summary>Parallel transfers (copies, deletes).</summary>
    public int Transfers { get; init; } = 4;

    /// <summary>Parallel directory listings.</summary>
    public int Checkers { get; init; } = 8;

    /// <summary>-L/--copy-links: local symbolic links are followed (a file's content, a directory walked).</summary>
    public bool CopyLinks { get; init; }

    /// <summary>-l/--links: local symbolic links are synced as NAME.rclonelink files holding the target.</summary>
    public bool Links { get; init; }

    public Bisync.Storage.LinkMode LinkMode =>
        CopyLinks ? Bisync.Storage.LinkMode.Follow : Links ? Bisync.Storage.LinkMode.Translate : Bisync.Storage.LinkMode.Skip;

    /// <summary>
    /// How long a temporary (a half-written upload) of another process, or of one whose state is
    /// unknown, must have been untouched before a run removes it as abandoned (see ITemporaryCleaner).
    /// </summary>
    public TimeSpan TemporaryMinAge { get; init; } = TimeSpan.FromHours(1);

    /// <summary>rclone's global filter flags; --filters-file joins them where rclone puts it (after --filter, before --filter-from).</summary>
    public FilterOptions Filter { get; init; } = new();
}

/// <summary>How a run ended: exit code 0 success, 1 non-critical failure, 2 critical (needs --resync).</summary>
/// <param name="Critical">A critical error, already logged, that locks the pair out until --resync.</param>
public sealed record BisyncResult(int ExitCode, string? Error, bool Critical = false)
{
    /// <summary>Another try may succeed (failed transfers, a listing error): --retries with --resilient runs again.</summary>
    public bool Retryable { get; init; }

    public static readonly BisyncResult Success = new(0, null);
}
