using Renci.SshNet;
using Renci.SshNet.Common;

namespace Bisync.Remotes.Sftp;

/// <summary>
/// One SSH.NET client (sftp, or ssh for hash commands) made on first use and made again when its
/// connection has dropped; callers racing for it wait for one connect.
/// </summary>
internal sealed class ReconnectingClient<T> : IDisposable where T : BaseClient
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private T? _client;

    public async Task<T> GetAsync(Func<CancellationToken, Task<T>> connect, CancellationToken ct)
    {
        var c = _client;
        if (c is { IsConnected: true }) return c;
        await _lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_client is { IsConnected: true }) return _client;
            _client?.Dispose();
            _client = null;
            var client = await connect(ct).ConfigureAwait(false);
            _client = client;
            return client;
        }
        finally
        {
            _lock.Release();
        }
    }

    public void Dispose()
    {
        var c = Interlocked.Exchange(ref _client, null);
        if (c is not null)
        {
            try { if (c.IsConnected) c.Disconnect(); }
            catch (Exception e) when (e is SshException or IOException or ObjectDisposedException) { }
            c.Dispose();
        }
        _lock.Dispose();
    }
}
