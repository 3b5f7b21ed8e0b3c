using System.Text.RegularExpressions;
using Bisync.Cli;
using Bisync.Engine;
using Bisync.Logging;
using Bisync.Tests.Support;

namespace Bisync.Tests.Cli;

/// <summary>
/// Every flag in <see cref="Flags.All"/>, driven by the table: each form parses, reaches the option a
/// hand-written expectation names (so a setter that fills the wrong property fails), shows in --help,
/// and its declared default is the real one.
/// </summary>
public class FlagTableTests
{
    /// <summary>What one flag must do: given <see cref="Sample"/> (null for flags without a value), <see cref="Get"/> reads <see cref="Expected"/>.</summary>
    private sealed record Expect(string? Sample, Func<CliOptions, object?> Get, object? Expected, Func<string, string>? Item = null)
    {
        public static Expect On(Func<CliOptions, object?> get) => new(null, get, true);

        public static Expect Value(string sample, Func<CliOptions, object?> get, object? expected) => new(sample, get, expected);

        /// <summary>A repeatable flag: <paramref name="get"/> lists what the options hold, <paramref name="item"/> what one value becomes.</summary>
        public static Expect List(string sample, Func<CliOptions, IEnumerable<string>> get, Func<string, string> item) =>
            new(sample, o => string.Join(" | ", get(o)), item(sample), item);
    }

    private static IEnumerable<string> Rules(CliOptions o) => o.Bisync.Filter.Rules.Select(r => $"{r.Name} {r.Value}");

