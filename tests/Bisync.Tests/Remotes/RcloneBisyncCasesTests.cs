using Bisync.Storage;
using Bisync.Tests.Conformance;
using Xunit;

namespace Bisync.Tests.Remotes;

/// <summary>
/// rclone v1.60.1's 17 bisync cases with Path2 through the rclone backend (Path1 and the working
/// directory local): all but test_extended_filenames (see <see cref="NotThroughRclone"/>) on sftp
/// and on s3; a subset on FTP (ProFTPD). WebDAV servers keep no modification times, so the golden logs (which are about times)
/// cannot match there: RcloneEngineTests checks what a run does on them instead. Where a backend cannot do
/// what the local disk the golden output was made on can, <see cref="Expectation"/> states the
/// difference and checks that the golden lines it replaces are there.
/// </summary>
public sealed class RcloneBisyncCasesTests : IDisposable
{
    private readonly string _dir = RemoteTestEnv.TempDir("rconf");

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    /// <summary>Backends that run all the cases (but <see cref="NotThroughRclone"/>).</summary>
    private static readonly string[] Full = ["sftp", "s3"];

    /// <summary>
    /// Its names hold bytes that are not UTF-8, which rclone's JSON rc API cannot carry: through rclone
    /// such a name is refused with an error (RcloneSftpConformanceTests.Names_that_are_not_UTF8_are_refused_not_renamed),
    /// so this case cannot end as golden/ does.
    /// </summary>
    internal const string NotThroughRclone = "test_extended_filenames";

    /// <summary>The subset for the FTP server: plain changes, every kind of change and conflict, odd names, empty folders.</summary>
    internal static readonly string[] Subset = ["test_basic", "test_changes", "test_extended_char_paths", "test_rmdirs"];

    public static TheoryData<string, string> Cases()
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
        foreach (var backend in Full)
            foreach (var name in names)
                if (name != NotThroughRclone) data.Add(backend, name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Path2_through_rclone(string backend, string name)
    {
        if (name == ConformanceTests.Missing) ConformanceData.Locate(); // throws with the reason
        await RunAsync(backend, name);
    }

    public static TheoryData<string> SubsetCases()
    {
        var data = new TheoryData<string>();
        foreach (var name in Subset) data.Add(name);
        return data;
    }

    /// <summary>FTP (ProFTPD: MLSD, MFMT, times to the second): a representative subset, golden exactly.</summary>
    [Theory]
    [MemberData(nameof(SubsetCases))]
    public async Task Path2_ftp_through_rclone(string name)
    {
        ConformanceData.Locate(); // throws with the reason when the data is missing
        await RunAsync("ftp", name);
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
                };
            }, CancellationToken.None);
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
    /// S3 through rclone has the same difference as our native S3 backend (no empty folders).
    /// </summary>
    internal static Func<string, string, string>? Expectation(string backend, string name) => backend switch
    {
        "s3" => RemoteConformanceTests.Expectation("s3", name),
        _ => null,
    };

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
