using Bisync.Engine;
using Bisync.Listing;
using Bisync.Logging;
using Bisync.Storage.Local;
using Bisync.Tests.Support;

namespace Bisync.UnitTests.Engine;

/// <summary>
/// --create-empty-src-dirs (rclone v1.75's meaning) on two local paths: directories are listed as
/// <c>d</c> lines, and their creation and deletion on either side is mirrored on the other, so
/// empty folders are synced; without the flag directories are left as they are.
/// </summary>
public class EmptySrcDirsTests
{
    private static async Task<(int Code, List<string> Log)> RunAsync(TempTree t, bool resync = false, bool dirs = true,
        Func<BisyncOptions, BisyncOptions>? more = null)
    {
        var lines = new List<string>();
        var log = Logger.Silent(LogLevel.Info);
        log.Sink = l => { lock (lines) lines.Add(l); };
        var options = new BisyncOptions { Path1 = t.Path1, Path2 = t.Path2, Workdir = t.Workdir, Resync = resync, CreateEmptySrcDirs = dirs };
        var r = await new BisyncEngine(new LocalStorageOpener(), log).RunAsync(more is null ? options : more(options), CancellationToken.None);
        if (r.Error is not null) lines.Add("RESULT: " + r.Error);
        return (r.ExitCode, lines);
    }

    private static async Task OkAsync(TempTree t, bool resync = false, bool dirs = true, Func<BisyncOptions, BisyncOptions>? more = null)
    {
        var (code, log) = await RunAsync(t, resync, dirs, more);
        Assert.True(code == 0, string.Join("\n", log));
    }

