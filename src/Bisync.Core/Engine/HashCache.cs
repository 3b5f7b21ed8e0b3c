using System.Globalization;
using System.Text;
using Bisync.Listing;
using Bisync.Text;

namespace Bisync.Engine;

/// <summary>
/// --checksum's memory between runs: a file's MD5 keyed by path, size, modification time and
/// file id (inode and ctime), so an unchanged file is never read again. One text file per side in
/// the working directory, in the listing's (Go byte) order of paths:
/// <c>&lt;size&gt; &lt;mtime ns&gt; &lt;file id&gt; &lt;md5&gt; "&lt;path&gt;"</c>.
/// Both the cache and the listing are sorted, so they are matched in one merge pass and the
/// cache is never held in memory.
/// </summary>
public sealed class HashCache(string file)
{
    private int _matched;
    private int _lines;

    /// <summary>
    /// The cached MD5 (hex) of each entry of <paramref name="listing"/> whose size, time and file id
    /// are those cached; null where there is none. A cache line out of order (a file edited by hand)
    /// ends the matching: the files after it are read again, and the next save is in order.
    /// </summary>
    public string?[] Match(FileListing listing)
    {
        var found = new string?[listing.Count];
        _matched = _lines = 0;
        if (!File.Exists(file)) return found;
        var cmp = GoOrdinalComparer.Instance;
        var i = 0;
        var current = listing.Count > 0 ? listing.PathAt(0) : null;
        string? last = null;
        foreach (var line in File.ReadLines(file))
        {
            _lines++;
            if (!TryParse(line, out var size, out var mtime, out var fileId, out var md5, out var path)) continue;
            if (last is not null && cmp.Compare(last, path) >= 0) break;
            last = path;
            while (current is not null && cmp.Compare(current, path) < 0) current = ++i < listing.Count ? listing.PathAt(i) : null;
            if (current is null) break;
            if (current != path) continue;
            var e = listing.GetRaw(i);
            if (e.Size == size && e.ModTime == mtime && listing.FileIdAt(i) == fileId)
            {
                found[i] = md5;
                _matched++;
            }
        }
        return found;
    }

    private static bool TryParse(string line, out long size, out long mtime, out ulong fileId, out string md5, out string path)
    {
        size = mtime = 0;
        fileId = 0;
        md5 = path = "";
        // A damaged line only costs a re-hash of that file.
        var rest = line.AsSpan();
        if (!Field(ref rest, out var sizeText) || !long.TryParse(sizeText, NumberStyles.Integer, CultureInfo.InvariantCulture, out size)) return false;
        if (!Field(ref rest, out var mtimeText) || !long.TryParse(mtimeText, NumberStyles.Integer, CultureInfo.InvariantCulture, out mtime)) return false;
        if (!Field(ref rest, out var idText) || !ulong.TryParse(idText, NumberStyles.Integer, CultureInfo.InvariantCulture, out fileId)) return false;
        if (!Field(ref rest, out var md5Text)) return false;
        try
        {
            path = GoQuote.Unquote(rest);
        }
        catch (FormatException)
        {
            return false;
        }
        md5 = md5Text.ToString();
        return true;
    }

    private static bool Field(ref ReadOnlySpan<char> rest, out ReadOnlySpan<char> field)
    {
        var space = rest.IndexOf(' ');
        if (space <= 0) { field = default; return false; }
        field = rest[..space];
        rest = rest[(space + 1)..];
        return true;
    }

    /// <summary>
    /// Saves the MD5s of <paramref name="final"/> (the listing the run leaves), atomically; skipped
    /// when the cache already holds exactly them. <paramref name="hashed"/>: files read this run.
    /// </summary>
    public void Save(FileListing final, int hashed)
    {
        var withHash = 0;
        for (var i = 0; i < final.Count; i++)
        {
            if (final.HasMd5(i)) withHash++;
        }
        if (hashed == 0 && _matched == withHash && _lines == _matched && File.Exists(file)) return;
        if (Path.GetDirectoryName(file) is { Length: > 0 } dir) Directory.CreateDirectory(dir);
        StateFile.WriteText(file, writer =>
        {
            for (var i = 0; i < final.Count; i++)
            {
                var e = final[i];
                if (!e.Hash.StartsWith(Hasher.Prefix, StringComparison.Ordinal)) continue;
                writer.Write(string.Create(CultureInfo.InvariantCulture, $"{e.Size} {e.ModTime} {final.FileIdAt(i)} {e.Hash.AsSpan(Hasher.Prefix.Length)} "));
                writer.Write(GoQuote.Quote(e.Path));
                writer.Write('\n');
            }
        });
    }
}
