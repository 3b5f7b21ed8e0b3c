using System.Diagnostics;

namespace Bisync.Engine;

/// <summary>
/// TEST HOOK, off unless the environment variable BISYNC_TEST_HOOK is set (the crash and signal
/// tests set it for the child process they start). Its value is <c>crash:STAGE</c> (the process
/// kills itself with SIGKILL at that stage, as <c>kill -9</c> would) or <c>pause:STAGE</c> (it logs
/// "test hook: paused at STAGE" to stderr and waits until the file named by
/// BISYNC_TEST_HOOK_RELEASE exists). Stages: after-lock, after-listing, after-first-copy,
/// after-copies, between-listings (one final listing written, not the other), after-listings.
/// </summary>
public static class TestHook
{
    private static readonly string? Setting = Environment.GetEnvironmentVariable("BISYNC_TEST_HOOK");

    public static bool Active => Setting is not null;

    public static async Task AtAsync(string stage, CancellationToken ct = default)
    {
        if (Setting is null) return;
        if (Setting == "crash:" + stage)
        {
            Process.GetCurrentProcess().Kill(); // SIGKILL: nothing runs after this
        }
        else if (Setting == "pause:" + stage)
        {
            await Console.Error.WriteLineAsync($"test hook: paused at {stage}").ConfigureAwait(false);
            var release = Environment.GetEnvironmentVariable("BISYNC_TEST_HOOK_RELEASE") ?? "";
            while (!File.Exists(release)) await Task.Delay(20, ct).ConfigureAwait(false);
        }
    }

    public static void At(string stage) => AtAsync(stage).GetAwaiter().GetResult();
}
