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
/// Formatting and parsing are hand-written: a listing of a million files is read or written in
/// well under a second.
/// </summary>
public static class ListingFile
{
    public const string HeaderPrefix = "# bisync listing v1 from ";

    /// <summary>
    /// Writes <paramref name="listing"/> atomically and durably (<see cref="Engine.StateFile"/>: a 0600
    /// temporary, fsynced, renamed, the directory fsynced). Lines are put
    /// together as bytes: a path of printable ASCII (most paths) is copied from the listing as it
    /// is stored; any other is quoted the Go way from its string.
    /// </summary>
    /// <summary>
    /// A listing time that says "not recorded": Go's zero time, 0001-01-01T00:00:00.000000000+0000, which
    /// rclone v1.75 writes when modification times are not compared (--compare without modtime).
    /// </summary>
    public const long NoTime = Storage.StorageEntry.NoTime;

    private const string ZeroTime = "0001-01-01T00:00:00.000000000+0000";

    /// <param name="noTimes">Every entry's time written as <see cref="NoTime"/> (times not compared).</param>
    public static void Write(string path, FileListing listing, bool localTime, DateTimeOffset? now = null, bool noTimes = false)
    {
        Engine.StateFile.Write(path, stream =>
        {
            var buffer = new byte[1 << 16];
            var pos = 0;
            Span<char> chars = stackalloc char[80];
            void Flush()
            {
                stream.Write(buffer, 0, pos);
                pos = 0;
            }
            void Put(ReadOnlySpan<byte> bytes)
            {
                if (pos + bytes.Length > buffer.Length)
                {
                    Flush();
                    if (bytes.Length > buffer.Length) { stream.Write(bytes); return; }
                }
                bytes.CopyTo(buffer.AsSpan(pos));
                pos += bytes.Length;
            }
            void PutAscii(ReadOnlySpan<char> text)
            {
                if (pos + text.Length > buffer.Length) Flush();
                for (var k = 0; k < text.Length; k++) buffer[pos++] = (byte)text[k];
            }

            var stamp = now ?? DateTimeOffset.UtcNow;
            PutAscii(HeaderPrefix);
            PutAscii(chars[..FormatTime(chars, (stamp.UtcTicks - DateTime.UnixEpoch.Ticks) * 100, localTime)]);
            PutAscii("\n");
            // Directories (--create-empty-src-dirs) go among the files in path order, as rclone v1.66+ writes them:
            // flags "d", size -1, no hash, the directory's time.
            var dirs = listing.Dirs;
            var nextDir = 0;
            void PutDirsBefore(string? path)
            {
                for (; nextDir < dirs.Count && (path is null || Text.GoOrdinalComparer.Instance.Compare(dirs[nextDir].Path, path) < 0); nextDir++)
                {
                    var d = dirs[nextDir];
                    PutAscii("d       -1 - - ");
                    PutAscii(noTimes || d.ModTime == NoTime ? ZeroTime : FormatTime(d.ModTime, localTime));
                    PutAscii(" ");
                    Put(Encoding.UTF8.GetBytes(GoQuote.NeedsNoEscaping(d.Path) ? "\"" + d.Path + "\"" : GoQuote.Quote(d.Path)));
                    PutAscii("\n");
                }
            }
            for (var i = 0; i < listing.Count; i++)
            {
                if (nextDir < dirs.Count) PutDirsBefore(listing.PathAt(i));
                var e = listing.GetRaw(i);
                // flags, size right-aligned in 8, hash, id, time
                var n = 0;
                chars[n++] = '-';
                chars[n++] = ' ';
                if (!e.Size.TryFormat(chars[(n + 8)..], out var digits, default, CultureInfo.InvariantCulture)) digits = 0;
                var pad = Math.Max(0, 8 - digits);
                chars.Slice(n, pad).Fill(' ');
                chars.Slice(n + 8, digits).CopyTo(chars[(n + pad)..]);
                n += pad + digits;
                chars[n++] = ' ';
                PutAscii(chars[..n]);
                if (e.Hash.IsEmpty) PutAscii("-"); else Put(e.Hash);
                n = 0;
                chars[n++] = ' ';
                chars[n++] = '-';
                chars[n++] = ' ';
                if (noTimes || e.ModTime == NoTime)
                {
                    ZeroTime.CopyTo(chars[n..]);
                    n += ZeroTime.Length;
                }
                else
                {
                    n += FormatTime(chars[n..], e.ModTime, localTime);
                }
                chars[n++] = ' ';
                PutAscii(chars[..n]);
                if (!e.Raw && IsPlainAscii(e.Path))
                {
                    PutAscii("\"");
                    Put(e.Path);
                    PutAscii("\"\n");
                }
                else
                {
                    var name = listing.PathAt(i);
                    var quoted = GoQuote.NeedsNoEscaping(name) ? "\"" + name + "\"" : GoQuote.Quote(name);
                    Put(Encoding.UTF8.GetBytes(quoted));
                    PutAscii("\n");
                }
            }
            PutDirsBefore(null);
            Flush();
        });
    }

