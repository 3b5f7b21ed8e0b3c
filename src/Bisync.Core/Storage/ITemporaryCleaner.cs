namespace Bisync.Storage;

/// <summary>
/// Optional: removes the half-written uploads (temporary names, unfinished multipart uploads) that an
/// interrupted run of this tool left behind. Each backend decides which of them are abandoned: a
/// temporary that another live process may still be writing (two path pairs can share a tree; the
/// lock only keeps two runs off one pair) is left alone.
/// </summary>
public interface ITemporaryCleaner
{
    /// <param name="found">The temporary names (paths below the root) that this run's listing met and skipped.</param>
    /// <param name="minAge">How long a temporary of another (or an unknown) process must have been
    /// untouched before it counts as abandoned.</param>
    /// <returns>The paths removed (for the log), each a path below the root.</returns>
    Task<IReadOnlyList<string>> CleanTemporariesAsync(IReadOnlyList<string> found, TimeSpan minAge, CancellationToken ct);
}
