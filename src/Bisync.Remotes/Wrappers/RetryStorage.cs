using Bisync.Storage;

namespace Bisync.Remotes.Wrappers;

/// <summary>
/// --low-level-retries as a decorator: each operation is tried up to that many times while it fails
/// with a transient error (<see cref="TransientErrors"/>), waiting with exponential back-off between
/// tries. An upload is repeated only when its source stream can be rewound.
/// </summary>
public class RetryStorage : StorageDecorator
{
    private readonly int _attempts;
    private readonly TimeSpan _firstDelay;
    private readonly TimeSpan _maxDelay;
    private readonly Action<string>? _log;

    protected RetryStorage(IStorage inner, int attempts, TimeSpan firstDelay, TimeSpan maxDelay, Action<string>? log) : base(inner)
    {
        _attempts = Math.Max(1, attempts);
        _firstDelay = firstDelay;
        _maxDelay = maxDelay;
        _log = log;
    }

    /// <param name="attempts">Tries per operation (rclone's --low-level-retries, default 10); 1 means no retry.</param>
    /// <param name="log">Receives one line per retry (never holding a secret: messages name paths and errors only).</param>
    public static IStorage Wrap(IStorage inner, int attempts, TimeSpan? firstDelay = null, TimeSpan? maxDelay = null, Action<string>? log = null)
    {
        var first = firstDelay ?? TimeSpan.FromMilliseconds(100);
        var max = maxDelay ?? TimeSpan.FromSeconds(2);
        return inner is IMover
            ? new WithMover(inner, attempts, first, max, log)
            : new RetryStorage(inner, attempts, first, max, log);
    }

    public int Attempts => _attempts;

    protected override async Task<T> RunAsync<T>(string what, Func<CancellationToken, Task<T>> op, Func<bool>? prepareRetry, CancellationToken ct)
    {
        var delay = _firstDelay;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await op(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (attempt < _attempts && !ct.IsCancellationRequested && TransientErrors.IsTransient(e)
                                      && (prepareRetry is null || prepareRetry()))
            {
                _log?.Invoke($"{Root}: {what}: low level retry {attempt}/{_attempts - 1}: {e.Message}");
            }
            await Task.Delay(delay, ct).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _maxDelay.Ticks));
        }
    }

    private sealed class WithMover(IStorage inner, int attempts, TimeSpan first, TimeSpan max, Action<string>? log)
        : RetryStorage(inner, attempts, first, max, log), IMover
    {
        public Task MoveAsync(string from, string to, CancellationToken ct) => MoveCoreAsync(from, to, ct);
    }
}
