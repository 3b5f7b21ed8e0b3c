using System.Globalization;
using System.Text;

namespace Bisync.Engine;

/// <summary>--conflict-resolve: which version of a file changed on both sides wins (none: both are kept, renamed).</summary>
public enum ConflictResolve { None, Path1, Path2, Newer, Older, Larger, Smaller }

/// <summary>--conflict-loser: what becomes of a conflict's loser (or of both versions when there is no winner).</summary>
public enum ConflictLoser { Num, Pathname, Delete }

/// <summary>--resync-mode: which version wins where a resync finds a file differing on both sides (none: no resync asked).</summary>
public enum ResyncMode { None, Path1, Path2, Newer, Older, Larger, Smaller }

/// <summary>
/// How conflict copies are named: NAME + "." + suffix (+ a number), or with --suffix-keep-extension
/// the suffix goes before the extension (file.conflict1.txt). Suffixes are given per side (one
/// --conflict-suffix value serves both) with any date variables already expanded.
/// </summary>
public sealed record ConflictNaming(ConflictLoser Loser, string Suffix1, string Suffix2, bool KeepExtension)
{
    /// <summary>rclone v1.60.1's names: NAME..path1 and NAME..path2.</summary>
    public static readonly ConflictNaming Legacy = new(ConflictLoser.Pathname, ".path", ".path", false);

    /// <summary>The naming for a conflict without a winner, where both are kept: delete then means num.</summary>
    public ConflictNaming ForKeepBoth => Loser == ConflictLoser.Delete ? this with { Loser = ConflictLoser.Num } : this;

    /// <summary>The naming a run uses: its options' loser and suffix (profile defaults where not given), dates expanded at <paramref name="now"/>.</summary>
    public static ConflictNaming From(BisyncOptions o, DateTimeOffset now)
    {
        var parts = o.EffectiveConflictSuffix.Split(',');
        var s1 = GoTime.ExpandVariables(parts[0], now);
        var s2 = parts.Length > 1 ? GoTime.ExpandVariables(parts[1], now) : s1;
        return new ConflictNaming(o.EffectiveConflictLoser, s1, s2, o.SuffixKeepExtension);
    }

    /// <summary>The problem with a --conflict-suffix value, or null.</summary>
    public static string? Problem(string value)
    {
        var parts = value.Split(',');
        if (parts.Length > 2) return $"invalid --conflict-suffix \"{value}\": one suffix, or two separated by a comma";
        foreach (var p in parts)
            if (p.Length == 0 || p.Contains('/'))
                return $"invalid --conflict-suffix \"{value}\": each suffix at least one character, without '/'";
        return null;
    }

    /// <summary>
    /// The <paramref name="attempt"/>-th name (0 first) tried for <paramref name="side"/>'s copy of
    /// <paramref name="path"/>. num: suffix1, suffix2, suffix3 …; pathname: suffix + side number (only the
    /// suffix when the two sides' suffixes differ), then -2, -3 … where that is in use (rclone would
    /// overwrite it; a version is never lost here).
    /// </summary>
    public string Candidate(string path, int side, int attempt)
    {
        var suffix = side == 1 ? Suffix1 : Suffix2;
        string tag = Loser switch
        {
            ConflictLoser.Pathname when Suffix1 != Suffix2 => suffix + (attempt == 0 ? "" : "-" + (attempt + 1).ToString(CultureInfo.InvariantCulture)),
            ConflictLoser.Pathname => suffix + side.ToString(CultureInfo.InvariantCulture) + (attempt == 0 ? "" : "-" + (attempt + 1).ToString(CultureInfo.InvariantCulture)),
            _ => suffix + (attempt + 1).ToString(CultureInfo.InvariantCulture),
        };
        return Insert(path, tag);
    }

    /// <summary>The first candidate for a side that <paramref name="taken"/> does not hold and is not <paramref name="alsoTaken"/>.</summary>
    public string FirstFree(string path, int side, Func<string, bool> taken, string? alsoTaken, int from = 0)
    {
        for (var n = from; ; n++)
        {
            var name = Candidate(path, side, n);
            if (name != alsoTaken && !taken(name)) return name;
        }
    }

    /// <summary>Which attempt <paramref name="name"/> is for a side (−1 if none of the first ten thousand).</summary>
    public int AttemptOf(string path, int side, string name)
    {
        for (var n = 0; n < 10_000; n++)
            if (Candidate(path, side, n) == name) return n;
        return -1;
    }

