using System.Diagnostics;
using Bisync.Engine;
using Bisync.Logging;
using Bisync.Storage;
using Bisync.Storage.Local;
using Bisync.Tests.Support;

namespace Bisync.UnitTests.Engine;

/// <summary>
/// Half-written temporaries that a killed run left are removed by the next run and never synced;
/// symbolic links are reported (default), followed (-L) or stored as NAME.rclonelink (-l), as rclone does.
/// </summary>
public class TemporariesAndLinksTests
{
    private static async Task<(int Code, List<string> Log)> RunAsync(TempTree t, bool resync, Func<BisyncOptions, BisyncOptions>? tweak = null)
    {
        var lines = new List<string>();
        using var log = Logger.Silent(LogLevel.Info);
        log.Sink = l => { lock (lines) lines.Add(l); };
        var options = new BisyncOptions { Path1 = t.Path1, Path2 = t.Path2, Workdir = t.Workdir, Resync = resync };
        if (tweak is not null) options = tweak(options);
        var result = await new BisyncEngine(new LocalStorageOpener(), log).RunAsync(options, CancellationToken.None);
        if (result.Error is not null) lines.Add("RESULT: " + result.Error);
        return (result.ExitCode, lines);
    }

    /// <summary>The PID of a process that has ended (a killed run's).</summary>
    private static int DeadPid()
    {
        using var p = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        p.WaitForExit();
        return p.Id;
    }

