using Bisync.Tests.Support;
using Bisync.Remotes.Wrappers;
using Bisync.Storage;
using Xunit;

namespace Bisync.Tests.Remotes;

/// <summary>
/// One behaviour contract for every backend, run against real servers: each subclass opens a fresh,
/// empty root (unique per test) on its backend.
/// </summary>
public abstract class StorageConformanceTests : IAsyncLifetime
{
    private IStorage? _storage;
    protected static readonly CancellationToken None = CancellationToken.None;

    /// <summary>Opens a storage rooted at a new empty folder (or prefix) named <paramref name="unique"/>.</summary>
    protected abstract Task<IStorage> OpenFreshAsync(string unique);

    /// <summary>
    /// Names this backend cannot move server-side against the test server, and why (a checked
    /// expectation: the move must fail, and leave the source where it was).
    /// </summary>
    protected virtual string? MoveRefused(string name) => null;

    /// <summary>The name of this test's fresh root folder.</summary>
    protected string UniqueName { get; private set; } = "";

    protected IStorage S => _storage ?? throw new InvalidOperationException("not opened");

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        UniqueName = "conf-" + Guid.NewGuid().ToString("N")[..12];
        _storage = await OpenFreshAsync(UniqueName).WaitAsync(cts.Token);
    }

    public async Task DisposeAsync()
    {
        if (_storage is not null) await _storage.DisposeAsync();
    }

    // 2021-03-04 05:06:07.123456789 UTC
    protected const long SampleTime = 1614834367_123456789L;

    protected long Precision => S.Features.ModTimePrecisionNs;

    protected void AssertTime(long expected, long actual)
    {
        var p = Precision;
        // a backend keeps the time truncated (or rounded) to its precision
        Assert.True(Math.Abs(expected - actual) < p || expected / p * p == actual,
            $"modtime {actual} differs from {expected} by more than the backend precision {p}ns");
    }

    protected async Task PutBytesAsync(string path, byte[] data, long modTime = SampleTime) =>
        await S.PutAsync(path, new MemoryStream(data), data.Length, modTime, None);

    /// <summary>
    /// A run that compares no times lists without them: no HEAD per object, each file with the MD5
    /// its ETag gives and <see cref="StorageEntry.NoTime"/>; a stat (which has the time) still says it
    /// is the same file, by size and checksum. For a backend whose listings carry MD5s without reading
    /// content (S3, natively or through rclone).
    /// </summary>
    protected async Task AssertListsWithoutTimesKeepingChecksumsAsync()
    {
        await PutBytesAsync("u/a.txt", "alpha"u8.ToArray());
        await PutBytesAsync("b.txt", "bravo!"u8.ToArray());
        var lister = S.Capability<IRecursiveLister>()!;
        var untimed = new List<StorageEntry>();
        await foreach (var e in lister.ListRecursiveAsync(false, None)) untimed.Add(e);
        var timed = new List<StorageEntry>();
        await foreach (var e in lister.ListRecursiveAsync(true, None)) timed.Add(e);
        string Md5(string s) => "md5:" + Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(s)));
        Assert.Equal([("b.txt", 6L, StorageEntry.NoTime, Md5("bravo!")), ("u/a.txt", 5L, StorageEntry.NoTime, Md5("alpha"))],
            untimed.OrderBy(e => e.Path, StringComparer.Ordinal).Select(e => (e.Path, e.Size, e.ModTime, e.Hash)));
        Assert.All(timed, e => Assert.Equal(SampleTime, e.ModTime));
        foreach (var e in untimed) Assert.True(Bisync.Engine.Transfers.SameAsListed(await S.StatAsync(e.Path, None), e), e.Path);
        await PutBytesAsync("b.txt", "BRAVO!"u8.ToArray());
        Assert.False(Bisync.Engine.Transfers.SameAsListed(await S.StatAsync("b.txt", None), untimed.Single(e => e.Path == "b.txt")));
    }

    private async Task<List<StorageEntry>> ListAsync(string dir)
    {
        var list = new List<StorageEntry>();
        await foreach (var e in S.ListAsync(dir, None)) list.Add(e);
        return list.OrderBy(e => e.Path, StringComparer.Ordinal).ToList();
    }

    [Fact]
    public async Task Features_are_declared()
    {
        Assert.False(string.IsNullOrEmpty(S.Type));
        Assert.True(S.Features.ModTimePrecisionNs >= 1);
        Assert.False(S.Root.Length == 0);
    }

    [Fact]
    public async Task Put_then_stat_list_and_read_back_byte_for_byte()
    {
        var data = RemoteTestEnv.RandomBytes(300_000, 1);
        await PutBytesAsync("dir/file.bin", data);

        var st = await S.StatAsync("dir/file.bin", None);
        Assert.NotNull(st);
        Assert.False(st.Value.IsDir);
        Assert.Equal(data.Length, st.Value.Size);
        AssertTime(SampleTime, st.Value.ModTime);

        var root = await ListAsync("");
        Assert.Contains(root, e => e.Path == "dir" && e.IsDir);
        var inDir = await ListAsync("dir");
        var only = Assert.Single(inDir);
        Assert.Equal("dir/file.bin", only.Path);
        Assert.Equal("file.bin", only.Name);
        Assert.Equal(data.Length, only.Size);
        AssertTime(SampleTime, only.ModTime);

        Assert.Equal(data, await RemoteTestEnv.ReadAllAsync(S, "dir/file.bin"));
    }

    /// <summary>
    /// A put always writes: the engine decided the content differs (a checksum compare) even where
    /// size and time are the same. rclone's copyfile skipped such a file unless told not to.
    /// </summary>
    [Fact]
    public async Task Put_replaces_a_file_of_the_same_size_and_time()
    {
        await PutBytesAsync("same.txt", "alpha"u8.ToArray());
        await PutBytesAsync("same.txt", "ALPHA"u8.ToArray());
        Assert.Equal("ALPHA"u8.ToArray(), await RemoteTestEnv.ReadAllAsync(S, "same.txt"));
    }

    [Fact]
    public async Task Zero_length_put()
    {
        await PutBytesAsync("empty.txt", []);
        var st = await S.StatAsync("empty.txt", None);
        Assert.NotNull(st);
        Assert.Equal(0, st.Value.Size);
        Assert.Empty(await RemoteTestEnv.ReadAllAsync(S, "empty.txt"));
        Assert.Single(await ListAsync(""), e => e.Path == "empty.txt" && e.Size == 0);
    }

    [Fact]
    public async Task Put_from_a_one_way_stream()
    {
        var data = RemoteTestEnv.RandomBytes(70_000, 2);
        await S.PutAsync("oneway.bin", new OneWayStream(data), data.Length, SampleTime, None);
        Assert.Equal(data, await RemoteTestEnv.ReadAllAsync(S, "oneway.bin"));
    }

    [Fact]
    public async Task Overwrite_replaces_content_size_and_time()
    {
        await PutBytesAsync("f.txt", "first version, longer"u8.ToArray(), SampleTime);
        await PutBytesAsync("f.txt", "second"u8.ToArray(), SampleTime + 3_000_000_000L);
        var st = await S.StatAsync("f.txt", None);
        Assert.Equal(6, st!.Value.Size);
        AssertTime(SampleTime + 3_000_000_000L, st.Value.ModTime);
        Assert.Equal("second", RemoteTestEnv.Utf8(await RemoteTestEnv.ReadAllAsync(S, "f.txt")));
        Assert.Single(await ListAsync(""));
    }

    [Theory]
    [InlineData(1614834367_123456789L)]
    [InlineData(1614834367_000000000L)]
    [InlineData(946684800_500000000L)]
    [InlineData(4102444800_000000001L)]
    public async Task Modification_time_round_trip(long modTime)
    {
        await PutBytesAsync("t.txt", "x"u8.ToArray(), modTime);
        AssertTime(modTime, (await S.StatAsync("t.txt", None))!.Value.ModTime);
        AssertTime(modTime, Assert.Single(await ListAsync("")).ModTime);
    }

    [Fact]
    public async Task Set_modification_time_keeps_content()
    {
        await PutBytesAsync("m.txt", "content"u8.ToArray(), SampleTime);
        var later = SampleTime + 86_400_000_000_000L + 250_000_000L;
        await S.SetModTimeAsync("m.txt", later, None);
        AssertTime(later, (await S.StatAsync("m.txt", None))!.Value.ModTime);
        Assert.Equal("content", RemoteTestEnv.Utf8(await RemoteTestEnv.ReadAllAsync(S, "m.txt")));
    }

    [Fact]
    public async Task Delete_removes_the_file_only()
    {
        await PutBytesAsync("a/del.txt", "bye"u8.ToArray());
        await PutBytesAsync("a/keep.txt", "stay"u8.ToArray());
        await S.DeleteAsync("a/del.txt", None);
        Assert.Null(await S.StatAsync("a/del.txt", None));
        Assert.Equal(["a/keep.txt"], (await ListAsync("a")).Select(e => e.Path));
        // already gone: the remote backends succeed (so a retried delete whose answer was lost is fine);
        // the interface leaves it open, and the local backend reports FileNotFoundException
        try { await S.DeleteAsync("a/del.txt", None); }
        catch (FileNotFoundException) when (S.Features.IsLocal) { }
    }

    [Fact]
    public async Task Stat_and_open_of_missing_things()
    {
        Assert.Null(await S.StatAsync("nope.txt", None));
        Assert.Null(await S.StatAsync("no/such/dir/file", None));
        await Assert.ThrowsAsync<FileNotFoundException>(() => S.OpenReadAsync("nope.txt", None));
        await Assert.ThrowsAsync<DirectoryNotFoundException>(() => ListAsync("missing-dir"));
    }

    [Fact]
    public async Task Mkdir_and_rmdir()
    {
        await S.MkdirAsync("d1/d2", None);
        await S.MkdirAsync("d1/d2", None); // again: fine
        if (S.Features.CanHaveEmptyDirectories)
        {
            Assert.True((await S.StatAsync("d1/d2", None))!.Value.IsDir);
            Assert.Contains(await ListAsync("d1"), e => e.Path == "d1/d2" && e.IsDir);
            Assert.Empty(await ListAsync("d1/d2"));
        }
        await S.RmdirAsync("d1/d2", None);
        await S.RmdirAsync("d1", None);
        Assert.Null(await S.StatAsync("d1/d2", None));
        Assert.Null(await S.StatAsync("d1", None));

        await PutBytesAsync("full/f.txt", "x"u8.ToArray());
        Assert.True((await S.StatAsync("full", None))!.Value.IsDir);
        await Assert.ThrowsAnyAsync<IOException>(() => S.RmdirAsync("full", None));
        Assert.NotNull(await S.StatAsync("full/f.txt", None));
    }

    [Theory]
    [InlineData("with space/file name.txt")]
    [InlineData("Ünïcödé/日本語 ファイル.txt")]
    [InlineData("emoji 🎉/ça va?.txt")]
    [InlineData("odd chars/a+b=c,d;e'f&g#h%20.txt")]
    [InlineData("nfd/se\u0301 \u00e9.txt")] // one decomposed, one composed: each name kept as it is
    [InlineData("nfd/\u6e2c\u8a66_\u0420\u0443\u0441\u043a\u0438\u0438\u0306___e\u030c_a\u0301n\u0303\U0001f478\U0001f3fc\U0001f9dd\U0001f3fe\u200d\u2640\ufe0f\U0001f486\U0001f3ff\u200d\u2642\ufe0f\U0001f428e\u0301o\u0308.txt")]
    public async Task Names_with_spaces_and_unicode(string path)
    {
        var data = System.Text.Encoding.UTF8.GetBytes("data of " + path);
        await PutBytesAsync(path, data);
        Assert.Equal(data.Length, (await S.StatAsync(path, None))!.Value.Size);
        var dir = path[..path.LastIndexOf('/')];
        var listed = Assert.Single(await ListAsync(dir));
        Assert.Equal(path, listed.Path);
        Assert.Equal(data.Length, listed.Size);
        Assert.Contains(await ListAsync(""), e => e.Path == dir && e.IsDir);
        Assert.Equal(data, await RemoteTestEnv.ReadAllAsync(S, path));
        await S.DeleteAsync(path, None);
        Assert.Null(await S.StatAsync(path, None));
    }

    [Fact]
    public async Task Interrupted_upload_leaves_nothing_under_the_real_name()
    {
        var data = RemoteTestEnv.RandomBytes(200_000, 3);
        var ex = await Assert.ThrowsAnyAsync<Exception>(() =>
            S.PutAsync("broken/new.bin", new OneWayStream(data, failAfter: 100_000), data.Length, SampleTime, None));
        Assert.Contains("simulated", ex.ToString());
        Assert.Null(await S.StatAsync("broken/new.bin", None));
        // no temporary or partial object is left visible either
        try
        {
            Assert.Empty(await ListAsync("broken"));
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    [Fact]
    public async Task Interrupted_overwrite_keeps_the_old_file()
    {
        var old = "the old content"u8.ToArray();
        await PutBytesAsync("keep/file.txt", old, SampleTime);
        var data = RemoteTestEnv.RandomBytes(200_000, 4);
        await Assert.ThrowsAnyAsync<Exception>(() =>
            S.PutAsync("keep/file.txt", new OneWayStream(data, failAfter: 50_000), data.Length, SampleTime + 1_000_000_000L, None));
        var st = await S.StatAsync("keep/file.txt", None);
        Assert.Equal(old.Length, st!.Value.Size);
        AssertTime(SampleTime, st.Value.ModTime);
        Assert.Equal(old, await RemoteTestEnv.ReadAllAsync(S, "keep/file.txt"));
        Assert.Single(await ListAsync("keep"));
    }

    [Fact]
    public async Task Short_source_is_refused()
    {
        var data = "only ten b"u8.ToArray();
        await Assert.ThrowsAnyAsync<IOException>(() =>
            S.PutAsync("short.txt", new OneWayStream(data), 20, SampleTime, None));
        Assert.Null(await S.StatAsync("short.txt", None));
    }

    [Fact]
    public async Task Move_server_side()
    {
        // Every backend here can move within itself, through whatever decorators wrap it.
        var mover = S.Capability<IMover>();
        Assert.NotNull(mover);
        await PutBytesAsync("from/m.txt", "moving"u8.ToArray());
        await mover.MoveAsync("from/m.txt", "to/deeper/m.txt", None);
        Assert.Null(await S.StatAsync("from/m.txt", None));
        var st = await S.StatAsync("to/deeper/m.txt", None);
        Assert.Equal(6, st!.Value.Size);
        AssertTime(SampleTime, st.Value.ModTime);
    }

    [Theory]
    [InlineData("a,b.txt")]
    [InlineData("a!b.txt")]
    [InlineData("with space/ça va?.txt")]
    [InlineData("odd chars/a+b=c;e'f&g#h%20(x)*.txt")]
    [InlineData("Ünïcödé/日本語 🎉.txt")]
    public async Task Move_keeps_names_with_punctuation_and_unicode(string name)
    {
        var mover = S.Capability<IMover>()!;
        await PutBytesAsync(name, "moving"u8.ToArray());
        if (MoveRefused(name) is not null)
        {
            await Assert.ThrowsAnyAsync<IOException>(() => mover.MoveAsync(name, "moved/" + name, None));
            Assert.Equal(6, (await S.StatAsync(name, None))!.Value.Size);
            return;
        }
        await mover.MoveAsync(name, "moved/" + name, None);
        Assert.Null(await S.StatAsync(name, None));
        Assert.Equal("moving", RemoteTestEnv.Utf8(await RemoteTestEnv.ReadAllAsync(S, "moved/" + name)));
        await mover.MoveAsync("moved/" + name, name.ToUpperInvariant(), None); // a case-only rename, as --fix-case makes
        Assert.Equal(6, (await S.StatAsync(name.ToUpperInvariant(), None))!.Value.Size);
    }

    [Fact]
    public async Task Many_files_in_one_directory_are_all_listed()
    {
        const int n = 40;
        await Parallel.ForEachAsync(Enumerable.Range(0, n), new ParallelOptions { MaxDegreeOfParallelism = 4 },
            async (i, _) => await PutBytesAsync($"many/f{i:D3}.txt", [(byte)i], SampleTime + i * 1_000_000_000L));
        var list = await ListAsync("many");
        Assert.Equal(n, list.Count);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal($"many/f{i:D3}.txt", list[i].Path);
            AssertTime(SampleTime + i * 1_000_000_000L, list[i].ModTime);
        }
    }


}

