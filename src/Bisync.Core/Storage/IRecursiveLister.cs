namespace Bisync.Storage;

/// <summary>
/// Optional: the whole tree below the root in one listing (S3's flat key space: one paged request
/// for every thousand objects instead of one per directory). Yields files only, any order.
/// </summary>
public interface IRecursiveLister
{
    /// <param name="modTimes">False when the caller does not need modification times: a backend for which a
    /// file's time costs a request of its own (S3 keeps it in metadata, read by HEAD) may then give
    /// <see cref="StorageEntry.NoTime"/> instead, but only for a file whose entry carries its checksum,
    /// so that what the file is can still be checked (size and checksum; see the engine's re-checks).</param>
    IAsyncEnumerable<StorageEntry> ListRecursiveAsync(bool modTimes, CancellationToken ct);
}
