namespace Bisync.Storage;

/// <summary>Optional: a backend that lists one directory synchronously and cheaply (local disks).</summary>
public interface ISyncLister
{
    IEnumerable<StorageEntry> ListDirectory(string dir);

    /// <summary>Lists one directory into a list the caller reuses (cleared first).</summary>
    void ListDirectory(string dir, List<StorageEntry> results)
    {
        results.Clear();
        results.AddRange(ListDirectory(dir));
    }
}
