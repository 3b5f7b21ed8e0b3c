using System.Text;
using Bisync.Engine;
using Bisync.Logging;
using Bisync.Storage.Local;
using Bisync.Tests.Support;

namespace Bisync.UnitTests.Engine;

/// <summary>
/// Part of the bad-input corpus (the CLI half is tests/Bisync.Tests/Cli/BadInputCorpusTests.cs):
/// every field of a listing line corrupted, truncated and non-UTF-8 listings. Each must end the
/// run as a critical error (exit 2) whose one line names the listing file and line, with neither
/// side nor anything outside them changed. Paths that leave the root are PathSafetyTests' cases.
/// </summary>
public class ListingCorruptionTests
{
    private const string Good = "-        6 - - 2000-01-01T00:00:00.000000000+0000 \"f1.txt\"";

    /// <summary>A corrupt line put in place of f1.txt's line; the text the error must hold.</summary>
    public static TheoryData<string, string> Lines() => new()
    {
        // flags
        { "x        6 - - 2000-01-01T00:00:00.000000000+0000 \"f1.txt\"", "bad flags" },
        { "--       6 - - 2000-01-01T00:00:00.000000000+0000 \"f1.txt\"", "bad flags" },
        // size
        { "-      six - - 2000-01-01T00:00:00.000000000+0000 \"f1.txt\"", "bad size" },
        { "-       -5 - - 2000-01-01T00:00:00.000000000+0000 \"f1.txt\"", "bad size" },
        { "- 99999999999999999999 - - 2000-01-01T00:00:00.000000000+0000 \"f1.txt\"", "bad size" },
        { "-      6.5 - - 2000-01-01T00:00:00.000000000+0000 \"f1.txt\"", "bad size" },
        // hash
        { "-        6 md5:\u00e9\u00e9 - 2000-01-01T00:00:00.000000000+0000 \"f1.txt\"", "bad hash" },
        { "-        6 " + new string('a', 300) + " - 2000-01-01T00:00:00.000000000+0000 \"f1.txt\"", "bad hash" },
        // id
        { "-        6 - \u00ff 2000-01-01T00:00:00.000000000+0000 \"f1.txt\"", "bad id" },
        // time
        { "-        6 - - 2000-13-01T00:00:00.000000000+0000 \"f1.txt\"", "bad time" },
        { "-        6 - - 2000-02-30T00:00:00.000000000+0000 \"f1.txt\"", "bad time" },
        { "-        6 - - 2000-01-01T24:00:00.000000000+0000 \"f1.txt\"", "bad time" },
        { "-        6 - - 2000-01-01 \"f1.txt\"", "bad time" },
        { "-        6 - - yesterday \"f1.txt\"", "bad time" },
        { "-        6 - - 2000-01-01T00:00:00.000000000+00 \"f1.txt\"", "bad time zone" },
        { "-        6 - - 2000-01-01T00:00:00.000000000+ab00 \"f1.txt\"", "bad time zone" },
        // quoting
        { "-        6 - - 2000-01-01T00:00:00.000000000+0000 f1.txt", "not a quoted string" },
        { "-        6 - - 2000-01-01T00:00:00.000000000+0000 \"f1.txt", "not a quoted string" },
        { "-        6 - - 2000-01-01T00:00:00.000000000+0000 \"f1\"x.txt\"", "unescaped quote" },
        { "-        6 - - 2000-01-01T00:00:00.000000000+0000 \"f1\\q.txt\"", "unknown escape" },
        { "-        6 - - 2000-01-01T00:00:00.000000000+0000 \"f1.txt\" trailing", "quot" },
        // missing fields, a line cut short
        { "-        6 - - 2000-01-01T00:00:00.000000000+0000", "missing" },
        { "-        6 - -", "missing" },
        { "-        6 - - 2000-01-01T00:0", "missing" },
        { "-", "missing" },
        { "garbage", "missing" },
    };

