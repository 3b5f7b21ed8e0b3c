using Bisync.Engine;
using Bisync.Tests.Support;

namespace Bisync.UnitTests.Engine;

/// <summary>
/// Every --resync-mode × a file on Path1 only, on Path2 only, on both the same, or on both but
/// different (newer/larger one way or the other, or tied in the mode's measure), on local folders.
/// A file on one side only always reaches the other; where both differ the mode's winner is on
/// both sides afterwards (a resync overwrites its loser, as in rclone), with a tie going to Path2.
/// </summary>
public class ResyncModeTests
{
    private static readonly DateTime Early = new(2001, 1, 2, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Late = new(2001, 3, 4, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>One file's state before the resync: null content = absent on that side.</summary>
    public sealed record Presence(string Name, string? Content1, DateTime Time1, string? Content2, DateTime Time2)
    {
        public override string ToString() => Name;
    }

    public static readonly Presence[] Presences =
    [
        new("path1 only", "only on path1", Early, null, default),
        new("path2 only", null, default, "only on path2", Early),
        new("both, identical", "the same", Early, "the same", Early),
        new("both, path1 newer and larger", "path1 version, longer", Late, "path2 version", Early),
        new("both, path2 newer and larger", "path1 version", Early, "path2 version, longer", Late),
        new("both, same time, path1 larger", "path1 version, longer", Late, "path2 version", Late),
        new("both, same size, path1 newer", "path1 version", Late, "path2 VERSION", Early),
    ];

    /// <summary>The side whose version both hold afterwards, by the documented rule.</summary>
    private static int Winner(ResyncMode m, Presence p)
    {
        if (p.Content2 is null) return 1;
        if (p.Content1 is null) return 2;
        if (p.Content1 == p.Content2 && p.Time1 == p.Time2) return 1; // nothing differs: either
        int ByTime(bool newer) => p.Time1 == p.Time2 ? 2 : (p.Time1 > p.Time2) == newer ? 1 : 2;
        int BySize(bool larger) => p.Content1.Length == p.Content2.Length ? 2 : (p.Content1.Length > p.Content2.Length) == larger ? 1 : 2;
        return m switch
        {
            ResyncMode.Path2 => 2,
            ResyncMode.Newer => ByTime(true),
            ResyncMode.Older => ByTime(false),
            ResyncMode.Larger => BySize(true),
            ResyncMode.Smaller => BySize(false),
            _ => 1,
        };
    }

    public static TheoryData<Compat, ResyncMode, Presence> Matrix()
    {
        var data = new TheoryData<Compat, ResyncMode, Presence>();
        foreach (var compat in Enum.GetValues<Compat>())
            foreach (var mode in Enum.GetValues<ResyncMode>())
                foreach (var p in Presences)
                    data.Add(compat, mode, p);
        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Each_mode_keeps_the_documented_version_and_every_one_sided_file(Compat compat, ResyncMode mode, Presence p)
    {
        using var t = new TempTree();
        t.WriteBoth("keep.txt", "in sync");
        if (p.Content1 is not null) TempTree.Write(t.Path1, "file.txt", p.Content1, p.Time1);
        if (p.Content2 is not null) TempTree.Write(t.Path2, "file.txt", p.Content2, p.Time2);

        // --resync-mode alone is a resync (mode none: --resync itself).
        var (code, log) = await ConflictPolicyTests.RunAsync(t, o => o with { Compat = compat, ResyncMode = mode, Resync = mode == ResyncMode.None });
        Assert.Equal(0, code);

        var winner = Winner(mode, p);
        var content = winner == 1 ? p.Content1 : p.Content2;
        var time = winner == 1 ? p.Time1 : p.Time2;
        var expected = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["keep.txt"] = "in sync", ["file.txt"] = content! };
        Assert.Equal(expected, TempTree.Snapshot(t.Path1));
        Assert.Equal(expected, TempTree.Snapshot(t.Path2));
        Assert.Equal(time, File.GetLastWriteTimeUtc(Path.Combine(t.Path1, "file.txt")));
        Assert.Equal(time, File.GetLastWriteTimeUtc(Path.Combine(t.Path2, "file.txt")));
        Assert.DoesNotContain(log, l => l.StartsWith("ERROR"));

        // The pair is in sync: a normal run after it finds nothing to do.
        var (again, log2) = await ConflictPolicyTests.RunAsync(t, o => o with { Compat = compat });
        Assert.Equal(0, again);
        Assert.Contains(log2, l => l.EndsWith("No changes found"));
    }

    [Fact]
    public async Task A_path1_version_edited_during_the_resync_is_not_overwritten_by_a_path2_winner()
    {
        using var t = new TempTree();
        t.WriteBoth("keep.txt", "in sync");
        TempTree.Write(t.Path1, "file.txt", "path1 version", Early);
        TempTree.Write(t.Path2, "file.txt", "path2 version", Late);
        var side1 = new EditingStorage(new Bisync.Storage.Local.LocalStorage(t.Path1)) { Path = "file.txt" };
        side1.OnFirstStat = () => TempTree.Write(t.Path1, "file.txt", "edited during the run", Late.AddDays(1));

        var (code, log) = await ConflictPolicyTests.RunAsync(t, o => o with { ResyncMode = ResyncMode.Path2 }, new EditingOpener(t.Path1, side1));

        Assert.NotEqual(0, code); // the resync did not complete: a Path2 file did not reach Path1
        Assert.Equal("edited during the run", File.ReadAllText(Path.Combine(t.Path1, "file.txt")));
        Assert.Equal("path2 version", File.ReadAllText(Path.Combine(t.Path2, "file.txt")));
        Assert.Contains(log, l => l.Contains("file.txt: Not copied: the destination changed"));
    }

    [Fact]
    public async Task Size_and_age_modes_say_which_side_is_larger_or_older_as_rclone_does()
    {
        using var t = new TempTree();
        TempTree.Write(t.Path1, "file1.txt", new string('a', 33), new DateTime(2003, 9, 4, 0, 0, 0, DateTimeKind.Utc));
        TempTree.Write(t.Path2, "file1.txt", new string('b', 42), new DateTime(2003, 7, 23, 0, 0, 0, DateTimeKind.Utc));
        var (code, log) = await ConflictPolicyTests.RunAsync(t, o => o with { ResyncMode = ResyncMode.Older, Compat = Compat.V1_75 });
        Assert.Equal(0, code);
        Assert.Equal(
        [
            "INFO  : Copying Path2 files to Path1",
            "INFO  : " + Messages.Row("Path2", "Resync is copying files to", "Path1"),
            "INFO  : file1.txt: Path2 is older. Path1: 2003-09-04 00:00:00 +0000 UTC, Path2: 2003-07-23 00:00:00 +0000 UTC, Difference: 1032h0m0s",
            "INFO  : " + Messages.Row("Path1", "Resync is copying files to", "Path2"),
        ], log.Where(l => l.Contains("Copying") || l.Contains("Resync is") || l.Contains(" is older")).ToList());
        Assert.Equal(new string('b', 42), File.ReadAllText(Path.Combine(t.Path1, "file1.txt")));
    }
}

/// <summary>Local storage that runs <see cref="OnFirstStat"/> once, the first time <see cref="Path"/> is stat'ed after the listing.</summary>
internal sealed class EditingStorage(Bisync.Storage.Local.LocalStorage inner) : DelegatingStorage(inner)
{
    public string? Path;
    public Action? OnFirstStat;

    public override Task<Bisync.Storage.StorageEntry?> StatAsync(string path, CancellationToken ct)
    {
        if (path == Path && OnFirstStat is { } edit)
        {
            OnFirstStat = null;
            edit();
        }
        return base.StatAsync(path, ct);
    }
}

internal sealed class EditingOpener(string root, EditingStorage storage) : Bisync.Storage.IStorageOpener
{
    public Task<Bisync.Storage.IStorage> OpenAsync(string path, CancellationToken ct) =>
        Task.FromResult<Bisync.Storage.IStorage>(path == root ? storage : new Bisync.Storage.Local.LocalStorage(path));
}
