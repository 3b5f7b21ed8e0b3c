using System.Globalization;

namespace Bisync.Filters;

// PLACEHOLDER until the complete filter language lands: minimal size and duration parsing.
public static class SizeSuffix
{
    public static long Parse(string s)
    {
        var t = s.Trim();
        var mult = 1024L;
        var last = t.Length > 0 ? t[^1] : '\0';
        switch (char.ToLowerInvariant(last))
        {
            case 'b': mult = 1; t = t[..^1]; break;
            case 'k': mult = 1L << 10; t = t[..^1]; break;
            case 'm': mult = 1L << 20; t = t[..^1]; break;
            case 'g': mult = 1L << 30; t = t[..^1]; break;
        }
        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) throw new FilterException($"invalid size \"{s}\"");
        return (long)(v * mult);
    }
}

public static class FilterDuration
{
    public static TimeSpan Parse(string s, DateTime now)
    {
        _ = now;
        var t = s.Trim();
        var unit = t.Length > 0 && char.IsLetter(t[^1]) ? t[^1] : 's';
        var num = char.IsLetter(unit) && t.Length > 0 && char.IsLetter(t[^1]) ? t[..^1] : t;
        if (!double.TryParse(num, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) throw new FilterException($"invalid duration \"{s}\"");
        return unit switch
        {
            's' => TimeSpan.FromSeconds(v),
            'm' => TimeSpan.FromMinutes(v),
            'h' => TimeSpan.FromHours(v),
            'd' => TimeSpan.FromDays(v),
            _ => throw new FilterException($"invalid duration \"{s}\""),
        };
    }
}
