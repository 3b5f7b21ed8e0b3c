using Bisync.Tests.Support;

namespace Bisync.Tests.Cli;

/// <summary>Bad input gives one clear line on stderr, a documented exit code, and changes nothing.</summary>
public class BadInputTests
{
    private static TempTree Seeded()
    {
        var t = new TempTree();
        TempTree.Write(t.Path1, "a.txt", "one");
        TempTree.Write(t.Path2, "b.txt", "two");
        return t;
    }

    private static void AssertUnchanged(TempTree t)
    {
        Assert.Equal(["a.txt"], TempTree.Snapshot(t.Path1).Keys);
        Assert.Equal(["b.txt"], TempTree.Snapshot(t.Path2).Keys);
    }

    private static string OneLine(ProcessResult r)
    {
        var lines = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal)); // no stack trace
        Assert.DoesNotContain("Exception", r.StdErr);
        Assert.InRange(lines.Length, 1, 2); // the error, and for usage errors the usage hint
        return lines[0];
    }

    [Fact]
    public void Nonexistent_path_exits_3()
    {
        using var t = Seeded();
        var r = Processes.Bisync(t.Path1, Path.Combine(t.Root, "missing"), "--workdir", t.Workdir, "--resync");
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("directory not found", OneLine(r));
        AssertUnchanged(t);
    }

    [Fact]
    public void Path_that_is_a_file_exits_2()
    {
        using var t = Seeded();
        var r = Processes.Bisync(Path.Combine(t.Path1, "a.txt"), t.Path2, "--workdir", t.Workdir, "--resync");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("not a directory", OneLine(r));
        AssertUnchanged(t);
    }

    [Fact]
    public void Unusable_workdir_exits_2()
    {
        using var t = Seeded();
        var blocker = Path.Combine(t.Root, "blocker");
        File.WriteAllText(blocker, "a file where the workdir's parent should be");
        var r = Processes.Bisync(t.Path1, t.Path2, "--workdir", Path.Combine(blocker, "wd"), "--resync");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("working directory", OneLine(r));
        AssertUnchanged(t);
    }

    [Fact]
    public void Corrupt_listing_line_is_a_critical_error()
    {
        using var t = Seeded();
        Assert.Equal(0, Processes.Bisync(t.Path1, t.Path2, "--workdir", t.Workdir, "--resync").ExitCode);
        var before1 = TempTree.Snapshot(t.Path1);
        var before2 = TempTree.Snapshot(t.Path2);
        var listing = Directory.GetFiles(t.Workdir, "*.path1.lst").Single();
        File.AppendAllText(listing, "-   garbage line\n");
        TempTree.Write(t.Path1, "new.txt", "would be copied");
        var r = Processes.Bisync(t.Path1, t.Path2, "--workdir", t.Workdir);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("Bisync critical error", r.StdErr);
        Assert.Contains(".path1.lst:", r.StdErr);
        Assert.False(File.Exists(Path.Combine(t.Path2, "new.txt")));
        Assert.Equal(before2, TempTree.Snapshot(t.Path2));
        Assert.Equal(before1.Count + 1, TempTree.Snapshot(t.Path1).Count);
    }

    [Fact]
    public void Missing_filters_file_exits_2()
    {
        using var t = Seeded();
        var r = Processes.Bisync(t.Path1, t.Path2, "--workdir", t.Workdir, "--resync", "--filters-file", Path.Combine(t.Root, "nope.txt"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("filters file not found", OneLine(r));
        AssertUnchanged(t);
    }

    [Fact]
    public void Unknown_flag_exits_1()
    {
        using var t = Seeded();
        var r = Processes.Bisync(t.Path1, t.Path2, "--workdir", t.Workdir, "--resync", "--no-such-flag");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("unknown flag: --no-such-flag", OneLine(r));
        AssertUnchanged(t);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void Wrong_number_of_arguments_exits_1(int count)
    {
        using var t = Seeded();
        var args = new[] { t.Path1, t.Path2, t.Root }.Take(count).Concat(["--workdir", t.Workdir, "--resync"]).ToArray();
        var r = Processes.Bisync(args);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("exactly 2 arguments", OneLine(r));
        AssertUnchanged(t);
    }

    [Fact]
    public void Held_lock_exits_1_and_changes_nothing()
    {
        using var t = Seeded();
        Assert.Equal(0, Processes.Bisync(t.Path1, t.Path2, "--workdir", t.Workdir, "--resync").ExitCode);
        var lockFile = Path.Combine(t.Workdir, Directory.GetFiles(t.Workdir, "*.path1.lst").Single().Replace(".path1.lst", ".lck"));
        File.WriteAllText(lockFile, Environment.ProcessId.ToString());
        TempTree.Write(t.Path1, "new.txt", "x");
        var r = Processes.Bisync(t.Path1, t.Path2, "--workdir", t.Workdir);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("prior lock file found", OneLine(r));
        Assert.False(File.Exists(Path.Combine(t.Path2, "new.txt")));
        Assert.True(File.Exists(lockFile));
    }

    [Fact]
    public void Help_describes_every_flag_the_parser_accepts()
    {
        var r = Processes.Bisync("--help");
        Assert.Equal(0, r.ExitCode);
        foreach (var flag in Bisync.Cli.Flags.All)
            Assert.Contains(Bisync.Cli.HelpText.Left(flag) + "  ", r.StdOut);
        Assert.Contains("Exit codes:", r.StdOut);
    }
}