public sealed class SftpConformanceTests : StorageConformanceTests
{
    protected override Task<IStorage> OpenFreshAsync(string unique)
    {
        var e = RemoteTestEnv.SftpHost;
        var path = $":sftp,host={e},port={RemoteTestEnv.SftpPort},user={RemoteTestEnv.SftpUser}," +
                   $"key_file={RemoteTestEnv.SftpKeyFile},known_hosts_file={RemoteTestEnv.SftpKnownHosts}:{unique}";
        return RemoteTestEnv.Opener().OpenAsync(path, CancellationToken.None);
    }

    [Fact]
    public void Declares_second_precision_and_real_directories()
    {
        Assert.Equal("sftp", S.Type);
        Assert.Equal(1_000_000_000L, S.Features.ModTimePrecisionNs);
        Assert.True(S.Features.CanHaveEmptyDirectories);
        Assert.Null(S.Capability<IRecursiveLister>()); // walked directory by directory
    }

    [Fact]
    public async Task Set_modtime_off_keeps_server_times_and_says_so()
    {
        var path = $":sftp,host={RemoteTestEnv.SftpHost},port={RemoteTestEnv.SftpPort},user={RemoteTestEnv.SftpUser}," +
                   $"key_file={RemoteTestEnv.SftpKeyFile},set_modtime=false:{UniqueName}-nomtime";
        await using var s = await RemoteTestEnv.Opener().OpenAsync(path, None);
        Assert.False(s.Features.CanSetModTime);
        var before = DateTime.UtcNow.AddMinutes(-5);
        await s.PutAsync("f.txt", new MemoryStream([1]), 1, SampleTime, None);
        var st = await s.StatAsync("f.txt", None);
        Assert.True(st!.Value.ModTime > (before - DateTime.UnixEpoch).Ticks * 100, "upload time, not the given one");
    }

