namespace Bisync.Filters;

/// <summary>One filter flag as given on the command line, e.g. ("--exclude", "*.tmp").</summary>
public sealed record FilterFlag(string Name, string Value);

/// <summary>rclone's global filter flags, as the CLI collected them.</summary>
public sealed record FilterOptions
{
    /// <summary>--filter/-f, --filter-from, --include, --include-from, --exclude, --exclude-from, in command-line order.</summary>
    public IReadOnlyList<FilterFlag> Rules { get; init; } = [];

    /// <summary>--files-from (trimmed lines, comments skipped) and --files-from-raw files.</summary>
    public IReadOnlyList<string> FilesFrom { get; init; } = [];
    public IReadOnlyList<string> FilesFromRaw { get; init; } = [];

    public IReadOnlyList<string> ExcludeIfPresent { get; init; } = [];

    /// <summary>Size limits in bytes, null when not given.</summary>
    public long? MinSize { get; init; }
    public long? MaxSize { get; init; }

    /// <summary>Age limits, null when not given.</summary>
    public TimeSpan? MinAge { get; init; }
    public TimeSpan? MaxAge { get; init; }

    public bool IgnoreCase { get; init; }

    public bool IsEmpty => Rules.Count == 0 && FilesFrom.Count == 0 && FilesFromRaw.Count == 0
        && ExcludeIfPresent.Count == 0 && MinSize is null && MaxSize is null && MinAge is null && MaxAge is null;
}
