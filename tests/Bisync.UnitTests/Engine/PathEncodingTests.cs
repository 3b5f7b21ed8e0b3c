using Bisync.Text;

namespace Bisync.UnitTests.Engine;

public class PathEncodingTests
{
    [Theory]
    [InlineData(new byte[] { (byte)'a', 0x19, (byte)'b' }, "a␙b")]
    [InlineData(new byte[] { (byte)'n', 0x0A, (byte)'l' }, "n␊l")]
    [InlineData(new byte[] { (byte)'d', 0x7F }, "d␡")]
    [InlineData(new byte[] { 0xE2, 0x90, 0x99 }, "‛␙")]          // a real ␙ in a name is escaped
    [InlineData(new byte[] { 0xE2, 0x80, 0x9B }, "‛‛")]          // and so is the escape itself
    [InlineData(new byte[] { 0xC3, 0xB1 }, "ñ")]
    public void Local_names_use_rclones_standard_encoding(byte[] raw, string expected)
    {
        var s = PathEncoding.FromFileSystem(raw);
        Assert.Equal(expected, s);
        Assert.Equal(raw, PathEncoding.ToFileSystem(s));
    }

    [Fact]
    public void Invalid_utf8_round_trips_through_surrogate_escapes()
    {
        byte[] raw = [(byte)'x', 0x81, 0xFE, (byte)'y', 0xC3];
        var s = PathEncoding.FromFileSystem(raw);
        Assert.Equal(5, s.Length);
        Assert.Equal(raw, PathEncoding.ToFileSystem(s));
        Assert.Equal(raw, PathEncoding.ToGoBytes(s));
    }

    [Fact]
    public void Go_order_is_utf8_byte_order()
    {
        var names = new List<string> { "b", "\uFF0F", "😀", "a/b", "a.txt", "Z", "é", PathEncoding.FromFileSystem([0x81]) };
        names.Sort(GoOrdinalComparer.Instance);
        var bytes = names.Select(PathEncoding.ToGoBytes).ToList();
        for (var i = 1; i < bytes.Count; i++)
            Assert.True(bytes[i - 1].AsSpan().SequenceCompareTo(bytes[i]) < 0, $"{names[i - 1]} before {names[i]}");
        Assert.Equal(["Z", "a.txt", "a/b", "b"], names.Take(4));
    }
}
