using System.Collections.Concurrent;
using System.Diagnostics;
using Bisync.Tests.Support;

namespace Bisync.Tests.Cli;

/// <summary>
/// Issue 9 point 5, with the CLI binary as a child process: a run killed (SIGKILL) at named stages
/// (the BISYNC_TEST_HOOK test hook) is followed by a plain run with the same flags that converges
/// with nothing lost and no lock to delete by hand; SIGTERM stops a run gracefully; a second
/// signal ends it at once without leaving the lock. Synchronised on log lines and files only.
/// </summary>
public class NeverLockedOutTests
{
    private static readonly DateTime Later = TempTree.BaseTime.AddHours(1);

    /// <summary>Both sides in sync, then changes on both: new, changed, deleted, and one file changed on both.</summary>
    private static TempTree Prepared(params string[] flags)
    {
        var t = new TempTree();
        foreach (var n in new[] { "a", "b", "c", "d", "e", "f", "g" }) t.WriteBoth(n + ".txt", n + "-old");
        var r = Bisync(t, ["--resync", .. flags]);
        Assert.True(r.ExitCode == 0, r.StdErr);
        TempTree.Write(t.Path1, "a.txt", "a-new1", Later);
        TempTree.Write(t.Path1, "n1.txt", "n1", Later);
        File.Delete(Path.Combine(t.Path1, "b.txt"));
        TempTree.Write(t.Path2, "c.txt", "c-new2", Later);
        TempTree.Write(t.Path2, "n2.txt", "n2", Later);
        File.Delete(Path.Combine(t.Path2, "d.txt"));
        TempTree.Write(t.Path1, "e.txt", "e-p1", Later);
        TempTree.Write(t.Path2, "e.txt", "e-p2", Later.AddMinutes(1));
        return t;
    }

    /// <summary>What both sides must hold once the changes of <see cref="Prepared"/> are synced.</summary>
    private static readonly SortedDictionary<string, string> Synced = new(StringComparer.Ordinal)
    {
        ["a.txt"] = "a-new1", ["c.txt"] = "c-new2", ["e.txt..path1"] = "e-p1", ["e.txt..path2"] = "e-p2",
        ["f.txt"] = "f-old", ["g.txt"] = "g-old", ["n1.txt"] = "n1", ["n2.txt"] = "n2",
    };