    [Fact]
    public async Task Names_that_are_not_UTF8_keep_their_bytes()
    {
        // The engine holds a byte that is not UTF-8 as U+DC00+byte; on the server the name has the raw
        // byte, as rclone's sftp backend writes it. An absolute root: the test user's home may be repointed.
        var dir = RemoteTestEnv.SftpHome.TrimEnd('/') + "/" + UniqueName + "-raw";
        var path = $":sftp,host={RemoteTestEnv.SftpHost},port={RemoteTestEnv.SftpPort},user={RemoteTestEnv.SftpUser}," +
                   $"key_file={RemoteTestEnv.SftpKeyFile},known_hosts_file={RemoteTestEnv.SftpKnownHosts}:{dir}";
        const string name = "raw_\uDC81_\uDCFE_ü.txt";
        try
        {
            await using var s = await RemoteTestEnv.Opener().OpenAsync(path, None);
            await s.PutAsync("sub_\uDCFF/" + name, new MemoryStream([7]), 1, SampleTime, None);
            // on the server's disk: the raw bytes 0xFF, 0x81, 0xFE, and ü as UTF-8
            Assert.Equal(["sub_\uDCFF"], Bisync.Tests.Conformance.NativeFs.ListNames(dir));
            var onDisk = Assert.Single(Bisync.Tests.Conformance.NativeFs.ListNames(dir + "/sub_\uDCFF"));
            byte[] want = [.. "raw_"u8, 0x81, (byte)'_', 0xFE, .. "_ü.txt"u8];
            Assert.Equal(want, Bisync.Tests.Conformance.RawNames.Encode(onDisk));
            // and read back as the engine wrote them
            var listed = new List<string>();
            await foreach (var e in s.ListAsync("sub_\uDCFF", None)) listed.Add(e.Name);
            Assert.Equal([name], listed);
            Assert.NotNull(await s.StatAsync("sub_\uDCFF/" + name, None));
        }
        finally
        {
            Bisync.Tests.Conformance.NativeFs.RemoveAll(dir);
        }
    }