    /// <summary>Written by hand, one per flag; the table test below fails for a flag without one.</summary>
    private static readonly Dictionary<string, Expect> Expectations = new()
    {
        ["--check-access"] = Expect.On(o => o.Bisync.CheckAccess),
        ["--check-filename"] = Expect.Value("CHECK_ME", o => o.Bisync.CheckFilename, "CHECK_ME"),
        ["--compat"] = Expect.Value("1.75", o => o.Bisync.Compat, Compat.V1_75),
        ["--check-sync"] = Expect.Value("only", o => o.Bisync.CheckSync, CheckSyncMode.Only),
        ["--compare"] = Expect.Value("size,checksum", o => o.Bisync.Compare, (CompareBy?)(CompareBy.Size | CompareBy.Checksum)),
        ["--ignore-listing-checksum"] = Expect.On(o => o.Bisync.IgnoreListingChecksum),
        ["--no-unicode-normalization"] = Expect.On(o => o.Bisync.NoUnicodeNormalization),
        ["--ignore-case-sync"] = Expect.On(o => o.Bisync.IgnoreCaseSync),
        ["--fix-case"] = Expect.On(o => o.Bisync.FixCase),
        ["--no-slow-hash"] = Expect.On(o => o.Bisync.NoSlowHash),
        ["--slow-hash-sync-only"] = Expect.On(o => o.Bisync.SlowHashSyncOnly),
        ["--download-hash"] = Expect.On(o => o.Bisync.DownloadHash),
        ["--filters-file"] = Expect.Value("rules.txt", o => o.Bisync.FiltersFile, "rules.txt"),
        ["--force"] = Expect.On(o => o.Bisync.Force),
        ["--localtime"] = Expect.On(o => o.Bisync.LocalTime),
        ["--no-cleanup"] = Expect.On(o => o.Bisync.NoCleanup),
        ["--remove-empty-dirs"] = Expect.On(o => o.Bisync.RemoveEmptyDirs),
        ["--create-empty-src-dirs"] = Expect.On(o => o.Bisync.CreateEmptySrcDirs),
        ["--resync"] = Expect.On(o => o.Bisync.Resync),
        ["--workdir"] = Expect.Value("wd", o => o.Bisync.Workdir, "wd"),

        ["--conflict-resolve"] = Expect.Value("newer", o => o.Bisync.ConflictResolve, ConflictResolve.Newer),
        ["--conflict-loser"] = Expect.Value("delete", o => o.Bisync.ConflictLoser, ConflictLoser.Delete),
        ["--conflict-suffix"] = Expect.Value("cloud,local", o => o.Bisync.ConflictSuffix, "cloud,local"),
        ["--suffix-keep-extension"] = Expect.On(o => o.Bisync.SuffixKeepExtension),
        ["--resync-mode"] = Expect.Value("larger", o => o.Bisync.ResyncMode, ResyncMode.Larger),
        ["--backup-dir1"] = Expect.Value("bak1", o => o.Bisync.BackupDir1, "bak1"),
        ["--backup-dir2"] = Expect.Value("bak2", o => o.Bisync.BackupDir2, "bak2"),
        ["--backup-dir"] = Expect.Value("bak", o => o.Bisync.BackupDir, "bak"),
        ["--suffix"] = Expect.Value("-old", o => o.Bisync.Suffix, "-old"),

        ["--dry-run"] = Expect.On(o => o.Bisync.DryRun),
        ["--max-delete"] = Expect.Value("25", o => o.Bisync.MaxDelete, 25),
        ["--size-only"] = Expect.On(o => o.Bisync.SizeOnly),
        ["--checksum"] = Expect.On(o => o.Bisync.Checksum),
        ["--ignore-size"] = Expect.On(o => o.Bisync.IgnoreSize),
        ["--modify-window"] = Expect.Value("2s", o => o.Bisync.ModifyWindow, TimeSpan.FromSeconds(2)),
        ["--copy-links"] = Expect.On(o => o.Bisync.CopyLinks),
        ["--links"] = Expect.On(o => o.Bisync.Links),
        ["--progress"] = Expect.On(o => o.Bisync.Progress),
        ["--transfers"] = Expect.Value("7", o => o.Bisync.Transfers, 7),
        ["--checkers"] = Expect.Value("3", o => (o.Bisync.Checkers, o.Remotes.Checkers), (3, 3)),
        ["--verbose"] = new(null, o => o.LogLevel, LogLevel.Info),
        ["--quiet"] = new(null, o => o.LogLevel, LogLevel.Error),
        ["--log-level"] = Expect.Value("DEBUG", o => o.LogLevel, LogLevel.Debug),
        ["--log-file"] = Expect.Value("log.txt", o => o.LogFile, "log.txt"),
        ["--config"] = Expect.Value("rc.conf", o => o.Remotes.ConfigPath, "rc.conf"),
        ["--retries"] = Expect.Value("5", o => o.Bisync.Retries, 5),
        ["--retries-sleep"] = Expect.Value("30s", o => o.Bisync.RetriesSleep, TimeSpan.FromSeconds(30)),
        ["--recover"] = Expect.On(o => o.Bisync.Recover),
        ["--resilient"] = Expect.On(o => o.Bisync.Resilient),
        ["--max-lock"] = Expect.Value("5m", o => o.Bisync.MaxLock, TimeSpan.FromMinutes(5)),
        ["--low-level-retries"] = Expect.Value("2", o => o.Remotes.LowLevelRetries, 2),
        ["--timeout"] = Expect.Value("90s", o => o.Remotes.Timeout, TimeSpan.FromSeconds(90)),
        ["--contimeout"] = Expect.Value("1h", o => o.Remotes.ConnectTimeout, TimeSpan.FromHours(1)),
        ["--rclone-backend"] = Expect.On(o => o.Remotes.Rclone.ForAllRemotes),
        ["--rclone-binary"] = Expect.Value("/opt/rclone", o => o.Remotes.Rclone.Binary, "/opt/rclone"),
        ["--help"] = Expect.On(o => o.Help),
        ["--version"] = Expect.On(o => o.Version),

        ["--filter"] = Expect.List("- *.tmp", Rules, v => "--filter " + v),
        ["--filter-from"] = Expect.List("f.txt", Rules, v => "--filter-from " + v),
        ["--include"] = Expect.List("*.jpg", Rules, v => "--include " + v),
        ["--include-from"] = Expect.List("inc.txt", Rules, v => "--include-from " + v),
        ["--exclude"] = Expect.List("*.bak", Rules, v => "--exclude " + v),
        ["--exclude-from"] = Expect.List("exc.txt", Rules, v => "--exclude-from " + v),
        ["--files-from"] = Expect.List("list.txt", o => o.Bisync.Filter.FilesFrom, v => v),
        ["--files-from-raw"] = Expect.List("raw.txt", o => o.Bisync.Filter.FilesFromRaw, v => v),
        ["--exclude-if-present"] = Expect.List(".nobackup", o => o.Bisync.Filter.ExcludeIfPresent, v => v),
        ["--min-size"] = Expect.Value("1M", o => o.Bisync.Filter.MinSize, 1L << 20),
        ["--max-size"] = Expect.Value("2k", o => o.Bisync.Filter.MaxSize, 2048L),
        ["--min-age"] = Expect.Value("2h", o => o.Bisync.Filter.MinAge, TimeSpan.FromHours(2)),
        ["--max-age"] = Expect.Value("3d", o => o.Bisync.Filter.MaxAge, TimeSpan.FromDays(3)),
        ["--ignore-case"] = Expect.On(o => o.Bisync.Filter.IgnoreCase),
        ["--dump"] = Expect.Value("filters", o => o.DumpFilters, true),
    };