    private string Insert(string path, string tag)
    {
        if (KeepExtension)
        {
            var slash = path.LastIndexOf('/');
            var dot = path.LastIndexOf('.');
            if (dot > slash + 1) return path[..dot] + "." + tag + path[dot..];
        }
        return path + "." + tag;
    }
}

/// <summary>Go's ways of writing times and durations, as rclone's messages and --conflict-suffix date variables use them.</summary>
public static class GoTime
{
    private static readonly Dictionary<string, string> Named = new(StringComparer.Ordinal)
    {
        ["Layout"] = "01/02 03:04:05PM '06 -0700",
        ["ANSIC"] = "Mon Jan _2 15:04:05 2006",
        ["UnixDate"] = "Mon Jan _2 15:04:05 MST 2006",
        ["RubyDate"] = "Mon Jan 02 15:04:05 -0700 2006",
        ["RFC822"] = "02 Jan 06 15:04 MST",
        ["RFC822Z"] = "02 Jan 06 15:04 -0700",
        ["RFC850"] = "Monday, 02-Jan-06 15:04:05 MST",
        ["RFC1123"] = "Mon, 02 Jan 2006 15:04:05 MST",
        ["RFC1123Z"] = "Mon, 02 Jan 2006 15:04:05 -0700",
        ["RFC3339"] = "2006-01-02T15:04:05Z07:00",
        ["RFC3339Nano"] = "2006-01-02T15:04:05.999999999Z07:00",
        ["Kitchen"] = "3:04PM",
        ["Stamp"] = "Jan _2 15:04:05",
        ["StampMilli"] = "Jan _2 15:04:05.000",
        ["StampMicro"] = "Jan _2 15:04:05.000000",
        ["StampNano"] = "Jan _2 15:04:05.000000000",
        ["DateTime"] = "2006-01-02 15:04:05",
        ["DateOnly"] = "2006-01-02",
        ["TimeOnly"] = "15:04:05",
        ["MacFriendlyTime"] = "2006-01-02 0304PM",
        ["mac"] = "2006-01-02 0304PM",
    };

    /// <summary>Each {NAME} (a Go layout constant, MacFriendlyTime or mac) or {LAYOUT} (a Go layout) replaced by <paramref name="now"/> so written.</summary>
    public static string ExpandVariables(string s, DateTimeOffset now)
    {
        if (!s.Contains('{')) return s;
        var sb = new StringBuilder();
        var i = 0;
        while (i < s.Length)
        {
            var open = s.IndexOf('{', i);
            var close = open < 0 ? -1 : s.IndexOf('}', open + 1);
            if (open < 0 || close < 0)
            {
                sb.Append(s, i, s.Length - i);
                break;
            }
            sb.Append(s, i, open - i);
            var inner = s[(open + 1)..close];
            sb.Append(Format(now, Named.TryGetValue(inner, out var layout) ? layout : inner));
            i = close + 1;
        }
        return sb.ToString();
    }

