using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Bisync.Filters;
using Xunit;

namespace Bisync.Tests.Filters;

/// <summary>
/// Compares our filter with rclone itself: for every tree of <see cref="FilterCorpus"/> and
/// every flag combination, the files our filter keeps (walking as the engine's lister does)
/// must be exactly what `rclone lsf -R --files-only` prints with the same flags; so must the
/// directories the walk descends into be the ones `rclone lsf -R` lists (which checks the
/// directory pruning itself), and our Dump() must print the rules rclone's --dump filters
/// prints. Combinations rclone rejects must make us throw FilterException.
/// </summary>
public sealed class FilterOracleTests(FilterCorpus corpus, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<FilterCorpus>
{
    /// <summary>One flag combination; <see cref="FiltersFile"/> is bisync's --filters-file.</summary>
    public sealed record Combo(string[] Flags, string? FiltersFile = null)
    {
        public override string ToString() =>
            (FiltersFile is null ? "" : $"[filters-file {Path.GetFileName(FiltersFile)}] ") + string.Join(' ', Flags.Select(Quote));

        private static string Quote(string s) => s.Length > 0 && s.All(c => char.IsLetterOrDigit(c) || c is '-' or '.' or '/' or '_')
            ? s : "'" + s + "'";
    }

    /// <summary>Globs used in --include, --exclude and filter rules.</summary>
    private static readonly string[] Globs =
    [
        "*.txt", "*.jpg", "*.{txt,md}", "*.TXT", "a", "/a", "a/", "/a/", "a/**", "/a/**", "a/b/**", "**/c/**", "a/b/*",
        "*/b/*", "**.txt", "?.txt", "[a-c]*", "[!a]*", "[^a]*.txt", "{a,b}*", "{{.*\\.t.t}}", "{{[0-9]+}}.log",
        "{{(?i)readme.*}}", "dir with space/**", "Ünïcode/**", "\\[brackets\\]/**", "\\{braces\\}/**", ".git/",
        "node_modules/", "deep/**/5/**", "deep/1/2/", "*/", "**/", "/*", "**", "*", "UPPER.TXT", "upper.txt", "A/**",
        "x/a/b", "a/b", "a/**/e/*", "c d.txt", "#hash", "x\\*y.txt", "q\\?.txt", "*/**", "/**/", "**/*.jpg",
        "photos/20{20,21}/**", "photos/**/*.{jpg,JPG}", "proj/src/", "proj/{src,docs}/**", "proj/src/**", "logs/*.log",
        "logs/**", "/logs/**.gz", "src/**/*.{c,h}", "src/sub/", "**/sub/**", "tmp/", "cache/", "*.tmp", "**/*.tmp",
        "music/{a,b/a}/**", "a/{b,x}/*", "/deep/1/**", "*[0-9]*", "[[:upper:]]*", "{{\\d{4}-\\d{2}-\\d{2}}}.log",
        "weird/**", "weird/a\\{b\\}c.txt", "weird/a\\[b\\]c.txt", ".*", "**/.*", "README", "readme.*", "data/*.dat",
        "/root.txt", "a/b/c/", "x/", "/x/a/", "b/a/**", "**/b", "a**", "**a", "*a*/", "sub/", "/sub/sub/", "{{x/y}}/*",
        "a/**/b/", "trailing space /**", "  lead.txt", "é.txt", "ΑΒΓ/**", "straße/**", "/{a,b}/**", "/a.b/**",
        "a.b/c.d/", "{{(x|z)/a}}/**", "*/a/*", "a/{b/c,x}/**",
    ];

    private static readonly string[] SizeValues =
        ["0", "1b", "10B", "1", "1k", "1.5k", "1000b", "1023b", "1024b", "1025b", "2k", "100k", "1M", "1Mi", "1MiB", "1.0001M", "3000b", "off", "2.9k"];

    private static string[] AgeValues(DateTime t0) =>
    [
        "1h", "90m", "1d", "1.5d", "2d", "5d", "1w", "2w", "1M", "2M", "1y", "3600", "2h30m", "off", "12h", "1.5M", "200d",
        (t0 - TimeSpan.FromDays(4)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        (t0 - TimeSpan.FromDays(15)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        (t0 - TimeSpan.FromDays(60)).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        (t0 - TimeSpan.FromHours(50)).ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture),
    ];

    private List<Combo> RuleCombos(Random random)
    {
        var combos = new List<Combo>();
        string Glob() => Globs[random.Next(Globs.Length)];
        string Rule() => (random.Next(2) == 0 ? "+ " : "- ") + Glob();

        // Every glob alone, as an include and as an exclude.
        foreach (var g in Globs)
        {
            combos.Add(new Combo(["--include", g]));
            combos.Add(new Combo(["--exclude", g]));
        }

        // Ordered --filter rules, sometimes with '!' and a final exclude-all.
        for (int i = 0; i < 40; i++)
        {
            var flags = new List<string>();
            int n = random.Next(2, 6);
            for (int k = 0; k < n; k++)
            {
                flags.Add("--filter");
                flags.Add(random.Next(12) == 0 ? "!" : Rule());
            }
            if (random.Next(3) == 0) flags.AddRange(["--filter", "- **"]);
            combos.Add(new Combo([.. flags]));
        }

        // --filter-from files with comments, blank lines and surrounding white space.
        for (int i = 0; i < 20; i++)
        {
            var sb = new StringBuilder("# generated rules\n\n");
            int n = random.Next(2, 7);
            for (int k = 0; k < n; k++)
            {
                string rule = random.Next(15) == 0 ? "!" : Rule();
                sb.Append(random.Next(4) switch { 0 => "  " + rule, 1 => rule + " \t", 2 => "; note\n" + rule, _ => rule }).Append('\n');
            }
            if (random.Next(2) == 0) sb.Append("- *\n");
            combos.Add(new Combo(["--filter-from", corpus.WriteFile(sb.ToString())]));
        }

        // Every kind of rule flag mixed (rclone reorders them by kind).
        for (int i = 0; i < 25; i++)
        {
            var flags = new List<string>();
            int n = random.Next(2, 6);
            for (int k = 0; k < n; k++)
            {
                switch (random.Next(6))
                {
                    case 0: flags.AddRange(["--include", Glob()]); break;
                    case 1: flags.AddRange(["--exclude", Glob()]); break;
                    case 2: flags.AddRange(["--filter", Rule()]); break;
                    case 3: flags.AddRange(["--include-from", corpus.WriteFile($"{Glob()}\n# c\n {Glob()} \n")]); break;
                    case 4: flags.AddRange(["--exclude-from", corpus.WriteFile($";c\n{Glob()}\n\n{Glob()}\n")]); break;
                    default: flags.AddRange(["--filter-from", corpus.WriteFile($"{Rule()}\n{Rule()}\n")]); break;
                }
            }
            combos.Add(new Combo([.. flags]));
        }

        // --ignore-case.
        for (int i = 0; i < 15; i++)
        {
            var flags = new List<string> { "--ignore-case" };
            int n = random.Next(1, 4);
            for (int k = 0; k < n; k++)
                flags.AddRange(random.Next(3) switch { 0 => ["--include", Glob()], 1 => ["--exclude", Glob()], _ => ["--filter", Rule()] });
            combos.Add(new Combo([.. flags]));
        }
        return combos;
    }

    private List<Combo> LimitCombos(Random random)
    {
        var combos = new List<Combo>();
        string Glob() => Globs[random.Next(Globs.Length)];
        string[] ages = AgeValues(corpus.T0);
        foreach (var s in SizeValues)
        {
            combos.Add(new Combo(["--min-size", s]));
            combos.Add(new Combo(["--max-size", s]));
        }
        for (int i = 0; i < 8; i++)
            combos.Add(new Combo(["--min-size", SizeValues[random.Next(SizeValues.Length)], "--max-size",
                SizeValues[random.Next(SizeValues.Length)], "--exclude", Glob()]));
        foreach (var a in ages)
        {
            combos.Add(new Combo(["--min-age", a]));
            combos.Add(new Combo(["--max-age", a]));
        }
        for (int i = 0; i < 8; i++)
            combos.Add(new Combo(["--min-age", ages[random.Next(ages.Length)], "--max-age", ages[random.Next(ages.Length)],
                "--include", Glob(), "--max-size", SizeValues[random.Next(SizeValues.Length)]]));

        // --exclude-if-present, alone and with rules.
        combos.Add(new Combo(["--exclude-if-present", ".ign"]));
        combos.Add(new Combo(["--exclude-if-present", "CACHEDIR.TAG"]));
        combos.Add(new Combo(["--exclude-if-present", ".ign", "--exclude-if-present", "CACHEDIR.TAG"]));
        combos.Add(new Combo(["--exclude-if-present", "README"]));
        combos.Add(new Combo(["--exclude-if-present", ".IGN", "--ignore-case"]));
        for (int i = 0; i < 6; i++)
            combos.Add(new Combo(["--exclude-if-present", ".ign", random.Next(2) == 0 ? "--include" : "--exclude", Glob()]));
        combos.Add(new Combo(["--exclude-if-present", ".ign", "--exclude", ".ign"]));
        return combos;
    }

    private List<Combo> FilesFromCombos()
    {
        string list1 = corpus.WriteFile(
            "a.txt\n  c d.txt  \n# comment\n;semi\n\n/a/b/b.jpg\ndir with space/sub dir/y.md\n./b.jpg\na//a.txt\nnonexistent\n"
            + "a/b\nproj/src/main.cs\ndeep/1/2/3/4/5/6/f.txt\nlogs/old/notes.txt\nREADME\nStraße/Grüße.txt\n", "list");
        string list2 = corpus.WriteFile("  lead.txt\n[x].txt\nx/a/b\ntmp/sub/hidden.txt\n\r\nweird/a*b\nreadme.MD\n", "list");
        string raw = corpus.WriteFile("  lead.txt\ntrail .txt\n  c d.txt  \n/x/a/e\ncache/sub/blob2\n#hash\nDocs/x.md\n", "raw");
        return
        [
            new(["--files-from", list1]),
            new(["--files-from", list2]),
            new(["--files-from", list1, "--files-from", list2]),
            new(["--files-from-raw", raw]),
            new(["--files-from-raw", list2]),
            new(["--files-from", list1, "--files-from-raw", raw]),
            new(["--files-from", list2, "--ignore-case"]),
            new(["--files-from", list1, "--filter", "!"]),
        ];
    }

    private List<Combo> FiltersFileCombos(Random random)
    {
        var combos = new List<Combo>();
        string Glob() => Globs[random.Next(Globs.Length)];
        string Rule() => (random.Next(2) == 0 ? "+ " : "- ") + Glob();
        for (int i = 0; i < 10; i++)
        {
            string file = corpus.WriteFile($"# bisync filters\n{Rule()}\n{Rule()}\n\n{Rule()}\n", "filters");
            var flags = new List<string>();
            switch (i % 4)
            {
                case 0: break;
                case 1: flags.AddRange(["--filter", Rule()]); break;
                case 2: flags.AddRange(["--include", Glob(), "--filter-from", corpus.WriteFile(Rule() + "\n")]); break;
                default: flags.AddRange(["--exclude", Glob(), "--filter", "!", "--filter", Rule()]); break;
            }
            combos.Add(new Combo([.. flags], file));
        }
        return combos;
    }

    private List<Combo> ErrorCombos()
    {
        string list = corpus.WriteFile("a.txt\n", "list");
        return
        [
            new(["--files-from", list, "--exclude", "*.jpg"]),
            new(["--files-from", list, "--min-size", "1k"]),
            new(["--files-from-raw", list, "--exclude-if-present", ".ign"]),
            new(["--files-from", list, "--max-age", "1d"]),
            new(["--filter", "+foo"]),
            new(["--filter", "foo"]),
            new(["--filter", ""]),
            new(["--filter", " - x"]),
            new(["--include", "a[b"]),
            new(["--exclude", "a]b"]),
            new(["--include", "a{b"]),
            new(["--include", "{a,{b,c}}"]),
            new(["--exclude", "***"]),
            new(["--filter", "- {{(}}"]),
            new(["--include", "{{a"]),
            new(["--include", "a\\qb"]),
            new(["--include", "a[/]b/c"]),
            new(["--filter-from", corpus.WriteFile("- ok\n+\tx\n")]),
            new(["--filter-from", corpus.WriteFile("- ok\n\n- a[b\n")]),
            new(["--exclude-from", corpus.WriteFile("ok\n{x\n")]),
            new(["--min-size", "abc"]),
            new(["--min-size", "1KB"]),
            new(["--min-size", "-1"]),
            new(["--max-age", "1d2h"]),
            new(["--max-age", "2024/01/01"]),
            new(["--min-age", "OFF"]),
        ];
    }

    private async Task<List<string>> RunAsync(IReadOnlyCollection<Combo> combos, IReadOnlyList<string> trees, bool expectVariety = true)
    {
        var jobs = (from combo in combos from tree in trees select (combo, tree)).ToList();
        var failures = new ConcurrentBag<string>();
        var distinctResults = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(jobs, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(3, Environment.ProcessorCount + 1) },
            async (job, _) =>
            {
                var (combo, tree) = job;
                var rcloneFlags = combo.FiltersFile is null
                    ? combo.Flags
                    : InsertFiltersFile(combo.Flags, combo.FiltersFile);
                var expected = await RcloneOracle.ListAsync(tree, rcloneFlags);
                distinctResults[tree + "\n" + string.Join("\n", expected.Files.Order(StringComparer.Ordinal))] = true;
                string where = $"{Path.GetFileName(tree)}: {combo}";
                FilterSet ours;
                try
                {
                    ours = RcloneOracle.Build(combo.Flags, combo.FiltersFile, DateTime.UtcNow);
                }
                catch (FilterException e)
                {
                    if (expected.Ok) failures.Add($"{where}: we failed ({e.Message}) but rclone listed {expected.Files.Count} files");
                    return;
                }
                if (!expected.Ok)
                {
                    failures.Add($"{where}: rclone failed ({expected.Error}) but we accepted it");
                    return;
                }
                var actual = RcloneOracle.Walk(tree, ours);
                if (!actual.SetEquals(expected.Files))
                {
                    var missing = expected.Files.Except(actual).Order(StringComparer.Ordinal).Take(8);
                    var extra = actual.Except(expected.Files).Order(StringComparer.Ordinal).Take(8);
                    failures.Add($"{where}: missing [{string.Join(", ", missing)}] extra [{string.Join(", ", extra)}]");
                }
                var dump = RcloneOracle.DumpRules(ours);
                if (!dump.SequenceEqual(expected.DumpRules))
                    failures.Add($"{where}: dump differs\n  rclone: {string.Join(" ; ", expected.DumpRules)}\n  ours:   {string.Join(" ; ", dump)}");
            });
        output.WriteLine($"{combos.Count} combinations x {trees.Count} trees = {jobs.Count} runs, "
            + $"{distinctResults.Count} distinct listings, {failures.Count} differences");
        // The combinations must really tell filters apart, not all list the same files.
        Assert.True(!expectVariety || distinctResults.Count >= jobs.Count / 10,
            $"only {distinctResults.Count} distinct listings from {jobs.Count} runs");
        return [.. failures];
    }

    /// <summary>rclone bisync puts its --filters-file in front of the --filter-from files.</summary>
    private static string[] InsertFiltersFile(string[] flags, string filtersFile)
    {
        var result = new List<string>();
        bool inserted = false;
        for (int i = 0; i < flags.Length; i++)
        {
            if (!inserted && flags[i] == "--filter-from")
            {
                result.AddRange(["--filter-from", filtersFile]);
                inserted = true;
            }
            result.Add(flags[i]);
        }
        if (!inserted) result.AddRange(["--filter-from", filtersFile]);
        return [.. result];
    }

    private static void AssertNoFailures(List<string> failures, int jobs)
    {
        Assert.True(failures.Count == 0,
            $"{failures.Count} of {jobs} runs differ from rclone:\n" + string.Join("\n", failures.Order(StringComparer.Ordinal).Take(40)));
    }

    [Fact]
    public async Task RuleCombinationsMatchRclone()
    {
        var combos = RuleCombos(new Random(3));
        Assert.True(combos.Count >= 300, $"only {combos.Count} rule combinations");
        var failures = await RunAsync(combos, corpus.Trees);
        AssertNoFailures(failures, combos.Count * corpus.Trees.Count);
    }

    [Fact]
    public async Task SizeAgeAndMarkerCombinationsMatchRclone()
    {
        var combos = LimitCombos(new Random(5));
        var failures = await RunAsync(combos, corpus.Trees);
        AssertNoFailures(failures, combos.Count * corpus.Trees.Count);
    }

    [Fact]
    public async Task FilesFromAndFiltersFileMatchRclone()
    {
        var combos = FilesFromCombos().Concat(FiltersFileCombos(new Random(7))).ToList();
        var failures = await RunAsync(combos, corpus.Trees);
        AssertNoFailures(failures, combos.Count * corpus.Trees.Count);
    }

    [Fact]
    public async Task RejectedCombinationsAreRejectedLikeRclone()
    {
        var combos = ErrorCombos();
        var failures = await RunAsync(combos, corpus.Trees.Take(1).ToList(), expectVariety: false);
        AssertNoFailures(failures, combos.Count);
        // rclone must really have rejected all of them (so that this test can fail).
        foreach (var combo in combos)
            Assert.ThrowsAny<FilterException>(() => RcloneOracle.Build(combo.Flags, combo.FiltersFile, DateTime.UtcNow));
    }
}
