using Bisync.Engine;
using Bisync.Logging;
using Bisync.Storage.Local;
using Bisync.Tests.Support;
using Bisync.Text;

namespace Bisync.UnitTests.Engine;

/// <summary>Our NFC/NFD (the runtime's does nothing under InvariantGlobalization), against values from Python's unicodedata.</summary>
public class UnicodeNormalizationTests
{
    [Theory]
    [InlineData("e\u0301", "\u00e9", "e\u0301")]
    [InlineData("\u00e9", "\u00e9", "e\u0301")]
    [InlineData("a\u0302\u0323", "\u1ead", "a\u0323\u0302")]          // marks reordered by class, then composed
    [InlineData("\u212b", "\u00c5", "A\u030a")]                       // a singleton never comes back
    [InlineData("\u0958", "\u0915\u093c", "\u0915\u093c")]            // a composition exclusion
    [InlineData("\u1100\u1161\u11a8", "\uac01", "\u1100\u1161\u11a8")] // Hangul by arithmetic
    [InlineData("\u0344", "\u0308\u0301", "\u0308\u0301")]            // a non-starter decomposition
    [InlineData("e\u0301\u0301", "\u00e9\u0301", "e\u0301\u0301")]   // the second mark is blocked
    [InlineData("\u0301e", "\u0301e", "\u0301e")]
    [InlineData("\u1e9b\u0323", "\u1e9b\u0323", "\u017f\u0323\u0307")]
    [InlineData("A\u030a\u0301", "\u01fa", "A\u030a\u0301")]
    [InlineData("plain/ascii name.txt", "plain/ascii name.txt", "plain/ascii name.txt")]
    [InlineData("🧝🏾\u200d♀️ 測試", "🧝🏾\u200d♀️ 測試", "🧝🏾\u200d♀️ 測試")]
    public void Nfc_and_nfd(string input, string nfc, string nfd)
    {
        Assert.Equal(nfc, UnicodeNormalization.ToNfc(input));
        Assert.Equal(nfd, UnicodeNormalization.ToNfd(input));
    }

    [Fact]
    public void A_lone_surrogate_standing_for_a_raw_byte_is_kept()
    {
        var raw = "e\u0301\udc81x";
        Assert.Equal("\u00e9\udc81x", UnicodeNormalization.ToNfc(raw));
    }

    [Fact]
    public void Every_code_point_round_trips()
    {
        for (var cp = 0xA0; cp < 0x30000; cp++)
        {
            if (cp is >= 0xD800 and <= 0xDFFF) continue;
            var s = char.ConvertFromUtf32(cp);
            var nfc = UnicodeNormalization.ToNfc(s);
            var nfd = UnicodeNormalization.ToNfd(s);
            Assert.Equal(nfc, UnicodeNormalization.ToNfc(nfd));
            Assert.Equal(nfd, UnicodeNormalization.ToNfd(nfc));
            Assert.Equal(nfc, UnicodeNormalization.ToNfc(nfc));
        }
    }
}

