using System.Globalization;
using System.Text;

namespace Bisync.Text;

/// <summary>
/// Quoting compatible with Go's strconv.Quote / Unquote, over the engine's strings (see
/// <see cref="PathEncoding"/>: lone surrogates U+DC80..U+DCFF stand for raw invalid bytes).
/// </summary>
public static class GoQuote
{
    private const string Hex = "0123456789abcdef";

    public static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2);
        sb.Append('"');
        AppendQuoted(sb, s);
        sb.Append('"');
        return sb.ToString();
    }

    /// <summary>True when Quote would change nothing but add the quotes.</summary>
    public static bool NeedsNoEscaping(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c < 0x80)
            {
                if (c < 0x20 || c == 0x7F || c == '"' || c == '\\') return false;
                continue;
            }
            if (char.IsSurrogate(c))
            {
                if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
                {
                    if (!IsPrint(char.ConvertToUtf32(c, s[i + 1]))) return false;
                    i++;
                    continue;
                }
                return false;
            }
            if (!IsPrint(c)) return false;
        }
        return true;
    }

    private static void AppendQuoted(StringBuilder sb, string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            int rune;
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                rune = char.ConvertToUtf32(c, s[i + 1]);
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                // A raw byte carried as U+DC80..U+DCFF; any other lone surrogate is invalid UTF-8 in Go too.
                var b = c >= 0xDC80 && c <= 0xDCFF ? c - 0xDC00 : 0xFD;
                sb.Append("\\x").Append(Hex[b >> 4]).Append(Hex[b & 15]);
                continue;
            }
            else
            {
                rune = c;
            }

            switch (rune)
            {
                case '"': sb.Append("\\\""); continue;
                case '\\': sb.Append("\\\\"); continue;
                case '\a': sb.Append("\\a"); continue;
                case '\b': sb.Append("\\b"); continue;
                case '\f': sb.Append("\\f"); continue;
                case '\n': sb.Append("\\n"); continue;
                case '\r': sb.Append("\\r"); continue;
                case '\t': sb.Append("\\t"); continue;
                case '\v': sb.Append("\\v"); continue;
            }
            if (IsPrint(rune))
            {
                if (rune > 0xFFFF) sb.Append(char.ConvertFromUtf32(rune)); else sb.Append((char)rune);
            }
            else if (rune < 0x20 || rune == 0x7F)
            {
                sb.Append("\\x").Append(Hex[rune >> 4]).Append(Hex[rune & 15]);
            }
            else if (rune <= 0xFFFF)
            {
                sb.Append("\\u").Append(rune.ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append("\\U").Append(rune.ToString("x8", CultureInfo.InvariantCulture));
            }
        }
    }

    /// <summary>Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.</summary>
    public static bool IsPrint(int rune)
    {
        if (rune < 0x80) return rune >= 0x20 && rune < 0x7F;
        if (rune == 0xFFFD) return true;
        var cat = CharUnicodeInfo.GetUnicodeCategory(rune);
        return cat switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
                or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned
                or UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator => false,
            _ => true,
        };
    }

    /// <summary>Parses a Go double-quoted string literal. Throws <see cref="FormatException"/> when malformed.</summary>
    public static string Unquote(ReadOnlySpan<char> quoted)
    {
        if (quoted.Length < 2 || quoted[0] != '"' || quoted[^1] != '"')
            throw new FormatException("not a quoted string");
        var body = quoted[1..^1];
        if (body.IndexOf('\\') < 0)
        {
            if (body.IndexOf('"') >= 0) throw new FormatException("unescaped quote");
            return body.ToString();
        }
        // Work in bytes so \xHH escapes compose into UTF-8 sequences as in Go.
        var bytes = new List<byte>(body.Length);
        Span<byte> tmp = stackalloc byte[4];
        for (var i = 0; i < body.Length; i++)
        {
            var c = body[i];
            if (c == '"') throw new FormatException("unescaped quote");
            if (c != '\\')
            {
                if (char.IsHighSurrogate(c) && i + 1 < body.Length && char.IsLowSurrogate(body[i + 1]))
                {
                    var n = new Rune(c, body[i + 1]).EncodeToUtf8(tmp);
                    for (var k = 0; k < n; k++) bytes.Add(tmp[k]);
                    i++;
                }
                else if (c >= 0xDC80 && c <= 0xDCFF)
                {
                    bytes.Add((byte)(c - 0xDC00));
                }
                else
                {
                    var n = new Rune(char.IsSurrogate(c) ? '\uFFFD' : c).EncodeToUtf8(tmp);
                    for (var k = 0; k < n; k++) bytes.Add(tmp[k]);
                }
                continue;
            }
            if (++i >= body.Length) throw new FormatException("trailing backslash");
            var e = body[i];
            switch (e)
            {
                case 'a': bytes.Add(7); break;
                case 'b': bytes.Add(8); break;
                case 'f': bytes.Add(12); break;
                case 'n': bytes.Add(10); break;
                case 'r': bytes.Add(13); break;
                case 't': bytes.Add(9); break;
                case 'v': bytes.Add(11); break;
                case '\\': bytes.Add((byte)'\\'); break;
                case '"': bytes.Add((byte)'"'); break;
                case '\'': bytes.Add((byte)'\''); break;
                case 'x':
                    bytes.Add((byte)ParseHex(body, i + 1, 2));
                    i += 2;
                    break;
                case 'u':
                case 'U':
                {
                    var len = e == 'u' ? 4 : 8;
                    var v = ParseHex(body, i + 1, len);
                    i += len;
                    if (!Rune.IsValid(v)) throw new FormatException("invalid code point");
                    var n = new Rune(v).EncodeToUtf8(tmp);
                    for (var k = 0; k < n; k++) bytes.Add(tmp[k]);
                    break;
                }
                case >= '0' and <= '7':
                {
                    var v = ParseOctal(body, i, 3);
                    i += 2;
                    if (v > 255) throw new FormatException("octal escape out of range");
                    bytes.Add((byte)v);
                    break;
                }
                default:
                    throw new FormatException($"unknown escape \\{e}");
            }
        }
        return PathEncoding.FromGoBytes(bytes.ToArray());
    }

    private static int ParseHex(ReadOnlySpan<char> s, int start, int len)
    {
        if (start + len > s.Length) throw new FormatException("short escape");
        var v = 0;
        for (var k = 0; k < len; k++)
        {
            var d = HexVal(s[start + k]);
            if (d < 0) throw new FormatException("bad hex digit");
            v = v * 16 + d;
        }
        return v;
    }

    private static int ParseOctal(ReadOnlySpan<char> s, int start, int len)
    {
        if (start + len > s.Length) throw new FormatException("short escape");
        var v = 0;
        for (var k = 0; k < len; k++)
        {
            var c = s[start + k];
            if (c < '0' || c > '7') throw new FormatException("bad octal digit");
            v = v * 8 + (c - '0');
        }
        return v;
    }

    private static int HexVal(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
