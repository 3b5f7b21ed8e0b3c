using Bisync.Storage;

namespace Bisync.Remotes.Wrappers;

/// <summary>
/// --low-level-retries as a decorator: each operation is tried up to that many times while it fails
/// with a transient error (<see cref="TransientErrors"/>), waiting with exponential back-off between
/// tries. An upload is repeated only when its source stream can be rewound.
/// With <c>giveUp</c> (network remotes), an operation that used all its tries (two or more) on such
/// errors marks the remote as unreachable for the rest of the run: every later operation fails at
/// once with <see cref="RemoteGaveUpException"/> instead of spending its own tries and time-outs on a
/// dead or frozen server (a run would otherwise take tries × --timeout for every file).
/// </summary>
public sealed class RetryStorage : StorageDecorator
{
    private readonly int _attempts;
    private readonly TimeSpan _firstDelay;
    private readonly TimeSpan _maxDelay;
    private readonly Action<string>? _log;
    private readonly Func<Exception, bool> _isTransient;
    private readonly bool _giveUp;
    private Exception? _gaveUpOn;

    private RetryStorage(IStorage inner, int attempts, TimeSpan firstDelay, TimeSpan maxDelay, Action<string>? log, Func<Exception, bool> isTransient, bool giveUp)
        : base(inner)
    {
        _giveUp = giveUp;
        _attempts = Math.Max(1, attempts);
        _firstDelay = firstDelay;
        _maxDelay = maxDelay;
        _log = log;
        _isTransient = isTransient;
    }

    /// <param name="attempts">Tries per operation (rclone's --low-level-retries, default 10); 1 means no retry.</param>
    /// <param name="log">Receives one line per retry (never holding a secret: messages name paths and errors only).</param>
    /// <param name="isTransient">Which failures are worth another try; default <see cref="TransientErrors.IsTransient"/> (network trouble).</param>
    /// <param name="giveUp">Whether one operation that used all its tries makes every later one fail at once (see above).</param>
    public static IStorage Wrap(IStorage inner, int attempts, TimeSpan? firstDelay = null, TimeSpan? maxDelay = null, Action<string>? log = null,
        Func<Exception, bool>? isTransient = null, bool giveUp = false) =>
        new RetryStorage(inner, attempts, firstDelay ?? TimeSpan.FromMilliseconds(100), maxDelay ?? TimeSpan.FromSeconds(2), log,
            isTransient ?? TransientErrors.IsTransient, giveUp);

    public int Attempts => _attempts;

    protected override async Task<T> RunAsync<T>(string what, Func<CancellationToken, Task<T>> op, Func<bool>? prepareRetry, CancellationToken ct)
    {
        var delay = _firstDelay;
        for (int attempt = 1; ; attempt++)
        {
            ThrowIfGaveUp(what);
            try
            {
                return await op(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (attempt < _attempts && !ct.IsCancellationRequested && _isTransient(e)
                                      && (prepareRetry is null || prepareRetry()))
            {
                _log?.Invoke($"{Root}: {what}: low level retry {attempt}/{_attempts - 1}: {e.Message}");
            }
            catch (Exception e)
            {
                NoteExhausted(attempt, e, ct);
                throw;
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
            ThrowIfGaveUp(what);
            try
            {
                return op();
            }
            catch (Exception e) when (attempt < _attempts && _isTransient(e))
            {
                _log?.Invoke($"{Root}: {what}: low level retry {attempt}/{_attempts - 1}: {e.Message}");
            }
            catch (Exception e)
            {
                NoteExhausted(attempt, e, CancellationToken.None);
                throw;
            }
            Thread.Sleep(delay);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _maxDelay.Ticks));
        }
    }

    private void ThrowIfGaveUp(string what)
    {
        if (Volatile.Read(ref _gaveUpOn) is { } first)
            throw new RemoteGaveUpException($"{what}: not tried: an earlier operation on {Root} failed {_attempts} times ({first.Message}); giving up on this remote for this run", first);
    }

    /// <summary>Remembers the first operation that used all its tries on network trouble.</summary>
    private void NoteExhausted(int attempt, Exception e, CancellationToken ct)
    {
        if (_giveUp && _attempts >= 2 && attempt >= _attempts && !ct.IsCancellationRequested && e is not RemoteGaveUpException && _isTransient(e))
            Interlocked.CompareExchange(ref _gaveUpOn, e, null);
    }
}

/// <summary>An operation not tried because an earlier one found the remote unreachable (see <see cref="RetryStorage"/>).</summary>
public sealed class RemoteGaveUpException(string message, Exception first) : PermanentIOException(message, first);
