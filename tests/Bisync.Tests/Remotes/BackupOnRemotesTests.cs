using Bisync.Engine;
using Bisync.Logging;
using Xunit;

namespace Bisync.Tests.Remotes;

/// <summary>--backup-dir2 with Path2 on the sftp and s3 test servers: the old versions land in the backup folder, moved server-side.</summary>
public class BackupOnRemotesTests : IDisposable
{
    private readonly string _dir = RemoteTestEnv.TempDir("backup");
    private readonly string _config;
    private static readonly CancellationToken None = CancellationToken.None;

    public BackupOnRemotesTests() => _config = RemoteTestEnv.WriteConfig(_dir);

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    public static TheoryData<string> Remotes() => new() { "sftpt", "s3t" };

    private async Task<(int Code, List<string> Log)> RunAsync(BisyncOptions options)
    {
        var lines = new List<string>();
        using var log = Logger.Silent(LogLevel.Info);
        log.Sink = l => { lock (lines) lines.Add(l); };
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var result = await new BisyncEngine(RemoteTestEnv.Opener(_config), log).RunAsync(options, cts.Token);
        if (result.Error is not null) lines.Add("RESULT: " + result.Error);
        return (result.ExitCode, lines);
    }

    [Theory]
    [MemberData(nameof(Remotes))]
    public async Task Overwritten_and_deleted_path2_files_are_moved_server_side_to_backup_dir2(string remote)
    {
        var unique = "bak-" + Guid.NewGuid().ToString("N")[..10];
        var top = remote == "s3t" ? $"s3t:{RemoteTestEnv.S3Bucket}/{unique}" : $"sftpt:{unique}";
        var path2 = top + "/sync";
        var backup = top + "/old";
        var local = Path.Combine(_dir, "path1");
        var workdir = Path.Combine(_dir, "work");
        var t0 = new DateTime(2022, 5, 6, 7, 0, 0, DateTimeKind.Utc);
        Tests.Support.TempTree.Write(local, "sub/a.txt", "a v1", t0);
        Tests.Support.TempTree.Write(local, "gone.txt", "to delete", t0);
        Tests.Support.TempTree.Write(local, "keep.txt", "kept", t0);
        await using (var s = await RemoteTestEnv.Opener(_config).OpenAsync(path2, None))
            await s.MkdirAsync("", None);
        var options = new BisyncOptions { Path1 = local, Path2 = path2, Workdir = workdir };
        var (code, log) = await RunAsync(options with { Resync = true });
        Assert.True(code == 0, string.Join("\n", log));

        Tests.Support.TempTree.Write(local, "sub/a.txt", "a v2, longer", t0.AddHours(1));
        File.Delete(Path.Combine(local, "gone.txt"));
        (code, log) = await RunAsync(options with { BackupDir2 = backup, Suffix = "-1", SuffixKeepExtension = true });
        Assert.True(code == 0, string.Join("\n", log));
        Assert.Contains(log, l => l.Contains("sub/a.txt: Moved (server-side) to: "));

        await using var b = await RemoteTestEnv.Opener(_config).OpenAsync(backup, None);
        await using (var a = await b.OpenReadAsync("sub/a-1.txt", None))
            Assert.Equal("a v1", await new StreamReader(a).ReadToEndAsync());
        await using (var g = await b.OpenReadAsync("gone-1.txt", None))
            Assert.Equal("to delete", await new StreamReader(g).ReadToEndAsync());
        await using var p2 = await RemoteTestEnv.Opener(_config).OpenAsync(path2, None);
        Assert.Null(await p2.StatAsync("gone.txt", None));
        Assert.Equal(12, (await p2.StatAsync("sub/a.txt", None))!.Value.Size);

        // A backup folder inside Path2 is refused before anything changes.
        (code, log) = await RunAsync(options with { BackupDir2 = path2 + "/old" });
        Assert.Equal(2, code);
        Assert.Contains(log, l => l.Contains("overlaps Path2"));
    }
}
