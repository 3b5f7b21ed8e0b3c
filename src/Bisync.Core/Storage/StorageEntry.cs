namespace Bisync.Storage;

/// <summary>
/// One object or directory as a backend reports it.
/// <see cref="Path"/> is relative to the storage root, '/'-separated, in rclone's
/// standard encoding (see <see cref="Bisync.Text.PathEncoding"/>); "" is the root.
/// <see cref="ModTime"/> is nanoseconds since the Unix epoch, UTC.
/// </summary>
public readonly record struct StorageEntry(string Path, long Size, long ModTime, bool IsDir, string? Hash = null)
{
    /// <summary>The last path element.</summary>
    public string Name => Path[(Path.LastIndexOf('/') + 1)..];
}
