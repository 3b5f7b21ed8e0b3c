using Bisync.Engine;
using Bisync.Filters;
using Bisync.Logging;

namespace Bisync.Cli;

/// <summary>
/// Every flag bisync takes, declared once: the parser (<see cref="CommandLine"/>), --help
/// (<see cref="HelpText"/>) and the flag tests are all driven by <see cref="All"/>.
/// A new flag is one entry here plus the option property its setter fills.
/// Defaults live in the option records; <see cref="Flag.Default"/> says what they are (a test checks it).
/// </summary>
public static class Flags
{
    public static readonly FlagGroup BisyncGroup = new("Bisync flags");
    public static readonly FlagGroup GlobalGroup = new("Global flags");
    public static readonly FlagGroup ConflictGroup = new("Bisync v1.75 flags",
        "rclone v1.66+'s conflict and resync policies; they work under either --compat profile");
    public static readonly FlagGroup FilterGroup = new("Filter flags",
        "rclone's filter language; --filters-file rules come after --filter, before --filter-from, as in rclone");

    /// <summary>The groups in the order --help shows them.</summary>
    public static readonly FlagGroup[] Groups = [BisyncGroup, ConflictGroup, GlobalGroup, FilterGroup];

    private const char None = '\0';

    public static readonly Flag[] All =
    [
        .. In(BisyncGroup,
            Bool(None, "--check-access", "Abort unless the check files (--check-filename) are the same on both paths",
                (o, v) => o.Bisync = o.Bisync with { CheckAccess = v }),
            Str(None, "--check-filename", "File name for --check-access", "RCLONE_TEST",
                (o, v) => o.Bisync = o.Bisync with { CheckFilename = v },
                validate: v => v.Length == 0 || v.Contains('/') ? $"invalid --check-filename \"{v}\": a file name without '/'" : null),
            Enum(None, "--compat", "Follow this rclone version's bisync where its defaults differ (1.60 or 1.75); "
                + "also the environment variable BISYNC_COMPAT",
                [new("1.60", Compat.V1_60), new("1.75", Compat.V1_75)], "1.60",
                (o, v) => o.Bisync = o.Bisync with { Compat = (Compat)v }),
            Str(None, "--compare", "Compare files by any of size,modtime,checksum (comma-separated; overrides "
                + "--size-only, --checksum and --ignore-size)", null,
                (o, v) => o.Bisync = o.Bisync with { Compare = ParseCompare(v) },
                validate: v => CompareProblem(v), defaultNote: "size,modtime, or as the sync flags say"),
            Bool(None, "--ignore-listing-checksum", "Keep checksums out of the listings and the change detection "
                + "(the copies still compare them)",
                (o, v) => o.Bisync = o.Bisync with { IgnoreListingChecksum = v }),
            Bool(None, "--no-slow-hash", "Skip checksums on a side where they are slow to compute (local: read; sftp: md5sum on the server)",
                (o, v) => o.Bisync = o.Bisync with { NoSlowHash = v }),
            Bool(None, "--slow-hash-sync-only", "Compute slow checksums only to decide a copy, never for listings or change detection",
                (o, v) => o.Bisync = o.Bisync with { SlowHashSyncOnly = v }),
            Bool(None, "--download-hash", "Where a backend knows no checksum, download the file to compute its MD5",
                (o, v) => o.Bisync = o.Bisync with { DownloadHash = v }),
            Enum(None, "--check-sync", "Compare the final listings",
                [new("true", CheckSyncMode.True), new("false", CheckSyncMode.False), new("only", CheckSyncMode.Only)], "true",
                (o, v) => o.Bisync = o.Bisync with { CheckSync = (CheckSyncMode)v }),
            Str(None, "--filters-file", "Read filtering rules from a file; a change to it needs --resync", null,
                (o, v) => o.Bisync = o.Bisync with { FiltersFile = v }),
            Bool(None, "--force", "Bypass the --max-delete and all-files-changed safety checks",
                (o, v) => o.Bisync = o.Bisync with { Force = v }),
            Bool(None, "--localtime", "Use local time in listings (default UTC)",
                (o, v) => o.Bisync = o.Bisync with { LocalTime = v }),
            Duration(None, "--max-lock", "A lock file older than this is expired, and later runs take it over; renewed every "
                + "max-lock minus 1m while the run goes on (0: never expires; at least 2m). A lock whose process is gone is always taken over",
                "0", (o, v) => o.Bisync = o.Bisync with { MaxLock = MaxLock(v) }),
            Bool(None, "--no-cleanup", "Keep working files (.lst-new listings, .que queues)",
                (o, v) => o.Bisync = o.Bisync with { NoCleanup = v }),
            Bool(None, "--remove-empty-dirs", "Remove empty directories at the end of the run",
                (o, v) => o.Bisync = o.Bisync with { RemoveEmptyDirs = v }),
            Bool(None, "--create-empty-src-dirs", "Sync the creation and deletion of directories, so empty ones are mirrored too "
                + "(listed as d lines; not on s3, which has no empty directories; not with --remove-empty-dirs)",
                (o, v) => o.Bisync = o.Bisync with { CreateEmptySrcDirs = v }),
            Bool(None, "--recover", "Keep the last good listings (.lst-old) and, after an interrupted or failed run, "
                + "start from them instead of needing --resync (a file changed on both sides since is kept twice)",
                (o, v) => o.Bisync = o.Bisync with { Recover = v }),
            Bool(None, "--resilient", "A less serious error (check files differ, listings missing, filters file changed) "
                + "aborts the run without locking the pair out; with --retries, failed runs are tried again",
                (o, v) => o.Bisync = o.Bisync with { Resilient = v }),
            Bool('1', "--resync", "Make both paths agree: Path2-only files go to Path1, then Path1 wins (see --resync-mode)",
                (o, v) => o.Bisync = o.Bisync with { Resync = v }),
            Str(None, "--workdir", "Working directory", null,
                (o, v) => o.Bisync = o.Bisync with { Workdir = v },
                defaultNote: "$XDG_CACHE_HOME/rclone/bisync or ~/.cache/rclone/bisync")),

        .. In(ConflictGroup,
            Enum(None, "--conflict-resolve", "Which version of a file changed on both sides wins (none: keep both, renamed; "
                + "newer/older/larger/smaller: no winner when equal, both kept)",
                [new("none", ConflictResolve.None), new("path1", ConflictResolve.Path1), new("path2", ConflictResolve.Path2),
                    new("newer", ConflictResolve.Newer), new("older", ConflictResolve.Older), new("larger", ConflictResolve.Larger),
                    new("smaller", ConflictResolve.Smaller)], "none",
                (o, v) => o.Bisync = o.Bisync with { ConflictResolve = (ConflictResolve)v }),
            Enum(None, "--conflict-loser", "What becomes of a conflict's loser (of both versions when there is no winner): "
                + "num (renamed NAME.SUFFIXn, first free n), pathname (NAME.SUFFIX1 / NAME.SUFFIX2), delete (only with a winner)",
                [new("num", ConflictLoser.Num), new("pathname", ConflictLoser.Pathname), new("delete", ConflictLoser.Delete)], null,
                (o, v) => o.Bisync = o.Bisync with { ConflictLoser = (ConflictLoser)v },
                defaultNote: "num with --compat 1.75, pathname with 1.60"),
            Str(None, "--conflict-suffix", "Suffix of renamed conflict versions; two (Path1,Path2) separated by a comma; "
                + "date variables such as {DateOnly}, {MacFriendlyTime} or any Go time layout in braces", null,
                (o, v) => o.Bisync = o.Bisync with { ConflictSuffix = v },
                validate: ConflictNaming.Problem, defaultNote: "conflict with --compat 1.75, .path with 1.60 (NAME..path1)"),
            Bool(None, "--suffix-keep-extension", "Put conflict and --suffix suffixes before the file's extension (file.conflict1.txt)",
                (o, v) => o.Bisync = o.Bisync with { SuffixKeepExtension = v }),
            Str(None, "--backup-dir1", "Before a run overwrites or deletes a Path1 file, move it here (same relative path; "
                + "server-side where the backend can); must not overlap a synced path", null,
                (o, v) => o.Bisync = o.Bisync with { BackupDir1 = v }),
            Str(None, "--backup-dir2", "The same for Path2's files", null,
                (o, v) => o.Bisync = o.Bisync with { BackupDir2 = v }),
            Str(None, "--backup-dir", "One backup folder for both sides (--backup-dir1/--backup-dir2 override it)", null,
                (o, v) => o.Bisync = o.Bisync with { BackupDir = v }),
            Str(None, "--suffix", "Added to backed-up files' names (with --suffix-keep-extension before the extension); "
                + "without a backup folder the old version is kept beside the file under this suffix", null,
                (o, v) => o.Bisync = o.Bisync with { Suffix = v }),
            Enum(None, "--resync-mode", "During a resync, which version wins where a file differs on both sides "
                + "(a tie goes to Path2); any mode but none implies --resync",
                [new("none", ResyncMode.None), new("path1", ResyncMode.Path1), new("path2", ResyncMode.Path2),
                    new("newer", ResyncMode.Newer), new("older", ResyncMode.Older), new("larger", ResyncMode.Larger),
                    new("smaller", ResyncMode.Smaller)], "none",
                (o, v) => o.Bisync = o.Bisync with { ResyncMode = (ResyncMode)v })),

        .. In(GlobalGroup,
            Bool('n', "--dry-run", "Show what would change; change nothing (listings go to *.lst-dry*)",
                (o, v) => o.Bisync = o.Bisync with { DryRun = v }),
            Int(None, "--max-delete", "Abort if more than this percentage of a side's files would be deleted",
                0, 100, "50", (o, v) => o.Bisync = o.Bisync with { MaxDelete = v }, percent: true),
            Bool(None, "--no-unicode-normalization", "Match names across the two paths exactly, not after Unicode NFC "
                + "normalisation (normalising is the default with --compat 1.75, or with --ignore-case-sync or --fix-case)",
                (o, v) => o.Bisync = o.Bisync with { NoUnicodeNormalization = v }),
            Bool(None, "--ignore-case-sync", "Names that differ only by case are the same file on both paths "
                + "(synced under each side's own name)",
                (o, v) => o.Bisync = o.Bisync with { IgnoreCaseSync = v }),
            Bool(None, "--fix-case", "Where a file's names on the two paths differ only by case (with --ignore-case-sync) "
                + "or Unicode normalisation, rename the destination of a copy to the source's name (Path1's when changed on both)",
                (o, v) => o.Bisync = o.Bisync with { FixCase = v }),
            Bool(None, "--size-only", "Skip copying files whose sizes match, whatever their times",
                (o, v) => o.Bisync = o.Bisync with { SizeOnly = v }),
            Bool('c', "--checksum", "Compare files by MD5, not modification time (with --compat 1.75: by size and MD5, as "
                + "--compare size,checksum); local hashes are cached in the working directory (by path, size, time, inode and ctime), "
                + "so unchanged files are not read again",
                (o, v) => o.Bisync = o.Bisync with { Checksum = v }),
            Bool(None, "--ignore-size", "Do not compare sizes (only times, or checksums)",
                (o, v) => o.Bisync = o.Bisync with { IgnoreSize = v }),
            Duration(None, "--modify-window", "Times this close count as equal (never finer than a side keeps them)", "0",
                (o, v) => o.Bisync = o.Bisync with { ModifyWindow = v == Bisync.Units.Duration.Off || v < TimeSpan.Zero ? TimeSpan.Zero : v }),
            Bool('L', "--copy-links", "Follow local symbolic links: a link to a file syncs as the file, a link to a directory is walked "
                + "(links that lead nowhere or back up the tree are skipped with a notice)",
                (o, v) => o.Bisync = o.Bisync with { CopyLinks = v }),
            Bool('l', "--links", "Sync local symbolic links as NAME.rclonelink files holding the link's target, and back into links",
                (o, v) => o.Bisync = o.Bisync with { Links = v }),
            Bool('P', "--progress", "Show transfer progress (files, bytes, rate, ETA)",
                (o, v) => o.Bisync = o.Bisync with { Progress = v }),
            Int(None, "--transfers", "Parallel file transfers", 1, 1024, "4",
                (o, v) => o.Bisync = o.Bisync with { Transfers = v }),
            // One value for both the engine (parallel listings) and the backends (parallel requests):
            // CommandLine.Parse copies it into RemoteOptions.Checkers.
            Int(None, "--checkers", "Parallel directory listings and backend metadata requests", 1, 1024, "8",
                (o, v) => o.Bisync = o.Bisync with { Checkers = v }),
            Count('v', "--verbose", "More logging: -v for INFO, -vv for DEBUG (default NOTICE)",
                (o, v) => o.Verbose += v),
            Bool('q', "--quiet", "Only errors",
                (o, v) => o.Quiet = v),
            Enum(None, "--log-level", "Log level; overrides -v and -q",
                [new("DEBUG", LogLevel.Debug), new("INFO", LogLevel.Info), new("NOTICE", LogLevel.Notice), new("ERROR", LogLevel.Error)], "NOTICE",
                (o, v) => o.LogLevel = (LogLevel)v),
            Str(None, "--log-file", "Append the log to this file instead of stderr", null,
                (o, v) => o.Cli = o.Cli with { LogFile = v }),
            Str(None, "--config", "rclone.conf to read remotes from", null,
                (o, v) => o.Remotes = o.Remotes with { ConfigPath = v },
                defaultNote: "as rclone finds it"),
            Int(None, "--retries", "With --resilient: tries of a run that fails with failed transfers or a listing error",
                1, 1000, "3", (o, v) => o.Bisync = o.Bisync with { Retries = v }),
            Duration(None, "--retries-sleep", "Pause between those tries (0: none)", "0",
                (o, v) => o.Bisync = o.Bisync with { RetriesSleep = v == Bisync.Units.Duration.Off || v < TimeSpan.Zero ? TimeSpan.Zero : v }),
            Int(None, "--low-level-retries", "Tries of a failed low-level request on a remote", 1, 1000, "10",
                (o, v) => o.Remotes = o.Remotes with { LowLevelRetries = v }),
            Duration(None, "--timeout", "I/O idle timeout for remotes", "5m",
                (o, v) => o.Remotes = o.Remotes with { Timeout = v }),
            Duration(None, "--contimeout", "Connect timeout for remotes", "1m",
                (o, v) => o.Remotes = o.Remotes with { ConnectTimeout = v }),
            Bool(None, "--rclone-backend", "Send every remote through rclone (rclone rcd), sftp and s3 too; remote types "
                + "without a native backend always go through rclone",
                (o, v) => o.Remotes = o.Remotes with { Rclone = o.Remotes.Rclone with { ForAllRemotes = v } }),
            Str(None, "--rclone-binary", "The rclone to run for the rclone backend", null,
                (o, v) => o.Remotes = o.Remotes with { Rclone = o.Remotes.Rclone with { Binary = v } },
                defaultNote: "rclone from PATH"),
            Bool('h', "--help", "This help",
                (o, v) => o.Cli = o.Cli with { Help = v }),
            Bool('V', "--version", "Print the version",
                (o, v) => o.Cli = o.Cli with { Version = v })),

        .. In(FilterGroup,
            Rule('f', "--filter", "rule", "A filter rule, \"+ pattern\" or \"- pattern\""),
            Rule(None, "--filter-from", "file", "Read filter rules from a file"),
            Rule(None, "--include", "pattern", "Include matching files"),
            Rule(None, "--include-from", "file", "Read include patterns from a file"),
            Rule(None, "--exclude", "pattern", "Exclude matching files"),
            Rule(None, "--exclude-from", "file", "Read exclude patterns from a file"),
            List(None, "--files-from", "file", "Only the files listed in the file",
                (o, v) => o.Filter = o.Filter with { FilesFrom = OptionsBuilder.Append(o.Filter.FilesFrom, v) }),
            List(None, "--files-from-raw", "file", "The same, lines taken as they are",
                (o, v) => o.Filter = o.Filter with { FilesFromRaw = OptionsBuilder.Append(o.Filter.FilesFromRaw, v) }),
            List(None, "--exclude-if-present", "name", "Exclude directories holding a file of this name",
                (o, v) => o.Filter = o.Filter with { ExcludeIfPresent = OptionsBuilder.Append(o.Filter.ExcludeIfPresent, v) }),
            Size(None, "--min-size", "Only files of at least this size (default unit KiB; suffixes B, K, M, G, T, P)",
                (o, v) => o.Filter = o.Filter with { MinSize = v }),
            Size(None, "--max-size", "Only files of at most this size",
                (o, v) => o.Filter = o.Filter with { MaxSize = v }),
            Age(None, "--min-age", "Only files older than this (ms, s, m, h, d, w, M, y, or a date)",
                (o, v) => o.Filter = o.Filter with { MinAge = v }),
            Age(None, "--max-age", "Only files newer than this",
                (o, v) => o.Filter = o.Filter with { MaxAge = v }),
            Bool(None, "--ignore-case", "Match filters case-insensitively",
                (o, v) => o.Filter = o.Filter with { IgnoreCase = v }),
            Enum(None, "--dump", "Print the compiled filter rules, then run",
                [new("filters", true)], null,
                (o, v) => o.Cli = o.Cli with { DumpFilters = (bool)v },
                error: (f, v) => $"--dump {v} is not supported (only --dump filters)")),
    ];

