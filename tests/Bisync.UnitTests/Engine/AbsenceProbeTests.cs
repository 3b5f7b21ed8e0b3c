using Bisync.Engine;
using Bisync.Storage;
using Bisync.Storage.Local;
using Bisync.Tests.Support;

namespace Bisync.UnitTests.Engine;

/// <summary>
/// The re-check before copying a file the destination did not hold, made with one names listing of
/// its folder for several files (where the backend lists names cheaply, as S3 does) instead of a
/// stat per file: fewer requests, and still no file that appears there during the run is overwritten.
/// </summary>
public class AbsenceProbeTests
{
    private static readonly DateTime T1 = new(2001, 1, 2, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Names from a script; counts its listings per folder.</summary>
    private sealed class Lister(Func<string, IReadOnlySet<string>?> names) : INameLister
    {
        public readonly Dictionary<string, int> Calls = new();

        public Task<IReadOnlySet<string>?> ListNamesAsync(string dir, int limit, CancellationToken ct)
        {
            lock (Calls) Calls[dir] = Calls.GetValueOrDefault(dir) + 1;
            return Task.FromResult(names(dir));
        }
    }

    private static IReadOnlySet<string> Set(params string[] names) => new HashSet<string>(names, StringComparer.Ordinal);

    [Fact]
    public async Task One_listing_serves_a_few_files_of_a_folder_then_the_folder_is_listed_again()
    {
        var lister = new Lister(_ => Set());
        var probe = new AbsenceProbe(lister, reuse: 16);
        for (var i = 0; i < 40; i++) Assert.True(await probe.AbsentAsync($"d/f{i}", default));
        for (var i = 0; i < 5; i++) Assert.True(await probe.AbsentAsync($"e/g/f{i}", default));
        Assert.True(await probe.AbsentAsync("top.txt", default));
        Assert.Equal(3, lister.Calls["d"]);   // files 1, 17 and 33
        Assert.Equal(1, lister.Calls["e/g"]);
        Assert.Equal(1, lister.Calls[""]);
    }

    [Fact]
    public async Task A_name_in_the_listing_means_something_is_there()
    {
        var probe = new AbsenceProbe(new Lister(_ => Set("taken.txt", "sub")));
        Assert.False(await probe.AbsentAsync("d/taken.txt", default));
        Assert.False(await probe.AbsentAsync("d/sub", default));   // a folder where the file would go
        Assert.True(await probe.AbsentAsync("d/free.txt", default));
    }

    [Fact]
    public async Task A_name_that_appears_is_seen_by_the_next_listing_of_the_folder()
    {
        var there = new HashSet<string>(StringComparer.Ordinal);
        var probe = new AbsenceProbe(new Lister(_ => Set([.. there])), reuse: 2);
        Assert.True(await probe.AbsentAsync("d/a", default));     // listed here
        there.Add("b");
        Assert.True(await probe.AbsentAsync("d/x", default));     // same listing, made before b
        Assert.False(await probe.AbsentAsync("d/b", default));    // a new listing
    }

    [Fact]
    public async Task A_folder_too_large_to_list_or_a_failed_listing_leaves_the_look_to_a_stat()
    {
        var lister = new Lister(dir => dir == "big" ? null : throw new IOException("connection reset"));
        var probe = new AbsenceProbe(lister, reuse: 1);
        Assert.Null(await probe.AbsentAsync("big/a", default));
        Assert.Null(await probe.AbsentAsync("big/b", default));
        Assert.Equal(1, lister.Calls["big"]);                     // not listed again
        Assert.Null(await probe.AbsentAsync("bad/a", default));
    }

    /// <summary>Local storage that lists names (as S3 does), counts its stats, and runs an edit before its first names listing.</summary>
    private sealed class NamedStorage(LocalStorage inner) : DelegatingStorage(inner), INameLister
    {
        public int Listings;
        public int Stats;
        public Action? BeforeFirstListing;

        public override Task<StorageEntry?> StatAsync(string path, CancellationToken ct)
        {
            Interlocked.Increment(ref Stats);
            return base.StatAsync(path, ct);
        }

        public async Task<IReadOnlySet<string>?> ListNamesAsync(string dir, int limit, CancellationToken ct)
        {
            Interlocked.Increment(ref Listings);
            Interlocked.Exchange(ref BeforeFirstListing, null)?.Invoke();
            var names = new HashSet<string>(StringComparer.Ordinal);
            try
            {
                await foreach (var e in Inner.ListAsync(dir, ct)) names.Add(e.Path[(e.Path.LastIndexOf('/') + 1)..]);
            }
            catch (DirectoryNotFoundException)
            {
            }
            return names.Count > limit ? null : names;
        }
    }

    private sealed class Opener(string root, IStorage storage) : IStorageOpener
    {
        public Task<IStorage> OpenAsync(string path, CancellationToken ct) =>
            Task.FromResult(path == root ? storage : new LocalStorage(path));
    }

    [Fact]
    public async Task A_first_sync_lists_each_new_folder_instead_of_a_stat_per_file()
    {
        using var t = new TempTree();
        foreach (var d in new[] { "a", "b", "c/d" })
            for (var i = 0; i < 20; i++) TempTree.Write(t.Path1, $"{d}/f{i}.txt", $"{d} {i}", T1);
        var side2 = new NamedStorage(new LocalStorage(t.Path2));

        var (code, _) = await EngineRun.RunAsync(t, resync: true, opener: new Opener(t.Path2, side2));
        Assert.Equal(0, code);
        Assert.Equal(TempTree.SnapshotWithTimes(t.Path1), TempTree.SnapshotWithTimes(t.Path2));
        Assert.Equal(15, side2.Listings);   // each folder 5 times: 20 files, one listing to --transfers (4) files
        // One look per file is left, the last one before the copy takes its name (without the
        // listings: two, a stat before the copy and that one).
        Assert.True(side2.Stats <= 60, $"{side2.Stats} stats for 60 files");
    }

    [Fact]
    public async Task A_file_that_appears_before_its_folder_is_listed_is_not_overwritten()
    {
        using var t = new TempTree();
        for (var i = 0; i < 5; i++) TempTree.Write(t.Path1, $"d/f{i}.txt", $"from Path1 {i}", T1);
        var side2 = new NamedStorage(new LocalStorage(t.Path2))
        {
            BeforeFirstListing = () => TempTree.Write(t.Path2, "d/f3.txt", "a user's file", T1.AddDays(1)),
        };

        var (_, log) = await EngineRun.RunAsync(t, resync: true, opener: new Opener(t.Path2, side2));
        Assert.Contains(log, l => l.Contains("f3.txt: Not copied: the destination appeared since it was listed"));
        Assert.Equal("a user's file", File.ReadAllText(Path.Combine(t.Path2, "d", "f3.txt")));
        Assert.Equal("from Path1 2", File.ReadAllText(Path.Combine(t.Path2, "d", "f2.txt")));
    }
}
