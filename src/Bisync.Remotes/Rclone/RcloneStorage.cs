using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bisync.Remotes.Wrappers;
using Bisync.Storage;
using Bisync.Storage.Local;

namespace Bisync.Remotes.Rclone;

/// <summary>
/// Any rclone remote, driven through the user's own rclone (<c>rclone rcd</c>, see <see cref="RcloneDaemon"/>).
/// Listings are one <c>operations/list</c> call (recursive when the engine lists the whole tree);
/// copies from a local folder or from another rclone remote are <c>operations/copyfile</c> calls, so
/// the bytes go from disk to remote inside rclone, and copies to a local folder likewise (<see cref="TryCopyToAsync"/>). Uploads that are not atomic on the remote by
/// nature go to a temporary name (<c>.bisync-*.partial</c>) and are then moved over the real name
/// (<c>operations/movefile</c>, a server-side rename where the backend has one): a partial object
/// never shows under the real name. Object stores (bucket-based backends) take the real name
/// directly: their uploads appear whole or not at all.
/// </summary>
public sealed class RcloneStorage : IStorage, IMover, IDirectCopier, IDirectSender, IRecursiveLister, IConnectable
{
    /// <summary>rclone's "modification times not supported" precision (100 years), in ns.</summary>
    private const long ModTimeNotSupported = 100L * 365 * 24 * 3600 * 1_000_000_000;

    private readonly RcloneHost _host;
    private readonly string _fs;
    private RcloneDaemon? _daemon;
    private bool _fastMd5;
    private bool _tempThenMove;

    /// <param name="fs">The root as rclone takes it ("remote:path", ":webdav,url=...:path").</param>
    /// <param name="type">The backend type from rclone.conf ("webdav", "drive", ...).</param>
    internal RcloneStorage(RcloneHost host, string fs, string display, string type)
    {
        _host = host;
        _fs = fs;
        Root = display;
        Type = type;
    }

    public string Type { get; }
    public string Root { get; }
    public StorageFeatures Features { get; private set; } = new();

    /// <summary>The root as rclone addresses it.</summary>
    public string Fs => _fs;

    /// <summary>Whether an upload goes to a temporary name first (false on object stores, which are atomic by nature).</summary>
    public bool UploadsViaTemporaryName => _tempThenMove;

    private RcloneDaemon D => _daemon ?? throw new InvalidOperationException("not connected");

    internal RcloneDaemon? Daemon => _daemon;

    /// <summary>Starts (or shares) the daemon and reads the backend's features from <c>operations/fsinfo</c>.</summary>
    public async Task ConnectAsync(CancellationToken ct)
    {
        if (_daemon is not null) return;
        var daemon = await _host.AcquireAsync(ct).ConfigureAwait(false);
        _daemon = daemon;
        var info = await CallAsync("operations/fsinfo", new JsonObject { ["fs"] = _fs }, ct).ConfigureAwait(false);
        var feats = info.GetProperty("Features");
        bool F(string name) => feats.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;
        var precision = info.TryGetProperty("Precision", out var p) && p.TryGetInt64(out var pn) ? pn : 1;
        var noTimes = precision >= ModTimeNotSupported;
        var hashes = new List<string>();
        if (info.TryGetProperty("Hashes", out var hs) && hs.ValueKind == JsonValueKind.Array)
            foreach (var h in hs.EnumerateArray())
                if (h.GetString() is { } name) hashes.Add(name);
        // md5 in listings only where the remote has it without reading the content
        _fastMd5 = hashes.Contains("md5") && !F("SlowHash");
        var bucket = F("BucketBased");
        _tempThenMove = !bucket && F("Move");
        Features = new StorageFeatures
        {
            ModTimePrecisionNs = noTimes ? long.MaxValue : Math.Max(1, precision),
            Hashes = _fastMd5 ? ["md5"] : [],
            CanHaveEmptyDirectories = F("CanHaveEmptyDirectories"),
            IsLocal = false,
            CanSetModTime = !noTimes,
        };
    }

    private static string Join(string dir, string name) => dir.Length == 0 ? name : dir + "/" + name;

