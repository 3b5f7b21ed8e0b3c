using Bisync.Engine;
using Bisync.Logging;
using Bisync.Storage;
using Bisync.Storage.Local;
using Bisync.Tests.Support;

namespace Bisync.UnitTests.Engine;

/// <summary>
/// Whatever a listing says, nothing outside PATH1 and PATH2 is written or deleted: a listing line
/// whose path is absolute or holds ".", ".." or empty segments (or a NUL) is a format error that
/// names the file and line, ends the run as critical, and is never acted on.
/// </summary>
public class PathSafetyTests
{
    [Theory]
    [InlineData("../victim.txt")]
    [InlineData("../../victim.txt")]
    [InlineData("sub/../../victim.txt")]
    [InlineData("/etc/victim.txt")]
    [InlineData("./victim.txt")]
    [InlineData("sub/./victim.txt")]
    [InlineData("sub//victim.txt")]
    [InlineData("sub/")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("")]
    [InlineData("a\\x00b")]
    public async Task A_listing_line_that_leaves_the_root_is_a_critical_format_error(string quotedPath)
    {
        foreach (var side in new[] { "path1", "path2" })
        {
            using var t = new TempTree();
            for (var i = 0; i < 4; i++) t.WriteBoth($"f{i}.txt", $"file {i}");
            // Canaries beside and above the roots: none may change.
            File.WriteAllText(Path.Combine(t.Root, "victim.txt"), "outside");
            Directory.CreateDirectory(Path.Combine(t.Path1, "sub"));
            Directory.CreateDirectory(Path.Combine(t.Path2, "sub"));
            var outside = Outside(t);
            Assert.Equal(0, (await EngineRun.RunAsync(t, resync: true)).Code);

            var lst = Directory.GetFiles(t.Workdir, $"*.{side}.lst").Single();
            var lines = File.ReadAllLines(lst).ToList();
            lines.Insert(1, $"-        7 - - 2000-01-01T00:00:00.000000000+0000 \"{quotedPath}\"");
            File.WriteAllLines(lst, lines);

            var (code, log) = await EngineRun.RunAsync(t);
            Assert.Equal(2, code);
            Assert.Contains(log, l => l.Contains($"{lst}:2: invalid listing line: unsafe path"));
            Assert.Equal(outside, Outside(t));
            Assert.Equal("outside", File.ReadAllText(Path.Combine(t.Root, "victim.txt")));
            Assert.Equal(4, Directory.GetFiles(t.Path1).Length);
            Assert.Equal(4, Directory.GetFiles(t.Path2).Length);
        }
    }

    [Theory]
    [InlineData("../x.txt")]
    [InlineData("a/../../x.txt")]
    [InlineData("/x.txt")]
    [InlineData("a//x.txt")]
    public async Task The_local_backend_refuses_any_path_that_leaves_its_root(string path)
    {
        using var t = new TempTree();
        var s = new LocalStorage(t.Path1);
        var before = Outside(t);
        await Assert.ThrowsAnyAsync<IOException>(() => s.PutAsync(path, new MemoryStream([1, 2, 3]), 3, 0, CancellationToken.None));
        await Assert.ThrowsAnyAsync<IOException>(() => s.DeleteAsync(path, CancellationToken.None));
        await Assert.ThrowsAnyAsync<IOException>(() => s.MkdirAsync(path, CancellationToken.None));
        Assert.Equal(before, Outside(t));
    }

    [Theory]
    [InlineData("a", true)]
    [InlineData("a/b/c.txt", true)]
    [InlineData("..a/b..", true)]
    [InlineData(".hidden/...", true)]
    [InlineData("", true)]
    [InlineData("a/..", false)]
    [InlineData("../a", false)]
    [InlineData("a/./b", false)]
    [InlineData("a//b", false)]
    [InlineData("/a", false)]
    [InlineData("a/", false)]
    [InlineData("a\0b", false)]
    public void SafePath_rule(string path, bool safe)
    {
        Assert.Equal(safe, SafePath.IsSafe(path));
        Assert.Equal(safe, SafePath.IsSafe(System.Text.Encoding.UTF8.GetBytes(path)));
    }

    /// <summary>Every file under the temporary tree's root that is not inside PATH1 or PATH2, with its content.</summary>
    private static SortedDictionary<string, string> Outside(TempTree t)
    {
        var all = TempTree.Snapshot(t.Root);
        foreach (var k in all.Keys.Where(k => k.StartsWith("path1/", StringComparison.Ordinal) || k.StartsWith("path2/", StringComparison.Ordinal)
                                               || k.StartsWith("workdir/", StringComparison.Ordinal)).ToList())
            all.Remove(k);
        return all;
    }
}
