using Bisync.Remotes.Rclone;
using Bisync.Storage;
using Xunit;

namespace Bisync.Tests.Remotes;

/// <summary>The storage conformance suite through the rclone backend, one subclass per server.</summary>
public abstract class RcloneStorageConformanceTests : StorageConformanceTests, IDisposable
{
    private readonly string _dir = RemoteTestEnv.TempDir("rclone");

    protected abstract string Backend { get; }

    protected string Config { get; private set; } = "";

    protected override Task<IStorage> OpenFreshAsync(string unique)
    {
        Config = RcloneTestEnv.WriteConfig(_dir, Backend);
        return RcloneTestEnv.Opener(Config).OpenAsync(RcloneTestEnv.Root(Backend, unique), CancellationToken.None);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    [Fact]
    public void Goes_through_rclone()
    {
        var r = S.Capability<RcloneStorage>();
        Assert.NotNull(r);
        Assert.NotNull(r.Daemon);
        Assert.NotNull(S.Capability<IMover>());
        Assert.NotNull(S.Capability<IDirectCopier>());
        Assert.NotNull(S.Capability<IDirectSender>());
        Assert.NotNull(S.Capability<IRecursiveLister>());
    }

    [Fact]
    public async Task Recursive_listing_has_every_file_and_no_directory()
    {
        await PutBytesAsync("r/a.txt", [1]);
        await PutBytesAsync("r/s/b.txt", [1, 2]);
        await PutBytesAsync("c.txt", [1, 2, 3]);
        var all = new List<StorageEntry>();
        await foreach (var e in S.Capability<IRecursiveLister>()!.ListRecursiveAsync(true, None)) all.Add(e);
        Assert.Equal(["c.txt", "r/a.txt", "r/s/b.txt"], all.Select(e => e.Path).Order(StringComparer.Ordinal));
        Assert.Equal([3L, 1L, 2L], all.OrderBy(e => e.Path, StringComparer.Ordinal).Select(e => e.Size));
    }

    [Fact]
    public async Task Direct_copy_from_a_local_folder()
    {
        var local = RemoteTestEnv.TempDir("rclone-src");
        try
        {
            Directory.CreateDirectory(Path.Combine(local, "sub"));
            var data = RemoteTestEnv.RandomBytes(50_000, 9);
            File.WriteAllBytes(Path.Combine(local, "sub", "x.bin"), data);
            File.SetLastWriteTimeUtc(Path.Combine(local, "sub", "x.bin"), new DateTime(2021, 3, 4, 5, 6, 7, DateTimeKind.Utc));
            await using var src = await RemoteTestEnv.Opener().OpenAsync(local, None);
            var copied = await S.Capability<IDirectCopier>()!.TryCopyFromAsync(src, "sub/x.bin", "sub/x.bin", 1614834367_000000000L, None);
            Assert.True(copied);
            Assert.Equal(data, await RemoteTestEnv.ReadAllAsync(S, "sub/x.bin"));
            AssertTime(1614834367_000000000L, (await S.StatAsync("sub/x.bin", None))!.Value.ModTime);
            // no temporary name is left beside it
            var names = new List<string>();
            await foreach (var e in S.ListAsync("sub", None)) names.Add(e.Name);
            Assert.Equal(["x.bin"], names);
        }
        finally
        {
            Directory.Delete(local, true);
        }
    }

    /// <summary>rclone's count of finished transfers (core/stats, all groups).</summary>
    private async Task<long> RcloneTransfersAsync()
    {
        var stats = await S.Capability<RcloneStorage>()!.Daemon!.CallAsync("core/stats", new System.Text.Json.Nodes.JsonObject(), None);
        return stats.GetProperty("transfers").GetInt64();
    }

    [Fact]
    public async Task Direct_copy_to_a_local_folder()
    {
        var data = RemoteTestEnv.RandomBytes(50_000, 11);
        await PutBytesAsync("sub/y.bin", data);
        var listed = (await S.StatAsync("sub/y.bin", None))!.Value;
        var local = RemoteTestEnv.TempDir("rclone-dst");
        try
        {
            await using var dst = await RemoteTestEnv.Opener().OpenAsync(local, None);
            var before = await RcloneTransfersAsync();
            Assert.True(await S.Capability<IDirectSender>()!.TryCopyToAsync("sub/y.bin", dst, "sub/y.bin", listed.Size, listed.ModTime, None));
            Assert.Equal(data, File.ReadAllBytes(Path.Combine(local, "sub", "y.bin")));
            Assert.Equal(listed.ModTime, (await dst.StatAsync("sub/y.bin", None))!.Value.ModTime);
            // rclone made the copy (one more transfer of its own), not a download through this process
            Assert.Equal(before + 1, await RcloneTransfersAsync());
            // and nothing else is left in the folder: no temporary
            Assert.Equal(["y.bin"], Directory.GetFiles(Path.Combine(local, "sub")).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(local, true);
        }
    }

    [Fact]
    public async Task Direct_copy_to_a_local_folder_that_is_not_the_listed_size_leaves_nothing()
    {
        await PutBytesAsync("z.bin", [1, 2, 3]);
        var local = RemoteTestEnv.TempDir("rclone-dst");
        try
        {
            await using var dst = await RemoteTestEnv.Opener().OpenAsync(local, None);
            var sender = S.Capability<IDirectSender>()!;
            await Assert.ThrowsAsync<IOException>(() => sender.TryCopyToAsync("z.bin", dst, "z.bin", 4, SampleTime, None));
            await Assert.ThrowsAsync<FileNotFoundException>(() => sender.TryCopyToAsync("gone.bin", dst, "gone.bin", 1, SampleTime, None));
            Assert.Empty(Directory.GetFileSystemEntries(local));
        }
        finally
        {
            Directory.Delete(local, true);
        }
    }

    [Fact]
    public async Task Direct_copy_of_a_missing_source_is_file_not_found()
    {
        var local = RemoteTestEnv.TempDir("rclone-src");
        try
        {
            await using var src = await RemoteTestEnv.Opener().OpenAsync(local, None);
            await Assert.ThrowsAsync<FileNotFoundException>(() => S.Capability<IDirectCopier>()!.TryCopyFromAsync(src, "gone.txt", "gone.txt", SampleTime, None));
            Assert.Null(await S.StatAsync("gone.txt", None));
        }
        finally
        {
            Directory.Delete(local, true);
        }
    }

    /// <summary>
    /// Why the WebDAV remotes use rclone's <c>vendor = other</c>: with <c>vendor = owncloud</c> rclone
    /// sends the time as an X-OC-Mtime header (and then claims one-second times), but neither
    /// <c>rclone serve webdav</c> (1.60.1) nor Apache mod_dav keeps it. Uploads a file with an old time
    /// that way and reads the time on the server's own disk: it is the upload's, not the one sent.
    /// </summary>
    protected void OwncloudTimesAreNotKept(string envPrefix)
    {
        var local = Path.Combine(RemoteTestEnv.TempDir("oc"), "oc.txt");
        File.WriteAllText(local, "x");
        var sent = new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(local, sent);
        var remote = $":webdav,url='{RemoteTestEnv.Get(envPrefix + "_URL")}',vendor=owncloud,user='{RemoteTestEnv.Get(envPrefix + "_USER")}'," +
                     $"pass='{RcloneTestEnv.Obscure(RemoteTestEnv.Get(envPrefix + "_PASS"))}':{UniqueName}/oc.txt";
        var (code, _, err) = RemoteTestEnv.Rclone("/dev/null", "copyto", local, remote);
        Assert.True(code == 0, "rclone copyto with vendor=owncloud failed: " + err);
        var onServer = File.GetLastWriteTimeUtc(Path.Combine(RemoteTestEnv.Get(envPrefix + "_DIR"), UniqueName, "oc.txt"));
        Assert.True(onServer > DateTime.UtcNow.AddDays(-1), $"the server kept the time it was sent ({onServer:O}): WebDAV times are usable, revisit vendor=other");
        try { Directory.Delete(Path.GetDirectoryName(local)!, true); } catch (IOException) { }
    }
}

public sealed class RcloneWebdavConformanceTests : RcloneStorageConformanceTests
{
    protected override string Backend => "rclone-webdav";

    [Fact]
    public void Owncloud_style_times_are_not_kept_either() => OwncloudTimesAreNotKept("BISYNC_RWEBDAV");

    [Fact]
    public async Task Plain_webdav_keeps_no_modification_times_and_says_so()
    {
        Assert.Equal("webdav", S.Type);
        Assert.Equal(long.MaxValue, S.Features.ModTimePrecisionNs);
        Assert.False(S.Features.CanSetModTime);
        var before = DateTime.UtcNow.AddMinutes(-5);
        await PutBytesAsync("t.txt", [1], SampleTime);
        var st = await S.StatAsync("t.txt", None);
        Assert.True(st!.Value.ModTime > (before - DateTime.UnixEpoch).Ticks * 100, "the server's upload time, not the given one");
        // setting a time is a no-op, not an error
        await S.SetModTimeAsync("t.txt", SampleTime, None);
        Assert.NotEqual(SampleTime / 1_000_000_000, (await S.StatAsync("t.txt", None))!.Value.ModTime / 1_000_000_000);
    }

    [Fact]
    public async Task Uploads_go_through_a_temporary_name_and_a_move()
    {
        Assert.True(S.Capability<RcloneStorage>()!.UploadsViaTemporaryName);
        await PutBytesAsync("a/b.txt", [1, 2]);
        // what the server holds, on its disk: only the real name
        var onDisk = Path.Combine(RemoteTestEnv.Get("BISYNC_RWEBDAV_DIR"), UniqueName, "a");
        Assert.Equal(["b.txt"], Directory.GetFiles(onDisk).Select(Path.GetFileName));
    }
}

public sealed class RcloneSftpConformanceTests : RcloneStorageConformanceTests
{
    protected override string Backend => "sftp";

    [Fact]
    public void Declares_what_rclone_says_of_sftp()
    {
        Assert.Equal("sftp", S.Type);
        Assert.Equal(1_000_000_000L, S.Features.ModTimePrecisionNs);
        Assert.True(S.Features.CanHaveEmptyDirectories);
        Assert.True(S.Capability<RcloneStorage>()!.UploadsViaTemporaryName);
        // sftp hashes are md5sum commands on the server: not asked for in listings
        Assert.Empty(S.Features.Hashes);
    }

    [Fact]
    public async Task Names_that_are_not_UTF8_are_refused_not_renamed()
    {
        // rclone's rc API is JSON: such a byte would come back as U+FFFD, a different name
        var ex = await Assert.ThrowsAnyAsync<IOException>(() => PutBytesAsync("raw_\uDC81.txt", [1]));
        Assert.Contains("not valid UTF-8", ex.Message);
        var dir = Path.Combine(RemoteTestEnv.SftpHome, UniqueName);
        Directory.CreateDirectory(dir);
        Bisync.Tests.Conformance.NativeFs.WriteAll(dir + "/raw_\uDCFE.txt", [1]);
        var listing = await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            await foreach (var _ in S.Capability<IRecursiveLister>()!.ListRecursiveAsync(true, None)) { }
        });
        Assert.Contains("not valid UTF-8", listing.Message);
        Assert.Contains("raw_\uFFFD.txt", listing.Message);
    }
}

