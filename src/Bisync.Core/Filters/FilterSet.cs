namespace Bisync.Filters;

/// <summary>An error in a filter rule or filter file, reported to the user as one line.</summary>
public sealed class FilterException(string message) : Exception(message);

/// <summary>
/// The compiled filter: bisync's --filters-file rules first, then the global filter flags.
/// PLACEHOLDER: supports only "- pattern" / "+ pattern" lines with plain '*' globs; the
/// complete rclone filter language replaces this file.
/// </summary>
public sealed class FilterSet : IPathFilter
{
    private readonly List<(bool Include, System.Text.RegularExpressions.Regex Pattern)> _rules = [];

    public bool IsEmpty => _rules.Count == 0;
    public IReadOnlyList<string> ExcludeIfPresent => [];

    /// <summary>Compiles the rules. <paramref name="filtersFile"/> is bisync's --filters-file path, or null.</summary>
    public static FilterSet Build(FilterOptions options, string? filtersFile, DateTime now)
    {
        var set = new FilterSet();
        if (filtersFile is not null)
        {
            foreach (var raw in File.ReadAllLines(filtersFile))
            {
                var line = raw.Trim();
                if (line.Length == 0 || line[0] == '#' || line[0] == ';') continue;
                if (line.Length < 2 || (line[0] != '+' && line[0] != '-') || line[1] != ' ')
                    throw new FilterException($"malformed rule \"{line}\" in {filtersFile}");
                var glob = line[2..];
                var anchored = glob.StartsWith('/');
                var body = System.Text.RegularExpressions.Regex.Escape(anchored ? glob[1..] : glob)
                    .Replace("\\*\\*", ".*").Replace("\\*", "[^/]*");
                var regex = (anchored ? "^" : "(^|/)") + body + "$";
                set._rules.Add((line[0] == '+', new System.Text.RegularExpressions.Regex(regex)));
            }
        }
        return set;
    }

    public bool IncludeFile(string path, long size, long modTime)
    {
        foreach (var (include, pattern) in _rules)
            if (pattern.IsMatch(path)) return include;
        return true;
    }

    public bool IncludeDirectory(string dir) => true;

    /// <summary>The compiled rules, one per line, as rclone's --dump filters shows them.</summary>
    public string Dump() => string.Join('\n', _rules.Select(r => (r.Include ? "+ " : "- ") + r.Pattern));
}