/// <summary>
/// Names that differ only by Unicode normalisation or case (rclone v1.66+'s matching): what each side
/// holds after a run, with and without --no-unicode-normalization, --ignore-case-sync and --fix-case.
/// In every case no version of a file is lost, and no file overwrites another silently.
/// </summary>
public class NameMatchingTests
{
    private const string Nfc = "caf\u00e9.txt";
    private const string Nfd = "cafe\u0301.txt";
    private static readonly DateTime T1 = new(2001, 1, 2, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime T2 = new(2001, 1, 3, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime T3 = new(2001, 1, 4, 0, 0, 0, DateTimeKind.Utc);

    private static async Task<(int Code, List<string> Log)> RunAsync(TempTree t, Func<BisyncOptions, BisyncOptions>? set = null, bool resync = false)
    {
        var lines = new List<string>();
        using var log = Logger.Silent(LogLevel.Info);
        log.Sink = l => { lock (lines) lines.Add(l); };
        var o = new BisyncOptions { Path1 = t.Path1, Path2 = t.Path2, Workdir = t.Workdir, Resync = resync, Compat = Compat.V1_75 };
        var r = await new BisyncEngine(new LocalStorageOpener(), log).RunAsync(set is null ? o : set(o), CancellationToken.None);
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.Error}\n{string.Join('\n', lines)}");
        return (r.ExitCode, lines);
    }

    private static async Task<TempTree> InSyncAsync(Func<BisyncOptions, BisyncOptions>? set = null)
    {
        var t = new TempTree();
        t.WriteBoth("other.txt", "other");
        await RunAsync(t, set, resync: true);
        return t;
    }

    private static SortedDictionary<string, string> Side(string root) => TempTree.Snapshot(root);

    private static string Listing(TempTree t, int side) =>
        File.ReadAllText(Directory.GetFiles(t.Workdir, $"*.path{side}.lst").Single());

    [Fact]
    public async Task By_default_under_1_75_an_NFC_name_and_an_NFD_name_are_one_file_each_side_keeping_its_own()
    {
        using var t = await InSyncAsync();
        TempTree.Write(t.Path1, Nfc, "old", T1);
        TempTree.Write(t.Path2, Nfd, "new", T2);
        await RunAsync(t);
        // Both new, different content: a conflict, both versions kept on both sides.
        var one = Side(t.Path1);
        Assert.Equal(Side(t.Path2).Values.Order(), one.Values.Order());
        Assert.Contains("old", one.Values);
        Assert.Contains("new", one.Values);
        Assert.DoesNotContain(Nfd, one.Keys);

        // Now one side changes it: the other side's file, under its own name, gets the change.
        using var u = await InSyncAsync();
        TempTree.Write(u.Path1, Nfc, "same", T1);
        TempTree.Write(u.Path2, Nfd, "same", T1);
        await RunAsync(u); // new on both, equal: nothing to do
        TempTree.Write(u.Path2, Nfd, "edited on path2", T3);
        await RunAsync(u);
        Assert.Equal(new Dictionary<string, string> { [Nfc] = "edited on path2", ["other.txt"] = "other" }, Side(u.Path1));
        Assert.Equal(new Dictionary<string, string> { [Nfd] = "edited on path2", ["other.txt"] = "other" }, Side(u.Path2));
        Assert.Contains(Nfd, Listing(u, 2));
        Assert.DoesNotContain(Nfc, Listing(u, 2));
        Assert.Contains(Nfc, Listing(u, 1));
    }

    [Fact]
    public async Task Equal_files_under_two_normalisations_get_the_newer_time_and_keep_their_names()
    {
        using var t = await InSyncAsync();
        TempTree.Write(t.Path1, Nfc, "same", T1);
        TempTree.Write(t.Path2, Nfd, "same", T2);
        await RunAsync(t);
        Assert.Equal(T2, File.GetLastWriteTimeUtc(Path.Combine(t.Path1, Nfc)));
        Assert.Equal(T2, File.GetLastWriteTimeUtc(Path.Combine(t.Path2, Nfd)));
        Assert.False(File.Exists(Path.Combine(t.Path1, Nfd)));
        Assert.False(File.Exists(Path.Combine(t.Path2, Nfc)));
    }

    [Fact]
    public async Task With_no_unicode_normalization_the_two_names_are_two_files_on_both_sides()
    {
        Func<BisyncOptions, BisyncOptions> set = o => o with { NoUnicodeNormalization = true };
        using var t = await InSyncAsync(set);
        TempTree.Write(t.Path1, Nfc, "from path1", T1);
        TempTree.Write(t.Path2, Nfd, "from path2", T2);
        await RunAsync(t, set);
        var expected = new Dictionary<string, string> { [Nfc] = "from path1", [Nfd] = "from path2", ["other.txt"] = "other" };
        Assert.Equal(expected, Side(t.Path1));
        Assert.Equal(expected, Side(t.Path2));
    }

    [Fact]
    public async Task Under_1_60_names_are_matched_exactly_unless_a_matching_flag_is_given()
    {
        Func<BisyncOptions, BisyncOptions> v160 = o => o with { Compat = Compat.V1_60 };
        using var t = await InSyncAsync(v160);
        TempTree.Write(t.Path1, Nfc, "from path1", T1);
        TempTree.Write(t.Path2, Nfd, "from path2", T2);
        await RunAsync(t, v160);
        Assert.Equal(4, Side(t.Path2).Count + Side(t.Path1).Count - 2); // both names on both sides
        Assert.True(File.Exists(Path.Combine(t.Path2, Nfc)) && File.Exists(Path.Combine(t.Path1, Nfd)));

        Assert.False(new BisyncOptions { Path1 = "a", Path2 = "b" }.NormalizesNames);
        Assert.True(new BisyncOptions { Path1 = "a", Path2 = "b", IgnoreCaseSync = true }.NormalizesNames);
        Assert.True(new BisyncOptions { Path1 = "a", Path2 = "b", Compat = Compat.V1_75 }.NormalizesNames);
        Assert.False(new BisyncOptions { Path1 = "a", Path2 = "b", Compat = Compat.V1_75, NoUnicodeNormalization = true }.NormalizesNames);
    }

    [Fact]
    public async Task Case_only_differences_are_two_files_unless_ignore_case_sync()
    {
        using (var t = await InSyncAsync())
        {
            TempTree.Write(t.Path1, "Hello.txt", "upper", T1);
            TempTree.Write(t.Path2, "hello.txt", "lower", T2);
            await RunAsync(t);
            var expected = new Dictionary<string, string> { ["Hello.txt"] = "upper", ["hello.txt"] = "lower", ["other.txt"] = "other" };
            Assert.Equal(expected, Side(t.Path1));
            Assert.Equal(expected, Side(t.Path2));
        }

        Func<BisyncOptions, BisyncOptions> ci = o => o with { IgnoreCaseSync = true };
        using (var t = await InSyncAsync(ci))
        {
            TempTree.Write(t.Path1, "Hello.txt", "v1", T1);
            TempTree.Write(t.Path2, "hello.txt", "v1", T1);
            await RunAsync(t, ci);
            Assert.Equal(["Hello.txt", "other.txt"], Side(t.Path1).Keys);
            Assert.Equal(["hello.txt", "other.txt"], Side(t.Path2).Keys);

            // A change on Path1 reaches Path2's file under Path2's name.
            TempTree.Write(t.Path1, "Hello.txt", "v2", T2);
            var (_, log) = await RunAsync(t, ci);
            Assert.Contains(log, l => l.Contains("Queue copy to Path2", StringComparison.Ordinal) && l.EndsWith("path2/hello.txt", StringComparison.Ordinal));
            Assert.Equal(new Dictionary<string, string> { ["Hello.txt"] = "v2", ["other.txt"] = "other" }, Side(t.Path1));
            Assert.Equal(new Dictionary<string, string> { ["hello.txt"] = "v2", ["other.txt"] = "other" }, Side(t.Path2));

            // Changed on both sides, differently: a conflict, both versions kept, none overwritten.
            TempTree.Write(t.Path1, "Hello.txt", "v3 on path1", T3);
            TempTree.Write(t.Path2, "hello.txt", "v3 on path2", T3.AddHours(1));
            await RunAsync(t, ci);
            foreach (var side in new[] { t.Path1, t.Path2 })
            {
                var files = Side(side);
                Assert.Contains("v3 on path1", files.Values);
                Assert.Contains("v3 on path2", files.Values);
            }
            Assert.Equal(Side(t.Path1).Values.Order(), Side(t.Path2).Values.Order());

            // A deletion on Path1 deletes Path2's file of the other case.
            using var d = await InSyncAsync(ci);
            TempTree.Write(d.Path1, "Doc.txt", "doc", T1);
            TempTree.Write(d.Path2, "DOC.txt", "doc", T1);
            await RunAsync(d, ci);
            File.Delete(Path.Combine(d.Path1, "Doc.txt"));
            await RunAsync(d, ci);
            Assert.False(File.Exists(Path.Combine(d.Path2, "DOC.txt")));
            Assert.Equal(["other.txt"], Side(d.Path2).Keys);
        }
    }

    [Fact]
    public async Task Fix_case_renames_the_destination_of_a_copy_to_the_source_name()
    {
        Func<BisyncOptions, BisyncOptions> fix = o => o with { IgnoreCaseSync = true, FixCase = true };
        Func<BisyncOptions, BisyncOptions> ci = o => o with { IgnoreCaseSync = true };
        using var t = await InSyncAsync(ci);
        TempTree.Write(t.Path1, "Hello.txt", "v1", T1);
        TempTree.Write(t.Path2, "hello.txt", "v1", T1);
        TempTree.Write(t.Path1, Nfc, "n1", T1);
        TempTree.Write(t.Path2, Nfd, "n1", T1);
        await RunAsync(t, ci);

        // Path1 changes Hello.txt: Path2's hello.txt becomes Hello.txt with the change.
        // Path2 changes the NFD name: Path1's NFC name becomes the NFD one.
        TempTree.Write(t.Path1, "Hello.txt", "v2", T2);
        TempTree.Write(t.Path2, Nfd, "n2", T2);
        var (_, log) = await RunAsync(t, fix);
        var expected = new Dictionary<string, string> { ["Hello.txt"] = "v2", [Nfd] = "n2", ["other.txt"] = "other" };
        Assert.Equal(expected, Side(t.Path1));
        Assert.Equal(expected, Side(t.Path2));
        Assert.Contains(log, l => l.Contains("Fixed case by renaming to: Hello.txt", StringComparison.Ordinal));
        Assert.Contains("\"Hello.txt\"", Listing(t, 2));
        Assert.Contains(Nfd, Listing(t, 1));

        // A dry run renames nothing.
        TempTree.Write(t.Path1, "Hello.txt", "v3", T3);
        File.Move(Path.Combine(t.Path2, "Hello.txt"), Path.Combine(t.Path2, "HELLO.txt"));
        await RunAsync(t, o => fix(o) with { DryRun = true });
        Assert.True(File.Exists(Path.Combine(t.Path2, "HELLO.txt")));
        Assert.Equal("v2", File.ReadAllText(Path.Combine(t.Path2, "HELLO.txt")));
    }

    [Fact]
    public async Task A_resync_matches_names_and_fix_case_renames_path2_after_path1()
    {
        using var t = new TempTree();
        TempTree.Write(t.Path1, Nfc, "same", T1);
        TempTree.Write(t.Path2, Nfd, "same", T1);
        TempTree.Write(t.Path1, "A.txt", "a", T1);
        TempTree.Write(t.Path2, "a.txt", "a", T1);
        await RunAsync(t, o => o with { IgnoreCaseSync = true }, resync: true);
        Assert.Equal(["A.txt", Nfc], Side(t.Path1).Keys);
        Assert.Equal(["a.txt", Nfd], Side(t.Path2).Keys);

        await RunAsync(t, o => o with { IgnoreCaseSync = true, FixCase = true }, resync: true);
        Assert.Equal(Side(t.Path1), Side(t.Path2));
        Assert.Equal(["A.txt", Nfc], Side(t.Path2).Keys);
    }

    [Fact]
    public async Task Two_names_of_one_key_on_a_side_are_not_matched_and_nothing_is_overwritten()
    {
        Func<BisyncOptions, BisyncOptions> ci = o => o with { IgnoreCaseSync = true };
        using var t = await InSyncAsync(ci);
        TempTree.Write(t.Path1, "Read.me", "one", T1);
        TempTree.Write(t.Path1, "READ.me", "two", T1);
        TempTree.Write(t.Path2, "read.me", "three", T1);
        var (_, log) = await RunAsync(t, ci);
        Assert.Contains(log, l => l.Contains("are not matched", StringComparison.Ordinal));
        var expected = new Dictionary<string, string> { ["Read.me"] = "one", ["READ.me"] = "two", ["read.me"] = "three", ["other.txt"] = "other" };
        Assert.Equal(expected, Side(t.Path1));
        Assert.Equal(expected, Side(t.Path2));
    }
}
