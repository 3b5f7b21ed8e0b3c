using Bisync.Engine;
using Bisync.Logging;
using Bisync.Storage;
using Xunit;

namespace Bisync.Tests.Remotes;

/// <summary>The bisync engine with Path2 on the real sftp and s3 test servers, opened through RemoteStorageOpener.</summary>
public class EngineOnRemotesTests : IDisposable
{
    private readonly string _dir = RemoteTestEnv.TempDir("engine");
    private readonly string _config;
    private static readonly CancellationToken None = CancellationToken.None;

    public EngineOnRemotesTests() => _config = RemoteTestEnv.WriteConfig(_dir);

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    public static TheoryData<string> Remotes() => new() { "sftpt", "s3t" };

    private static DateTime T(int minutes) => new DateTime(2022, 5, 6, 7, 0, 0, DateTimeKind.Utc).AddMinutes(minutes);

    private static long Ns(DateTime t) => (t - DateTime.UnixEpoch).Ticks * 100;

    private void WriteLocal(string root, string rel, string text, DateTime when)
    {
        var p = Path.Combine(root, rel);
        Directory.CreateDirectory(Path.GetDirectoryName(p)!);
        File.WriteAllText(p, text);
        File.SetLastWriteTimeUtc(p, when);
    }

    private async Task<(int Code, List<string> Log)> RunAsync(string path1, string path2, string workdir, bool resync)
    {
        var lines = new List<string>();
        using var log = Logger.Silent(LogLevel.Info);
        log.Sink = l => { lock (lines) lines.Add(l); };
        var engine = new BisyncEngine(RemoteTestEnv.Opener(_config, l => { lock (lines) lines.Add("REMOTE: " + l); }), log);
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var result = await engine.RunAsync(new BisyncOptions { Path1 = path1, Path2 = path2, Workdir = workdir, Resync = resync }, cts.Token);
        return (result.ExitCode, lines);
    }

    [Theory]
    [MemberData(nameof(Remotes))]
    public async Task Resync_then_changes_on_both_sides_converge(string remote)
    {
        var unique = "eng-" + Guid.NewGuid().ToString("N")[..10];
        var path2 = remote == "s3t" ? $"s3t:{RemoteTestEnv.S3Bucket}/{unique}" : $"sftpt:{unique}";
        var local = Path.Combine(_dir, "path1");
        var workdir = Path.Combine(_dir, "work");
        WriteLocal(local, "a.txt", "a v1", T(1));
        WriteLocal(local, "sub dir/b ü.txt", "b v1", T(2));
        WriteLocal(local, "gone.txt", "to delete", T(3));

        await using (var s = await RemoteTestEnv.Opener(_config).OpenAsync(path2, None))
            await s.MkdirAsync("", None);

        var (code, log) = await RunAsync(local, path2, workdir, resync: true);
        Assert.True(code == 0, string.Join("\n", log));
        Assert.Contains(log, l => l.Contains($"with Path2 \"{path2}/\""));

        await using (var s = await RemoteTestEnv.Opener(_config).OpenAsync(path2, None))
        {
            var b = await s.StatAsync("sub dir/b ü.txt", None);
            Assert.Equal(4, b!.Value.Size);
            Assert.Equal(Ns(T(2)), b.Value.ModTime);
            // a change made on the remote side
            await s.PutAsync("a.txt", new MemoryStream("a v2 from remote"u8.ToArray()), 16, Ns(T(10)), None);
        }
        // changes made on the local side
        WriteLocal(local, "c.txt", "c new", T(11));
        File.Delete(Path.Combine(local, "gone.txt"));

        (code, log) = await RunAsync(local, path2, workdir, resync: false);
        Assert.True(code == 0, string.Join("\n", log));

        Assert.Equal("a v2 from remote", File.ReadAllText(Path.Combine(local, "a.txt")));
        Assert.Equal(T(10), File.GetLastWriteTimeUtc(Path.Combine(local, "a.txt")));
        await using (var s = await RemoteTestEnv.Opener(_config).OpenAsync(path2, None))
        {
            Assert.Equal("c new", RemoteTestEnv.Utf8(await RemoteTestEnv.ReadAllAsync(s, "c.txt")));
            Assert.Equal(Ns(T(11)), (await s.StatAsync("c.txt", None))!.Value.ModTime);
            Assert.Null(await s.StatAsync("gone.txt", None));
        }

        // the listing files carry rclone's names for the pair
        var session = SessionNames.Canonical(local + "/") + ".." + SessionNames.Canonical(path2 + "/");
        Assert.True(File.Exists(Path.Combine(workdir, session + ".path1.lst")), string.Join(", ", Directory.GetFiles(workdir)));
        Assert.True(File.Exists(Path.Combine(workdir, session + ".path2.lst")));

        // and a run with nothing changed finds nothing to do
        (code, log) = await RunAsync(local, path2, workdir, resync: false);
        Assert.True(code == 0, string.Join("\n", log));
        Assert.Contains(log, l => l.Contains("No changes found"));
        var retries = log.Where(l => l.Contains("low level retry")).ToList();
        Assert.True(retries.Count == 0, string.Join("\n", retries));
    }

