namespace Bisync.Tests.Conformance;

/// <summary>
/// rclone v1.75.0's bisync test cases (<c>../shared/conformance/rclone-v1.75.0</c>, or the folder
/// named by <c>$BISYNC_CONFORMANCE_V175</c>), run against the engine on the local disk under
/// <c>--compat 1.75</c> with the v1.75 comparison rules.
/// </summary>
public sealed class V175ConformanceTests
{
    /// <summary>
    /// THE table of cases that wait for an engine feature not built yet: case name → what it waits for.
    /// These are not run; every other case runs and must pass. A case leaves this table when its feature lands.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Waiting = new Dictionary<string, string>(StringComparer.Ordinal)
    {
    };

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        try
        {
            foreach (var name in ConformanceData.CaseNames(ConformanceSuite.V1_75_0.Locate()))
                if (!Waiting.ContainsKey(name)) data.Add(name);
        }
        catch (DirectoryNotFoundException)
        {
            data.Add(ConformanceTests.Missing);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Rclone_v1_75_0_case(string name)
    {
        if (name == ConformanceTests.Missing) ConformanceSuite.V1_75_0.Locate(); // throws with the reason
        var outcome = await ConformanceCase.RunAsync(
            name, tmp => ConformanceTarget.Local(tmp, LocalOpener.Create()), CancellationToken.None, suite: ConformanceSuite.V1_75_0);
        Assert.True(outcome.Passed, $"{name} does not match golden/ (v1.75 rules):\n{outcome.Report}");
    }

    [Fact]
    public void Every_waiting_case_exists()
    {
        var names = ConformanceData.CaseNames(ConformanceSuite.V1_75_0.Locate());
        Assert.All(Waiting.Keys, w => Assert.Contains(w, names));
    }
}

/// <summary>The v1.75 step language on a made-up case: the two hooks, list-files, and the suite's data folder.</summary>
public sealed class V175RunnerTests
{
    /// <summary>A case folder of our own (no golden/: only run, never compared).</summary>
    private static string MakeCase(string root, string scenario)
    {
        var dir = Path.Combine(root, "test_hooks");
        var old = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        Directory.CreateDirectory(Path.Combine(dir, "initial"));
        Directory.CreateDirectory(Path.Combine(dir, "modfiles"));
        File.WriteAllText(Path.Combine(dir, "initial", "file1.txt"), "one");
        File.WriteAllText(Path.Combine(dir, "initial", "file2.txt"), "two");
        var seven = Path.Combine(dir, "modfiles", "file7.txt");
        File.WriteAllText(seven, "seven, changed during the run");
        File.SetLastWriteTimeUtc(seven, old.AddDays(400));
        File.WriteAllText(Path.Combine(dir, "scenario.txt"), scenario);
        return dir;
    }

    private static async Task<(ScenarioRunner Runner, string Tmp)> RunAsync(string scenario)
    {
        var tmp = Directory.CreateTempSubdirectory("bisync-hooks-").FullName;
        var caseDir = MakeCase(Path.Combine(tmp, "cases"), scenario);
        var runner = new ScenarioRunner(caseDir, Path.Combine(tmp, "run"),
            ConformanceTarget.Local(Path.Combine(tmp, "run"), LocalOpener.Create()), ConformanceSuite.V1_75_0);
        await runner.RunAsync(CancellationToken.None);
        return (runner, Path.Combine(tmp, "run"));
    }

    private const string ChangeThenRun = """
        bisync resync
        copy-as {datadir/}file7.txt {path1/} file2.txt   # a change, so the next run copies
        {0}
        bisync
        bisync                                            # the next run finds what the hook did
        list-files {path1/}
        """;

    [Fact]
    public async Task Concurrent_func_changes_path2_while_the_run_copies_and_the_next_run_syncs_it()
    {
        var (runner, tmp) = await RunAsync(ChangeThenRun.Replace("{0}", "concurrent-func"));
        try
        {
            Assert.Equal("seven, changed during the run", File.ReadAllText(Path.Combine(tmp, "path2", "file1.txt")));
            Assert.Equal("seven, changed during the run", File.ReadAllText(Path.Combine(tmp, "path1", "file1.txt")));
            Assert.DoesNotContain(runner.Log, l => l.StartsWith("Bisync error", StringComparison.Ordinal));
            // list-files: one line per file, with the MD5 of its name.
            Assert.Contains($"file1.txt - filename hash: {ScenarioRunner.NameHash("file1.txt")}", runner.Log);
            Assert.DoesNotContain(runner.Log, l => l.StartsWith("file3", StringComparison.Ordinal));
        }
        finally
        {
            NativeFs.RemoveAll(Path.GetDirectoryName(tmp)!);
        }
    }

    [Fact]
    public async Task Test_func_writes_fifty_files_on_each_side_during_the_run()
    {
        // test-func also overwrites file1 and file2 on Path2, every file the prior run knew: --force passes "all files changed".
        var (runner, tmp) = await RunAsync(ChangeThenRun.Replace("{0}", "test-func").Replace("bisync\n", "bisync force\n").Replace("bisync  ", "bisync force  "));
        try
        {
            // file2.txt changed on both sides (the scenario on Path1, the hook on Path2): a conflict, whatever its names.
            for (var n = 0; n <= 49; n++)
                if (n != 2) Assert.True(File.Exists(Path.Combine(tmp, "path1", $"file{n}.txt")), $"file{n}.txt");
            for (var m = 51; m <= 100; m++) Assert.True(File.Exists(Path.Combine(tmp, "path2", $"file{m}.txt")), $"file{m}.txt");
            Assert.False(File.Exists(Path.Combine(tmp, "path1", "file50.txt")));
            Assert.DoesNotContain(runner.Log, l => l.StartsWith("Bisync error", StringComparison.Ordinal));
        }
        finally
        {
            NativeFs.RemoveAll(Path.GetDirectoryName(tmp)!);
        }
    }

    [Fact]
    public async Task A_hook_is_armed_for_the_next_bisync_step_only()
    {
        // Armed, but the run has nothing to copy: the hook never fires, and the step after does not inherit it.
        var (_, tmp) = await RunAsync("bisync resync\nconcurrent-func\nbisync\ncopy-as {datadir/}file7.txt {path1/} file2.txt\nbisync\n");
        try
        {
            Assert.Equal("one", File.ReadAllText(Path.Combine(tmp, "path2", "file1.txt")));
        }
        finally
        {
            NativeFs.RemoveAll(Path.GetDirectoryName(tmp)!);
        }
    }

    [Fact]
    public void The_v175_folder_comes_from_its_own_variable_else_the_shared_folder()
    {
        var shared = ConformanceSuite.V1_75_0.Locate();
        Assert.EndsWith("rclone-v1.75.0", shared);
        Assert.Equal(shared, ConformanceData.Locate(Path.GetDirectoryName(shared), "/", "BISYNC_CONFORMANCE_V175", "rclone-v1.75.0"));
        var empty = Directory.CreateTempSubdirectory("bisync-nov175-").FullName;
        try
        {
            var ex = Assert.Throws<DirectoryNotFoundException>(() => ConformanceData.Locate(empty, "/", "BISYNC_CONFORMANCE_V175", "rclone-v1.75.0"));
            Assert.Contains("BISYNC_CONFORMANCE_V175", ex.Message);
        }
        finally
        {
            Directory.Delete(empty);
        }
        if (Environment.GetEnvironmentVariable("BISYNC_CONFORMANCE_V175") is null)
            Assert.Equal(25, ConformanceData.CaseNames(shared).Count);
    }
}
