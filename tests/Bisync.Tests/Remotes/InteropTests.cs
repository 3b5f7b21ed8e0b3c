using Bisync.Tests.Support;
using System.Globalization;
using System.Text.Json;
using Bisync.Storage;
using Xunit;

namespace Bisync.Tests.Remotes;

/// <summary>
/// rclone 1.60.1 and this code on the same server must see the same objects: sizes, modification
/// times (rclone's S3 "mtime" metadata, SFTP mtimes) and content.
/// </summary>
public class InteropTests : IDisposable
{
    private readonly string _dir = RemoteTestEnv.TempDir("interop");
    private readonly string _config;
    private static readonly CancellationToken None = CancellationToken.None;

    public InteropTests() => _config = RemoteTestEnv.WriteConfig(_dir);

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    public static TheoryData<string> Remotes() => new() { "sftpt", "s3t" };

    private static string RootOf(string remote, string unique) =>
        remote == "s3t" ? $"s3t:{RemoteTestEnv.Get("BISYNC_S3_INTEROP_BUCKET")}/{unique}" : $"sftpt:{unique}";

    private static long ParseRcloneTime(string iso)
    {
        // "2021-03-04T05:06:07.123456789Z": keep all nine digits
        var dot = iso.IndexOf('.');
        var z = iso.IndexOfAny(['Z', '+']);
        var whole = DateTime.ParseExact(iso[..(dot > 0 ? dot : z)], "yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        long ns = (whole - DateTime.UnixEpoch).Ticks * 100;
        if (dot > 0) ns += long.Parse(iso[(dot + 1)..z].PadRight(9, '0')[..9], CultureInfo.InvariantCulture);
        return ns;
    }

    [Theory]
    [MemberData(nameof(Remotes))]
    public async Task File_uploaded_by_rclone_reads_the_same_here(string remote)
    {
        var unique = "in-" + Guid.NewGuid().ToString("N")[..10];
        var local = Path.Combine(_dir, "src file ü.bin");
        var data = RemoteTestEnv.RandomBytes(123_457, 7);
        File.WriteAllBytes(local, data);
        var when = new DateTime(2021, 3, 4, 5, 6, 7, DateTimeKind.Utc).AddTicks(1234567);
        File.SetLastWriteTimeUtc(local, when);

        var (code, _, err) = RemoteTestEnv.Rclone(_config, "copyto", local, RootOf(remote, unique) + "/sub dir/src file ü.bin");
        Assert.True(code == 0, err);

        await using var s = await RemoteTestEnv.Opener(_config).OpenAsync(RootOf(remote, unique), None);
        var st = await s.StatAsync("sub dir/src file ü.bin", None);
        Assert.NotNull(st);
        Assert.Equal(data.Length, st.Value.Size);
        long expected = (when - DateTime.UnixEpoch).Ticks * 100;
        long p = s.Features.ModTimePrecisionNs;
        Assert.Equal(expected / p * p, st.Value.ModTime / p * p);
        if (remote == "s3t") Assert.Equal(expected, st.Value.ModTime); // exact, from rclone's mtime metadata
        Assert.Equal(data, await RemoteTestEnv.ReadAllAsync(s, "sub dir/src file ü.bin"));

        var listed = new List<StorageEntry>();
        await foreach (var e in s.ListAsync("sub dir", None)) listed.Add(e);
        Assert.Equal(st.Value.ModTime, Assert.Single(listed).ModTime);
    }

    [Theory]
    [MemberData(nameof(Remotes))]
    public async Task File_uploaded_here_reads_the_same_in_rclone(string remote)
    {
        var unique = "out-" + Guid.NewGuid().ToString("N")[..10];
        var data = RemoteTestEnv.RandomBytes(98_765, 8);
        const long modTime = 1614834367_123456789L;
        await using (var s = await RemoteTestEnv.Opener(_config).OpenAsync(RootOf(remote, unique), None))
            await s.PutAsync("dir/our file é.bin", new MemoryStream(data), data.Length, modTime, None);

        var (code, output, err) = RemoteTestEnv.Rclone(_config, "lsjson", "--hash", "-R", RootOf(remote, unique));
        Assert.True(code == 0, err);
        using var json = JsonDocument.Parse(output);
        var file = json.RootElement.EnumerateArray().Single(e => !e.GetProperty("IsDir").GetBoolean());
        Assert.Equal("dir/our file é.bin", file.GetProperty("Path").GetString());
        Assert.Equal(data.Length, file.GetProperty("Size").GetInt64());
        var rcloneTime = ParseRcloneTime(file.GetProperty("ModTime").GetString()!);
        if (remote == "s3t")
        {
            Assert.Equal(modTime, rcloneTime);
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(data)),
                file.GetProperty("Hashes").GetProperty("md5").GetString());
        }
        else
        {
            Assert.Equal(modTime / 1_000_000_000L * 1_000_000_000L, rcloneTime);
        }

