using System.Text;

namespace Bisync.Tests.Conformance;

/// <summary>
/// File names are byte strings on Unix and may hold invalid UTF-8. The conformance runner keeps
/// them in .NET strings losslessly: every byte that is not part of a valid UTF-8 sequence is
/// carried as the lone low surrogate U+DC00+byte ("surrogate escape"), and turned back into
/// that raw byte when the name reaches the operating system.
/// </summary>
public static class RawNames
{
    /// <summary>The string form of a single raw byte (ASCII stays itself).</summary>
    public static string FromByte(byte b) => b < 0x80 ? ((char)b).ToString() : ((char)(0xDC00 + b)).ToString();

    /// <summary>Decodes bytes as UTF-8, escaping every invalid byte.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length);
        while (!bytes.IsEmpty)
        {
            var status = Rune.DecodeFromUtf8(bytes, out var rune, out var consumed);
            if (status == System.Buffers.OperationStatus.Done)
            {
                sb.Append(rune.ToString());
                bytes = bytes[consumed..];
            }
            else
            {
                sb.Append((char)(0xDC00 + bytes[0]));
                bytes = bytes[1..];
            }
        }
        return sb.ToString();
    }

    /// <summary>Encodes a string as UTF-8, turning escaped bytes back into raw bytes.</summary>
    public static byte[] Encode(string s)
    {
        var output = new List<byte>(s.Length + 8);
        Span<byte> buf = stackalloc byte[4];
        var rest = s.AsSpan();
        while (!rest.IsEmpty)
        {
            var status = Rune.DecodeFromUtf16(rest, out var rune, out var consumed);
            if (status == System.Buffers.OperationStatus.Done)
            {
                var n = rune.EncodeToUtf8(buf);
                for (var i = 0; i < n; i++) output.Add(buf[i]);
                rest = rest[consumed..];
            }
            else
            {
                var c = rest[0];
                if (c >= 0xDC80 && c <= 0xDCFF) output.Add((byte)(c - 0xDC00));
                else throw new ArgumentException($"unencodable character U+{(int)c:X4} in name", nameof(s));
                rest = rest[1..];
            }
        }
        return output.ToArray();
    }

    /// <summary>Like <see cref="Encode"/>, but any other unencodable character becomes U+FFFD.</summary>
    public static byte[] EncodeLenient(string s)
    {
        var sb = new StringBuilder(s.Length);
        var rest = s.AsSpan();
        while (!rest.IsEmpty)
        {
            var status = Rune.DecodeFromUtf16(rest, out var rune, out var consumed);
            if (status == System.Buffers.OperationStatus.Done) { sb.Append(rest[..consumed]); rest = rest[consumed..]; continue; }
            var c = rest[0];
            sb.Append(c >= 0xDC80 && c <= 0xDCFF ? c : '\uFFFD');
            rest = rest[1..];
        }
        return Encode(sb.ToString());
    }

    /// <summary>Re-reads a string through its byte form, so adjacent raw bytes that form valid UTF-8 become characters.</summary>
    public static string Normalize(string s) => Decode(Encode(s));

    /// <summary>Whether the string holds any raw (invalid UTF-8) byte.</summary>
    public static bool HasRawBytes(string s) => Bisync.Text.PathEncoding.HasRawByte(s);

    /// <summary>NUL-terminated byte form for libc.</summary>
    internal static byte[] ToCString(string s)
    {
        var bytes = Encode(s);
        var z = new byte[bytes.Length + 1];
        bytes.CopyTo(z, 0);
        return z;
    }
}
