using Bisync.Text;

namespace Bisync.UnitTests.Engine;

public class GoQuoteTests
{
    [Theory]
    [InlineData("plain.txt", "\"plain.txt\"")]
    [InlineData("with space", "\"with space\"")]
    [InlineData("quo\"te", "\"quo\\\"te\"")]
    [InlineData("back\\slash", "\"back\\\\slash\"")]
    [InlineData("new\nline", "\"new\\nline\"")]
    [InlineData("tab\there", "\"tab\\there\"")]
    [InlineData("cr\rbell\a", "\"cr\\rbell\\a\"")]
    [InlineData("\u0001ctl", "\"\\x01ctl\"")]
    [InlineData("del\u007f", "\"del\\x7f\"")]
    [InlineData("nbsp\u00a0", "\"nbsp\\u00a0\"")]
    [InlineData("nel\u0085", "\"nel\\u0085\"")]
    [InlineData("測試_Русский_ě_áñ", "\"測試_Русский_ě_áñ\"")]
    [InlineData("pictures␙␊", "\"pictures␙␊\"")]
    [InlineData("emoji😀", "\"emoji😀\"")]
    [InlineData("zwsp\u200b", "\"zwsp\\u200b\"")]
    public void Quote_matches_go_strconv(string input, string expected)
    {
        Assert.Equal(expected, GoQuote.Quote(input));
        Assert.Equal(input, GoQuote.Unquote(expected));
    }

    [Fact]
    public void Invalid_utf8_bytes_quote_as_hex_and_round_trip()
    {
        var name = PathEncoding.FromFileSystem(new byte[] { (byte)'f', 0x81, (byte)'_', 0xFE });
        Assert.Equal("\"f\\x81_\\xfe\"", GoQuote.Quote(name));
        Assert.Equal(name, GoQuote.Unquote("\"f\\x81_\\xfe\""));
        Assert.False(GoQuote.NeedsNoEscaping(name));
    }

    [Theory]
    [InlineData("\"\\xe6\\xb8\\xac\"", "測")] // \x escapes compose UTF-8 as in Go
    [InlineData("\"\\u6e2c\"", "測")]
    [InlineData("\"\\U0001F600\"", "😀")]
    [InlineData("\"\\101\"", "A")]
    public void Unquote_understands_all_go_escapes(string quoted, string expected) =>
        Assert.Equal(expected, GoQuote.Unquote(quoted));

    [Theory]
    [InlineData("no quotes")]
    [InlineData("\"unterminated")]
    [InlineData("\"bad \\q escape\"")]
    [InlineData("\"inner \" quote\"")]
    [InlineData("\"short \\x4\"")]
    public void Unquote_rejects_malformed(string quoted) =>
        Assert.Throws<FormatException>(() => GoQuote.Unquote(quoted));
}