    /// <summary>Every directory below a root, relative, '/'-separated, sorted.</summary>
    private static List<string> Dirs(string root) =>
        Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories)
            .Select(d => Path.GetRelativePath(root, d).Replace('\\', '/')).Order(StringComparer.Ordinal).ToList();

    private static string[] ListingLines(TempTree t, int side) =>
        File.ReadAllLines(Directory.GetFiles(t.Workdir, $"*.path{side}.lst").Single()).Skip(1).ToArray();

    private static async Task<TempTree> InSyncAsync(bool dirs = true)
    {
        var t = new TempTree();
        t.WriteBoth("top.txt", "top");
        t.WriteBoth("full/f.txt", "in a folder");
        await OkAsync(t, resync: true, dirs: dirs);
        return t;
    }

    [Fact]
    public async Task Without_the_flag_an_empty_folder_stays_on_its_side_and_listings_hold_files_only()
    {
        using var t = await InSyncAsync(dirs: false);
        Directory.CreateDirectory(Path.Combine(t.Path1, "empty1"));
        Directory.CreateDirectory(Path.Combine(t.Path2, "empty2/deeper"));
        await OkAsync(t, dirs: false);
        Assert.Equal(["empty1", "full"], Dirs(t.Path1));
        Assert.Equal(["empty2", "empty2/deeper", "full"], Dirs(t.Path2));
        Assert.All(ListingLines(t, 1).Concat(ListingLines(t, 2)), l => Assert.StartsWith("-", l));
    }

    [Fact]
    public async Task A_new_empty_folder_on_either_side_is_made_on_the_other_and_listed_as_a_d_line()
    {
        using var t = await InSyncAsync();
        Directory.CreateDirectory(Path.Combine(t.Path1, "new1/a/b"));
        Directory.CreateDirectory(Path.Combine(t.Path2, "new2"));
        var (code, log) = await RunAsync(t);
        Assert.True(code == 0, string.Join("\n", log));
        string[] all = ["full", "new1", "new1/a", "new1/a/b", "new2"];
        Assert.Equal(all, Dirs(t.Path1));
        Assert.Equal(all, Dirs(t.Path2));
        Assert.Contains(log, l => l.Contains("- Path1    Directory is new") && l.EndsWith("- new1/a/b", StringComparison.Ordinal));
        Assert.Contains(log, l => l.Contains("Queue copy to Path1") && l.EndsWith(t.Path1 + "/new2", StringComparison.Ordinal));
        foreach (var side in new[] { 1, 2 })
        {
            var lines = ListingLines(t, side);
            // Directories among the files in path order: flags d, size -1, no hash, no id, the folder's time.
            Assert.Equal(["\"full\"", "\"full/f.txt\"", "\"new1\"", "\"new1/a\"", "\"new1/a/b\"", "\"new2\"", "\"top.txt\""],
                lines.Select(l => l[(l.IndexOf('"'))..]).ToArray());
            Assert.Matches(@"^d       -1 - - \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}\+0000 ""new1/a""$", lines.Single(l => l.EndsWith("\"new1/a\"", StringComparison.Ordinal)));
        }
        // Nothing left to do: the next run finds no change.
        (code, log) = await RunAsync(t);
        Assert.True(code == 0, string.Join("\n", log));
        Assert.Contains("INFO  : No changes found", log);
    }

    [Fact]
    public async Task A_folder_deleted_on_either_side_is_removed_from_the_other_deepest_first_with_its_files()
    {
        using var t = await InSyncAsync();
        foreach (var root in new[] { t.Path1, t.Path2 })
        {
            Directory.CreateDirectory(Path.Combine(root, "gone1/x/y"));
            Directory.CreateDirectory(Path.Combine(root, "gone2"));
        }
        TempTree.Write(t.Path1, "gone1/x/file.txt", "goes too");
        TempTree.Write(t.Path2, "gone1/x/file.txt", "goes too");
        await OkAsync(t, resync: true);

        Directory.Delete(Path.Combine(t.Path1, "gone1"), recursive: true);
        Directory.Delete(Path.Combine(t.Path2, "gone2"));
        var (code, log) = await RunAsync(t);
        Assert.True(code == 0, string.Join("\n", log));
        Assert.Equal(["full"], Dirs(t.Path1));
        Assert.Equal(["full"], Dirs(t.Path2));
        // The deepest folder first: each removal finds its folder empty.
        var removals = log.Where(l => l.EndsWith(": Removing directory", StringComparison.Ordinal)).ToList();
        Assert.Equal(["INFO  : gone2: Removing directory", // from Path1 (deleted on Path2), before Path2's removals
                "INFO  : gone1/x/y: Removing directory", "INFO  : gone1/x: Removing directory", "INFO  : gone1: Removing directory"],
            removals);
        Assert.DoesNotContain(ListingLines(t, 1).Concat(ListingLines(t, 2)), l => l.Contains("gone"));
    }

    [Fact]
    public async Task A_folder_deleted_on_one_side_that_got_a_new_file_on_the_other_stays_on_both()
    {
        using var t = await InSyncAsync();
        Directory.CreateDirectory(Path.Combine(t.Path1, "shared"));
        Directory.CreateDirectory(Path.Combine(t.Path2, "shared"));
        await OkAsync(t, resync: true);

        Directory.Delete(Path.Combine(t.Path1, "shared"));
        TempTree.Write(t.Path2, "shared/new.txt", "a new file wins over the folder's delete");
        var (code, log) = await RunAsync(t);
        Assert.True(code == 0, string.Join("\n", log));
        Assert.Equal("a new file wins over the folder's delete", File.ReadAllText(Path.Combine(t.Path1, "shared/new.txt")));
        Assert.Contains(log, l => l.Contains("shared: Not removing directory: it is not empty"));
        Assert.Contains(ListingLines(t, 1), l => l.StartsWith("d", StringComparison.Ordinal) && l.EndsWith("\"shared\"", StringComparison.Ordinal));
        Assert.Contains(ListingLines(t, 2), l => l.StartsWith("d", StringComparison.Ordinal) && l.EndsWith("\"shared\"", StringComparison.Ordinal));
        (code, log) = await RunAsync(t);
        Assert.True(code == 0, string.Join("\n", log));
        Assert.Contains("INFO  : No changes found", log);
    }

    [Fact]
    public async Task A_dry_run_makes_and_removes_nothing_and_the_real_run_after_it_does()
    {
        using var t = await InSyncAsync();
        Directory.CreateDirectory(Path.Combine(t.Path1, "old"));
        Directory.CreateDirectory(Path.Combine(t.Path2, "old"));
        await OkAsync(t, resync: true);
        var before = ListingLines(t, 2);

        Directory.CreateDirectory(Path.Combine(t.Path1, "new"));
        Directory.Delete(Path.Combine(t.Path2, "old"));
        var (code, log) = await RunAsync(t, more: o => o with { DryRun = true });
        Assert.True(code == 0, string.Join("\n", log));
        Assert.Equal(["full", "new", "old"], Dirs(t.Path1));
        Assert.Equal(["full"], Dirs(t.Path2));
        Assert.Contains("new: Skipped make directory as --dry-run is set", log.Select(l => l[(l.IndexOf(": ", StringComparison.Ordinal) + 2)..]));
        Assert.Contains("old: Skipped remove directory as --dry-run is set", log.Select(l => l[(l.IndexOf(": ", StringComparison.Ordinal) + 2)..]));
        Assert.Equal(before, ListingLines(t, 2));

        await OkAsync(t);
        Assert.Equal(["full", "new"], Dirs(t.Path1));
        Assert.Equal(["full", "new"], Dirs(t.Path2));
    }

    [Fact]
    public async Task A_resync_with_the_flag_makes_each_sides_empty_folders_on_the_other()
    {
        using var t = new TempTree();
        t.WriteBoth("f.txt", "f");
        Directory.CreateDirectory(Path.Combine(t.Path1, "only1/inner"));
        Directory.CreateDirectory(Path.Combine(t.Path2, "only2"));
        await OkAsync(t, resync: true);
        Assert.Equal(["only1", "only1/inner", "only2"], Dirs(t.Path1));
        Assert.Equal(["only1", "only1/inner", "only2"], Dirs(t.Path2));
        Assert.Equal(3, ListingLines(t, 1).Count(l => l.StartsWith("d ", StringComparison.Ordinal)));
        Assert.Equal(3, ListingLines(t, 2).Count(l => l.StartsWith("d ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_resync_without_the_flag_leaves_empty_folders_alone()
    {
        using var t = new TempTree();
        t.WriteBoth("f.txt", "f");
        Directory.CreateDirectory(Path.Combine(t.Path1, "only1"));
        await OkAsync(t, resync: true, dirs: false);
        Assert.Equal(["only1"], Dirs(t.Path1));
        Assert.Empty(Dirs(t.Path2));
    }

    [Fact]
    public async Task A_run_without_the_flag_passes_over_the_d_lines_a_run_with_it_wrote()
    {
        using var t = await InSyncAsync();
        Directory.CreateDirectory(Path.Combine(t.Path1, "kept"));
        await OkAsync(t);
        Assert.Contains("kept", Dirs(t.Path2));

        Directory.Delete(Path.Combine(t.Path1, "kept"));
        var (code, log) = await RunAsync(t, dirs: false);
        Assert.True(code == 0, string.Join("\n", log));
        Assert.Contains("INFO  : No changes found", log);
        Assert.Contains("kept", Dirs(t.Path2)); // without the flag, folders are not synced
    }

    [Fact]
    public async Task The_flag_is_refused_with_remove_empty_dirs_before_anything_changes()
    {
        using var t = await InSyncAsync();
        Directory.CreateDirectory(Path.Combine(t.Path1, "empty"));
        var (code, log) = await RunAsync(t, more: o => o with { RemoveEmptyDirs = true });
        Assert.Equal(1, code);
        Assert.Equal("RESULT: --create-empty-src-dirs and --remove-empty-dirs can't be used together: use one or the other", log.Last());
        Assert.Equal(["empty", "full"], Dirs(t.Path1));
        Assert.Equal(["full"], Dirs(t.Path2));
    }

    [Fact]
    public async Task A_folder_the_filters_leave_out_is_neither_listed_nor_made()
    {
        using var t = await InSyncAsync();
        Directory.CreateDirectory(Path.Combine(t.Path1, "skip/inner"));
        Directory.CreateDirectory(Path.Combine(t.Path1, "take"));
        var filters = Path.Combine(t.Root, "filters.txt");
        File.WriteAllText(filters, "- skip/**\n");
        await OkAsync(t, resync: true, more: o => o with { FiltersFile = filters });
        Assert.Equal(["full", "take"], Dirs(t.Path2));
        Assert.DoesNotContain(ListingLines(t, 1), l => l.Contains("skip"));
    }

    [Fact]
    public void The_folder_plan_makes_what_the_other_side_lacks_removes_what_it_still_has_and_leaves_a_side_without_folders_alone()
    {
        static List<ListingEntry> D(params string[] paths) => [.. paths.Select(p => new ListingEntry(p, -1, 0))];
        var log = Logger.Silent(LogLevel.Info);
        // Path1: a, b new; c, d deleted. Path2: b, e new; d, f deleted. (b new on both, d deleted on both: nothing.)
        var d1 = DirSync.Find("Path1", D("c", "d", "f"), D("a", "b", "f"), log);
        var d2 = DirSync.Find("Path2", D("c", "d", "f"), D("b", "c", "e"), log);
        Assert.Equal(["a", "b"], d1.New);
        Assert.Equal(["c", "d"], d1.Deleted);
        var plan = DirSync.Decide(d1, d2, D("a", "b", "f"), D("b", "c", "e"), to1: true, to2: true);
        Assert.Equal(["a"], plan.Make2);
        Assert.Equal(["c"], plan.Remove2);
        Assert.Equal(["e"], plan.Make1);
        Assert.Equal(["f"], plan.Remove1);
        // Path2 without folders of its own (s3): nothing is made on or removed from it.
        plan = DirSync.Decide(d1, null, D("a", "b", "f"), [], to1: true, to2: false);
        Assert.Empty(plan.Make2);
        Assert.Empty(plan.Remove2);
        Assert.Empty(plan.Make1);
        Assert.Empty(plan.Remove1);
    }

    [Fact]
    public void Listing_files_write_directories_among_files_and_read_them_apart()
    {
        using var t = new TempTree();
        var file = Path.Combine(t.Workdir, "x.lst");
        var t0 = 946684800L * 1_000_000_000L; // 2000-01-01T00:00:00Z
        var listing = new FileListing([new ListingEntry("a/f.txt", 3, t0), new ListingEntry("b.txt", 1, t0)])
            .WithDirs([new ListingEntry("z", -1, t0), new ListingEntry("a", -1, t0), new ListingEntry("a/é \"q\"", -1, t0)]);
        ListingFile.Write(file, listing, localTime: false);
        Assert.Equal([
            "d       -1 - - 2000-01-01T00:00:00.000000000+0000 \"a\"",
            "-        3 - - 2000-01-01T00:00:00.000000000+0000 \"a/f.txt\"",
            "d       -1 - - 2000-01-01T00:00:00.000000000+0000 \"a/é \\\"q\\\"\"",
            "-        1 - - 2000-01-01T00:00:00.000000000+0000 \"b.txt\"",
            "d       -1 - - 2000-01-01T00:00:00.000000000+0000 \"z\"",
        ], File.ReadAllLines(file).Skip(1));
        Assert.Equal(["a/f.txt", "b.txt"], ListingFile.Stream(file).Select(e => e.Path));
        Assert.Equal(["a", "a/é \"q\"", "z"], ListingFile.ReadDirs(file).Select(e => e.Path));
        Assert.Equal(2, ListingFile.Read(file).Count);
        Assert.Throws<FormatException>(() => ListingFile.ParseLine("d       -1 - - 2000-01-01T00:00:00.000000000+0000 \"a\""));
    }
}
