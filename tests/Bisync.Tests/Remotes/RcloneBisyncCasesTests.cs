using Bisync.Storage;
using Bisync.Tests.Conformance;
using System.Text.RegularExpressions;
using Xunit;

namespace Bisync.Tests.Remotes;

/// <summary>
/// rclone v1.60.1's 17 bisync cases with Path2 through the rclone backend (Path1 and the working
/// directory local): all but test_extended_filenames (see <see cref="NotThroughRclone"/>) on sftp,
/// s3, FTP (ProFTPD), <c>rclone serve webdav</c> and Apache mod_dav, the case list shared with
/// RemoteConformanceTests. Where a backend cannot do what the local disk the golden output was made
/// on can (s3: no empty folders; WebDAV: no modification times), <see cref="Expectation"/> states the
/// difference and checks that the golden lines it replaces are there.
/// </summary>
public sealed partial class RcloneBisyncCasesTests : IDisposable
{
    private readonly string _dir = RemoteTestEnv.TempDir("rconf");

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    /// <summary>Every backend the rclone backend is proven on; each runs all 17 cases but <see cref="NotThroughRclone"/>.</summary>
    internal static readonly string[] Backends = ["sftp", "s3", "ftp", "rclone-webdav", "apache-webdav"];

    /// <summary>
    /// Its names hold bytes that are not UTF-8, which rclone's JSON rc API cannot carry: through rclone
    /// such a name is refused with an error (RcloneSftpConformanceTests.Names_that_are_not_UTF8_are_refused_not_renamed),
    /// so this case cannot end as golden/ does.
    /// </summary>
    internal const string NotThroughRclone = "test_extended_filenames";

    public static TheoryData<string, string> Cases() =>
        RemoteConformanceTests.Rows(Backends, (_, name) => name != NotThroughRclone);

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Path2_through_rclone(string backend, string name)
    {
        if (name == ConformanceTests.Missing) ConformanceData.Locate(); // throws with the reason
        await RunAsync(backend, name);
    }

    internal async Task RunAsync(string backend, string name)
    {
        var config = RcloneTestEnv.WriteConfig(_dir, backend);
        var unique = "rconf-" + Guid.NewGuid().ToString("N")[..10];
        var opener = RcloneTestEnv.Opener(config);
        var top = RcloneTestEnv.Root(backend, unique);
        var path2Root = top + "/path2/";
        // one storage (and daemon) for the scenario's own changes, open across the case
        await using var storage2 = await opener.OpenAsync(path2Root, CancellationToken.None);
        try
        {
            var outcome = await ConformanceCase.RunAsync(name, tmp =>
            {
                var local = ConformanceTarget.Local(tmp, opener);
                return new ConformanceTarget
                {
                    Path1Root = local.Path1Root,
                    Path2Root = path2Root,
                    Path1Fs = local.Path1Fs,
                    Path2Fs = new StorageScenarioFs(storage2),
                    Opener = opener,
                    ExpectedText = Expectation(backend, name),
                    ActualText = Timeless(backend) ? MaskListingTimes : null,
                };
            }, CancellationToken.None);
            if (Timeless(backend))
                Assert.True(storage2.Features.ModTimePrecisionNs == long.MaxValue && !storage2.Features.CanSetModTime,
                    $"{backend} is expected to keep no modification times (the expectation masks them), but the backend reports {storage2.Features.ModTimePrecisionNs} ns");
            Assert.True(outcome.Passed, $"{name} with Path2 {path2Root} through rclone does not match golden/:\n{outcome.Report}");
        }
        finally
        {
            await using var scope = await opener.OpenAsync(top, CancellationToken.None);
            await PurgeAsync(scope, "");
        }
    }

    /// <summary>
    /// What a case must produce where Path2's backend differs from a local disk; null = golden/ exactly.
    /// S3 through rclone has the same difference as our native S3 backend (no empty folders); FTP
    /// (ProFTPD: MLSD times, MFMT to set them, to the second) and sftp are golden exactly.
    /// </summary>
    internal static Func<string, string, string>? Expectation(string backend, string name) => backend switch
    {
        "s3" => RemoteConformanceTests.Expectation("s3", name),
        _ when Timeless(backend) => (file, text) => Timeless(name, file, MaskListingTimes(file, text)),
        _ => null,
    };

    /// <summary>
    /// WebDAV servers that set their own modification times: <c>rclone serve webdav</c> and Apache
    /// mod_dav keep the time of the upload, whatever time the client sends (RcloneStorageConformanceTests
    /// checks both, also with rclone's owncloud-style X-OC-Mtime header), and rclone's webdav backend
    /// says "modification times not supported". The run checks that the backend reports no times.
    /// </summary>
    internal static bool Timeless(string backend) => backend is "rclone-webdav" or "apache-webdav";

