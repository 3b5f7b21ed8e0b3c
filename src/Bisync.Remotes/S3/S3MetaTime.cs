using System.Globalization;

namespace Bisync.Remotes.S3;

/// <summary>
/// The modification time in the user metadata "mtime", written as rclone writes it: seconds since
/// the Unix epoch as an exact decimal, trailing zeros of the fraction dropped ("1614834367",
/// "1614834367.5", "1614834367.123456789", "-1.75").
/// </summary>
public static class S3MetaTime
{
    public static string Format(long unixNs)
    {
        bool neg = unixNs < 0;
        ulong abs = neg ? (ulong)(-(unixNs + 1)) + 1 : (ulong)unixNs;
        ulong secs = abs / 1_000_000_000UL, frac = abs % 1_000_000_000UL;
        var s = secs.ToString(CultureInfo.InvariantCulture);
        if (frac != 0) s += "." + frac.ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0');
        return neg ? "-" + s : s;
    }

    public static bool TryParse(string? text, out long unixNs)
    {
        unixNs = 0;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var s = text.Trim();
        bool neg = s.StartsWith('-');
        if (neg || s.StartsWith('+')) s = s[1..];
        var dot = s.IndexOf('.');
        var whole = dot < 0 ? s : s[..dot];
        var frac = dot < 0 ? "" : s[(dot + 1)..];
        if (whole.Length == 0) whole = "0";
        if (!ulong.TryParse(whole, NumberStyles.None, CultureInfo.InvariantCulture, out var secs)) return false;
        if (frac.Length > 9) frac = frac[..9];
        ulong nanos = 0;
        if (frac.Length > 0 && !ulong.TryParse(frac.PadRight(9, '0'), NumberStyles.None, CultureInfo.InvariantCulture, out nanos)) return false;
        try
        {
            long v = checked((long)secs * 1_000_000_000L + (long)nanos);
            unixNs = neg ? -v : v;
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }
}
