using Bisync.Storage;

namespace Bisync.Remotes.Config;

/// <summary>
/// An rclone.conf: INI sections, one per remote, each holding snake_case options.
/// Section names are case-sensitive; option names are matched case-insensitively.
/// </summary>
public sealed class ConfigFile
{
    private readonly Dictionary<string, Dictionary<string, string>> _sections = new(StringComparer.Ordinal);

    /// <summary>Where it was read from, or null when there was no file.</summary>
    public string? Path { get; private init; }

    public IReadOnlyCollection<string> SectionNames => _sections.Keys;

    public static ConfigFile Empty { get; } = new();

    /// <summary>The options of one remote, or null when there is no such section.</summary>
    public IReadOnlyDictionary<string, string>? Section(string name) =>
        _sections.TryGetValue(name, out var s) ? s : null;

    /// <summary>Loads <paramref name="path"/>; a missing file gives an empty config (as rclone does).</summary>
    public static ConfigFile Load(string? path)
    {
        if (path is null || !File.Exists(path)) return new ConfigFile { Path = path };
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserException($"Failed to load config file \"{path}\": {e.Message}", 1);
        }
        var file = Parse(text, path);
        return file;
    }

    public static ConfigFile Parse(string text, string? path = null)
    {
        var file = new ConfigFile { Path = path };
        Dictionary<string, string>? current = null;
        int lineNo = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNo++;
            var line = rawLine.TrimEnd('\r').Trim();
            if (lineNo == 1) line = line.TrimStart('\uFEFF');
            if (line.StartsWith("RCLONE_ENCRYPT_V", StringComparison.Ordinal))
                throw new UserException(
                    "the config file is encrypted (RCLONE_ENCRYPT_V0): encrypted rclone.conf is not supported; " +
                    "decrypt it with \"rclone config encryption remove\" or pass an unencrypted copy with --config", 2);
            if (line.Length == 0 || line[0] == '#' || line[0] == ';') continue;
            if (line[0] == '[')
            {
                int close = line.LastIndexOf(']');
                if (close < 1) throw Bad(path, lineNo, "unterminated section header");
                var name = line[1..close].Trim();
                if (!file._sections.TryGetValue(name, out current))
                {
                    current = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                    file._sections[name] = current;
                }
                continue;
            }
            int eq = line.IndexOfAny(['=', ':']);
            if (eq <= 0) throw Bad(path, lineNo, "expected \"key = value\"");
            if (current is null) continue; // keys before any section belong to no remote
            var key = line[..eq].Trim();
            var value = Unquote(line[(eq + 1)..].Trim());
            current[key] = value;
        }
        return file;
    }

    private static string Unquote(string v)
    {
        if (v.Length >= 2 && ((v[0] == '"' && v[^1] == '"') || (v[0] == '`' && v[^1] == '`')))
            return v[1..^1];
        return v;
    }

    private static UserException Bad(string? path, int line, string what) =>
        new($"Failed to load config file \"{path ?? "(text)"}\": line {line}: {what}", 1);
}
