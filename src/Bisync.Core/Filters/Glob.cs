using System.Text;

namespace Bisync.Filters;

/// <summary>A glob that cannot be turned into a regular expression.</summary>
internal sealed class GlobException(string message, bool braceMismatch = false) : Exception(message)
{
    /// <summary>True when the problem is an unbalanced '{' / '}' (used when deriving directory globs).</summary>
    public bool BraceMismatch { get; } = braceMismatch;
}

/// <summary>
/// Turns rclone filter globs into regular expressions, written in the syntax rclone prints
/// with --dump filters (Go's RE2 syntax). <see cref="GoRegex"/> turns that text into a .NET pattern.
/// </summary>
internal static class Glob
{
    /// <summary>
    /// The regular expression for <paramref name="glob"/>: a leading '/' anchors it at the root,
    /// otherwise it may match after any '/'. The whole remaining path must match.
    /// </summary>
    public static string ToRegex(string glob, bool ignoreCase)
    {
        var sb = new StringBuilder(glob.Length * 2 + 12);
        if (ignoreCase) sb.Append("(?i)");
        int i = 0;
        if (glob.StartsWith('/'))
        {
            sb.Append('^');
            i = 1;
        }
        else
        {
            sb.Append("(^|/)");
        }

        bool inBraces = false;
        while (i < glob.Length)
        {
            char c = glob[i];
            switch (c)
            {
                case '\\':
                    // An escaped character goes through as a regexp escape; a lone trailing
                    // backslash goes through as it is (rclone does the same).
                    sb.Append('\\');
                    if (i + 1 < glob.Length) sb.Append(glob[i + 1]);
                    i += 2;
                    break;

                case '*':
                {
                    int stars = 1;
                    while (i + stars < glob.Length && glob[i + stars] == '*') stars++;
                    if (stars > 2) throw new GlobException($"too many stars in \"{glob}\"");
                    sb.Append(stars == 2 ? ".*" : "[^/]*");
                    i += stars;
                    break;
                }

                case '?':
                    sb.Append("[^/]");
                    i++;
                    break;

                case '[':
                {
                    // A character class goes through untouched. '[' inside it opens a nested
                    // bracket (as in "[[:alpha:]]") that needs its own ']'.
                    int depth = 0, j = i;
                    for (; j < glob.Length; j++)
                    {
                        if (glob[j] == '[') depth++;
                        else if (glob[j] == ']' && --depth == 0) break;
                    }
                    if (j >= glob.Length) throw new GlobException($"mismatched '[' and ']' in glob \"{glob}\"");
                    sb.Append(glob, i, j - i + 1);
                    i = j + 1;
                    break;
                }

                case ']':
                    throw new GlobException($"mismatched ']' in glob \"{glob}\"");

                case '{':
                    if (i + 1 < glob.Length && glob[i + 1] == '{')
                    {
                        // "{{regexp}}": the closing "}}" is the last two of the first run of '}'
                        // that is at least two long.
                        int close = glob.IndexOf("}}", i + 2, StringComparison.Ordinal);
                        if (close < 0) throw new GlobException($"mismatched '{{{{' and '}}}}' in glob \"{glob}\"", braceMismatch: true);
                        while (close + 2 < glob.Length && glob[close + 2] == '}') close++;
                        sb.Append('(').Append(glob, i + 2, close - (i + 2)).Append(')');
                        i = close + 2;
                        break;
                    }
                    if (inBraces) throw new GlobException($"can't nest '{{' '}}' in glob \"{glob}\"", braceMismatch: true);
                    inBraces = true;
                    sb.Append('(');
                    i++;
                    break;

                case '}':
                    if (!inBraces) throw new GlobException($"mismatched '{{' and '}}' in glob \"{glob}\"", braceMismatch: true);
                    inBraces = false;
                    sb.Append(')');
                    i++;
                    break;

                case ',':
                    sb.Append(inBraces ? '|' : ',');
                    i++;
                    break;

                default:
                    if (IsRegexMeta(c)) sb.Append('\\');
                    sb.Append(c);
                    i++;
                    break;
            }
        }
        if (inBraces) throw new GlobException($"mismatched '{{' and '}}' in glob \"{glob}\"", braceMismatch: true);
        sb.Append('$');
        return sb.ToString();
    }

    /// <summary>
    /// Literal text every path matched by a glob must hold: <see cref="Prefix"/> at its start
    /// (anchored globs), <see cref="Suffix"/> at its end, <see cref="Longest"/> somewhere.
    /// </summary>
    internal sealed record Literals(string? Prefix, string? Suffix, string? Longest);

    /// <summary>
    /// The literal runs of a glob that any match must contain (outside classes, braces and
    /// escapes), or null when there is nothing worth checking or the glob has a {{regexp}}.
    /// </summary>
    internal static Literals? RequiredLiterals(string glob)
    {
        if (glob.Contains("{{", StringComparison.Ordinal)) return null;
        bool anchored = glob.StartsWith('/');
        int start = anchored ? 1 : 0;
        var runs = new List<(int Start, int End)>();
        int runStart = -1;
        bool inBraces = false;
        int i = start;
        while (i < glob.Length)
        {
            char c = glob[i];
            if (c is '\\' or '[' or '{' or '}' or '*' or '?' || inBraces)
            {
                if (runStart >= 0) { runs.Add((runStart, i)); runStart = -1; }
                if (c == '\\') { i += 2; continue; }
                if (c == '[')
                {
                    int depth = 0;
                    for (; i < glob.Length; i++)
                    {
                        if (glob[i] == '[') depth++;
                        else if (glob[i] == ']' && --depth == 0) break;
                    }
                    i++;
                    continue;
                }
                if (c == '{') inBraces = true;
                else if (c == '}') inBraces = false;
                i++;
                continue;
            }
            if (runStart < 0) runStart = i;
            i++;
        }
        if (runStart >= 0) runs.Add((runStart, glob.Length));
        if (runs.Count == 0) return null;
        string? prefix = anchored && runs[0].Start == start ? glob[runs[0].Start..runs[0].End] : null;
        string? suffix = runs[^1].End == glob.Length ? glob[runs[^1].Start..runs[^1].End] : null;
        var longest = runs.MaxBy(r => r.End - r.Start);
        string? longestText = longest.End - longest.Start >= 2 ? glob[longest.Start..longest.End] : null;
        if (longestText == prefix || longestText == suffix) longestText = null;
        return prefix is null && suffix is null && longestText is null ? null : new Literals(prefix, suffix, longestText);
    }

    /// <summary>The characters that have a meaning in a regexp and are quoted when literal.</summary>
    internal static bool IsRegexMeta(char c) => c is '\\' or '.' or '+' or '*' or '?' or '(' or ')' or '|'
        or '[' or ']' or '{' or '}' or '^' or '$';
}
