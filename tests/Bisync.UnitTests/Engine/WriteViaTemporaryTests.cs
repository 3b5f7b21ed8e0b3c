using Bisync.Storage;
using Bisync.Storage.Local;

namespace Bisync.UnitTests.Engine;

/// <summary>
/// A local file written by someone else (rclone copying a remote file straight into the folder) is as
/// atomic as our own Put: it is written under a hidden temporary name the local backend hands out,
/// checked, given its time and then renamed over the real name; a failed or short write leaves nothing.
/// </summary>
public sealed class WriteViaTemporaryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bisync-wvt-").FullName;
    private const long Time = 1614834367_123456789L;

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private List<string> Names() =>
        Directory.EnumerateFiles(_dir, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(_dir, p)).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public async Task The_writer_fills_a_hidden_temporary_then_the_real_name_appears_whole()
    {
        var local = new LocalStorage(_dir);
        string? seen = null;
        var done = await local.WriteViaTemporaryAsync("a/b.txt", 3, Time, (temp, _) =>
        {
            seen = temp;
            // a sibling of the real name, in its folder (made for it), under a name the backend hides
            Assert.StartsWith("a/", temp);
            Assert.True(local.IsTemporaryName(Path.GetFileName(temp)), temp);
            File.WriteAllBytes(Path.Combine(_dir, temp), [1, 2, 3]);
            // while it is written, the real name does not exist
            Assert.False(File.Exists(Path.Combine(_dir, "a/b.txt")));
            return Task.CompletedTask;
        }, CancellationToken.None);
        Assert.True(done);
        Assert.NotNull(seen);
        Assert.Equal(["a/b.txt"], Names());
        Assert.Equal([1, 2, 3], File.ReadAllBytes(Path.Combine(_dir, "a/b.txt")));
        Assert.Equal(Time, local.Stat("a/b.txt")!.Value.ModTime);
    }

    [Fact]
    public async Task A_guard_that_says_no_leaves_the_old_file_and_no_temporary()
    {
        File.WriteAllText(Path.Combine(_dir, "g.txt"), "saved by the user meanwhile");
        var local = new LocalStorage(_dir);
        bool asked = false;
        await Assert.ThrowsAsync<CommitRefusedException>(() => local.WriteViaTemporaryAsync("g.txt", 3, Time, (temp, _) =>
        {
            File.WriteAllBytes(Path.Combine(_dir, temp), [1, 2, 3]);
            return Task.CompletedTask;
        }, CancellationToken.None, _ => { asked = true; return Task.FromResult(false); }));
        Assert.True(asked);
        Assert.Equal(["g.txt"], Names());
        Assert.Equal("saved by the user meanwhile", File.ReadAllText(Path.Combine(_dir, "g.txt")));
    }

    [Fact]
    public async Task A_short_write_is_refused_and_the_old_file_stays()
    {
        File.WriteAllText(Path.Combine(_dir, "c.txt"), "old");
        var local = new LocalStorage(_dir);
        var e = await Assert.ThrowsAsync<IOException>(() => local.WriteViaTemporaryAsync("c.txt", 10, Time, (temp, _) =>
        {
            File.WriteAllBytes(Path.Combine(_dir, temp), [1, 2, 3]);
            return Task.CompletedTask;
        }, CancellationToken.None));
        Assert.Contains("expected 10 bytes, got 3", e.Message);
        Assert.Equal(["c.txt"], Names());
        Assert.Equal("old", File.ReadAllText(Path.Combine(_dir, "c.txt")));
    }

    [Fact]
    public async Task A_failing_writer_leaves_no_temporary()
    {
        var local = new LocalStorage(_dir);
        await Assert.ThrowsAsync<FileNotFoundException>(() => local.WriteViaTemporaryAsync("d.txt", 1, Time, (temp, _) =>
        {
            File.WriteAllBytes(Path.Combine(_dir, temp), [1]);
            throw new FileNotFoundException("source gone");
        }, CancellationToken.None));
        Assert.Empty(Names());
    }

    [Fact]
    public async Task Links_stored_as_files_are_left_to_the_streamed_copy()
    {
        var local = new LocalStorage(_dir) { Links = LinkMode.Translate };
        var called = false;
        var done = await local.WriteViaTemporaryAsync("l" + LocalStorage.LinkSuffix, 1, Time, (_, _) =>
        {
            called = true;
            return Task.CompletedTask;
        }, CancellationToken.None);
        Assert.False(done);
        Assert.False(called);
    }
}