    private Task<JsonElement> CallAsync(string method, JsonObject body, CancellationToken ct)
    {
        foreach (var key in new[] { "remote", "srcRemote", "dstRemote" })
            if (body[key]?.GetValue<string>() is { } p) CheckName(p);
        return D.CallAsync(method, body, ct);
    }

    /// <summary>A name byte that is not UTF-8 (held as U+DC80..U+DCFF) cannot be sent as JSON to rclone.</summary>
    private void CheckName(string path)
    {
        if (Bisync.Text.PathEncoding.HasRawByte(path))
            throw new PermanentIOException($"{Root}{path}: a name that is not valid UTF-8 cannot pass through rclone's rc API: rename it, or use a native backend");
    }

    private JsonObject ListOpt(bool recurse = false, bool filesOnly = false, bool noModTime = false)
    {
        var opt = new JsonObject { ["noMimeType"] = true };
        if (noModTime) opt["noModTime"] = true;
        if (recurse) opt["recurse"] = true;
        if (filesOnly) opt["filesOnly"] = true;
        if (_fastMd5)
        {
            opt["showHash"] = true;
            opt["hashTypes"] = new JsonArray("md5");
        }
        return opt;
    }

    /// <summary>
    /// rclone's rc API speaks JSON, whose strings are UTF-8: a name byte that is not UTF-8 arrives as
    /// U+FFFD and cannot be addressed again. Such a name is refused loudly rather than synced under a
    /// different name (or taken as deleted): the user renames it or uses a native backend.
    /// </summary>
    /// <param name="noTime">The time of an entry listed without one.</param>
    private StorageEntry ToEntry(JsonElement item, long noTime = 0)
    {
        var path = item.GetProperty("Path").GetString() ?? "";
        if (path.Contains('\uFFFD'))
            throw new PermanentIOException($"{Root}{path}: a name that is not valid UTF-8 cannot pass through rclone's rc API (it arrives as U+FFFD): rename it, or use a native backend");
        var isDir = item.TryGetProperty("IsDir", out var d) && d.ValueKind == JsonValueKind.True;
        var size = item.TryGetProperty("Size", out var s) && s.TryGetInt64(out var sn) ? sn : 0;
        var mod = noTime;
        if (item.TryGetProperty("ModTime", out var m) && m.GetString() is { Length: > 0 } iso) mod = ParseTime(iso);
        string? hash = null;
        if (!isDir && item.TryGetProperty("Hashes", out var hs) && hs.ValueKind == JsonValueKind.Object
            && hs.TryGetProperty("md5", out var md5) && md5.GetString() is { Length: 32 } hex)
            hash = "md5:" + hex;
        return new StorageEntry(path, isDir || size < 0 ? 0 : size, mod, isDir, hash);
    }

    /// <summary>RFC 3339 with up to nine fraction digits and any offset, to Unix ns (all digits kept).</summary>
    internal static long ParseTime(string iso)
    {
        var t = iso.IndexOf('T');
        var end = iso.IndexOfAny(['Z', '+', '-'], t < 0 ? 0 : t);
        if (end < 0) end = iso.Length;
        var dot = iso.IndexOf('.', t < 0 ? 0 : t);
        var wholeEnd = dot > 0 && dot < end ? dot : end;
        var whole = DateTime.ParseExact(iso[..wholeEnd], "yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        long ns = (whole - DateTime.UnixEpoch).Ticks * 100;
        if (dot > 0 && dot < end) ns += long.Parse(iso[(dot + 1)..end].PadRight(9, '0')[..9], CultureInfo.InvariantCulture);
        if (end < iso.Length && iso[end] != 'Z')
        {
            var sign = iso[end] == '-' ? -1 : 1;
            var off = TimeSpan.ParseExact(iso[(end + 1)..], "hh\\:mm", CultureInfo.InvariantCulture);
            ns -= sign * off.Ticks * 100;
        }
        return ns;
    }

    internal static string FormatTime(long ns)
    {
        var whole = DateTime.UnixEpoch.AddTicks(Math.DivRem(ns, 1_000_000_000L, out var frac) * 10_000_000L);
        if (frac < 0)
        {
            frac += 1_000_000_000L;
            whole = whole.AddSeconds(-1);
        }
        return whole.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture) + "." + frac.ToString("D9", CultureInfo.InvariantCulture);
    }