    /// <summary>Printable ASCII without a quote or backslash: written between quotes as it is.</summary>
    private static bool IsPlainAscii(ReadOnlySpan<byte> path) =>
        path.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E) < 0 && path.IndexOfAny((byte)'"', (byte)'\\') < 0;

    /// <summary>2000-01-01T00:00:00.000000000+0000: UTC, or the local zone's offset at that time.</summary>
    public static string FormatTime(long unixNs, bool localTime)
    {
        Span<char> buf = stackalloc char[40];
        return new string(buf[..FormatTime(buf, unixNs, localTime)]);
    }

    private static int FormatTime(Span<char> buf, long unixNs, bool localTime)
    {
        var sec = Math.DivRem(unixNs, 1_000_000_000L, out var nsec);
        if (nsec < 0) { sec--; nsec += 1_000_000_000L; }
        var offsetSec = 0L;
        if (localTime) offsetSec = (long)TimeZoneInfo.Local.GetUtcOffset(DateTime.UnixEpoch.AddSeconds(sec)).TotalSeconds;
        var local = sec + offsetSec;
        var days = Math.DivRem(local, 86400L, out var secOfDay);
        if (secOfDay < 0) { days--; secOfDay += 86400; }
        CivilFromDays(days, out var y, out var m, out var d);
        var p = 0;
        Digits(buf, ref p, y, 4); buf[p++] = '-';
        Digits(buf, ref p, m, 2); buf[p++] = '-';
        Digits(buf, ref p, d, 2); buf[p++] = 'T';
        Digits(buf, ref p, secOfDay / 3600, 2); buf[p++] = ':';
        Digits(buf, ref p, secOfDay / 60 % 60, 2); buf[p++] = ':';
        Digits(buf, ref p, secOfDay % 60, 2); buf[p++] = '.';
        Digits(buf, ref p, nsec, 9);
        buf[p++] = offsetSec < 0 ? '-' : '+';
        var abs = Math.Abs(offsetSec);
        Digits(buf, ref p, abs / 3600, 2);
        Digits(buf, ref p, abs / 60 % 60, 2);
        return p;
    }

    private static void Digits(Span<char> buf, ref int p, long value, int width)
    {
        for (var i = width - 1; i >= 0; i--)
        {
            buf[p + i] = (char)('0' + (int)(value % 10));
            value /= 10;
        }
        p += width;
    }

    /// <summary>Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's civil_from_days).</summary>
    private static void CivilFromDays(long z, out long y, out long m, out long d)
    {
        z += 719468;
        var era = (z >= 0 ? z : z - 146096) / 146097;
        var doe = z - era * 146097;
        var yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        y = yoe + era * 400;
        var doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        var mp = (5 * doy + 2) / 153;
        d = doy - (153 * mp + 2) / 5 + 1;
        m = mp < 10 ? mp + 3 : mp - 9;
        if (m <= 2) y++;
    }

    /// <summary>A proleptic Gregorian date to days since 1970-01-01 (days_from_civil).</summary>
    private static long DaysFromCivil(long y, long m, long d)
    {
        if (m <= 2) y--;
        var era = (y >= 0 ? y : y - 399) / 400;
        var yoe = y - era * 400;
        var doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
        var doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
    }

    /// <summary>Reads a whole listing into memory, sorted.</summary>
    public static FileListing Read(string path)
    {
        var entries = new List<ListingEntry>();
        var sorted = true;
        string? last = null;
        foreach (var e in Stream(path))
        {
            if (last is not null && sorted && GoOrdinalComparer.Instance.Compare(last, e.Path) >= 0) sorted = false;
            last = e.Path;
            entries.Add(e);
        }
        return new FileListing(entries, sorted);
    }

    /// <summary>The directory lines (<c>d</c>, written with --create-empty-src-dirs) of a listing, in file order.</summary>
    public static List<ListingEntry> ReadDirs(string path) => Lines(path, dirs: true).ToList();

    /// <summary>Reads a listing's files line by line, in file order (rclone writes them sorted); directory lines are passed over.</summary>
    public static IEnumerable<ListingEntry> Stream(string path) => Lines(path, dirs: false);

    private static IEnumerable<ListingEntry> Lines(string path, bool dirs)
    {
        // Invalid UTF-8 is damage: rclone writes such bytes Go-quoted (\xff), never raw.
        using var reader = new StreamReader(path, new UTF8Encoding(false, throwOnInvalidBytes: true), false, 1 << 16);
        // A listing always starts with its header: an empty file is one cut short (a crash before its data reached the disk).
        if (Peek(reader, path) < 0) throw new ListingFormatException($"{path}:1: invalid listing: the file is empty (no header)");
        var lineNo = 0;
        string? line;
        while ((line = ReadLine(reader, path, lineNo + 1)) != null)
        {
            lineNo++;
            if (line.Length == 0 || line[0] == '#') continue;
            ListingEntry entry;
            bool isDir;
            try
            {
                entry = Parse(line, out isDir);
            }
            catch (FormatException ex)
            {
                throw new ListingFormatException($"{path}:{lineNo}: invalid listing line: {ex.Message}");
            }
            if (isDir == dirs) yield return entry;
        }
    }

    private static string? ReadLine(StreamReader reader, string path, int lineNo)
    {
        try
        {
            return reader.ReadLine();
        }
        catch (DecoderFallbackException)
        {
            // Decoding runs a buffer ahead of the lines: the line is this one or one of the next.
            throw new ListingFormatException($"{path}:{lineNo}: invalid listing line: not UTF-8 (this line or one after it)");
        }
    }

    private static int Peek(StreamReader reader, string path)
    {
        try
        {
            return reader.Peek();
        }
        catch (DecoderFallbackException)
        {
            throw new ListingFormatException($"{path}:1: invalid listing: not UTF-8");
        }
    }

    /// <summary>One file line (a directory line is refused here: see <see cref="ReadDirs"/>).</summary>
    public static ListingEntry ParseLine(string line)
    {
        var e = Parse(line, out var isDir);
        return isDir ? throw new FormatException("bad flags \"d\": a directory where a file was expected") : e;
    }

    /// <summary>A file line (flags "-") or a directory line (flags "d", --create-empty-src-dirs).</summary>
    public static ListingEntry Parse(string line, out bool isDir)
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
        // rclone writes "-" as the flags and the id; -1 is its size when unknown.
        isDir = flags is "d";
        if (flags is not "-" && !isDir) throw new FormatException($"bad flags \"{flags.ToString()}\"");
        if (!long.TryParse(size, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var sizeValue) || sizeValue < -1)
            throw new FormatException($"bad size \"{size.ToString()}\"");
        if (id.Length > 255 || id.ContainsAnyExceptInRange('!', '~'))
            throw new FormatException($"bad id \"{id.ToString()}\"");
        // Hashes are hex digests with a type prefix ("md5:…"); anything else is damage.
        if (hash.Length > 255 || hash.ContainsAnyExceptInRange('!', '~'))
            throw new FormatException($"bad hash \"{hash.ToString()}\"");
        var mod = ParseTime(time);
        var name = GoQuote.Unquote(quoted);
        // A path that could reach outside the root (absolute, "..", empty segments) is damage too.
        var unsafeWhy = name.Length == 0 ? "empty path" : Storage.SafePath.Problem(name);
        if (unsafeWhy is not null) throw new FormatException($"unsafe path {GoQuote.Quote(name)}: {unsafeWhy}");
        return new ListingEntry(name, sizeValue, mod, Intern(hash));
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

    /// <summary>Parses 2006-01-02T15:04:05.999999999-0700 (fraction optional, or Z) to Unix ns UTC.</summary>
    public static long ParseTime(ReadOnlySpan<char> s)
    {
        if (s.Length < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':')
            throw new FormatException($"bad time \"{s.ToString()}\"");
        var y = Num(s, 0, 4);
        var mo = Num(s, 5, 2);
        var d = Num(s, 8, 2);
        var h = Num(s, 11, 2);
        var mi = Num(s, 14, 2);
        var se = Num(s, 17, 2);
        if (y < 1 || mo is < 1 or > 12 || d < 1 || d > DateTime.DaysInMonth((int)y, (int)mo) || h is < 0 or > 23 || mi is < 0 or > 59 || se is < 0 or > 60)
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
            var hh = Num(zone, 1, 2);
            var mm = Num(zone, 3, 2);
            if (hh < 0 || mm < 0) throw new FormatException($"bad time zone \"{zone.ToString()}\"");
            offsetSec = (hh * 3600 + mm * 60) * (zone[0] == '-' ? -1 : 1);
        }
        var seconds = DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - offsetSec;
        const long minSeconds = long.MinValue / 1_000_000_000L + 1, maxSeconds = long.MaxValue / 1_000_000_000L - 1;
        if (seconds < minSeconds || seconds > maxSeconds)
        {
            if (y == 1 && mo == 1 && d == 1 && h == 0 && mi == 0 && se == 0 && nanos == 0 && offsetSec == 0) return NoTime;
            throw new FormatException($"time out of range \"{s.ToString()}\"");
        }
        return seconds * 1_000_000_000L + nanos;
    }

    /// <summary>A fixed-width decimal field, or -1 when it is not all digits.</summary>
    private static long Num(ReadOnlySpan<char> s, int start, int len)
    {
        long v = 0;
        for (var i = start; i < start + len; i++)
        {
            var c = s[i];
            if (c < '0' || c > '9') return -1;
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
