using System.Text;
using Bisync.Remotes.S3;
using Bisync.Remotes.Sftp;
using Xunit;

namespace Bisync.UnitTests.Remotes;

/// <summary>How names with bytes that are not UTF-8 (the engine's U+DC00+byte) reach sftp and s3; no server needed.</summary>
public class NameEncodingTests
{
    [Fact]
    public void Sftp_encoding_writes_and_reads_raw_bytes()
    {
        var enc = RawByteUtf8Encoding.Instance;
        const string name = "a_\uDC81_\uDCFE_ü_😀/b";
        byte[] bytes = [.. "a_"u8, 0x81, (byte)'_', 0xFE, .. "_ü_😀/b"u8];
        Assert.Equal(bytes, enc.GetBytes(name));
        Assert.Equal(name, enc.GetString(bytes));
        // other lone surrogates cannot be written: U+FFFD, as plain UTF-8 does
        Assert.Equal(Encoding.UTF8.GetBytes("\uFFFD"), enc.GetBytes("\uD800"));
        // a truncated sequence keeps each of its bytes
        Assert.Equal("x\uDCE2\uDC82", enc.GetString([(byte)'x', 0xE2, 0x82]));
    }

    // One Fact, not a Theory: xUnit's serialised theory data cannot hold lone surrogates.
    [Fact]
    public void S3_keys_quote_raw_bytes_as_rclone()
    {
        (string EngineName, string Key)[] cases =
        [
            ("a_\uDC81_\uDCFE.txt", "a_‛81_‛FE.txt"),
            ("plain/dir ü.txt", "plain/dir ü.txt"),
            ("lit_‛‛41", "lit_‛‛41"), // the engine's escape pair for a literal '‛' followed by "41"
            ("ctl_‛␙_\uDCFF", "ctl_‛␙_‛FF"),
        ];
        foreach (var (engineName, key) in cases)
        {
            Assert.Equal(key, S3KeyNames.Encode(engineName));
            Assert.Equal(engineName, S3KeyNames.Decode(key));
        }
    }

    [Fact]
    public void S3_key_written_by_rclone_with_a_lower_case_quote_decodes_too() =>
        Assert.Equal("x\uDCAB", S3KeyNames.Decode("x‛ab"));
}
