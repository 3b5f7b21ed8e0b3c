namespace Bisync.Listing;

/// <summary>One line of a listing file: a file's path, size, hash, id and modification time.</summary>
/// <param name="ModTime">Unix nanoseconds, UTC.</param>
public readonly record struct ListingEntry(string Path, long Size, long ModTime, string Hash = "-", string Id = "-", string Flags = "-");
