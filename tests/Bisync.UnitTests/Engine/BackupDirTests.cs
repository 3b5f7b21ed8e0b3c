using Bisync.Engine;
using Bisync.Tests.Support;

namespace Bisync.UnitTests.Engine;

/// <summary>--backup-dir1/--backup-dir2/--backup-dir/--suffix on local folders: what a run overwrites or deletes is found in the backup folder.</summary>
public class BackupDirTests
{
    private static readonly DateTime Late = new(2001, 3, 4, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Early = new(2001, 1, 2, 0, 0, 0, DateTimeKind.Utc);

    private static async Task<TempTree> InSyncAsync()
    {
        var t = new TempTree();
        for (var i = 0; i < 10; i++) t.WriteBoth($"keep{i}.txt", $"keep {i}");
        t.WriteBoth("sub/file.txt", "original");
        t.WriteBoth("gone.txt", "to be deleted");
        Assert.Equal(0, (await ConflictPolicyTests.RunAsync(t, o => o with { Resync = true })).Code);
        return t;
    }

    private static string Bak(TempTree t, int n) => Path.Combine(t.Root, "backup" + n);

    [Fact]
    public async Task Overwritten_and_deleted_files_are_moved_to_the_side_s_backup_dir()
    {
        using var t = await InSyncAsync();
        TempTree.Write(t.Path1, "sub/file.txt", "changed on path1", Late);
        File.Delete(Path.Combine(t.Path1, "gone.txt"));
        var (code, log) = await ConflictPolicyTests.RunAsync(t, o => o with { BackupDir1 = Bak(t, 1), BackupDir2 = Bak(t, 2) });
        Assert.Equal(0, code);
        Assert.Equal("changed on path1", File.ReadAllText(Path.Combine(t.Path2, "sub/file.txt")));
        Assert.False(File.Exists(Path.Combine(t.Path2, "gone.txt")));
        Assert.Equal(new SortedDictionary<string, string> { ["gone.txt"] = "to be deleted", ["sub/file.txt"] = "original" }, TempTree.Snapshot(Bak(t, 2)));
        Assert.False(Directory.Exists(Bak(t, 1)) && Directory.EnumerateFileSystemEntries(Bak(t, 1)).Any());
        Assert.Contains(log, l => l.Contains("sub/file.txt: Moved (server-side) to: " + Bak(t, 2) + "/sub/file.txt"));
    }

    [Fact]
    public async Task One_backup_dir_serves_both_sides_and_the_suffix_can_keep_the_extension()
    {
        using var t = await InSyncAsync();
        TempTree.Write(t.Path2, "sub/file.txt", "changed on path2", Late);
        File.Delete(Path.Combine(t.Path2, "gone.txt"));
        var (code, _) = await ConflictPolicyTests.RunAsync(t, o => o with { BackupDir = Bak(t, 0), Suffix = "-old", SuffixKeepExtension = true });
        Assert.Equal(0, code);
        Assert.Equal(new SortedDictionary<string, string> { ["gone-old.txt"] = "to be deleted", ["sub/file-old.txt"] = "original" }, TempTree.Snapshot(Bak(t, 0)));
    }

    [Fact]
    public async Task A_deleted_conflict_loser_and_a_resync_s_overwritten_version_are_backed_up()
    {
        using var t = await InSyncAsync();
        TempTree.Write(t.Path1, "sub/file.txt", "path1 version", Late);
        TempTree.Write(t.Path2, "sub/file.txt", "path2 version", Early);
        var (code, _) = await ConflictPolicyTests.RunAsync(t, o => o with
        {
            BackupDir1 = Bak(t, 1), BackupDir2 = Bak(t, 2), ConflictResolve = ConflictResolve.Newer, ConflictLoser = ConflictLoser.Delete,
        });
        Assert.Equal(0, code);
        Assert.Equal("path2 version", File.ReadAllText(Path.Combine(Bak(t, 2), "sub/file.txt")));

        TempTree.Write(t.Path2, "sub/file.txt", "path2 resync winner", Late.AddDays(1));
        (code, _) = await ConflictPolicyTests.RunAsync(t, o => o with { BackupDir1 = Bak(t, 1), ResyncMode = ResyncMode.Path2 });
        Assert.Equal(0, code);
        Assert.Equal("path2 resync winner", File.ReadAllText(Path.Combine(t.Path1, "sub/file.txt")));
        Assert.Equal("path1 version", File.ReadAllText(Path.Combine(Bak(t, 1), "sub/file.txt")));
    }

    [Fact]
    public async Task A_suffix_without_a_backup_dir_keeps_the_old_version_beside_the_file()
    {
        using var t = await InSyncAsync();
        TempTree.Write(t.Path1, "sub/file.txt", "changed on path1", Late);
        var (code, _) = await ConflictPolicyTests.RunAsync(t, o => o with { Suffix = ".bak" });
        Assert.Equal(0, code);
        Assert.Equal("original", File.ReadAllText(Path.Combine(t.Path2, "sub/file.txt.bak")));
        Assert.Equal("changed on path1", File.ReadAllText(Path.Combine(t.Path2, "sub/file.txt")));
    }

    [Theory]
    [InlineData("inside path1")]
    [InlineData("path2 itself")]
    [InlineData("around path2")]
    public async Task A_backup_dir_that_overlaps_a_synced_path_is_refused(string where)
    {
        using var t = await InSyncAsync();
        TempTree.Write(t.Path1, "sub/file.txt", "changed on path1", Late);
        var dir = where switch
        {
            "inside path1" => Path.Combine(t.Path1, "bak"),
            "path2 itself" => t.Path2 + "/",
            _ => t.Root,
        };
        var before = TempTree.SnapshotWithTimes(t.Path2);
        var (code, log) = await ConflictPolicyTests.RunAsync(t, o => o with { BackupDir2 = dir });
        Assert.Equal(2, code);
        Assert.Contains(log, l => l.Contains("--backup-dir2 \"" + dir + "\" overlaps Path"));
        Assert.Equal(before, TempTree.SnapshotWithTimes(t.Path2));
    }

    [Theory]
    [InlineData("a/b.txt", "-1", false, "a/b.txt-1")]
    [InlineData("a/b.txt", "-1", true, "a/b-1.txt")]
    [InlineData("a.d/b", "-1", true, "a.d/b-1")]
    [InlineData(".hidden", "-1", true, ".hidden-1")]
    public void Suffixes_go_at_the_end_or_before_the_extension(string path, string suffix, bool keep, string expected) =>
        Assert.Equal(expected, BackupDir.Suffixed(path, suffix, keep));
}
