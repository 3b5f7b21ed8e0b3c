using Bisync.Listing;
using Bisync.Logging;

namespace Bisync.Engine;

/// <summary>
/// Which names on the two sides are the same file (rclone v1.66+ matches them as its sync does):
/// after Unicode NFC normalisation (unless --no-unicode-normalization) and, with --ignore-case-sync,
/// regardless of case. A name held exactly on both sides is always its own match; only names held on
/// one side alone are matched by key, and only one to one: where a side holds two names of the same
/// key, nothing is matched for that key (each name is synced as its own file, and a NOTICE says so),
/// so neither can silently overwrite the other.
/// </summary>
public sealed class NameMatching(bool normalize, bool ignoreCase)
{
    public bool Normalize => normalize;
    public bool IgnoreCase => ignoreCase;

    /// <summary>The matching a run uses, or null when names are matched exactly (rclone v1.60.1's way).</summary>
    public static NameMatching? For(BisyncOptions o) =>
        o.NormalizesNames || o.IgnoreCaseSync ? new NameMatching(o.NormalizesNames, o.IgnoreCaseSync) : null;

    /// <summary>The form two names must share to be the same file.</summary>
    public string Key(string path)
    {
        var s = normalize ? Nfc(path) : path;
        return ignoreCase ? s.ToUpperInvariant() : s;
    }

    /// <summary>NFC of a name (bytes that are not UTF-8, kept as lone surrogates, stay as they are).</summary>
    public static string Nfc(string s) => Text.UnicodeNormalization.ToNfc(s);

    /// <summary>
    /// The pairs of names that differ but are the same file: each a Path1 name and a Path2 name, both
    /// held on their side only. One merge of the two sorted listings finds the one-sided names; a name
    /// a side just deleted (<paramref name="gone1"/>, <paramref name="gone2"/>) counts as that side's,
    /// so the deletion reaches the other side's file of that name.
    /// </summary>
    public NameMap Pair(FileListing current1, FileListing current2, Logger log, IEnumerable<string>? gone1 = null, IEnumerable<string>? gone2 = null)
    {
        var only1 = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var only2 = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (i, j) in FileListing.Align(current1, current2))
        {
            if (j < 0) Add(only1, current1.PathAt(i));
            else if (i < 0) Add(only2, current2.PathAt(j));
        }
        foreach (var p in gone1 ?? []) if (!current2.Contains(p)) Add(only1, p);
        foreach (var p in gone2 ?? []) if (!current1.Contains(p)) Add(only2, p);
        var map = new NameMap();
        foreach (var (key, names1) in only1)
        {
            if (!only2.TryGetValue(key, out var names2))
            {
                if (names1.Count > 1) Ambiguous(log, names1, []);
                continue;
            }
            if (names1.Count == 1 && names2.Count == 1) map.Add(names1[0], names2[0]);
            else Ambiguous(log, names1, names2);
        }
        foreach (var (key, names2) in only2)
            if (names2.Count > 1 && !only1.ContainsKey(key)) Ambiguous(log, [], names2);
        return map;

        void Add(Dictionary<string, List<string>> into, string path)
        {
            var key = Key(path);
            if (into.TryGetValue(key, out var list)) list.Add(path);
            else into[key] = [path];
        }
    }

    private void Ambiguous(Logger log, List<string> names1, List<string> names2)
    {
        var what = ignoreCase ? "case or Unicode normalisation" : "Unicode normalisation";
        var shown = string.Join(", ", names1.Select(n => "Path1 " + Messages.ShowPath(n)).Concat(names2.Select(n => "Path2 " + Messages.ShowPath(n))));
        log.Notice($"Names that differ only by {what} are not matched, as a side holds more than one: {shown}; each is synced under its own name");
    }
}

/// <summary>
/// The names a Path2 file has where it differs from Path1's name of the same file. The engine works
/// in Path1's names (its "canonical" names) and sees Path2 through this map (<see cref="AliasedStorage"/>),
/// so a copy or a delete reaches Path2's file under its own name, and Path2's listing keeps Path2's names.
/// </summary>
public sealed class NameMap
{
    private readonly Dictionary<string, string> _on2 = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _canon = new(StringComparer.Ordinal);

    public int Count => _on2.Count;

    /// <summary>Each pair: Path1's name, Path2's name.</summary>
    public IEnumerable<(string Path1, string Path2)> Pairs => _on2.Select(kv => (kv.Key, kv.Value));

    public void Add(string path1Name, string path2Name)
    {
        _on2[path1Name] = path2Name;
        _canon[path2Name] = path1Name;
    }

    public void Remove(string path1Name)
    {
        if (_on2.Remove(path1Name, out var on2)) _canon.Remove(on2);
    }

    /// <summary>Path2's name of a file the engine calls <paramref name="canonical"/>.</summary>
    public string On2(string canonical) => _on2.TryGetValue(canonical, out var r) ? r : canonical;

    /// <summary>The engine's (Path1's) name of Path2's file <paramref name="path2Name"/>.</summary>
    public string FromPath2(string path2Name) => _canon.TryGetValue(path2Name, out var c) ? c : path2Name;

    /// <summary>A Path2 listing under the engine's names.</summary>
    public FileListing ToCanonical(FileListing listing2) => Rename(listing2, _canon);

    /// <summary>A Path2 listing in the engine's names back under Path2's own names.</summary>
    public FileListing ToPath2(FileListing canonical) => Rename(canonical, _on2);

    private static FileListing Rename(FileListing listing, Dictionary<string, string> names)
    {
        if (names.Count == 0) return listing;
        var removed = new List<string>();
        var set = new List<ListingEntry>();
        foreach (var (from, to) in names)
        {
            if (!listing.TryGet(from, out var e)) continue;
            removed.Add(from);
            set.Add(e with { Path = to });
        }
        return listing.With(removed, set);
    }

    /// <summary>
    /// Path2's deltas under the engine's names. A file renamed on Path2 to another case or
    /// normalisation of its name shows as its old name deleted and its new one new: under the engine's
    /// names that is one path, which is there (not deleted), so the deletion is dropped.
    /// </summary>
    public SideDeltas ToCanonical(SideDeltas deltas2)
    {
        if (Count == 0) return deltas2;
        var byPath = new Dictionary<string, Delta>(deltas2.Count, StringComparer.Ordinal);
        foreach (var d in deltas2.Deltas)
        {
            var path = FromPath2(d.Path);
            var renamed = d with { Path = path };
            if (byPath.TryGetValue(path, out var other))
            {
                if (renamed.IsDeleted) continue;
                if (!other.IsDeleted) throw new InvalidOperationException($"two Path2 changes under one name: {path}");
            }
            byPath[path] = renamed;
        }
        var list = byPath.Values.ToList();
        list.Sort((a, b) => Text.GoOrdinalComparer.Instance.Compare(a.Path, b.Path));
        return new SideDeltas(deltas2.Side, list, deltas2.PriorCount);
    }
}
