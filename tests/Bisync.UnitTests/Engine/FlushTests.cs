using Bisync.Engine;
using Bisync.Storage;
using Bisync.Storage.Local;
using Bisync.Tests.Support;

namespace Bisync.UnitTests.Engine;

/// <summary>
/// Before the listings say a run's changes happened, they are made durable: a few changed paths by
/// an fsync each (and of the folders above them), many by one syncfs of the file system.
/// </summary>
public class FlushTests
{
    /// <summary>Local storage that records what it was asked to flush.</summary>
    private sealed class Recording(LocalStorage inner) : DelegatingStorage(inner), IFileFlusher
    {
        public readonly List<string[]> Asked = [];
        public bool Flush(IEnumerable<string> paths)
        {
            var list = paths.ToArray();
            lock (Asked) Asked.Add(list);
            return Inner.Flush(list);
        }
    }

    private sealed class Opener(Recording side2, string path2) : IStorageOpener
    {
        public Task<IStorage> OpenAsync(string path, CancellationToken ct) =>
            Task.FromResult<IStorage>(path == path2 ? side2 : new LocalStorage(path));
    }

    [Fact]
    public async Task A_few_changes_are_fsynced_one_by_one_and_many_by_one_syncfs()
    {
        using var t = new TempTree();
        for (var i = 0; i < 40; i++) t.WriteBoth($"d/f{i}.txt", $"file {i}");
        var side2 = new Recording(new LocalStorage(t.Path2));
        var opener = new Opener(side2, t.Path2);
        Assert.Equal(0, (await EngineRun.RunAsync(t, resync: true, opener: opener)).Code);
        side2.Asked.Clear();

        TempTree.Write(t.Path1, "new/deep/a.txt", "new on Path1", TempTree.BaseTime.AddDays(1));
        File.Delete(Path.Combine(t.Path1, "d", "f0.txt"));
        Assert.Equal(0, (await EngineRun.RunAsync(t, opener: opener)).Code);
        var asked = Assert.Single(side2.Asked);
        Assert.Equal(["d/f0.txt", "new/deep/a.txt"], asked.Order(StringComparer.Ordinal));

        // More than FsyncEachUpTo changes: not one by one.
        side2.Asked.Clear();
        for (var i = 1; i <= Run.FsyncEachUpTo + 1; i++) TempTree.Write(t.Path1, $"d/f{i}.txt", $"changed {i}", TempTree.BaseTime.AddDays(2));
        Assert.Equal(0, (await EngineRun.RunAsync(t, opener: opener)).Code);
        Assert.Empty(side2.Asked);
        Assert.Equal(TempTree.Snapshot(t.Path1), TempTree.Snapshot(t.Path2));
    }

    [Fact]
    public void Local_flush_takes_files_gone_and_there_and_refuses_what_it_cannot_open()
    {
        using var t = new TempTree();
        TempTree.Write(t.Path1, "a/b/c.txt", "here");
        var local = new LocalStorage(t.Path1);
        Assert.True(local.Flush(["a/b/c.txt", "a/b/gone.txt", "top-gone.txt"]));
        Assert.False(local.Flush(["a/b/c.txt/under-a-file.txt"])); // ENOTDIR: not a plain "gone"
        Assert.False(local.Flush(["missing-folder/x.txt"]));      // its folder must be there to be synced
    }
}
