namespace Bisync.Storage;

/// <summary>
/// Optional: the whole tree below the root in one listing (S3's flat key space: one paged request
/// for every thousand objects instead of one per directory). Yields files only, any order.
/// </summary>
public interface IRecursiveLister
{
    IAsyncEnumerable<StorageEntry> ListRecursiveAsync(CancellationToken ct);
}
