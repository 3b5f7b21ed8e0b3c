using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Bisync.Text;

namespace Bisync.Engine;

/// <summary>
/// --checksum's memory between runs: a file's MD5 keyed by path, size, modification time and
/// file id (inode and ctime), so an unchanged file is never read again. One text file per side in
/// the working directory: <c>&lt;size&gt; &lt;mtime ns&gt; &lt;file id&gt; &lt;md5&gt; "&lt;path&gt;"</c>.
/// </summary>
public sealed class HashCache
{
    private readonly ConcurrentDictionary<string, (long Size, long ModTime, ulong FileId, string Md5)> _entries = new(StringComparer.Ordinal);

    public static HashCache Load(string file)
    {
        var cache = new HashCache();
        if (!File.Exists(file)) return cache;
        foreach (var line in File.ReadLines(file))
        {
            // A damaged line only costs a re-hash of that file.
            var parts = line.Split(' ', 5);
            if (parts.Length != 5) continue;
            if (!long.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var size)) continue;
            if (!long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var mtime)) continue;
            if (!ulong.TryParse(parts[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var fileId)) continue;
            try
            {
                cache._entries[GoQuote.Unquote(parts[4])] = (size, mtime, fileId, parts[3]);
            }
            catch (FormatException)
            {
            }
        }
        return cache;
    }

    public string? Lookup(string path, long size, long modTime, ulong fileId) =>
        _entries.TryGetValue(path, out var e) && e.Size == size && e.ModTime == modTime && e.FileId == fileId ? e.Md5 : null;

    public void Set(string path, long size, long modTime, ulong fileId, string md5) => _entries[path] = (size, modTime, fileId, md5);

    /// <summary>Saves the entries of the files that still exist, atomically.</summary>
    public void Save(string file, IEnumerable<string> keep)
    {
        var temp = file + ".tmp";
        using (var writer = new StreamWriter(temp, false, new UTF8Encoding(false), 1 << 16))
        {
            foreach (var path in keep)
            {
                if (!_entries.TryGetValue(path, out var e)) continue;
                writer.Write(string.Create(CultureInfo.InvariantCulture, $"{e.Size} {e.ModTime} {e.FileId} {e.Md5} "));
                writer.Write(GoQuote.Quote(path));
                writer.Write('\n');
            }
        }
        File.Move(temp, file, overwrite: true);
    }
}
