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
        // A critical error, as in rclone v1.75: the listings are set aside and the next run needs --resync.
        Assert.Contains(log, l => l.Contains("Must run --resync to recover"));
        Assert.Equal(2, Directory.GetFiles(t.Workdir, "*.lst-err").Length);
        Assert.Empty(Directory.GetFiles(t.Workdir, "*.lst"));
    }

    [Theory]
    [InlineData("path2 inside path1", false)]
    [InlineData("path1 inside path2", false)]
    [InlineData("the same folder", false)]
    [InlineData("the same folder", true)]
    public async Task Path1_and_path2_that_overlap_are_refused_before_anything_changes(string how, bool resync)
    {
        using var t = new TempTree();
        var outer = Path.Combine(t.Root, "outer");
        var inner = Path.Combine(outer, "inner");
        TempTree.Write(outer, "a.txt", "a", Early);
        TempTree.Write(inner, "b.txt", "b", Early);
        var (p1, p2) = how switch
        {
            "path2 inside path1" => (outer, inner),
            "path1 inside path2" => (inner, outer),
            _ => (outer, outer + "/"),
        };
        var before = TempTree.SnapshotWithTimes(outer);
        var (code, log) = await ConflictPolicyTests.RunAsync(t, o => o with { Path1 = p1, Path2 = p2, Resync = resync });
        Assert.Equal(2, code);
        Assert.Contains(log, l => l.Contains("overlap: can't sync a folder with one inside it"));
        Assert.Equal(before, TempTree.SnapshotWithTimes(outer));
    }

    [Theory]
    [InlineData("/a/b", "/a/bc", false)]
    [InlineData("/a/b", "/a/b/c", true)]
    [InlineData("/a/b/", "/a/b", true)]
    [InlineData("r:bucket/p1", "r:bucket/p1/x", true)]
    [InlineData("r:bucket/p1", "r:bucket/p2", false)]
    [InlineData("r:bucket/p1", "s:bucket/p1", false)]
    [InlineData("/a/b", "r:/a/b", false)]
    public void Overlap_means_the_same_folder_or_one_inside_the_other_on_the_same_remote(string a, string b, bool overlap)
    {
        Assert.Equal(overlap, BackupDir.Overlap(a, b));
        Assert.Equal(overlap, BackupDir.Overlap(b, a));
    }

    [Theory]
    [InlineData("a/b.txt", "-1", false, "a/b.txt-1")]
    [InlineData("a/b.txt", "-1", true, "a/b-1.txt")]
    [InlineData("a.d/b", "-1", true, "a.d/b-1")]
    [InlineData(".hidden", "-1", true, ".hidden-1")]
    public void Suffixes_go_at_the_end_or_before_the_extension(string path, string suffix, bool keep, string expected) =>
        Assert.Equal(expected, BackupDir.Suffixed(path, suffix, keep));
}
