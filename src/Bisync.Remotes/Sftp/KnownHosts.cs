using System.Security.Cryptography;
using System.Text;

namespace Bisync.Remotes.Sftp;

/// <summary>An OpenSSH known_hosts file: plain or hashed host patterns, "[host]:port" for other ports than 22.</summary>
internal sealed class KnownHosts
{
    private readonly List<(string[] Patterns, string? Salt, string? Hash, byte[] Key)> _entries = [];

    public static KnownHosts Load(string path)
    {
        var kh = new KnownHosts();
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#' || line[0] == '@') continue; // markers (@revoked, @cert-authority) are not used
            var parts = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 3) continue;
            byte[] key;
            try { key = Convert.FromBase64String(parts[2]); }
            catch (FormatException) { continue; }
            if (parts[0].StartsWith("|1|", StringComparison.Ordinal))
            {
                var h = parts[0].Split('|');
                if (h.Length == 4) kh._entries.Add(([], h[2], h[3], key));
            }
            else
            {
                kh._entries.Add((parts[0].Split(','), null, null, key));
            }
        }
        return kh;
    }

    /// <summary>True when the file lists <paramref name="key"/> (the SSH public key blob) for host:port.</summary>
    public bool Trusts(string host, int port, byte[] key)
    {
        var name = port == 22 ? host : $"[{host}]:{port}";
        foreach (var e in _entries)
        {
            if (!e.Key.AsSpan().SequenceEqual(key)) continue;
            if (e.Salt is not null)
            {
                try
                {
                    var mac = HMACSHA1.HashData(Convert.FromBase64String(e.Salt), Encoding.UTF8.GetBytes(name));
                    if (Convert.ToBase64String(mac) == e.Hash) return true;
                }
                catch (FormatException) { }
                continue;
            }
            bool match = false;
            foreach (var p in e.Patterns)
            {
                if (p.StartsWith('!')) { if (Glob(p[1..], name)) { match = false; break; } continue; }
                if (Glob(p, name)) match = true;
            }
            if (match) return true;
        }
        return false;
    }

    private static bool Glob(string pattern, string text)
    {
        if (!pattern.Contains('*') && !pattern.Contains('?'))
            return string.Equals(pattern, text, StringComparison.OrdinalIgnoreCase);
        var rx = "^" + System.Text.RegularExpressions.Regex.Escape(pattern).Replace("\\*", ".*").Replace("\\?", ".") + "$";
        return System.Text.RegularExpressions.Regex.IsMatch(text, rx, System.Text.RegularExpressions.RegexOptions.IgnoreCase);
    }
}
