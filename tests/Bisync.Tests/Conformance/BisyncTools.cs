using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Bisync.Engine;
using Bisync.Logging;
using Bisync.Storage;

namespace Bisync.Tests.Conformance;

/// <summary>What runs a scenario's <c>bisync</c> steps: our engine, or rclone itself to check the runner.</summary>
public interface IBisyncTool
{
    /// <summary>Runs one bisync; every log line (INFO level and up, "LEVEL : message") goes to <paramref name="log"/>.</summary>
    /// <param name="beforeCopies">A scenario hook (test-func, concurrent-func) called each time the run is about to
    /// start a batch of copies; null for none.</param>
    Task<BisyncResult> RunAsync(BisyncOptions options, Action<string> log, CancellationToken ct, Func<CancellationToken, Task>? beforeCopies = null);

    /// <summary>Whether the queue files stay in the working directory (rclone's command line deletes them).</summary>
    bool KeepsQueueFiles { get; }
}

/// <summary>Our engine, in process.</summary>
public sealed class EngineTool(IStorageOpener opener) : IBisyncTool
{
    public bool KeepsQueueFiles => true;

    public async Task<BisyncResult> RunAsync(BisyncOptions options, Action<string> log, CancellationToken ct,
        Func<CancellationToken, Task>? beforeCopies = null)
    {
        using var logger = Logger.Silent(LogLevel.Info);
        logger.Sink = log;
        return await new BisyncEngine(opener, logger) { BeforeCopies = beforeCopies }.RunAsync(options, ct);
    }
}

/// <summary>
/// The installed rclone (v1.60.1) as a separate process, with the same options. Used to check that
/// the runner reproduces golden/ with the tool the golden output came from. Lines that only the
/// command line prints (the experimental notice, "There was nothing to transfer", the final stats,
/// rclone's invalid UTF-8 notices) are left out; rclone's test harness never saw them.
/// </summary>
public sealed partial class RcloneTool(string executable = "rclone") : IBisyncTool
{
    // rclone's command line has no switch to keep the queue files (its test harness sets an internal option).
    public bool KeepsQueueFiles => false;

    [GeneratedRegex(@"^\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}(\.\d+)? ")]
    private static partial Regex TimePrefix();

    [GeneratedRegex(@"Failed to bisync: (.*)$")]
    private static partial Regex Failure();

    public async Task<BisyncResult> RunAsync(BisyncOptions o, Action<string> log, CancellationToken ct,
        Func<CancellationToken, Task>? beforeCopies = null)
    {
        if (beforeCopies is not null)
            throw new ScenarioException("test-func / concurrent-func need the engine's in-process hook; rclone's command line has none");
        var psi = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.Environment["RCLONE_CONFIG"] = "/dev/null";
        var a = psi.ArgumentList;
        a.Add("bisync");
        a.Add(o.Path1);
        a.Add(o.Path2);
        a.Add("--workdir");
        a.Add(o.Workdir ?? throw new ArgumentException("workdir needed"));
        a.Add("-v");
        a.Add("--stats-log-level");
        a.Add("DEBUG");
        if (o.NoCleanup) a.Add("--no-cleanup");
        if (o.Resync) a.Add("--resync");
        if (o.DryRun) a.Add("--dry-run");
        if (o.Force) a.Add("--force");
        if (o.RemoveEmptyDirs) a.Add("--remove-empty-dirs");
        if (o.CreateEmptySrcDirs) a.Add("--create-empty-src-dirs");
        if (o.CheckAccess) a.Add("--check-access");
        if (o.CheckFilename != "RCLONE_TEST") a.Add("--check-filename=" + o.CheckFilename);
        if (o.CheckSync == CheckSyncMode.Only) a.Add("--check-sync=only");
        if (o.CheckSync == CheckSyncMode.False) a.Add("--check-sync=false");
        if (o.FiltersFile is not null) a.Add("--filters-file=" + o.FiltersFile);
        if (o.MaxDelete != 50) a.Add("--max-delete=" + o.MaxDelete.ToString(CultureInfo.InvariantCulture));
        if (o.SizeOnly) a.Add("--size-only");

        Process? started;
        try
        {
            started = Process.Start(psi);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"cannot run {executable}: rclone v1.60.1 must be installed (test.sh installs it)", ex);
        }
        using var p = started ?? throw new InvalidOperationException($"cannot start {executable}");
        var stdout = p.StandardOutput.ReadToEndAsync(ct);
        var stderr = p.StandardError.ReadToEndAsync(ct);
        await p.WaitForExitAsync(ct);
        string? error = null;
        var inBlock = false;
        foreach (var raw in (await stderr + await stdout).Split('\n'))
        {
            var stamped = TimePrefix().IsMatch(raw);
            var line = TimePrefix().Replace(raw.TrimEnd('\r'), "", 1);
            if (!stamped && inBlock) continue; // continuation of a dropped multi-line message
            inBlock = false;
            if (line.Length == 0) continue;
            if (stamped && line.TrimEnd() is "NOTICE:" or "INFO  :") { inBlock = true; continue; } // final stats
            if (line.Contains("bisync is EXPERIMENTAL", StringComparison.Ordinal)
                || line.EndsWith(": There was nothing to transfer", StringComparison.Ordinal)
                || line.Contains("Replacing invalid UTF-8 characters in", StringComparison.Ordinal)) continue;
            var failure = Failure().Match(line);
            if (failure.Success) { error = failure.Groups[1].Value; continue; }
            log(line);
        }
        return p.ExitCode switch
        {
            0 => BisyncResult.Success,
            2 => new BisyncResult(2, error ?? "bisync aborted"),
            var code => new BisyncResult(code, error ?? $"rclone exit code {code}"),
        };
    }
}
