using Bisync.Tests.Support;

namespace Bisync.Tests.Rclone;

/// <summary>
/// rclone 1.60.1 itself is the oracle: the same scripted history run by rclone bisync and by ours
/// must leave the same trees (names, contents, modification times) and give the same exit codes;
/// and listings written by either tool must be accepted by the other with "No changes found".
/// </summary>
public class RcloneComparisonTests
{
    private static readonly DateTime T0 = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime T1 = new(2001, 1, 2, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime T2 = new(2001, 3, 4, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime TOld = new(1999, 9, 9, 0, 0, 0, DateTimeKind.Utc);

    private delegate ProcessResult Tool(TempTree t, params string[] flags);

    private static ProcessResult Ours(TempTree t, params string[] flags) =>
        Processes.Bisync(new[] { t.Path1, t.Path2, "--workdir", t.Workdir, "-v" }.Concat(flags).ToArray());

    private static ProcessResult Theirs(TempTree t, params string[] flags) =>
        Processes.Rclone(new[] { "bisync", t.Path1, t.Path2, "--workdir", t.Workdir, "-v" }.Concat(flags).ToArray());

    private static void Initial(TempTree t)
    {
        TempTree.Write(t.Path1, "RCLONE_TEST", "check");
        TempTree.Write(t.Path2, "RCLONE_TEST", "check");
        for (var i = 1; i <= 8; i++) t.WriteBoth($"file{i}.txt", $"content {i}");
        t.WriteBoth("dir/a.txt", "a");
        t.WriteBoth("dir/deep/b.txt", "b");
        t.WriteBoth("spaces in name.txt", "s");
        t.WriteBoth("測試/Русский.txt", "unicode");
        TempTree.Write(t.Path1, "only1.txt", "only on one", T1);
        TempTree.Write(t.Path2, "only2.txt", "only on two", T1);
        TempTree.Write(t.Path1, "differs.txt", "path1 version", T0);
        TempTree.Write(t.Path2, "differs.txt", "path2 version, longer", T2);
    }

    private static void Changes(TempTree t)
    {
        TempTree.Write(t.Path1, "new1.txt", "new on one", T1);                 // new on Path1
        TempTree.Write(t.Path2, "dir/new2.txt", "new on two", T1);             // new on Path2
        TempTree.Write(t.Path1, "file1.txt", "newer on one", T1);              // newer on Path1
        TempTree.Write(t.Path2, "file2.txt", "newer on two", T1);              // newer on Path2
        TempTree.Write(t.Path1, "file3.txt", "older on one", TOld);            // older on Path1
        File.Delete(Path.Combine(t.Path1, "file4.txt"));                        // deleted on Path1
        File.Delete(Path.Combine(t.Path2, "file5.txt"));                        // deleted on Path2
        TempTree.Write(t.Path1, "file6.txt", "conflict one", T1);              // changed on both
        TempTree.Write(t.Path2, "file6.txt", "conflict two", T2);
        TempTree.Write(t.Path2, "file7.txt", "changed two, deleted one", T1);  // newer on 2, deleted on 1
        File.Delete(Path.Combine(t.Path1, "file7.txt"));
        File.Delete(Path.Combine(t.Path1, "dir/deep/b.txt"));                   // deleted on both
        File.Delete(Path.Combine(t.Path2, "dir/deep/b.txt"));
        TempTree.Write(t.Path1, "both new.txt", "same name one", T1);          // new on both
        TempTree.Write(t.Path2, "both new.txt", "same name two", T1);
    }

    private static (TempTree Ours, TempTree Theirs) Pair(Action<TempTree> setup)
    {
        var a = new TempTree();
        var b = new TempTree();
        setup(a);
        setup(b);
        return (a, b);
    }

    private static void AssertSameTrees(TempTree ours, TempTree theirs)
    {
        Assert.Equal(TempTree.SnapshotWithTimes(theirs.Path1), TempTree.SnapshotWithTimes(ours.Path1));
        Assert.Equal(TempTree.SnapshotWithTimes(theirs.Path2), TempTree.SnapshotWithTimes(ours.Path2));
    }

    [Fact]
    public void Resync_then_changes_on_both_sides_end_in_the_same_trees()
    {
        var (ours, theirs) = Pair(Initial);
        using (ours)
        using (theirs)
        {
            var r1 = Ours(ours, "--resync");
            var r2 = Theirs(theirs, "--resync");
            Assert.True(r2.ExitCode == 0, r2.StdErr);
            Assert.True(r1.ExitCode == 0, r1.StdErr);
            AssertSameTrees(ours, theirs);

            Changes(ours);
            Changes(theirs);
            r1 = Ours(ours);
            r2 = Theirs(theirs);
            Assert.True(r2.ExitCode == 0, r2.StdErr);
            Assert.True(r1.ExitCode == 0, r1.StdErr);
            AssertSameTrees(ours, theirs);

            r1 = Ours(ours);
            r2 = Theirs(theirs);
            Assert.Equal(r2.ExitCode, r1.ExitCode);
            Assert.Contains("No changes found", r2.StdErr);
            Assert.Contains("No changes found", r1.StdErr);
        }
    }

    [Theory]
    [InlineData("too many deletes")]
    [InlineData("all changed")]
    [InlineData("empty path")]
    [InlineData("check access")]
    [InlineData("no prior listings")]
    public void Safety_aborts_give_the_same_exit_codes_and_leave_the_same_trees(string scenario)
    {
        var (ours, theirs) = Pair(Initial);
        using (ours)
        using (theirs)
        {
            foreach (var (t, tool) in new (TempTree, Tool)[] { (ours, Ours), (theirs, Theirs) })
            {
                Assert.Equal(0, tool(t, "--resync").ExitCode);
                switch (scenario)
                {
                    case "too many deletes":
                        foreach (var f in Directory.GetFiles(t.Path1, "file*.txt")) File.Delete(f);
                        File.Delete(Path.Combine(t.Path1, "only1.txt")); // 9 of 16: over 50%
                        break;
                    case "all changed":
                        foreach (var f in Directory.GetFiles(t.Path2, "*", SearchOption.AllDirectories)) File.SetLastWriteTimeUtc(f, T2);
                        break;
                    case "empty path":
                        foreach (var e in Directory.GetFileSystemEntries(t.Path2))
                        {
                            if (Directory.Exists(e)) Directory.Delete(e, true); else File.Delete(e);
                        }
                        break;
                    case "check access":
                        File.Delete(Path.Combine(t.Path2, "RCLONE_TEST"));
                        break;
                    case "no prior listings":
                        foreach (var f in Directory.GetFiles(t.Workdir, "*.lst")) File.Delete(f);
                        break;
                }
            }
            var flags = scenario == "check access" ? new[] { "--check-access" } : [];
            var r1 = Ours(ours, flags);
            var r2 = Theirs(theirs, flags);
            Assert.True(r2.ExitCode == r1.ExitCode, $"rclone exit {r2.ExitCode}, ours {r1.ExitCode}\n--- rclone:\n{r2.StdErr}\n--- ours:\n{r1.StdErr}");
            Assert.NotEqual(0, r1.ExitCode);
            AssertSameTrees(ours, theirs);
            Assert.Equal(
                Directory.GetFiles(theirs.Workdir).Select(f => Path.GetFileName(f).Replace(Canon(theirs), "")).Order(),
                Directory.GetFiles(ours.Workdir).Select(f => Path.GetFileName(f).Replace(Canon(ours), "")).Order());
        }
    }

    private static string Canon(TempTree t) => Bisync.Engine.SessionNames.Canonical(t.Path1 + "/") + ".." + Bisync.Engine.SessionNames.Canonical(t.Path2 + "/");

    [Fact]
    public void Dry_run_changes_nothing_in_either_tool()
    {
        var (ours, theirs) = Pair(Initial);
        using (ours)
        using (theirs)
        {
            Assert.Equal(0, Ours(ours, "--resync").ExitCode);
            Assert.Equal(0, Theirs(theirs, "--resync").ExitCode);
            Changes(ours);
            Changes(theirs);
            var before1 = TempTree.SnapshotWithTimes(ours.Path1);
            var before2 = TempTree.SnapshotWithTimes(ours.Path2);
            var listing = File.ReadAllText(Directory.GetFiles(ours.Workdir, "*.path1.lst").Single());
            var r1 = Ours(ours, "--dry-run");
            var r2 = Theirs(theirs, "--dry-run");
            Assert.Equal(r2.ExitCode, r1.ExitCode);
            Assert.Equal(0, r1.ExitCode);
            Assert.Equal(before1, TempTree.SnapshotWithTimes(ours.Path1));
            Assert.Equal(before2, TempTree.SnapshotWithTimes(ours.Path2));
            Assert.Equal(listing, File.ReadAllText(Directory.GetFiles(ours.Workdir, "*.path1.lst").Single()));
            AssertSameTrees(ours, theirs);
        }
    }

    [Fact]
    public void Listings_written_by_rclone_are_accepted_by_us()
    {
        using var t = new TempTree();
        Initial(t);
        var r = Theirs(t, "--resync");
        Assert.True(r.ExitCode == 0, r.StdErr);
        var ours = Ours(t);
        Assert.True(ours.ExitCode == 0, ours.StdErr);
        Assert.Contains("No changes found", ours.StdErr);
        // And after a change made by us, rclone carries on from our listings.
        TempTree.Write(t.Path1, "later.txt", "later", T1);
        Assert.Equal(0, Ours(t).ExitCode);
        var back = Theirs(t);
        Assert.True(back.ExitCode == 0, back.StdErr);
        Assert.Contains("No changes found", back.StdErr);
    }

    [Fact]
    public void Listings_written_by_us_are_accepted_by_rclone()
    {
        using var t = new TempTree();
        Initial(t);
        var r = Ours(t, "--resync");
        Assert.True(r.ExitCode == 0, r.StdErr);
        var theirs = Theirs(t);
        Assert.True(theirs.ExitCode == 0, theirs.StdErr);
        Assert.Contains("No changes found", theirs.StdErr);
        Changes(t);
        Assert.Equal(0, Theirs(t).ExitCode);
        var ours = Ours(t);
        Assert.True(ours.ExitCode == 0, ours.StdErr);
        Assert.Contains("No changes found", ours.StdErr);
    }
}