    [GeneratedRegex(@"^(\S+ +-?\d+ \S+ \S+ )(\S+)( "".*"")$", RegexOptions.Multiline)]
    private static partial Regex ListingTime();

    /// <summary>
    /// A listing's time column as "(time)", golden and actual alike, for a Path2 whose server sets its
    /// own times: Path2's listings hold upload times, and a copy from Path2 gives Path1 that time too.
    /// Names, sizes and the sets of files still compare exactly.
    /// </summary>
    internal static string MaskListingTimes(string file, string text) =>
        GoldenComparer.KindOf(file) != GoldenComparer.FileKind.Listing ? text : ListingTime().Replace(text, "$1(time)$3");

    private static string Row(string what, string path) => $"INFO  : - Path2    {what,-35} - {path}\n";

    /// <summary>
    /// The log where Path2 has no times. Our engine compares such a side by size only (a time it did not
    /// set is no evidence of a change): a Path2 change of size is "File size differs" (not counted as
    /// newer), a same-size change is not seen, and a difference of time alone (the resync's "update
    /// modification time") is nothing to do. Each edit names the golden lines it replaces and fails
    /// when they are not there; the cases not named are golden exactly (listing times aside).
    /// </summary>
    private static string Timeless(string name, string file, string text)
    {
        if (file == ScenarioRunner.LogFileName)
        {
            string Sized(string t, int count, params string[] paths)
            {
                foreach (var p in paths) t = RemoteConformanceTests.Replace(t, Row("File is newer", p), Row("File size differs", p), count);
                return t;
            }
            switch (name)
            {
                case "test_basic":
                    text = Sized(text, 1, "file1.txt");
                    text = RemoteConformanceTests.ReplaceOnce(text, "Path2:    1 changes:    0 new,    1 newer,", "Path2:    1 changes:    0 new,    0 newer,");
                    break;
                case "test_changes":
                    text = Sized(text, 1, "file1.txt", "file5.txt", "file6.txt");
                    text = RemoteConformanceTests.ReplaceOnce(text, "Path2:    7 changes:    1 new,    3 newer,", "Path2:    7 changes:    1 new,    0 newer,");
                    break;
                case "test_dry_run":
                    // the same changes, seen by the dry run and then by the real run
                    text = Sized(text, 2, "file1.txt", "file5.txt", "file6.txt");
                    text = RemoteConformanceTests.Replace(text, "Path2:    6 changes:    1 new,    3 newer,", "Path2:    6 changes:    1 new,    0 newer,", 2);
                    // the dry-run resync: file5.txt differs from Path2's by time alone
                    text = RemoteConformanceTests.ReplaceOnce(text, "NOTICE: file5.txt: Skipped copy (or update modification time) as --dry-run is set (size 19)\n", "");
                    break;
                case "test_rclone_args":
                    // file2.txt changed size on Path2; subdir/file21.txt was touched only: not seen, not copied
                    text = Sized(text, 1, "file2.txt");
                    text = RemoteConformanceTests.ReplaceOnce(text, Row("File is newer", "subdir/file21.txt"), "");
                    text = RemoteConformanceTests.ReplaceOnce(text, "Path2:    2 changes:    0 new,    2 newer,", "Path2:    1 changes:    0 new,    0 newer,");
                    text = RemoteConformanceTests.ReplaceOnce(text, "INFO  : - Path2    Queue copy to Path1                 - {path1/}subdir/file21.txt\n", "");
                    break;
            }
        }
        else if (name == "test_rclone_args" && file.EndsWith(".copy2to1.que", StringComparison.Ordinal))
            text = RemoteConformanceTests.ReplaceOnce(text, "\"subdir/file21.txt\"\n", "");
        return text;
    }

    private static async Task PurgeAsync(IStorage storage, string dir)
    {
        var entries = new List<StorageEntry>();
        try
        {
            await foreach (var e in storage.ListAsync(dir, CancellationToken.None)) entries.Add(e);
        }
        catch (Exception e) when (e is DirectoryNotFoundException or IOException)
        {
            return;
        }
        foreach (var e in entries)
        {
            try
            {
                if (e.IsDir) await PurgeAsync(storage, e.Path);
                else await storage.DeleteAsync(e.Path, CancellationToken.None);
            }
            catch (IOException) { }
        }
        try { await storage.RmdirAsync(dir, CancellationToken.None); }
        catch (IOException) { }
    }
}
