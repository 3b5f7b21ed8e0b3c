using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using Bisync.Storage;

namespace Bisync.Bench;

/// <summary>
/// What a synthetic side looks like: <see cref="Files"/> files, <see cref="PerDir"/> to a folder and
/// <see cref="DirsPerGroup"/> folders to a group (<c>gGGGG/dDDDDDD/fIIIIIIIII.txt</c>, the shape of
/// bench/run.sh's trees). Generation 0 is the base tree, the same on both sides. In a later
/// generation a share <see cref="Changes"/> of the files has changed, split between the two sides
/// (never the same file on both, so there is no conflict): of a side's changed files a third is
/// modified (newer time, other size), a third deleted, and a third gets a new sibling
/// <c>fIIIIIIIII.new</c>. A path is written <c>synth:files=N,side=1[,perdir=100][,dirs=100][,flat=1]</c>; the
/// generation and the share of changes are the opener's (the session's name comes from the paths, so
/// they must stay the same from run to run).
/// </summary>
public sealed record Shape(long Files, int PerDir, int DirsPerGroup, double Changes, int Generation, int Side, bool Flat)
{
    public static Shape Parse(string spec, double changes = 0, int gen = 0)
    {
        if (!spec.StartsWith("synth:", StringComparison.Ordinal)) throw new UserException($"not a synthetic path: {spec}");
        long files = 1000; int perDir = 100, dirs = 100, side = 1; bool flat = false;
        foreach (var part in spec["synth:".Length..].Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = part.Split('=', 2);
            var v = kv.Length == 2 ? kv[1] : "";
            switch (kv[0])
            {
                case "files": files = long.Parse(v, CultureInfo.InvariantCulture); break;
                case "perdir": perDir = int.Parse(v, CultureInfo.InvariantCulture); break;
                case "dirs": dirs = int.Parse(v, CultureInfo.InvariantCulture); break;
                case "side": side = int.Parse(v, CultureInfo.InvariantCulture); break;
                case "flat": flat = v == "1"; break;
                default: throw new UserException($"unknown synthetic setting: {kv[0]}");
            }
        }
        if (files < 1 || files > 999_999_999 || perDir < 1 || dirs < 1 || side is not (1 or 2))
            throw new UserException($"bad synthetic path: {spec}");
        return new Shape(files, perDir, dirs, changes, gen, side, flat);
    }

    public long Dirs => (Files + PerDir - 1) / PerDir;
    public long Groups => (Dirs + DirsPerGroup - 1) / DirsPerGroup;
}

/// <summary>Kinds of change a file can have in a generation after the first.</summary>
public enum Change { None, Modified, Deleted, NewSibling }

/// <summary>
/// A storage whose tree is computed, not stored: listing a folder makes its entries from their
/// numbers, so a tree of ten million files costs no disk and no memory. Writes and deletes are
/// remembered (so a stat after a copy sees the copy) but do not change later listings: each run
/// opens a fresh storage.
/// </summary>
public sealed class SyntheticStorage(string root, Shape shape) : IStorage, ISyncLister, IRecursiveLister
{
    private const long BaseTime = 1_700_000_000L * 1_000_000_000L;
    private readonly ConcurrentDictionary<string, StorageEntry?> _written = new(StringComparer.Ordinal);

    public string Type => "synthetic";
    public string Root { get; } = root;
    public StorageFeatures Features { get; } = new() { ModTimePrecisionNs = 1, CanHaveEmptyDirectories = false };

    public T? Capability<T>() where T : class => typeof(T) == typeof(IRecursiveLister) && !shape.Flat ? null : this as T;

    private static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    /// <summary>The change file <paramref name="i"/> has on this side in this generation.</summary>
    public Change ChangeOf(long i)
    {
        if (shape.Generation == 0 || shape.Changes <= 0) return Change.None;
        var h = Mix((ulong)i ^ ((ulong)shape.Generation << 40));
        if ((h >> 11) * (1.0 / (1UL << 53)) >= shape.Changes) return Change.None;
        if ((int)(h & 1) + 1 != shape.Side) return Change.None;
        return ((h >> 1) % 3) switch { 0 => Change.Modified, 1 => Change.Deleted, _ => Change.NewSibling };
    }

    private static string FilePath(long group, long dir, long i, string ext) =>
        string.Create(CultureInfo.InvariantCulture, $"g{group:D5}/d{dir:D7}/f{i:D9}.{ext}");

    private StorageEntry FileEntry(long i, bool sibling)
    {
        var dir = i / shape.PerDir;
        var group = dir / shape.DirsPerGroup;
        var h = Mix((ulong)i);
        long size = 100 + (long)(h % 800), time = BaseTime + i * 1000;
        if (sibling) return new StorageEntry(FilePath(group, dir, i, "new"), size + 1, time + 7_000_000_000L, false);
        if (ChangeOf(i) == Change.Modified) { size += 3; time += shape.Generation * 1_000_000_000L; }
        return new StorageEntry(FilePath(group, dir, i, "txt"), size, time, false);
    }

    private void ListDir(long dir, List<StorageEntry> into)
    {
        var first = dir * shape.PerDir;
        var end = Math.Min(shape.Files, first + shape.PerDir);
        for (var i = first; i < end; i++)
        {
            var c = ChangeOf(i);
            if (c != Change.Deleted) into.Add(FileEntry(i, false));
            if (c == Change.NewSibling) into.Add(FileEntry(i, true));
        }
    }