public sealed class RcloneS3ConformanceTests : RcloneStorageConformanceTests
{
    protected override string Backend => "s3";

    /// <summary>See <see cref="StorageConformanceTests.AssertListsWithoutTimesKeepingChecksumsAsync"/>.</summary>
    [Fact]
    public Task A_recursive_listing_without_times_keeps_each_checksum() => AssertListsWithoutTimesKeepingChecksumsAsync();

    /// <summary>rclone's s3 backend sends a copy source that s3rver decodes wrongly for '+' and '?'
    /// (rclone 1.60.1's own `rclone moveto` fails the same way there; AWS reads it right).</summary>
    protected override string? MoveRefused(string name) =>
        name.Contains('+') || name.Contains('?') ? "s3rver misreads rclone's copy source" : null;

    [Fact]
    public async Task Declares_bucket_semantics_and_lists_md5()
    {
        Assert.Equal("s3", S.Type);
        Assert.Equal(1L, S.Features.ModTimePrecisionNs);
        Assert.False(S.Features.CanHaveEmptyDirectories);
        Assert.False(S.Capability<RcloneStorage>()!.UploadsViaTemporaryName); // a bucket: uploads are whole or nothing
        var data = RemoteTestEnv.RandomBytes(12345, 5);
        await PutBytesAsync("h.bin", data);
        var expected = "md5:" + Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(data));
        Assert.Equal(expected, (await S.StatAsync("h.bin", None))!.Value.Hash);
    }
}

