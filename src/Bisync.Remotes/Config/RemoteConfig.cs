using System.Globalization;
using Bisync.Remotes.Paths;
using Bisync.Storage;

namespace Bisync.Remotes.Config;

/// <summary>
/// The options of one remote, looked up in rclone's order: connection-string parameters, then
/// backend flags (<c>--sftp-md5sum-command</c>, see <see cref="BackendFlags"/>), then
/// <c>RCLONE_CONFIG_&lt;NAME&gt;_&lt;OPTION&gt;</c> (named remotes only), then
/// <c>RCLONE_&lt;TYPE&gt;_&lt;OPTION&gt;</c>, then the rclone.conf section, then the default.
/// </summary>
public sealed class RemoteConfig
{
    private readonly IReadOnlyList<KeyValuePair<string, string>> _parameters;
    private readonly IReadOnlyDictionary<string, string>? _section;
    private readonly Func<string, string?> _env;
    private IReadOnlyDictionary<string, string> _flags = new Dictionary<string, string>();

    private RemoteConfig(string type, string? name, string display,
        IReadOnlyList<KeyValuePair<string, string>> parameters,
        IReadOnlyDictionary<string, string>? section, Func<string, string?> env)
    {
        Type = type;
        Name = name;
        Display = display;
        _parameters = parameters;
        _section = section;
        _env = env;
    }

    /// <summary>Backend type ("sftp", "s3", "local", ...).</summary>
    public string Type { get; }

    /// <summary>The remote's name in rclone.conf, or null for an on-the-fly backend.</summary>
    public string? Name { get; }

    /// <summary>The path as written, with secrets hidden; for messages.</summary>
    public string Display { get; }

    /// <summary>Resolves the configuration of a parsed non-local path.</summary>
    /// <param name="flags">Backend flags by <see cref="BackendFlags.Key"/>.</param>
    public static RemoteConfig Resolve(RemotePath path, ConfigFile file, Func<string, string?>? env = null,
        IReadOnlyDictionary<string, string>? flags = null)
    {
        var cfg = ResolveType(path, file, env);
        if (flags is not null) cfg._flags = flags;
        return cfg;
    }

    private static RemoteConfig ResolveType(RemotePath path, ConfigFile file, Func<string, string?>? env)
    {
        env ??= Environment.GetEnvironmentVariable;
        if (path.Kind == RemotePathKind.Local)
            return new RemoteConfig("local", null, path.Display, [], null, env);
        if (path.Kind == RemotePathKind.OnTheFly)
            return new RemoteConfig(path.Name!.ToLowerInvariant(), null, path.Display, path.Parameters, null, env);

        var name = path.Name!;
        var section = file.Section(name);
        var envType = env(ConfigEnvName(name, "type"));
        if (section is null && string.IsNullOrEmpty(envType))
            throw new UserException($"Failed to create file system for \"{path.Display}\": didn't find section in config file", 1);
        var type = !string.IsNullOrEmpty(envType) ? envType
            : section!.TryGetValue("type", out var t) ? t : null;
        if (string.IsNullOrEmpty(type))
            throw new UserException($"Failed to create file system for \"{path.Display}\": config file section \"{name}\" has no \"type\"", 1);
        return new RemoteConfig(type.Trim().ToLowerInvariant(), name, path.Display, path.Parameters, section, env);
    }

    /// <summary>RCLONE_CONFIG_&lt;NAME&gt;_&lt;OPTION&gt;, upper case, anything not a letter or digit as '_'.</summary>
    public static string ConfigEnvName(string remote, string option) =>
        "RCLONE_CONFIG_" + EnvPart(remote) + "_" + EnvPart(option);

    /// <summary>RCLONE_&lt;TYPE&gt;_&lt;OPTION&gt;.</summary>
    public static string BackendEnvName(string type, string option) =>
        "RCLONE_" + EnvPart(type) + "_" + EnvPart(option);

    private static string EnvPart(string s)
    {
        var chars = s.ToUpperInvariant().ToCharArray();
        for (int i = 0; i < chars.Length; i++)
            if (!char.IsAsciiLetterOrDigit(chars[i])) chars[i] = '_';
        return new string(chars);
    }

    /// <summary>The raw value of <paramref name="option"/> (snake_case), or null when it is set nowhere.</summary>
    public string? Get(string option)
    {
        option = option.Replace('-', '_').ToLowerInvariant();
        for (int i = _parameters.Count - 1; i >= 0; i--)
            if (string.Equals(_parameters[i].Key, option, StringComparison.OrdinalIgnoreCase))
                return _parameters[i].Value;
        if (_flags.TryGetValue(BackendFlags.Key(Type, option), out var fromFlag)) return fromFlag;
        if (Name is not null && _env(ConfigEnvName(Name, option)) is { } fromRemoteEnv) return fromRemoteEnv;
        if (_env(BackendEnvName(Type, option)) is { } fromTypeEnv) return fromTypeEnv;
        if (_section is not null && _section.TryGetValue(option, out var fromFile)) return fromFile;
        return null;
    }

    public string GetString(string option, string fallback = "") => Get(option) is { Length: > 0 } v ? v : fallback;

    /// <summary>A value stored obscured (passwords): revealed here, at use. The message of a failure never holds the value.</summary>
    public string? GetSecret(string option)
    {
        var v = Get(option);
        if (string.IsNullOrEmpty(v)) return null;
        try
        {
            return Obscure.Reveal(v);
        }
        catch (FormatException e)
        {
            throw new UserException($"Failed to create file system for \"{Display}\": couldn't decrypt {option}: {e.Message}", 1);
        }
    }

    public bool GetBool(string option, bool fallback)
    {
        var v = Get(option);
        if (string.IsNullOrWhiteSpace(v)) return fallback;
        return v.Trim().ToLowerInvariant() switch
        {
            "true" or "1" or "t" or "yes" or "y" or "on" => true,
            "false" or "0" or "f" or "no" or "n" or "off" => false,
            _ => throw Invalid(option, "a boolean (true/false)"),
        };
    }

    public int GetInt(string option, int fallback)
    {
        var v = Get(option);
        if (string.IsNullOrWhiteSpace(v)) return fallback;
        return int.TryParse(v.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : throw Invalid(option, "an integer");
    }

    public long GetSize(string option, long fallback)
    {
        var v = Get(option);
        if (string.IsNullOrWhiteSpace(v)) return fallback;
        try { return Bisync.Units.SizeSuffix.Parse(v.Trim()); }
        catch (FormatException) { throw Invalid(option, "a size such as 5Mi (a bare number counts KiB, as in rclone)"); }
    }

    public TimeSpan GetDuration(string option, TimeSpan fallback)
    {
        var v = Get(option);
        if (string.IsNullOrWhiteSpace(v)) return fallback;
        try { return Bisync.Units.Duration.Parse(v.Trim()); }
        catch (FormatException) { throw Invalid(option, "a duration such as 30s, 1h30m or off"); }
    }

    /// <summary>The option must be set: a clear error otherwise.</summary>
    public string Require(string option)
    {
        var v = Get(option);
        if (string.IsNullOrEmpty(v))
            throw new UserException($"Failed to create file system for \"{Display}\": {Type} option \"{option}\" is required but not set", 1);
        return v;
    }

    private UserException Invalid(string option, string expected) =>
        new($"Failed to create file system for \"{Display}\": {Type} option \"{option}\" must be {expected}", 1);
}