    /// <summary><paramref name="t"/> written with a Go reference-time layout ("2006-01-02 15:04:05" …).</summary>
    public static string Format(DateTimeOffset t, string layout)
    {
        var sb = new StringBuilder();
        var i = 0;
        bool At(string token) => string.CompareOrdinal(layout, i, token, 0, token.Length) == 0;
        string Two(int v) => v.ToString("00", CultureInfo.InvariantCulture);
        string Zone(bool colon, bool z, bool seconds)
        {
            var off = t.Offset;
            if (z && off == TimeSpan.Zero) return "Z";
            var sign = off < TimeSpan.Zero ? "-" : "+";
            off = off.Duration();
            var s = sign + Two(off.Hours) + (colon ? ":" : "") + Two(off.Minutes);
            if (seconds) s += (colon ? ":" : "") + Two(off.Seconds);
            return s;
        }
        var hour12 = t.Hour % 12 == 0 ? 12 : t.Hour % 12;
        var ns = (t.Ticks % TimeSpan.TicksPerSecond) * 100;
        while (i < layout.Length)
        {
            var c = layout[i];
            (string Token, Func<string> Text)[] tokens =
            [
                ("January", () => CultureInfo.InvariantCulture.DateTimeFormat.GetMonthName(t.Month)),
                ("Jan", () => CultureInfo.InvariantCulture.DateTimeFormat.GetAbbreviatedMonthName(t.Month)),
                ("Monday", () => t.DayOfWeek.ToString()),
                ("Mon", () => t.DayOfWeek.ToString()[..3]),
                ("MST", () => t.Offset == TimeSpan.Zero ? "UTC" : Zone(false, false, false)),
                ("2006", () => t.Year.ToString("0000", CultureInfo.InvariantCulture)),
                ("-07:00:00", () => Zone(true, false, true)), ("-070000", () => Zone(false, false, true)),
                ("-07:00", () => Zone(true, false, false)), ("-0700", () => Zone(false, false, false)),
                ("-07", () => Zone(false, false, false)[..3]),
                ("Z07:00:00", () => Zone(true, true, true)), ("Z070000", () => Zone(false, true, true)),
                ("Z07:00", () => Zone(true, true, false)), ("Z0700", () => Zone(false, true, false)),
                ("Z07", () => t.Offset == TimeSpan.Zero ? "Z" : Zone(false, false, false)[..3]),
                ("002", () => t.DayOfYear.ToString("000", CultureInfo.InvariantCulture)),
                ("01", () => Two(t.Month)), ("02", () => Two(t.Day)), ("03", () => Two(hour12)),
                ("04", () => Two(t.Minute)), ("05", () => Two(t.Second)), ("06", () => Two(t.Year % 100)),
                ("15", () => t.Hour.ToString(CultureInfo.InvariantCulture)),
                ("_2", () => t.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2)),
                ("1", () => t.Month.ToString(CultureInfo.InvariantCulture)), ("2", () => t.Day.ToString(CultureInfo.InvariantCulture)),
                ("3", () => hour12.ToString(CultureInfo.InvariantCulture)), ("4", () => t.Minute.ToString(CultureInfo.InvariantCulture)),
                ("5", () => t.Second.ToString(CultureInfo.InvariantCulture)),
                ("PM", () => t.Hour >= 12 ? "PM" : "AM"), ("pm", () => t.Hour >= 12 ? "pm" : "am"),
            ];
            if ((c == '.' || c == ',') && i + 1 < layout.Length && (layout[i + 1] == '0' || layout[i + 1] == '9'))
            {
                var digit = layout[i + 1];
                var j = i + 1;
                while (j < layout.Length && layout[j] == digit) j++;
                var width = Math.Min(j - i - 1, 9);
                var frac = (ns / (long)Math.Pow(10, 9 - width)).ToString(new string('0', width), CultureInfo.InvariantCulture);
                if (digit == '9') frac = frac.TrimEnd('0');
                if (frac.Length > 0) sb.Append(c).Append(frac);
                i = j;
                continue;
            }
            var matched = false;
            foreach (var (token, text) in tokens)
            {
                if (!At(token)) continue;
                sb.Append(text());
                i += token.Length;
                matched = true;
                break;
            }
            if (matched) continue;
            sb.Append(c);
            i++;
        }
        return sb.ToString();
    }

    /// <summary>A time as Go prints one: "2001-03-04 00:00:00 +0000 UTC" (UTC; fraction only when there is one).</summary>
    public static string Show(long unixNs)
    {
        var t = new DateTimeOffset(DateTime.UnixEpoch.AddTicks(unixNs / 100), TimeSpan.Zero);
        var frac = unixNs % 1_000_000_000;
        if (frac < 0) frac += 1_000_000_000;
        var s = t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        if (frac != 0) s += "." + frac.ToString("000000000", CultureInfo.InvariantCulture).TrimEnd('0');
        return s + " +0000 UTC";
    }

    /// <summary>A duration as Go prints one: 1464h0m0s, 1m30.5s, 1.5s, 250ms, 0s.</summary>
    public static string Duration(long ns)
    {
        if (ns == 0) return "0s";
        var neg = ns < 0;
        var u = (ulong)(neg ? -ns : ns);
        string s;
        if (u < 1_000_000_000)
        {
            var (unit, scale) = u < 1_000 ? ("ns", 1UL) : u < 1_000_000 ? ("µs", 1_000UL) : ("ms", 1_000_000UL);
            s = Fraction(u, scale) + unit;
        }
        else
        {
            var secs = u / 1_000_000_000;
            var sec = Fraction(u % 60_000_000_000, 1_000_000_000) + "s";
            var mins = secs / 60;
            s = mins == 0 ? sec : mins < 60 ? $"{mins}m{sec}" : $"{mins / 60}h{mins % 60}m{sec}";
        }
        return neg ? "-" + s : s;
    }

    private static string Fraction(ulong v, ulong scale)
    {
        var whole = (v / scale).ToString(CultureInfo.InvariantCulture);
        var rest = v % scale;
        if (rest == 0) return whole;
        var digits = scale.ToString(CultureInfo.InvariantCulture).Length - 1;
        return whole + "." + rest.ToString(new string('0', digits), CultureInfo.InvariantCulture).TrimEnd('0');
    }
}
