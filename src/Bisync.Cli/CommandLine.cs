using System.Globalization;
using Bisync.Engine;
using Bisync.Filters;
using Bisync.Logging;

namespace Bisync.Cli;

/// <summary>A command-line mistake: printed as one line, exit code 1 (as rclone's usage errors).</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>Everything the command line asked for.</summary>
public sealed record CliOptions
{
    public required BisyncOptions Bisync { get; init; }
    public LogLevel LogLevel { get; init; } = LogLevel.Notice;
    public string? LogFile { get; init; }
    public bool Help { get; init; }
    public bool Version { get; init; }
    public bool DumpFilters { get; init; }
    public string? ConfigPath { get; init; }
    public int Retries { get; init; } = 3;
    public int LowLevelRetries { get; init; } = 10;
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromMinutes(1);
    public bool RcloneBackend { get; init; }
    public string? RcloneBinary { get; init; }
}

/// <summary>
/// rclone-style flag parsing: --flag value, --flag=value, -x value, booleans as --flag or
/// --flag=true|false, repeated -v. Hand-written: it costs nothing at start-up.
/// </summary>
public static class CommandLine
{
    private static readonly HashSet<string> BoolFlags =
    [
        "--check-access", "--force", "--localtime", "--no-cleanup", "--remove-empty-dirs", "--resync",
        "--dry-run", "--size-only", "--help", "--quiet", "--ignore-case", "--version", "--checksum", "--progress",
        "--rclone-backend",
    ];

    private static readonly HashSet<string> ValueFlags =
    [
        "--check-filename", "--check-sync", "--filters-file", "--workdir", "--max-delete", "--log-file", "--log-level",
        "--transfers", "--checkers", "--filter", "--filter-from", "--include", "--include-from", "--exclude",
        "--exclude-from", "--files-from", "--files-from-raw", "--exclude-if-present", "--min-size", "--max-size",
        "--min-age", "--max-age", "--dump", "--config", "--retries", "--low-level-retries", "--timeout", "--contimeout",
        "--rclone-binary",
    ];

    private static readonly Dictionary<char, string> Short = new()
    {
        ['1'] = "--resync", ['n'] = "--dry-run", ['q'] = "--quiet", ['h'] = "--help", ['f'] = "--filter", ['V'] = "--version", ['P'] = "--progress", ['c'] = "--checksum",
    };

    public static CliOptions Parse(string[] args)
    {
        var positional = new List<string>();
        var bools = new HashSet<string>();
        var values = new Dictionary<string, string>();
        var filterRules = new List<FilterFlag>();
        var filesFrom = new List<string>();
        var filesFromRaw = new List<string>();
        var excludeIfPresent = new List<string>();
        var verbose = 0;
        var onlyPositional = false;

        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (onlyPositional || arg == "-" || !arg.StartsWith('-')) { positional.Add(arg); continue; }
            if (arg == "--") { onlyPositional = true; continue; }

            string name;
            string? inline = null;
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                var eq = arg.IndexOf('=');
                name = eq < 0 ? arg : arg[..eq];
                if (eq >= 0) inline = arg[(eq + 1)..];
                if (name == "--verbose")
                {
                    verbose += inline is null ? 1 : ParseInt(name, inline);
                    continue;
                }
            }
            else
            {
                // Short flags: -v, -vv, -1, -n, -q, -h, -f RULE, -fRULE
                var letters = arg[1..];
                if (letters.All(c => c == 'v')) { verbose += letters.Length; continue; }
                if (letters.Length >= 1 && Short.TryGetValue(letters[0], out var longName))
                {
                    name = longName;
                    if (letters.Length > 1)
                    {
                        if (ValueFlags.Contains(name)) inline = letters[1..].TrimStart('=');
                        else throw new UsageException($"unknown shorthand flag: '{letters[1]}' in {arg}");
                    }
                }
                else
                {
                    throw new UsageException($"unknown shorthand flag: '{(letters.Length > 0 ? letters[0] : '-')}' in {arg}");
                }
            }

            if (BoolFlags.Contains(name))
            {
                var on = inline is null || ParseBool(name, inline);
                if (on) bools.Add(name); else bools.Remove(name);
                continue;
            }
            if (!ValueFlags.Contains(name)) throw new UsageException($"unknown flag: {name}");
            string value;
            if (inline is not null) value = inline;
            else if (i + 1 < args.Length) value = args[++i];
            else throw new UsageException($"flag needs an argument: {name}");

