using Bisync.Storage;
using Xunit;

namespace Bisync.Tests.Remotes;

/// <summary>
/// S3's names listing (what the re-check before copies into a folder uses instead of a stat per file),
/// on s3rver through the same decorators a run uses: files and subfolders by name, nothing for a
/// folder that does not exist, null past the limit.
/// </summary>
public class S3NameListingTests : IDisposable
{
    private readonly string _dir = RemoteTestEnv.TempDir("s3names");
    private static readonly CancellationToken None = CancellationToken.None;

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    [Fact]
    public async Task Names_of_a_folder_its_files_and_subfolders_none_when_absent_null_past_the_limit()
    {
        var conf = RemoteTestEnv.WriteConfig(_dir, "list_chunk = 2");
        await using var s = await RemoteTestEnv.Opener(conf).OpenAsync($"s3t:{RemoteTestEnv.S3Bucket}/names-{Guid.NewGuid():N}", None);
        var names = s.Capability<INameLister>();
        Assert.NotNull(names);
        foreach (var p in new[] { "d/a.txt", "d/b c.txt", "d/sub/inner.txt", "d/sub/deeper/x.txt", "top.txt" })
            await s.PutAsync(p, new MemoryStream([1]), 1, 0, None);

        Assert.Equal(["a.txt", "b c.txt", "sub"], (await names.ListNamesAsync("d", 10, None))!.Order(StringComparer.Ordinal));
        Assert.Equal(["d", "top.txt"], (await names.ListNamesAsync("", 10, None))!.Order(StringComparer.Ordinal));
        Assert.Empty((await names.ListNamesAsync("nowhere", 10, None))!);
        Assert.Null(await names.ListNamesAsync("d", 2, None));   // 3 names, pages of 2
    }
}
