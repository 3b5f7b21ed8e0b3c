using Bisync.Engine;
using Bisync.Logging;
using Bisync.Storage;
using Bisync.Storage.Local;
using Bisync.Tests.Support;

namespace Bisync.UnitTests.Engine;

/// <summary>
/// --conflict-resolve × --conflict-loser × which side is newer/larger (or neither), under both
/// profiles, end to end on local folders: the files on both sides afterwards, and that both
/// versions survive unless --conflict-loser delete dropped a loser. The expected outcome comes
/// from the rules as rclone v1.75 documents them, written out here apart from the engine's code.
/// </summary>
public class ConflictPolicyTests
{
    private static readonly DateTime Early = new(2001, 1, 2, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Late = new(2001, 3, 4, 0, 0, 0, DateTimeKind.Utc);

    internal static async Task<(int Code, List<string> Log)> RunAsync(TempTree t, Func<BisyncOptions, BisyncOptions>? with = null, IStorageOpener? opener = null)
    {
        var lines = new List<string>();
        var log = Logger.Silent(LogLevel.Info);
        log.Sink = l => { lock (lines) lines.Add(l); };
        var options = new BisyncOptions { Path1 = t.Path1, Path2 = t.Path2, Workdir = t.Workdir };
        if (with is not null) options = with(options);
        var r = await new BisyncEngine(opener ?? new LocalStorageOpener(), log).RunAsync(options, CancellationToken.None);
        if (r.Error is not null) lines.Add("RESULT: " + r.Error);
        return (r.ExitCode, lines);
    }

    internal static async Task<TempTree> InSyncAsync()
    {
        var t = new TempTree();
        for (var i = 0; i < 10; i++) t.WriteBoth($"keep{i}.txt", $"keep {i}");
        t.WriteBoth("file.txt", "original");
        Assert.Equal(0, (await RunAsync(t, o => o with { Resync = true })).Code);
        return t;
    }

    /// <summary>How the two versions of file.txt compare: each side's content and time.</summary>
    public sealed record Shape(string Name, string Content1, DateTime Time1, string Content2, DateTime Time2)
    {
        public override string ToString() => Name;
    }

    public static readonly Shape[] Shapes =
    [
        new("path1 newer and larger", "path1 version, the longer", Late, "path2 version", Early),
        new("path2 newer and larger", "path1 version", Early, "path2 version, the longer", Late),
        new("path1 newer, path2 larger", "path1 version", Late, "path2 version, the longer", Early),
        new("same size and time, other content", "path1 version", Late, "path2 VERSION", Late),
    ];

    /// <summary>The winning side by rclone's rule (0: none; a tie has none).</summary>
    private static int Winner(ConflictResolve r, Shape s) => r switch
    {
        ConflictResolve.Path1 => 1,
        ConflictResolve.Path2 => 2,
        ConflictResolve.Newer => s.Time1 > s.Time2 ? 1 : s.Time1 < s.Time2 ? 2 : 0,
        ConflictResolve.Older => s.Time1 < s.Time2 ? 1 : s.Time1 > s.Time2 ? 2 : 0,
        ConflictResolve.Larger => s.Content1.Length > s.Content2.Length ? 1 : s.Content1.Length < s.Content2.Length ? 2 : 0,
        ConflictResolve.Smaller => s.Content1.Length < s.Content2.Length ? 1 : s.Content1.Length > s.Content2.Length ? 2 : 0,
        _ => 0,
    };

    public static TheoryData<Compat, ConflictResolve, ConflictLoser, Shape> Matrix()
    {
        var data = new TheoryData<Compat, ConflictResolve, ConflictLoser, Shape>();
        foreach (var compat in Enum.GetValues<Compat>())
            foreach (var resolve in Enum.GetValues<ConflictResolve>())
                foreach (var loser in Enum.GetValues<ConflictLoser>())
                    foreach (var shape in Shapes)
                        data.Add(compat, resolve, loser, shape);
        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Each_rule_and_loser_gives_the_documented_files_on_both_sides(Compat compat, ConflictResolve resolve, ConflictLoser loser, Shape shape)
    {
        using var t = await InSyncAsync();
        TempTree.Write(t.Path1, "file.txt", shape.Content1, shape.Time1);
        TempTree.Write(t.Path2, "file.txt", shape.Content2, shape.Time2);

        var (code, log) = await RunAsync(t, o => o with { Compat = compat, ConflictResolve = resolve, ConflictLoser = loser });
        Assert.Equal(0, code);

        // The profile's suffix: "conflict" (1.75) or ".path" (1.60, giving rclone v1.60's NAME..path1).
        var suffix = compat == Compat.V1_75 ? "conflict" : ".path";
        var winner = Winner(resolve, shape);
        var expected = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < 10; i++) expected[$"keep{i}.txt"] = $"keep {i}";
        if (winner == 0)
        {
            // No winner (delete then means num): both kept, Path1's numbered first.
            expected["file.txt." + suffix + "1"] = shape.Content1;
            expected["file.txt." + suffix + "2"] = shape.Content2;
        }
        else
        {
            var (win, lose) = winner == 1 ? (shape.Content1, shape.Content2) : (shape.Content2, shape.Content1);
            expected["file.txt"] = win;
            if (loser != ConflictLoser.Delete)
                expected["file.txt." + suffix + (loser == ConflictLoser.Num ? "1" : (3 - winner).ToString())] = lose;
        }
        Assert.Equal(expected, TempTree.Snapshot(t.Path1));
        Assert.Equal(expected, TempTree.Snapshot(t.Path2));

        // No version lost, unless a loser was deleted on purpose.
        var kept = TempTree.Snapshot(t.Path1).Values.ToHashSet();
        Assert.Contains(winner == 2 ? shape.Content2 : shape.Content1, kept);
        if (!(winner != 0 && loser == ConflictLoser.Delete))
        {
            Assert.Contains(shape.Content1, kept);
            Assert.Contains(shape.Content2, kept);
        }

        Assert.Contains(log, l => l == "NOTICE: " + Messages.Row("WARNING", "New or changed in both paths", "file.txt"));
        if (resolve != ConflictResolve.None)
            Assert.Contains(log, l => l == (winner == 0 ? "INFO  : file.txt: A winner could not be determined." : $"INFO  : file.txt: The winner is: Path{winner}"));

        // The next run finds nothing to do: the listings agree with the sides. Except, as in rclone v1.75, under
        // its profile a conflict Path2 won is left out of both listings: that run finds the file new on both
        // sides, the same, and records it; the run after it finds nothing.
        var (again, log2) = await RunAsync(t, o => o with { Compat = compat });
        Assert.Equal(0, again);
        if (compat == Compat.V1_75 && winner == 2)
        {
            Assert.Contains("INFO  : Files are equal! Skipping: file.txt", log2);
            Assert.Equal(expected, TempTree.Snapshot(t.Path1));
            Assert.Equal(expected, TempTree.Snapshot(t.Path2));
            (again, log2) = await RunAsync(t, o => o with { Compat = compat });
            Assert.Equal(0, again);
        }
        Assert.Contains(log2, l => l.EndsWith("No changes found"));
    }
}

/// <summary>The conflict naming options, the v1.75 equality rule and the loser's re-check, one case each.</summary>
public class ConflictNamingTests
{
    private static readonly DateTime Early = new(2001, 1, 2, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Late = new(2001, 3, 4, 0, 0, 0, DateTimeKind.Utc);

    private static async Task<(TempTree Tree, List<string> Log)> ConflictAsync(Func<BisyncOptions, BisyncOptions> with, string name = "file.txt",
        string content1 = "path1 version", string content2 = "path2 version, longer")
    {
        var t = await ConflictPolicyTests.InSyncAsync();
        TempTree.Write(t.Path1, name, content1, Late);
        TempTree.Write(t.Path2, name, content2, Early);
        var (code, log) = await ConflictPolicyTests.RunAsync(t, with);
        Assert.Equal(0, code);
        return (t, log);
    }

    private static string[] Conflicts(string root) =>
        TempTree.Snapshot(root).Where(kv => !kv.Key.StartsWith("keep")).Select(kv => $"{kv.Key}={kv.Value}").ToArray();

    [Fact]
    public async Task Under_1_75_a_file_changed_the_same_way_on_both_sides_is_left_alone()
    {
        var (t, log) = await ConflictAsync(o => o with { Compat = Compat.V1_75 }, content1: "same new text", content2: "same new text");
        using (t)
        {
            Assert.Equal(["file.txt=same new text"], Conflicts(t.Path1));
            Assert.Equal(["file.txt=same new text"], Conflicts(t.Path2));
            // rclone v1.66+ (test_normalization's golden log): equal but for the time, the newer side's time is copied.
            Assert.Contains("INFO  : file.txt: Files are equal but will copy anyway to update modtime (will not rename)", log);
            Assert.Equal(Late, File.GetLastWriteTimeUtc(Path.Combine(t.Path1, "file.txt")));
            Assert.Equal(Late, File.GetLastWriteTimeUtc(Path.Combine(t.Path2, "file.txt")));
        }
    }

    [Fact]
    public async Task Under_1_60_the_same_change_on_both_sides_is_still_kept_twice_as_rclone_1_60_does()
    {
        var (t, _) = await ConflictAsync(o => o, content1: "same new text", content2: "same new text");
        using (t) Assert.Equal(["file.txt..path1=same new text", "file.txt..path2=same new text"], Conflicts(t.Path2));
    }

    [Fact]
    public async Task The_1_75_default_names_are_conflict1_and_conflict2()
    {
        var (t, log) = await ConflictAsync(o => o with { Compat = Compat.V1_75 });
        using (t)
        {
            Assert.Equal(["file.txt.conflict1=path1 version", "file.txt.conflict2=path2 version, longer"], Conflicts(t.Path1));
            Assert.Contains("NOTICE: " + Messages.Row("Path1", "Renaming Path1 copy", t.Path1 + "/file.txt.conflict1"), log);
        }
    }

    [Fact]
    public async Task Two_suffixes_name_each_side_and_num_counts_each_from_one()
    {
        var (t, _) = await ConflictAsync(o => o with { ConflictSuffix = "cloud,local", ConflictLoser = ConflictLoser.Num });
        using (t) Assert.Equal(["file.txt.cloud1=path1 version", "file.txt.local1=path2 version, longer"], Conflicts(t.Path2));
    }

    [Fact]
    public async Task Pathname_with_two_suffixes_adds_no_digit()
    {
        var (t, _) = await ConflictAsync(o => o with { ConflictSuffix = "cloud,local", ConflictLoser = ConflictLoser.Pathname });
        using (t) Assert.Equal(["file.txt.cloud=path1 version", "file.txt.local=path2 version, longer"], Conflicts(t.Path1));
    }

    [Fact]
    public async Task Suffix_keep_extension_puts_the_suffix_before_the_extension()
    {
        var (t, _) = await ConflictAsync(o => o with { Compat = Compat.V1_75, SuffixKeepExtension = true }, name: "dir/photo.jpg");
        using (t) Assert.Equal(["dir/photo.conflict1.jpg=path1 version", "dir/photo.conflict2.jpg=path2 version, longer", "file.txt=original"], Conflicts(t.Path1));
    }

    [Fact]
    public async Task A_date_variable_in_the_suffix_is_the_date_of_the_run()
    {
        var before = DateTimeOffset.Now.ToString("yyyy-MM-dd");
        var (t, _) = await ConflictAsync(o => o with { ConflictSuffix = "{DateOnly}-conflict", ConflictLoser = ConflictLoser.Num, ConflictResolve = ConflictResolve.Newer });
        var after = DateTimeOffset.Now.ToString("yyyy-MM-dd");
        using (t)
        {
            var names = Conflicts(t.Path1);
            Assert.Equal(2, names.Length);
            Assert.Equal("file.txt=path1 version", names[0]);
            Assert.Contains(names[1], new[] { $"file.txt.{before}-conflict1=path2 version, longer", $"file.txt.{after}-conflict1=path2 version, longer" });
        }
    }

    [Fact]
    public async Task Num_takes_the_next_number_free_on_both_sides()
    {
        using var t = await ConflictPolicyTests.InSyncAsync();
        t.WriteBoth("file.txt.conflict1", "an old conflict");
        TempTree.Write(t.Path2, "file.txt.conflict3", "only on path2, not synced yet", Early);
        TempTree.Write(t.Path1, "file.txt", "path1 version", Late);
        TempTree.Write(t.Path2, "file.txt", "path2 version", Early);
        var (code, _) = await ConflictPolicyTests.RunAsync(t, o => o with { Compat = Compat.V1_75 });
        Assert.Equal(0, code);
        Assert.Equal(["file.txt.conflict1=an old conflict", "file.txt.conflict2=path1 version", "file.txt.conflict3=only on path2, not synced yet",
            "file.txt.conflict4=path2 version"], Conflicts(t.Path1));
        Assert.Equal(Conflicts(t.Path1), Conflicts(t.Path2));
    }

    [Fact]
    public async Task Resolved_conflict_logs_as_rclone_1_75()
    {
        var (t, log) = await ConflictAsync(o => o with { Compat = Compat.V1_75, ConflictResolve = ConflictResolve.Path2, ConflictSuffix = "dinosaur" });
        using (t)
        {
            Assert.Equal(
            [
                "NOTICE: " + Messages.Row("WARNING", "New or changed in both paths", "file.txt"),
                "INFO  : file.txt: The winner is: Path2",
                "NOTICE: " + Messages.Row("Path1", "Renaming Path1 copy", t.Path1 + "/file.txt.dinosaur1"),
                "NOTICE: " + Messages.Row("Path1", "Queue copy to Path2", t.Path2 + "/file.txt.dinosaur1"),
                "NOTICE: " + Messages.Row("Path2", "Not renaming Path2 copy, as it was determined the winner", t.Path2 + "/file.txt"),
                "NOTICE: " + Messages.Row("Path2", "Queue copy to Path1", t.Path1 + "/file.txt"),
            ], log.SkipWhile(l => !l.Contains("New or changed in both")).Where(l => !l.Contains(": Moved")).Take(6).ToList());
            Assert.Equal(["file.txt=path2 version, longer", "file.txt.dinosaur1=path1 version"], Conflicts(t.Path1));
        }
    }

    [Fact]
    public async Task A_loser_edited_during_the_run_is_neither_deleted_nor_overwritten()
    {
        using var t = await ConflictPolicyTests.InSyncAsync();
        TempTree.Write(t.Path1, "file.txt", "path1 version", Late);
        TempTree.Write(t.Path2, "file.txt", "path2 version", Early);
        var side2 = new EditingStorage(new LocalStorage(t.Path2)) { Path = "file.txt" };
        side2.OnFirstStat = () => TempTree.Write(t.Path2, "file.txt", "edited during the run", Late.AddDays(1));

        var (code, log) = await ConflictPolicyTests.RunAsync(t,
            o => o with { ConflictResolve = ConflictResolve.Newer, ConflictLoser = ConflictLoser.Delete }, new EditingOpener(t.Path2, side2));

        Assert.Equal(0, code);
        Assert.Equal("path1 version", File.ReadAllText(Path.Combine(t.Path1, "file.txt")));
        Assert.Equal("edited during the run", File.ReadAllText(Path.Combine(t.Path2, "file.txt")));
        Assert.Contains(log, l => l.Contains("file.txt: Not deleted: it changed since it was listed"));

        // The next run sees the edit as a change on both sides again: with newer, the edit wins.
        var (again, _) = await ConflictPolicyTests.RunAsync(t, o => o with { ConflictResolve = ConflictResolve.Newer, ConflictLoser = ConflictLoser.Delete });
        Assert.Equal(0, again);
        Assert.Equal("edited during the run", File.ReadAllText(Path.Combine(t.Path1, "file.txt")));
        Assert.Equal("edited during the run", File.ReadAllText(Path.Combine(t.Path2, "file.txt")));
    }

    [Fact]
    public async Task A_dry_run_changes_nothing()
    {
        using var t = await ConflictPolicyTests.InSyncAsync();
        TempTree.Write(t.Path1, "file.txt", "path1 version", Late);
        TempTree.Write(t.Path2, "file.txt", "path2 version", Early);
        var before1 = TempTree.SnapshotWithTimes(t.Path1);
        var before2 = TempTree.SnapshotWithTimes(t.Path2);
        var (code, _) = await ConflictPolicyTests.RunAsync(t, o => o with { DryRun = true, ConflictResolve = ConflictResolve.Newer, ConflictLoser = ConflictLoser.Delete });
        Assert.Equal(0, code);
        Assert.Equal(before1, TempTree.SnapshotWithTimes(t.Path1));
        Assert.Equal(before2, TempTree.SnapshotWithTimes(t.Path2));
    }

    [Theory]
    [InlineData("{DateOnly}", "2006-01-02")]
    [InlineData("{MacFriendlyTime}", "2006-01-02 0304PM")]
    [InlineData("{mac}-x", "2006-01-02 0304PM-x")]
    [InlineData("{RFC3339}", "2006-01-02T15:04:05Z")]
    [InlineData("{Kitchen}", "3:04PM")]
    [InlineData("{StampMilli}", "Jan  2 15:04:05.123")]
    [InlineData("a{2006_01_02}b", "a2006_01_02b")]
    [InlineData("{Monday Jan _2 06 03:04:05.999 pm}", "Monday Jan  2 06 03:04:05.123 pm")]
    [InlineData("plain", "plain")]
    public void Date_variables_write_go_s_reference_time_as_go_does(string suffix, string expected)
    {
        // Go's reference time itself: every layout writes back as it reads.
        var reference = new DateTimeOffset(2006, 1, 2, 15, 4, 5, 123, TimeSpan.Zero);
        Assert.Equal(expected, GoTime.ExpandVariables(suffix, reference));
    }

    [Theory]
    [InlineData(0L, "0s")]
    [InlineData(1_464L * 3_600_000_000_000, "1464h0m0s")]
    [InlineData(90_500_000_000L, "1m30.5s")]
    [InlineData(1_500_000_000L, "1.5s")]
    [InlineData(250_000_000L, "250ms")]
    [InlineData(1_500L, "1.5µs")]
    public void Durations_print_as_go_prints_them(long ns, string expected) => Assert.Equal(expected, GoTime.Duration(ns));

    [Fact]
    public void Times_print_as_go_prints_them() =>
        Assert.Equal("2001-03-04 00:00:00.5 +0000 UTC", GoTime.Show(new DateTimeOffset(2001, 3, 4, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() * 1_000_000 + 500_000_000));

    [Theory]
    [InlineData("a,b,c")]
    [InlineData("a,")]
    [InlineData("x/y")]
    public void Bad_suffixes_are_refused(string value) => Assert.NotNull(ConflictNaming.Problem(value));
}
