using Bisync.Engine;
using Bisync.Logging;
using Bisync.Storage;
using Bisync.Storage.Local;

namespace Bisync.Tests.Support;

/// <summary>One engine run over a temporary tree's two paths, with its INFO log captured.</summary>
public static class EngineRun
{
    /// <param name="opener">Opens the two paths; null = plain local storage.</param>
    /// <param name="options">Further options (its paths, working directory and resync are replaced).</param>
    public static async Task<(int Code, List<string> Log)> RunAsync(TempTree t, bool resync = false, IStorageOpener? opener = null,
        BisyncOptions? options = null)
    {
        var lines = new List<string>();
        var log = Logger.Silent(LogLevel.Info);
        log.Sink = l => { lock (lines) lines.Add(l); };
        var r = await new BisyncEngine(opener ?? new LocalStorageOpener(), log)
            .RunAsync((options ?? new BisyncOptions { Path1 = "", Path2 = "" }) with { Path1 = t.Path1, Path2 = t.Path2, Workdir = t.Workdir, Resync = resync },
                CancellationToken.None);
        return (r.ExitCode, lines);
    }
}