    private static List<string> AllNames(string root) =>
        Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(root, p)).Order().ToList();

    [Fact]
    public async Task A_killed_runs_temporary_is_removed_by_the_next_run_and_never_synced()
    {
        using var t = new TempTree();
        t.WriteBoth("sub/a.txt", "a");
        Assert.Equal(0, (await RunAsync(t, resync: true)).Code);

        var leftover = "sub/" + LocalStorage.TemporaryPrefixFor(DeadPid()) + "0a1b2c3d0001.partial";
        TempTree.Write(t.Path1, leftover, "half a file");
        var (code, log) = await RunAsync(t, resync: false);

        Assert.Equal(0, code);
        Assert.False(File.Exists(Path.Combine(t.Path1, leftover)), "the leftover is gone");
        Assert.Equal(["sub", "sub/a.txt"], AllNames(t.Path2));
        Assert.Contains(log, l => l.Contains("INFO  : " + leftover + ": Removed a temporary left by an interrupted run", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_temporary_of_a_live_process_or_of_unknown_age_stays_hidden_until_old_enough()
    {
        using var t = new TempTree();
        t.WriteBoth("a.txt", "a");
        Assert.Equal(0, (await RunAsync(t, resync: true)).Code);

        // PID 1 is alive: its temporary may be an upload in progress (another pair sharing this tree).
        var live = LocalStorage.TemporaryPrefixFor(1) + "0a1b2c3d0001.partial";
        var older = ".bisync-0a1b2c3d0002.partial"; // the older name format: no owner to ask
        TempTree.Write(t.Path1, live, "being written");
        TempTree.Write(t.Path2, older, "being written too");

        var (code, log) = await RunAsync(t, resync: false);
        Assert.Equal(0, code);
        Assert.True(File.Exists(Path.Combine(t.Path1, live)));
        Assert.True(File.Exists(Path.Combine(t.Path2, older)));
        Assert.DoesNotContain(log, l => l.Contains("Removed a temporary", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(t.Path2, live)), "never synced");
        Assert.False(File.Exists(Path.Combine(t.Path1, older)), "never synced");

        // Untouched for the minimum age (here zero): abandoned, removed.
        (code, log) = await RunAsync(t, resync: false, o => o with { TemporaryMinAge = TimeSpan.Zero });
        Assert.Equal(0, code);
        Assert.False(File.Exists(Path.Combine(t.Path1, live)));
        Assert.False(File.Exists(Path.Combine(t.Path2, older)));
        Assert.Equal(2, log.Count(l => l.Contains("Removed a temporary", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_dry_run_removes_no_temporary()
    {
        using var t = new TempTree();
        t.WriteBoth("a.txt", "a");
        Assert.Equal(0, (await RunAsync(t, resync: true)).Code);
        var leftover = LocalStorage.TemporaryPrefixFor(DeadPid()) + "0a1b2c3d0001.partial";
        TempTree.Write(t.Path2, leftover, "half");
        Assert.Equal(0, (await RunAsync(t, resync: false, o => o with { DryRun = true })).Code);
        Assert.True(File.Exists(Path.Combine(t.Path2, leftover)));
    }

    /// <summary>path1: f.txt, d/s.txt, lf -> f.txt, ld -> d, up -> .. (a loop), gone -> missing.</summary>
    private static TempTree LinkTree()
    {
        var t = new TempTree();
        TempTree.Write(t.Path1, "f.txt", "hello");
        TempTree.Write(t.Path1, "d/s.txt", "sub");
        File.CreateSymbolicLink(Path.Combine(t.Path1, "lf"), "f.txt");
        File.CreateSymbolicLink(Path.Combine(t.Path1, "ld"), "d");
        File.CreateSymbolicLink(Path.Combine(t.Path1, "up"), "..");
        File.CreateSymbolicLink(Path.Combine(t.Path1, "gone"), "missing");
        return t;
    }

    [Fact]
    public async Task By_default_each_link_is_reported_with_rclones_notice_and_not_synced()
    {
        using var t = LinkTree();
        var (code, log) = await RunAsync(t, resync: true);
        Assert.Equal(0, code);
        foreach (var name in new[] { "lf", "ld", "up", "gone" })
            Assert.Single(log, l => l.EndsWith("NOTICE: " + name + ": Can't follow symlink without -L/--copy-links", StringComparison.Ordinal));
        Assert.Equal(["d", "d/s.txt", "f.txt"], AllNames(t.Path2));
    }

    [Fact]
    public async Task Copy_links_follows_links_to_files_and_directories_and_skips_loops_and_dangling_ones()
    {
        using var t = LinkTree();
        var (code, log) = await RunAsync(t, resync: true, o => o with { CopyLinks = true });
        Assert.Equal(0, code);
        Assert.Equal(["d", "d/s.txt", "f.txt", "ld", "ld/s.txt", "lf"], AllNames(t.Path2));
        Assert.Equal("hello", File.ReadAllText(Path.Combine(t.Path2, "lf")));
        Assert.Null(new FileInfo(Path.Combine(t.Path2, "lf")).LinkTarget);
        Assert.Equal(TempTree.BaseTime, File.GetLastWriteTimeUtc(Path.Combine(t.Path2, "lf")));
        Assert.Single(log, l => l.Contains("NOTICE: up: Can't follow symlink", StringComparison.Ordinal));
        Assert.Single(log, l => l.Contains("NOTICE: gone: Can't follow symlink", StringComparison.Ordinal));

        // A change made through Path2's copy comes back to Path1 through the link, which stays a link.
        TempTree.Write(t.Path2, "lf", "changed", TempTree.BaseTime.AddHours(1));
        (code, _) = await RunAsync(t, resync: false, o => o with { CopyLinks = true });
        Assert.Equal(0, code);
        Assert.Equal("f.txt", new FileInfo(Path.Combine(t.Path1, "lf")).LinkTarget);
        Assert.Equal("changed", File.ReadAllText(Path.Combine(t.Path1, "f.txt")));
    }

    [Fact]
    public async Task Links_are_stored_as_rclonelink_files_and_made_links_again_on_a_local_side()
    {
        using var t = LinkTree();
        var (code, _) = await RunAsync(t, resync: true, o => o with { Links = true });
        Assert.Equal(0, code);
        Assert.Equal("f.txt", new FileInfo(Path.Combine(t.Path2, "lf")).LinkTarget);
        Assert.Equal("d", new FileInfo(Path.Combine(t.Path2, "ld")).LinkTarget);
        Assert.Equal("..", new FileInfo(Path.Combine(t.Path2, "up")).LinkTarget);
        Assert.Equal("missing", new FileInfo(Path.Combine(t.Path2, "gone")).LinkTarget);
        var listing = File.ReadAllText(Directory.GetFiles(t.Workdir, "*.path2.lst").Single());
        Assert.Contains("\"lf.rclonelink\"", listing);
        Assert.Matches(@"- +5 - - \S+ ""lf\.rclonelink""", listing); // the size is the target's length, as rclone's

        // A link changed on Path2 comes back to Path1 as a link with the new target.
        File.Delete(Path.Combine(t.Path2, "lf"));
        File.CreateSymbolicLink(Path.Combine(t.Path2, "lf"), "d/s.txt");
        (code, _) = await RunAsync(t, resync: false, o => o with { Links = true });
        Assert.Equal(0, code);
        Assert.Equal("d/s.txt", new FileInfo(Path.Combine(t.Path1, "lf")).LinkTarget);
    }

    [Fact]
    public async Task Links_and_copy_links_together_are_refused_as_by_rclone()
    {
        using var t = LinkTree();
        var (code, log) = await RunAsync(t, resync: true, o => o with { Links = true, CopyLinks = true });
        Assert.Equal(1, code);
        Assert.Contains(log, l => l.Contains("can't use -l/--links with -L/--copy-links", StringComparison.Ordinal));
    }
}
