using System.Diagnostics;
using Bisync.Engine;
using Bisync.Logging;
using Bisync.Remotes.Rclone;
using Bisync.Storage;
using Xunit;

namespace Bisync.Tests.Remotes;

/// <summary>
/// The bisync engine with Path2 through the rclone backend, on servers that keep no modification
/// times (plain WebDAV): changes there are seen by size; plus the daemon's lifetime and interop with
/// rclone bisync on the same pair.
/// </summary>
public class RcloneEngineTests : IDisposable
{
    private readonly string _dir = RemoteTestEnv.TempDir("rengine");
    private static readonly CancellationToken None = CancellationToken.None;

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    public static TheoryData<string> WebdavServers() => new() { "rclone-webdav", "apache-webdav" };

    private static void WriteLocal(string root, string rel, string text, DateTime when)
    {
        var p = Path.Combine(root, rel);
        Directory.CreateDirectory(Path.GetDirectoryName(p)!);
        File.WriteAllText(p, text);
        File.SetLastWriteTimeUtc(p, when);
    }

    private static async Task<(int Code, List<string> Log)> RunAsync(string config, string path1, string path2, string workdir, bool resync, bool forAll = false)
    {
        var lines = new List<string>();
        using var log = Logger.Silent(LogLevel.Info);
        log.Sink = l => { lock (lines) lines.Add(l); };
        var engine = new BisyncEngine(RcloneTestEnv.Opener(config, forAll: forAll), log);
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var result = await engine.RunAsync(new BisyncOptions { Path1 = path1, Path2 = path2, Workdir = workdir, Resync = resync }, cts.Token);
        return (result.ExitCode, lines);
    }

    [Theory]
    [MemberData(nameof(WebdavServers))]
    public async Task Webdav_without_times_resync_then_changes_by_size_converge(string backend)
    {
        var config = RcloneTestEnv.WriteConfig(_dir, backend);
        var path2 = RcloneTestEnv.Root(backend, "eng-" + Guid.NewGuid().ToString("N")[..10]);
        var local = Path.Combine(_dir, "path1");
        var workdir = Path.Combine(_dir, "work");
        var t = new DateTime(2022, 5, 6, 7, 0, 0, DateTimeKind.Utc);
        WriteLocal(local, "a.txt", "a v1", t);
        WriteLocal(local, "sub dir/b ü.txt", "b v1", t);
        WriteLocal(local, "gone.txt", "to delete", t);
        await using (var s = await RcloneTestEnv.Opener(config, forAll: false).OpenAsync(path2, None))
        {
            Assert.Equal("webdav", s.Type); // not a native type: through rclone without --rclone-backend
            Assert.NotNull(s.Capability<RcloneStorage>());
            await s.MkdirAsync("", None);
        }

        var (code, log) = await RunAsync(config, local, path2, workdir, resync: true);
        Assert.True(code == 0, string.Join("\n", log));

        await using (var s = await RcloneTestEnv.Opener(config).OpenAsync(path2, None))
        {
            Assert.Equal("b v1", RemoteTestEnv.Utf8(await RemoteTestEnv.ReadAllAsync(s, "sub dir/b ü.txt")));
            // a change on the server: another size (the server keeps its own time)
            await s.PutAsync("a.txt", new MemoryStream("a v2 from remote"u8.ToArray()), 16, 0, None);
        }
        WriteLocal(local, "c.txt", "c new", t);
        File.Delete(Path.Combine(local, "gone.txt"));

        (code, log) = await RunAsync(config, local, path2, workdir, resync: false);
        Assert.True(code == 0, string.Join("\n", log));
        Assert.Equal("a v2 from remote", File.ReadAllText(Path.Combine(local, "a.txt")));
        await using (var s = await RcloneTestEnv.Opener(config).OpenAsync(path2, None))
        {
            Assert.Equal("c new", RemoteTestEnv.Utf8(await RemoteTestEnv.ReadAllAsync(s, "c.txt")));
            Assert.Null(await s.StatAsync("gone.txt", None));
        }

        // rclone bisync 1.60.1 itself refuses a path without modification times (ours syncs by size there)
        var (rc, _, err) = RemoteTestEnv.Rclone(config, "bisync", local, path2, "--workdir", workdir);
        Assert.NotEqual(0, rc);
        Assert.Contains("modification time support is missing on path2", err);
    }

