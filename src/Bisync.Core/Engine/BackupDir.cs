using Bisync.Logging;
using Bisync.Storage;

namespace Bisync.Engine;

/// <summary>
/// --backup-dir1/--backup-dir2/--backup-dir and --suffix: a file a run is about to overwrite or
/// delete on a side is first moved to that side's backup folder (same relative path, --suffix
/// added, before the extension with --suffix-keep-extension). The move is server-side where the
/// side and its backup folder share a parent the backend can move within (local folders, one SFTP
/// server, one S3 bucket); otherwise the file is copied there and the run's own overwrite or delete
/// removes it. --suffix without a backup folder keeps the old version beside the file, renamed.
/// </summary>
public sealed class BackupDir
{
    private readonly IStorage _side;
    private readonly IStorage? _target;     // the backup folder as a storage (copy fallback)
    private readonly IMover? _mover;        // a storage over both, for a server-side move
    private readonly string _sideInMover = "", _targetInMover = "", _shownRoot;
    private readonly string _suffix;
    private readonly bool _keepExtension;
    private readonly Logger _log;
    private Func<string, string> _onSide = p => p;

    private BackupDir(IStorage side, IStorage? target, IMover? mover, string sideInMover, string targetInMover, string shownRoot,
        string suffix, bool keepExtension, Logger log)
    {
        _side = side;
        _target = target;
        _mover = mover;
        _sideInMover = sideInMover;
        _targetInMover = targetInMover;
        _shownRoot = shownRoot;
        _suffix = suffix;
        _keepExtension = keepExtension;
        _log = log;
    }

    /// <summary>
    /// The backup of each side (null: none), after refusing a backup folder that overlaps a synced path: as in
    /// rclone v1.75, a critical error (the listings are set aside and the next run needs --resync).
    /// </summary>
    public static async Task<(BackupDir? For1, BackupDir? For2)> OpenAsync(IStorageOpener opener, BisyncOptions o, IStorage path1, IStorage path2,
        Logger log, CancellationToken ct)
    {
        var dir1 = o.BackupDir1 ?? o.BackupDir;
        var dir2 = o.BackupDir2 ?? o.BackupDir;
        foreach (var (flag, dir) in new[] { (o.BackupDir1 is null ? "--backup-dir" : "--backup-dir1", dir1), (o.BackupDir2 is null ? "--backup-dir" : "--backup-dir2", dir2) })
        {
            if (dir is null) continue;
            foreach (var (name, path) in new[] { ("Path1", o.Path1), ("Path2", o.Path2) })
                if (Overlap(dir, path))
                    throw new CriticalException($"{flag} \"{dir}\" overlaps {name} \"{path}\": use a folder outside both synced paths");
        }
        var b1 = await OneAsync(opener, o, o.Path1, path1, dir1, log, ct).ConfigureAwait(false);
        var b2 = await OneAsync(opener, o, o.Path2, path2, dir2, log, ct).ConfigureAwait(false);
        return (b1, b2);
    }

    private static async Task<BackupDir?> OneAsync(IStorageOpener opener, BisyncOptions o, string sidePath, IStorage side, string? dir, Logger log, CancellationToken ct)
    {
        var suffix = o.Suffix ?? "";
        if (dir is null)
        {
            if (suffix.Length == 0) return null;
            // --suffix alone: the old version stays beside the file.
            return new BackupDir(side, side, side.Capability<IMover>(), "", "", side.Root, suffix, o.SuffixKeepExtension, log);
        }
        var (prefix1, rest1) = Split(sidePath);
        var (prefix2, rest2) = Split(dir);
        if (prefix2.Length == 0) Directory.CreateDirectory(rest2);
        var target = await opener.OpenAsync(dir, ct).ConfigureAwait(false);
        if (prefix1 == prefix2)
        {
            var common = CommonParent(rest1, rest2);
            try
            {
                var parent = await opener.OpenAsync(prefix1 + (common.Length == 0 && prefix1.Length == 0 ? "/" : common), ct).ConfigureAwait(false);
                if (parent.Capability<IMover>() is { } mover)
                    return new BackupDir(side, target, mover, Below(rest1, common), Below(rest2, common), target.Root, suffix, o.SuffixKeepExtension, log);
            }
            catch (Exception ex) when (ex is UserException or IOException or UnauthorizedAccessException)
            {
                log.Debug($"backup dir: no server-side move ({ex.Message}); files are copied there");
            }
        }
        return new BackupDir(side, target, null, "", "", target.Root, suffix, o.SuffixKeepExtension, log);
    }

