using System.Text;

namespace Bisync.Cli;

/// <summary>bisync --help: the fixed paragraphs below around the flag list generated from <see cref="Flags.All"/>.</summary>
public static class HelpText
{
    public const string Usage = "Usage: bisync PATH1 PATH2 [flags]";

    private const string Intro = """
Bidirectional synchronisation of PATH1 and PATH2 (behaves as rclone bisync v1.60.1).

Usage:
  bisync PATH1 PATH2 [flags]

The first run must use --resync. Each later run lists both paths, finds what is
new, newer, older or deleted on each side since the prior run, copies changes
each way, keeps both versions of a file changed on both sides (as NAME..path1
and NAME..path2), and writes new listings to the working directory.

""";

    private const string ExitCodes = """
Exit codes:
  0  success
  1  usage error, or a non-critical failure (too many deletes, all files changed,
     lock held, failed transfers, stopped by a signal, a full working directory):
     nothing is locked out, run again once fixed
  2  critical error: listings renamed to *.lst-err, run with --resync (or
     --recover) to recover (also: a bad filter, an unusable working directory,
     an unforeseen error)
  3  a path does not exist
  130, 143  a second SIGINT / SIGTERM ended the run at once

""";

    /// <summary>Descriptions are wrapped to end by this column.</summary>
    private const int Width = 120;

    /// <summary>The whole --help text.</summary>
    public static string Build()
    {
        var column = 0;
        foreach (var f in Flags.All) column = Math.Max(column, Left(f).Length);
        column += 2;

        var text = new StringBuilder(8192);
        text.Append(Intro).Append('\n');
        foreach (var group in Flags.Groups)
        {
            text.Append(group.Title);
            if (group.Note is not null) text.Append(" (").Append(group.Note).Append(')');
            text.Append(":\n");
            foreach (var f in Flags.All)
            {
                if (f.Group != group) continue;
                var left = Left(f);
                text.Append(left).Append(' ', column - left.Length);
                Wrap(text, Describe(f), column);
            }
            text.Append('\n');
        }
        AppendBackendFlags(text);
        text.Append(ExitCodes);
        return text.ToString();
    }

    /// <summary>The backend flags, by type: names only (their meaning is rclone's, as in rclone.conf).</summary>
    private static void AppendBackendFlags(StringBuilder text)
    {
        const int column = 22;
        text.Append("Backend flags (an option of every remote of that type, as rclone's; above RCLONE_* variables and rclone.conf):\n");
        foreach (var type in Bisync.Remotes.Config.BackendFlags.All.Select(o => o.Type).Distinct())
        {
            foreach (var isBool in new[] { false, true })
            {
                var left = $"      {type}{(isBool ? " switches" : " string")}:";
                text.Append(left).Append(' ', Math.Max(1, column - left.Length));
                Wrap(text, string.Join(", ", Bisync.Remotes.Config.BackendFlags.All.Where(o => o.Type == type && o.IsBool == isBool).Select(o => o.Flag)), column);
            }
        }
        text.Append('\n');
    }

    /// <summary>"  -1, --resync" or "      --transfers int".</summary>
    public static string Left(Flag f)
    {
        var s = f.Short == '\0' ? "      " + f.Name : $"  -{f.Short}, {f.Name}";
        return f.TakesNoValue ? s : s + " " + f.ValueName;
    }

    /// <summary>The help sentence with what the table knows added: the words an enum takes, an int's range, the default.</summary>
    public static string Describe(Flag f)
    {
        var d = new StringBuilder(f.Help);
        var extra = new List<string>(2);
        if (f.Kind == FlagKind.Enum) extra.Add(f.Choices.Count == 1 ? "only " + f.Choices[0] : FlagParsers.OneOf(f.Choices));
        if (f.Kind == FlagKind.Int) extra.Add($"{f.Min} to {f.Max}{(f.Percent ? "%" : "")}");
        if (DefaultText(f) is { } def) extra.Add("default " + def);
        if (extra.Count > 0) d.Append(" (").AppendJoin("; ", extra).Append(')');
        d.Append('.');
        return d.ToString();
    }

    /// <summary>The default as --help shows it, or null when there is nothing worth showing.</summary>
    public static string? DefaultText(Flag f)
    {
        if (f.DefaultNote is not null) return f.DefaultNote;
        if (f.Default is null || f.Kind == FlagKind.Count) return null;
        if (f.Kind == FlagKind.Bool) return f.Default == "false" ? null : f.Default;
        return f.Kind is FlagKind.String or FlagKind.Enum ? $"\"{f.Default}\"" : f.Default;
    }

    private static void Wrap(StringBuilder text, string description, int column)
    {
        var room = Math.Max(40, Width - column);
        var lineLength = 0;
        foreach (var word in description.Split(' '))
        {
            if (lineLength > 0 && lineLength + 1 + word.Length > room)
            {
                text.Append('\n').Append(' ', column);
                lineLength = 0;
            }
            if (lineLength > 0) { text.Append(' '); lineLength++; }
            text.Append(word);
            lineLength += word.Length;
        }
        text.Append('\n');
    }
}