    public static TheoryData<string> AllFlags => [.. Flags.All.Select(f => f.Name)];
    public static TheoryData<string> ShortFlags => [.. Flags.All.Where(f => f.Short != '\0').Select(f => f.Name)];
    public static TheoryData<string> ValueFlags => [.. Flags.All.Where(f => !f.TakesNoValue).Select(f => f.Name)];
    // --compare takes words from a fixed list (its own test below), so "-odd" is no value for it.
    public static TheoryData<string> TextFlags => [.. Flags.All.Where(f => f.Kind is FlagKind.String or FlagKind.List && f.Name != "--compare").Select(f => f.Name)];
    public static TheoryData<string> BoolFlags => [.. Flags.All.Where(f => f.Kind == FlagKind.Bool).Select(f => f.Name)];
    public static TheoryData<string> IntFlags => [.. Flags.All.Where(f => f.Kind == FlagKind.Int).Select(f => f.Name)];
    public static TheoryData<string> EnumFlags => [.. Flags.All.Where(f => f.Kind == FlagKind.Enum).Select(f => f.Name)];
    public static TheoryData<string> ListFlags => [.. Flags.All.Where(f => f.Kind == FlagKind.List).Select(f => f.Name)];
    public static TheoryData<string> DefaultedFlags => [.. Flags.All.Where(f => f.Default is not null).Select(f => f.Name)];

    private static Flag F(string name) => Flags.All.Single(f => f.Name == name);

    private static CliOptions Parse(params string[] flags) => CommandLine.Parse(["p1", "p2", .. flags]);

    private static readonly CliOptions Defaults = Parse();

    private static string Fail(params string[] args) => Assert.Throws<UsageException>(() => CommandLine.Parse(args)).Message;

    /// <summary>Parses <paramref name="flags"/> and checks the flag's option holds what the expectation says, which is not its default.</summary>
    private static void Reaches(string name, params string[] flags)
    {
        var e = Expectations[name];
        var parsed = Parse(flags);
        Assert.Equal(e.Expected, e.Get(parsed));
        Assert.NotEqual(e.Get(Defaults), e.Get(parsed));
    }

    private static void Unchanged(string name, params string[] flags)
    {
        var e = Expectations[name];
        Assert.Equal(e.Get(Defaults), e.Get(Parse(flags)));
    }