    /// <summary>--compare: comma-separated size, modtime, checksum (at least one, each at most once).</summary>
    public static CompareBy ParseCompare(string v)
    {
        var by = CompareBy.None;
        foreach (var raw in v.Split(','))
        {
            var word = raw.Trim().ToLowerInvariant();
            var one = word switch
            {
                "size" => CompareBy.Size,
                "modtime" => CompareBy.ModTime,
                "checksum" => CompareBy.Checksum,
                _ => throw new UsageException($"invalid --compare \"{v}\": use a comma-separated list of size, modtime, checksum"),
            };
            by |= one;
        }
        return by;
    }

    private static string? CompareProblem(string v)
    {
        try
        {
            ParseCompare(v);
            return null;
        }
        catch (UsageException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>--max-lock: 0 or "off" never expires; otherwise at least rclone's 2m.</summary>
    private static TimeSpan MaxLock(TimeSpan v)
    {
        if (v == Bisync.Units.Duration.Off || v == TimeSpan.Zero) return TimeSpan.Zero;
        if (v < LockFile.MinMaxLock) throw new UsageException($"invalid --max-lock {v}: use 0 (never expires) or at least 2m");
        return v;
    }

    private static readonly Dictionary<string, Flag> ByName = BuildByName();
    private static readonly Flag?[] ByShort = BuildByShort();

    /// <summary>The flag named "--name" (with its dashes), or null.</summary>
    public static Flag? Find(string longName) => ByName.GetValueOrDefault(longName);

    /// <summary>The flag whose one-letter form is <paramref name="letter"/>, or null.</summary>
    public static Flag? FindShort(char letter) => letter < ByShort.Length ? ByShort[letter] : null;

    private static Dictionary<string, Flag> BuildByName()
    {
        var map = new Dictionary<string, Flag>(All.Length, StringComparer.Ordinal);
        foreach (var f in All)
            if (!map.TryAdd(f.Name, f)) throw new InvalidOperationException($"flag {f.Name} is declared twice");
        return map;
    }

    private static Flag?[] BuildByShort()
    {
        var map = new Flag?[128];
        foreach (var f in All)
        {
            if (f.Short == None) continue;
            if (f.Short >= 128 || f.Short == '-' || f.Short == '=') throw new InvalidOperationException($"bad short letter for {f.Name}");
            if (map[f.Short] is not null) throw new InvalidOperationException($"short flag -{f.Short} is declared twice");
            map[f.Short] = f;
        }
        return map;
    }

    private static Flag[] In(FlagGroup group, params Flag[] flags)
    {
        foreach (var f in flags) f.Group = group;
        return flags;
    }

    private static Flag<bool> Bool(char shortName, string name, string help, Action<OptionsBuilder, bool> set) => new()
    {
        Short = shortName, Name = name, Kind = FlagKind.Bool, Help = help, Default = "false",
        Parse = FlagParsers.Bool, Set = set,
    };

    private static Flag<int> Count(char shortName, string name, string help, Action<OptionsBuilder, int> set) => new()
    {
        Short = shortName, Name = name, Kind = FlagKind.Count, Help = help, Default = "0",
        Parse = FlagParsers.Number, Set = set,
    };

    private static Flag<int> Int(char shortName, string name, string help, int min, int max, string @default,
        Action<OptionsBuilder, int> set, bool percent = false) => new()
    {
        Short = shortName, Name = name, Kind = FlagKind.Int, Help = help, Default = @default, ValueName = "int",
        Min = min, Max = max, Percent = percent,
        Parse = FlagParsers.Ranged, Set = set,
    };

    private static Flag<string> Str(char shortName, string name, string help, string? @default,
        Action<OptionsBuilder, string> set, Func<string, string?>? validate = null, string? defaultNote = null) => new()
    {
        Short = shortName, Name = name, Kind = FlagKind.String, Help = help, Default = @default, DefaultNote = defaultNote,
        ValueName = "string",
        Parse = validate is null
            ? FlagParsers.Text
            : (_, v, _) => validate(v) is { } error ? throw new UsageException(error) : v,
        Set = set,
    };

    /// <summary>
    /// One of a fixed list of words. The setter gets the chosen <see cref="Choice.Value"/> (cast it back):
    /// not generic, so no instantiation over another assembly's enum is left for the JIT at start-up.
    /// </summary>
    private static Flag<object> Enum(char shortName, string name, string help, Choice[] choices, string? @default,
        Action<OptionsBuilder, object> set, Func<Flag, string, string>? error = null, string? defaultNote = null)
    {
        var words = new string[choices.Length];
        for (var i = 0; i < choices.Length; i++) words[i] = choices[i].Word;
        return new()
        {
            Short = shortName, Name = name, Kind = FlagKind.Enum, Help = help, Default = @default, DefaultNote = defaultNote, ValueName = "string",
            Choices = words,
            Parse = (f, v, _) =>
            {
                foreach (var c in choices)
                    if (string.Equals(c.Word, v, StringComparison.OrdinalIgnoreCase)) return c.Value;
                throw new UsageException(error is null
                    ? $"invalid {f.Name} \"{v}\": use {FlagParsers.OneOf(f.Choices)}"
                    : error(f, v));
            },
            Set = set,
        };
    }

    /// <summary>
    /// A time-out. Carried as ticks inside (Flag&lt;long&gt; is precompiled; Flag&lt;TimeSpan&gt; would be
    /// compiled at every start), handed to the setter as a TimeSpan.
    /// </summary>
    private static Flag<long> Duration(char shortName, string name, string help, string? @default,
        Action<OptionsBuilder, TimeSpan> set) => new()
    {
        Short = shortName, Name = name, Kind = FlagKind.Duration, Help = help, Default = @default, ValueName = "duration",
        Parse = (f, v, o) => FlagParsers.Duration(f, v, o).Ticks,
        Set = (o, ticks) => set(o, TimeSpan.FromTicks(ticks)),
    };

    /// <summary>A filter age: like a duration, but an error explains the accepted forms.</summary>
    private static Flag<long> Age(char shortName, string name, string help, Action<OptionsBuilder, TimeSpan> set) => new()
    {
        Short = shortName, Name = name, Kind = FlagKind.Duration, Help = help, ValueName = "duration",
        Parse = (f, v, o) => FlagParsers.Age(f, v, o).Ticks,
        Set = (o, ticks) => set(o, TimeSpan.FromTicks(ticks)),
    };

    private static Flag<long> Size(char shortName, string name, string help, Action<OptionsBuilder, long> set) => new()
    {
        Short = shortName, Name = name, Kind = FlagKind.Size, Help = help, ValueName = "size",
        Parse = FlagParsers.Size, Set = set,
    };

    private static Flag<string> List(char shortName, string name, string valueName, string help, Action<OptionsBuilder, string> set) => new()
    {
        Short = shortName, Name = name, Kind = FlagKind.List, Help = help, ValueName = valueName,
        Parse = FlagParsers.Text, Set = set,
    };

    /// <summary>A filter-rule flag: its values join --filter's in command-line order, tagged with the flag's name.</summary>
    private static Flag<string> Rule(char shortName, string name, string valueName, string help) =>
        List(shortName, name, valueName, help,
            (o, v) => o.Filter = o.Filter with { Rules = OptionsBuilder.Append(o.Filter.Rules, new FilterFlag(name, v)) });
}
