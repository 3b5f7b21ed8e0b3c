namespace Bisync.Storage;

/// <summary>
/// Optional: a storage whose writes reach the disk only when asked (a local file system). The engine
/// makes a run's copies, deletes and renames durable before its listings say they happened.
/// </summary>
public interface IFileFlusher
{
    /// <summary>
    /// fsyncs the file at each path (when one is still there: a deleted path has none) and every folder
    /// above each path up to the root (a new name, a removed one, a folder a copy made). False when
    /// any of them could not be synced: the caller then syncs the whole file system.
    /// </summary>
    bool Flush(IEnumerable<string> paths);
}
