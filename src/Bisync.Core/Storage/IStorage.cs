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
    /// With a <paramref name="guard"/>, asks it once the data is written and just before it takes the
    /// real name; when it says no, removes what was written and throws <see cref="CommitRefusedException"/>.
    /// </summary>
    Task PutAsync(string path, Stream content, long size, long modTime, CancellationToken ct, CommitGuard? guard = null);

    Task SetModTimeAsync(string path, long modTime, CancellationToken ct);

    Task DeleteAsync(string path, CancellationToken ct);

    Task MkdirAsync(string dir, CancellationToken ct);

    /// <summary>Removes an empty directory.</summary>
    Task RmdirAsync(string dir, CancellationToken ct);

    /// <summary>
    /// One of the optional capabilities below (<see cref="IMover"/>, <see cref="IDirectCopier"/>,
    /// <see cref="ISyncLister"/>, <see cref="IRecursiveLister"/>, <see cref="IRootCheck"/>…), or null
    /// when this storage lacks it. The engine asks this instead of testing types, so that a
    /// decorator can hand out the wrapped storage's capability with its own concern still applied.
    /// </summary>
    T? Capability<T>() where T : class => this as T;

    /// <summary>
    /// Whether a file name is one of this backend's own temporary upload names (a write in progress,
    /// or one a killed run left): never listed as a user file. Such a name starts with '.' (hidden):
    /// a lister asks only about those (see <see cref="StorageEntry.IsHidden"/>).
    /// </summary>
    bool IsTemporaryName(string name) => false;
}

/// <summary>
/// Optional: a backend whose root must already exist as a directory (a local folder; an S3 prefix
/// exists once anything is under it, so S3 has no such check).
/// </summary>
public interface IRootCheck
{
    /// <summary>True for a directory, false when nothing is there; throws when the root is unusable.</summary>
    bool RootIsDirectory();
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
    /// <remarks>A <paramref name="guard"/> is asked as <see cref="IStorage.PutAsync"/> asks it.</remarks>
    Task<bool> TryCopyFromAsync(IStorage source, string srcPath, string dstPath, long modTime, CancellationToken ct, CommitGuard? guard = null);
}

/// <summary>
/// The last look before an upload replaces anything: asked after the data is written under a
/// temporary name (or as parts of an upload not yet completed), before it takes the real name.
/// False leaves the destination as it is. A backend that writes an object in one request does not
/// ask: the caller looked just before. The engine's guard says whether source and destination are
/// still the files this run listed.
/// </summary>
public delegate Task<bool> CommitGuard(CancellationToken ct);

/// <summary>An upload not put in place because its <see cref="CommitGuard"/> said no; nothing of it is left.</summary>
public sealed class CommitRefusedException(string path) : Exception($"{path}: not put in place: it changed during the copy");

/// <summary>
/// Optional, asked of the source when the destination has no <see cref="IDirectCopier"/> for it: the
/// source puts the file into the destination itself (rclone copying a remote file straight into a
/// local folder), as atomically as the destination's own Put. The copy must come out
/// <paramref name="size"/> bytes long with time <paramref name="modTime"/>, else it is refused.
/// </summary>
public interface IDirectSender
{
    /// <summary>Returns false when it cannot copy into <paramref name="destination"/>; the caller then streams.</summary>
    /// <param name="guard">Asked just before the copy takes the real name, as in <see cref="IStorage.PutAsync"/>.</param>
    Task<bool> TryCopyToAsync(string srcPath, IStorage destination, string dstPath, long size, long modTime, CancellationToken ct, CommitGuard? guard = null);
}
