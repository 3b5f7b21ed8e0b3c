using System.Runtime.InteropServices;
using System.Text;
using Bisync.Text;

namespace Bisync.Listing;

/// <summary>
/// A side's listing: file entries sorted in Go byte order by path, with lookup by path.
/// <para>
/// Kept compact, because a run holds both sides' listings of possibly millions of files: each
/// entry is 24 bytes (size, time, where its bytes are) and its path is stored once as the UTF-8
/// bytes Go would hold (raw bytes for invalid UTF-8), with its hash beside it. A
/// <see cref="ListingEntry"/> with a string path is made only when one is asked for. Byte order of
/// the stored paths is Go's order, so sorting and lookup compare bytes.
/// </para>
/// </summary>
public sealed class FileListing
{
    private readonly Slot[] _slots;
    private readonly byte[][] _chunks;
    // Backend file ids (inode and ctime for local files) when the walk was asked for them
    // (--checksum's cache key); null otherwise.
    private readonly ulong[]? _ids;

    private FileListing(Slot[] slots, byte[][] chunks, ulong[]? ids = null)
    {
        _slots = slots;
        _chunks = chunks;
        _ids = ids;
    }

    public FileListing(IEnumerable<ListingEntry> entries, bool sorted = false) : this(Build(entries, sorted)) { }

    private FileListing(FileListing built) : this(built._slots, built._chunks, built._ids) { }

    private static FileListing Build(IEnumerable<ListingEntry> entries, bool sorted)
    {
        var b = new Builder();
        foreach (var e in entries) b.Add(e.Path, e.Size, e.ModTime, e.Hash);
        return sorted ? b.BuildSorted() : b.Build();
    }

    public static FileListing Empty() => new([], []);

    /// <summary>
    /// The side's directories (--create-empty-src-dirs; empty otherwise), in Go byte order: written as
    /// <c>d</c> lines among the files. Kept apart from the files, so no file stage ever meets one;
    /// a listing made from this one (<see cref="With"/>, <see cref="WithHashes"/>) has none.
    /// </summary>
    public IReadOnlyList<ListingEntry> Dirs { get; private init; } = [];

    /// <summary>This listing's files with <paramref name="dirs"/> (sorted here) as its directories.</summary>
    public FileListing WithDirs(IEnumerable<ListingEntry> dirs)
    {
        var sorted = dirs.ToList();
        sorted.Sort((a, b) => Text.GoOrdinalComparer.Instance.Compare(a.Path, b.Path));
        return new FileListing(_slots, _chunks, _ids) { Dirs = sorted };
    }

    public int Count => _slots.Length;

    /// <summary>The entries in path order; each access makes the entry (and its path string) anew.</summary>
    public IReadOnlyList<ListingEntry> Entries => new EntryList(this);

    public ListingEntry this[int i]
    {
        get
        {
            ref readonly var s = ref _slots[i];
            return new ListingEntry(PathAt(i), s.Size, s.ModTime, HashAt(i));
        }
    }

    public string PathAt(int i)
    {
        ref readonly var s = ref _slots[i];
        var bytes = Bytes(s).Slice(0, s.PathLength);
        return s.Raw ? PathEncoding.FromGoBytes(bytes) : Encoding.UTF8.GetString(bytes);
    }

    /// <summary>An entry as stored: path bytes (Go's), hash bytes (empty for "-"), numbers.</summary>
    internal readonly ref struct RawEntry(ReadOnlySpan<byte> path, ReadOnlySpan<byte> hash, bool raw, long size, long modTime)
    {
        public readonly ReadOnlySpan<byte> Path = path;
        public readonly ReadOnlySpan<byte> Hash = hash;
        /// <summary>The path holds bytes that are not valid UTF-8.</summary>
        public readonly bool Raw = raw;
        public readonly long Size = size;
        public readonly long ModTime = modTime;
    }

    internal RawEntry GetRaw(int i)
    {
        ref readonly var s = ref _slots[i];
        var bytes = Bytes(s);
        return new RawEntry(bytes[..s.PathLength], bytes[s.PathLength..], s.Raw, s.Size, s.ModTime);
    }

