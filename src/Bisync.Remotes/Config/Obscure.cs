using System.Security.Cryptography;

namespace Bisync.Remotes.Config;

/// <summary>
/// rclone's "obscured" secrets: not encryption, only a way to keep passwords out of plain sight in
/// rclone.conf. The stored text is URL-safe base64 (no padding) of a 16-byte random IV followed by the
/// secret run through AES-256-CTR under a key that every rclone build shares.
/// </summary>
public static class Obscure
{
    // The well-known fixed key every rclone build uses for obscuring; it is public, not a secret.
    private static readonly byte[] Key = Convert.FromHexString(
        "9c935b48730a554d6bfd7c63c886a92bd390198eb8128afbf4de162b8b95f638");

    private const int BlockSize = 16;

    /// <summary>Obscures <paramref name="plain"/> the way <c>rclone obscure</c> does (random IV each call).</summary>
    public static string Encode(string plain)
    {
        var data = System.Text.Encoding.UTF8.GetBytes(plain);
        var iv = RandomNumberGenerator.GetBytes(BlockSize);
        var output = new byte[BlockSize + data.Length];
        iv.CopyTo(output, 0);
        Ctr(iv, data, output.AsSpan(BlockSize));
        return Base64Url(output);
    }

    /// <summary>Reveals an obscured value. Throws <see cref="FormatException"/> (without the value in the message) when it is not one.</summary>
    public static string Reveal(string obscured)
    {
        byte[] raw;
        try
        {
            raw = FromBase64Url(obscured);
        }
        catch (FormatException)
        {
            throw new FormatException("base64 decode failed when revealing password - is it obscured?");
        }
        if (raw.Length < BlockSize)
            throw new FormatException("input too short when revealing password - is it obscured?");
        var iv = raw[..BlockSize];
        var plain = new byte[raw.Length - BlockSize];
        Ctr(iv, raw.AsSpan(BlockSize), plain);
        return System.Text.Encoding.UTF8.GetString(plain);
    }

    private static void Ctr(byte[] iv, ReadOnlySpan<byte> input, Span<byte> output)
    {
        using var aes = Aes.Create();
        aes.Key = Key;
        var counter = (byte[])iv.Clone();
        Span<byte> stream = stackalloc byte[BlockSize];
        for (int off = 0; off < input.Length; off += BlockSize)
        {
            aes.EncryptEcb(counter, stream, PaddingMode.None);
            int n = Math.Min(BlockSize, input.Length - off);
            for (int i = 0; i < n; i++) output[off + i] = (byte)(input[off + i] ^ stream[i]);
            // big-endian increment of the whole 128-bit counter block
            for (int i = BlockSize - 1; i >= 0; i--)
                if (++counter[i] != 0) break;
        }
    }

    private static string Base64Url(byte[] data) =>
        Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string s)
    {
        if (s.Contains('=') || s.Contains('+') || s.Contains('/')) throw new FormatException();
        var b = s.Replace('-', '+').Replace('_', '/');
        switch (b.Length % 4)
        {
            case 2: b += "=="; break;
            case 3: b += "="; break;
            case 1: throw new FormatException();
        }
        return Convert.FromBase64String(b);
    }
}