    [Fact]
    public void Every_flag_has_a_hand_written_expectation_and_no_expectation_is_left_over()
    {
        Assert.Equal(Expectations.Keys.Order(), Flags.All.Select(f => f.Name).Order());
        Assert.All(Flags.All, f => Assert.True(f.TakesNoValue == (Expectations[f.Name].Sample is null), f.Name));
    }

    [Fact]
    public void Names_and_letters_are_well_formed_and_every_flag_is_in_a_shown_group()
    {
        Assert.All(Flags.All, f =>
        {
            Assert.Matches("^--[a-z0-9][a-z0-9-]*$", f.Name);
            Assert.Contains(f.Group, Flags.Groups);
            Assert.False(string.IsNullOrWhiteSpace(f.Help), f.Name);
        });
        Assert.Equal(Flags.All.Length, Flags.All.Select(f => f.Name).Distinct().Count());
        var letters = Flags.All.Where(f => f.Short != '\0').Select(f => f.Short).ToList();
        Assert.Equal(letters.Count, letters.Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(AllFlags))]
    public void Long_forms_reach_their_option(string name)
    {
        var f = F(name);
        var sample = Expectations[name].Sample;
        switch (f.Kind)
        {
            case FlagKind.Bool:
                Reaches(name, name);
                Reaches(name, name + "=true");
                Reaches(name, name + "=false", name);
                Unchanged(name, name + "=false");
                Unchanged(name, name, name + "=false");
                break;
            case FlagKind.Count:
                Reaches(name, name);
                Reaches(name, name + "=1");
                Unchanged(name, name + "=0");
                break;
            default:
                Reaches(name, name, sample!);
                Reaches(name, name + "=" + sample);
                break;
        }
    }

    [Theory]
    [MemberData(nameof(ShortFlags))]
    public void Short_forms_reach_their_option(string name)
    {
        var f = F(name);
        var x = "-" + f.Short;
        var sample = Expectations[name].Sample;
        if (f.TakesNoValue)
        {
            Reaches(name, x);
            Reaches(name, x + "=" + (f.Kind == FlagKind.Count ? "1" : "true"));
            Unchanged(name, x + "=" + (f.Kind == FlagKind.Count ? "0" : "false"));
            if (f.Kind == FlagKind.Bool) Unchanged(name, x, x + "=false");
        }
        else
        {
            Reaches(name, x, sample!);
            Reaches(name, x + sample);
            Reaches(name, x + "=" + sample);
        }
    }

    [Theory]
    [MemberData(nameof(DefaultedFlags))]
    public void Giving_the_declared_default_changes_nothing(string name)
    {
        var f = F(name);
        Unchanged(name, name + "=" + f.Default);
        if (!f.TakesNoValue) Unchanged(name, name, f.Default!);
    }

    [Theory]
    [MemberData(nameof(ValueFlags))]
    public void A_value_flag_at_the_end_needs_its_value(string name)
    {
        Assert.Equal($"flag needs an argument: {name}", Fail("p1", "p2", name));
        var f = F(name);
        if (f.Short != '\0') Assert.Equal($"flag needs an argument: {name}", Fail("p1", "p2", "-" + f.Short));
    }

    [Theory]
    [MemberData(nameof(TextFlags))]
    public void A_value_flag_takes_the_next_word_even_when_it_starts_with_a_dash(string name)
    {
        var parsed = Parse(name, "-odd");
        Assert.Equal("p2", parsed.Bisync.Path2);
        Assert.NotEqual(Expectations[name].Get(Defaults), Expectations[name].Get(parsed));
    }

    [Theory]
    [InlineData("size", CompareBy.Size)]
    [InlineData("modtime", CompareBy.ModTime)]
    [InlineData("checksum", CompareBy.Checksum)]
    [InlineData("size,modtime,checksum", CompareBy.Size | CompareBy.ModTime | CompareBy.Checksum)]
    [InlineData("Checksum, modtime", CompareBy.ModTime | CompareBy.Checksum)]
    public void Compare_takes_any_combination(string value, CompareBy expected) =>
        Assert.Equal(expected, Parse("--compare", value).Bisync.Compare);

