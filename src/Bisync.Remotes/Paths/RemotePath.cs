using System.Text;
using Bisync.Storage;

namespace Bisync.Remotes.Paths;

public enum RemotePathKind
{
    /// <summary>A path on this machine: absolute or relative, with no ':' before the first '/'.</summary>
    Local,
    /// <summary><c>name:path</c> or <c>name,opt=value:path</c>: a remote from rclone.conf or the environment.</summary>
    Named,
    /// <summary><c>:type:path</c> or <c>:type,opt=value:path</c>: a backend configured on the fly.</summary>
    OnTheFly,
}

/// <summary>A parsed rclone path. <see cref="Parameters"/> holds connection-string options in order, with snake_case names.</summary>
public sealed record RemotePath(
    RemotePathKind Kind,
    string? Name,
    IReadOnlyList<KeyValuePair<string, string>> Parameters,
    string Path,
    string Original)
{
    /// <summary>Option names whose values are secret: shown as "***" by <see cref="Display"/>.</summary>
    internal static readonly HashSet<string> SecretOptions = new(StringComparer.OrdinalIgnoreCase)
    {
        "pass", "password", "password2", "key_file_pass", "key_pem", "secret_access_key", "session_token",
        "sse_customer_key", "sse_kms_key_id", "token", "client_secret", "bearer_token", "key_use_agent_pass",
    };

    /// <summary>
    /// The path as the user wrote it, but with the values of secret connection-string options hidden,
    /// fit for log lines and error messages.
    /// </summary>
    public string Display
    {
        get
        {
            if (Kind == RemotePathKind.Local || Parameters.Count == 0) return Original;
            var sb = new StringBuilder();
            if (Kind == RemotePathKind.OnTheFly) sb.Append(':');
            sb.Append(Name);
            foreach (var (k, v) in Parameters)
            {
                sb.Append(',').Append(k);
                sb.Append('=').Append(SecretOptions.Contains(k) ? "***" : Quote(v));
            }
            sb.Append(':').Append(Path);
            return sb.ToString();
        }
    }

    /// <summary>
    /// The name rclone gives this file system: the remote name (":type" on the fly), plus, when
    /// connection-string options are given, "{hash}" of them (first five characters of the URL-safe
    /// base64 MD5 of the options sorted by name as <c>name='value'</c> joined by ','; a quote inside
    /// a value doubled). No secret can be read back from it.
    /// </summary>
    public string FsName
    {
        get
        {
            if (Kind == RemotePathKind.Local) return "local";
            var name = Kind == RemotePathKind.OnTheFly ? ":" + Name : Name!;
            return Parameters.Count == 0 ? name : name + "{" + ConfigHash(Parameters) + "}";
        }
    }

    /// <summary>The root as rclone prints it and names bisync's listing files from: "name:path/" (e.g. "remote:dir/", ":sftp{AbCdE}:dir/", "remote:/").</summary>
    public string RootString => Kind == RemotePathKind.Local ? Original : FsName + ":" + Path + "/";

    internal static string ConfigHash(IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        var last = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in parameters) last[k] = v;
        var text = string.Join(',', last.Select(kv => kv.Key + "='" + kv.Value.Replace("'", "''") + "'"));
        var md5 = System.Security.Cryptography.MD5.HashData(Encoding.UTF8.GetBytes(text));
        return Convert.ToBase64String(md5).Replace('+', '-').Replace('/', '_')[..5];
    }

    private static string Quote(string v) =>
        v.IndexOfAny([',', ':', '"', '\'']) < 0 ? v : "\"" + v.Replace("\"", "\"\"") + "\"";

    /// <summary>Parses rclone path syntax. Throws <see cref="UserException"/> on malformed connection strings.</summary>
    public static RemotePath Parse(string input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Length == 0) throw new UserException("empty path", 1);
        if (input[0] == ':')
        {
            int i = 1;
            var type = ReadName(input, ref i);
            if (type.Length == 0)
                throw new UserException($"Failed to create file system for \"{input}\": config name needs a backend type after ':'", 1);
            var ps = ReadParameters(input, ref i);
            return new RemotePath(RemotePathKind.OnTheFly, type, ps, CleanRemote(input[(i + 1)..]), input);
        }

        // A named remote only when the text before the first ':' or ',' is a valid remote name
        // and no '/' comes first; anything else is a local path.
        int stop = input.IndexOfAny([':', ',', '/']);
        if (stop <= 0 || input[stop] == '/' || (OperatingSystem.IsWindows() && input[stop] == '\\'))
            return Local(input);
        var name = input[..stop];
        if (!IsValidRemoteName(name))
        {
            // "C:" style drive letters and names with odd characters are local paths
            return Local(input);
        }
        if (input[stop] == ',' && !input.AsSpan(stop).Contains(':'))
            return Local(input);
        int j = stop;
        var parameters = ReadParameters(input, ref j);
        return new RemotePath(RemotePathKind.Named, name, parameters, CleanRemote(input[(j + 1)..]), input);
    }

    private static RemotePath Local(string input) => new(RemotePathKind.Local, null, [], input, input);

    /// <summary>Remote names: letters, digits, '_', '-', '.', '+', '@' and spaces, not starting with '-' or a space, not ending with a space.</summary>
    public static bool IsValidRemoteName(string name)
    {
        if (name.Length == 0 || name[0] == '-' || name[0] == ' ' || name[^1] == ' ') return false;
        if (OperatingSystem.IsWindows() && name.Length == 1 && char.IsAsciiLetter(name[0])) return false;
        foreach (var c in name)
            if (!(char.IsLetterOrDigit(c) || c is '_' or '-' or '.' or '+' or '@' or ' ')) return false;
        return true;
    }

    private static string ReadName(string s, ref int i)
    {
        int start = i;
        while (i < s.Length && s[i] != ',' && s[i] != ':') i++;
        return s[start..i];
    }

    /// <summary>At a ',' or ':'; reads ",key=value,key2" up to and stopping at the closing ':'.</summary>
    private static List<KeyValuePair<string, string>> ReadParameters(string s, ref int i)
    {
        var list = new List<KeyValuePair<string, string>>();
        while (true)
        {
            if (i >= s.Length)
                throw new UserException($"Failed to create file system for \"{Redacted(s)}\": connection string is missing its closing ':'", 1);
            if (s[i] == ':') return list;
            // s[i] == ','
            i++;
            int start = i;
            while (i < s.Length && s[i] is not (',' or ':' or '=')) i++;
            var key = s[start..i].Trim().Replace('-', '_').ToLowerInvariant();
            if (key.Length == 0)
                throw new UserException($"Failed to create file system for \"{Redacted(s)}\": empty option name in connection string", 1);
            string value = "true";
            if (i < s.Length && s[i] == '=')
            {
                i++;
                if (i < s.Length && (s[i] == '"' || s[i] == '\''))
                {
                    char q = s[i++];
                    var sb = new StringBuilder();
                    while (true)
                    {
                        if (i >= s.Length)
                            throw new UserException($"Failed to create file system for \"{Redacted(s)}\": unterminated quote in connection string", 1);
                        if (s[i] == q)
                        {
                            if (i + 1 < s.Length && s[i + 1] == q) { sb.Append(q); i += 2; continue; }
                            i++;
                            break;
                        }
                        sb.Append(s[i++]);
                    }
                    value = sb.ToString();
                    if (i < s.Length && s[i] is not (',' or ':'))
                        throw new UserException($"Failed to create file system for \"{Redacted(s)}\": unexpected text after a quoted value", 1);
                }
                else
                {
                    int vs = i;
                    while (i < s.Length && s[i] is not (',' or ':')) i++;
                    value = s[vs..i];
                }
            }
            list.Add(new(key, value));
        }
    }

    /// <summary>
    /// A malformed connection string for an error message: only the part before the first option,
    /// since an option value may be a secret ("remote,..." or ":type,...").
    /// </summary>
    private static string Redacted(string s)
    {
        if (!s.Contains('=')) return s;
        int cut = s.IndexOfAny([',', ':'], 1);
        return (cut > 0 ? s[..cut] : s) + ",...";
    }

    /// <summary>rclone drops a trailing '/' on remote paths ("remote:dir/" is "remote:dir").</summary>
    private static string CleanRemote(string p)
    {
        while (p.Length > 1 && p.EndsWith('/')) p = p[..^1];
        return p;
    }
}
