namespace Bisync.Storage;

/// <summary>
/// The one rule for a relative path the engine may act on: '/'-separated segments, none of them
/// empty, "." or "..", no NUL, not absolute. A listing line or a backend's name that breaks it
/// could reach outside the synced root, so it is refused wherever paths come in (listing files,
/// backend listings) and again where the local backend turns a path into a file-system name.
/// </summary>
public static class SafePath
{
    /// <summary>Null for a safe path (or "" for the root itself), else why it is not.</summary>
    public static string? Problem(string path)
    {
        if (path.Length == 0) return null;
        if (path[0] == '/') return "absolute path";
        var start = 0;
        for (var i = 0; i <= path.Length; i++)
        {
            if (i < path.Length)
            {
                var c = path[i];
                if (c == '\0') return "NUL in path";
                if (c != '/') continue;
            }
            var len = i - start;
            if (len == 0) return "empty path segment";
            if (path[start] == '.' && (len == 1 || (len == 2 && path[start + 1] == '.'))) return $"\"{path.AsSpan(start, len)}\" segment";
            start = i + 1;
        }
        return null;
    }

    public static bool IsSafe(string path) => Problem(path) is null;

    /// <summary>The same rule over a file-system name's bytes (what the local backend will open).</summary>
    public static bool IsSafe(ReadOnlySpan<byte> path)
    {
        if (path.Length == 0) return true;
        if (path[0] == (byte)'/') return false;
        var start = 0;
        for (var i = 0; i <= path.Length; i++)
        {
            if (i < path.Length)
            {
                if (path[i] == 0) return false;
                if (path[i] != (byte)'/') continue;
            }
            var len = i - start;
            if (len == 0) return false;
            if (path[start] == (byte)'.' && (len == 1 || (len == 2 && path[start + 1] == (byte)'.'))) return false;
            start = i + 1;
        }
        return true;
    }
}
