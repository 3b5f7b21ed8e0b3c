using System.Globalization;
using System.Text;

namespace Bisync.Remotes.S3;

/// <summary>
/// Object keys for the engine's names. S3 keys must be valid UTF-8, so a byte that is not (held by the
/// engine as the lone surrogate U+DC00+byte, see <c>PathEncoding</c>) is written as rclone's s3 backend
/// writes it (its InvalidUtf8 encoding): the quote character '‛' (U+201B) and two upper-case hex digits,
/// e.g. byte 0x81 as "‛81"; reading a key turns such a triple back into the byte. Before, both sides
/// became U+FFFD and the file was renamed. The engine's names only ever hold '‛' in a pair ("‛‛" for a
/// literal '‛', "‛␙" for a literal '␙'), which is kept as it is, so the mapping is one to one.
/// Not yet as rclone: a control character (the engine's '␙') is stored as that symbol, where rclone
/// stores the raw control byte.
/// </summary>
internal static class S3KeyNames
{
    private const char Quote = '\u201B';

    public static string Encode(string path)
    {
        if (!Bisync.Text.PathEncoding.HasRawByte(path)) return path;
        var sb = new StringBuilder(path.Length + 8);
        for (var i = 0; i < path.Length; i++)
        {
            if (Bisync.Text.PathEncoding.IsRawByteAt(path, i)) sb.Append(Quote).Append((path[i] - 0xDC00).ToString("X2", CultureInfo.InvariantCulture));
            else sb.Append(path[i]);
        }
        return sb.ToString();
    }

    public static string Decode(string key)
    {
        if (!key.Contains(Quote)) return key;
        var sb = new StringBuilder(key.Length);
        for (var i = 0; i < key.Length; i++)
        {
            var c = key[i];
            if (c != Quote || i + 1 >= key.Length)
            {
                sb.Append(c);
                continue;
            }
            if (i + 2 < key.Length && IsHex(key[i + 1]) && IsHex(key[i + 2]))
            {
                var b = byte.Parse(key.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                sb.Append(b < 0x80 ? (char)b : (char)(0xDC00 + b));
                i += 2;
                continue;
            }
            // an escape pair of the engine's names ("‛‛", "‛␙", ...): both characters as they are
            sb.Append(c).Append(key[i + 1]);
            i++;
        }
        return sb.ToString();
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);
}