    [Theory]
    [InlineData("size,hash")]
    [InlineData("")]
    [InlineData("size,,modtime")]
    public void Compare_rejects_other_words(string value) =>
        Assert.Equal($"invalid --compare \"{value}\": use a comma-separated list of size, modtime, checksum", Fail("p1", "p2", "--compare=" + value));

    [Theory]
    [MemberData(nameof(BoolFlags))]
    public void A_bool_flag_rejects_a_value_that_is_not_a_bool(string name) =>
        Assert.Equal($"invalid value \"maybe\" for {name}: use true or false", Fail("p1", "p2", name + "=maybe"));

    [Theory]
    [MemberData(nameof(IntFlags))]
    public void An_int_flag_takes_its_range_and_nothing_outside_it(string name)
    {
        var f = F(name);
        var get = Expectations[name].Get;
        Assert.NotEqual(get(Parse(name, f.Min.ToString())), get(Parse(name, f.Max.ToString())));
        Assert.Equal($"{name} must be between {f.Min} and {f.Max}, not {f.Min - 1}", Fail("p1", "p2", name, (f.Min - 1).ToString()));
        Assert.Equal($"{name} must be between {f.Min} and {f.Max}, not {f.Max + 1}", Fail("p1", "p2", name + "=" + (f.Max + 1)));
        Assert.Equal($"invalid number \"many\" for {name}", Fail("p1", "p2", name, "many"));
    }

    [Theory]
    [MemberData(nameof(EnumFlags))]
    public void An_enum_flag_takes_each_of_its_words_in_any_case_and_no_other(string name)
    {
        var f = F(name);
        var get = Expectations[name].Get;
        var values = new List<object?>();
        foreach (var word in f.Choices)
        {
            values.Add(get(Parse(name, word.ToLowerInvariant())));
            Assert.Equal(values[^1], get(Parse(name + "=" + word.ToUpperInvariant())));
        }
        Assert.Equal(f.Choices.Count, values.Distinct().Count()); // each word its own value
        var error = Fail("p1", "p2", name, "nonsense");
        Assert.Contains(name, error);
        Assert.Contains("nonsense", error);
    }

    [Theory]
    [MemberData(nameof(ListFlags))]
    public void A_repeated_list_flag_keeps_every_value_in_order(string name)
    {
        var e = Expectations[name];
        Assert.Equal(e.Item!("b") + " | " + e.Item("a") + " | " + e.Item("b"), e.Get(Parse(name, "b", name + "=a", name, "b")));
    }

    [Theory]
    [MemberData(nameof(AllFlags))]
    public void Help_shows_the_flag_with_its_letter_value_and_default(string name)
    {
        var f = F(name);
        // Continuation lines of a wrapped description joined back onto their flag line.
        var help = Regex.Replace(HelpText.Build(), @"\n {20,}", " ");
        var left = (f.Short == '\0' ? "      " : $"  -{f.Short}, ") + name + (f.TakesNoValue ? "" : " " + f.ValueName);
        var line = help.Split('\n').Single(l => l.StartsWith(left + "  ", StringComparison.Ordinal));
        Assert.Contains(f.Help, line);
        if (HelpText.DefaultText(f) is { } def) Assert.Contains("default " + def, line);
        if (f.Kind == FlagKind.Int) Assert.Contains($"{f.Min} to {f.Max}", line);
        foreach (var word in f.Choices) Assert.Contains(word, line);
    }

