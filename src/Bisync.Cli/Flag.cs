using System.Globalization;
using Bisync.Engine;
using Bisync.Filters;
using Bisync.Logging;
using Bisync.Remotes;
using RcloneDuration = Bisync.Units.Duration;
using RcloneSize = Bisync.Units.SizeSuffix;

namespace Bisync.Cli;

/// <summary>What a flag's value is; decides how it is parsed and shown in --help.</summary>
public enum FlagKind
{
    /// <summary>--flag, --flag=true|false, -x, -x=false.</summary>
    Bool,
    /// <summary>-v, -vv, --verbose, --verbose=N: each use adds.</summary>
    Count,
    /// <summary>A whole number within [Min, Max].</summary>
    Int,
    String,
    /// <summary>One of a fixed list of words (<see cref="Flag.Choices"/>), case-insensitive.</summary>
    Enum,
    /// <summary>rclone's duration syntax (90s, 1h30m, 2d, ...).</summary>
    Duration,
    /// <summary>rclone's size syntax (KiB by default; B, K, M, G, T, P suffixes).</summary>
    Size,
    /// <summary>A string flag that may be given many times; every value is kept, in order.</summary>
    List,
}

/// <summary>A heading in --help; flags are shown under their group in table order.</summary>
public sealed class FlagGroup(string title, string? note = null)
{
    public string Title { get; } = title;

    /// <summary>Shown in brackets after the title.</summary>
    public string? Note { get; } = note;
}

/// <summary>
/// The options a parse is building. Flag setters replace one record at a time
/// (<c>o.Bisync = o.Bisync with { X = v }</c>); <see cref="CommandLine.Parse"/> joins them at the end.
/// </summary>
public sealed class OptionsBuilder
{
    public BisyncOptions Bisync = new() { Path1 = "", Path2 = "" };
    public FilterOptions Filter = new();
    public RemoteOptions Remotes = new();
    public CliOptions Cli = new() { Bisync = new() { Path1 = "", Path2 = "" } };

    /// <summary>--sftp-OPTION / --s3-OPTION values (see <see cref="Bisync.Remotes.Config.BackendFlags"/>).</summary>
    public readonly Dictionary<string, string> BackendFlags = new(StringComparer.Ordinal);

    /// <summary>-v count, -q and --log-level: combined into one level at the end (--log-level wins, then -q).</summary>
    public int Verbose;
    public bool Quiet;
    public LogLevel? LogLevel;

    private DateTime? now;

    /// <summary>The time ages (--min-age 2024-01-02) are measured from: read once, when first needed.</summary>
    public DateTime Now => now ??= DateTime.Now;

    /// <summary>A copy of <paramref name="list"/> with <paramref name="item"/> at the end (lists are short).</summary>
    public static IReadOnlyList<T> Append<T>(IReadOnlyList<T> list, T item)
    {
        var copy = new T[list.Count + 1];
        for (var i = 0; i < list.Count; i++) copy[i] = list[i];
        copy[^1] = item;
        return copy;
    }
}

/// <summary>A word an <see cref="FlagKind.Enum"/> flag takes and the value it stands for.</summary>
public readonly struct Choice(string word, object value)
{
    public string Word { get; } = word;
    public object Value { get; } = value;
}

/// <summary>One command-line flag: everything the parser, --help and the tests need to know about it.</summary>
public abstract class Flag
{
    /// <summary>Long name with its dashes, e.g. "--transfers".</summary>
    public required string Name { get; init; }

    /// <summary>One-letter form (-x), or '\0' when there is none.</summary>
    public char Short { get; init; }

    public required FlagKind Kind { get; init; }

    public required string Help { get; init; }

    /// <summary>Set by <see cref="Flags"/> from the block the flag is declared in.</summary>
    public FlagGroup Group { get; internal set; } = null!;

    /// <summary>
    /// The default as a user would type it (giving it changes nothing, which a test checks);
    /// null when the default is "not set".
    /// </summary>
    public string? Default { get; init; }

    /// <summary>Shown in --help instead of <see cref="Default"/> when the default is worked out at run time.</summary>
    public string? DefaultNote { get; init; }

    /// <summary>The word after the flag in --help ("int", "string", "file", ...).</summary>
    public string? ValueName { get; init; }