    [Theory]
    [MemberData(nameof(Lines))]
    public async Task A_corrupt_listing_line_is_a_critical_error_that_changes_nothing(string line, string why)
    {
        foreach (var side in new[] { "path1", "path2" })
        {
            using var t = await SyncedAsync();
            var lst = Listing(t, side);
            var text = File.ReadAllText(lst);
            Assert.Contains(Good + "\n", text);
            File.WriteAllText(lst, text.Replace(Good, line));
            await AssertCriticalAsync(t, $"{lst}:", why);
        }
    }

    [Fact]
    public async Task A_listing_cut_in_the_middle_of_a_line_is_a_critical_error()
    {
        using var t = await SyncedAsync();
        var lst = Listing(t, "path2");
        var bytes = File.ReadAllBytes(lst);
        var cut = Encoding.UTF8.GetString(bytes).IndexOf("\"f1.txt\"", StringComparison.Ordinal) - 10;
        File.WriteAllBytes(lst, bytes[..cut]);
        await AssertCriticalAsync(t, $"{lst}:", "invalid listing line");
    }

    [Fact]
    public async Task An_empty_listing_file_is_a_critical_error()
    {
        using var t = await SyncedAsync();
        var lst = Listing(t, "path1");
        File.WriteAllBytes(lst, []);
        await AssertCriticalAsync(t, $"{lst}:1:", "empty");
    }

    [Fact]
    public async Task A_listing_with_bytes_that_are_not_utf8_is_a_critical_error()
    {
        using var t = await SyncedAsync();
        var lst = Listing(t, "path1");
        var text = File.ReadAllText(lst);
        var bytes = Encoding.UTF8.GetBytes(text.Replace("\"f1.txt\"", "\"f1\u0001.txt\""));
        var at = Array.IndexOf(bytes, (byte)1);
        bytes[at] = 0xff; // a raw byte: rclone would have written \xff
        File.WriteAllBytes(lst, bytes);
        await AssertCriticalAsync(t, $"{lst}:", "not UTF-8");
    }

    [Fact]
    public async Task A_binary_listing_is_a_critical_error()
    {
        using var t = await SyncedAsync();
        var lst = Listing(t, "path2");
        File.WriteAllBytes(lst, [.. "# bisync listing v1 from 2000-01-01T00:00:00.000000000+0000\n"u8, 0x00, 0x01, 0x02, 0xfe, 0x0a]);
        await AssertCriticalAsync(t, $"{lst}:", "not UTF-8");
    }

    private static string Listing(TempTree t, string side) => Directory.GetFiles(t.Workdir, $"*.{side}.lst").Single();

    /// <summary>Four files on both sides, synced; a canary outside both; a change waiting on Path1 (which must not be synced).</summary>
    private static async Task<TempTree> SyncedAsync()
    {
        var t = new TempTree();
        for (var i = 0; i < 4; i++) t.WriteBoth($"f{i}.txt", $"file {i}");
        File.WriteAllText(Path.Combine(t.Root, "outside.txt"), "outside");
        var (code, _) = await EngineRun.RunAsync(t, resync: true);
        Assert.Equal(0, code);
        TempTree.Write(t.Path1, "new.txt", "would be copied", DateTime.UtcNow);
        return t;
    }

    private static async Task AssertCriticalAsync(TempTree t, string names, string why)
    {
        var before1 = TempTree.SnapshotWithTimes(t.Path1);
        var before2 = TempTree.SnapshotWithTimes(t.Path2);
        var (code, log) = await EngineRun.RunAsync(t);
        Assert.Equal(2, code);
        var error = Assert.Single(log, l => l.Contains("Bisync critical error", StringComparison.Ordinal));
        Assert.True(error.Contains(names, StringComparison.Ordinal) && error.Contains(why, StringComparison.Ordinal),
            $"expected \"{names}\" and \"{why}\" in: {error}");
        Assert.DoesNotContain(log, l => l.Contains("Exception", StringComparison.Ordinal) || l.Contains('\n'));
        Assert.Equal(before1, TempTree.SnapshotWithTimes(t.Path1));
        Assert.Equal(before2, TempTree.SnapshotWithTimes(t.Path2));
        Assert.Equal("outside", File.ReadAllText(Path.Combine(t.Root, "outside.txt")));
        Assert.Empty(Directory.GetFiles(t.Workdir, "*.tmp"));
    }
}
