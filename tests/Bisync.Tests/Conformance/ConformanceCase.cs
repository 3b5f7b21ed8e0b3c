using System.Text;

namespace Bisync.Tests.Conformance;

/// <summary>
/// Runs one conformance case end to end in its own temporary folder and reports the outcome.
/// Reusable with any <see cref="ConformanceTarget"/> (local today; remote Path2 later).
/// </summary>
public static class ConformanceCase
{
    /// <summary>Set to 1 to keep every case's temporary folder, also when it passes.</summary>
    public const string KeepEnvVar = "BISYNC_CONFORMANCE_KEEP";

    /// <summary>How many problems (file-name set, then one per differing file) a report shows.</summary>
    public const int MaxProblemsShown = 10;

    public sealed record Outcome(bool Passed, string Report, string TempDir);

    /// <summary>
    /// Runs <paramref name="caseName"/> with the target built by <paramref name="makeTarget"/> (given
    /// the fresh temporary folder). The temporary folder is deleted when the case passes and kept
    /// (named in the report) when it fails.
    /// </summary>
    /// <param name="suite">The set of cases (default rclone v1.60.1's).</param>
    public static async Task<Outcome> RunAsync(string caseName, Func<string, ConformanceTarget> makeTarget, CancellationToken ct,
        TimeSpan? stepTimeout = null, ConformanceSuite? suite = null)
    {
        suite ??= ConformanceSuite.V1_60_1;
        var dataDir = suite.Locate();
        var caseDir = Path.Combine(dataDir, caseName);
        if (!Directory.Exists(caseDir)) throw new DirectoryNotFoundException($"no case {caseName} in {dataDir}");
        var tmp = Directory.CreateTempSubdirectory("bisync-conf-").FullName;
        ScenarioRunner runner;
        try
        {
            runner = new ScenarioRunner(caseDir, tmp, makeTarget(tmp), suite) { StepTimeout = stepTimeout ?? TimeSpan.FromMinutes(3) };
        }
        catch
        {
            NativeFs.RemoveAll(tmp);
            throw;
        }
        var report = new StringBuilder();
        var passed = false;
        try
        {
            await runner.RunAsync(ct);
            var problems = runner.Compare();
            passed = problems.Count == 0;
            foreach (var p in problems.Take(MaxProblemsShown)) report.Append(p).Append("\n\n");
            if (problems.Count > MaxProblemsShown) report.Append($"... {problems.Count - MaxProblemsShown} more problem(s) not shown\n\n");
        }
        catch (ScenarioException ex)
        {
            report.Append(ex.Message).Append('\n');
            if (ex.InnerException is { } inner) report.Append(inner).Append('\n');
            report.Append("\nlast lines of the test log:\n");
            foreach (var line in runner.Log.TakeLast(15)) report.Append("  ").Append(line).Append('\n');
        }
        finally
        {
            if (passed && Environment.GetEnvironmentVariable(KeepEnvVar) is not ("1" or "true")) NativeFs.RemoveAll(tmp);
        }
        if (!passed) report.Append($"(case files kept in {tmp})");
        return new Outcome(passed, report.ToString().TrimEnd(), tmp);
    }
}
