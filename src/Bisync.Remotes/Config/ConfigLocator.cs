namespace Bisync.Remotes.Config;

/// <summary>Finds rclone.conf the way rclone does.</summary>
public static class ConfigLocator
{
    /// <summary>
    /// The config path in use: an explicit path (--config) first, then RCLONE_CONFIG, then the first
    /// existing of $XDG_CONFIG_HOME/rclone/rclone.conf, ~/.config/rclone/rclone.conf, ~/.rclone.conf;
    /// when none exists, the XDG (or ~/.config) path, which then reads as an empty config.
    /// </summary>
    public static string Locate(string? explicitPath, Func<string, string?>? env = null)
    {
        env ??= Environment.GetEnvironmentVariable;
        if (!string.IsNullOrEmpty(explicitPath)) return ExpandHome(explicitPath, env);
        var fromEnv = env("RCLONE_CONFIG");
        if (!string.IsNullOrEmpty(fromEnv)) return ExpandHome(fromEnv, env);

        var home = Home(env);
        var candidates = new List<string>();
        var xdg = env("XDG_CONFIG_HOME");
        if (!string.IsNullOrEmpty(xdg)) candidates.Add(Path.Combine(xdg, "rclone", "rclone.conf"));
        if (home is not null)
        {
            candidates.Add(Path.Combine(home, ".config", "rclone", "rclone.conf"));
            candidates.Add(Path.Combine(home, ".rclone.conf"));
        }
        foreach (var c in candidates)
            if (File.Exists(c)) return c;
        return candidates.Count > 0 ? candidates[0] : "rclone.conf";
    }

    internal static string? Home(Func<string, string?> env)
    {
        var h = env("HOME");
        if (!string.IsNullOrEmpty(h)) return h;
        var p = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return string.IsNullOrEmpty(p) ? null : p;
    }

    internal static string ExpandHome(string path, Func<string, string?> env)
    {
        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal))
        {
            var home = Home(env);
            if (home is not null) return home + path[1..];
        }
        return path;
    }
}