    /// <summary>The listing lines without the header and the hash column (rclone fills it with MD5s; see the report).</summary>
    private static List<string> ListingBody(string file) =>
        File.ReadAllLines(file).Where(l => !l.StartsWith('#')).Select(l =>
        {
            var f = l.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // flags size hash id modtime "path"
            return string.Join(' ', f[0], f[1], f[3], f[4], string.Join(' ', f[5..]));
        }).ToList();

    [Theory]
    [MemberData(nameof(Remotes))]
    public async Task Resync_listings_match_rclone_on_the_same_server(string remote)
    {
        var local = Path.Combine(_dir, "tree");
        WriteLocal(local, "a.txt", "alpha", T(1).AddTicks(1234567));
        WriteLocal(local, "sub dir/b ü.txt", "beta beta", T(2));
        WriteLocal(local, "sub dir/deeper/c.bin", new string('c', 5000), T(3).AddTicks(5));
        string Root(string tag) => remote == "s3t" ? $"s3t:{RemoteTestEnv.S3Bucket}/{tag}" : $"sftpt:{tag}";
        var theirs = Root("orc-rclone-" + Guid.NewGuid().ToString("N")[..8]);
        var ours = Root("orc-ours-" + Guid.NewGuid().ToString("N")[..8]);
        var wdRclone = Path.Combine(_dir, "wd-rclone");
        var wdOurs = Path.Combine(_dir, "wd-ours");

        if (remote == "sftpt")
        {
            var (mk, _, mkErr) = RemoteTestEnv.Rclone(_config, "mkdir", theirs);
            Assert.True(mk == 0, mkErr);
        }
        var (code, _, err) = RemoteTestEnv.Rclone(_config, "bisync", local, theirs, "--resync", "--workdir", wdRclone);
        Assert.True(code == 0, err);

        await using (var s = await RemoteTestEnv.Opener(_config).OpenAsync(ours, None))
            await s.MkdirAsync("", None);
        var (ourCode, log) = await RunAsync(local, ours, wdOurs, resync: true);
        Assert.True(ourCode == 0, string.Join("\n", log));

        string Lst(string wd, string p2, int side) =>
            Path.Combine(wd, SessionNames.Canonical(local + "/") + ".." + SessionNames.Canonical(p2 + "/") + $".path{side}.lst");
        Assert.True(File.Exists(Lst(wdRclone, theirs, 2)), string.Join(", ", Directory.GetFiles(wdRclone)));
        // Path1 (local): exactly as rclone writes it.
        Assert.Equal(ListingBody(Lst(wdRclone, theirs, 1)), ListingBody(Lst(wdOurs, ours, 1)));
        // Path2: the times the remote kept (whole seconds on sftp), exactly as rclone 1.60.1 records them.
        Assert.Equal(ListingBody(Lst(wdRclone, theirs, 2)), ListingBody(Lst(wdOurs, ours, 2)));

        // and the objects themselves: what rclone and we stored on the server agree
        await using var mine = await RemoteTestEnv.Opener(_config).OpenAsync(ours, None);
        await using var rclones = await RemoteTestEnv.Opener(_config).OpenAsync(theirs, None);
        foreach (var p in new[] { "a.txt", "sub dir/b ü.txt", "sub dir/deeper/c.bin" })
        {
            var a = (await mine.StatAsync(p, None))!.Value;
            var b = (await rclones.StatAsync(p, None))!.Value;
            Assert.Equal((b.Size, b.ModTime, b.Hash), (a.Size, a.ModTime, a.Hash));
        }
    }

    /// <summary>
    /// A level that holds only sub-folders whose children are only sub-folders (a/b/c/file): s3rver
    /// answers a delimiter listing of such a level with nothing, which once made the whole Path2
    /// listing empty. Listing the key space flat (as rclone's ListR does) does not depend on it.
    /// </summary>
    [Theory]
    [MemberData(nameof(Remotes))]
    public async Task Deeply_nested_trees_list_completely(string remote)
    {
        var unique = "deep-" + Guid.NewGuid().ToString("N")[..10];
        var path2 = remote == "s3t" ? $"s3t:{RemoteTestEnv.S3Bucket}/{unique}" : $"sftpt:{unique}";
        var local = Path.Combine(_dir, "deep1");
        var workdir = Path.Combine(_dir, "deepwork");
        for (var i = 0; i < 12; i++) WriteLocal(local, $"d{i / 6}/e{i / 3}/f{i}.txt", $"file {i}", T(i));
        await using (var s = await RemoteTestEnv.Opener(_config).OpenAsync(path2, None))
            await s.MkdirAsync("", None);

        var (code, log) = await RunAsync(local, path2, workdir, resync: true);
        Assert.True(code == 0, string.Join("\n", log));
        (code, log) = await RunAsync(local, path2, workdir, resync: false);
        Assert.True(code == 0, string.Join("\n", log));
        Assert.Contains("INFO  : No changes found", log);
        var listing = File.ReadAllLines(Directory.GetFiles(workdir, "*.path2.lst").Single());
        Assert.Equal(12, listing.Count(l => !l.StartsWith('#')));
    }
}