    [Fact]
    public async Task Relative_root_is_under_the_login_directory()
    {
        await PutBytesAsync("where.txt", "here"u8.ToArray());
        var onDisk = Path.Combine(RemoteTestEnv.SftpHome, UniqueName, "where.txt");
        Assert.Equal("here", File.ReadAllText(onDisk));
        Assert.Equal(new DateTime(2021, 3, 4, 5, 6, 7, DateTimeKind.Utc), File.GetLastWriteTimeUtc(onDisk));
    }
}

public sealed class S3ConformanceTests : StorageConformanceTests
{
    private string? _config;

    protected override Task<IStorage> OpenFreshAsync(string unique)
    {
        _config = RemoteTestEnv.WriteConfig(RemoteTestEnv.TempDir("s3conf"));
        return RemoteTestEnv.Opener(_config).OpenAsync($"s3t:{RemoteTestEnv.S3Bucket}/{unique}", CancellationToken.None);
    }

    [Fact]
    public void Declares_bucket_semantics()
    {
        Assert.Equal("s3", S.Type);
        Assert.Equal(1L, S.Features.ModTimePrecisionNs);
        Assert.NotNull(S.Capability<IRecursiveLister>()); // one flat listing of the key space, through the decorators
        Assert.False(S.Features.CanHaveEmptyDirectories);
        Assert.Contains("md5", S.Features.Hashes);
    }

