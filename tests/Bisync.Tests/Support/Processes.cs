using System.Diagnostics;

namespace Bisync.Tests.Support;

public sealed record ProcessResult(int ExitCode, string StdOut, string StdErr);

public static class Processes
{
    /// <summary>Runs a program with a time limit; fails the test when it does not end in time.</summary>
    public static ProcessResult Run(string file, IEnumerable<string> args, TimeSpan? timeout = null, IDictionary<string, string?>? env = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (env is not null)
            foreach (var (k, v) in env)
            {
                if (v is null) psi.Environment.Remove(k); else psi.Environment[k] = v;
            }
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout ?? TimeSpan.FromSeconds(120)))
        {
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in time");
        }
        p.WaitForExit();
        return new ProcessResult(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs our CLI (the bisync.dll next to the test assembly) as its own process.</summary>
    public static ProcessResult Bisync(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "bisync.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException("bisync.dll not found next to the tests", dll);
        return Run("dotnet", new[] { dll }.Concat(args));
    }

    /// <summary>Runs rclone 1.60.1; it must be installed (test.sh installs it): a missing rclone fails the test.</summary>
    public static ProcessResult Rclone(params string[] args)
    {
        var env = new Dictionary<string, string?> { ["RCLONE_CONFIG"] = "/dev/null", ["AWS_CA_BUNDLE"] = null };
        try
        {
            return Run("rclone", args, TimeSpan.FromSeconds(120), env);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("rclone is not installed: the test script installs it (apt-get install rclone)", ex);
        }
    }
}
