using System.Globalization;

namespace Bisync.Units;

/// <summary>
/// rclone's size syntax, the one parser for every size bisync reads: --min-size, --max-size and
/// rclone.conf options (chunk_size, upload_cutoff). A bad value is a <see cref="FormatException"/>
/// whose message is one line.
/// </summary>
public static class SizeSuffix
{
    /// <summary>The value of "off": no limit.</summary>
    public const long Off = -1;

    /// <summary>
    /// Parses a size into bytes. A bare number is in KiB; a suffix picks the unit: b or B for
    /// bytes, k/K, m/M, g/G, t/T, p/P, e/E for KiB, MiB, GiB, TiB, PiB, EiB (optionally followed
    /// by "i" or "iB", e.g. "10Mi", "10MiB"). Fractions are allowed ("1.5G"). "off" means no limit
    /// and gives <see cref="Off"/>.
    /// </summary>
    public static long Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Equals("off", StringComparison.OrdinalIgnoreCase)) return Off;
        if (text.Length == 0) throw new FormatException("invalid size \"\": empty string");

        string number;
        long multiplier;
        char last = text[^1];
        if (char.IsAsciiDigit(last) || last == '.')
        {
            number = text;
            multiplier = 1L << 10;
        }
        else
        {
            int suffixLength = 1;
            bool binaryPrefix = false;
            if (text.Length > 2 && text.EndsWith("iB", StringComparison.Ordinal)) { suffixLength = 3; binaryPrefix = true; }
            else if (text.Length > 1 && last == 'i') { suffixLength = 2; binaryPrefix = true; }
            char unit = text[^suffixLength];
            multiplier = unit switch
            {
                'b' or 'B' when !binaryPrefix => 1L,
                'k' or 'K' => 1L << 10,
                'm' or 'M' => 1L << 20,
                'g' or 'G' => 1L << 30,
                't' or 'T' => 1L << 40,
                'p' or 'P' => 1L << 50,
                'e' or 'E' => 1L << 60,
                _ => throw new FormatException($"invalid size \"{text}\": bad suffix '{unit}'"),
            };
            number = text[..^suffixLength];
        }

        if (!TryParseNumber(number, out double value))
            throw new FormatException($"invalid size \"{text}\": \"{number}\" is not a number");
        if (value < 0)
            throw new FormatException($"invalid size \"{text}\": size can't be negative");
        double bytes = value * multiplier;
        if (bytes >= 9.2233720368547758E18)
            throw new FormatException($"invalid size \"{text}\": too large");
        return (long)bytes;
    }

    /// <summary>A decimal floating-point number as Go writes them: sign, digits with '_' between, '.', exponent.</summary>
    public static bool TryParseNumber(string s, out double value)
    {
        value = 0;
        if (s.Length == 0) return false;
        if (s.Contains('_'))
        {
            // Underscores are only allowed between digits.
            for (int i = 0; i < s.Length; i++)
                if (s[i] == '_' && (i == 0 || i == s.Length - 1 || !char.IsAsciiDigit(s[i - 1]) || !char.IsAsciiDigit(s[i + 1])))
                    return false;
            s = s.Replace("_", "", StringComparison.Ordinal);
        }
        foreach (char c in s)
            if (!(char.IsAsciiDigit(c) || c is '.' or '+' or '-' or 'e' or 'E')) return false;
        return double.TryParse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                   CultureInfo.InvariantCulture, out value)
               && double.IsFinite(value);
    }
}
