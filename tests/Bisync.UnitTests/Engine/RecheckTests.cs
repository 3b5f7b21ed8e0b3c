using Bisync.Engine;
using Bisync.Logging;
using Bisync.Storage;
using Bisync.Storage.Local;
using Bisync.Tests.Support;

namespace Bisync.UnitTests.Engine;

/// <summary>
/// The apply stage's re-check: a file about to be overwritten or deleted must still be the one
/// this run listed. A user who edits a file during a run never loses that edit; the next run
/// picks it up. "During the run" is made exact by a storage that edits the file the moment the
/// engine first looks at it after the listing.
/// </summary>
public class RecheckTests
{
    private static readonly DateTime T1 = new(2001, 1, 2, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime T2 = new(2001, 3, 4, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>
    /// Local storage that runs <see cref="OnFirstStat"/> once, the first time a path is stat'ed (after
    /// <see cref="StatsBeforeEdit"/> looks), and
    /// <see cref="WhileRead"/> once, half-way through the first read of that path (a copy under way).
    /// </summary>
    private sealed class EditingStorage(LocalStorage inner) : DelegatingStorage(inner)
    {
        public string? Path;
        public Action? OnFirstStat;
        public Action? WhileRead;
        public int StatsBeforeEdit;

        public override async Task<Stream> OpenReadAsync(string path, CancellationToken ct)
        {
            var stream = await base.OpenReadAsync(path, ct);
            if (path != Path || WhileRead is not { } edit) return stream;
            WhileRead = null;
            var bytes = new MemoryStream();
            await using (stream) await stream.CopyToAsync(bytes, ct);
            return new EditingStream(bytes.ToArray(), edit);
        }

        public override Task<StorageEntry?> StatAsync(string path, CancellationToken ct)
        {
            if (path == Path && OnFirstStat is { } edit && StatsBeforeEdit-- <= 0)
            {
                OnFirstStat = null;
                edit();
            }
            return base.StatAsync(path, ct);
        }
    }

    /// <summary>Hands out its bytes one at a time and runs an edit after the first: a copy that takes a while.</summary>
    private sealed class EditingStream(byte[] data, Action edit) : MemoryStream(data)
    {
        private Action? _edit = edit;

        public override int Read(byte[] buffer, int offset, int count) => Step(base.Read(buffer, offset, Math.Min(count, 1)));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) =>
            ValueTask.FromResult(Step(base.Read(buffer.Span[..Math.Min(buffer.Length, 1)])));

        private int Step(int n)
        {
            if (n > 0 && Interlocked.Exchange(ref _edit, null) is { } e) e();
            return n;
        }
    }

    private sealed class Opener(Dictionary<string, EditingStorage> byRoot) : IStorageOpener
    {
        public Task<IStorage> OpenAsync(string path, CancellationToken ct) =>
            Task.FromResult<IStorage>(byRoot.TryGetValue(path, out var s) ? s : new LocalStorage(path));
    }

    private static async Task<TempTree> InSyncAsync()
    {
        var t = new TempTree();
        for (var i = 0; i < 10; i++) t.WriteBoth($"keep{i}.txt", $"keep {i}");
        t.WriteBoth("file.txt", "original");
        Assert.Equal(0, (await EngineRun.RunAsync(t, resync: true)).Code);
        return t;
    }

    [Fact]
    public async Task A_file_edited_just_before_its_delete_is_kept_and_synced_by_the_next_run()
    {
        using var t = await InSyncAsync();
        File.Delete(Path.Combine(t.Path2, "file.txt"));              // deleted on Path2: the plan deletes it on Path1
        var side1 = new EditingStorage(new LocalStorage(t.Path1)) { Path = "file.txt" };
        side1.OnFirstStat = () => TempTree.Write(t.Path1, "file.txt", "edited during the run", T2);

        var (code, log) = await EngineRun.RunAsync(t, opener: new Opener(new() { [t.Path1] = side1 }));
        Assert.Equal(0, code);
        Assert.Contains(log, l => l.Contains("file.txt: Not deleted: it changed since it was listed"));
        Assert.Equal("edited during the run", File.ReadAllText(Path.Combine(t.Path1, "file.txt")));

        // The next run sees the edit against the deletion: the edit wins, on both sides.
        Assert.Equal(0, (await EngineRun.RunAsync(t)).Code);
        Assert.Equal("edited during the run", File.ReadAllText(Path.Combine(t.Path2, "file.txt")));
        Assert.Equal(TempTree.SnapshotWithTimes(t.Path1), TempTree.SnapshotWithTimes(t.Path2));
    }

    [Fact]
    public async Task A_destination_edited_just_before_it_is_overwritten_keeps_both_versions()
    {
        using var t = await InSyncAsync();
        TempTree.Write(t.Path1, "file.txt", "newer on Path1", T1);   // the plan copies Path1 -> Path2
        var side2 = new EditingStorage(new LocalStorage(t.Path2)) { Path = "file.txt" };
        side2.OnFirstStat = () => TempTree.Write(t.Path2, "file.txt", "edited on Path2 during the run", T2);

        var (code, log) = await EngineRun.RunAsync(t, opener: new Opener(new() { [t.Path2] = side2 }));
        Assert.Equal(0, code);
        Assert.Contains(log, l => l.Contains("file.txt: Not copied: the destination changed"));
        Assert.Equal("edited on Path2 during the run", File.ReadAllText(Path.Combine(t.Path2, "file.txt")));
        Assert.Equal("newer on Path1", File.ReadAllText(Path.Combine(t.Path1, "file.txt")));

        // The next run finds both changed: both versions end up on both sides.
        Assert.Equal(0, (await EngineRun.RunAsync(t)).Code);
        foreach (var root in new[] { t.Path1, t.Path2 })
        {
            Assert.Equal("newer on Path1", File.ReadAllText(Path.Combine(root, "file.txt..path1")));
            Assert.Equal("edited on Path2 during the run", File.ReadAllText(Path.Combine(root, "file.txt..path2")));
        }
    }

    [Fact]
    public async Task A_file_that_appears_where_a_new_file_is_copied_is_not_overwritten()
    {
        using var t = await InSyncAsync();
        TempTree.Write(t.Path1, "new.txt", "new on Path1", T1);
        var side2 = new EditingStorage(new LocalStorage(t.Path2)) { Path = "new.txt" };
        side2.OnFirstStat = () => TempTree.Write(t.Path2, "new.txt", "made on Path2 during the run", T2);

        var (code, log) = await EngineRun.RunAsync(t, opener: new Opener(new() { [t.Path2] = side2 }));
        Assert.Equal(0, code);
        Assert.Contains(log, l => l.Contains("new.txt: Not copied: the destination appeared"));
        Assert.Equal("made on Path2 during the run", File.ReadAllText(Path.Combine(t.Path2, "new.txt")));

        Assert.Equal(0, (await EngineRun.RunAsync(t)).Code);
        foreach (var root in new[] { t.Path1, t.Path2 })
        {
            Assert.Equal("new on Path1", File.ReadAllText(Path.Combine(root, "new.txt..path1")));
            Assert.Equal("made on Path2 during the run", File.ReadAllText(Path.Combine(root, "new.txt..path2")));
        }
    }

    [Fact]
    public async Task A_delete_of_a_file_the_side_never_listed_is_refused()
    {
        using var t = await InSyncAsync();
        // A damaged Path2 listing names ghost.txt, which Path2 does not hold: "deleted on Path2".
        var lst2 = Directory.GetFiles(t.Workdir, "*.path2.lst").Single();
        File.AppendAllText(lst2, "-        5 - - 2000-01-01T00:00:00.000000000+0000 \"ghost.txt\"\n");
        // ghost.txt appears on Path1 only after Path1 was listed.
        var side1 = new EditingStorage(new LocalStorage(t.Path1)) { Path = "ghost.txt" };
        side1.OnFirstStat = () => TempTree.Write(t.Path1, "ghost.txt", "a user's file", T2);

        var (code, log) = await EngineRun.RunAsync(t, opener: new Opener(new() { [t.Path1] = side1 }));
        Assert.Equal(0, code);
        Assert.Contains(log, l => l.Contains("ghost.txt: Not deleted: it is not in this run's listing of the side"));
        Assert.Equal("a user's file", File.ReadAllText(Path.Combine(t.Path1, "ghost.txt")));
    }

    [Fact]
    public async Task A_destination_saved_while_a_copy_is_under_way_is_not_overwritten()
    {
        using var t = await InSyncAsync();
        TempTree.Write(t.Path1, "file.txt", "newer on Path1", T1);   // the plan copies Path1 -> Path2
        var side1 = new EditingStorage(new LocalStorage(t.Path1)) { Path = "file.txt" };
        side1.WhileRead = () => TempTree.Write(t.Path2, "file.txt", "saved on Path2 during the copy", T2);

        var (code, log) = await EngineRun.RunAsync(t, opener: new Opener(new() { [t.Path1] = side1 }));
        Assert.Equal(0, code);
        Assert.Contains(log, l => l.Contains("file.txt: Not copied: the destination changed during the copy"));
        Assert.Equal("saved on Path2 during the copy", File.ReadAllText(Path.Combine(t.Path2, "file.txt")));
        Assert.DoesNotContain(Directory.GetFiles(t.Path2, "*", SearchOption.AllDirectories), f => f.EndsWith(".partial"));

        Assert.Equal(0, (await EngineRun.RunAsync(t)).Code);
        foreach (var root in new[] { t.Path1, t.Path2 })
        {
            Assert.Equal("newer on Path1", File.ReadAllText(Path.Combine(root, "file.txt..path1")));
            Assert.Equal("saved on Path2 during the copy", File.ReadAllText(Path.Combine(root, "file.txt..path2")));
        }
    }

    [Fact]
    public async Task A_source_rewritten_while_it_is_copied_is_not_put_in_place()
    {
        using var t = await InSyncAsync();
        TempTree.Write(t.Path1, "file.txt", "newer on Path1", T1);
        var side1 = new EditingStorage(new LocalStorage(t.Path1)) { Path = "file.txt" };
        side1.WhileRead = () => TempTree.Write(t.Path1, "file.txt", "rewritten on Path1 during the copy, longer", T2);

        var (code, log) = await EngineRun.RunAsync(t, opener: new Opener(new() { [t.Path1] = side1 }));
        Assert.Equal(0, code);
        Assert.Contains(log, l => l.Contains("file.txt: Not copied: the source changed during the copy"));
        Assert.Equal("original", File.ReadAllText(Path.Combine(t.Path2, "file.txt")));

        Assert.Equal(0, (await EngineRun.RunAsync(t)).Code);
        Assert.Equal("rewritten on Path1 during the copy, longer", File.ReadAllText(Path.Combine(t.Path2, "file.txt")));
        Assert.Equal(TempTree.SnapshotWithTimes(t.Path1), TempTree.SnapshotWithTimes(t.Path2));
    }

    [Fact]
    public async Task A_conflict_whose_file_is_deleted_during_the_run_is_left_for_the_next_run()
    {
        using var t = await InSyncAsync();
        TempTree.Write(t.Path1, "file.txt", "changed on Path1", T1);
        TempTree.Write(t.Path2, "file.txt", "changed on Path2", T2);
        var side2 = new EditingStorage(new LocalStorage(t.Path2)) { Path = "file.txt" };
        side2.OnFirstStat = () => File.Delete(Path.Combine(t.Path2, "file.txt"));

        var (code, log) = await EngineRun.RunAsync(t, opener: new Opener(new() { [t.Path2] = side2 }));
        Assert.Equal(0, code);
        Assert.Contains(log, l => l.Contains("file.txt: Not renamed: it was deleted on"));
        Assert.Equal("changed on Path1", File.ReadAllText(Path.Combine(t.Path1, "file.txt")));

        // Next: changed on Path1 against deleted on Path2; the change survives, on both sides.
        Assert.Equal(0, (await EngineRun.RunAsync(t)).Code);
        Assert.Equal("changed on Path1", File.ReadAllText(Path.Combine(t.Path2, "file.txt")));
        Assert.Equal(TempTree.SnapshotWithTimes(t.Path1), TempTree.SnapshotWithTimes(t.Path2));
    }

    [Fact]
    public async Task A_file_saved_under_a_conflict_s_old_name_after_the_renames_is_news_for_the_next_run()
    {
        using var t = await InSyncAsync();
        TempTree.Write(t.Path1, "file.txt", "changed on Path1", T1);
        TempTree.Write(t.Path2, "file.txt", "changed on Path2", T2);
        // The conflict name is looked at twice: whether it is free (before the rename), then as the
        // source of its copy to Path1 (after it): by then file.txt is free again, and the user saves it.
        var side2 = new EditingStorage(new LocalStorage(t.Path2)) { Path = "file.txt..path2", StatsBeforeEdit = 1 };
        side2.OnFirstStat = () => TempTree.Write(t.Path2, "file.txt", "saved again on Path2", T2.AddDays(1));

        var (code, _) = await EngineRun.RunAsync(t, opener: new Opener(new() { [t.Path2] = side2 }));
        Assert.Equal(0, code);   // no "out of sync" critical error: the run records what it did, not what it finds later

        Assert.Equal(0, (await EngineRun.RunAsync(t)).Code);
        foreach (var root in new[] { t.Path1, t.Path2 })
        {
            Assert.Equal("changed on Path1", File.ReadAllText(Path.Combine(root, "file.txt..path1")));
            Assert.Equal("changed on Path2", File.ReadAllText(Path.Combine(root, "file.txt..path2")));
            Assert.Equal("saved again on Path2", File.ReadAllText(Path.Combine(root, "file.txt")));
        }
    }
}
