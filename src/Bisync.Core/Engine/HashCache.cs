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
            var rest = line.AsSpan();
            if (!Field(ref rest, out var sizeText) || !long.TryParse(sizeText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var size)) continue;
            if (!Field(ref rest, out var mtimeText) || !long.TryParse(mtimeText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var mtime)) continue;
            if (!Field(ref rest, out var idText) || !ulong.TryParse(idText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var fileId)) continue;
            if (!Field(ref rest, out var md5)) continue;
            try
            {
                cache._entries[GoQuote.Unquote(rest)] = (size, mtime, fileId, md5.ToString());
            }
            catch (FormatException)
            {
            }
        }
        cache._loaded = cache._entries.Count;
        return cache;
    }

    private static bool Field(ref ReadOnlySpan<char> rest, out ReadOnlySpan<char> field)
    {
        var space = rest.IndexOf(' ');
        if (space <= 0) { field = default; return false; }
        field = rest[..space];
        rest = rest[(space + 1)..];
        return true;
    }

    private int _loaded;
    private int _changes;

    public string? Lookup(string path, long size, long modTime, ulong fileId) =>
        _entries.TryGetValue(path, out var e) && e.Size == size && e.ModTime == modTime && e.FileId == fileId ? e.Md5 : null;

    public void Set(string path, long size, long modTime, ulong fileId, string md5)
    {
        _entries[path] = (size, modTime, fileId, md5);
        Interlocked.Increment(ref _changes);
    }

    /// <summary>Saves the entries of the files that still exist, atomically; skipped when nothing changed.</summary>
    public void Save(string file, IReadOnlyCollection<string> keep)
    {
        if (_changes == 0 && keep.Count == _loaded && File.Exists(file)) return;
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