    [Fact]
    public void Help_lines_are_aligned_and_groups_appear_in_order()
    {
        var help = HelpText.Build();
        var lines = help.Split('\n');
        var columns = Flags.All.Select(f =>
        {
            var line = lines.Single(l => l.StartsWith(HelpText.Left(f) + " ", StringComparison.Ordinal));
            return line.Length - line[HelpText.Left(f).Length..].TrimStart().Length;
        }).Distinct();
        Assert.Single(columns);
        var positions = Flags.Groups.Select(g => help.IndexOf("\n" + g.Title, StringComparison.Ordinal)).ToList();
        Assert.All(positions, p => Assert.True(p > 0));
        Assert.Equal(positions.Order(), positions);
        Assert.Contains("Usage:\n  bisync PATH1 PATH2 [flags]", help);
        Assert.Contains("Exit codes:", help);
        Assert.Contains("3  a path does not exist", help);
    }

    [Fact]
    public void Backend_flags_reach_the_remotes_by_type_and_option_and_are_listed_in_help()
    {
        var o = Parse("--sftp-md5sum-command", "md5 -r", "--s3-force-path-style", "--s3-env-auth=false", "--sftp-port=2222");
        Assert.Equal(new Dictionary<string, string>
        {
            ["sftp.md5sum_command"] = "md5 -r", ["s3.force_path_style"] = "true", ["s3.env_auth"] = "false", ["sftp.port"] = "2222",
        }, o.Remotes.BackendFlags);
        Assert.Equal("p2", o.Bisync.Path2); // a switch does not take the next word
        Assert.Equal("unknown flag: --sftp-no-such-option", Fail("p1", "p2", "--sftp-no-such-option", "x"));
        Assert.Equal("invalid value \"maybe\" for --s3-env-auth: use true or false", Fail("p1", "p2", "--s3-env-auth=maybe"));
        Assert.Equal("flag needs an argument: --sftp-sha1sum-command", Fail("p1", "p2", "--sftp-sha1sum-command"));
        var help = HelpText.Build();
        foreach (var option in Bisync.Remotes.Config.BackendFlags.All) Assert.Contains(option.Flag, help);
    }

    [Fact]
    public void Help_says_retries_needs_resilient()
    {
        var help = Regex.Replace(HelpText.Build(), @"\s+", " ");
        Assert.Matches(@"--retries int With --resilient", help);
        Assert.DoesNotContain("not used yet", help);
    }

    // --- Syntax corner cases, as rclone (pflag) takes them ---

    [Fact]
    public void Verbosity_counts_and_the_explicit_level_wins()
    {
        Assert.Equal(LogLevel.Notice, Defaults.LogLevel);
        Assert.Equal(LogLevel.Info, Parse("-v").LogLevel);
        Assert.Equal(LogLevel.Debug, Parse("-vv").LogLevel);
        Assert.Equal(LogLevel.Debug, Parse("-v", "-v").LogLevel);
        Assert.Equal(LogLevel.Debug, Parse("-vvv").LogLevel);
        Assert.Equal(LogLevel.Debug, Parse("--verbose=2").LogLevel);
        Assert.Equal(LogLevel.Debug, Parse("-v=2").LogLevel);
        Assert.Equal(LogLevel.Debug, Parse("--verbose", "--verbose").LogLevel);
        Assert.Equal(LogLevel.Error, Parse("-vv", "-q").LogLevel);
        Assert.Equal(LogLevel.Info, Parse("-q", "--log-level", "info").LogLevel);
        Assert.Equal(LogLevel.Notice, Parse("-vv", "--log-level=Notice").LogLevel);
        Assert.Equal("invalid number \"x\" for --verbose", Fail("p1", "p2", "--verbose=x"));
        Assert.Equal("invalid --log-level \"loud\": use DEBUG, INFO, NOTICE or ERROR", Fail("p1", "p2", "--log-level", "loud"));
        // "--verbose 2": --verbose takes no value, so 2 is a third path.
        Assert.Equal("bisync needs exactly 2 arguments, PATH1 and PATH2: you gave 3", Fail("p1", "p2", "--verbose", "2"));
    }