    /// <summary>Whether entry <paramref name="i"/> has an MD5 in its hash column ("md5:…").</summary>
    public bool HasMd5(int i) => GetRaw(i).Hash.StartsWith("md5:"u8);

    /// <summary>The file id the walk saw (see <see cref="Builder.Add"/>), 0 when none.</summary>
    public ulong FileIdAt(int i) => _ids is null ? 0 : _ids[i];

    private string HashAt(int i)
    {
        ref readonly var s = ref _slots[i];
        if (s.HashLength == 0) return "-";
        return Encoding.ASCII.GetString(Bytes(s).Slice(s.PathLength, s.HashLength));
    }

    private ReadOnlySpan<byte> Bytes(in Slot s) => _chunks[s.Chunk].AsSpan(s.Offset, s.PathLength + s.HashLength);

    private ReadOnlySpan<byte> PathBytes(int i)
    {
        ref readonly var s = ref _slots[i];
        return _chunks[s.Chunk].AsSpan(s.Offset, s.PathLength);
    }

    /// <summary>Go byte order of entry <paramref name="i"/> of this listing against entry <paramref name="j"/> of <paramref name="other"/>.</summary>
    public int ComparePaths(int i, FileListing other, int j) => PathBytes(i).SequenceCompareTo(other.PathBytes(j));

    /// <summary>
    /// Both listings side by side in one merge pass: each path of either once, as the index of its
    /// entry in <paramref name="a"/> and in <paramref name="b"/> (-1 where that listing lacks it).
    /// </summary>
    public static IEnumerable<(int A, int B)> Align(FileListing a, FileListing b)
    {
        int i = 0, j = 0;
        while (i < a.Count || j < b.Count)
        {
            var c = i >= a.Count ? 1 : j >= b.Count ? -1 : a.ComparePaths(i, b, j);
            if (c < 0) yield return (i++, -1);
            else if (c > 0) yield return (-1, j++);
            else yield return (i++, j++);
        }
    }