        var catFile = Path.Combine(_dir, "cat.bin");
        (code, _, err) = RemoteTestEnv.Rclone(_config, "copyto", RootOf(remote, unique) + "/dir/our file é.bin", catFile);
        Assert.True(code == 0, err);
        Assert.Equal(data, File.ReadAllBytes(catFile));
    }

    [Fact]
    public async Task SetModTime_here_is_seen_by_rclone_on_s3()
    {
        var unique = "touch-" + Guid.NewGuid().ToString("N")[..10];
        await using var s = await RemoteTestEnv.Opener(_config).OpenAsync(RootOf("s3t", unique), None);
        await s.PutAsync("t.txt", new MemoryStream("abc"u8.ToArray()), 3, 1_000_000_000_000_000_000L, None);
        await s.SetModTimeAsync("t.txt", 1_600_000_000_500_000_000L, None);
        var (code, output, err) = RemoteTestEnv.Rclone(_config, "lsjson", RootOf("s3t", unique));
        Assert.True(code == 0, err);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(1_600_000_000_500_000_000L, ParseRcloneTime(json.RootElement[0].GetProperty("ModTime").GetString()!));
        Assert.Equal("abc", RemoteTestEnv.Utf8(await RemoteTestEnv.ReadAllAsync(s, "t.txt")));
    }

    [Fact]
    public async Task Large_file_goes_multipart_and_keeps_mtime_and_md5()
    {
        // upload_cutoff below the size forces the multipart path; chunk_size is S3's 5 MiB minimum
        var config = RemoteTestEnv.WriteConfig(Path.Combine(_dir, "mp"), "upload_cutoff = 1Mi\nchunk_size = 5Mi");
        var unique = "mp-" + Guid.NewGuid().ToString("N")[..10];
        var data = RemoteTestEnv.RandomBytes(11 * 1024 * 1024 + 17, 9);
        const long modTime = 1614834367_987654321L;
        await using var s = await RemoteTestEnv.Opener(config).OpenAsync(RootOf("s3t", unique), None);
        await s.PutAsync("big.bin", new MemoryStream(data), data.Length, modTime, None);

        var st = await s.StatAsync("big.bin", None);
        Assert.Equal(data.Length, st!.Value.Size);
        Assert.Equal(modTime, st.Value.ModTime);
        var md5 = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(data));
        Assert.Equal("md5:" + md5, st.Value.Hash);
        Assert.Equal(data, await RemoteTestEnv.ReadAllAsync(s, "big.bin"));

        // A listing that may leave times out still gives this object its MD5: from the ETag where the server
        // makes that the whole object's MD5 (s3rver), else from the metadata, read with the time by a HEAD (AWS).
        var untimed = new List<StorageEntry>();
        await foreach (var e in s.Capability<IRecursiveLister>()!.ListRecursiveAsync(false, None)) untimed.Add(e);
        Assert.Equal("md5:" + md5, Assert.Single(untimed).Hash);
        Assert.Contains(untimed[0].ModTime, new[] { modTime, StorageEntry.NoTime });

        var (code, output, err) = RemoteTestEnv.Rclone(config, "lsjson", "--hash", RootOf("s3t", unique));
        Assert.True(code == 0, err);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(modTime, ParseRcloneTime(json.RootElement[0].GetProperty("ModTime").GetString()!));
        Assert.Equal(md5, json.RootElement[0].GetProperty("Hashes").GetProperty("md5").GetString());
    }

    [Fact]
    public async Task Multipart_from_a_one_way_stream_and_an_interrupted_one()
    {
        var config = RemoteTestEnv.WriteConfig(Path.Combine(_dir, "mp2"), "upload_cutoff = 1Mi\nchunk_size = 5Mi");
        var unique = "mp2-" + Guid.NewGuid().ToString("N")[..10];
        var data = RemoteTestEnv.RandomBytes(6 * 1024 * 1024, 10);
        await using var s = await RemoteTestEnv.Opener(config).OpenAsync(RootOf("s3t", unique), None);
        await s.PutAsync("oneway.bin", new OneWayStream(data), data.Length, 1_000_000_000L, None);
        Assert.Equal(data, await RemoteTestEnv.ReadAllAsync(s, "oneway.bin"));

        await Assert.ThrowsAnyAsync<Exception>(() =>
            s.PutAsync("broken.bin", new OneWayStream(data, 5_500_000), data.Length, 1_000_000_000L, None));
        Assert.Null(await s.StatAsync("broken.bin", None));
    }

}
