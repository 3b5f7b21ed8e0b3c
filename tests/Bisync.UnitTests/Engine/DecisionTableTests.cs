using Bisync.Engine;
using Bisync.Logging;
using Bisync.Storage.Local;
using Bisync.Tests.Support;

namespace Bisync.UnitTests.Engine;

/// <summary>Every row of rclone bisync's normal and unusual sync-check tables, end to end on local folders.</summary>
public class DecisionTableTests
{
    private static readonly DateTime T1 = new(2001, 1, 2, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime T2 = new(2001, 3, 4, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Older = new(1999, 9, 9, 0, 0, 0, DateTimeKind.Utc);

    private static async Task<(BisyncResult Result, List<string> Log)> RunAsync(TempTree t, bool resync = false)
    {
        var lines = new List<string>();
        var log = Logger.Silent(LogLevel.Info);
        log.Sink = lines.Add;
        var engine = new BisyncEngine(new LocalStorageOpener(), log);
        var result = await engine.RunAsync(new BisyncOptions
        {
            Path1 = t.Path1, Path2 = t.Path2, Workdir = t.Workdir, Resync = resync,
        }, CancellationToken.None);
        return (result, lines);
    }

    /// <summary>Ten files in sync on both sides (so that one change is never "too many deletes").</summary>
    private static async Task<TempTree> InSyncAsync()
    {
        var t = new TempTree();
        for (var i = 0; i < 10; i++) t.WriteBoth($"keep{i}.txt", $"keep {i}");
        t.WriteBoth("file.txt", "original");
        var (r, _) = await RunAsync(t, resync: true);
        Assert.Equal(0, r.ExitCode);
        return t;
    }

    private static void AssertBoth(TempTree t, string relative, string? content)
    {
        foreach (var root in new[] { t.Path1, t.Path2 })
        {
            var full = Path.Combine(root, relative);
            if (content is null) Assert.False(File.Exists(full), $"{full} should not exist");
            else Assert.Equal(content, File.ReadAllText(full));
        }
    }

    private static void AssertSame(TempTree t) => Assert.Equal(TempTree.SnapshotWithTimes(t.Path1), TempTree.SnapshotWithTimes(t.Path2));

    // ---- Normal sync checks ----

    [Theory]
    [InlineData(1, "new")]
    [InlineData(2, "new")]
    public async Task New_file_is_copied_to_the_other_side(int side, string _)
    {
        using var t = await InSyncAsync();
        TempTree.Write(side == 1 ? t.Path1 : t.Path2, "sub/new.txt", "fresh", T1);
        var (r, log) = await RunAsync(t);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains(log, l => l.Contains($"Path{side}    File is new") && l.EndsWith("sub/new.txt"));
        AssertBoth(t, "sub/new.txt", "fresh");
        AssertSame(t);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Newer_file_is_copied_to_the_other_side(int side)
    {
        using var t = await InSyncAsync();
        TempTree.Write(side == 1 ? t.Path1 : t.Path2, "file.txt", "changed", T1);
        var (r, log) = await RunAsync(t);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains(log, l => l.Contains($"Path{side}    File is newer"));
        AssertBoth(t, "file.txt", "changed");
        AssertSame(t);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Older_file_survives_and_is_copied(int side)
    {
        using var t = await InSyncAsync();
        TempTree.Write(side == 1 ? t.Path1 : t.Path2, "file.txt", "restored old", Older);
        var (r, log) = await RunAsync(t);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains(log, l => l.Contains($"Path{side}    File is OLDER"));
        AssertBoth(t, "file.txt", "restored old");
        AssertSame(t);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Deleted_file_is_deleted_on_the_other_side(int side)
    {
        using var t = await InSyncAsync();
        File.Delete(Path.Combine(side == 1 ? t.Path1 : t.Path2, "file.txt"));
        var (r, log) = await RunAsync(t);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains(log, l => l.Contains($"Path{side}    File was deleted"));
        AssertBoth(t, "file.txt", null);
        AssertSame(t);
    }

    // ---- Unusual sync checks ----

    [Fact]
    public async Task New_on_both_sides_keeps_both_versions()
    {
        using var t = await InSyncAsync();
        TempTree.Write(t.Path1, "both.txt", "from one", T1);
        TempTree.Write(t.Path2, "both.txt", "from two", T2);
        var (r, log) = await RunAsync(t);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains(log, l => l.Contains("New or changed in both paths") && l.EndsWith("both.txt"));
        AssertBoth(t, "both.txt", null);
        AssertBoth(t, "both.txt..path1", "from one");
        AssertBoth(t, "both.txt..path2", "from two");
        AssertSame(t);
    }

    [Theory]
    [InlineData("newer")]
    [InlineData("older")]
    public async Task Changed_on_both_sides_keeps_both_versions(string path1Change)
    {
        using var t = await InSyncAsync();
        TempTree.Write(t.Path1, "file.txt", "one", path1Change == "newer" ? T1 : Older);
        TempTree.Write(t.Path2, "file.txt", "two", T2);
        var (r, _) = await RunAsync(t);
        Assert.Equal(0, r.ExitCode);
        AssertBoth(t, "file.txt..path1", "one");
        AssertBoth(t, "file.txt..path2", "two");
        AssertBoth(t, "file.txt", null);
        AssertSame(t);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Changed_on_one_side_and_deleted_on_the_other_keeps_the_change(int changedSide)
    {
        using var t = await InSyncAsync();
        TempTree.Write(changedSide == 1 ? t.Path1 : t.Path2, "file.txt", "survivor", T1);
        File.Delete(Path.Combine(changedSide == 1 ? t.Path2 : t.Path1, "file.txt"));
        var (r, _) = await RunAsync(t);
        Assert.Equal(0, r.ExitCode);
        AssertBoth(t, "file.txt", "survivor");
        AssertSame(t);
    }

    [Fact]
    public async Task Deleted_on_both_sides_is_simply_gone()
    {
        using var t = await InSyncAsync();
        File.Delete(Path.Combine(t.Path1, "file.txt"));
        File.Delete(Path.Combine(t.Path2, "file.txt"));
        var (r, log) = await RunAsync(t);
        Assert.Equal(0, r.ExitCode);
        Assert.DoesNotContain(log, l => l.Contains("Queue"));
        AssertBoth(t, "file.txt", null);
    }

    [Fact]
    public async Task A_conflict_never_overwrites_an_earlier_conflict_copy()
    {
        using var t = await InSyncAsync();
        t.WriteBoth("file.txt..path1", "earlier conflict copy");
        await RunAsync(t, resync: true);
        TempTree.Write(t.Path1, "file.txt", "one", T1);
        TempTree.Write(t.Path2, "file.txt", "two", T2);
        var (r, _) = await RunAsync(t);
        Assert.Equal(0, r.ExitCode);
        AssertBoth(t, "file.txt..path1", "earlier conflict copy");
        AssertBoth(t, "file.txt..path1-2", "one");
        AssertBoth(t, "file.txt..path2", "two");
    }

    [Fact]
    public async Task A_size_change_with_the_same_time_is_a_change()
    {
        using var t = await InSyncAsync();
        TempTree.Write(t.Path1, "file.txt", "same time, longer content", TempTree.BaseTime);
        var (r, log) = await RunAsync(t);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains(log, l => l.Contains("File size differs"));
        AssertBoth(t, "file.txt", "same time, longer content");
    }

    [Fact]
    public async Task A_resync_that_cannot_bring_a_Path2_file_to_Path1_deletes_nothing()
    {
        using var t = new TempTree();
        TempTree.Write(t.Path1, "common.txt", "c");
        TempTree.Write(t.Path2, "common.txt", "c");
        TempTree.Write(t.Path1, "x", "a file where Path2 has a folder");
        TempTree.Write(t.Path2, "x/only-on-two.txt", "must survive");
        var (r, log) = await RunAsync(t, resync: true);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(log, l => l.Contains("resync failed"));
        Assert.Equal("must survive", File.ReadAllText(Path.Combine(t.Path2, "x/only-on-two.txt")));
    }
}
