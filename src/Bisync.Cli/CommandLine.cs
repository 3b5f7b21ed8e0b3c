using Bisync.Engine;
using Bisync.Logging;
using Bisync.Remotes;
using Bisync.Remotes.Config;

namespace Bisync.Cli;

/// <summary>A command-line mistake: printed as one line, exit code 1 (as rclone's usage errors).</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>Everything the command line asked for.</summary>
public sealed record CliOptions
{
    public required BisyncOptions Bisync { get; init; }

    /// <summary>--config, --retries, --low-level-retries, --timeout, --contimeout, and --checkers (the same value as Bisync.Checkers).</summary>
    public RemoteOptions Remotes { get; init; } = new();

    /// <summary>From -v, -q and --log-level.</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Notice;
    public string? LogFile { get; init; }
    public bool Help { get; init; }
    public bool Version { get; init; }
    public bool DumpFilters { get; init; }
}

/// <summary>
/// rclone-style (pflag) flag parsing, driven by <see cref="Flags.All"/>: --flag value, --flag=value,
/// booleans as --flag or --flag=true|false, -x value, -xVALUE, -x=VALUE, combined letters (-nv, -vv),
/// "--" ends the flags, "-" is a path. Hand-written: it costs next to nothing at start-up.
/// </summary>
public static class CommandLine
{
    public static CliOptions Parse(string[] args)
    {
        var o = new OptionsBuilder();
        // The profile's environment variable is a default: --compat on the command line wins.
        if (Environment.GetEnvironmentVariable("BISYNC_COMPAT") is { Length: > 0 } compat)
        {
            try { Flags.Find("--compat")!.Apply(o, compat); }
            catch (UsageException e) { throw new UsageException($"BISYNC_COMPAT: {e.Message}"); }
        }
        string? path1 = null, path2 = null;
        var positional = 0;
        var onlyPositional = false;

        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (onlyPositional || arg.Length < 2 || arg[0] != '-')
            {
                if (positional == 0) path1 = arg; else if (positional == 1) path2 = arg;
                positional++;
                continue;
            }
            if (arg == "--") { onlyPositional = true; continue; }

            if (arg[1] == '-')
            {
                var eq = arg.IndexOf('=');
                var name = eq < 0 ? arg : arg[..eq];
                var flag = Flags.Find(name);
                if (flag is null && BackendFlags.TryFind(name, out var backend))
                {
                    string v;
                    if (eq >= 0) v = arg[(eq + 1)..];
                    else if (backend.IsBool) v = "true";
                    else if (i + 1 < args.Length) v = args[++i];
                    else throw new UsageException($"flag needs an argument: {name}");
                    if (backend.IsBool && v.ToLowerInvariant() is not ("true" or "false"))
                        throw new UsageException($"invalid value \"{v}\" for {name}: use true or false");
                    o.BackendFlags[BackendFlags.Key(backend.Type, backend.Name)] = backend.IsBool ? v.ToLowerInvariant() : v;
                    continue;
                }
                if (flag is null) throw new UsageException($"unknown flag: {name}");
                string value;
                if (eq >= 0) value = arg[(eq + 1)..];
                else if (flag.TakesNoValue) value = flag.ImplicitValue;
                else if (i + 1 < args.Length) value = args[++i];
                else throw new UsageException($"flag needs an argument: {flag.Name}");
                flag.Apply(o, value);
                continue;
            }

            // One or more letters: -v, -vv, -nv, -fRULE, -f=RULE, -f RULE, -n=false. As pflag: a letter
            // that takes no value may be followed by more letters; one that takes a value takes the rest
            // of the word (after an optional '='), or else the next argument.
            for (var j = 1; j < arg.Length; j++)
            {
                var letter = arg[j];
                var flag = Flags.FindShort(letter) ?? throw new UsageException($"unknown shorthand flag: '{letter}' in {arg}");
                var rest = j + 1 < arg.Length;
                if (flag.TakesNoValue)
                {
                    if (rest && arg[j + 1] == '=')
                    {
                        flag.Apply(o, arg[(j + 2)..]);
                        break;
                    }
                    flag.Apply(o, flag.ImplicitValue);
                    continue;
                }
                string value;
                if (rest) value = arg[j + 1] == '=' ? arg[(j + 2)..] : arg[(j + 1)..];
                else if (i + 1 < args.Length) value = args[++i];
                else throw new UsageException($"flag needs an argument: {flag.Name}");
                flag.Apply(o, value);
                break;
            }
        }

        var cli = o.Cli;
        if (!cli.Help && !cli.Version && positional != 2)
            throw new UsageException($"bisync needs exactly 2 arguments, PATH1 and PATH2: you gave {positional}");

        var level = o.Verbose switch
        {
            <= 0 => LogLevel.Notice,
            1 => LogLevel.Info,
            _ => LogLevel.Debug,
        };
        if (o.Quiet) level = LogLevel.Error;
        if (o.LogLevel is { } explicitLevel) level = explicitLevel;

        var bisync = o.Bisync with
        {
            Path1 = path1 ?? "",
            Path2 = path2 ?? "",
            Filter = o.Filter,
            ProgressInPlace = !Console.IsErrorRedirected,
        };
        return cli with
        {
            Bisync = bisync,
            // --checkers is parsed once; the engine and the backends both use that one value.
            Remotes = o.Remotes with { Checkers = bisync.Checkers, BackendFlags = o.BackendFlags.Count > 0 ? o.BackendFlags : o.Remotes.BackendFlags },
            LogLevel = level,
        };
    }
}
