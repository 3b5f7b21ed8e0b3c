namespace Bisync.Storage;

/// <summary>What a backend can do and how it behaves; the engine asks these instead of asking "are you S3?".</summary>
public sealed record StorageFeatures
{
    /// <summary>Smallest modification-time step the backend keeps, in nanoseconds (1 = exact; long.MaxValue = none).</summary>
    public long ModTimePrecisionNs { get; init; } = 1;

    /// <summary>Hash types the backend can give without reading content, e.g. "md5".</summary>
    public IReadOnlyList<string> Hashes { get; init; } = [];

    public bool CanHaveEmptyDirectories { get; init; } = true;
    public bool IsLocal { get; init; }

    /// <summary>Whether the backend can set a modification time on an existing object.</summary>
    public bool CanSetModTime { get; init; } = true;
}
