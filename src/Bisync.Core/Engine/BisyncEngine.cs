using Bisync.Logging;
using Bisync.Storage;

namespace Bisync.Engine;

/// <summary>The bisync pipeline. Callable without the CLI.</summary>
public sealed class BisyncEngine(IStorageOpener opener, Logger log)
{
    private readonly IStorageOpener _opener = opener;
    private readonly Logger _log = log;

    public Task<BisyncResult> RunAsync(BisyncOptions options, CancellationToken ct)
    {
        _ = _opener; _ = _log;
        throw new NotImplementedException();
    }
}