            switch (name)
            {
                case "--filter" or "--filter-from" or "--include" or "--include-from" or "--exclude" or "--exclude-from":
                    filterRules.Add(new FilterFlag(name, value));
                    break;
                case "--files-from": filesFrom.Add(value); break;
                case "--files-from-raw": filesFromRaw.Add(value); break;
                case "--exclude-if-present": excludeIfPresent.Add(value); break;
                default: values[name] = value; break;
            }
        }

        var help = bools.Contains("--help");
        var version = bools.Contains("--version");
        if (!help && !version && positional.Count != 2)
            throw new UsageException($"bisync needs exactly 2 arguments, PATH1 and PATH2: you gave {positional.Count}");

        var now = DateTime.Now;
        var level = LogLevel.Notice;
        if (verbose == 1) level = LogLevel.Info;
        else if (verbose >= 2) level = LogLevel.Debug;
        if (bools.Contains("--quiet")) level = LogLevel.Error;
        if (values.TryGetValue("--log-level", out var lvl))
        {
            level = lvl.ToUpperInvariant() switch
            {
                "DEBUG" => LogLevel.Debug,
                "INFO" => LogLevel.Info,
                "NOTICE" => LogLevel.Notice,
                "ERROR" => LogLevel.Error,
                _ => throw new UsageException($"invalid --log-level \"{lvl}\": use DEBUG, INFO, NOTICE or ERROR"),
            };
        }

        var checkSync = CheckSyncMode.True;
        if (values.TryGetValue("--check-sync", out var cs))
        {
            checkSync = cs.ToLowerInvariant() switch
            {
                "true" => CheckSyncMode.True,
                "false" => CheckSyncMode.False,
                "only" => CheckSyncMode.Only,
                _ => throw new UsageException($"invalid --check-sync \"{cs}\": use true, false or only"),
            };
        }

        FilterOptions filter;
        try
        {
            filter = new FilterOptions
            {
                Rules = filterRules,
                FilesFrom = filesFrom,
                FilesFromRaw = filesFromRaw,
                ExcludeIfPresent = excludeIfPresent,
                MinSize = values.TryGetValue("--min-size", out var mins) ? SizeSuffix.Parse(mins) : null,
                MaxSize = values.TryGetValue("--max-size", out var maxs) ? SizeSuffix.Parse(maxs) : null,
                MinAge = values.TryGetValue("--min-age", out var mina) ? FilterDuration.Parse(mina, now) : null,
                MaxAge = values.TryGetValue("--max-age", out var maxa) ? FilterDuration.Parse(maxa, now) : null,
                IgnoreCase = bools.Contains("--ignore-case"),
            };
        }
        catch (FilterException ex)
        {
            throw new UsageException(ex.Message);
        }

        var dump = values.TryGetValue("--dump", out var dumpWhat) ? dumpWhat : null;
        if (dump is not null && dump != "filters") throw new UsageException($"--dump {dump} is not supported (only --dump filters)");

        var bisync = new BisyncOptions
        {
            Path1 = positional.ElementAtOrDefault(0) ?? "",
            Path2 = positional.ElementAtOrDefault(1) ?? "",
            Workdir = values.GetValueOrDefault("--workdir"),
            Resync = bools.Contains("--resync"),
            CheckAccess = bools.Contains("--check-access"),
            CheckFilename = values.GetValueOrDefault("--check-filename") ?? "RCLONE_TEST",
            CheckSync = checkSync,
            FiltersFile = values.GetValueOrDefault("--filters-file"),
            Force = bools.Contains("--force"),
            LocalTime = bools.Contains("--localtime"),
            NoCleanup = bools.Contains("--no-cleanup"),
            RemoveEmptyDirs = bools.Contains("--remove-empty-dirs"),
            DryRun = bools.Contains("--dry-run"),
            MaxDelete = values.TryGetValue("--max-delete", out var md) ? ParseRange("--max-delete", md, 0, 100) : 50,
            SizeOnly = bools.Contains("--size-only"),
            Checksum = bools.Contains("--checksum"),
            Progress = bools.Contains("--progress"),
            ProgressInPlace = !Console.IsErrorRedirected,
            Transfers = values.TryGetValue("--transfers", out var tr) ? ParseRange("--transfers", tr, 1, 1024) : 4,
            Checkers = values.TryGetValue("--checkers", out var ck) ? ParseRange("--checkers", ck, 1, 1024) : 8,
            Filter = filter,
        };
        if (bisync.CheckFilename.Length == 0 || bisync.CheckFilename.Contains('/'))
            throw new UsageException($"invalid --check-filename \"{bisync.CheckFilename}\": a file name without '/'");

        return new CliOptions
        {
            Bisync = bisync,
            LogLevel = level,
            LogFile = values.GetValueOrDefault("--log-file"),
            Help = help,
            Version = version,
            DumpFilters = dump == "filters",
            ConfigPath = values.GetValueOrDefault("--config"),
            Retries = values.TryGetValue("--retries", out var r) ? ParseRange("--retries", r, 1, 1000) : 3,
            LowLevelRetries = values.TryGetValue("--low-level-retries", out var llr) ? ParseRange("--low-level-retries", llr, 1, 1000) : 10,
            Timeout = values.TryGetValue("--timeout", out var to) ? ParseDuration("--timeout", to) : TimeSpan.FromMinutes(5),
            ConnectTimeout = values.TryGetValue("--contimeout", out var cto) ? ParseDuration("--contimeout", cto) : TimeSpan.FromMinutes(1),
            RcloneBackend = bools.Contains("--rclone-backend"),
            RcloneBinary = values.GetValueOrDefault("--rclone-binary"),
        };
    }

    private static bool ParseBool(string name, string value) => value.ToLowerInvariant() switch
    {
        "true" or "1" or "t" or "yes" => true,
        "false" or "0" or "f" or "no" => false,
        _ => throw new UsageException($"invalid value \"{value}\" for {name}: use true or false"),
    };

    private static int ParseInt(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new UsageException($"invalid number \"{value}\" for {name}");

    private static int ParseRange(string name, string value, int min, int max)
    {
        var n = ParseInt(name, value.TrimEnd('%'));
        if (n < min || n > max) throw new UsageException($"{name} must be between {min} and {max}, not {value}");
        return n;
    }

    private static TimeSpan ParseDuration(string name, string value)
    {
        try
        {
            return FilterDuration.Parse(value, DateTime.Now);
        }
        catch (FilterException)
        {
            throw new UsageException($"invalid duration \"{value}\" for {name}");
        }
    }
}
