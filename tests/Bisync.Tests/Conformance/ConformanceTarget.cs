using Bisync.Storage;
using Bisync.Storage.Local;

namespace Bisync.Tests.Conformance;

/// <summary>
/// Where a conformance case runs: the Path1 and Path2 roots as given to the tool (each ending
/// in '/', the last folder named <c>path1</c> / <c>path2</c> so the session names map onto the
/// golden <c>_testdir_path1.._testdir_path2</c>), the file operations on each side, and the
/// storage opener the engine uses. The working directory and the case's data are always local.
/// </summary>
public sealed class ConformanceTarget
{
    public required string Path1Root { get; init; }
    public required string Path2Root { get; init; }
    public required IScenarioFs Path1Fs { get; init; }
    public required IScenarioFs Path2Fs { get; init; }
    public required IStorageOpener Opener { get; init; }

    /// <summary>What runs the bisync steps; null means our engine with <see cref="Opener"/>.</summary>
    public IBisyncTool? Tool { get; init; }

    /// <summary>
    /// A documented backend-specific expectation: given a golden file's name and text, the text this
    /// target must produce instead (return the text unchanged for the other files). Null = golden/ as is.
    /// Only for what a backend genuinely does differently (e.g. S3 keeps no empty directory); every use
    /// says why, and the comparison rules themselves stay the same.
    /// </summary>
    public Func<string, string, string>? ExpectedText { get; init; }

    /// <summary>
    /// The view the working directory's files are compared through, given a file's golden name and
    /// text; null = as they are. Only for what a backend cannot keep at all (a server that sets its
    /// own modification times), with the same transform applied to the golden side by
    /// <see cref="ExpectedText"/>, and a check elsewhere that the backend really is so.
    /// </summary>
    public Func<string, string, string>? ActualText { get; init; }

    /// <summary>Both sides on the local disk: <c>&lt;tmp&gt;/path1/</c> and <c>&lt;tmp&gt;/path2/</c>.</summary>
    public static ConformanceTarget Local(string tempDir, IStorageOpener opener)
    {
        var tmp = tempDir.TrimEnd('/');
        return new ConformanceTarget
        {
            Path1Root = tmp + "/path1/",
            Path2Root = tmp + "/path2/",
            Path1Fs = new LocalScenarioFs(tmp + "/path1"),
            Path2Fs = new LocalScenarioFs(tmp + "/path2"),
            Opener = opener,
        };
    }
}

/// <summary>Builds the local storage opener of the core.</summary>
public static class LocalOpener
{
    public static IStorageOpener Create() => new LocalStorageOpener();
}

/// <summary>Finds rclone v1.60.1's bisync test cases.</summary>
public static class ConformanceData
{
    public const string EnvVar = "BISYNC_CONFORMANCE_DIR";
    public const string VersionFolder = "rclone-v1.60.1";

    /// <summary>
    /// The folder holding the <c>test_*</c> case folders: <c>$BISYNC_CONFORMANCE_DIR</c> (the
    /// version folder or its parent) or else <c>../shared/conformance/rclone-v1.60.1</c> next to
    /// the folder that holds <c>Bisync.slnx</c>, found by walking up from the test assembly.
    /// Throws when it cannot be found: the conformance tests never skip silently.
    /// </summary>
    public static string Locate() => Locate(Environment.GetEnvironmentVariable(EnvVar), AppContext.BaseDirectory);

    /// <summary><see cref="Locate()"/> with the environment value and the start folder given.</summary>
    public static string Locate(string? env, string startDir)
    {
        if (!string.IsNullOrWhiteSpace(env))
        {
            var dir = Path.GetFullPath(env);
            if (Directory.Exists(Path.Combine(dir, VersionFolder))) dir = Path.Combine(dir, VersionFolder);
            if (!Directory.Exists(dir) || Directory.GetDirectories(dir, "test_*").Length == 0)
                throw new DirectoryNotFoundException($"{EnvVar}={env}: no rclone bisync test cases (test_*) there");
            return dir;
        }
        var root = FindRepoRoot(startDir)
            ?? throw new DirectoryNotFoundException($"no Bisync.slnx above {startDir}; set {EnvVar}");
        var data = Path.GetFullPath(Path.Combine(root, "..", "shared", "conformance", VersionFolder));
        if (!Directory.Exists(data) || Directory.GetDirectories(data, "test_*").Length == 0)
            throw new DirectoryNotFoundException($"conformance data missing: {data} (expected test_* folders); set {EnvVar}");
        return data;
    }

    public static string? FindRepoRoot(string startDir)
    {
        for (var dir = new DirectoryInfo(startDir); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Bisync.slnx"))) return dir.FullName;
        return null;
    }

    /// <summary>The case folder names (<c>test_*</c>), sorted.</summary>
    public static IReadOnlyList<string> CaseNames(string dataDir) =>
        Directory.GetDirectories(dataDir, "test_*").Select(Path.GetFileName).OfType<string>()
            .Order(StringComparer.Ordinal).ToList();
}