    public async IAsyncEnumerable<StorageEntry> ListAsync(string dir, [EnumeratorCancellation] CancellationToken ct)
    {
        JsonElement res;
        try
        {
            res = await CallAsync("operations/list", new JsonObject { ["fs"] = _fs, ["remote"] = dir, ["opt"] = ListOpt() }, ct).ConfigureAwait(false);
        }
        catch (RcloneRcException e) when (RcloneErrors.IsNotFound(e))
        {
            throw new DirectoryNotFoundException($"directory not found: {Join(Root.TrimEnd('/'), dir)}: {e.RcloneMessage}");
        }
        catch (RcloneRcException e)
        {
            throw RcloneErrors.Map(e);
        }
        var list = res.GetProperty("list");
        // where directories are only key prefixes, rclone lists a missing one as empty: nothing below it means no directory
        if (dir.Length > 0 && !Features.CanHaveEmptyDirectories && list.GetArrayLength() == 0)
            throw new DirectoryNotFoundException($"directory not found: {Join(Root.TrimEnd('/'), dir)}");
        foreach (var item in list.EnumerateArray()) yield return ToEntry(item);
    }

    /// <summary>One call for the whole tree: rclone walks it (ListR where the backend has it, else directory by directory with --checkers in parallel).</summary>

    /// <remarks>
    /// Without <paramref name="modTimes"/>, on a remote that lists MD5s without reading content, rclone
    /// is asked to leave times out (on S3 that spares a HEAD per object); a file listed with no MD5
    /// then gets its time from a stat of its own, so that every entry says what the file is.
    /// </remarks>
    public async IAsyncEnumerable<StorageEntry> ListRecursiveAsync(bool modTimes, [EnumeratorCancellation] CancellationToken ct)
    {
        JsonElement res;
        var noModTime = !modTimes && _fastMd5;
        try
        {
            res = await CallAsync("operations/list", new JsonObject { ["fs"] = _fs, ["remote"] = "", ["opt"] = ListOpt(recurse: true, filesOnly: true, noModTime) }, ct)
                .ConfigureAwait(false);
        }
        catch (RcloneRcException e) when (RcloneErrors.IsNotFound(e))
        {
            throw new DirectoryNotFoundException($"directory not found: {Root}: {e.RcloneMessage}");
        }
        catch (RcloneRcException e)
        {
            throw RcloneErrors.Map(e);
        }
        foreach (var item in res.GetProperty("list").EnumerateArray())
        {
            var e = ToEntry(item, StorageEntry.NoTime);
            if (e.ModTime == StorageEntry.NoTime && e.Hash is null)
            {
                if (await StatAsync(e.Path, ct).ConfigureAwait(false) is not { IsDir: false } timed) continue; // gone meanwhile
                e = timed;
            }
            yield return e;
        }
    }

    public async Task<StorageEntry?> StatAsync(string path, CancellationToken ct)
    {
        JsonElement res;
        try
        {
            res = await CallAsync("operations/stat", new JsonObject { ["fs"] = _fs, ["remote"] = path, ["opt"] = ListOpt() }, ct).ConfigureAwait(false);
        }
        catch (RcloneRcException e) when (RcloneErrors.IsNotFound(e))
        {
            return null;
        }
        catch (RcloneRcException e)
        {
            throw RcloneErrors.Map(e);
        }
        if (!res.TryGetProperty("item", out var item) || item.ValueKind != JsonValueKind.Object) return null;
        var entry = ToEntry(item);
        return entry with { Path = path };
    }

    public async Task<Stream> OpenReadAsync(string path, CancellationToken ct)
    {
        Stream? s;
        try
        {
            CheckName(path);
            s = await D.OpenReadAsync(_fs, path, ct).ConfigureAwait(false);
        }
        catch (RcloneRcException e)
        {
            throw RcloneErrors.Map(e);
        }
        return s ?? throw new FileNotFoundException($"file not found: {Root}{path}");
    }