    /// <summary>See <see cref="StorageConformanceTests.AssertListsWithoutTimesKeepingChecksumsAsync"/>.</summary>
    [Fact]
    public Task A_recursive_listing_without_times_keeps_each_checksum() => AssertListsWithoutTimesKeepingChecksumsAsync();

    [Fact]
    public async Task Names_that_are_not_UTF8_round_trip_as_with_rclone()
    {
        // The engine holds a byte that is not UTF-8 as U+DC00+byte; the key has it as rclone's "‛XX".
        const string name = "raw_\uDC81_\uDCFE_ü.txt";
        await PutBytesAsync("sub_\uDCFF/" + name, [7]);
        // a literal "‛41" (the engine's "‛‛41") is not taken for a quoted byte
        await PutBytesAsync("lit_‛‛41.txt", [8]);
        var listed = new List<string>();
        await foreach (var e in S.ListAsync("", None)) listed.Add(e.Path);
        Assert.Equal(["sub_\uDCFF", "lit_‛‛41.txt"], listed);
        await S.DeleteAsync("lit_‛‛41.txt", None);
        listed.Clear();
        await foreach (var e in S.ListAsync("sub_\uDCFF", None)) listed.Add(e.Path);
        Assert.Equal(["sub_\uDCFF/" + name], listed);
        Assert.NotNull(await S.StatAsync("sub_\uDCFF/" + name, None));

        // rclone reads the same object back under the raw bytes
        var local = RemoteTestEnv.TempDir("s3raw");
        try
        {
            var (code, _, err) = RemoteTestEnv.Rclone(_config!, "copy", $"s3t:{RemoteTestEnv.S3Bucket}/{UniqueName}", local);
            Assert.True(code == 0, err);
            var sub = Assert.Single(Bisync.Tests.Conformance.NativeFs.ListNames(local));
            Assert.Equal([(byte)'s', (byte)'u', (byte)'b', (byte)'_', 0xFF], Bisync.Tests.Conformance.RawNames.Encode(sub));
            var file = Assert.Single(Bisync.Tests.Conformance.NativeFs.ListNames(local + "/" + sub));
            byte[] want = [.. "raw_"u8, 0x81, (byte)'_', 0xFE, .. "_ü.txt"u8];
            Assert.Equal(want, Bisync.Tests.Conformance.RawNames.Encode(file));
        }
        finally
        {
            Bisync.Tests.Conformance.NativeFs.RemoveAll(local);
        }
    }

