using Bisync.Engine;
using Bisync.Logging;
using Bisync.Storage;
using Xunit;

namespace Bisync.Tests.Remotes;

/// <summary>
/// --create-empty-src-dirs with Path2 on the test servers. SFTP has directories: empty ones are
/// mirrored both ways as between local paths. S3 has none of its own (a "folder" is a key prefix,
/// there only while an object is under it): the s3 side lists no directories and gets none made or
/// removed, so an empty local folder stays local, and the runs succeed and settle.
/// </summary>
public class EmptySrcDirsOnRemotesTests : IDisposable
{
    private readonly string _dir = RemoteTestEnv.TempDir("emptydirs");
    private readonly string _config;
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTime T0 = new(2022, 5, 6, 7, 0, 0, DateTimeKind.Utc);

    public EmptySrcDirsOnRemotesTests() => _config = RemoteTestEnv.WriteConfig(_dir);

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private string Local => Path.Combine(_dir, "path1");
    private string Workdir => Path.Combine(_dir, "work");

    private async Task<(int Code, List<string> Log)> RunAsync(string path2, bool resync = false, bool dirs = true, bool dryRun = false)
    {
        var lines = new List<string>();
        using var log = Logger.Silent(LogLevel.Info);
        log.Sink = l => { lock (lines) lines.Add(l); };
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var options = new BisyncOptions { Path1 = Local, Path2 = path2, Workdir = Workdir, Resync = resync, CreateEmptySrcDirs = dirs, DryRun = dryRun };
        var result = await new BisyncEngine(RemoteTestEnv.Opener(_config), log).RunAsync(options, cts.Token);
        if (result.Error is not null) lines.Add("RESULT: " + result.Error);
        return (result.ExitCode, lines);
    }

    private async Task OkAsync(string path2, bool resync = false, bool dirs = true, bool dryRun = false)
    {
        var (code, log) = await RunAsync(path2, resync, dirs, dryRun);
        Assert.True(code == 0, string.Join("\n", log));
    }

    private List<string> LocalDirs() =>
        Directory.EnumerateDirectories(Local, "*", SearchOption.AllDirectories)
            .Select(d => Path.GetRelativePath(Local, d)).Order(StringComparer.Ordinal).ToList();

    /// <summary>Every directory the remote lists below its root (walked as the engine walks).</summary>
    private async Task<List<string>> RemoteDirsAsync(string path2)
    {
        await using var s = await RemoteTestEnv.Opener(_config).OpenAsync(path2, None);
        var found = new List<string>();
        var todo = new Queue<string>([""]);
        while (todo.TryDequeue(out var dir))
        {
            await foreach (var e in s.ListAsync(dir, None))
            {
                if (!e.IsDir) continue;
                found.Add(e.Path);
                todo.Enqueue(e.Path);
            }
        }
        return [.. found.Order(StringComparer.Ordinal)];
    }

    private string[] Listing(int side) =>
        File.ReadAllLines(Directory.GetFiles(Workdir, $"*.path{side}.lst").Single()).Skip(1).ToArray();

    private async Task<string> FreshRemoteAsync(string remote)
    {
        var unique = "ced-" + Guid.NewGuid().ToString("N")[..10];
        var path2 = remote == "s3t" ? $"s3t:{RemoteTestEnv.S3Bucket}/{unique}" : $"sftpt:{unique}";
        await using var s = await RemoteTestEnv.Opener(_config).OpenAsync(path2, None);
        await s.MkdirAsync("", None);
        return path2;
    }

    [Fact]
    public async Task On_sftp_empty_folders_are_made_and_removed_both_ways_and_a_dry_run_or_a_run_without_the_flag_leaves_them()
    {
        var path2 = await FreshRemoteAsync("sftpt");
        Support.TempTree.Write(Local, "top.txt", "top", T0);
        Support.TempTree.Write(Local, "full/f.txt", "in a folder", T0);
        Directory.CreateDirectory(Path.Combine(Local, "empty1/inner"));
        await OkAsync(path2, resync: true);
        Assert.Equal(["empty1", "empty1/inner", "full"], await RemoteDirsAsync(path2));
        Assert.Contains(Listing(2), l => l.StartsWith("d       -1 - - ", StringComparison.Ordinal) && l.EndsWith("\"empty1/inner\"", StringComparison.Ordinal));

        // Made on sftp, deleted locally: mirrored.
        await using (var s = await RemoteTestEnv.Opener(_config).OpenAsync(path2, None))
            await s.MkdirAsync("from2/x", None);
        Directory.Delete(Path.Combine(Local, "empty1"), recursive: true);
        await OkAsync(path2);
        Assert.Equal(["from2", "from2/x", "full"], LocalDirs());
        Assert.Equal(["from2", "from2/x", "full"], await RemoteDirsAsync(path2));

        // Deleted on sftp: removed locally.
        await using (var s = await RemoteTestEnv.Opener(_config).OpenAsync(path2, None))
        {
            await s.RmdirAsync("from2/x", None);
            await s.RmdirAsync("from2", None);
        }
        await OkAsync(path2);
        Assert.Equal(["full"], LocalDirs());

        // A dry run makes nothing; neither does a run without the flag.
        Directory.CreateDirectory(Path.Combine(Local, "later"));
        await OkAsync(path2, dryRun: true);
        Assert.Equal(["full"], await RemoteDirsAsync(path2));
        await OkAsync(path2, dirs: false);
        Assert.Equal(["full"], await RemoteDirsAsync(path2));
        // The next run with the flag sees the folder as new (its listing from the run without the flag has no folders).
        await OkAsync(path2);
        Assert.Equal(["full", "later"], await RemoteDirsAsync(path2));
    }

    [Fact]
    public async Task On_s3_folders_are_not_tracked_an_empty_local_folder_stays_local_and_the_runs_settle()
    {
        var path2 = await FreshRemoteAsync("s3t");
        Support.TempTree.Write(Local, "top.txt", "top", T0);
        Support.TempTree.Write(Local, "full/f.txt", "in a folder", T0);
        Directory.CreateDirectory(Path.Combine(Local, "empty"));
        await OkAsync(path2, resync: true);
        // s3 holds the prefix of the file's key, never the empty folder.
        Assert.Equal(["full"], await RemoteDirsAsync(path2));
        Assert.All(Listing(2), l => Assert.StartsWith("-", l));
        Assert.Contains(Listing(1), l => l.StartsWith("d ", StringComparison.Ordinal) && l.EndsWith("\"empty\"", StringComparison.Ordinal));

        var (code, log) = await RunAsync(path2);
        Assert.True(code == 0, string.Join("\n", log));
        Assert.Contains("INFO  : No changes found", log);

        // A new local folder is not made on s3 (nothing to make), and deleting the local folder with
        // its file deletes the file on s3, where the prefix goes with it.
        Directory.CreateDirectory(Path.Combine(Local, "another"));
        Directory.Delete(Path.Combine(Local, "full"), recursive: true);
        await OkAsync(path2);
        Assert.Equal(["another", "empty"], LocalDirs());
        Assert.Empty(await RemoteDirsAsync(path2));
        (code, log) = await RunAsync(path2);
        Assert.True(code == 0, string.Join("\n", log));
        Assert.Contains("INFO  : No changes found", log);
    }
}
