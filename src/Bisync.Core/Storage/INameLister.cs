namespace Bisync.Storage;

/// <summary>
/// Optional: the names in one directory and nothing more (no sizes, no times), for a backend where
/// that is much cheaper than a listing with entries or a stat per file (S3: one LIST request per
/// thousand names, where a listing reads each object's time with a HEAD and a stat of a missing
/// file takes two requests). The engine uses it to re-check, before a run of copies into one
/// directory, that the destinations it listed as absent still are (<see cref="Engine.AbsenceProbe"/>).
/// </summary>
public interface INameLister
{
    /// <summary>
    /// The names of the files and subdirectories directly in <paramref name="dir"/> ("" = the root),
    /// in the form the storage's paths use; empty when the directory does not exist. Null when it
    /// holds more than <paramref name="limit"/> names (then a stat per file is the cheaper look).
    /// </summary>
    Task<IReadOnlySet<string>?> ListNamesAsync(string dir, int limit, CancellationToken ct);
}
