using System.Globalization;

namespace Bisync.Remotes.Config;

/// <summary>rclone's size ("5Mi", "200M", "1G"; binary multiples, bare number = KiB for flags but bytes here) and duration ("1m30s", "10s", "2h", "1d") syntax.</summary>
public static class Units
{
    /// <summary>Sizes: a number with an optional suffix b, k/K, M, G, T, P (each 1024×, an 'i' after it allowed). A bare number counts bytes.</summary>
    public static bool TryParseSize(string text, out long bytes)
    {
        bytes = 0;
        var s = text.Trim();
        if (s.Equals("off", StringComparison.OrdinalIgnoreCase)) { bytes = -1; return true; }
        if (s.EndsWith('B') && s.Length > 1 && !char.IsDigit(s[^2])) s = s[..^1];
        if (s.EndsWith('i')) s = s[..^1];
        long mult = 1;
        if (s.Length > 0 && char.IsLetter(s[^1]))
        {
            mult = char.ToLowerInvariant(s[^1]) switch
            {
                'b' => 1L,
                'k' => 1L << 10,
                'm' => 1L << 20,
                'g' => 1L << 30,
                't' => 1L << 40,
                'p' => 1L << 50,
                _ => 0,
            };
            if (mult == 0) return false;
            s = s[..^1];
        }
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n < 0) return false;
        bytes = (long)Math.Round(n * mult);
        return true;
    }

    /// <summary>Go-style durations with rclone's extra "d" (day); a bare number counts seconds.</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var s = text.Trim();
        if (s.Length == 0) return false;
        if (s.Equals("off", StringComparison.OrdinalIgnoreCase)) { duration = TimeSpan.Zero; return true; }
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var secs))
        {
            duration = TimeSpan.FromSeconds(secs);
            return true;
        }
        int i = 0;
        double totalNs = 0;
        while (i < s.Length)
        {
            int start = i;
            while (i < s.Length && (char.IsDigit(s[i]) || s[i] == '.')) i++;
            if (start == i) return false;
            if (!double.TryParse(s[start..i], NumberStyles.Float, CultureInfo.InvariantCulture, out var n)) return false;
            int us = i;
            while (i < s.Length && !char.IsDigit(s[i]) && s[i] != '.') i++;
            double unitNs = s[us..i] switch
            {
                "ns" => 1,
                "us" or "µs" => 1e3,
                "ms" => 1e6,
                "s" => 1e9,
                "m" => 60e9,
                "h" => 3600e9,
                "d" => 86400e9,
                _ => -1,
            };
            if (unitNs < 0) return false;
            totalNs += n * unitNs;
        }
        duration = TimeSpan.FromTicks((long)(totalNs / 100));
        return true;
    }
}
