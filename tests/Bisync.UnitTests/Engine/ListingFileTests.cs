using Bisync.Listing;
using Bisync.Text;
using Bisync.Tests.Support;

namespace Bisync.UnitTests.Engine;

public class ListingFileTests
{
    private const long Y2000 = 946_684_800L * 1_000_000_000L;

    [Fact]
    public void Writes_rclones_line_format()
    {
        using var tree = new TempTree();
        var file = Path.Combine(tree.Workdir, "x.lst");
        var listing = new FileListing([new ListingEntry("RCLONE_TEST", 109, Y2000), new ListingEntry("sub/a b.txt", 5, Y2000 + 123_456_789)]);
        ListingFile.Write(file, listing, localTime: false);
        var lines = File.ReadAllLines(file);
        Assert.StartsWith("# bisync listing v1 from ", lines[0]);
        Assert.Equal("-      109 - - 2000-01-01T00:00:00.000000000+0000 \"RCLONE_TEST\"", lines[1]);
        Assert.Equal("-        5 - - 2000-01-01T00:00:00.123456789+0000 \"sub/a b.txt\"", lines[2]);
    }

    [Fact]
    public void Reads_rclones_own_lines_with_hashes()
    {
        var e = ListingFile.ParseLine("-      109 md5:294d25b294ff26a5243dba914ac3fbf7 - 2000-01-01T00:00:00.000000000+0000 \"RCLONE_TEST\"");
        Assert.Equal(new ListingEntry("RCLONE_TEST", 109, Y2000, "md5:294d25b294ff26a5243dba914ac3fbf7"), e);
    }

    [Fact]
    public void Reads_other_zones_and_short_fractions()
    {
        var e = ListingFile.ParseLine("-        1 - - 2000-01-01T02:00:00.5+0200 \"a\"");
        Assert.Equal(Y2000 + 500_000_000L, e.ModTime);
    }

    [Fact]
    public void Round_trips_awkward_names()
    {
        using var tree = new TempTree();
        var file = Path.Combine(tree.Workdir, "x.lst");
        var names = new[]
        {
            "quo\"te", "back\\slash", "new\nline", "tab\tname", "␊ picture", "測試/Русский", "emoji😀",
            PathEncoding.FromFileSystem([(byte)'r', 0x81, 0xFE]), " leading and trailing ", "-dash",
        };
        var listing = new FileListing(names.Select((n, i) => new ListingEntry(n, i * 1000, Y2000 + i)).ToList());
        ListingFile.Write(file, listing, localTime: false);
        var back = ListingFile.Read(file);
        Assert.Equal(listing.Entries, back.Entries);
    }

    [Theory]
    [InlineData("-  12 - - 2000-01-01T00:00:00.000000000+0000")]              // no path
    [InlineData("-  xx - - 2000-01-01T00:00:00.000000000+0000 \"a\"")]        // bad size
    [InlineData("-  12 - - 2000-13-01T00:00:00.000000000+0000 \"a\"")]        // bad date
    [InlineData("-  12 - - 2000-01-01T00:00:00.000000000+00 \"a\"")]          // bad zone
    [InlineData("-  12 - - 2000-01-01T00:00:00.000000000+0000 unquoted")]     // unquoted path
    [InlineData("-  12 md5:ü - 2000-01-01T00:00:00.000000000+0000 \"a\"")]   // hash not ASCII
    public void Corrupt_lines_name_file_and_line(string bad)
    {
        using var tree = new TempTree();
        var file = Path.Combine(tree.Workdir, "bad.lst");
        File.WriteAllText(file, "# bisync listing v1 from x\n-        1 - - 2000-01-01T00:00:00.000000000+0000 \"ok\"\n" + bad + "\n");
        var ex = Assert.Throws<ListingFormatException>(() => ListingFile.Read(file));
        Assert.Contains("bad.lst:3:", ex.Message);
    }

    [Fact]
    public void Listings_are_sorted_in_go_byte_order()
    {
        var listing = new FileListing([new("b", 1, 0), new("a/b", 1, 0), new("a.txt", 1, 0), new("B", 1, 0)]);
        Assert.Equal(["B", "a.txt", "a/b", "b"], listing.Entries.Select(e => e.Path));
    }
}
