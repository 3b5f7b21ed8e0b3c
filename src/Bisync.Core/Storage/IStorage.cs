namespace Bisync.Storage;

/// <summary>
/// The one storage interface every backend implements. All paths are relative to
/// <see cref="Root"/>, '/'-separated, "" for the root itself.
/// </summary>
public interface IStorage : IAsyncDisposable
{
    /// <summary>Backend type name as in rclone.conf ("local", "sftp", "s3", ...).</summary>
    string Type { get; }

    /// <summary>The root as the user wrote it, used in log lines (e.g. "/data/path1/" or "remote:path/").</summary>
    string Root { get; }

    StorageFeatures Features { get; }

    /// <summary>Lists one directory (not recursive). Throws <see cref="DirectoryNotFoundException"/> when it does not exist.</summary>
    IAsyncEnumerable<StorageEntry> ListAsync(string dir, CancellationToken ct);

    /// <summary>Returns the entry at <paramref name="path"/>, or null when nothing is there.</summary>
    Task<StorageEntry?> StatAsync(string path, CancellationToken ct);

    Task<Stream> OpenReadAsync(string path, CancellationToken ct);

    /// <summary>
    /// Writes <paramref name="content"/> to <paramref name="path"/> atomically: no partial file ever
    /// appears under the real name. Creates parent directories. Sets the modification time.
    /// </summary>
    Task PutAsync(string path, Stream content, long size, long modTime, CancellationToken ct);

    Task SetModTimeAsync(string path, long modTime, CancellationToken ct);

    Task DeleteAsync(string path, CancellationToken ct);

    Task MkdirAsync(string dir, CancellationToken ct);

    /// <summary>Removes an empty directory.</summary>
    Task RmdirAsync(string dir, CancellationToken ct);
}

/// <summary>Optional: a server-side rename within one storage.</summary>
public interface IMover
{
    Task MoveAsync(string from, string to, CancellationToken ct);
}

/// <summary>Optional: a fast copy between two storages of the same kind (e.g. local to local).</summary>
public interface IDirectCopier
{
    /// <summary>Returns false when it cannot copy from <paramref name="source"/>; the caller then streams.</summary>
    Task<bool> TryCopyFromAsync(IStorage source, string srcPath, string dstPath, long modTime, CancellationToken ct);
}
