using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Bisync.Engine;
using Bisync.Filters;
using Bisync.Logging;
using Bisync.Storage;
using Bisync.Storage.Local;
using Bisync.Tests.Support;

namespace Bisync.UnitTests.Engine;

public class ChecksumTests
{
    private static async Task<(BisyncResult Result, List<string> Log)> RunAsync(TempTree t, bool resync = false, bool checksum = true)
    {
        var lines = new List<string>();
        var log = Logger.Silent(LogLevel.Info);
        log.Sink = lines.Add;
        var result = await new BisyncEngine(new LocalStorageOpener(), log).RunAsync(new BisyncOptions
        {
            Path1 = t.Path1, Path2 = t.Path2, Workdir = t.Workdir, Resync = resync, Checksum = checksum,
        }, CancellationToken.None);
        return (result, lines);
    }

    private static async Task<TempTree> InSyncAsync()
    {
        var t = new TempTree();
        for (var i = 0; i < 5; i++) t.WriteBoth($"f{i}.txt", $"content {i}");
        Assert.Equal(0, (await RunAsync(t, resync: true)).Result.ExitCode);
        return t;
    }

    [Fact]
    public async Task A_touched_but_unchanged_file_is_no_change()
    {
        using var t = await InSyncAsync();
        File.SetLastWriteTimeUtc(Path.Combine(t.Path1, "f1.txt"), new DateTime(2010, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var (r, log) = await RunAsync(t);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("INFO  : No changes found", log);
        Assert.Contains(File.ReadLines(Directory.GetFiles(t.Workdir, "*.path1.lst").Single()), l => l.Contains(" md5:") && l.EndsWith("\"f1.txt\""));
    }

    [Fact]
    public async Task Same_size_same_time_other_content_is_found_and_copied()
    {
        using var t = await InSyncAsync();
        TempTree.Write(t.Path2, "f2.txt", "CONTENT 2"); // same length, same time as before
        var (r, log) = await RunAsync(t);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains(log, l => l.Contains("File hash differs") && l.EndsWith("f2.txt"));
        Assert.Equal("CONTENT 2", File.ReadAllText(Path.Combine(t.Path1, "f2.txt")));
    }

    /// <summary>Counts how often file content is read.</summary>
    private sealed class CountingStorage(LocalStorage inner) : DelegatingStorage(inner), ISyncLister
    {
        public int Reads;
        public IEnumerable<StorageEntry> ListDirectory(string dir) => Inner.ListDirectory(dir);
        public override Task<Stream> OpenReadAsync(string path, CancellationToken ct)
        {
            Interlocked.Increment(ref Reads);
            return Inner.OpenReadAsync(path, ct);
        }
    }

    /// <summary>A side whose server hashes files itself (as sftp's md5sum), counting reads and server hashes.</summary>
    private sealed class ServerHashingStorage(LocalStorage inner) : DelegatingStorage(inner), ISyncLister, IServerHasher
    {
        public int Reads, ServerHashes;
        public IEnumerable<StorageEntry> ListDirectory(string dir) => Inner.ListDirectory(dir);
        public override Task<Stream> OpenReadAsync(string path, CancellationToken ct)
        {
            Interlocked.Increment(ref Reads);
            return Inner.OpenReadAsync(path, ct);
        }

        public async Task<string?> HashAsync(string path, string hashType, CancellationToken ct)
        {
            Interlocked.Increment(ref ServerHashes);
            await using var s = await Inner.OpenReadAsync(path, ct);
            return Convert.ToHexStringLower(await System.Security.Cryptography.MD5.HashDataAsync(s, ct));
        }
    }

    [Fact]
    public async Task A_side_that_may_not_be_read_still_gets_the_hashes_its_server_computes()
    {
        using var t = new TempTree();
        for (var i = 0; i < 4; i++) TempTree.Write(t.Path1, $"f{i}.txt", $"content {i}");
        var server = new ServerHashingStorage(new LocalStorage(t.Path1));
        var reading = new CountingStorage(new LocalStorage(t.Path1));
        var listing = await TreeLister.ListAsync(server, IncludeAllFilter.Instance, 2, CancellationToken.None, null, fileIds: true);

        // mayRead false (a remote without --download-hash): the server's hashes, nothing read.
        var (hashed, _) = await Hasher.HashAsync(server, listing, new HashCache(Path.Combine(t.Workdir, "c1")), 2, CancellationToken.None, mayRead: false);
        Assert.Equal(0, server.Reads);
        Assert.Equal(4, server.ServerHashes);
        Assert.Equal("md5:" + Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData("content 2"u8.ToArray())),
            hashed.Entries.Single(e => e.Path == "f2.txt").Hash);

        // Without a server that hashes, such a side stays without hashes, and nothing is read.
        var (plain, _) = await Hasher.HashAsync(reading, listing, new HashCache(Path.Combine(t.Workdir, "c2")), 2, CancellationToken.None, mayRead: false);
        Assert.Equal(0, reading.Reads);
        Assert.All(plain.Entries, e => Assert.Equal("-", e.Hash));
    }

    [Fact]
    public async Task The_hash_cache_spares_reading_unchanged_files()
    {
        using var t = new TempTree();
        for (var i = 0; i < 20; i++) TempTree.Write(t.Path1, $"d/f{i}.txt", $"content {i}");
        var storage = new CountingStorage(new LocalStorage(t.Path1));
        var cacheFile = Path.Combine(t.Workdir, "cache");

        async Task<Listing.FileListing> HashOnce()
        {
            var listing = await TreeLister.ListAsync(storage, IncludeAllFilter.Instance, 2, CancellationToken.None, null, fileIds: true);
            var cache = new HashCache(cacheFile);
            var (hashed, read) = await Hasher.HashAsync(storage, listing, cache, 2, CancellationToken.None);
            cache.Save(hashed, read);
            return hashed;
        }

        var first = await HashOnce();
        Assert.Equal(20, storage.Reads);
        Assert.All(first.Entries, e => Assert.StartsWith("md5:", e.Hash));
        var saved = File.GetLastWriteTimeUtc(cacheFile);
        File.SetLastWriteTimeUtc(cacheFile, saved.AddHours(-1));
        var second = await HashOnce();
        Assert.Equal(20, storage.Reads); // nothing read again
        Assert.Equal(first.Entries, second.Entries);
        Assert.Equal(saved.AddHours(-1), File.GetLastWriteTimeUtc(cacheFile)); // nor written again

        // a cache edited out of order is used up to the first line out of place; the files after
        // it are read again, and the cache is saved in order
        var lines = File.ReadAllLines(cacheFile);
        Assert.Equal(lines.OrderBy(l => l[(l.IndexOf('"'))..], StringComparer.Ordinal), lines);
        File.WriteAllLines(cacheFile, lines.Take(5).Append(lines[0]).Concat(lines.Skip(5)));
        await HashOnce();
        Assert.Equal(35, storage.Reads);
        Assert.Equal(lines, File.ReadAllLines(cacheFile));
        await HashOnce();
        Assert.Equal(35, storage.Reads);
        TempTree.Write(t.Path1, "d/f3.txt", "changed!!", new DateTime(2003, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var third = await HashOnce();
        Assert.Equal(36, storage.Reads); // only the changed file
        Assert.NotEqual(first.Entries.Single(e => e.Path == "d/f3.txt").Hash, third.Entries.Single(e => e.Path == "d/f3.txt").Hash);
        Assert.Equal("md5:" + Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData("changed!!"u8.ToArray())),
            third.Entries.Single(e => e.Path == "d/f3.txt").Hash);
    }
}
