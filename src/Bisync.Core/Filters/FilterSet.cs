using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Bisync.Filters;

/// <summary>An error in a filter rule or filter file, reported to the user as one line.</summary>
public sealed class FilterException(string message) : Exception(message);

/// <summary>
/// The compiled filter, with rclone's semantics: an ordered list of file rules and one of
/// directory rules (first match wins, no match includes), --files-from lists, size and age
/// limits, and --exclude-if-present markers.
/// </summary>
/// <remarks>
/// Rules are collected the way rclone v1.60.1 does it: first every --include, then the
/// --include-from files, --exclude, --exclude-from, --filter, bisync's --filters-file, and the
/// --filter-from files; when any --include/--include-from was given an exclude-everything rule
/// ends the list. (rclone bisync itself puts its --filters-file in front of the --filter-from
/// files, after the other rule flags: observed with rclone v1.60.1.) Each include rule also adds
/// directory rules for the directories that lead to what it matches, and each exclude rule
/// holding "**" (or ending in '/') also excludes matching directories, which prunes them from
/// the listing; directory rules see the directory path with a trailing '/'.
/// --files-from / --files-from-raw lists replace the rules and must come alone, as in rclone.
/// Every rule is one regexp compiled once (user {{regexp}} parts by the non-backtracking engine,
/// linear time like Go's RE2), with cheap literal checks in front of it.
/// </remarks>
public sealed class FilterSet : IPathFilter
{
    /// <summary>
    /// One rule: include or exclude when <see cref="Regex"/> matches. <see cref="Literals"/> are
    /// cheap necessary conditions checked before the regexp (null: none known).
    /// </summary>
    private sealed record Rule(bool Include, string Text, Regex Regex, Glob.Literals? Literals)
    {
        /// <summary>True for "^.*$" and "(^|/).*$", which match every path without a newline.</summary>
        public bool MatchesAll { get; } = Text is MatchAll or "(^|/).*$";

        public bool IsMatch(ReadOnlySpan<char> path)
        {
            if (MatchesAll) return !path.Contains('\n');
            if (Literals is { } l)
            {
                if (l.Suffix is { } suffix && !path.EndsWith(suffix, StringComparison.Ordinal)) return false;
                if (l.Prefix is { } prefix && !path.StartsWith(prefix, StringComparison.Ordinal)) return false;
                if (l.Longest is { } longest && path.IndexOf(longest, StringComparison.Ordinal) < 0) return false;
            }
            return Regex.IsMatch(path);
        }

        public override string ToString() => (Include ? "+ " : "- ") + Text;
    }

    /// <summary>An ordered rule list that ignores a rule already in it.</summary>
    private sealed class RuleList
    {
        private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
        public List<Rule> Rules { get; } = [];

        /// <summary>Adds a rule; <paramref name="glob"/> is the glob it came from (for its literals), if known.</summary>
        public void Add(bool include, string regexText, string? glob = null, bool ignoreCase = false)
        {
            if (!_seen.Add((include ? "+ " : "- ") + regexText)) return;
            var literals = glob is null || ignoreCase ? null : Glob.RequiredLiterals(glob);
            Rules.Add(new Rule(include, regexText, Compile(regexText), literals));
        }

        public void Clear()
        {
            _seen.Clear();
            Rules.Clear();
        }
    }

    private const string MatchAll = "^.*$";

    private static readonly ConcurrentDictionary<string, Regex> RegexCache = new(StringComparer.Ordinal);

    private readonly RuleList _fileRules = new();
    private readonly RuleList _dirRules = new();
    private readonly bool _ignoreCase;
    private Rule[] _files = [];
    private Rule[] _dirs = [];
    private HashSet<string>? _filesFrom;
    private HashSet<string>? _filesFromDirs;
    private long _minSize = -1;
    private long _maxSize = -1;
    private long? _modTimeFrom;
    private long? _modTimeTo;
    private DateTime? _modTimeFromUtc;
    private DateTime? _modTimeToUtc;
    private string[] _excludeIfPresent = [];