    [Fact]
    public async Task Md5_comes_from_the_etag()
    {
        var data = RemoteTestEnv.RandomBytes(12345, 5);
        await PutBytesAsync("h.bin", data);
        var expected = "md5:" + Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(data));
        Assert.Equal(expected, (await S.StatAsync("h.bin", None))!.Value.Hash);
    }
}

public sealed class LocalConformanceTests : StorageConformanceTests
{
    private string? _dir;

    protected override Task<IStorage> OpenFreshAsync(string unique)
    {
        _dir = Path.Combine(RemoteTestEnv.TempDir("local"), unique);
        Directory.CreateDirectory(_dir); // the local backend works inside an existing root
        // through the remote opener, as the command line will: a plain path goes to the local backend
        return RemoteTestEnv.Opener().OpenAsync(_dir, CancellationToken.None);
    }

    [Fact]
    public void Plain_paths_open_the_local_backend()
    {
        Assert.Equal("local", S.Type);
        Assert.True(S.Features.IsLocal);
    }

    [Fact]
    public async Task Local_type_remote_opens_the_local_backend_too()
    {
        var dir = RemoteTestEnv.TempDir("localremote");
        var conf = Path.Combine(dir, "rclone.conf");
        File.WriteAllText(conf, "[loc]\ntype = local\n\n[al]\ntype = alias\nremote = loc:" + dir + "/aliased\n");
        Directory.CreateDirectory(Path.Combine(dir, "aliased", "sub"));
        await using var s = await RemoteTestEnv.Opener(conf).OpenAsync("al:sub", CancellationToken.None);
        Assert.Equal("local", s.Type);
        await s.PutAsync("f.txt", new MemoryStream([1]), 1, SampleTime, CancellationToken.None);
        Assert.True(File.Exists(Path.Combine(dir, "aliased", "sub", "f.txt")));
        Directory.Delete(dir, true);
    }
}
