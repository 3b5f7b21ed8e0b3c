using Bisync.Storage;
using Bisync.Tests.Remotes;

namespace Bisync.Tests.Conformance;

/// <summary>
/// rclone v1.60.1's 17 bisync cases with Path2 on the sftp and on the s3 test server (Path1 and
/// the working directory local), and some with both paths remote (Path1 on sftp, Path2 on s3).
/// Each row uses a fresh folder (sftp) or prefix (s3) and removes it afterwards. The servers are
/// started by test.sh (tests/servers/*.sh); when they are not running the rows fail, never skip.
/// </summary>
public sealed class RemoteConformanceTests : IDisposable
{
    private readonly string _dir = RemoteTestEnv.TempDir("conf");
    private readonly string _config;

    public RemoteConformanceTests() => _config = RemoteTestEnv.WriteConfig(_dir);

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    public static TheoryData<string, string> Cases() => Rows(["sftp", "s3"]);

    /// <summary>
    /// Every case name for every backend: the one list the remote rows (native and through rclone)
    /// take. When the data is missing the single row <see cref="ConformanceTests.Missing"/> stands
    /// for it and fails with the reason.
    /// </summary>
    internal static TheoryData<string, string> Rows(IEnumerable<string> backends, Func<string, string, bool>? include = null)
    {
        var data = new TheoryData<string, string>();
        IReadOnlyList<string> names;
        try
        {
            names = ConformanceData.CaseNames(ConformanceData.Locate());
        }
        catch (DirectoryNotFoundException)
        {
            names = [ConformanceTests.Missing];
        }
        foreach (var backend in backends)
            foreach (var name in names)
                if (include is null || name == ConformanceTests.Missing || include(backend, name)) data.Add(backend, name);
        return data;
    }

