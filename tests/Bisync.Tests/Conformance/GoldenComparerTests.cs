
namespace Bisync.Tests.Conformance;

/// <summary>The comparer and the runner's helpers, without the engine.</summary>
public sealed class GoldenComparerTests
{
    private static GoldenComparer Comparer(params (string, string)[] subs) => new(subs, n => n);

    private const string ListingHeader = "# bisync listing v1 from 2026-01-01T00:00:00.000000000+0000";

    [Fact]
    public void A_folder_golden_holds_is_compared_file_by_file_and_other_folders_are_not()
    {
        var root = Directory.CreateTempSubdirectory("bisync-cmp-").FullName;
        try
        {
            string Put(string rel, string text)
            {
                var full = Path.Combine(root, rel);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                File.WriteAllText(full, text);
                return full;
            }
            Put("golden/test.log", "(01)  : test x\n");
            Put("golden/backupdirs/b1/file1.txt", "old one\n");
            Put("golden/backupdirs/b2/file2.txt", "old two\n");
            Put("work/test.log", "(01)  : test x\n");
            Put("work/hashes/cache", "not compared");
            Put("work/backupdirs/b1/file1.txt", "old one\n");
            var two = Put("work/backupdirs/b2/file2.txt", "old two\n");
            var comparer = new GoldenComparer([], n => n) { V175Rules = true };
            Assert.Empty(comparer.Compare(root + "/work", root + "/golden"));

            File.WriteAllText(two, "another text\n");
            Put("work/backupdirs/b2/extra.txt", "x");
            var problems = comparer.Compare(root + "/work", root + "/golden");
            Assert.Contains(problems, p => p.Contains("extra:   backupdirs/b2/extra.txt"));
            Assert.Contains(problems, p => p.StartsWith("backupdirs/b2/file2.txt differs"));
            File.Delete(two);
            Assert.Contains(comparer.Compare(root + "/work", root + "/golden"), p => p.Contains("missing: backupdirs/b2/file2.txt"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Listing_with_a_changed_size_is_detected()
    {
        var golden = "# bisync listing v1 from test\n"
            + "-       19 md5:7fe98ed88552b828777d8630900346b8 - 2001-01-02T00:00:00.000000000+0000 \"file1.txt\"\n";
        var actual = ListingHeader + "\n"
            + "-       20 md5:7fe98ed88552b828777d8630900346b8 - 2001-01-02T00:00:00.000000000+0000 \"file1.txt\"\n";
        var diff = Comparer().CompareFile("x.path1.lst", golden, actual);
        Assert.NotNull(diff);
        Assert.Contains("-       20 ", diff);
    }

    [Fact]
    public void Listing_ignores_header_hash_and_order()
    {
        var golden = "# bisync listing v1 from test\n"
            + "-      109 md5:294d25b294ff26a5243dba914ac3fbf7 - 2000-01-01T00:00:00.000000000+0000 \"RCLONE_TEST\"\n"
            + "-        0 md5:d41d8cd98f00b204e9800998ecf8427e - 2000-01-01T00:00:00.000000000+0000 \"file1.txt\"\n";
        var actual = ListingHeader + "\n"
            + "-        0 - - 2000-01-01T00:00:00.000000000+0000 \"file1.txt\"\n"
            + "-      109 - - 2000-01-01T00:00:00.000000000+0000 \"RCLONE_TEST\"\n";
        Assert.Null(Comparer().CompareFile("x.path2.lst-new.sav", golden, actual));
    }

    [Fact]
    public void Listing_detects_a_changed_time_zone()
    {
        var golden = "-        0 - - 2000-01-01T00:00:00.000000000+0000 \"a\"\n";
        var actual = "-        0 - - 2000-01-01T00:00:00.000000000+0100 \"a\"\n";
        Assert.NotNull(Comparer().CompareFile("s.path1.lst-err", golden, actual));
    }

    [Fact]
    public void Log_accepts_a_reordered_group_but_not_other_reordering()
    {
        var golden = """
            (01)  : bisync
            INFO  : Path1 checking for diffs
            INFO  : - Path1    File is new                         - a.txt
            INFO  : - Path1    File is newer                       - b.txt
            INFO  : - Path1    File was deleted                    - c.txt
            INFO  : Path1:    3 changes:    1 new,    1 newer,    0 older,    1 deleted
            INFO  : Bisync successful
            """;
        var reorderedGroup = """
            2026/11/26 01:02:03 (01)  : bisync
            2026/11/26 01:02:03.123456 INFO  : Path1 checking for diffs
            INFO  : - Path1    File was deleted                    - c.txt
            INFO  : - Path1    File is new                         - a.txt
            INFO  : - Path1    File is newer                       - b.txt
            INFO  : Path1:    3 changes:    1 new,    1 newer,    0 older,    1 deleted

            DEBUG : something
            INFO  : a.txt: Copied (new)
            INFO  : Bisync successful
            """;
        Assert.Null(Comparer().CompareFile("test.log", golden, reorderedGroup));

        var reorderedOther = """
            (01)  : bisync
            INFO  : - Path1    File is new                         - a.txt
            INFO  : - Path1    File is newer                       - b.txt
            INFO  : - Path1    File was deleted                    - c.txt
            INFO  : Path1 checking for diffs
            INFO  : Path1:    3 changes:    1 new,    1 newer,    0 older,    1 deleted
            INFO  : Bisync successful
            """;
        var diff = Comparer().CompareFile("test.log", golden, reorderedOther);
        Assert.NotNull(diff);
        Assert.Contains("- INFO  : Path1 checking for diffs", diff);
        Assert.Contains("+ INFO  : Path1 checking for diffs", diff);
    }

    [Fact]
    public void Log_puts_substitution_terms_back_and_normalises_dry_run_copies()
    {
        var golden = """
            INFO  : Synching Path1 "{path1/}" with Path2 "{path2/}"
            NOTICE: file5.txt: Skipped copy (or update modification time) as --dry-run is set (size 19)
            ERROR : Empty current Path2 listing. Cannot sync to an empty directory: {workdir/}{session}.path2.lst-new
            """;
        var actual = """
            INFO  : Synching Path1 "/t/x/path1/" with Path2 "/t/x/path2/"
            NOTICE: file5.txt: Skipped update modification time as --dry-run is set (size 19)
            ERROR : Empty current Path2 listing. Cannot sync to an empty directory: /t/x/workdir/t_x_path1..t_x_path2.path2.lst-new
            """;
        var comparer = Comparer(("/t/x/path1/", "{path1/}"), ("/t/x/path2/", "{path2/}"), ("/t/x/workdir/", "{workdir/}"),
            ("t_x_path1..t_x_path2", "{session}"));
        Assert.Null(comparer.CompareFile("test.log", golden, actual));
    }

    [Fact]
    public void Queue_files_compare_as_sorted_sets()
    {
        Assert.Null(Comparer().CompareFile("s.copy1to2.que", "\"b\"\n\"a\"\n", "\"a\"\n\"b\"\n"));
        Assert.NotNull(Comparer().CompareFile("s.copy1to2.que", "\"b\"\n\"a\"\n", "\"a\"\n"));
    }

    [Fact]
    public void Other_files_compare_exactly()
    {
        Assert.Null(Comparer().CompareFile("filters.flt.md5", "abc", "abc"));
        Assert.NotNull(Comparer().CompareFile("filters.flt.md5", "abc", "abd"));
    }

    [Fact]
    public void Diff_is_capped()
    {
        var a = Enumerable.Range(0, 100).Select(i => $"a{i}").ToList();
        var b = Enumerable.Range(0, 100).Select(i => $"b{i}").ToList();
        var diff = GoldenComparer.Diff(a, b);
        Assert.Equal(GoldenComparer.MaxDiffLines, diff.Split('\n').Count(l => l.StartsWith("- ", StringComparison.Ordinal) || l.StartsWith("+ ", StringComparison.Ordinal)));
        Assert.Contains("more differing line", diff);
    }

    [Fact]
    public void Raw_bytes_survive_the_string_form()
    {
        byte[] bytes = [(byte)'a', 0x19, 0x81, 0xfe, 0xc3, 0xa9];
        var s = RawNames.Decode(bytes);
        Assert.Equal("a\u0019\udc81\udcfe\u00e9", s);
        Assert.Equal(bytes, RawNames.Encode(s));
        Assert.Equal("\u00e9", RawNames.Normalize(RawNames.FromByte(0xc3) + RawNames.FromByte(0xa9)));
    }

    [Fact]
    public void Files_with_invalid_utf8_names_can_be_made_touched_and_removed()
    {
        var tmp = Directory.CreateTempSubdirectory("bisync-rawname-").FullName;
        try
        {
            var dir = tmp + "/d_" + RawNames.FromByte(0x81) + "\n";
            var file = dir + "/f_" + RawNames.FromByte(0xfe);
            NativeFs.MkdirAll(dir);
            NativeFs.WriteAll(file, "hello"u8);
            NativeFs.SetModTime(file, 946_684_800_123_456_789L);
            var info = NativeFs.Stat(file);
            Assert.NotNull(info);
            Assert.Equal(5, info.Value.Size);
            Assert.Equal(946_684_800_123_456_789L, info.Value.ModTimeNs);
            Assert.Equal(["f_" + RawNames.FromByte(0xfe)], NativeFs.ListNames(dir));
            NativeFs.RemoveAll(tmp);
            Assert.False(Directory.Exists(tmp));
        }
        finally
        {
            if (Directory.Exists(tmp)) Directory.Delete(tmp, true);
        }
    }

    [Fact]
    public void Session_names_and_golden_names()
    {
        Assert.Equal("tmp_a_path1_x_y", ScenarioRunner.SessionCanon("/tmp/a/path1/x y/"));
        Assert.True(ScenarioRunner.IsSavedKind("s.path1.lst-dry-new"));
        Assert.True(ScenarioRunner.IsSavedKind("filters.flt.md5"));
        Assert.False(ScenarioRunner.IsSavedKind("filters.txt.md5"));
        Assert.False(ScenarioRunner.IsSavedKind("p.s.path1.lst.sav"));
        Assert.Matches(ScenarioRunner.GlobRegex("*.lst"), "a.lst");
        Assert.DoesNotMatch(ScenarioRunner.GlobRegex("*.lst"), "a.lst-new");
    }
}

public sealed class ConformanceDataTests
{
    [Fact]
    public void Missing_data_fails_loudly()
    {
        var empty = Directory.CreateTempSubdirectory("bisync-nodata-").FullName;
        try
        {
            Assert.Throws<DirectoryNotFoundException>(() => ConformanceData.Locate(empty, AppContext.BaseDirectory));
            Assert.Throws<DirectoryNotFoundException>(() => ConformanceData.Locate(null, empty));
        }
        finally
        {
            Directory.Delete(empty);
        }
    }

    [Fact]
    public void Environment_may_name_the_version_folder_or_its_parent()
    {
        var data = ConformanceData.Locate();
        Assert.Equal(data, ConformanceData.Locate(data, "/"));
        Assert.Equal(data, ConformanceData.Locate(Path.GetDirectoryName(data), "/"));
    }
}

/// <summary>The v1.75 comparison rules.</summary>
public sealed class GoldenComparerV175Tests
{
    private static GoldenComparer Comparer(long precision = 1) =>
        new([], n => n) { V175Rules = true, PrecisionNs = n => n.Contains(".path2.", StringComparison.Ordinal) ? precision : 1 };

    private const string Hashed = "-       19 md5:7fe98ed88552b828777d8630900346b8 - 2001-01-02T00:00:00.000000000+0000 \"file1.txt\"\n";
    private const string OtherHash = "-       19 md5:00000000000000000000000000000000 - 2001-01-02T00:00:00.000000000+0000 \"file1.txt\"\n";
    private const string NoHash = "-       19 - - 2001-01-02T00:00:00.000000000+0000 \"file1.txt\"\n";

    [Fact]
    public void Hashes_count_only_where_the_golden_listing_has_them()
    {
        Assert.NotNull(Comparer().CompareFile("s.path1.lst", Hashed, OtherHash));
        Assert.NotNull(Comparer().CompareFile("s.path1.lst", Hashed, NoHash));
        Assert.Null(Comparer().CompareFile("s.path1.lst", Hashed, Hashed));
        Assert.Null(Comparer().CompareFile("s.path1.lst", NoHash, OtherHash));
    }

    [Fact]
    public void Times_are_rounded_to_twice_the_side_precision()
    {
        var golden = "-        1 - - 2001-01-02T00:00:00.000000000+0000 \"a\"\n";
        var close = "-        1 - - 2001-01-02T00:00:00.400000000+0000 \"a\"\n";
        var far = "-        1 - - 2001-01-02T00:00:03.000000000+0000 \"a\"\n";
        Assert.Null(Comparer(1_000_000_000).CompareFile("s.path2.lst", golden, close));
        Assert.NotNull(Comparer(1_000_000_000).CompareFile("s.path2.lst", golden, far));
        Assert.NotNull(Comparer(1_000_000_000).CompareFile("s.path1.lst", golden, close)); // Path1 here is exact
        Assert.Equal(GoldenComparer.RoundTime("2001-01-02T01:00:00.000000000+0100", 2),
            GoldenComparer.RoundTime("2001-01-02T00:00:00.000000000+0000", 2)[..^5] + "+0100");
    }

    [Fact]
    public void The_log_is_compared_by_steps_outcomes_and_listed_names_not_wording()
    {
        var golden = "\u001b[36m(01)  :\u001b[0m \u001b[34mbisync resync\u001b[0m\n"
            + "INFO  : Some wording rclone v1.75 has\nINFO  : \u001b[32mBisync successful\u001b[0m\n"
            + "(02)  : bisync\nERROR : Bisync critical error: x\nBisync error: bisync aborted\n"
            + "(03)  : list-dirs {path1/}\nsubdir/ - filename hash: 86ae37b338459868804e9697025ba4c2\n";
        var same = "(01)  : bisync resync\nINFO  : other wording\nINFO  : Bisync successful\n"
            + "(02)  : bisync\nBisync error: bisync aborted\n"
            + "(03)  : list-dirs {path1/}\nsubdir/ - filename hash: 86ae37b338459868804e9697025ba4c2\n";
        Assert.Null(Comparer().CompareFile("test.log", golden, same));
        Assert.NotNull(Comparer().CompareFile("test.log", golden, same.Replace("(02)  : bisync\nBisync error: bisync aborted\n", "(02)  : bisync\n")));
        Assert.NotNull(Comparer().CompareFile("test.log", golden, same.Replace("Bisync error: bisync aborted", "Bisync error: too many deletes")));
        Assert.NotNull(Comparer().CompareFile("test.log", golden, same.Replace("subdir/ - filename", "subdir2/ - filename")));
    }
}
