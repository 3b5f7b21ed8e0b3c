using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Bisync.Engine;
using Bisync.Storage;
using Bisync.Storage.Local;
using Bisync.Tests.Support;

namespace Bisync.UnitTests.Engine;

/// <summary>
/// A run that compares no times lets a backend list without the times that cost it a request per
/// file (S3 keeps a file's time in metadata, read with one HEAD per object): entries then carry
/// <see cref="StorageEntry.NoTime"/> and their checksum. The re-checks must then tell versions apart
/// by checksum, and a copy must still carry the file's own time.
/// </summary>
public class UntimedListingTests
{
    private static readonly DateTime T1 = new(2001, 1, 2, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime T2 = new(2001, 3, 4, 0, 0, 0, DateTimeKind.Utc);

    private static string Md5(string path) => "md5:" + Convert.ToHexStringLower(MD5.HashData(File.ReadAllBytes(path)));

    /// <summary>
    /// Local storage seen as S3 is: one flat listing that, when told times are not needed, gives each file
    /// its MD5 and no time, and a stat that gives both (a HEAD). Records what each listing was asked for,
    /// and runs <see cref="OnFirstStat"/> the first time <see cref="Path"/> is stat'ed.
    /// </summary>
    private sealed class MetadataTimes(LocalStorage inner, string root) : DelegatingStorage(inner), IRecursiveLister
    {
        public readonly List<bool> Asked = [];
        public string? Path;
        public Action? OnFirstStat;

        public async IAsyncEnumerable<StorageEntry> ListRecursiveAsync(bool modTimes, [EnumeratorCancellation] CancellationToken ct)
        {
            lock (Asked) Asked.Add(modTimes);
            var pending = new Stack<string>([""]);
            while (pending.Count > 0)
            {
                foreach (var e in Inner.ListDirectory(pending.Pop()))
                {
                    if (e.IsDir) pending.Push(e.Path);
                    else yield return modTimes ? e : e with { ModTime = StorageEntry.NoTime, Hash = Md5(System.IO.Path.Combine(root, e.Path)) };
                }
            }
            await Task.CompletedTask;
        }

        public override IAsyncEnumerable<StorageEntry> ListAsync(string dir, CancellationToken ct) => throw new NotSupportedException();

        public override async Task<StorageEntry?> StatAsync(string path, CancellationToken ct)
        {
            if (path == Path && Interlocked.Exchange(ref OnFirstStat, null) is { } edit) edit();
            return await base.StatAsync(path, ct) is { IsDir: false } e ? e with { Hash = Md5(System.IO.Path.Combine(root, path)) } : null;
        }
    }

    private sealed class Opener(MetadataTimes side2, string path2) : IStorageOpener
    {
        public Task<IStorage> OpenAsync(string path, CancellationToken ct) =>
            Task.FromResult<IStorage>(path == path2 ? side2 : new LocalStorage(path));
    }

    private static BisyncOptions SizeAndChecksum => new() { Path1 = "", Path2 = "", Compat = Compat.V1_75, Compare = CompareBy.Size | CompareBy.Checksum };

    private static async Task<(TempTree Tree, MetadataTimes Side2, Opener Opener)> InSyncAsync(BisyncOptions options)
    {
        var t = new TempTree();
        for (var i = 0; i < 5; i++) t.WriteBoth($"keep{i}.txt", $"keep {i}", T1);
        t.WriteBoth("file.txt", "original", T1);
        var side2 = new MetadataTimes(new LocalStorage(t.Path2), t.Path2);
        var opener = new Opener(side2, t.Path2);
        var (code, log) = await EngineRun.RunAsync(t, resync: true, opener: opener, options: options);
        Assert.True(code == 0, string.Join("\n", log));
        return (t, side2, opener);
    }

    [Fact]
    public async Task Only_a_run_that_compares_no_times_lists_without_them()
    {
        var (t, side2, opener) = await InSyncAsync(SizeAndChecksum);
        using (t)
        {
            Assert.Equal(0, (await EngineRun.RunAsync(t, opener: opener, options: SizeAndChecksum)).Code);
            Assert.All(side2.Asked, Assert.False);
            side2.Asked.Clear();
            // Times needed: compared (the default), or to pick a newer winner.
            Assert.Equal(0, (await EngineRun.RunAsync(t, opener: opener, options: SizeAndChecksum with { Compare = null })).Code);
            Assert.Equal(0, (await EngineRun.RunAsync(t, opener: opener, options: SizeAndChecksum with { ConflictResolve = ConflictResolve.Newer })).Code);
            Assert.Equal([true, true], side2.Asked);
        }
    }

    [Fact]
    public async Task A_file_copied_from_a_side_listed_without_times_keeps_its_own_time()
    {
        var (t, _, opener) = await InSyncAsync(SizeAndChecksum);
        using (t)
        {
            TempTree.Write(t.Path2, "new.txt", "new on Path2", T2);
            TempTree.Write(t.Path2, "file.txt", "changed on Path2", T2);
            TempTree.Write(t.Path1, "keep1.txt", "changed on Path1", T2); // overwrites a file listed without a time
            var (code, log) = await EngineRun.RunAsync(t, opener: opener, options: SizeAndChecksum);
            Assert.True(code == 0, string.Join("\n", log));
            Assert.Equal("new on Path2", File.ReadAllText(Path.Combine(t.Path1, "new.txt")));
            Assert.Equal("changed on Path2", File.ReadAllText(Path.Combine(t.Path1, "file.txt")));
            Assert.Equal(T2, File.GetLastWriteTimeUtc(Path.Combine(t.Path1, "new.txt")));
            Assert.Equal(T2, File.GetLastWriteTimeUtc(Path.Combine(t.Path1, "file.txt")));
            Assert.Equal("changed on Path1", File.ReadAllText(Path.Combine(t.Path2, "keep1.txt")));
            Assert.Equal(TempTree.SnapshotWithTimes(t.Path1), TempTree.SnapshotWithTimes(t.Path2));
        }
    }

    [Fact]
    public async Task A_same_size_edit_just_before_a_delete_is_caught_by_its_checksum()
    {
        var (t, side2, opener) = await InSyncAsync(SizeAndChecksum);
        using (t)
        {
            File.Delete(Path.Combine(t.Path1, "file.txt"));  // deleted on Path1: the plan deletes it on Path2
            File.Delete(Path.Combine(t.Path1, "keep0.txt")); // the same, left alone meanwhile: deleted
            side2.Path = "file.txt";
            // Same size and, to the second, the same time as listed: only the checksum tells them apart.
            side2.OnFirstStat = () => TempTree.Write(t.Path2, "file.txt", "ORIGINAL", T1);
            var (code, log) = await EngineRun.RunAsync(t, opener: opener, options: SizeAndChecksum);
            Assert.Equal(0, code);
            Assert.Contains(log, l => l.Contains("file.txt: Not deleted: it changed since it was listed"));
            Assert.Equal("ORIGINAL", File.ReadAllText(Path.Combine(t.Path2, "file.txt")));
            Assert.False(File.Exists(Path.Combine(t.Path2, "keep0.txt")));

            // The next run sees the edit against the deletion: the edit comes back to Path1.
            Assert.Equal(0, (await EngineRun.RunAsync(t, opener: opener, options: SizeAndChecksum)).Code);
            Assert.Equal("ORIGINAL", File.ReadAllText(Path.Combine(t.Path1, "file.txt")));
        }
    }

    [Theory]
    [InlineData(100L, "md5:aa", 100L, "md5:aa", true)]                  // both timed: times decide, hashes aside
    [InlineData(100L, "md5:aa", 100L, "md5:bb", true)]
    [InlineData(100L, null, 200L, null, false)]
    [InlineData(StorageEntry.NoTime, "md5:aa", 100L, "md5:aa", true)]   // listed without a time: the checksum decides
    [InlineData(StorageEntry.NoTime, "md5:aa", 100L, "md5:bb", false)]
    [InlineData(StorageEntry.NoTime, "md5:aa", 100L, null, false)]      // and without one to compare, it counts as changed
    [InlineData(StorageEntry.NoTime, "md5:aa", 100L, "-", false)]
    public void Same_as_listed(long listedTime, string? listedHash, long nowTime, string? nowHash, bool same) =>
        Assert.Equal(same, Transfers.SameAsListed(new StorageEntry("f", 3, nowTime, false, nowHash), new StorageEntry("f", 3, listedTime, false, listedHash)));
}
