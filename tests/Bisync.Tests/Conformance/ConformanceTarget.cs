using Bisync.Engine;
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

    /// <summary>Each side's modification-time precision in nanoseconds (1 = exact): the v1.75 rules compare a
    /// listing's times rounded to twice the precision of the side it lists.</summary>
    public long Path1PrecisionNs { get; init; } = 1;
    public long Path2PrecisionNs { get; init; } = 1;

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

/// <summary>
/// One set of rclone bisync test cases: where its folder is found, how many cases it holds, the
/// profile (--compat) its bisync steps run under, and whether the v1.75 run and comparison rules apply
/// (directory times set before each bisync step; log wording not compared, outcomes per step instead;
/// hash column only where checksums were compared; times rounded to twice the side's precision).
/// </summary>
public sealed record ConformanceSuite(string Name, string EnvVar, string VersionFolder, int CaseCount, Compat Compat, bool V175Rules)
{
    public static readonly ConformanceSuite V1_60_1 =
        new("rclone v1.60.1", ConformanceData.EnvVar, ConformanceData.VersionFolder, 17, Compat.V1_60, V175Rules: false);

    /// <summary>rclone v1.75.0's cases; <c>$BISYNC_CONFORMANCE_V175</c> may name another folder of cases in the same format.</summary>
    public static readonly ConformanceSuite V1_75_0 =
        new("rclone v1.75.0", "BISYNC_CONFORMANCE_V175", "rclone-v1.75.0", 25, Compat.V1_75, V175Rules: true);

    /// <summary>The folder holding this suite's <c>test_*</c> case folders (see <see cref="ConformanceData.Locate(string?, string, string, string)"/>).</summary>
    public string Locate() => ConformanceData.Locate(Environment.GetEnvironmentVariable(EnvVar), AppContext.BaseDirectory, EnvVar, VersionFolder);
}

/// <summary>Finds rclone's bisync test cases (v1.60.1 unless a suite says otherwise).</summary>
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
    public static string Locate(string? env, string startDir) => Locate(env, startDir, EnvVar, VersionFolder);

    /// <summary>The same for any suite: its environment variable's value (<paramref name="envVar"/> names it in
    /// messages) or else <c>../shared/conformance/&lt;versionFolder&gt;</c> beside the repository.</summary>
    public static string Locate(string? env, string startDir, string envVar, string versionFolder)
    {
        if (!string.IsNullOrWhiteSpace(env))
        {
            var dir = Path.GetFullPath(env);
            if (Directory.Exists(Path.Combine(dir, versionFolder))) dir = Path.Combine(dir, versionFolder);
            if (!Directory.Exists(dir) || Directory.GetDirectories(dir, "test_*").Length == 0)
                throw new DirectoryNotFoundException($"{envVar}={env}: no rclone bisync test cases (test_*) there");
            return dir;
        }
        var root = FindRepoRoot(startDir)
            ?? throw new DirectoryNotFoundException($"no Bisync.slnx above {startDir}; set {envVar}");
        var data = Path.GetFullPath(Path.Combine(root, "..", "shared", "conformance", versionFolder));
        if (!Directory.Exists(data) || Directory.GetDirectories(data, "test_*").Length == 0)
            throw new DirectoryNotFoundException($"conformance data missing: {data} (expected test_* folders); set {envVar}");
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