    /// <summary>Index of <paramref name="path"/>, or the bitwise complement of where it would go.</summary>
    private int Find(ReadOnlySpan<byte> path)
    {
        int lo = 0, hi = _slots.Length - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var c = PathBytes(mid).SequenceCompareTo(path);
            if (c == 0) return mid;
            if (c < 0) lo = mid + 1;
            else hi = mid - 1;
        }
        return ~lo;
    }

    private int Find(string path)
    {
        var buffer = path.Length <= 256 ? stackalloc byte[path.Length * 3] : new byte[path.Length * 3];
        return Find(buffer[..Encode(path, buffer, out _)]);
    }

    public bool TryGet(string path, out ListingEntry entry)
    {
        var i = Find(path);
        if (i >= 0) { entry = this[i]; return true; }
        entry = default;
        return false;
    }

    public bool Contains(string path) => Find(path) >= 0;

    /// <summary>
    /// A new listing with entries removed and set (added or replaced; a path both removed and set
    /// is set): one merge pass. Both sets are kept as compact as the listing itself, since a resync
    /// sets every file.
    /// </summary>
    public FileListing With(IEnumerable<string> removed, IEnumerable<ListingEntry> set)
    {
        var sets = new Builder();
        foreach (var e in set) sets.Add(e.Path, e.Size, e.ModTime, e.Hash);
        var drops = new Builder();
        foreach (var p in removed) drops.Add(p, 0, 0);
        if (sets.Count == 0 && drops.Count == 0) return this;
        var toSet = sets.Build();
        var toDrop = drops.Build();

        // The result shares this listing's byte chunks (and the few of the set entries, after them):
        // only the slots are new, 24 bytes an entry instead of a copy of every path. Two passes over
        // the merge, one to count, so the slot array is made once at its size.
        var chunkBase = _chunks.Length;
        var chunks = new byte[chunkBase + toSet._chunks.Length][];
        if (chunks.Length > Slot.MaxChunks) throw new InvalidOperationException("listing too large: more than 4 GiB of paths");
        _chunks.CopyTo(chunks, 0);
        toSet._chunks.CopyTo(chunks, chunkBase);
        Slot[]? slots = null;
        ulong[]? ids = null;
        var n = Merge(toSet, toDrop, null, null, chunkBase);
        slots = new Slot[n];
        if (_ids is not null) ids = new ulong[n];
        Merge(toSet, toDrop, slots, ids, chunkBase);
        return new FileListing(slots, chunks, ids);
    }

    /// <summary>One pass of <see cref="With"/>'s merge: counts the result, and fills it when given arrays.</summary>
    private int Merge(FileListing toSet, FileListing toDrop, Slot[]? slots, ulong[]? ids, int chunkBase)
    {
        int n = 0, j = 0, k = 0;
        // The entry set for a path is the last one given for it.
        void SetNext()
        {
            while (j + 1 < toSet.Count && toSet.ComparePaths(j + 1, toSet, j) == 0) j++;
            if (slots is not null)
            {
                ref readonly var s = ref toSet._slots[j];
                slots[n] = new Slot(s.Size, s.ModTime, s.Chunk + chunkBase, s.Offset, s.PathLength, s.HashLength, s.Raw);
            }
            n++;
            j++;
        }
        for (var i = 0; i < _slots.Length; i++)
        {
            int c = 1;
            while (j < toSet.Count && (c = toSet.ComparePaths(j, this, i)) < 0) SetNext();
            if (c == 0)
            {
                SetNext();
                continue;
            }
            while (k < toDrop.Count && toDrop.ComparePaths(k, this, i) < 0) k++;
            if (k < toDrop.Count && toDrop.ComparePaths(k, this, i) == 0) continue;
            if (slots is not null)
            {
                slots[n] = _slots[i];
                if (ids is not null) ids[n] = _ids![i];
            }
            n++;
        }
        while (j < toSet.Count) SetNext();
        return n;
    }

    /// <summary>A listing whose entries are those of this one with their hashes replaced.</summary>
    public FileListing WithHashes(IReadOnlyList<string> hashes)
    {
        var builder = new Builder(_slots.Length);
        for (var i = 0; i < _slots.Length; i++)
        {
            ref readonly var s = ref _slots[i];
            builder.AddBytes(PathBytes(i), s.Raw, s.Size, s.ModTime, hashes[i], FileIdAt(i));
        }
        return builder.BuildSorted();
    }

    /// <summary>
    /// Engine string to Go bytes into <paramref name="dest"/> (at least 3 bytes a char); tells
    /// whether the bytes are raw (not valid UTF-8) and so must be decoded the escaped way.
    /// </summary>
    private static int Encode(string path, Span<byte> dest, out bool raw)
    {
        if (path.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') < 0 || !HasLoneSurrogate(path))
        {
            raw = false;
            return Encoding.UTF8.GetBytes(path, dest);
        }
        var bytes = PathEncoding.ToGoBytes(path);
        bytes.CopyTo(dest);
        raw = true;
        return bytes.Length;
    }

    private static bool HasLoneSurrogate(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { i++; continue; }
            if (char.IsSurrogate(s[i])) return true;
        }
        return false;
    }

    /// <summary>Where an entry's bytes are, and its numbers: 24 bytes.</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private readonly struct Slot(long size, long modTime, int chunk, int offset, int pathLength, int hashLength, bool raw)
    {
        private const int ChunkBits = 12, OffsetBits = 20;
        private const int PathBits = 22, HashBits = 9;

        public readonly long Size = size;
        public readonly long ModTime = modTime;
        private readonly uint _where = (uint)chunk << OffsetBits | (uint)offset;
        private readonly uint _lengths = (uint)pathLength | (uint)hashLength << PathBits | (raw ? 1u << 31 : 0);

        public int Chunk => (int)(_where >> OffsetBits);
        public int Offset => (int)(_where & ((1u << OffsetBits) - 1));
        public int PathLength => (int)(_lengths & ((1u << PathBits) - 1));
        public int HashLength => (int)((_lengths >> PathBits) & ((1u << HashBits) - 1));
        public bool Raw => (_lengths >> 31) != 0;

        public const int MaxChunks = 1 << ChunkBits;
        public const int MaxChunkSize = 1 << OffsetBits;
        public const int MaxHashLength = (1 << HashBits) - 1;
    }

    /// <summary>
    /// Collects entries in any order (one builder per thread); <see cref="Build"/> sorts them.
    /// Bytes go into chunks that grow from 4 KiB to 1 MiB, so a small listing stays small.
    /// </summary>
    public sealed class Builder(int capacity = 0)
    {
        // Slots go into segments of SegmentSize (the first one grows to that size), so a large
        // listing is never copied to a bigger array as it grows, and leaves no garbage of old ones
        // (which, in the large object heap, would stay until a full collection).
        private const int SegmentBits = 13, SegmentSize = 1 << SegmentBits, SegmentMask = SegmentSize - 1;
        private readonly List<byte[]> _chunks = [];
        private readonly List<Slot[]> _segments = capacity > 0 ? [new Slot[Math.Min(capacity, SegmentSize)]] : [];
        private List<ulong[]>? _ids;
        private int _count;
        private int _used;

        public int Count => _count;

        /// <param name="fileId">The backend's id of the file (0: none); kept only when some entry has one.</param>
        public void Add(string path, long size, long modTime, string hash = "-", ulong fileId = 0)
        {
            var max = path.Length * 3;
            var buffer = max <= 1024 ? stackalloc byte[max] : new byte[max];
            var n = Encode(path, buffer, out var raw);
            AddBytes(buffer[..n], raw, size, modTime, hash, fileId);
        }

        internal void CopyFrom(FileListing from, int i)
        {
            ref readonly var s = ref from._slots[i];
            var bytes = from.Bytes(s);
            var at = Reserve(bytes.Length);
            bytes.CopyTo(_chunks[^1].AsSpan(at));
            Append(new Slot(s.Size, s.ModTime, _chunks.Count - 1, at, s.PathLength, s.HashLength, s.Raw), from.FileIdAt(i));
        }

        internal void AddBytes(ReadOnlySpan<byte> path, bool raw, long size, long modTime, string hash, ulong fileId = 0)
        {
            var hashLength = hash == "-" ? 0 : hash.Length;
            if (hashLength > Slot.MaxHashLength || !Ascii.IsValid(hash))
                throw new ArgumentException($"unexpected hash value \"{hash}\"", nameof(hash));
            var at = Reserve(path.Length + hashLength);
            var chunk = _chunks[^1].AsSpan(at);
            path.CopyTo(chunk);
            if (hashLength > 0) Encoding.ASCII.GetBytes(hash, chunk[path.Length..]);
            Append(new Slot(size, modTime, _chunks.Count - 1, at, path.Length, hashLength, raw), fileId);
        }

        private void Append(Slot slot, ulong fileId)
        {
            int segment = _count >> SegmentBits, at = _count & SegmentMask;
            if (segment == _segments.Count)
            {
                _segments.Add(new Slot[segment == 0 ? 16 : SegmentSize]);
                _ids?.Add(new ulong[_segments[^1].Length]);
            }
            else if (at == _segments[segment].Length)
            {
                // Only the first segment is ever smaller than SegmentSize.
                var bigger = _segments[0];
                Array.Resize(ref bigger, Math.Min(SegmentSize, bigger.Length * 2));
                _segments[0] = bigger;
                if (_ids is not null)
                {
                    var ids = _ids[0];
                    Array.Resize(ref ids, bigger.Length);
                    _ids[0] = ids;
                }
            }
            if (fileId != 0 && _ids is null) _ids = _segments.Select(s => new ulong[s.Length]).ToList();
            if (_ids is not null) _ids[segment][at] = fileId;
            _segments[segment][at] = slot;
            _count++;
        }

        /// <summary>Offset in the last chunk where <paramref name="length"/> bytes fit; a new chunk when they don't.</summary>
        private int Reserve(int length)
        {
            if (length > Slot.MaxChunkSize) throw new PathTooLongException($"path of {length} bytes is too long for a listing");
            if (_chunks.Count == 0 || _used + length > _chunks[^1].Length)
            {
                var size = _chunks.Count == 0 ? 4096 : Math.Min(Slot.MaxChunkSize, _chunks[^1].Length * 2);
                while (size < length) size *= 2;
                if (_chunks.Count >= Slot.MaxChunks) throw new InvalidOperationException("listing too large: more than 4 GiB of paths");
                _chunks.Add(new byte[size]);
                _used = 0;
            }
            var at = _used;
            _used += length;
            return at;
        }

        /// <summary>The listing of what was added, sorted in Go byte order.</summary>
        public FileListing Build() => Merge([this]);

        /// <summary>The listing of what was added, which the caller added in Go byte order.</summary>
        public FileListing BuildSorted()
        {
            var slots = new Slot[_count];
            var ids = _ids is null ? null : new ulong[_count];
            CopyTo(slots, ids, 0, 0);
            return new(slots, [.. _chunks], ids);
        }

        /// <summary>Copies the slots (chunk numbers moved up by <paramref name="chunkBase"/>) and ids to position <paramref name="n"/>.</summary>
        private void CopyTo(Slot[] slots, ulong[]? ids, int n, int chunkBase)
        {
            for (int k = 0, left = _count; left > 0; k++)
            {
                var length = Math.Min(left, _segments[k].Length);
                var from = _segments[k].AsSpan(0, length);
                if (chunkBase == 0) from.CopyTo(slots.AsSpan(n));
                else
                    for (var i = 0; i < length; i++)
                    {
                        ref readonly var s = ref from[i];
                        slots[n + i] = new Slot(s.Size, s.ModTime, s.Chunk + chunkBase, s.Offset, s.PathLength, s.HashLength, s.Raw);
                    }
                if (ids is not null && _ids is not null) _ids[k].AsSpan(0, length).CopyTo(ids.AsSpan(n));
                n += length;
                left -= length;
            }
        }

        /// <summary>One sorted listing of what several builders collected.</summary>
        public static FileListing Merge(IReadOnlyCollection<Builder> builders)
        {
            var chunks = new List<byte[]>();
            var slots = new Slot[builders.Sum(b => b._count)];
            var ids = builders.Any(b => b._ids is not null) ? new ulong[slots.Length] : null;
            var n = 0;
            foreach (var b in builders)
            {
                var chunkBase = chunks.Count;
                if (chunkBase + b._chunks.Count > Slot.MaxChunks) throw new InvalidOperationException("listing too large: more than 4 GiB of paths");
                chunks.AddRange(b._chunks);
                b.CopyTo(slots, ids, n, chunkBase);
                n += b._count;
                b._segments.Clear();
                b._ids = null;
                b._count = 0;
            }
            var chunkArray = chunks.ToArray();
            if (ids is null) slots.AsSpan().Sort(new ByPath(chunkArray));
            else slots.AsSpan().Sort(ids.AsSpan(), new ByPath(chunkArray));
            return new FileListing(slots, chunkArray, ids);
        }
    }

    /// <summary>
    /// Go byte order of the stored paths, as a struct so the sort is specialised. Equal paths keep
    /// the order they were added in (within one builder, later bytes sit in later chunks or at
    /// higher offsets).
    /// </summary>
    private readonly struct ByPath(byte[][] chunks) : IComparer<Slot>
    {
        public int Compare(Slot a, Slot b)
        {
            var c = chunks[a.Chunk].AsSpan(a.Offset, a.PathLength).SequenceCompareTo(chunks[b.Chunk].AsSpan(b.Offset, b.PathLength));
            if (c != 0) return c;
            return a.Chunk != b.Chunk ? a.Chunk.CompareTo(b.Chunk) : a.Offset.CompareTo(b.Offset);
        }
    }

    private sealed class EntryList(FileListing listing) : IReadOnlyList<ListingEntry>
    {
        public ListingEntry this[int index] => listing[index];
        public int Count => listing.Count;

        public IEnumerator<ListingEntry> GetEnumerator()
        {
            for (var i = 0; i < listing.Count; i++) yield return listing[i];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