    private FilterSet(bool ignoreCase) => _ignoreCase = ignoreCase;

    public bool IsEmpty => _files.Length == 0 && _dirs.Length == 0 && _filesFrom is null
        && _minSize < 0 && _maxSize < 0 && _modTimeFrom is null && _modTimeTo is null && _excludeIfPresent.Length == 0;

    public IReadOnlyList<string> ExcludeIfPresent => _excludeIfPresent;

    /// <summary>Compiles the rules. <paramref name="filtersFile"/> is bisync's --filters-file path, or null.</summary>
    public static FilterSet Build(FilterOptions options, string? filtersFile, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (filtersFile is not null && !File.Exists(filtersFile)) throw new FilterException($"filters file not found: {filtersFile}");
        var set = new FilterSet(options.IgnoreCase);

        var byKind = options.Rules.ToLookup(r => NormaliseFlag(r.Name));
        foreach (var flag in options.Rules)
            if (NormaliseFlag(flag.Name) is not ("--include" or "--include-from" or "--exclude" or "--exclude-from" or "--filter" or "--filter-from"))
                throw new FilterException($"unknown filter flag {flag.Name}");

        foreach (var f in byKind["--include"]) set.AddGlobFromFlag(f, include: true);
        foreach (var f in byKind["--include-from"]) set.AddGlobsFromFile(f.Value, include: true);
        foreach (var f in byKind["--exclude"]) set.AddGlobFromFlag(f, include: false);
        foreach (var f in byKind["--exclude-from"]) set.AddGlobsFromFile(f.Value, include: false);
        foreach (var f in byKind["--filter"]) set.AddRuleFromFlag(f);
        if (filtersFile is not null) set.AddRulesFromFile(filtersFile);
        foreach (var f in byKind["--filter-from"]) set.AddRulesFromFile(f.Value);
        if (byKind["--include"].Any() || byKind["--include-from"].Any())
        {
            set._fileRules.Add(false, set.CaseFlag + MatchAll);
            set._dirRules.Add(false, set.CaseFlag + MatchAll);
        }

        if (options.MinSize is >= 0) set._minSize = options.MinSize.Value;
        if (options.MaxSize is >= 0) set._maxSize = options.MaxSize.Value;
        var nowUtc = now.ToUniversalTime();
        if (options.MaxAge is { } maxAge && maxAge != Units.Duration.Off)
        {
            set._modTimeFromUtc = Subtract(nowUtc, maxAge);
            set._modTimeFrom = UnixNanos(set._modTimeFromUtc.Value);
        }
        if (options.MinAge is { } minAge && minAge != Units.Duration.Off)
        {
            set._modTimeToUtc = Subtract(nowUtc, minAge);
            set._modTimeTo = UnixNanos(set._modTimeToUtc.Value);
        }
        if (set._modTimeFrom is { } fromNs && set._modTimeTo is { } toNs && fromNs > toNs)
            throw new FilterException("--min-age can't be larger than --max-age");
        set._excludeIfPresent = options.ExcludeIfPresent.Where(n => n.Length > 0).Distinct(StringComparer.Ordinal).ToArray();

        if (options.FilesFrom.Count > 0 || options.FilesFromRaw.Count > 0)
        {
            bool others = set._fileRules.Rules.Count > 0 || set._dirRules.Rules.Count > 0 || set._minSize >= 0 || set._maxSize >= 0
                || set._modTimeFrom is not null || set._modTimeTo is not null || set._excludeIfPresent.Length > 0;
            if (others)
            {
                string flag = options.FilesFrom.Count > 0 ? "--files-from" : "--files-from-raw";
                string other = options.FilesFrom.Count > 0 ? "--files-from-raw" : "--files-from";
                throw new FilterException($"the usage of {flag} overrides all other filters, it should be used alone or with {other}");
            }
            set._filesFrom = new HashSet<string>(StringComparer.Ordinal);
            foreach (var file in options.FilesFrom) set.AddFilesFrom(file, raw: false);
            foreach (var file in options.FilesFromRaw) set.AddFilesFrom(file, raw: true);
            set._filesFromDirs = new HashSet<string>(StringComparer.Ordinal);
            foreach (var path in set._filesFrom)
                for (int slash = path.IndexOf('/'); slash >= 0; slash = path.IndexOf('/', slash + 1))
                    set._filesFromDirs.Add(path[..slash]);
        }

        set._files = [.. set._fileRules.Rules];
        set._dirs = [.. set._dirRules.Rules];
        return set;
    }

