namespace Bisync.Storage;

/// <summary>
/// One object or directory as a backend reports it.
/// <see cref="Path"/> is relative to the storage root, '/'-separated, in rclone's
/// standard encoding (see <see cref="Bisync.Text.PathEncoding"/>); "" is the root.
/// <see cref="ModTime"/> is nanoseconds since the Unix epoch, UTC. <see cref="Hash"/> is "md5:hex"
/// when the backend knows it without reading the content. <see cref="FileId"/> is a local
/// file's identity and last status change (its inode and ctime mixed; 0 elsewhere): with path, size
/// and modification time it keys the --checksum hash cache, and no write can keep it unchanged.
/// <see cref="IsSkippedLink"/>: a symbolic link the backend neither follows nor stores (rclone's default
/// without -L/-l); listed only so that the listing stage can say so, never synced.
/// </summary>
public readonly record struct StorageEntry(string Path, long Size, long ModTime, bool IsDir, string? Hash = null, ulong FileId = 0,
    bool IsSkippedLink = false)
{
    /// <summary>
    /// A modification time left out: the listing did not read it because it costs a request per file
    /// and the run does not need it (see <see cref="IRecursiveLister"/>). Written in listing files as
    /// Go's zero time, as rclone v1.75 writes times it does not compare.
    /// </summary>
    public const long NoTime = long.MinValue;

    /// <summary>The last path element.</summary>
    public string Name => Path[(Path.LastIndexOf('/') + 1)..];

    /// <summary>Whether the last path element starts with '.' (asked without making it a string of its own).</summary>
    public bool IsHidden => Path.LastIndexOf('/') is var slash && slash + 1 < Path.Length && Path[slash + 1] == '.';
}
