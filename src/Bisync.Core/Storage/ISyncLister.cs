namespace Bisync.Storage;

/// <summary>Optional: a backend that lists one directory synchronously and cheaply (local disks).</summary>
public interface ISyncLister
{
    IEnumerable<StorageEntry> ListDirectory(string dir);
}
