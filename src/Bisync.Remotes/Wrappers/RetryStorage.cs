using Bisync.Storage;

namespace Bisync.Remotes.Wrappers;

/// <summary>
/// --low-level-retries as a decorator: each operation is tried up to that many times while it fails
/// with a transient error (<see cref="TransientErrors"/>), waiting with exponential back-off between
/// tries. An upload is repeated only when its source stream can be rewound.
/// </summary>
public sealed class RetryStorage : StorageDecorator
{
    private readonly int _attempts;
    private readonly TimeSpan _firstDelay;
    private readonly TimeSpan _maxDelay;
    private readonly Action<string>? _log;
    private readonly Func<Exception, bool> _isTransient;

    private RetryStorage(IStorage inner, int attempts, TimeSpan firstDelay, TimeSpan maxDelay, Action<string>? log, Func<Exception, bool> isTransient)
        : base(inner)
    {
        _attempts = Math.Max(1, attempts);
        _firstDelay = firstDelay;
        _maxDelay = maxDelay;
        _log = log;
        _isTransient = isTransient;
    }

    /// <param name="attempts">Tries per operation (rclone's --low-level-retries, default 10); 1 means no retry.</param>
    /// <param name="log">Receives one line per retry (never holding a secret: messages name paths and errors only).</param>
    /// <param name="isTransient">Which failures are worth another try; default <see cref="TransientErrors.IsTransient"/> (network trouble).</param>
    public static IStorage Wrap(IStorage inner, int attempts, TimeSpan? firstDelay = null, TimeSpan? maxDelay = null, Action<string>? log = null,
        Func<Exception, bool>? isTransient = null) =>
        new RetryStorage(inner, attempts, firstDelay ?? TimeSpan.FromMilliseconds(100), maxDelay ?? TimeSpan.FromSeconds(2), log,
            isTransient ?? TransientErrors.IsTransient);

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
            catch (Exception e) when (attempt < _attempts && !ct.IsCancellationRequested && _isTransient(e)
                                      && (prepareRetry is null || prepareRetry()))
            {
                _log?.Invoke($"{Root}: {what}: low level retry {attempt}/{_attempts - 1}: {e.Message}");
            }
            await Task.Delay(delay, ct).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _maxDelay.Ticks));
        }
    }

    protected override T RunSync<T>(string what, Func<T> op)
    {
        var delay = _firstDelay;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return op();
            }
            catch (Exception e) when (attempt < _attempts && _isTransient(e))
            {
                _log?.Invoke($"{Root}: {what}: low level retry {attempt}/{_attempts - 1}: {e.Message}");
            }
            Thread.Sleep(delay);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _maxDelay.Ticks));
        }
    }
}
