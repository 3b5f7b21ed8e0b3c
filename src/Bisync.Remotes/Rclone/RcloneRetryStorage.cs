using Bisync.Remotes.Wrappers;
using Bisync.Storage;

namespace Bisync.Remotes.Rclone;

/// <summary>
/// --low-level-retries over an <see cref="RcloneStorage"/>, keeping its optional abilities (server-side
/// move, direct copy, recursive listing) visible to the engine. No --timeout decorator: a copy that
/// rclone runs sends no byte through us, so our idle timer would misfire; rclone applies --timeout
/// and --contimeout to its own connections (the daemon gets both).
/// </summary>
public sealed class RcloneRetryStorage : RetryStorage, IMover, IDirectCopier
{
    private readonly RcloneStorage _rclone;

    private RcloneRetryStorage(RcloneStorage inner, int attempts, TimeSpan first, TimeSpan max, Action<string>? log)
        : base(inner, attempts, first, max, log) => _rclone = inner;

    public static IStorage Wrap(RcloneStorage inner, RemoteOptions o) =>
        new RcloneRetryStorage(inner, o.LowLevelRetries, o.RetryFirstDelay, o.RetryMaxDelay, o.Log);

    public RcloneStorage Rclone => _rclone;

    public Task MoveAsync(string from, string to, CancellationToken ct) => MoveCoreAsync(from, to, ct);

    public Task<bool> TryCopyFromAsync(IStorage source, string srcPath, string dstPath, long modTime, CancellationToken ct) =>
        RunAsync($"copy \"{dstPath}\"", c => _rclone.TryCopyFromAsync(source, srcPath, dstPath, modTime, c), null, ct);
}
