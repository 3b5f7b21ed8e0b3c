using System.Buffers;
using System.Text;

namespace Bisync.Remotes.Sftp;

/// <summary>
/// UTF-8 for sftp file names that keeps bytes which are not valid UTF-8. SFTP names are bytes; rclone
/// 1.60.1's sftp backend passes them through unchanged, so a name with e.g. byte 0x81 round-trips.
/// The engine holds such a byte as the lone surrogate U+DC00+byte (as for local names, see
/// <c>PathEncoding</c>): this encoding writes that surrogate back as the raw byte and reads an invalid
/// byte as that surrogate, where plain UTF-8 would turn both into U+FFFD and lose the name.
/// </summary>
internal sealed class RawByteUtf8Encoding : Encoding
{
    public static readonly RawByteUtf8Encoding Instance = new();

    private static bool IsRawByte(char c) => c >= '\uDC80' && c <= '\uDCFF';

    public override int GetByteCount(char[] chars, int index, int count) =>
        Encode(chars.AsSpan(index, count), Span<byte>.Empty, countOnly: true);

    public override int GetBytes(char[] chars, int charIndex, int charCount, byte[] bytes, int byteIndex) =>
        Encode(chars.AsSpan(charIndex, charCount), bytes.AsSpan(byteIndex), countOnly: false);

    public override int GetCharCount(byte[] bytes, int index, int count) =>
        Decode(bytes.AsSpan(index, count), Span<char>.Empty, countOnly: true);

    public override int GetChars(byte[] bytes, int byteIndex, int byteCount, char[] chars, int charIndex) =>
        Decode(bytes.AsSpan(byteIndex, byteCount), chars.AsSpan(charIndex), countOnly: false);

    public override int GetMaxByteCount(int charCount) => (charCount + 1) * 3;

    public override int GetMaxCharCount(int byteCount) => byteCount + 1;

    private static int Encode(ReadOnlySpan<char> chars, Span<byte> bytes, bool countOnly)
    {
        var n = 0;
        Span<byte> buf = stackalloc byte[4];
        for (var i = 0; i < chars.Length; i++)
        {
            var c = chars[i];
            int len;
            if (IsRawByte(c)) // (a valid pair's low half never gets here: the pair is taken whole below)
            {
                buf[0] = (byte)(c - 0xDC00);
                len = 1;
            }
            else if (char.IsHighSurrogate(c) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
            {
                len = new Rune(c, chars[i + 1]).EncodeToUtf8(buf);
                i++;
            }
            else
            {
                // Any other lone surrogate cannot be written: U+FFFD, as UTF-8 does.
                var rune = char.IsSurrogate(c) ? Rune.ReplacementChar : new Rune(c);
                len = rune.EncodeToUtf8(buf);
            }
            if (!countOnly) buf[..len].CopyTo(bytes[n..]);
            n += len;
        }
        return n;
    }

    private static int Decode(ReadOnlySpan<byte> bytes, Span<char> chars, bool countOnly)
    {
        var n = 0;
        Span<char> buf = stackalloc char[2];
        while (bytes.Length > 0)
        {
            int len;
            if (Rune.DecodeFromUtf8(bytes, out var rune, out var consumed) == OperationStatus.Done)
            {
                len = rune.EncodeToUtf16(buf);
            }
            else
            {
                // One byte that starts no valid sequence (always >= 0x80: ASCII is valid).
                buf[0] = (char)(0xDC00 + bytes[0]);
                len = 1;
                consumed = 1;
            }
            if (!countOnly) buf[..len].CopyTo(chars[n..]);
            n += len;
            bytes = bytes[consumed..];
        }
        return n;
    }
}
