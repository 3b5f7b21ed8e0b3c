using System.Globalization;

namespace Bisync.Units;

/// <summary>
/// rclone's duration syntax, the one parser for every duration bisync reads: the time-out flags,
/// the filter ages (--min-age, --max-age) and rclone.conf options. A bad value is a
/// <see cref="FormatException"/> whose message is one line; callers name the flag or option.
/// </summary>
public static class Duration
{
    /// <summary>The value of "off": no limit.</summary>
    public static readonly TimeSpan Off = TimeSpan.MaxValue;

    /// <summary>The longest time-out every consumer takes (timers, sockets, SSH.NET, the AWS SDK: int.MaxValue ms,
    /// about 24 days); longer counts as no limit.</summary>
    private static readonly TimeSpan LongestTimer = TimeSpan.FromMilliseconds(int.MaxValue);

    /// <summary>True when a time-out of <paramref name="d"/> means no limit: "off", zero or negative (as rclone's "0"), or too long for a timer.</summary>
    public static bool IsNoLimit(TimeSpan d) => d <= TimeSpan.Zero || d >= LongestTimer;

    /// <summary>A time-out as timers take it: <see cref="Timeout.InfiniteTimeSpan"/> when it means no limit.</summary>
    public static TimeSpan AsTimeout(TimeSpan d) => IsNoLimit(d) ? Timeout.InfiniteTimeSpan : d;

    /// <summary>A length of time (a time-out): the syntax of <see cref="Parse(string, DateTime)"/> without the absolute times.</summary>
    public static TimeSpan Parse(string text) => Parse(text, default, allowTime: false);

    private static readonly string[] LocalFormats =
    [
        "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ss.FFFFFFF",
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd",
    ];

    /// <summary>
    /// Parses an age. Accepted: "off" (gives <see cref="Off"/>); a bare number of seconds ("90",
    /// "1.5"); a number with one of the units d (day), w (week), M (30 days), y (365 days), e.g.
    /// "2d", "1.5w"; Go-style durations made of ns, us/µs, ms, s, m, h parts ("1h30m", "-10m");
    /// or an absolute time, giving the time elapsed between it and <paramref name="now"/>:
    /// RFC 3339 ("2024-01-02T15:04:05Z", "...+02:00"), or local "2024-01-02T15:04:05",
    /// "2024-01-02 15:04:05", "2024-01-02".
    /// </summary>
    public static TimeSpan Parse(string text, DateTime now) => Parse(text, now, allowTime: true);

    private static TimeSpan Parse(string text, DateTime now, bool allowTime)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text == "off") return Off;

        if (text.Length > 1)
        {
            double unit = text[^1] switch
            {
                'd' => 1,
                'w' => 7,
                'M' => 30,
                'y' => 365,
                _ => 0,
            };
            if (unit != 0 && SizeSuffix.TryParseNumber(text[..^1], out double count))
                return FromTicks(count * unit * TimeSpan.TicksPerDay, text);
        }

        if (SizeSuffix.TryParseNumber(text, out double seconds))
            return FromTicks(seconds * TimeSpan.TicksPerSecond, text);

        if (TryParseGoDuration(text, out double ticks))
            return FromTicks(ticks, text);

        if (allowTime && TryParseTime(text, out DateTime whenUtc))
            return now.ToUniversalTime() - whenUtc;

        throw new FormatException($"invalid duration \"{text}\": expected e.g. 90s, 1h30m, 2d, 1w, 1M, 1y, "
            + (allowTime ? "2006-01-02 or 2006-01-02T15:04:05Z, " : "") + "or off");
    }

    private static TimeSpan FromTicks(double ticks, string text)
    {
        if (!double.IsFinite(ticks) || Math.Abs(ticks) >= TimeSpan.MaxValue.Ticks)
            throw new FormatException($"invalid duration \"{text}\": out of range");
        return TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>A sequence of number+unit pairs with an optional sign, as Go's time.ParseDuration reads them.</summary>
    private static bool TryParseGoDuration(string s, out double ticks)
    {
        ticks = 0;
        int i = 0;
        double sign = 1;
        if (i < s.Length && (s[i] == '+' || s[i] == '-')) { sign = s[i] == '-' ? -1 : 1; i++; }
        if (i >= s.Length) return false;
        while (i < s.Length)
        {
            int start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
            if (i == start) return false;
            if (!double.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double n))
                return false;
            int unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.') i++;
            double perUnit = s[unitStart..i] switch
            {
                "ns" => 0.01,
                "us" or "µs" or "μs" => 10,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                "h" => TimeSpan.TicksPerHour,
                _ => -1,
            };
            if (perUnit < 0) return false;
            ticks += n * perUnit;
        }
        ticks *= sign;
        return true;
    }

    private static bool TryParseTime(string s, out DateTime utc)
    {
        // RFC 3339: with a 'Z' or a numeric offset.
        if (s.Length > 19 && (s.EndsWith('Z') || s[^6] is '+' or '-') && s[10] == 'T'
            && DateTimeOffset.TryParseExact(s, ["yyyy-MM-ddTHH:mm:ssK", "yyyy-MM-ddTHH:mm:ss.FFFFFFFK"],
                CultureInfo.InvariantCulture, DateTimeStyles.None, out var withZone))
        {
            utc = withZone.UtcDateTime;
            return true;
        }
        // Go accepts up to 9 fraction digits; .NET up to 7: drop the extra ones.
        string trimmed = System.Text.RegularExpressions.Regex.Replace(s, @"(\.\d{7})\d{1,2}$", "$1");
        if (DateTime.TryParseExact(trimmed, LocalFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var local))
        {
            utc = local.ToUniversalTime();
            return true;
        }
        utc = default;
        return false;
    }
}