    /// <summary>
    /// A fresh root on <paramref name="backend"/> whose last folder is <paramref name="side"/> (path1/path2),
    /// so the session names map onto the golden <c>_testdir_path1.._testdir_path2</c>. The sftp root is
    /// absolute, under the home folder our sshd.sh made: the test user is shared by every checkout on the
    /// machine and another sshd.sh start may point its home elsewhere while these rows run.
    /// </summary>
    private static string RemoteRoot(string backend, string unique, string side) => backend switch
    {
        "sftp" => $"sftpt:{RemoteTestEnv.SftpHome.TrimEnd('/')}/{unique}/{side}/",
        "s3" => $"s3t:{RemoteTestEnv.S3Bucket}/{unique}/{side}/",
        _ => throw new ArgumentException(backend),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Path2_remote(string backend, string name)
    {
        if (name == ConformanceTests.Missing) ConformanceData.Locate(); // throws with the reason
        await RunAsync(name, path1Backend: null, path2Backend: backend);
    }

    [Theory]
    [InlineData("test_basic")]
    [InlineData("test_changes")]
    [InlineData("test_extended_filenames")]
    [InlineData("test_rmdirs")]
    public async Task Path1_sftp_Path2_s3(string name) => await RunAsync(name, path1Backend: "sftp", path2Backend: "s3");

    /// <summary>
    /// rclone v1.75.0's cases with Path2 on sftp and on s3: every case <see cref="V175ConformanceTests"/> runs
    /// locally (those still in its <c>Waiting</c> table join as soon as they leave it).
    /// </summary>
    /// <summary>
    /// Rows that fail because of a bug of ours not fixed yet (not a backend limitation): each names
    /// the bug. They are not run; the README and the session note list them. Fix, then remove.
    /// </summary>
    public static readonly IReadOnlyDictionary<(string Backend, string Case), string> OpenBugs = new Dictionary<(string, string), string>
    {
    };

    public static TheoryData<string, string> V175Cases()
    {
        var data = new TheoryData<string, string>();
        IReadOnlyList<string> names;
        try
        {
            names = ConformanceData.CaseNames(ConformanceSuite.V1_75_0.Locate());
        }
        catch (DirectoryNotFoundException)
        {
            names = [ConformanceTests.Missing];
        }
        foreach (var backend in new[] { "sftp", "s3" })
            foreach (var name in names)
                if (!V175ConformanceTests.Waiting.ContainsKey(name) && !OpenBugs.ContainsKey((backend, name))) data.Add(backend, name);
        return data;
    }

    [Theory]
    [MemberData(nameof(V175Cases))]
    public async Task Path2_remote_v1_75(string backend, string name)
    {
        if (name == ConformanceTests.Missing) ConformanceSuite.V1_75_0.Locate(); // throws with the reason
        await RunAsync(name, path1Backend: null, path2Backend: backend, ConformanceSuite.V1_75_0);
    }

    /// <summary>A side's modification-time precision on a backend, for the v1.75 rules (times rounded to twice it).</summary>
    internal static long PrecisionNs(string? backend) => backend switch
    {
        null => 1,
        // SFTP (protocol version 3) carries whole seconds only.
        "sftp" => 1_000_000_000,
        // rclone's mtime metadata on s3 keeps nanoseconds.
        "s3" => 1,
        _ => throw new ArgumentException(backend),
    };

    private async Task RunAsync(string name, string? path1Backend, string path2Backend, ConformanceSuite? suite = null)
    {
        suite ??= ConformanceSuite.V1_60_1;
        var unique = "conf-" + Guid.NewGuid().ToString("N")[..10];
        var opener = RemoteTestEnv.Opener(_config);
        var path2Root = RemoteRoot(path2Backend, unique, "path2");
        var path1Root = path1Backend is null ? null : RemoteRoot(path1Backend, unique, "path1");
        await using var storage2 = await opener.OpenAsync(path2Root, CancellationToken.None);
        await using var storage1 = path1Root is null ? null : await opener.OpenAsync(path1Root, CancellationToken.None);
        try
        {
            var outcome = await ConformanceCase.RunAsync(name, tmp =>
            {
                var local = ConformanceTarget.Local(tmp, opener);
                return new ConformanceTarget
                {
                    Path1Root = path1Root ?? local.Path1Root,
                    Path2Root = path2Root,
                    Path1Fs = storage1 is null ? local.Path1Fs : new StorageScenarioFs(storage1),
                    Path2Fs = new StorageScenarioFs(storage2),
                    Opener = opener,
                    ExpectedText = suite.V175Rules ? V175Expectation(path2Backend, name) : Expectation(path2Backend, name),
                    Path1PrecisionNs = PrecisionNs(path1Backend),
                    Path2PrecisionNs = PrecisionNs(path2Backend),
                };
            }, CancellationToken.None, suite: suite);
            Assert.True(outcome.Passed, $"{suite.Name} {name} with Path1 {path1Root ?? "local"}, Path2 {path2Root} does not match golden/:\n{outcome.Report}");
        }
        finally
        {
            // The whole fresh folder/prefix (parent of path1/ and path2/) goes.
            foreach (var backend in new[] { path1Backend, path2Backend }.OfType<string>().Distinct())
            {
                await using var scope = await opener.OpenAsync(RemoteRoot(backend, unique, "").TrimEnd('/'), CancellationToken.None);
                await PurgeAsync(scope);
            }
        }
    }

    /// <summary>
    /// What a case must produce where Path2's backend genuinely differs from the local disk the golden
    /// output was made on; null = golden/ exactly. Each edit names the golden lines it changes and
    /// fails loudly when they are not there.
    /// </summary>
    internal static Func<string, string, string>? Expectation(string path2Backend, string name) => (path2Backend, name) switch
    {
        // S3 has no directories, only key prefixes: a folder exists while some object lies below it
        // (our S3Storage declares CanHaveEmptyDirectories = false, as rclone's s3 backend does). When
        // bisync deletes subdir/file20.txt on Path2, Path2's subdir is gone with it, so
        //  - step (10) "list-dirs {path2/}" lists nothing (rclone's own backend tests likewise drop the
        //    expected directories that hold no file on such remotes: fstest's filterEmptyDirs), and
        //  - "bisync remove-empty-dirs" finds an empty subdir only on Path1: one "Removing directory"
        //    line instead of one per path (rclone's Rmdirs lists the directories the remote has).
        // Everything else, listings included, is exactly golden.
        ("s3", "test_rmdirs") => (file, text) => file != ScenarioRunner.LogFileName ? text
            : ReplaceOnce(
                ReplaceOnce(text,
                    "(10)  : list-dirs {path2/}\nsubdir/\n", "(10)  : list-dirs {path2/}\n"),
                "INFO  : subdir: Removing directory\nINFO  : subdir: Removing directory\n", "INFO  : subdir: Removing directory\n"),
        _ => null,
    };

    /// <summary>
    /// The same for rclone v1.75.0's cases (compared by the v1.75 rules): where Path2's backend genuinely
    /// differs from the local disk golden/ was made on; null = golden/ exactly.
    /// </summary>
    internal static Func<string, string, string>? V175Expectation(string path2Backend, string name) => (path2Backend, name) switch
    {
        // S3 keeps no empty folder (see Expectation's test_rmdirs): once bisync deleted subdir/file20.txt on
        // Path2, step (10) "list-dirs {path2/}" lists nothing. The v1.75 log rules compare the list-dirs lines
        // but no "Removing directory" wording, so this one line is all that differs; listings are exactly golden.
        ("s3", "test_rmdirs") => (file, text) => file != ScenarioRunner.LogFileName ? text
            : ReplaceOnce(text,
                "\u001b[36m(10)  :\u001b[0m \u001b[34mlist-dirs {path2/}\u001b[0m\nsubdir/ - filename hash: 86ae37b338459868804e9697025ba4c2\n",
                "\u001b[36m(10)  :\u001b[0m \u001b[34mlist-dirs {path2/}\u001b[0m\n"),
        // --create-empty-src-dirs on s3: S3 keeps no folders, so its side lists none and gets none made
        // (README: "--create-empty-src-dirs"). Every "subdir/" line of a list-dirs {path2/} goes; the
        // resync of step (39) then has no Path2 folder to bring back, so step (40)'s list-dirs {path1/}
        // is empty too; and as folders queue nothing, the queue files are those of the last run that
        // queued a file: step (34)'s, which deleted RCLONE_TEST (v1.75 names a delete in both queues).
        ("s3", "test_createemptysrcdirs") => (file, text) =>
        {
            if (file.EndsWith(".copy1to2.que", StringComparison.Ordinal) || file.EndsWith(".delete2.que", StringComparison.Ordinal))
                return ReplaceOnce(text, "\"subdir\"\n", "\"RCLONE_TEST\"\n");
            if (file != ScenarioRunner.LogFileName) return text;
            const string Subdir = "subdir/ - filename hash: 86ae37b338459868804e9697025ba4c2\n";
            foreach (var step in new[] { "(24)", "(37)", "(40)", "(41)", "(50)" })
            {
                var side = step == "(40)" ? "path1" : "path2";
                var head = $"\u001b[36m{step}  :\u001b[0m \u001b[34mlist-dirs {{{side}/}}\u001b[0m\n";
                text = ReplaceOnce(text, head + Subdir, head);
            }
            return text;
        },
        _ => null,
    };

    internal static string ReplaceOnce(string text, string block, string with) => Replace(text, block, with, 1);

    /// <summary>Replaces <paramref name="block"/>, which must occur exactly <paramref name="count"/> times.</summary>
    internal static string Replace(string text, string block, string with, int count)
    {
        var found = 0;
        for (var i = text.IndexOf(block, StringComparison.Ordinal); i >= 0; i = text.IndexOf(block, i + 1, StringComparison.Ordinal)) found++;
        if (found != count)
            throw new InvalidOperationException($"backend expectation no longer fits golden/: expected {count} \"{block}\", found {found}");
        return text.Replace(block, with, StringComparison.Ordinal);
    }

    /// <summary>Removes everything below the storage's root and the root itself (best effort: cleanup never hides the result).</summary>
    private static async Task PurgeAsync(IStorage storage)
    {
        try
        {
            await PurgeDirAsync(storage, "");
        }
        catch (Exception e) when (e is IOException or DirectoryNotFoundException or InvalidOperationException)
        {
        }
    }

    private static async Task PurgeDirAsync(IStorage storage, string dir)
    {
        var entries = new List<StorageEntry>();
        try
        {
            await foreach (var e in storage.ListAsync(dir, CancellationToken.None)) entries.Add(e);
        }
        catch (DirectoryNotFoundException)
        {
            return;
        }
        foreach (var e in entries)
        {
            var path = dir.Length == 0 ? e.Name : dir + "/" + e.Name;
            if (e.IsDir) await PurgeDirAsync(storage, path);
            else await storage.DeleteAsync(path, CancellationToken.None);
        }
        await storage.RmdirAsync(dir, CancellationToken.None);
    }
}
