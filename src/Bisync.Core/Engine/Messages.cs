using Bisync.Text;

namespace Bisync.Engine;

/// <summary>The fixed-width rows of rclone bisync's log ("- Path1    Queue copy to Path2   - file").</summary>
public static class Messages
{
    public static string Row(string tag, string action, string subject) => $"- {tag,-8} {action,-35} - {subject}";

    /// <summary>A path as the log shows it: as is when printable, else Go-quoted.</summary>
    public static string ShowPath(string path) => GoQuote.NeedsNoEscaping(path) || !HasUnprintable(path) ? path : GoQuote.Quote(path);

    private static bool HasUnprintable(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '"' || c == '\\') continue;
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                if (!GoQuote.IsPrint(char.ConvertToUtf32(c, s[i + 1]))) return true;
                i++;
                continue;
            }
            if (char.IsSurrogate(c) || !GoQuote.IsPrint(c)) return true;
        }
        return false;
    }
}
