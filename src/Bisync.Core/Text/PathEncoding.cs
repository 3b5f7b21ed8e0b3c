using System.Text;

namespace Bisync.Text;

/// <summary>
/// Names in the engine are .NET strings in rclone's "standard" encoding of the local file system:
/// control bytes 0x00-0x1F become U+2400+b and DEL becomes U+2421 (the Unicode control pictures), a
/// name character that already is one of those pictures (or the escape U+201B itself) is prefixed
/// with U+201B, and bytes that are not valid UTF-8 are carried as lone surrogates U+DC80..U+DCFF
/// (one per byte), so every byte string round-trips exactly.
/// </summary>
public static class PathEncoding
{
    private const char Escape = '\u201B';

    /// <summary>
    /// Whether <paramref name="s"/>[<paramref name="i"/>] carries a raw byte (a lone U+DC80..U+DCFF),
    /// and not the low half of a valid surrogate pair (an emoji such as U+1F486 ends in U+DC86).
    /// </summary>
    public static bool IsRawByteAt(string s, int i) =>
        s[i] >= '\uDC80' && s[i] <= '\uDCFF' && !(i > 0 && char.IsHighSurrogate(s[i - 1]));

    /// <summary>Whether <paramref name="s"/> holds any raw byte (see <see cref="IsRawByteAt"/>).</summary>
    public static bool HasRawByte(string s)
    {
        for (var i = 0; i < s.Length; i++)
            if (IsRawByteAt(s, i)) return true;
        return false;
    }

    /// <summary>File-system bytes (one name or a '/'-separated path) to the engine's string.</summary>
    public static string FromFileSystem(ReadOnlySpan<byte> bytes)
    {
        // Fast path: printable ASCII only.
        var simple = true;
        foreach (var b in bytes)
        {
            if (b < 0x20 || b >= 0x7F) { simple = false; break; }
        }
        if (simple) return Encoding.ASCII.GetString(bytes);

        var sb = new StringBuilder(bytes.Length);
        var i = 0;
        while (i < bytes.Length)
        {
            var status = System.Text.Rune.DecodeFromUtf8(bytes[i..], out var rune, out var consumed);
            if (status != System.Buffers.OperationStatus.Done)
            {
                sb.Append((char)(0xDC00 + bytes[i]));
                i++;
                continue;
            }
            var v = rune.Value;
            if (v < 0x20) sb.Append((char)(0x2400 + v));
            else if (v == 0x7F) sb.Append('\u2421');
            else if ((v >= 0x2400 && v <= 0x241F) || v == 0x2421 || v == 0x201B) { sb.Append(Escape); sb.Append((char)v); }
            else if (rune.IsBmp) sb.Append((char)v);
            else { sb.Append(char.ConvertFromUtf32(v)); }
            i += consumed;
        }
        return sb.ToString();
    }

    /// <summary><paramref name="prefix"/> (a directory path ending in '/', or "") followed by a file-system name, as one string.</summary>
    public static string Join(string prefix, ReadOnlySpan<byte> name)
    {
        foreach (var b in name)
        {
            if (b < 0x20 || b >= 0x7F) return prefix + FromFileSystem(name);
        }
        unsafe
        {
            fixed (byte* p = name)
            {
                return string.Create(prefix.Length + name.Length, (prefix, (nint)p, name.Length), static (dst, st) =>
                {
                    st.prefix.AsSpan().CopyTo(dst);
                    var src = new ReadOnlySpan<byte>((byte*)st.Item2, st.Length);
                    var d = dst[st.prefix.Length..];
                    for (var i = 0; i < src.Length; i++) d[i] = (char)src[i];
                });
            }
        }
    }

    /// <summary>The engine's string back to file-system bytes (no terminating NUL).</summary>
    public static byte[] ToFileSystem(string name)
    {
        var simple = true;
        foreach (var c in name)
        {
            if (c < 0x20 || c >= 0x7F) { simple = false; break; }
        }
        if (simple) return Encoding.ASCII.GetBytes(name);

        var buffer = new List<byte>(name.Length * 2);
        Span<byte> tmp = stackalloc byte[4];
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c == Escape && i + 1 < name.Length && IsEscapable(name[i + 1]))
            {
                i++;
                AppendRune(buffer, name[i], tmp);
                continue;
            }
            if (c >= 0x2400 && c <= 0x241F) { buffer.Add((byte)(c - 0x2400)); continue; }
            if (c == '\u2421') { buffer.Add(0x7F); continue; }
            if (c >= 0xDC80 && c <= 0xDCFF) { buffer.Add((byte)(c - 0xDC00)); continue; }
            if (char.IsHighSurrogate(c) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1]))
            {
                var r = new Rune(c, name[i + 1]);
                var n = r.EncodeToUtf8(tmp);
                for (var k = 0; k < n; k++) buffer.Add(tmp[k]);
                i++;
                continue;
            }
            AppendRune(buffer, c, tmp);
        }
        return buffer.ToArray();
    }

    private static bool IsEscapable(char c) => (c >= 0x2400 && c <= 0x241F) || c == '\u2421' || c == Escape;

    private static void AppendRune(List<byte> buffer, char c, Span<byte> tmp)
    {
        if (char.IsSurrogate(c)) { buffer.Add((byte)'?'); return; }
        var n = new Rune(c).EncodeToUtf8(tmp);
        for (var k = 0; k < n; k++) buffer.Add(tmp[k]);
    }

    /// <summary>
    /// UTF-8 bytes of an engine string as Go would hold it: lone surrogates U+DC80..U+DCFF become
    /// the raw byte they carry. Used for Go-compatible sorting and quoting.
    /// </summary>
    public static byte[] ToGoBytes(string s)
    {
        var simple = true;
        foreach (var c in s)
        {
            if (c >= 0x80) { simple = false; break; }
        }
        if (simple) return Encoding.ASCII.GetBytes(s);
        var buffer = new List<byte>(s.Length * 2);
        Span<byte> tmp = stackalloc byte[4];
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c >= 0xDC80 && c <= 0xDCFF) { buffer.Add((byte)(c - 0xDC00)); continue; }
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                var n = new Rune(c, s[i + 1]).EncodeToUtf8(tmp);
                for (var k = 0; k < n; k++) buffer.Add(tmp[k]);
                i++;
                continue;
            }
            AppendRune(buffer, c, tmp);
        }
        return buffer.ToArray();
    }

    /// <summary>Inverse of <see cref="ToGoBytes"/>: invalid UTF-8 bytes become lone surrogates.</summary>
    public static string FromGoBytes(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length);
        var i = 0;
        while (i < bytes.Length)
        {
            var status = Rune.DecodeFromUtf8(bytes[i..], out var rune, out var consumed);
            if (status != System.Buffers.OperationStatus.Done) { sb.Append((char)(0xDC00 + bytes[i])); i++; continue; }
            sb.Append(rune.ToString());
            i += consumed;
        }
        return sb.ToString();
    }
}
