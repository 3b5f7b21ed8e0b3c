namespace Bisync.Filters;

/// <summary>
/// What the engine asks of a filter while it lists a tree. Paths are relative to the
/// root being listed, '/'-separated, without a leading or trailing '/'.
/// </summary>
public interface IPathFilter
{
    /// <summary>True when the filter lets every file through (lets the lister skip all checks).</summary>
    bool IsEmpty { get; }

    /// <summary>Whether a file is included. <paramref name="modTime"/> is Unix nanoseconds, UTC.</summary>
    bool IncludeFile(string path, long size, long modTime);

    /// <summary>Whether a directory may hold included files at all; false prunes the whole subtree.</summary>
    bool IncludeDirectory(string dir);

    /// <summary>File names whose presence in a directory excludes that directory (rclone's --exclude-if-present).</summary>
    IReadOnlyList<string> ExcludeIfPresent { get; }
}

/// <summary>The filter that includes everything.</summary>
public sealed class IncludeAllFilter : IPathFilter
{
    public static readonly IncludeAllFilter Instance = new();
    public bool IsEmpty => true;
    public bool IncludeFile(string path, long size, long modTime) => true;
    public bool IncludeDirectory(string dir) => true;
    public IReadOnlyList<string> ExcludeIfPresent => [];
}