    public void ListDirectory(string dir, List<StorageEntry> results)
    {
        results.Clear();
        if (dir.Length == 0)
        {
            for (long g = 0; g < shape.Groups; g++) results.Add(new StorageEntry($"g{g:D5}", 0, BaseTime, true));
            return;
        }
        var slash = dir.IndexOf('/');
        if (slash < 0)
        {
            var g = ParseNumber(dir, 1, dir.Length) ?? throw new DirectoryNotFoundException(dir);
            var first = g * shape.DirsPerGroup;
            var end = Math.Min(shape.Dirs, first + shape.DirsPerGroup);
            if (first >= end) throw new DirectoryNotFoundException(dir);
            for (var d = first; d < end; d++) results.Add(new StorageEntry($"{dir}/d{d:D7}", 0, BaseTime, true));
            return;
        }
        var n = ParseNumber(dir, slash + 2, dir.Length) ?? throw new DirectoryNotFoundException(dir);
        if (n >= shape.Dirs) throw new DirectoryNotFoundException(dir);
        ListDir(n, results);
    }

    public IEnumerable<StorageEntry> ListDirectory(string dir)
    {
        var list = new List<StorageEntry>();
        ListDirectory(dir, list);
        return list;
    }

    public async IAsyncEnumerable<StorageEntry> ListAsync(string dir, [EnumeratorCancellation] CancellationToken ct)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        foreach (var e in ListDirectory(dir)) yield return e;
    }

    public async IAsyncEnumerable<StorageEntry> ListRecursiveAsync([EnumeratorCancellation] CancellationToken ct)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        var list = new List<StorageEntry>(shape.PerDir * 2);
        for (long d = 0; d < shape.Dirs; d++)
        {
            ct.ThrowIfCancellationRequested();
            list.Clear();
            ListDir(d, list);
            foreach (var e in list) yield return e;
        }
    }

    private static long? ParseNumber(string s, int from, int to)
    {
        if (from >= to) return null;
        long n = 0;
        for (var k = from; k < to; k++)
        {
            var c = s[k];
            if (c < '0' || c > '9') return null;
            n = n * 10 + (c - '0');
        }
        return n;
    }

    /// <summary>The file at <paramref name="path"/> as generated (no write taken into account).</summary>
    private StorageEntry? Generated(string path)
    {
        // gGGGGG/dDDDDDDD/fIIIIIIIII.txt or .new
        var last = path.LastIndexOf('/');
        if (last < 0 || path.Length < last + 6 || path[last + 1] != 'f') return null;
        var dot = path.LastIndexOf('.');
        if (dot < last) return null;
        var i = ParseNumber(path, last + 2, dot);
        if (i is null || i >= shape.Files) return null;
        var ext = path[(dot + 1)..];
        var c = ChangeOf(i.Value);
        StorageEntry? e = ext switch
        {
            "txt" when c != Change.Deleted => FileEntry(i.Value, false),
            "new" when c == Change.NewSibling => FileEntry(i.Value, true),
            _ => null,
        };
        return e is { } found && found.Path == path ? found : null;
    }

    public Task<StorageEntry?> StatAsync(string path, CancellationToken ct) =>
        Task.FromResult(_written.TryGetValue(path, out var w) ? w : Generated(path));

    public async Task<Stream> OpenReadAsync(string path, CancellationToken ct)
    {
        var e = await StatAsync(path, ct).ConfigureAwait(false) ?? throw new FileNotFoundException($"file not found: {Root}{path}");
        var data = new byte[e.Size];
        new Random((int)(e.ModTime ^ e.Size)).NextBytes(data);
        return new MemoryStream(data, writable: false);
    }

    public async Task PutAsync(string path, Stream content, long size, long modTime, CancellationToken ct, CommitGuard? guard = null)
    {
        var n = 0L;
        var buffer = new byte[8192];
        int r;
        while ((r = await content.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0) n += r;
        if (n != size) throw new IOException($"{path}: got {n} bytes, expected {size}");
        if (guard is not null && !await guard(ct).ConfigureAwait(false)) throw new CommitRefusedException(path);
        _written[path] = new StorageEntry(path, size, modTime, false);
    }

    public Task SetModTimeAsync(string path, long modTime, CancellationToken ct)
    {
        var e = (_written.TryGetValue(path, out var w) ? w : Generated(path)) ?? throw new FileNotFoundException(path);
        _written[path] = e with { ModTime = modTime };
        return Task.CompletedTask;
    }

    public Task DeleteAsync(string path, CancellationToken ct)
    {
        _written[path] = null;
        return Task.CompletedTask;
    }

    public Task MkdirAsync(string dir, CancellationToken ct) => Task.CompletedTask;
    public Task RmdirAsync(string dir, CancellationToken ct) => Task.CompletedTask;
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>Opens <c>synth:…</c> paths, as they are in generation <paramref name="generation"/>.</summary>
public sealed class SyntheticOpener(double changes, int generation) : IStorageOpener
{
    public Task<IStorage> OpenAsync(string path, CancellationToken ct) =>
        Task.FromResult<IStorage>(new SyntheticStorage(path.EndsWith('/') ? path : path + "/", Shape.Parse(path.TrimEnd('/'), changes, generation)));
}