    /// <summary>Where <paramref name="path"/> of the side goes in the backup folder.</summary>
    public string NameFor(string path) => Suffixed(path, _suffix, _keepExtension);

    /// <summary>The same backup for a side the engine sees under other names (<see cref="AliasedStorage"/>): each path is first turned into the side's own.</summary>
    public BackupDir ForNames(Func<string, string> onSide)
    {
        var b = (BackupDir)MemberwiseClone();
        b._onSide = onSide;
        return b;
    }

    /// <summary>Moves (or copies) the side's current <paramref name="path"/> into the backup folder; nothing if it is absent.</summary>
    public async Task SaveAsync(string path, CancellationToken ct)
    {
        path = _onSide(path);
        var e = await _side.StatAsync(path, ct).ConfigureAwait(false);
        if (e is null || e.Value.IsDir) return;
        var to = NameFor(path);
        if (_mover is not null)
        {
            await _mover.MoveAsync(_sideInMover + path, _targetInMover + to, ct).ConfigureAwait(false);
            _log.Info($"{Messages.ShowPath(path)}: Moved (server-side) to: {Messages.ShowPath(_shownRoot + to)}");
            return;
        }
        await using (var input = await _side.OpenReadAsync(path, ct).ConfigureAwait(false))
            await _target!.PutAsync(to, input, e.Value.Size, e.Value.ModTime, ct).ConfigureAwait(false);
        _log.Info($"{Messages.ShowPath(path)}: Copied to backup: {Messages.ShowPath(_shownRoot + to)}");
    }

    /// <summary><paramref name="path"/> with <paramref name="suffix"/> added at the end, or before the extension.</summary>
    public static string Suffixed(string path, string suffix, bool keepExtension)
    {
        if (suffix.Length == 0) return path;
        if (keepExtension)
        {
            var slash = path.LastIndexOf('/');
            var dot = path.LastIndexOf('.');
            if (dot > slash + 1) return path[..dot] + suffix + path[dot..];
        }
        return path + suffix;
    }

    /// <summary>A path's remote prefix ("name:" or "" for local) and the rest, without a trailing '/' (local: absolute).</summary>
    private static (string Prefix, string Tail) Split(string p)
    {
        var colon = p.IndexOf(':');
        var slash = p.IndexOf('/');
        if (colon > 0 && (slash < 0 || colon < slash))
            return (p[..(colon + 1)], p[(colon + 1)..].TrimEnd('/'));
        var full = Path.GetFullPath(p).TrimEnd('/');
        return ("", full.Length == 0 ? "" : full);
    }

    /// <summary>Whether two paths as given (local, or <c>remote:path</c>) are the same folder or one holds the other.</summary>
    public static bool Overlap(string a, string b)
    {
        var (pa, ra) = Split(a);
        var (pb, rb) = Split(b);
        if (pa != pb) return false;
        return ra == rb || Inside(ra, rb) || Inside(rb, ra);
    }

    private static bool Inside(string inner, string outer) => outer.Length == 0 || inner.StartsWith(outer + "/", StringComparison.Ordinal);

    private static string CommonParent(string a, string b)
    {
        var sa = a.Split('/');
        var sb = b.Split('/');
        var n = 0;
        while (n < sa.Length && n < sb.Length && sa[n] == sb[n]) n++;
        return string.Join('/', sa.Take(n));
    }

    private static string Below(string path, string parent) =>
        parent.Length == 0 ? path.TrimStart('/') + "/" : path.Length == parent.Length ? "" : path[(parent.Length + 1)..] + "/";
}
