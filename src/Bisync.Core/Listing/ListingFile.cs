using System.Buffers;
using System.Globalization;
using System.Text;
using Bisync.Text;

namespace Bisync.Listing;

/// <summary>A listing file could not be read: the message names the file and line.</summary>
public sealed class ListingFormatException(string message) : Exception(message);

/// <summary>
/// Reads and writes bisync listing files, byte-compatible with rclone v1.60.1:
/// <c># bisync listing v1 from &lt;time&gt;</c>, then per file
/// <c>&lt;flags&gt; &lt;size:8&gt; &lt;hash&gt; &lt;id&gt; &lt;modtime&gt; "&lt;path&gt;"</c>.
/// </summary>
public static class ListingFile
{
    public const string HeaderPrefix = "# bisync listing v1 from ";

    /// <summary>Writes <paramref name="listing"/> atomically (temporary file, then rename).</summary>
    public static void Write(string path, FileListing listing, bool localTime, DateTimeOffset? now = null)
    {
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        using (var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16))
        {
            var stamp = now ?? DateTimeOffset.UtcNow;
            var offset = localTime ? (long?)null : 0L;
            var line = new StringBuilder(256);
            line.Append(HeaderPrefix);
            AppendTime(line, (stamp.UtcTicks - DateTime.UnixEpoch.Ticks) * 100, offset);
            line.Append('\n');
            writer.Write(line);
            foreach (var e in listing.Entries)
            {
                line.Clear();
                line.Append(e.Flags).Append(' ');
                var size = e.Size.ToString(CultureInfo.InvariantCulture);
                line.Append(' ', Math.Max(0, 8 - size.Length)).Append(size).Append(' ');
                line.Append(e.Hash).Append(' ').Append(e.Id).Append(' ');
                AppendTime(line, e.ModTime, offset);
                line.Append(' ');
                if (GoQuote.NeedsNoEscaping(e.Path)) line.Append('"').Append(e.Path).Append('"');
                else line.Append(GoQuote.Quote(e.Path));
                line.Append('\n');
                writer.Write(line);
            }
        }
        File.Move(temp, path, overwrite: true);
    }

    private static string FormatOffset(TimeSpan offset)
    {
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        var abs = offset.Duration();
        return $"{sign}{abs.Hours:00}{abs.Minutes:00}";
    }

    /// <summary>Appends 2000-01-01T00:00:00.000000000+0000 (UTC when <paramref name="fixedOffsetNs"/> is 0, else local time).</summary>
    public static void AppendTime(StringBuilder sb, long unixNs, long? fixedOffsetNs)
    {
        var sec = Math.DivRem(unixNs, 1_000_000_000L, out var nsec);
        if (nsec < 0) { sec--; nsec += 1_000_000_000L; }
        var utc = DateTime.UnixEpoch.AddSeconds(sec);
        TimeSpan offset;
        if (fixedOffsetNs is null)
        {
            offset = TimeZoneInfo.Local.GetUtcOffset(utc);
        }
        else
        {
            offset = TimeSpan.FromTicks(fixedOffsetNs.Value / 100);
        }
        var local = utc + offset;
        sb.Append(local.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture));
        sb.Append('.').Append(nsec.ToString("000000000", CultureInfo.InvariantCulture));
        sb.Append(FormatOffset(offset));
    }

    public static string FormatTime(long unixNs, bool localTime)
    {
        var sb = new StringBuilder(40);
        AppendTime(sb, unixNs, localTime ? null : 0L);
        return sb.ToString();
    }

    public static FileListing Read(string path)
    {
        var entries = new List<ListingEntry>();
        using var reader = new StreamReader(path, new UTF8Encoding(false, false), false, 1 << 16);
        // Read as bytes-faithful text: invalid UTF-8 never appears in a listing (names are quoted).
        var lineNo = 0;
        string? line;
        while ((line = reader.ReadLine()) != null)
        {
            lineNo++;
            if (line.Length == 0 || line[0] == '#') continue;
            try
            {
                entries.Add(ParseLine(line));
            }
            catch (FormatException ex)
            {
                throw new ListingFormatException($"{path}:{lineNo}: invalid listing line: {ex.Message}");
            }
        }
        return new FileListing(entries);
    }

    public static ListingEntry ParseLine(string line)
    {
        var span = line.AsSpan();
        var pos = 0;
        var flags = NextField(span, ref pos);
        var size = NextField(span, ref pos);
        var hash = NextField(span, ref pos);
        var id = NextField(span, ref pos);
        var time = NextField(span, ref pos);
        while (pos < span.Length && span[pos] == ' ') pos++;
        if (pos >= span.Length) throw new FormatException("missing path");
        var quoted = span[pos..];
        if (!long.TryParse(size, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var sizeValue))
            throw new FormatException($"bad size \"{size.ToString()}\"");
        var mod = ParseTime(time);
        var name = GoQuote.Unquote(quoted);
        return new ListingEntry(name, sizeValue, mod, Intern(hash), Intern(id), Intern(flags));
    }

    private static string Intern(ReadOnlySpan<char> s) => s.Length == 1 && s[0] == '-' ? "-" : s.ToString();

    private static ReadOnlySpan<char> NextField(ReadOnlySpan<char> s, ref int pos)
    {
        while (pos < s.Length && s[pos] == ' ') pos++;
        var start = pos;
        while (pos < s.Length && s[pos] != ' ') pos++;
        if (start == pos) throw new FormatException("missing field");
        return s[start..pos];
    }

    /// <summary>Parses 2006-01-02T15:04:05.999999999-0700 (fraction optional) to Unix ns UTC.</summary>
    public static long ParseTime(ReadOnlySpan<char> s)
    {
        if (s.Length < 19 + 5) throw new FormatException($"bad time \"{s.ToString()}\"");
        if (!DateTime.TryParseExact(s[..19], "yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var dt))
            throw new FormatException($"bad time \"{s.ToString()}\"");
        var pos = 19;
        long nanos = 0;
        if (pos < s.Length && s[pos] == '.')
        {
            pos++;
            var digits = 0;
            while (pos < s.Length && char.IsAsciiDigit(s[pos]))
            {
                if (digits < 9) { nanos = nanos * 10 + (s[pos] - '0'); digits++; }
                pos++;
            }
            for (; digits < 9; digits++) nanos *= 10;
        }
        var zone = s[pos..];
        long offsetSec;
        if (zone is "Z") offsetSec = 0;
        else
        {
            if (zone.Length != 5 || (zone[0] != '+' && zone[0] != '-')) throw new FormatException($"bad time zone \"{zone.ToString()}\"");
            if (!int.TryParse(zone[1..3], NumberStyles.None, CultureInfo.InvariantCulture, out var hh)
                || !int.TryParse(zone[3..5], NumberStyles.None, CultureInfo.InvariantCulture, out var mm))
                throw new FormatException($"bad time zone \"{zone.ToString()}\"");
            offsetSec = (hh * 3600 + mm * 60) * (zone[0] == '-' ? -1 : 1);
        }
        var seconds = (long)(dt - DateTime.UnixEpoch).TotalSeconds - offsetSec;
        return seconds * 1_000_000_000L + nanos;
    }
}
