namespace Bisync.Remotes.Rclone;

/// <summary>
/// The one rclone daemon an opener shares between its storages: started by the first storage that
/// needs it, stopped when the last one is disposed (a later storage starts a new one).
/// </summary>
internal sealed class RcloneHost(RemoteOptions options, Func<string> configPath)
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private RcloneDaemon? _daemon;
    private int _refs;

    public async Task<RcloneDaemon> AcquireAsync(CancellationToken ct)
    {
        await _lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            _daemon ??= await RcloneDaemon.StartAsync(options, configPath(), ct).ConfigureAwait(false);
            _refs++;
            return _daemon;
        }
        finally
        {
            _lock.Release();
        }
    }

    public async ValueTask ReleaseAsync(RcloneDaemon daemon)
    {
        RcloneDaemon? stop = null;
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!ReferenceEquals(daemon, _daemon)) return;
            if (--_refs == 0)
            {
                stop = _daemon;
                _daemon = null;
            }
        }
        finally
        {
            _lock.Release();
        }
        if (stop is not null) await stop.DisposeAsync().ConfigureAwait(false);
    }
}
