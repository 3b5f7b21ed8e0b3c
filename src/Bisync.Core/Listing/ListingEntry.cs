using Bisync.Storage;

namespace Bisync.Listing;

/// <summary>
/// One line of a listing file: a file's path, size, hash ("-" or e.g. "md5:hex") and modification
/// time (Unix nanoseconds, UTC). The flags and id columns are "-" for every file rclone's local
/// backend and our backends list, so they are not stored (a million entries save 16 MB each way).
/// </summary>
public readonly record struct ListingEntry(string Path, long Size, long ModTime, string Hash = "-")
{
    public string Flags => "-";
    public string Id => "-";

    /// <summary>The file as a storage reports it (the one conversion between the two shapes).</summary>
    public StorageEntry ToStorageEntry() => new(Path, Size, ModTime, false, Hash);

    /// <summary>A listing line for a file a storage reported.</summary>
    public static ListingEntry From(in StorageEntry e) => new(e.Path, e.Size, e.ModTime, e.Hash ?? "-");
}
