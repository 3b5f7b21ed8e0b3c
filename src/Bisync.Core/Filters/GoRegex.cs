using System.Globalization;
using System.Text;

namespace Bisync.Filters;

/// <summary>
/// Rewrites a regular expression in Go's RE2 syntax (what rclone filter rules use, and what
/// {{...}} parts of globs are written in) into an equivalent .NET pattern. Handles the
/// differences that matter for file names: ASCII-only \d \w \s, POSIX classes such as
/// [[:alpha:]], \pL, \Q...\E, (?P&lt;name&gt;...), \x{...} and '$' (end of text only).
/// </summary>
internal static class GoRegex
{
    private static readonly Dictionary<string, string> PosixClasses = new(StringComparer.Ordinal)
    {
        ["alnum"] = "0-9A-Za-z",
        ["alpha"] = "A-Za-z",
        ["ascii"] = "\\x00-\\x7F",
        ["blank"] = "\\t ",
        ["cntrl"] = "\\x00-\\x1F\\x7F",
        ["digit"] = "0-9",
        ["graph"] = "!-~",
        ["lower"] = "a-z",
        ["print"] = " -~",
        ["punct"] = "!-/:-@\\[-`{-~",
        ["space"] = "\\t\\n\\v\\f\\r ",
        ["upper"] = "A-Z",
        ["word"] = "0-9A-Za-z_",
        ["xdigit"] = "0-9A-Fa-f",
    };

    public static string ToDotNet(string go)
    {
        var sb = new StringBuilder(go.Length + 16);
        bool multiline = System.Text.RegularExpressions.Regex.IsMatch(go, @"\(\?[a-zA-Z]*m");
        int i = 0;
        while (i < go.Length)
        {
            char c = go[i];
            if (c == '\\' && i + 1 < go.Length)
            {
                i = Escape(go, i, sb, inClass: false);
            }
            else if (c == '[')
            {
                i = Class(go, i, sb);
            }
            else if (c == '$')
            {
                // Go's '$' (without the m flag) matches only at the very end; .NET's also
                // before a final newline.
                sb.Append(multiline ? "$" : "\\z");
                i++;
            }
            else if (c == '(' && string.CompareOrdinal(go, i, "(?P<", 0, 4) == 0)
            {
                sb.Append("(?<");
                i += 4;
            }
            else
            {
                sb.Append(c);
                i++;
            }
        }
        return sb.ToString();
    }

    /// <summary>Translates the escape at <paramref name="i"/> ('\' and what follows); returns the next index.</summary>
    private static int Escape(string go, int i, StringBuilder sb, bool inClass)
    {
        char e = go[i + 1];
        switch (e)
        {
            case 'd': sb.Append(inClass ? "0-9" : "[0-9]"); return i + 2;
            case 'D': sb.Append(inClass ? "\\D" : "[^0-9]"); return i + 2;
            case 'w': sb.Append(inClass ? "0-9A-Za-z_" : "[0-9A-Za-z_]"); return i + 2;
            case 'W': sb.Append(inClass ? "\\W" : "[^0-9A-Za-z_]"); return i + 2;
            case 's': sb.Append(inClass ? "\\t\\n\\f\\r " : "[\\t\\n\\f\\r ]"); return i + 2;
            case 'S': sb.Append(inClass ? "\\S" : "[^\\t\\n\\f\\r ]"); return i + 2;
            case 'z': sb.Append("\\z"); return i + 2;
            case 'p':
            case 'P':
                if (i + 2 < go.Length && go[i + 2] != '{')
                {
                    sb.Append('\\').Append(e).Append('{').Append(go[i + 2]).Append('}');
                    return i + 3;
                }
                sb.Append('\\').Append(e);
                return i + 2;
            case 'Q':
            {
                int end = go.IndexOf("\\E", i + 2, StringComparison.Ordinal);
                string literal = end < 0 ? go[(i + 2)..] : go[(i + 2)..end];
                foreach (char l in literal)
                {
                    if (Glob.IsRegexMeta(l) || l == '-' || l == ' ' || l == '#') sb.Append('\\');
                    sb.Append(l);
                }
                return end < 0 ? go.Length : end + 2;
            }
            case 'x' when i + 2 < go.Length && go[i + 2] == '{':
            {
                int end = go.IndexOf('}', i + 3);
                if (end > 0 && int.TryParse(go.AsSpan(i + 3, end - i - 3), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int cp)
                    && cp is >= 0 and <= 0x10FFFF)
                {
                    foreach (char ch in char.ConvertFromUtf32(cp)) sb.Append("\\u").Append(((int)ch).ToString("X4", CultureInfo.InvariantCulture));
                    return end + 1;
                }
                sb.Append("\\x");
                return i + 2;
            }
            default:
                sb.Append('\\').Append(e);
                return i + 2;
        }
    }

    /// <summary>Translates the character class starting at <paramref name="i"/>; returns the next index.</summary>
    private static int Class(string go, int i, StringBuilder sb)
    {
        sb.Append('[');
        i++;
        if (i < go.Length && go[i] == '^') { sb.Append('^'); i++; }
        bool first = true;
        while (i < go.Length)
        {
            char c = go[i];
            if (c == ']' && !first)
            {
                sb.Append(']');
                return i + 1;
            }
            first = false;
            if (c == '[' && i + 1 < go.Length && go[i + 1] == ':')
            {
                int end = go.IndexOf(":]", i + 2, StringComparison.Ordinal);
                if (end > 0)
                {
                    string name = go[(i + 2)..end];
                    if (!PosixClasses.TryGetValue(name, out var ranges))
                        throw new ArgumentException($"invalid character class range: [:{name}:]");
                    sb.Append(ranges);
                    i = end + 2;
                    continue;
                }
            }
            if (c == '\\' && i + 1 < go.Length)
            {
                i = Escape(go, i, sb, inClass: true);
                continue;
            }
            if (c == '[')
            {
                // A literal '[' in a Go class; .NET would read "-[" as class subtraction.
                sb.Append("\\[");
                i++;
                continue;
            }
            if (c == ']')
            {
                sb.Append("\\]");
                i++;
                continue;
            }
            sb.Append(c);
            i++;
        }
        // Unterminated: leave it to the .NET parser to report.
        return i;
    }
}