public sealed class RcloneApacheWebdavConformanceTests : RcloneStorageConformanceTests
{
    protected override string Backend => "apache-webdav";

    [Fact]
    public void Owncloud_style_times_are_not_kept_either() => OwncloudTimesAreNotKept("BISYNC_AWEBDAV");

    [Fact]
    public async Task Apache_keeps_no_modification_times_and_says_so()
    {
        Assert.Equal("webdav", S.Type);
        Assert.Equal(long.MaxValue, S.Features.ModTimePrecisionNs);
        Assert.False(S.Features.CanSetModTime);
        var before = DateTime.UtcNow.AddMinutes(-5);
        await PutBytesAsync("t.txt", [1], SampleTime);
        Assert.True((await S.StatAsync("t.txt", None))!.Value.ModTime > (before - DateTime.UnixEpoch).Ticks * 100,
            "the server's upload time, not the given one");
        // on the server's disk: only the real name, no temporary one
        var onDisk = Path.Combine(RemoteTestEnv.Get("BISYNC_AWEBDAV_DIR"), UniqueName);
        Assert.Equal(["t.txt"], Directory.GetFiles(onDisk).Select(Path.GetFileName));
    }
}

public sealed class RcloneFtpConformanceTests : RcloneStorageConformanceTests
{
    protected override string Backend => "ftp";

    [Fact]
    public async Task Proftpd_keeps_times_to_the_second_through_MFMT()
    {
        Assert.Equal("ftp", S.Type);
        Assert.Equal(1_000_000_000L, S.Features.ModTimePrecisionNs);
        Assert.True(S.Features.CanHaveEmptyDirectories);
        Assert.True(S.Capability<RcloneStorage>()!.UploadsViaTemporaryName);
        await PutBytesAsync("t.txt", [1], SampleTime);
        var onDisk = Path.Combine(RemoteTestEnv.Get("BISYNC_FTP_DIR"), UniqueName, "t.txt");
        Assert.Equal(new DateTime(2021, 3, 4, 5, 6, 7, DateTimeKind.Utc), File.GetLastWriteTimeUtc(onDisk));
        Assert.Equal(["t.txt"], Directory.GetFiles(Path.GetDirectoryName(onDisk)!).Select(Path.GetFileName));
    }
}
