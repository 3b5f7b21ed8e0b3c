using Bisync.Text;

namespace Bisync.Listing;

/// <summary>A side's listing: file entries sorted in Go byte order by path, with lookup by path.</summary>
public sealed class FileListing
{
    private readonly List<ListingEntry> _entries;
    private Dictionary<string, int>? _index;

    public FileListing(List<ListingEntry> entries, bool sorted = false)
    {
        _entries = entries;
        if (!sorted) System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_entries).Sort(new ByPath());
    }

    public static FileListing Empty() => new([], true);

    /// <summary>Go byte order of paths, as a struct so the sort is specialised (no delegate per comparison).</summary>
    private readonly struct ByPath : IComparer<ListingEntry>
    {
        public int Compare(ListingEntry a, ListingEntry b) => GoOrdinalComparer.Instance.Compare(a.Path, b.Path);
    }

    public IReadOnlyList<ListingEntry> Entries => _entries;
    public int Count => _entries.Count;

    private Dictionary<string, int> Index
    {
        get
        {
            if (_index is null)
            {
                var index = new Dictionary<string, int>(_entries.Count, StringComparer.Ordinal);
                for (var i = 0; i < _entries.Count; i++) index[_entries[i].Path] = i;
                _index = index;
            }
            return _index;
        }
    }

    public bool TryGet(string path, out ListingEntry entry)
    {
        if (Index.TryGetValue(path, out var i)) { entry = _entries[i]; return true; }
        entry = default;
        return false;
    }

    public bool Contains(string path) => Index.ContainsKey(path);

    /// <summary>A new listing with entries removed and set (added or replaced): one merge pass.</summary>
    public FileListing With(IEnumerable<string> removed, IEnumerable<ListingEntry> set)
    {
        var cmp = GoOrdinalComparer.Instance;
        var drop = new HashSet<string>(removed, StringComparer.Ordinal);
        var adds = new Dictionary<string, ListingEntry>(StringComparer.Ordinal);
        foreach (var e in set) adds[e.Path] = e;
        foreach (var k in adds.Keys) drop.Add(k);
        var sortedAdds = adds.Values.ToList();
        sortedAdds.Sort((a, b) => cmp.Compare(a.Path, b.Path));
        var result = new List<ListingEntry>(_entries.Count + sortedAdds.Count);
        var j = 0;
        foreach (var e in _entries)
        {
            while (j < sortedAdds.Count && cmp.Compare(sortedAdds[j].Path, e.Path) < 0) result.Add(sortedAdds[j++]);
            if (!drop.Contains(e.Path)) result.Add(e);
        }
        while (j < sortedAdds.Count) result.Add(sortedAdds[j++]);
        return new FileListing(result, sorted: true);
    }
}
