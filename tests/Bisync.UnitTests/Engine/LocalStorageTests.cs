using Bisync.Storage.Local;
using Bisync.Text;
using Bisync.Tests.Support;

namespace Bisync.UnitTests.Engine;

public class LocalStorageTests
{
    [Fact]
    public async Task An_interrupted_write_leaves_the_old_file_and_no_partial_file()
    {
        using var t = new TempTree();
        TempTree.Write(t.Path1, "dir/file.txt", "old content");
        var storage = new LocalStorage(t.Path1);
        await Assert.ThrowsAnyAsync<IOException>(() => storage.PutAsync("dir/file.txt", new OneWayStream(new byte[1_000_000], 100_000), 1_000_000, 0, CancellationToken.None));
        Assert.Equal("old content", File.ReadAllText(Path.Combine(t.Path1, "dir/file.txt")));
        Assert.Equal(["file.txt"], Directory.GetFiles(Path.Combine(t.Path1, "dir")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_short_write_is_an_error_not_a_file()
    {
        using var t = new TempTree();
        var storage = new LocalStorage(t.Path1);
        await Assert.ThrowsAsync<IOException>(() => storage.PutAsync("x.txt", new MemoryStream(new byte[10]), 20, 0, CancellationToken.None));
        Assert.Empty(Directory.GetFiles(t.Path1));
    }

    [Fact]
    public async Task Raw_byte_names_list_and_copy_exactly()
    {
        using var t = new TempTree();
        var src = new LocalStorage(t.Path1);
        var dst = new LocalStorage(t.Path2);
        var name = PathEncoding.FromFileSystem([(byte)'f', 0x19, (byte)'_', 0x81, 0xFE, (byte)'\n']);
        const long mtime = 978_393_600L * 1_000_000_000L + 123_456_789L;
        await src.PutAsync("sub/" + name, new MemoryStream("payload"u8.ToArray()), 7, mtime, CancellationToken.None);
        var listed = src.ListDirectory("sub").Single();
        Assert.Equal("sub/" + name, listed.Path);
        Assert.Equal(7, listed.Size);
        Assert.Equal(mtime, listed.ModTime);
        Assert.True(await dst.TryCopyFromAsync(src, listed.Path, listed.Path, listed.ModTime, CancellationToken.None));
        var copied = await dst.StatAsync(listed.Path, CancellationToken.None);
        Assert.NotNull(copied);
        Assert.Equal((7L, mtime), (copied.Value.Size, copied.Value.ModTime));
        Assert.Equal("\"f␙_\\x81\\xfe␊\"", GoQuote.Quote(name));
    }
}