    public bool IncludeFile(string path, long size, long modTime)
    {
        if (_filesFrom is not null) return _filesFrom.Contains(path);
        if (_minSize >= 0 && size < _minSize) return false;
        if (_maxSize >= 0 && size > _maxSize) return false;
        if (_modTimeFrom is { } from && modTime < from) return false;
        if (_modTimeTo is { } to && modTime > to) return false;
        foreach (var rule in _files)
            if (rule.IsMatch(path)) return rule.Include;
        return true;
    }

    public bool IncludeDirectory(string dir)
    {
        if (_filesFromDirs is not null) return _filesFromDirs.Contains(dir);
        if (_dirs.Length == 0) return true;
        // Directory rules see the directory with a trailing '/'.
        char[] buffer = ArrayPool<char>.Shared.Rent(dir.Length + 1);
        try
        {
            dir.CopyTo(buffer);
            buffer[dir.Length] = '/';
            var span = new ReadOnlySpan<char>(buffer, 0, dir.Length + 1);
            foreach (var rule in _dirs)
                if (rule.IsMatch(span)) return rule.Include;
            return true;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    /// <summary>What rclone --dump filters prints for the same filter.</summary>
    public string Dump()
    {
        var sb = new StringBuilder();
        sb.Append("--- start filters ---\n");
        if (_modTimeFromUtc is { } from) sb.Append("Last-modified date must be equal or greater than: ").Append(GoTime(from)).Append('\n');
        if (_modTimeToUtc is { } to) sb.Append("Last-modified date must be equal or less than: ").Append(GoTime(to)).Append('\n');
        sb.Append("--- File filter rules ---\n");
        foreach (var rule in _files) sb.Append(rule).Append('\n');
        sb.Append("--- Directory filter rules ---\n");
        foreach (var rule in _dirs) sb.Append(rule).Append('\n');
        sb.Append("--- end filters ---");
        return sb.ToString();
    }

    private string CaseFlag => _ignoreCase ? "(?i)" : "";

    private static string NormaliseFlag(string name) => name switch
    {
        "-f" => "--filter",
        _ => name,
    };

    private void AddGlobFromFlag(FilterFlag flag, bool include)
    {
        try
        {
            AddGlob(include, flag.Value);
        }
        catch (FilterException e)
        {
            throw new FilterException($"{flag.Name} \"{flag.Value}\": {e.Message}");
        }
    }

    private void AddRuleFromFlag(FilterFlag flag)
    {
        try
        {
            AddRule(flag.Value);
        }
        catch (FilterException e)
        {
            throw new FilterException($"{flag.Name} \"{flag.Value}\": {e.Message}");
        }
    }

    /// <summary>An --include-from / --exclude-from file: one glob a line.</summary>
    private void AddGlobsFromFile(string file, bool include) => AddFromFile(file, text => AddGlob(include, text));

    /// <summary>A --filter-from file (or bisync's --filters-file): one "+ glob", "- glob" or "!" a line.</summary>
    private void AddRulesFromFile(string file) => AddFromFile(file, AddRule);

    /// <summary>Each non-blank, non-comment line of a rule file, trimmed; an error names the file and line.</summary>
    private static void AddFromFile(string file, Action<string> add)
    {
        int lineNumber = 0;
        foreach (var line in ReadRuleLines(file))
        {
            lineNumber++;
            var text = line.Trim();
            if (text.Length == 0 || text[0] is '#' or ';') continue;
            try
            {
                add(text);
            }
            catch (FilterException e)
            {
                throw new FilterException($"{file}:{lineNumber}: {e.Message}");
            }
        }
    }

    private static string[] ReadRuleLines(string file)
    {
        try
        {
            return ReadText(file).Split('\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FilterException($"{file}: can't read filter file: {e.Message}");
        }
    }

    /// <summary>One rule as --filter takes it: "+ glob", "- glob", or "!" to clear the rules so far.</summary>
    private void AddRule(string rule)
    {
        if (rule == "!")
        {
            _fileRules.Clear();
            _dirRules.Clear();
            return;
        }
        if (rule.Length < 2 || rule[0] is not ('+' or '-') || rule[1] != ' ')
            throw new FilterException($"malformed rule \"{rule}\": it must start with \"+ \" (include) or \"- \" (exclude), or be \"!\"");
        AddGlob(rule[0] == '+', rule[2..]);
    }

    private void AddGlob(bool include, string glob)
    {
        try
        {
            if (include) AddInclude(glob);
            else AddExclude(glob);
        }
        catch (GlobException e)
        {
            throw new FilterException(e.Message);
        }
    }

    private void AddExclude(string glob)
    {
        // Excluding "dir/" excludes the directory and everything in it.
        if (glob.EndsWith('/')) glob += "**";
        var regex = ToRegex(glob);
        _fileRules.Add(false, regex, glob, _ignoreCase);
        if (glob.Contains("**", StringComparison.Ordinal))
            _dirRules.Add(false, regex, glob, _ignoreCase);
        else if (glob == "*")
            _dirRules.Add(false, CaseFlag + MatchAll);
    }

    private void AddInclude(string glob)
    {
        bool hasDoubleStar = glob.Contains("**", StringComparison.Ordinal);
        if (glob.EndsWith('/') && !hasDoubleStar)
        {
            // "dir/" only lets the directory itself be listed.
            _dirRules.Add(true, ToRegex(glob), glob, _ignoreCase);
            return;
        }
        _fileRules.Add(true, ToRegex(glob), glob, _ignoreCase);
        foreach (var (dirRegex, dirGlob) in ParentDirectoryRegexes(glob))
            _dirRules.Add(true, dirRegex, dirGlob, _ignoreCase);
        if (hasDoubleStar)
            _dirRules.Add(true, ToRegex(glob), glob, _ignoreCase);
    }

    /// <summary>
    /// The directory rules an include glob needs so that the directories leading to what it
    /// matches are listed: the glob cut at each '/' (and after a "**", which spans directories).
    /// When the parents can't be expressed (a {{regexp}} or a {a,b/c} group spanning a '/'),
    /// every directory is let through.
    /// </summary>
    private List<(string Regex, string? Glob)> ParentDirectoryRegexes(string glob)
    {
        bool anchored = glob.StartsWith('/');
        string body = anchored ? glob[1..] : glob;
        string prefix = anchored ? "/" : "";
        var result = new List<(string, string?)>();
        if (body.Contains("{{", StringComparison.Ordinal))
        {
            result.Add((CaseFlag + MatchAll, null));
            return result;
        }
        var dirGlobs = new List<string>();
        string current = body;
        while (true)
        {
            int lastSlash = current.LastIndexOf('/');
            string lastPart = current[(lastSlash + 1)..];
            int stars = lastPart.LastIndexOf("**", StringComparison.Ordinal);
            if (stars >= 0)
            {
                current = current[..(lastSlash + 1 + stars + 2)];
                dirGlobs.Add(current + "/");
            }
            lastSlash = current.LastIndexOf('/');
            if (lastSlash < 0) break;
            current = current[..lastSlash];
            dirGlobs.Add(current + "/");
        }
        try
        {
            foreach (var dirGlob in dirGlobs) result.Add((ToRegex(prefix + dirGlob), prefix + dirGlob));
        }
        catch (GlobException e) when (e.BraceMismatch)
        {
            result.Clear();
            result.Add((CaseFlag + MatchAll, null));
            return result;
        }
        if (result.Count == 0 && !anchored) result.Add((CaseFlag + MatchAll, null));
        return result;
    }

    private string ToRegex(string glob)
    {
        var regex = Glob.ToRegex(glob, _ignoreCase);
        Compile(regex, glob);
        return regex;
    }

    /// <summary>Compiles a rule's regexp, cached by its text.</summary>
    internal static Regex Compile(string regex, string? glob = null)
    {
        if (RegexCache.TryGetValue(regex, out var cached)) return cached;
        Regex compiled;
        try
        {
            // Glob-made regexps hold only literals, classes and alternatives besides their
            // ".*" / "[^/]*": with one or two of those backtracking stays cheap, and the
            // backtracking engine is much quicker to build and to run. A {{regexp}} part, or
            // more wildcards, could make backtracking blow up: those get the non-backtracking
            // engine, linear like Go's, which also rejects what Go rejects (backreferences,
            // lookaround).
            int anyDepth = CountOf(regex, ".*"), inName = CountOf(regex, "[^/]*");
            bool risky = (glob is not null && glob.Contains("{{", StringComparison.Ordinal)) || anyDepth >= 2 || anyDepth + inName >= 3;
            compiled = new Regex(GoRegex.ToDotNet(regex),
                (risky ? RegexOptions.NonBacktracking : RegexOptions.Compiled) | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            throw new FilterException(glob is null
                ? $"bad regexp \"{regex}\": {e.Message}"
                : $"bad glob pattern \"{glob}\" (regexp \"{regex}\"): {e.Message}");
        }
        if (RegexCache.Count > 4096) RegexCache.Clear();
        RegexCache[regex] = compiled;
        return compiled;
    }

    private static int CountOf(string text, string part)
    {
        int count = 0;
        for (int i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal))
            count++;
        return count;
    }

    private void AddFilesFrom(string file, bool raw)
    {
        string text;
        try
        {
            text = ReadText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FilterException($"{file}: can't read file list: {e.Message}");
        }
        foreach (var rawLine in text.Split('\n'))
        {
            string line = rawLine;
            if (!raw)
            {
                line = line.Trim();
                if (line.Length == 0 || line[0] is '#' or ';') continue;
            }
            if (line.StartsWith('/')) line = line[1..];
            if (line.Length == 0) continue;
            _filesFrom!.Add(line);
        }
    }

    /// <summary>A rule or list file's text; "-" is standard input, as in rclone.</summary>
    private static string ReadText(string file) => file == "-" ? Console.In.ReadToEnd() : File.ReadAllText(file);

    private static DateTime Subtract(DateTime nowUtc, TimeSpan age)
    {
        long ticks = nowUtc.Ticks - age.Ticks;
        if (age.Ticks > 0 && ticks < DateTime.MinValue.Ticks) ticks = DateTime.MinValue.Ticks;
        if (age.Ticks < 0 && (ticks > DateTime.MaxValue.Ticks || ticks < nowUtc.Ticks)) ticks = DateTime.MaxValue.Ticks;
        return new DateTime(ticks, DateTimeKind.Utc);
    }

    private static long UnixNanos(DateTime utc)
    {
        long ticks = utc.Ticks - DateTime.UnixEpoch.Ticks;
        if (ticks > long.MaxValue / 100) return long.MaxValue;
        if (ticks < long.MinValue / 100) return long.MinValue;
        return ticks * 100;
    }

    /// <summary>A time as Go prints one: "2006-01-02 15:04:05.999999999 +0000 UTC".</summary>
    private static string GoTime(DateTime utc)
    {
        var text = utc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        long fraction = utc.Ticks % TimeSpan.TicksPerSecond;
        if (fraction != 0)
            text += "." + (fraction * 100).ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0');
        return text + " +0000 UTC";
    }
}