    /// <summary>
    /// Spools the stream to a private local file with the given time, then has rclone copy it (the
    /// same path as a copy from a local folder). The size is checked before anything reaches the remote.
    /// </summary>
    public async Task PutAsync(string path, Stream content, long size, long modTime, CancellationToken ct, CommitGuard? guard = null)
    {
        var spoolDir = Path.Combine(Path.GetTempPath(), "bisync-rclone-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        Directory.CreateDirectory(spoolDir);
        try
        {
            var file = Path.Combine(spoolDir, "upload");
            long written = 0;
            await using (var fs = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                var buffer = new byte[1 << 16];
                int n;
                while ((n = await content.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
                {
                    await fs.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                    written += n;
                    TransferActivity.Touch();
                }
            }
            if (size >= 0 && written != size)
                throw new PermanentIOException($"upload of {path}: source gave {written} bytes, expected {size}");
            SetLocalTime(file, modTime);
            await CopyInAsync(spoolDir, "upload", path, guard, ct).ConfigureAwait(false);
        }
        finally
        {
            try { Directory.Delete(spoolDir, true); }
            catch (IOException) { }
        }
    }

    /// <summary>
    /// rclone copies srcFs/srcRemote to our <paramref name="dstPath"/>: through a temporary name and a
    /// move where the backend can move, straight to the name on object stores.
    /// </summary>
    private async Task CopyInAsync(string srcFs, string srcRemote, string dstPath, CommitGuard? guard, CancellationToken ct)
    {
        if (!_tempThenMove)
        {
            await CopyFileAsync(srcFs, srcRemote, _fs, dstPath, ct).ConfigureAwait(false);
            return;
        }
        var slash = dstPath.LastIndexOf('/');
        var tmp = (slash < 0 ? "" : dstPath[..(slash + 1)]) + ".bisync-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)) + ".partial";
        var moved = false;
        try
        {
            await CopyFileAsync(srcFs, srcRemote, _fs, tmp, ct).ConfigureAwait(false);
            if (guard is not null && !await guard(ct).ConfigureAwait(false)) throw new CommitRefusedException(dstPath);
            await MoveFileAsync(_fs, tmp, _fs, dstPath, ct).ConfigureAwait(false);
            moved = true;
        }
        finally
        {
            if (!moved)
            {
                try
                {
                    await CallAsync("operations/deletefile", new JsonObject { ["fs"] = _fs, ["remote"] = tmp }, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or HttpRequestException or InvalidOperationException or ObjectDisposedException)
                {
                    // best effort: a leftover .bisync-*.partial is never taken for a user file
                }
            }
        }
    }

    /// <summary>
    /// rclone's copyfile and movefile leave a destination alone when its size and time equal the
    /// source's, whatever its content; the engine has already decided the file must be written (a
    /// checksum differs), so every such call tells rclone not to skip (its --ignore-times).
    /// </summary>
    private static JsonObject NeverSkip() => new() { ["IgnoreTimes"] = true };

    private async Task CopyFileAsync(string srcFs, string srcRemote, string dstFs, string dstRemote, CancellationToken ct)
    {
        try
        {
            await CallAsync("operations/copyfile", new JsonObject
            {
                ["srcFs"] = srcFs, ["srcRemote"] = srcRemote, ["dstFs"] = dstFs, ["dstRemote"] = dstRemote, ["_config"] = NeverSkip(),
            }, ct).ConfigureAwait(false);
        }
        catch (RcloneRcException e) when (RcloneErrors.IsNotFound(e))
        {
            throw new FileNotFoundException($"source file not found: {srcFs}{(srcFs.EndsWith('/') || srcFs.EndsWith(':') ? "" : "/")}{srcRemote}: {e.RcloneMessage}");
        }
        catch (RcloneRcException e)
        {
            throw RcloneErrors.Map(e);
        }
    }

    private async Task MoveFileAsync(string srcFs, string srcRemote, string dstFs, string dstRemote, CancellationToken ct)
    {
        try
        {
            await CallAsync("operations/movefile", new JsonObject
            {
                ["srcFs"] = srcFs, ["srcRemote"] = srcRemote, ["dstFs"] = dstFs, ["dstRemote"] = dstRemote, ["_config"] = NeverSkip(),
            }, ct).ConfigureAwait(false);
        }
        catch (RcloneRcException e) when (RcloneErrors.IsNotFound(e))
        {
            throw new FileNotFoundException($"file not found: {srcRemote}: {e.RcloneMessage}");
        }
        catch (RcloneRcException e)
        {
            throw RcloneErrors.Map(e);
        }
    }

    /// <summary>Our upload temporaries, <c>.bisync-*.partial</c>: never listed as user files.</summary>
    public bool IsTemporaryName(string name) =>
        name.StartsWith(".bisync-", StringComparison.Ordinal) && name.EndsWith(".partial", StringComparison.Ordinal);

    /// <summary>
    /// From a local folder or another rclone remote of the same daemon: rclone copies it, no byte
    /// passes through this process. From anything else: false (the engine streams into <see cref="PutAsync"/>).
    /// </summary>

    public async Task<bool> TryCopyFromAsync(IStorage source, string srcPath, string dstPath, long modTime, CancellationToken ct, CommitGuard? guard = null)
    {
        string srcFs;
        if (source.Capability<LocalStorage>() is { } local) srcFs = local.Root;
        else if (source.Capability<RcloneStorage>() is { } other && ReferenceEquals(other._daemon, _daemon) && _daemon is not null) srcFs = other._fs;
        else return false;
        await CopyInAsync(srcFs, srcPath, dstPath, guard, ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Into a local folder: rclone copies the file itself (<c>operations/copyfile</c> with the folder as
    /// its destination fs), so no byte passes through this process, to a temporary name the local
    /// backend hands out and hides; the local backend then checks its size, sets the time, asks the
    /// guard and renames it over the real name (<see cref="LocalStorage.WriteViaTemporaryAsync"/>), as its own Put does.
    /// Anything else: false (the engine streams).
    /// </summary>
    public async Task<bool> TryCopyToAsync(string srcPath, IStorage destination, string dstPath, long size, long modTime, CancellationToken ct, CommitGuard? guard = null)
    {
        if (destination.Capability<LocalStorage>() is not { } local) return false;
        CheckName(srcPath);
        CheckName(dstPath);
        return await local.WriteViaTemporaryAsync(dstPath, size, modTime,
            (temp, token) => CopyFileAsync(_fs, srcPath, local.Root, temp, token), ct, guard).ConfigureAwait(false);
    }

    /// <summary>
    /// rclone's rc API has no "set modification time" call: this runs <c>rclone touch --no-create
    /// --timestamp</c> with the same config. A backend without modification times keeps its own (no-op).
    /// </summary>
    public async Task SetModTimeAsync(string path, long modTime, CancellationToken ct)
    {
        if (!Features.CanSetModTime) return;
        CheckName(path);
        if (await StatAsync(path, ct).ConfigureAwait(false) is not { IsDir: false })
            throw new FileNotFoundException($"file not found: {Root}{path}");
        var d = D;
        var psi = new ProcessStartInfo(d.Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var f in d.GlobalFlags) psi.ArgumentList.Add(f);
        psi.ArgumentList.Add("touch");
        psi.ArgumentList.Add("--no-create");
        psi.ArgumentList.Add("--timestamp");
        psi.ArgumentList.Add(FormatTime(modTime));
        psi.ArgumentList.Add(FsJoin(_fs, path));
        foreach (var (k, v) in d.ChildEnvironment)
        {
            if (v is null) psi.Environment.Remove(k);
            else psi.Environment[k] = v;
        }
        using var p = Process.Start(psi) ?? throw new IOException("couldn't start rclone touch");
        var stderr = p.StandardError.ReadToEndAsync(ct);
        _ = p.StandardOutput.ReadToEndAsync(ct);
        try
        {
            await p.WaitForExitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try { p.Kill(); } catch (InvalidOperationException) { }
            throw;
        }
        if (p.ExitCode != 0)
        {
            var err = (await stderr.ConfigureAwait(false)).Trim().ReplaceLineEndings(" ");
            throw RcloneErrors.Map(new RcloneRcException("touch", 500, err.Length > 300 ? err[..300] : err));
        }
    }

    /// <summary>"remote:dir" + "a/b" = "remote:dir/a/b"; "remote:" + "a" = "remote:a".</summary>
    internal static string FsJoin(string fs, string rel)
    {
        if (rel.Length == 0) return fs;
        return fs.EndsWith(':') || fs.EndsWith('/') ? fs + rel : fs + "/" + rel;
    }

    /// <summary>Deletes a file; one already gone is not an error (as the native remote backends).</summary>
    public async Task DeleteAsync(string path, CancellationToken ct)
    {
        try
        {
            await CallAsync("operations/deletefile", new JsonObject { ["fs"] = _fs, ["remote"] = path }, ct).ConfigureAwait(false);
        }
        catch (RcloneRcException e) when (RcloneErrors.IsNotFound(e))
        {
        }
        catch (RcloneRcException e)
        {
            throw RcloneErrors.Map(e);
        }
    }

    public async Task MkdirAsync(string dir, CancellationToken ct)
    {
        try
        {
            await CallAsync("operations/mkdir", new JsonObject { ["fs"] = _fs, ["remote"] = dir }, ct).ConfigureAwait(false);
        }
        catch (RcloneRcException e)
        {
            throw RcloneErrors.Map(e);
        }
    }

    /// <summary>
    /// Removes an empty directory; a missing one is fine. On remotes without real directories
    /// (rclone's rmdir of a prefix is a no-op there) a directory with something below it is refused
    /// here, as on every other backend.
    /// </summary>
    public async Task RmdirAsync(string dir, CancellationToken ct)
    {
        if (!Features.CanHaveEmptyDirectories)
        {
            try
            {
                await foreach (var _ in ListAsync(dir, ct).ConfigureAwait(false))
                    throw new PermanentIOException($"couldn't remove directory {dir}: directory not empty");
            }
            catch (DirectoryNotFoundException)
            {
                return;
            }
        }
        try
        {
            await CallAsync("operations/rmdir", new JsonObject { ["fs"] = _fs, ["remote"] = dir }, ct).ConfigureAwait(false);
        }
        catch (RcloneRcException e) when (RcloneErrors.IsNotFound(e))
        {
            // rclone's ftp backend reports every 550 (also "Directory not empty") as "directory not found"
            if (await StatAsync(dir, ct).ConfigureAwait(false) is { IsDir: true })
                throw new PermanentIOException($"couldn't remove directory {dir}: {e.RcloneMessage} (it is still there: not empty?)", e);
        }
        catch (RcloneRcException e)
        {
            var mapped = RcloneErrors.Map(e);
            throw mapped is PermanentIOException ? mapped : new PermanentIOException($"couldn't remove directory {dir}: {e.RcloneMessage}", e);
        }
    }

    /// <summary>operations/movefile: a server-side move where the backend has one (else rclone copies and deletes, inside rclone).</summary>
    public Task MoveAsync(string from, string to, CancellationToken ct) => MoveFileAsync(_fs, from, _fs, to, ct);

    public async ValueTask DisposeAsync()
    {
        var d = Interlocked.Exchange(ref _daemon, null);
        if (d is not null) await _host.ReleaseAsync(d).ConfigureAwait(false);
    }

    /// <summary>Sets a local file's modification time to the nanosecond (utimensat), for the spool file rclone copies.</summary>
    private static void SetLocalTime(string file, long ns)
    {
        var sec = Math.DivRem(ns, 1_000_000_000L, out var nsec);
        if (nsec < 0)
        {
            nsec += 1_000_000_000L;
            sec--;
        }
        Span<Timespec> times = [new Timespec { Sec = sec, Nsec = nsec }, new Timespec { Sec = sec, Nsec = nsec }];
        if (utimensat(AtFdCwd, file, ref times[0], 0) != 0)
            File.SetLastWriteTimeUtc(file, DateTime.UnixEpoch.AddTicks(ns / 100));
    }

    private const int AtFdCwd = -100;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Sec;
        public long Nsec;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int utimensat(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, ref Timespec times, int flags);
}
