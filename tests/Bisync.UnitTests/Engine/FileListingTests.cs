using Bisync.Listing;
using Bisync.Text;
using Xunit;

namespace Bisync.UnitTests.Engine;

/// <summary>The compact in-memory listing: what goes in comes out, in Go order, found by path.</summary>
public class FileListingTests
{
    // Names of every kind the engine carries: ASCII, accents, CJK, emoji (surrogate pairs),
    // control-character symbols, U+E000..U+FFFF (where UTF-16 and UTF-8 orders differ) and raw
    // bytes that are not UTF-8 (lone surrogates U+DC80..U+DCFF).
    private static readonly string[] OddPaths =
    [
        "a.txt", "A.txt", "a b/c.txt", "ñ/ü.txt", "日本/語.txt", "emoji 🎉.txt", "x\u2400y", "\uE000 private",
        "\uFFFD replacement", "raw \uDCFF byte", "raw \uDCC3 half", "z/\uDC80", "dir/sub/deep/file", "dir.txt", "dir/",
        "", "\U0001F600", "\uFF21 fullwidth",
    ];

    private static List<ListingEntry> Sample() =>
        OddPaths.Select((p, i) => new ListingEntry(p, i * 1000L - 1, 1_600_000_000_000_000_000L + i, i % 3 == 0 ? "md5:" + new string((char)('a' + i % 6), 32) : "-")).ToList();

    [Fact]
    public void Entries_come_back_as_they_went_in_sorted_in_go_byte_order()
    {
        var input = Sample();
        var listing = new FileListing(input);
        var expected = input.OrderBy(e => e.Path, GoOrdinalComparer.Instance).ToList();
        Assert.Equal(expected, listing.Entries.ToList());
        for (var i = 0; i < expected.Count; i++) Assert.Equal(expected[i].Path, listing.PathAt(i));
    }

    [Fact]
    public void Every_path_is_found_and_others_are_not()
    {
        var input = Sample();
        var listing = new FileListing(input);
        foreach (var e in input)
        {
            Assert.True(listing.TryGet(e.Path, out var got), e.Path);
            Assert.Equal(e, got);
        }
        foreach (var missing in new[] { "a.tx", "a.txtt", "raw \uDCFE byte", "日本", "zz", "\uDCFF" })
        {
            Assert.False(listing.Contains(missing), missing);
        }
    }

    [Fact]
    public void Builders_filled_on_several_threads_merge_into_one_sorted_listing()
    {
        var paths = Enumerable.Range(0, 20_000).Select(i => $"d{i % 37:D2}/f{i * 7919 % 20_000:D5}.txt").Distinct().ToList();
        var builders = new FileListing.Builder[4];
        Parallel.For(0, builders.Length, b =>
        {
            var builder = new FileListing.Builder();
            for (var i = b; i < paths.Count; i += builders.Length) builder.Add(paths[i], i, i * 10L);
            builders[b] = builder;
        });
        var listing = FileListing.Builder.Merge(builders);
        Assert.Equal(paths.OrderBy(p => p, GoOrdinalComparer.Instance), listing.Entries.Select(e => e.Path));
        var i0 = paths.IndexOf("d05/f12345.txt");
        if (i0 >= 0) Assert.Equal(i0 * 10L, listing.Entries.First(e => e.Path == "d05/f12345.txt").ModTime);
        foreach (var p in paths.Take(500)) Assert.True(listing.Contains(p));
    }

    [Fact]
    public void With_removes_replaces_and_adds_in_one_pass()
    {
        var listing = new FileListing(Sample());
        var replaced = new ListingEntry("ñ/ü.txt", 42, 7, "md5:0123456789abcdef0123456789abcdef");
        var added = new[] { new ListingEntry("new \uDCFE raw", 1, 2), new ListingEntry("0 first", 3, 4), new ListingEntry("\uFFFF last", 5, 6) };
        var result = listing.With(["a.txt", "raw \uDCFF byte", "not there"], added.Append(replaced));

        var expected = Sample().Where(e => e.Path is not ("a.txt" or "raw \uDCFF byte" or "ñ/ü.txt"))
            .Concat(added).Append(replaced).OrderBy(e => e.Path, GoOrdinalComparer.Instance).ToList();
        Assert.Equal(expected, result.Entries.ToList());
        Assert.True(result.TryGet("ñ/ü.txt", out var got));
        Assert.Equal(replaced, got);
        Assert.False(result.Contains("a.txt"));
        // the original is untouched
        Assert.True(listing.Contains("a.txt"));
        Assert.Equal(OddPaths.Length, listing.Count);
    }

    [Fact]
    public void With_takes_the_last_entry_given_for_a_path_and_nothing_when_nothing_changes()
    {
        var listing = new FileListing([new ListingEntry("a", 1, 1), new ListingEntry("b", 2, 2)]);
        Assert.Same(listing, listing.With([], []));
        var result = listing.With(["b", "b"], [new ListingEntry("b", 3, 3), new ListingEntry("c", 4, 4), new ListingEntry("b", 5, 5), new ListingEntry("c", 6, 6)]);
        Assert.Equal([new ListingEntry("a", 1, 1), new ListingEntry("b", 5, 5), new ListingEntry("c", 6, 6)], result.Entries);
    }

    [Fact]
    public void Align_pairs_every_path_of_either_listing_once()
    {
        var a = new FileListing(new[] { "x", "b", "\uDCFF", "日" }.Select(p => new ListingEntry(p, 0, 0)));
        var b = new FileListing(new[] { "b", "c", "日", "zz" }.Select(p => new ListingEntry(p, 0, 0)));
        var pairs = FileListing.Align(a, b)
            .Select(x => (x.A < 0 ? null : a.PathAt(x.A), x.B < 0 ? null : b.PathAt(x.B))).ToList();
        Assert.Equal(
            [("b", "b"), (null, "c"), ("x", null), (null, "zz"), ("日", "日"), ("\uDCFF", null)],
            pairs);
    }

    [Fact]
    public void Hashes_can_be_replaced_and_long_paths_fit()
    {
        var longPath = "a/" + string.Join('/', Enumerable.Repeat("segment-ü", 2000));
        var listing = new FileListing([new ListingEntry("b", 3, 4, "md5:x"), new ListingEntry(longPath, 1, 2)]);
        Assert.Equal(longPath, listing.PathAt(0));
        var hashed = listing.WithHashes(["md5:aa", "-"]);
        Assert.Equal(new ListingEntry(longPath, 1, 2, "md5:aa"), hashed[0]);
        Assert.Equal(new ListingEntry("b", 3, 4), hashed[1]);
        Assert.Equal(0, FileListing.Empty().Count);
        Assert.False(FileListing.Empty().Contains(""));
    }

    [Fact]
    public void Compares_paths_across_listings_in_go_order()
    {
        var a = new FileListing([new ListingEntry("\uE000", 0, 0), new ListingEntry("🎉", 0, 0)]);
        var b = new FileListing([new ListingEntry("🎉", 0, 0), new ListingEntry("\uFFFF", 0, 0)]);
        // UTF-8 order: U+E000 < U+FFFF < U+1F389, although UTF-16 puts the emoji's surrogates first
        Assert.Equal(["\uFFFF", "🎉"], b.Entries.Select(e => e.Path));
        Assert.True(a.ComparePaths(0, b, 0) < 0);
        Assert.Equal(0, a.ComparePaths(1, b, 1));
        Assert.True(b.ComparePaths(0, a, 1) < 0);
        Assert.True(a.ComparePaths(1, b, 0) > 0);
    }
}