    /// <summary>
    /// rclone bisync 1.60.1 and our engine through the rclone backend take turns on one pair and one
    /// working directory: each reads the other's listings and finds exactly the changes made since
    /// (none where there are none). Not on WebDAV: rclone bisync 1.60.1 refuses a path without
    /// modification times (<see cref="Webdav_without_times_resync_then_changes_by_size_converge"/>).
    /// </summary>
    [Theory]
    [InlineData("sftp")]
    [InlineData("s3")]
    [InlineData("ftp")]
    public async Task Rclone_bisync_and_ours_take_turns_through_rclone(string backend)
    {
        var config = RcloneTestEnv.WriteConfig(_dir, backend);
        var path2 = RcloneTestEnv.Root(backend, "int-" + Guid.NewGuid().ToString("N")[..10]);
        var local = Path.Combine(_dir, "p1");
        var workdir = Path.Combine(_dir, "w");
        WriteLocal(local, "x.txt", "x", new DateTime(2022, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        WriteLocal(local, "d/y.txt", "yy", new DateTime(2022, 1, 2, 0, 0, 0, DateTimeKind.Utc));
        await using (var s = await RcloneTestEnv.Opener(config).OpenAsync(path2, None)) await s.MkdirAsync("", None);
        try
        {
            var (code, lines) = await RunAsync(config, local, path2, workdir, resync: true, forAll: true);
            Assert.True(code == 0, string.Join("\n", lines));

            // rclone after our resync: our listings are its prior state, and nothing changed since
            var (rc, _, err) = RemoteTestEnv.Rclone(config, "bisync", local, path2, "--workdir", workdir, "-v");
            Assert.True(rc == 0, err);
            Assert.Contains("No changes found", err);

            // a change on each side, synced by us; then rclone again finds nothing to do
            WriteLocal(local, "new local.txt", "from path1", new DateTime(2022, 2, 1, 0, 0, 0, DateTimeKind.Utc));
            await using (var s = await RcloneTestEnv.Opener(config).OpenAsync(path2, None))
                await s.PutAsync("d/new remote.txt", new MemoryStream("from path2"u8.ToArray()), 10, 1_644_000_000_000_000_000L, None);
            (code, lines) = await RunAsync(config, local, path2, workdir, resync: false, forAll: true);
            Assert.True(code == 0, string.Join("\n", lines));
            Assert.Equal("from path2", File.ReadAllText(Path.Combine(local, "d", "new remote.txt")));
            (rc, _, err) = RemoteTestEnv.Rclone(config, "bisync", local, path2, "--workdir", workdir, "-v");
            Assert.True(rc == 0, err);
            Assert.Contains("No changes found", err);

            // a change synced by rclone; then our engine reads rclone's listings and finds nothing to do
            WriteLocal(local, "x.txt", "x changed", new DateTime(2022, 3, 1, 0, 0, 0, DateTimeKind.Utc));
            (rc, _, err) = RemoteTestEnv.Rclone(config, "bisync", local, path2, "--workdir", workdir, "-v");
            Assert.True(rc == 0, err);
            Assert.Contains("x.txt", err);
            (code, lines) = await RunAsync(config, local, path2, workdir, resync: false, forAll: true);
            Assert.True(code == 0, string.Join("\n", lines));
            Assert.Contains(lines, l => l.Contains("No changes found", StringComparison.Ordinal));
            await using (var s = await RcloneTestEnv.Opener(config).OpenAsync(path2, None))
                Assert.Equal("x changed", RemoteTestEnv.Utf8(await RemoteTestEnv.ReadAllAsync(s, "x.txt")));
        }
        finally
        {
            RemoteTestEnv.Rclone(config, "purge", path2);
        }
    }

    [Fact]
    public async Task The_daemon_stops_with_its_last_storage_and_when_our_end_of_the_pipe_closes()
    {
        var config = RcloneTestEnv.WriteConfig(_dir, "rclone-webdav");
        var opener = RcloneTestEnv.Opener(config);
        var a = await opener.OpenAsync(RcloneTestEnv.Root("rclone-webdav", "life-a"), None);
        var b = await opener.OpenAsync(RcloneTestEnv.Root("rclone-webdav", "life-b"), None);
        var daemon = a.Capability<RcloneStorage>()!.Daemon!;
        Assert.Same(daemon, b.Capability<RcloneStorage>()!.Daemon); // one daemon per opener
        Assert.True(daemon.RclonePid > 0);
        using var rclone = Process.GetProcessById(daemon.RclonePid);
        // never without credentials, only on 127.0.0.1
        var cmdline = File.ReadAllText($"/proc/{daemon.RclonePid}/cmdline").Replace('\0', ' ');
        Assert.Contains("--rc-addr 127.0.0.1:", cmdline);
        Assert.DoesNotContain("--rc-no-auth", cmdline);
        Assert.DoesNotContain("--rc-pass", cmdline);
        using (var anonymous = new HttpClient())
        {
            var resp = await anonymous.PostAsync(daemon.BaseAddress + "rc/noopauth", new StringContent("{}"));
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, resp.StatusCode);
        }
        await a.DisposeAsync();
        Assert.False(rclone.HasExited); // b still uses it
        await b.DisposeAsync();
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            await rclone.WaitForExitAsync(cts.Token);

        // the parent-death path: what the kernel does when this process dies is close our end of the
        // watcher's stdin pipe; rclone must go without any call from us
        var c = await opener.OpenAsync(RcloneTestEnv.Root("rclone-webdav", "life-c"), None);
        var d2 = c.Capability<RcloneStorage>()!.Daemon!;
        using var rclone2 = Process.GetProcessById(d2.RclonePid);
        d2.CloseWatcherPipe();
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            await rclone2.WaitForExitAsync(cts.Token);
        await c.DisposeAsync();
    }

    [Fact]
    public async Task Unknown_backend_type_is_one_clear_line()
    {
        var config = Path.Combine(_dir, "rclone.conf");
        File.WriteAllText(config, "[odd]\ntype = nosuchbackend\n");
        var ex = await Assert.ThrowsAsync<UserException>(() => RcloneTestEnv.Opener(config, forAll: false).OpenAsync("odd:x", None));
        Assert.Contains("didn't find backend called \"nosuchbackend\"", ex.Message);
        Assert.DoesNotContain("\n", ex.Message);
    }

    [Fact]
    public async Task Missing_rclone_binary_is_one_clear_line()
    {
        var config = Path.Combine(_dir, "rclone.conf");
        File.WriteAllText(config, "[w]\ntype = webdav\nurl = http://127.0.0.1:9\n");
        var opener = new Bisync.Remotes.RemoteStorageOpener(new Bisync.Remotes.RemoteOptions
        {
            ConfigPath = config,
            ConnectTimeout = TimeSpan.FromSeconds(20),
            Environment = RemoteTestEnv.CleanEnv(),
            Rclone = new RcloneOptions { Binary = Path.Combine(_dir, "no-rclone-here") },
        }, LocalOpener.Create());
        var ex = await Assert.ThrowsAsync<UserException>(() => opener.OpenAsync("w:x", None));
        Assert.Contains("rclone", ex.Message);
        Assert.DoesNotContain("\n", ex.Message);
    }
}
