using Bisync.Storage;

namespace Bisync.Engine;

/// <summary>
/// The re-check before a copy, made cheaper for files this run listed as absent at the destination
/// (a first sync: every file). Instead of a stat per file, one names listing of the directory serves
/// the next <see cref="Reuse"/> files that go into it, so the look is at most that many copies old
/// (a stat per file looks one copy ahead, with <c>--transfers</c> copies under way: the engine takes
/// that many, so no look is older than a stat's would be). A name found
/// means something is there now: the copy is skipped, as with a stat. A directory holding more than
/// <see cref="Limit"/> names, or a listing that fails, is left to the stat per file.
/// </summary>
public sealed class AbsenceProbe(INameLister lister, int reuse = AbsenceProbe.DefaultReuse, int limit = AbsenceProbe.DefaultLimit)
{
    public const int DefaultReuse = 16;
    public const int DefaultLimit = 1000;

    /// <summary>Files one listing serves.</summary>
    public int Reuse { get; } = Math.Max(1, reuse);

    /// <summary>Most names a listing may hold to be used.</summary>
    public int Limit { get; } = limit;

    private sealed class Look(Task<IReadOnlySet<string>?> names, int left)
    {
        public Task<IReadOnlySet<string>?> Names { get; } = names;
        public int Left = left;
    }

    private readonly Dictionary<string, Look> _looks = new(StringComparer.Ordinal);
    private readonly HashSet<string> _tooLarge = new(StringComparer.Ordinal);

    /// <summary>Directories remembered at once: copies go folder by folder, so a few suffice (and memory stays flat).</summary>
    private const int MaxRemembered = 256;

    /// <summary>
    /// True when nothing is at <paramref name="path"/> now (by a listing made for this file or at most
    /// <see cref="Reuse"/> - 1 files before it), false when something is, null when this probe cannot tell.
    /// </summary>
    public async Task<bool?> AbsentAsync(string path, CancellationToken ct)
    {
        var slash = path.LastIndexOf('/');
        var dir = slash < 0 ? "" : path[..slash];
        var name = path[(slash + 1)..];
        Look look;
        lock (_looks)
        {
            if (_tooLarge.Contains(dir)) return null;
            if (!_looks.TryGetValue(dir, out look!) || look.Left <= 0)
            {
                if (_looks.Count >= MaxRemembered) _looks.Clear();
                look = new Look(Task.Run(() => lister.ListNamesAsync(dir, Limit, ct), ct), Reuse);
                _looks[dir] = look;
            }
            look.Left--;
        }
        IReadOnlySet<string>? names;
        try
        {
            names = await look.Names.ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return null; // the stat per file says what is there (and reports its own error)
        }
        if (names is null)
        {
            lock (_looks)
            {
                if (_tooLarge.Count >= MaxRemembered) _tooLarge.Clear();
                _tooLarge.Add(dir);
            }
            return null;
        }
        return !names.Contains(name);
    }
}
