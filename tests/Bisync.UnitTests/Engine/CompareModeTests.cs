using Bisync.Engine;
using Bisync.Logging;
using Bisync.Storage.Local;
using Bisync.Tests.Support;

namespace Bisync.UnitTests.Engine;

/// <summary>
/// The compare family with rclone v1.75's meaning (--compare, --checksum under --compat 1.75,
/// --size-only, --ignore-size, --ignore-listing-checksum, --no-slow-hash, --slow-hash-sync-only,
/// --modify-window) and the v1.75 profile's defaults, on two local folders.
/// </summary>
public class CompareModeTests
{
    private static readonly DateTime Later = TempTree.BaseTime.AddDays(3);

    private static async Task<(BisyncResult Result, List<string> Log)> RunAsync(TempTree t, BisyncOptions? extra = null, bool resync = false)
    {
        var lines = new List<string>();
        var log = Logger.Silent(LogLevel.Info);
        log.Sink = l => { lock (lines) lines.Add(l); };
        var o = (extra ?? new BisyncOptions { Path1 = "", Path2 = "" }) with
        {
            Path1 = t.Path1, Path2 = t.Path2, Workdir = t.Workdir, Resync = resync, NoCleanup = true,
        };
        var result = await new BisyncEngine(new LocalStorageOpener(), log).RunAsync(o, CancellationToken.None);
        return (result, lines);
    }

    private static BisyncOptions V175(CompareBy? compare = null) =>
        new() { Path1 = "", Path2 = "", Compat = Compat.V1_75, Compare = compare };

    /// <summary>Five files in sync on both sides after a --resync with the same options.</summary>
    private static async Task<TempTree> InSyncAsync(BisyncOptions options)
    {
        var t = new TempTree();
        for (var i = 0; i < 5; i++) t.WriteBoth($"f{i}.txt", $"content {i}", TempTree.BaseTime);
        var (r, log) = await RunAsync(t, options, resync: true);
        Assert.True(r.ExitCode == 0, string.Join("\n", log));
        return t;
    }

    private static string ListingLine(TempTree t, int side, string name) =>
        File.ReadLines(Files(t, $".path{side}.lst").Single()).Single(l => l.EndsWith($"\"{name}\"", StringComparison.Ordinal));

    /// <summary>The working directory's files whose names end so (no glob: ".lst" must not match ".lst-old").</summary>
    private static string[] Files(TempTree t, string ending) =>
        Directory.GetFiles(t.Workdir).Where(f => f.EndsWith(ending, StringComparison.Ordinal)).ToArray();

    private static string Read(string root, string name) => File.ReadAllText(Path.Combine(root, name));

    [Fact]
    public async Task Compat_175_lists_no_hashes_keeps_lst_old_and_exits_7_on_a_critical_abort()
    {
        using var t = await InSyncAsync(V175());
        Assert.StartsWith("-        9 - - ", ListingLine(t, 1, "f1.txt"));
        Assert.Empty(Files(t, ".lst-old")); // a first resync has no prior listings to keep
        var (r, _) = await RunAsync(t, V175());
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(2, Files(t, ".lst-old").Length);
        foreach (var f in Files(t, ".lst")) File.Delete(f);
        var (abort, _) = await RunAsync(t, V175());
        Assert.Equal(7, abort.ExitCode);
        Assert.True(abort.Critical);
    }

    [Fact]
    public async Task Compat_160_still_exits_2_on_a_critical_abort_and_keeps_no_lst_old()
    {
        using var t = await InSyncAsync(new BisyncOptions { Path1 = "", Path2 = "" });
        Assert.Equal(0, (await RunAsync(t)).Result.ExitCode);
        Assert.Empty(Files(t, ".lst-old"));
        foreach (var f in Files(t, ".lst")) File.Delete(f);
        Assert.Equal(2, (await RunAsync(t)).Result.ExitCode);
    }

    [Fact]
    public async Task Size_and_checksum_ignore_a_touched_file_but_find_same_size_new_content()
    {
        var options = V175(CompareBy.Size | CompareBy.Checksum);
        using var t = await InSyncAsync(options);
        Assert.Contains(" md5:", ListingLine(t, 1, "f1.txt"));
        File.SetLastWriteTimeUtc(Path.Combine(t.Path1, "f1.txt"), Later); // touched only
        TempTree.Write(t.Path2, "f2.txt", "CONTENT 2", TempTree.BaseTime); // same size, same time, new content
        var (r, log) = await RunAsync(t, options);
        Assert.Equal(0, r.ExitCode);
        Assert.DoesNotContain(log, l => l.EndsWith("f1.txt", StringComparison.Ordinal) && l.Contains("File "));
        Assert.Contains(log, l => l.Contains("File hash differs") && l.EndsWith("f2.txt", StringComparison.Ordinal));
        Assert.Equal("CONTENT 2", Read(t.Path1, "f2.txt"));
    }

    [Fact]
    public async Task Checksum_under_compat_175_means_size_and_checksum()
    {
        var options = V175() with { Checksum = true };
        using var t = await InSyncAsync(options);
        File.SetLastWriteTimeUtc(Path.Combine(t.Path2, "f3.txt"), Later);
        var (r, log) = await RunAsync(t, options);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("INFO  : No changes found", log);
        Assert.Contains(" md5:", ListingLine(t, 2, "f3.txt"));
    }

    [Fact]
    public async Task Modtime_alone_misses_a_size_change_at_the_same_time()
    {
        var options = V175(CompareBy.ModTime);
        using var t = await InSyncAsync(options);
        TempTree.Write(t.Path1, "f1.txt", "longer content 1", TempTree.BaseTime);
        var (r, log) = await RunAsync(t, options);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("INFO  : No changes found", log);
        Assert.Equal("content 1", Read(t.Path2, "f1.txt"));
    }