    /// <summary>Range of an <see cref="FlagKind.Int"/> flag, inclusive.</summary>
    public int Min { get; init; }
    public int Max { get; init; }

    /// <summary>An <see cref="FlagKind.Int"/> flag that also takes a trailing '%' (--max-delete 50%).</summary>
    public bool Percent { get; init; }

    /// <summary>The words an <see cref="FlagKind.Enum"/> flag takes, in the spelling --help shows.</summary>
    public IReadOnlyList<string> Choices { get; init; } = [];

    /// <summary>True for flags that take no value unless given as --flag=value.</summary>
    public bool TakesNoValue => Kind is FlagKind.Bool or FlagKind.Count;

    /// <summary>The value a flag with no value stands for: true for a bool, one more for a count.</summary>
    public string ImplicitValue => Kind == FlagKind.Count ? "1" : "true";

    /// <summary>Parses <paramref name="value"/> and sets it on <paramref name="o"/>; a bad value is a <see cref="UsageException"/>.</summary>
    public abstract void Apply(OptionsBuilder o, string value);
}

/// <summary>
/// A flag whose value parses to <typeparamref name="T"/>. Only bool, int, long, string and object are
/// used: ReadyToRun precompiles those, while an instantiation over a value type from another assembly
/// (TimeSpan, an engine enum) would be JIT-compiled at every start.
/// </summary>
public sealed class Flag<T> : Flag
{
    public required Func<Flag, string, OptionsBuilder, T> Parse { get; init; }
    public required Action<OptionsBuilder, T> Set { get; init; }

    public override void Apply(OptionsBuilder o, string value) => Set(o, Parse(this, value, o));
}

/// <summary>The value parsers of the flag kinds; each error is one line naming the flag.</summary>
internal static class FlagParsers
{
    public static bool Bool(Flag f, string value, OptionsBuilder _) => value.ToLowerInvariant() switch
    {
        "true" or "1" or "t" or "yes" => true,
        "false" or "0" or "f" or "no" => false,
        _ => throw new UsageException($"invalid value \"{value}\" for {f.Name}: use true or false"),
    };

    public static int Number(Flag f, string value, OptionsBuilder _) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new UsageException($"invalid number \"{value}\" for {f.Name}");

    public static int Ranged(Flag f, string value, OptionsBuilder o)
    {
        var n = Number(f, f.Percent && value.EndsWith('%') ? value[..^1] : value, o);
        if (n < f.Min || n > f.Max) throw new UsageException($"{f.Name} must be between {f.Min} and {f.Max}, not {value}");
        return n;
    }

    public static string Text(Flag f, string value, OptionsBuilder _) => value;

    public static long Size(Flag f, string value, OptionsBuilder _)
    {
        try
        {
            return RcloneSize.Parse(value);
        }
        catch (FormatException ex)
        {
            throw new UsageException(Named(ex, f, value));
        }
    }

    /// <summary>A time-out ("off" and 0 mean no limit): the flag is named in the error.</summary>
    public static TimeSpan Duration(Flag f, string value, OptionsBuilder o)
    {
        try
        {
            return RcloneDuration.Parse(value);
        }
        catch (FormatException ex)
        {
            throw new UsageException(Named(ex, f, value));
        }
    }

    /// <summary>A filter age: the error lists the accepted forms.</summary>
    public static TimeSpan Age(Flag f, string value, OptionsBuilder o)
    {
        try
        {
            return RcloneDuration.Parse(value, o.Now);
        }
        catch (FormatException ex)
        {
            throw new UsageException(Named(ex, f, value));
        }
    }

    /// <summary>A parser's one line with the flag put after the value: invalid size "10X" for --max-size: bad suffix 'X'.</summary>
    private static string Named(FormatException ex, Flag f, string value)
    {
        var quoted = $"\"{value}\"";
        var at = ex.Message.IndexOf(quoted, StringComparison.Ordinal);
        return at < 0 ? $"{ex.Message} ({f.Name})" : ex.Message.Insert(at + quoted.Length, " for " + f.Name);
    }

    /// <summary>"a, b or c".</summary>
    public static string OneOf(IReadOnlyList<string> words) =>
        words.Count == 1 ? words[0] : string.Join(", ", words.Take(words.Count - 1)) + " or " + words[^1];
}