    [Fact]
    public void Filter_rules_keep_their_command_line_order_across_flags()
    {
        var o = Parse("--filter", "+ a", "--include=b", "-f- c", "--exclude-from", "x.txt", "-f=+ d", "--filter-from=y.txt",
            "--exclude", "e", "--include-from", "z.txt", "-f", "- f");
        Assert.Equal(
            ["--filter + a", "--include b", "--filter - c", "--exclude-from x.txt", "--filter + d", "--filter-from y.txt",
             "--exclude e", "--include-from z.txt", "--filter - f"],
            Rules(o));
    }

    [Fact]
    public void Double_dash_ends_the_flags_and_a_lone_dash_is_a_path()
    {
        var o = CommandLine.Parse(["--resync", "--", "--dry-run", "-v"]);
        Assert.True(o.Bisync.Resync);
        Assert.False(o.Bisync.DryRun);
        Assert.Equal(LogLevel.Notice, o.LogLevel);
        Assert.Equal(("--dry-run", "-v"), (o.Bisync.Path1, o.Bisync.Path2));

        o = CommandLine.Parse(["-", "p2", "-n"]);
        Assert.Equal(("-", "p2"), (o.Bisync.Path1, o.Bisync.Path2));
        Assert.True(o.Bisync.DryRun);

        o = CommandLine.Parse(["p1", "--", "-"]);
        Assert.Equal(("p1", "-"), (o.Bisync.Path1, o.Bisync.Path2));
    }

    [Fact]
    public void Short_letters_combine_as_rclone_takes_them()
    {
        var o = Parse("-nv");
        Assert.True(o.Bisync.DryRun);
        Assert.Equal(LogLevel.Info, o.LogLevel);

        o = Parse("-1vvn");
        Assert.True(o.Bisync.Resync && o.Bisync.DryRun);
        Assert.Equal(LogLevel.Debug, o.LogLevel);

        o = Parse("-nfRULE");
        Assert.True(o.Bisync.DryRun);
        Assert.Equal(["--filter RULE"], Rules(o));

        o = Parse("-vf", "- x"); // a value letter last in the word takes the next argument
        Assert.Equal(LogLevel.Info, o.LogLevel);
        Assert.Equal(["--filter - x"], Rules(o));

        o = Parse("-fv"); // ... and anywhere else the rest of the word
        Assert.Equal(LogLevel.Notice, o.LogLevel);
        Assert.Equal(["--filter v"], Rules(o));

        o = Parse("-cP", "-n=false", "-1=true");
        Assert.True(o.Bisync.Checksum && o.Bisync.Progress && o.Bisync.Resync);
        Assert.False(o.Bisync.DryRun);
        Assert.Equal("", Assert.Single(Parse("-f=").Bisync.Filter.Rules).Value);
    }

    [Fact]
    public void Unknown_flags_and_letters_are_usage_errors()
    {
        Assert.Equal("unknown flag: --no-such-flag", Fail("p1", "p2", "--no-such-flag"));
        Assert.Equal("unknown flag: --no-such-flag", Fail("p1", "p2", "--no-such-flag=1"));
        Assert.Equal("unknown flag: ---resync", Fail("p1", "p2", "---resync"));
        Assert.Equal("unknown shorthand flag: 'x' in -x", Fail("p1", "p2", "-x"));
        Assert.Equal("unknown shorthand flag: 'x' in -nx", Fail("p1", "p2", "-nx"));
        Assert.Equal("unknown shorthand flag: '-' in -n-", Fail("p1", "p2", "-n-"));
    }

