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

    /// <summary>The characters that have a meaning in a regexp and are quoted when literal.</summary>
    internal static bool IsRegexMeta(char c) => c is '\\' or '.' or '+' or '*' or '?' or '(' or ')' or '|'
        or '[' or ']' or '{' or '}' or '^' or '$';
}
