namespace Bisync.Remotes;

/// <summary>
/// What the command line gives the remotes layer. Defaults are rclone 1.60.1's.
/// </summary>
public sealed record RemoteOptions
{
    /// <summary>--config: path of rclone.conf; null = RCLONE_CONFIG, then the usual places.</summary>
    public string? ConfigPath { get; init; }

    /// <summary>--retries: how often the whole operation (a bisync run) is retried; kept here for the engine, not used per call.</summary>
    public int Retries { get; init; } = 3;

    /// <summary>--low-level-retries: tries per backend operation on transient errors.</summary>
    public int LowLevelRetries { get; init; } = 10;

    /// <summary>--timeout: IO idle timeout (an operation with no progress this long fails); zero or "off" = none.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>--contimeout: limit for connecting to a server; zero or "off" = none.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>--checkers: parallel metadata requests a backend may run (e.g. S3 HEADs while listing).</summary>
    public int Checkers { get; init; } = 8;

    /// <summary>First and longest wait between low-level retries.</summary>
    public TimeSpan RetryFirstDelay { get; init; } = TimeSpan.FromMilliseconds(100);
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Receives debug lines (retries, which config file is used); never given a secret.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>The rclone backend: --rclone-backend (every remote through rclone) and --rclone-binary.</summary>
    public Rclone.RcloneOptions Rclone { get; init; } = new();

    /// <summary>Backend flags (--sftp-md5sum-command X): value by <see cref="Config.BackendFlags.Key"/>.</summary>
    public IReadOnlyDictionary<string, string> BackendFlags { get; init; } = NoBackendFlags;

    private static readonly IReadOnlyDictionary<string, string> NoBackendFlags = new Dictionary<string, string>();

    /// <summary>Environment lookup; null = the process environment. Tests pass their own.</summary>
    public Func<string, string?>? Environment { get; init; }
}