    [Fact]
    public void Values_take_every_form_and_the_last_of_a_repeated_scalar_wins()
    {
        Assert.Equal(3, Parse("--transfers", "2", "--transfers=3").Bisync.Transfers);
        Assert.Equal("", Parse("--workdir=").Bisync.Workdir);
        Assert.Equal("a=b", Parse("--workdir=a=b").Bisync.Workdir);
        Assert.Equal("-odd", Parse("--workdir", "-odd").Bisync.Workdir);
        Assert.Equal(50, Parse("--max-delete=50%").Bisync.MaxDelete);
        Assert.Equal("invalid number \"4%\" for --transfers", Fail("p1", "p2", "--transfers=4%"));
        Assert.Equal(CheckSyncMode.False, Parse("--check-sync", "FALSE").Bisync.CheckSync);
        Assert.Equal(TimeSpan.Zero, Parse("--timeout=0").Remotes.Timeout);
    }

    [Fact]
    public void The_profile_variable_is_checked_like_the_flag()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "bisync.dll");
        var bad = Processes.Run("dotnet", [dll, "p1", "p2"], env: new Dictionary<string, string?> { ["BISYNC_COMPAT"] = "1.99" });
        Assert.Equal(1, bad.ExitCode);
        Assert.StartsWith("bisync: BISYNC_COMPAT: invalid --compat \"1.99\": use 1.60 or 1.75\n", bad.StdErr);
    }

    [Fact]
    public void Values_are_checked_as_before()
    {
        Assert.Equal("invalid --check-filename \"a/b\": a file name without '/'", Fail("p1", "p2", "--check-filename", "a/b"));
        Assert.Equal("invalid --check-filename \"\": a file name without '/'", Fail("p1", "p2", "--check-filename="));
        Assert.Equal("--dump headers is not supported (only --dump filters)", Fail("p1", "p2", "--dump", "headers"));
        Assert.Equal("invalid --check-sync \"maybe\": use true, false or only", Fail("p1", "p2", "--check-sync=maybe"));
        Assert.Equal("invalid duration \"soon\" for --timeout: expected e.g. 90s, 1h30m, 2d, 1w, 1M, 1y, or off", Fail("p1", "p2", "--timeout", "soon"));
        Assert.StartsWith("invalid duration \"soon\" for --min-age: expected", Fail("p1", "p2", "--min-age", "soon"));
        Assert.StartsWith("invalid size \"big\" for --max-size", Fail("p1", "p2", "--max-size=big"));
        Assert.Equal("--max-delete must be between 0 and 100, not 101%", Fail("p1", "p2", "--max-delete=101%"));
    }

    [Fact]
    public void Help_and_version_need_no_paths_but_a_run_needs_exactly_two()
    {
        Assert.True(CommandLine.Parse(["--help"]).Help);
        Assert.True(CommandLine.Parse(["-h"]).Help);
        Assert.True(CommandLine.Parse(["-V"]).Version);
        Assert.Equal("bisync needs exactly 2 arguments, PATH1 and PATH2: you gave 0", Fail());
        Assert.Equal("bisync needs exactly 2 arguments, PATH1 and PATH2: you gave 1", Fail("p1", "-n"));
        Assert.Equal("bisync needs exactly 2 arguments, PATH1 and PATH2: you gave 0", Fail("--help=false"));
    }

    [Fact]
    public void Checkers_is_one_value_for_the_engine_and_the_backends()
    {
        Assert.Equal(Defaults.Bisync.Checkers, Defaults.Remotes.Checkers);
        var o = Parse("--checkers=16");
        Assert.Equal((16, 16), (o.Bisync.Checkers, o.Remotes.Checkers));
    }

    [Fact]
    public void Defaults_are_the_option_records_defaults()
    {
        var d = Defaults;
        Assert.Equal(("p1", "p2"), (d.Bisync.Path1, d.Bisync.Path2));
        Assert.Equal(new BisyncOptions { Path1 = "p1", Path2 = "p2", ProgressInPlace = d.Bisync.ProgressInPlace, Filter = d.Bisync.Filter }, d.Bisync);
        Assert.True(d.Bisync.Filter.IsEmpty);
        Assert.Equal(new Bisync.Remotes.RemoteOptions { Checkers = d.Bisync.Checkers }, d.Remotes);
    }
}