    private static ProcessResult Bisync(TempTree t, string[] flags, Dictionary<string, string?>? env = null)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "bisync.dll");
        env ??= [];
        env.TryAdd("BISYNC_TEST_HOOK", null);
        return Processes.Run("dotnet", [dll, t.Path1, t.Path2, "--workdir", t.Workdir, .. flags], env: env);
    }

    private static string LockPath(TempTree t) =>
        Directory.GetFiles(t.Workdir, "*.path1.lst*").Select(f => f[..f.IndexOf(".path1.lst", StringComparison.Ordinal)] + ".lck").First();

    private static void AssertConverged(TempTree t)
    {
        Assert.Equal(Synced, TempTree.Snapshot(t.Path1));
        Assert.Equal(Synced, TempTree.Snapshot(t.Path2));
        Assert.False(File.Exists(LockPath(t)), "the lock file is left behind");
    }

    [Theory]
    [InlineData("after-lock")]
    [InlineData("after-listing")]
    [InlineData("after-first-copy")]
    [InlineData("after-copies")]
    [InlineData("between-listings")]
    [InlineData("after-listings")]
    public void Killed_run_is_followed_by_a_plain_run_that_converges_with_recover(string stage)
    {
        string[] flags = ["--recover", "--transfers", "1", "-v"];
        using var t = Prepared(flags);
        var killed = Bisync(t, flags, new() { ["BISYNC_TEST_HOOK"] = "crash:" + stage });
        Assert.NotEqual(0, killed.ExitCode);
        Assert.DoesNotContain("Bisync successful", killed.StdErr);
        Assert.True(File.Exists(LockPath(t)), "a killed run leaves its lock");

        var next = Bisync(t, flags);
        Assert.True(next.ExitCode == 0, next.StdErr);
        Assert.Contains("Taking over stale lock file", next.StdErr);
        AssertConverged(t);

        var again = Bisync(t, flags);
        Assert.True(again.ExitCode == 0, again.StdErr);
        Assert.Contains("No changes found", again.StdErr);
        AssertConverged(t);
    }

    [Fact]
    public void Torn_listing_pair_is_recovered_from_lst_old_and_the_conflict_is_kept()
    {
        string[] flags = ["--recover", "-v"];
        using var t = Prepared(flags);
        var killed = Bisync(t, flags, new() { ["BISYNC_TEST_HOOK"] = "crash:between-listings" });
        Assert.NotEqual(0, killed.ExitCode);
        // After the run was cut off, Path1's a.txt changes again: both sides now differ from the last good state.
        TempTree.Write(t.Path1, "a.txt", "a-newer1", Later.AddHours(1));
        var next = Bisync(t, flags);
        Assert.True(next.ExitCode == 0, next.StdErr);
        Assert.Contains("Recovering from the last good listings", next.StdErr);
        var both = TempTree.Snapshot(t.Path1);
        Assert.Equal(both, TempTree.Snapshot(t.Path2));
        // Nothing lost: Path1's newest a.txt and the a.txt the cut-off run copied are both kept.
        Assert.Contains("a-newer1", both.Values);
        Assert.Contains("a-new1", both.Values);
    }

    [Fact]
    public void Lock_of_a_dead_process_is_taken_over_without_recover()
    {
        using var t = Prepared();
        var dead = Process.Start("true")!;
        dead.WaitForExit();
        File.WriteAllText(LockPath(t), dead.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var r = Bisync(t, []);
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains($"its process {dead.Id} is no longer running", r.StdErr);
        Assert.False(File.Exists(LockPath(t)));
    }

    [Fact]
    public void Lock_of_a_live_process_holds_and_says_who()
    {
        using var t = Prepared();
        File.WriteAllText(LockPath(t), $"{{\"Session\":\"x\",\"PID\":\"{Environment.ProcessId}\",\"TimeRenewed\":\"2030-01-01T00:00:00Z\",\"TimeExpires\":\"0001-01-01T00:00:00Z\"}}");
        var r = Bisync(t, []);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"held by process {Environment.ProcessId}", r.StdErr);
        Assert.False(File.Exists(Path.Combine(t.Path2, "n1.txt")));
    }

    [Fact]
    public void Expired_lock_is_taken_over()
    {
        using var t = Prepared();
        File.WriteAllText(LockPath(t), $"{{\"Session\":\"x\",\"PID\":\"{Environment.ProcessId}\",\"TimeRenewed\":\"2001-01-01T00:00:00Z\",\"TimeExpires\":\"2001-01-01T00:02:00.123456789Z\"}}");
        var r = Bisync(t, ["--max-lock", "2m"]);
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("it expired at", r.StdErr);
    }

    [Fact]
    public void Max_lock_below_two_minutes_is_a_usage_error()
    {
        using var t = Prepared();
        var r = Bisync(t, ["--max-lock", "1m"]);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("--max-lock", r.StdErr);
    }

    [Fact]
    public void Resilient_check_access_failure_does_not_lock_out()
    {
        using var t = Prepared();
        TempTree.Write(t.Path1, "RCLONE_TEST", "x");
        var r = Bisync(t, ["--check-access", "--resilient"]);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("retryable without --resync", r.StdErr);
        TempTree.Write(t.Path2, "RCLONE_TEST", "x");
        var next = Bisync(t, ["--check-access", "--resilient"]);
        Assert.True(next.ExitCode == 0, next.StdErr);
    }

    [Fact]
    public void Retries_run_a_failed_sync_again_only_with_resilient()
    {
        using var t = Prepared();
        // A file on Path1 where Path2 has a directory: its copy fails on every try.
        TempTree.Write(t.Path1, "x", "file", Later);
        TempTree.Write(t.Path2, "x/inside.txt", "dir", Later);
        var plain = Bisync(t, ["--retries", "3"]);
        Assert.Equal(1, plain.ExitCode);
        Assert.DoesNotContain("Bisync try", plain.StdErr);
        var resilient = Bisync(t, ["--resilient", "--retries", "3", "--retries-sleep", "0"]);
        Assert.Equal(1, resilient.ExitCode);
        Assert.Contains("Bisync try 1/3 failed: transfers failed", resilient.StdErr);
        Assert.Contains("Bisync try 2/3 failed: transfers failed", resilient.StdErr);
        Assert.DoesNotContain("Bisync try 3/3", resilient.StdErr);
    }

    /// <summary>The CLI started with stderr read line by line, so a test can wait for a line.</summary>
    private sealed class Child : IDisposable
    {
        private readonly Process _p;
        private readonly BlockingCollection<string> _lines = [];
        public readonly List<string> Seen = [];

        public Child(TempTree t, string[] flags, string release)
        {
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "bisync.dll"), t.Path1, t.Path2, "--workdir", t.Workdir }.Concat(flags))
                psi.ArgumentList.Add(a);
            psi.Environment["BISYNC_TEST_HOOK"] = "pause:after-first-copy";
            psi.Environment["BISYNC_TEST_HOOK_RELEASE"] = release;
            _p = Process.Start(psi)!;
            _p.ErrorDataReceived += (_, e) => { if (e.Data is null) _lines.CompleteAdding(); else _lines.Add(e.Data); };
            _p.OutputDataReceived += (_, _) => { };
            _p.BeginErrorReadLine();
            _p.BeginOutputReadLine();
        }

        public int Pid => _p.Id;

        /// <summary>Waits for a stderr line holding <paramref name="text"/> (bounded, so a broken run fails instead of hanging).</summary>
        public void WaitFor(string text)
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            while (true)
            {
                string line;
                try
                {
                    if (!_lines.TryTake(out line!, Timeout.Infinite, bound.Token)) throw new Xunit.Sdk.XunitException($"the run ended without \"{text}\":\n{string.Join('\n', Seen)}");
                }
                catch (OperationCanceledException)
                {
                    throw new Xunit.Sdk.XunitException($"no \"{text}\" line:\n{string.Join('\n', Seen)}");
                }
                Seen.Add(line);
                if (line.Contains(text, StringComparison.Ordinal)) return;
            }
        }

        public int Exit()
        {
            if (!_p.WaitForExit(TimeSpan.FromMinutes(2))) { _p.Kill(); throw new Xunit.Sdk.XunitException("the run did not end"); }
            _p.WaitForExit();
            while (_lines.TryTake(out var l)) Seen.Add(l);
            return _p.ExitCode;
        }

        public void Dispose() => _p.Dispose();
    }

    private static void Signal(int pid, string signal) =>
        Assert.Equal(0, Processes.Run("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]).ExitCode);

    [Fact]
    public void Sigterm_finishes_the_running_transfer_starts_no_other_and_saves_listings()
    {
        string[] flags = ["--transfers", "1", "-v"];
        using var t = Prepared(flags);
        var release = Path.Combine(t.Root, "release");
        using var child = new Child(t, flags, release);
        child.WaitFor("test hook: paused at after-first-copy");
        Signal(child.Pid, "TERM");
        child.WaitFor("Signal SIGTERM received");
        File.WriteAllText(release, "");
        Assert.Equal(1, child.Exit());
        var log = string.Join('\n', child.Seen);
        Assert.Contains("Bisync interrupted by a signal", log);
        Assert.DoesNotContain("Bisync successful", log);
        Assert.False(File.Exists(LockPath(t)), "the lock is released");
        // One copy was done, the rest was not started: Path2 still lacks Path1's changes.
        Assert.NotEqual(TempTree.Snapshot(t.Path1), TempTree.Snapshot(t.Path2));

        // The listings are consistent: a plain run (no --recover) finishes the job, nothing lost.
        var next = Bisync(t, flags);
        Assert.True(next.ExitCode == 0, next.StdErr);
        Assert.Equal(TempTree.Snapshot(t.Path1), TempTree.Snapshot(t.Path2));
        var values = TempTree.Snapshot(t.Path1).Values.ToList();
        foreach (var v in new[] { "a-new1", "c-new2", "e-p1", "e-p2", "n1", "n2" }) Assert.Contains(v, values);
        Assert.False(File.Exists(Path.Combine(t.Path1, "b.txt")) || File.Exists(Path.Combine(t.Path1, "d.txt")));
    }

    [Fact]
    public void Second_signal_ends_at_once_and_releases_the_lock()
    {
        string[] flags = ["--recover", "--transfers", "1", "-v"];
        using var t = Prepared(flags);
        var release = Path.Combine(t.Root, "release");
        using var child = new Child(t, flags, release);
        child.WaitFor("test hook: paused at after-first-copy");
        // SIGTERM, not SIGINT: a shell that starts the test run in the background makes its
        // children ignore SIGINT, and .NET keeps a signal ignored that was ignored at start.
        Signal(child.Pid, "TERM");
        child.WaitFor("Signal SIGTERM received");
        Signal(child.Pid, "TERM");
        Assert.Equal(143, child.Exit());
        Assert.False(File.Exists(LockPath(t)), "the lock is released");

        var next = Bisync(t, flags);
        Assert.True(next.ExitCode == 0, next.StdErr);
        AssertConverged(t);
    }
}
