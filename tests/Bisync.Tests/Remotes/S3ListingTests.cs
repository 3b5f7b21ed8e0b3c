using Bisync.Storage;
using Xunit;

namespace Bisync.Tests.Remotes;

/// <summary>S3 listings come in pages (list_chunk, 1000 by default); both ListObjects versions must page through everything.</summary>
public class S3ListingTests : IDisposable
{
    private readonly string _dir = RemoteTestEnv.TempDir("s3list");
    private static readonly CancellationToken None = CancellationToken.None;

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Small_pages_still_list_every_file_and_directory(int listVersion)
    {
        var conf = RemoteTestEnv.WriteConfig(Path.Combine(_dir, "v" + listVersion), $"list_chunk = 2\nlist_version = {listVersion}");
        var root = $"s3t:{RemoteTestEnv.S3Bucket}/pages-{Guid.NewGuid():N}";
        await using var s = await RemoteTestEnv.Opener(conf).OpenAsync(root, None);
        var expectedFiles = new List<string>();
        for (int i = 0; i < 7; i++)
        {
            var name = $"f{i}.txt";
            expectedFiles.Add(name);
            await s.PutAsync(name, new MemoryStream([(byte)i]), 1, 1_000_000_000L * (i + 1), None);
        }
        foreach (var d in new[] { "a-dir", "m-dir", "z-dir" })
            await s.PutAsync(d + "/inner.txt", new MemoryStream([9]), 1, 0, None);

        var listed = new List<StorageEntry>();
        await foreach (var e in s.ListAsync("", None)) listed.Add(e);
        Assert.Equal(expectedFiles, listed.Where(e => !e.IsDir).Select(e => e.Path).Order(StringComparer.Ordinal));
        Assert.Equal(["a-dir", "m-dir", "z-dir"], listed.Where(e => e.IsDir).Select(e => e.Path).Order(StringComparer.Ordinal));
        Assert.All(listed.Where(e => !e.IsDir), e => Assert.Equal(1_000_000_000L * (int.Parse(e.Path[1..^4]) + 1), e.ModTime));
        Assert.True((await s.StatAsync("m-dir", None))!.Value.IsDir);
        await Assert.ThrowsAnyAsync<IOException>(() => s.RmdirAsync("m-dir", None));
    }

    [Fact]
    public async Task Bad_list_version_is_a_user_error()
    {
        var conf = RemoteTestEnv.WriteConfig(Path.Combine(_dir, "bad"), "list_version = 3");
        var ex = await Assert.ThrowsAsync<UserException>(() => RemoteTestEnv.Opener(conf).OpenAsync($"s3t:{RemoteTestEnv.S3Bucket}", None));
        Assert.Contains("list_version", ex.Message);
    }
}