    [Fact]
    public async Task Ignore_size_compares_times_only()
    {
        var options = V175() with { IgnoreSize = true };
        using var t = await InSyncAsync(options);
        TempTree.Write(t.Path1, "f1.txt", "longer content 1", TempTree.BaseTime); // size only: not seen
        File.SetLastWriteTimeUtc(Path.Combine(t.Path1, "f2.txt"), Later);       // time: seen
        var (r, log) = await RunAsync(t, options);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("content 1", Read(t.Path2, "f1.txt"));
        Assert.Contains(log, l => l.Contains("File is newer") && l.EndsWith("f2.txt", StringComparison.Ordinal));
        Assert.Equal(Later, File.GetLastWriteTimeUtc(Path.Combine(t.Path2, "f2.txt")));
    }

    [Fact]
    public async Task Size_alone_ignores_times_and_finds_sizes()
    {
        var options = V175() with { SizeOnly = true };
        using var t = await InSyncAsync(options);
        File.SetLastWriteTimeUtc(Path.Combine(t.Path1, "f1.txt"), Later);
        TempTree.Write(t.Path2, "f2.txt", "longer content 2", TempTree.BaseTime);
        var (r, log) = await RunAsync(t, options);
        Assert.Equal(0, r.ExitCode);
        Assert.DoesNotContain(log, l => l.Contains("File ") && l.EndsWith("f1.txt", StringComparison.Ordinal));
        Assert.Contains(log, l => l.Contains("File size differs") && l.EndsWith("f2.txt", StringComparison.Ordinal));
        Assert.Equal("longer content 2", Read(t.Path1, "f2.txt"));
    }

    [Theory]
    [InlineData(Compat.V1_60)]
    [InlineData(Compat.V1_75)]
    public async Task Modify_window_counts_close_times_as_equal(Compat compat)
    {
        var options = new BisyncOptions { Path1 = "", Path2 = "", Compat = compat, ModifyWindow = TimeSpan.FromSeconds(2) };
        using var t = await InSyncAsync(options);
        File.SetLastWriteTimeUtc(Path.Combine(t.Path1, "f1.txt"), TempTree.BaseTime.AddSeconds(1));
        File.SetLastWriteTimeUtc(Path.Combine(t.Path1, "f2.txt"), TempTree.BaseTime.AddSeconds(3));
        var (r, log) = await RunAsync(t, options);
        Assert.Equal(0, r.ExitCode);
        Assert.DoesNotContain(log, l => l.Contains("File ") && l.EndsWith("f1.txt", StringComparison.Ordinal));
        Assert.Contains(log, l => l.Contains("File is newer") && l.EndsWith("f2.txt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ignore_listing_checksum_keeps_hashes_out_of_listings_and_deltas()
    {
        var options = V175(CompareBy.Size | CompareBy.ModTime | CompareBy.Checksum) with { IgnoreListingChecksum = true };
        using var t = await InSyncAsync(options);
        Assert.StartsWith("-        9 - - ", ListingLine(t, 1, "f1.txt"));
        TempTree.Write(t.Path2, "f2.txt", "CONTENT 2", TempTree.BaseTime); // only a checksum could see this
        var (r, log) = await RunAsync(t, options);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("INFO  : No changes found", log);
    }

    [Fact]
    public async Task No_slow_hash_leaves_local_sides_without_checksums()
    {
        var options = V175(CompareBy.Size | CompareBy.Checksum) with { NoSlowHash = true };
        using var t = await InSyncAsync(options);
        Assert.StartsWith("-        9 - - ", ListingLine(t, 2, "f1.txt"));
    }

    [Fact]
    public async Task Slow_hash_sync_only_uses_checksums_only_to_decide_a_copy()
    {
        var options = V175(CompareBy.Size | CompareBy.ModTime | CompareBy.Checksum) with { SlowHashSyncOnly = true };
        using var t = await InSyncAsync(options);
        Assert.StartsWith("-        9 - - ", ListingLine(t, 1, "f1.txt"));
        File.SetLastWriteTimeUtc(Path.Combine(t.Path1, "f1.txt"), Later); // a newer time, the same content
        var (r, log) = await RunAsync(t, options);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains(log, l => l.Contains("File is newer") && l.EndsWith("f1.txt", StringComparison.Ordinal));
        Assert.Contains("INFO  : f1.txt: Updated modification time in destination", log);
        Assert.DoesNotContain(log, l => l.StartsWith("INFO  : f1.txt: Copied", StringComparison.Ordinal));
        Assert.Equal(Later, File.GetLastWriteTimeUtc(Path.Combine(t.Path2, "f1.txt")));
    }

    [Fact]
    public async Task Compare_all_finds_new_content_behind_an_unchanged_size_and_time()
    {
        var options = V175(CompareBy.Size | CompareBy.ModTime | CompareBy.Checksum);
        using var t = await InSyncAsync(options);
        TempTree.Write(t.Path1, "f4.txt", "CONTENT 4", TempTree.BaseTime);
        var (r, log) = await RunAsync(t, options);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains(log, l => l.Contains("File hash differs") && l.EndsWith("f4.txt", StringComparison.Ordinal));
        Assert.Equal("CONTENT 4", Read(t.Path2, "f4.txt"));
        Assert.Empty(Files(t, ".hashes")); // the v1.75 profile keeps its hash cache in hashes/
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(t.Workdir, SessionNames.HashFolder), "*.hashes"));
    }
}
