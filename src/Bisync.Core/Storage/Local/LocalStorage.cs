using System.Runtime.CompilerServices;
using System.Text;
using Bisync.Text;
using Microsoft.Win32.SafeHandles;

namespace Bisync.Storage.Local;

/// <summary>
/// The local file system, through libc calls on raw byte names so that any name the kernel
/// allows (control characters, invalid UTF-8) is listed and copied exactly.
/// </summary>
public sealed class LocalStorage : IStorage, IMover, IDirectCopier, ISyncLister, IRootCheck, ITemporaryCleaner, IFileFlusher
{
    private readonly byte[] _root; // absolute, no trailing '/', UTF-8

    public LocalStorage(string rootPath)
    {
        var full = System.IO.Path.GetFullPath(rootPath);
        var trimmed = full.Length > 1 ? full.TrimEnd('/') : full;
        _root = Encoding.UTF8.GetBytes(trimmed == "/" ? "" : trimmed);
        Root = (trimmed == "/" ? "" : trimmed) + "/";
    }

    public string Type => "local";
    public string Root { get; }
    public StorageFeatures Features { get; } = new()
    {
        ModTimePrecisionNs = 1,
        Hashes = ["md5", "sha1"],
        IsLocal = true,
        CanHaveEmptyDirectories = true,
    };

    /// <summary>The full file-system path of a relative engine path, NUL-terminated.</summary>
    private byte[] Full(string path)
    {
        if (path.Length == 0) return Native.Z(_root.Length == 0 ? "/"u8 : _root);
        var rel = PathEncoding.ToFileSystem(path);
        // The last guard: whatever a listing said, nothing outside the root is ever opened.
        if (!SafePath.IsSafe(rel)) throw new IOException($"refusing a path that leaves the root {Root}: {GoQuote.Quote(path)}");
        var z = new byte[_root.Length + 1 + rel.Length + 1];
        _root.CopyTo(z, 0);
        z[_root.Length] = (byte)'/';
        rel.CopyTo(z, _root.Length + 1);
        return z;
    }

    /// <summary>Whether the root exists and is a directory (false for a missing root; throws when it is a file).</summary>
    public bool RootIsDirectory()
    {
        var st = StatRaw(Full(""), out var errno);
        if (st is null)
        {
            if (errno == Native.ENOENT || errno == Native.ENOTDIR) return false;
            throw Native.Error("stat", Full(""), errno);
        }
        return (st.Value.Mode & Native.S_IFMT) == Native.S_IFDIR;
    }

    public IEnumerable<StorageEntry> ListDirectory(string dir)
    {
        var results = new List<StorageEntry>();
        ListDirectory(dir, results);
        return results;
    }

    /// <summary>Lists one directory into <paramref name="results"/> (cleared first): no per-call allocations beyond the paths.</summary>
    public unsafe void ListDirectory(string dir, List<StorageEntry> results)
    {
        results.Clear();
        var full = Full(dir);
        nint handle;
        fixed (byte* p = full) handle = Native.opendir(p);
        if (handle == 0)
        {
            var errno = Native.Errno;
            if (errno == Native.ENOENT || errno == Native.ENOTDIR)
                throw new DirectoryNotFoundException($"directory not found: {Root}{dir}");
            throw Native.Error("opendir", full, errno);
        }
        try
        {
            var fd = Native.dirfd(handle);
            var prefix = dir.Length == 0 ? "" : dir + "/";
            while (true)
            {
                var ent = Native.readdir64(handle);
                if (ent == null) break;
                var name = new ReadOnlySpan<byte>(ent + 19, IndexOfNul(ent + 19));
                if (name.Length == 1 && name[0] == '.') continue;
                if (name.Length == 2 && name[0] == '.' && name[1] == '.') continue;
                Native.Statx st;
                int rc;
                // d_name is NUL-terminated in place: no copy needed for the call.
                rc = Native.statx(fd, ent + 19, Native.AT_SYMLINK_NOFOLLOW, Native.STATX_BASIC_STATS, &st);
                if (rc != 0) continue; // vanished while listing
                var kind = st.Mode & Native.S_IFMT;
                var path = PathEncoding.Join(prefix, name);
                if (kind == Native.S_IFLNK)
                {
                    if (IsTemporaryName(TailOf(path))) results.Add(new StorageEntry(path, 0, ToNs(st), false)); // ours: only to be cleaned
                    else AddLink(dir, path, fd, ent + 19, st, results);
                }
                else if (kind == Native.S_IFDIR)
                    results.Add(new StorageEntry(path, 0, ToNs(st), true));
                else if (kind == Native.S_IFREG)
                    results.Add(new StorageEntry(path, (long)st.Size, ToNs(st), false, null, FileIdOf(st)));
            }
        }
        finally
        {
            Native.closedir(handle);
        }
    }

    private static string TailOf(string path) => path[(path.LastIndexOf('/') + 1)..];

    /// <summary>How symbolic links are treated (rclone's default, -L or -l); set once before use.</summary>
    public LinkMode Links { get; set; } = LinkMode.Skip;

    /// <summary>The suffix of a symbolic link stored as a file with -l/--links (rclone's).</summary>
    public const string LinkSuffix = ".rclonelink";

    /// <summary>One symbolic link met while listing <paramref name="dir"/>, as <see cref="Links"/> says.</summary>
    private unsafe void AddLink(string dir, string path, int dirFd, byte* name, in Native.Statx own, List<StorageEntry> results)
    {
        switch (Links)
        {
            case LinkMode.Translate:
            {
                var target = ReadLink(Full(path));
                if (target is null) return; // vanished
                results.Add(new StorageEntry(path + LinkSuffix, target.Length, ToNs(own), false, null, FileIdOf(own)));
                return;
            }
            case LinkMode.Follow:
            {
                Native.Statx st;
                var rc = Native.statx(dirFd, name, 0, Native.STATX_BASIC_STATS, &st);
                var kind = st.Mode & Native.S_IFMT;
                if (rc != 0 || (kind == Native.S_IFDIR && LeadsBack(dir, Full(path))))
                {
                    results.Add(new StorageEntry(path, 0, 0, false, IsSkippedLink: true)); // dangling, or a loop
                    return;
                }
                if (kind == Native.S_IFDIR) results.Add(new StorageEntry(path, 0, ToNs(st), true));
                else if (kind == Native.S_IFREG) results.Add(new StorageEntry(path, (long)st.Size, ToNs(st), false, null, FileIdOf(st)));
                return;
            }
            default:
                results.Add(new StorageEntry(path, 0, ToNs(own), false, IsSkippedLink: true));
                return;
        }
    }

    /// <summary>
    /// Whether a link (met in <paramref name="dir"/>) to a directory points at the root, at a directory
    /// on the way down to it, or above one of them: walking it would never end.
    /// </summary>
    private bool LeadsBack(string dir, byte[] linkFull)
    {
        var target = RealPath(linkFull);
        if (target is null) return true;
        for (var prefix = dir; ; )
        {
            var here = RealPath(Full(prefix));
            if (here is not null && (here == target || here.StartsWith(target == "/" ? "/" : target + "/", StringComparison.Ordinal))) return true;
            if (prefix.Length == 0) return false;
            var slash = prefix.LastIndexOf('/');
            prefix = slash < 0 ? "" : prefix[..slash];
        }
    }

    private static unsafe string? RealPath(byte[] full)
    {
        byte* r;
        fixed (byte* p = full) r = Native.realpath(p, null);
        if (r == null) return null;
        try
        {
            return Encoding.UTF8.GetString(r, IndexOfNul(r));
        }
        finally
        {
            Native.free(r);
        }
    }

    /// <summary>A link's target as bytes, or null when <paramref name="full"/> is not a link.</summary>
    private static unsafe byte[]? ReadLink(byte[] full)
    {
        var buf = new byte[4096];
        nint n;
        fixed (byte* p = full)
        fixed (byte* b = buf)
            n = Native.readlink(p, b, buf.Length);
        return n < 0 ? null : buf.AsSpan(0, (int)n).ToArray();
    }

    /// <summary>With -l: the link that a path "NAME.rclonelink" stands for (its full path), or null when there is none.</summary>
    private byte[]? LinkFor(string path)
    {
        if (Links != LinkMode.Translate || !path.EndsWith(LinkSuffix, StringComparison.Ordinal) || path.Length == LinkSuffix.Length) return null;
        var full = Full(path[..^LinkSuffix.Length]);
        var st = StatRaw(full, out _);
        return st is { } s && (s.Mode & Native.S_IFMT) == Native.S_IFLNK ? full : null;
    }

    /// <summary>Where a write to <paramref name="path"/> goes: with -L, through a link to its target (as rclone writes through it).</summary>
    private byte[] WriteTarget(string path)
    {
        var full = Full(path);
        if (Links != LinkMode.Follow) return full;
        var st = StatRaw(full, out _);
        if (st is not { } s || (s.Mode & Native.S_IFMT) != Native.S_IFLNK) return full;
        return RealPath(full) is { } real ? Native.Z(Encoding.UTF8.GetBytes(real)) : full;
    }

    private static unsafe int IndexOfNul(byte* s)
    {
        var i = 0;
        while (s[i] != 0) i++;
        return i;
    }

    /// <summary>Inode and status-change time mixed: any write to the file changes it.</summary>
    private static ulong FileIdOf(in Native.Statx st) =>
        st.Ino * 0x9E3779B97F4A7C15UL ^ (ulong)(st.CtimeSec * 1_000_000_000L + st.CtimeNsec) | 1UL;

    private static long ToNs(in Native.Statx st) => st.MtimeSec * 1_000_000_000L + st.MtimeNsec;

    private static unsafe Native.Statx? StatRaw(byte[] full, out int errno, bool follow = false)
    {
        Native.Statx st;
        int rc;
        fixed (byte* p = full) rc = Native.statx(Native.AT_FDCWD, p, follow ? 0 : Native.AT_SYMLINK_NOFOLLOW, Native.STATX_BASIC_STATS, &st);
        errno = rc == 0 ? 0 : Native.Errno;
        return rc == 0 ? st : null;
    }

    public async IAsyncEnumerable<StorageEntry> ListAsync(string dir, [EnumeratorCancellation] CancellationToken ct)
    {
        await Task.Yield();
        foreach (var e in ListDirectory(dir))
        {
            ct.ThrowIfCancellationRequested();
            yield return e;
        }
    }

    public StorageEntry? Stat(string path)
    {
        if (LinkFor(path) is { } link)
        {
            var ls = StatRaw(link, out _);
            var target = ReadLink(link);
            if (ls is null || target is null) return null;
            return new StorageEntry(path, target.Length, ToNs(ls.Value), false, null, FileIdOf(ls.Value));
        }
        var st = StatRaw(Full(path), out var errno, follow: Links == LinkMode.Follow);
        if (st is null)
        {
            if (errno == Native.ENOENT || errno == Native.ENOTDIR) return null;
            throw Native.Error("stat", Full(path), errno);
        }
        var kind = st.Value.Mode & Native.S_IFMT;
        return new StorageEntry(path, kind == Native.S_IFDIR ? 0 : (long)st.Value.Size, ToNs(st.Value), kind == Native.S_IFDIR, null, FileIdOf(st.Value));
    }

    public Task<StorageEntry?> StatAsync(string path, CancellationToken ct) => Task.FromResult(Stat(path));

    public bool Flush(IEnumerable<string> paths)
    {
        var dirs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            if (!Fsync(Full(path), Native.O_RDONLY, mayBeGone: true)) return false;
            for (var dir = path; dir.Length > 0;)
            {
                var slash = dir.LastIndexOf('/');
                dir = slash < 0 ? "" : dir[..slash];
                if (!dirs.Add(dir)) break; // and every folder above it is in the set already
            }
        }
        foreach (var dir in dirs)
        {
            if (!Fsync(Full(dir), Native.O_RDONLY | Native.O_DIRECTORY, mayBeGone: false)) return false;
        }
        return true;
    }

    private static unsafe bool Fsync(byte[] full, int flags, bool mayBeGone)
    {
        int fd;
        fixed (byte* p = full) fd = Native.open(p, flags | Native.O_CLOEXEC, 0);
        if (fd < 0) return mayBeGone && Native.Errno == Native.ENOENT;
        try { return Native.fsync(fd) == 0; }
        finally { Native.close(fd); }
    }

    private static unsafe SafeFileHandle OpenHandle(byte[] full, int flags, int mode, string op)
    {
        int fd;
        fixed (byte* p = full) fd = Native.open(p, flags | Native.O_CLOEXEC, mode);
        if (fd < 0) throw Native.Error(op, full, Native.Errno);
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    public Task<Stream> OpenReadAsync(string path, CancellationToken ct)
    {
        if (LinkFor(path) is { } link)
            return Task.FromResult<Stream>(new MemoryStream(ReadLink(link) ?? throw new FileNotFoundException($"file not found: {path}"), writable: false));
        var handle = OpenHandle(Full(path), Native.O_RDONLY, 0, "open");
        return Task.FromResult<Stream>(new FileStream(handle, FileAccess.Read, 1 << 16));
    }

    /// <summary>Folders this instance made or found: a copy into a known folder needs no mkdir call.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _knownDirs = new(StringComparer.Ordinal);

    private void EnsureParent(string path)
    {
        var slash = path.LastIndexOf('/');
        if (slash <= 0) return;
        var dir = path[..slash];
        if (_knownDirs.ContainsKey(dir)) return;
        MakeDirs(dir);
        _knownDirs.TryAdd(dir, 0);
    }

    private unsafe void MakeDirs(string dir)
    {
        var full = Full(dir);
        int rc;
        fixed (byte* p = full) rc = Native.mkdir(p, 0x1ED /* 0755 */);
        if (rc == 0) return;
        var errno = Native.Errno;
        if (errno == Native.EEXIST) return;
        if (errno == Native.ENOENT)
        {
            var slash = dir.LastIndexOf('/');
            if (slash > 0) MakeDirs(dir[..slash]);
            fixed (byte* p = full) rc = Native.mkdir(p, 0x1ED);
            if (rc == 0 || Native.Errno == Native.EEXIST) return;
            errno = Native.Errno;
        }
        throw Native.Error("mkdir", full, errno);
    }

    /// <summary>
    /// Temporary names say who wrote them: <c>.bisync-HOST-PID-RANDOMnnnn.partial</c> (HOST: 8 hex digits
    /// of a hash of the host name; PID: this process; RANDOM: 8 hex digits per process, so that a reused
    /// PID never meets a name a dead process left; nnnn: a counter).
    /// </summary>
    private static readonly string TempPrefix = TemporaryPrefixFor(Environment.ProcessId) + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));
    private static long _tempCounter;

    /// <summary>The start of the temporary names that process <paramref name="pid"/> of this host writes.</summary>
    public static string TemporaryPrefixFor(int pid) => ".bisync-" + TemporaryOwner.Tag(pid) + "-";

    /// <summary>Our temporary upload names (any process's, this format or the older one): hidden, never listed as user files.</summary>
    public bool IsTemporaryName(string name) =>
        name.StartsWith(".bisync-", StringComparison.Ordinal) && name.EndsWith(".partial", StringComparison.Ordinal);

    /// <summary>A fresh temporary name (no folder): hidden, short, unique (random per process, then counted).</summary>
    private static string NewTempName() =>
        TempPrefix + Interlocked.Increment(ref _tempCounter).ToString("x4", System.Globalization.CultureInfo.InvariantCulture) + ".partial";

    /// <summary>A temporary sibling of a full path for an atomic write.</summary>
    private static byte[] TempFullFor(byte[] fullZ)
    {
        var end = fullZ.Length - 1; // the NUL
        var slash = Array.LastIndexOf(fullZ, (byte)'/', end - 1);
        var name = Encoding.ASCII.GetBytes(NewTempName());
        var z = new byte[slash + 1 + name.Length + 1];
        fullZ.AsSpan(0, slash + 1).CopyTo(z);
        name.CopyTo(z, slash + 1);
        return z;
    }

    /// <summary>
    /// Removes the temporaries a killed run left: one written by a process of this host that is no
    /// longer alive goes at once; any other (another host's, a live process's, the older name format)
    /// only when neither its content nor its status changed for <paramref name="minAge"/>.
    /// </summary>
    public Task<IReadOnlyList<string>> CleanTemporariesAsync(IReadOnlyList<string> found, TimeSpan minAge, CancellationToken ct)
    {
        var removed = new List<string>();
        var now = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
        foreach (var path in found)
        {
            ct.ThrowIfCancellationRequested();
            var name = TailOf(path);
            if (!IsTemporaryName(name)) continue;
            var full = Full(path);
            if (!Abandoned(name, full, now, minAge)) continue;
            if (Unlink(full) == 0) removed.Add(path);
        }
        return Task.FromResult<IReadOnlyList<string>>(removed);
    }

    private static bool Abandoned(string name, byte[] full, long nowNs, TimeSpan minAge)
    {
        var parts = name[".bisync-".Length..^".partial".Length].Split('-');
        if (parts.Length == 3 && TemporaryOwner.WriterIsDead(parts[0], parts[1])) return true;
        if (StatRaw(full, out _) is not { } st) return false;
        var last = Math.Max(ToNs(st), st.CtimeSec * 1_000_000_000L + st.CtimeNsec);
        return nowNs - last >= minAge.Ticks * 100;
    }

    private static unsafe int Unlink(byte[] full)
    {
        fixed (byte* p = full) return Native.unlink(p);
    }

    public async Task PutAsync(string path, Stream content, long size, long modTime, CancellationToken ct, CommitGuard? guard = null)
    {
        EnsureParent(path);
        if (Links == LinkMode.Translate && path.EndsWith(LinkSuffix, StringComparison.Ordinal) && path.Length > LinkSuffix.Length)
        {
            await PutLinkAsync(path, content, modTime, ct).ConfigureAwait(false);
            return;
        }
        var dest = WriteTarget(path);
        var tempFull = TempFullFor(dest);
        try
        {
            using (var handle = OpenHandle(tempFull, Native.O_WRONLY | Native.O_CREAT | Native.O_EXCL, 0x1A4 /* 0644 */, "create"))
            {
                await using (var output = new FileStream(handle, FileAccess.Write, 1 << 16))
                {
                    await content.CopyToAsync(output, 1 << 16, ct).ConfigureAwait(false);
                    await output.FlushAsync(ct).ConfigureAwait(false);
                    if (size >= 0 && output.Length != size)
                        throw new IOException($"short write of {path}: expected {size} bytes, got {output.Length}");
                }
            }
            SetTimes(tempFull, modTime);
            await CommitAsync(path, guard, ct).ConfigureAwait(false);
            Rename(tempFull, dest);
        }
        catch
        {
            TryUnlink(tempFull);
            throw;
        }
    }

    /// <summary>Asks the guard, if any, before a temporary takes the real name (the caller removes the temporary on a no).</summary>
    private static async Task CommitAsync(string path, CommitGuard? guard, CancellationToken ct)
    {
        if (guard is not null && !await guard(ct).ConfigureAwait(false)) throw new CommitRefusedException(path);
    }

    /// <summary>With -l: "NAME.rclonelink" is written back as the link NAME (made under a temporary name, then renamed over NAME).</summary>
    private async Task PutLinkAsync(string path, Stream content, long modTime, CancellationToken ct)
    {
        var ms = new MemoryStream();
        await content.CopyToAsync(ms, ct).ConfigureAwait(false);
        var target = ms.ToArray();
        if (target.Length == 0 || target.Contains((byte)0))
            throw new IOException($"{path}: not a link target (empty or holds a NUL byte)");
        var dest = Full(path[..^LinkSuffix.Length]);
        var tempFull = TempFullFor(dest);
        try
        {
            MakeLink(Native.Z(target), tempFull);
            SetTimes(tempFull, modTime);
            Rename(tempFull, dest);
        }
        catch
        {
            TryUnlink(tempFull);
            throw;
        }
    }

    private static unsafe void MakeLink(byte[] targetZ, byte[] linkFull)
    {
        int rc;
        fixed (byte* t = targetZ)
        fixed (byte* l = linkFull)
            rc = Native.symlink(t, l);
        if (rc != 0) throw Native.Error("create link", linkFull, Native.Errno);
    }

    /// <summary>
    /// An atomic write by someone else (rclone copying a remote file straight into this folder):
    /// <paramref name="write"/> fills a fresh temporary name in the file's folder (relative to the root;
    /// one <see cref="IsTemporaryName"/> hides and <see cref="CleanTemporariesAsync"/> removes when this
    /// process is gone), which is then checked (<paramref name="size"/> bytes), given
    /// <paramref name="modTime"/> and renamed over <paramref name="path"/> if <paramref name="guard"/> agrees, as <see cref="PutAsync"/> does.
    /// The temporary goes when anything fails. False (nothing done) where only a streamed Put can
    /// write the file: a link stored as a file (-l), or a path through a followed link (--copy-links).
    /// </summary>
    public async Task<bool> WriteViaTemporaryAsync(string path, long size, long modTime, Func<string, CancellationToken, Task> write, CancellationToken ct,
        CommitGuard? guard = null)
    {
        if (Links == LinkMode.Translate && path.EndsWith(LinkSuffix, StringComparison.Ordinal)) return false;
        var full = Full(path);
        if (!WriteTarget(path).AsSpan().SequenceEqual(full)) return false;
        EnsureParent(path);
        var slash = path.LastIndexOf('/');
        var temp = (slash < 0 ? "" : path[..(slash + 1)]) + NewTempName();
        var tempFull = Full(temp);
        try
        {
            await write(temp, ct).ConfigureAwait(false);
            var st = StatRaw(tempFull, out var errno) ?? throw Native.Error("stat", tempFull, errno);
            if ((st.Mode & Native.S_IFMT) != Native.S_IFREG || (size >= 0 && (long)st.Size != size))
                throw new IOException($"short write of {path}: expected {size} bytes, got {st.Size}");
            SetTimes(tempFull, modTime);
            await CommitAsync(path, guard, ct).ConfigureAwait(false);
            Rename(tempFull, full);
            return true;
        }
        catch
        {
            TryUnlink(tempFull);
            throw;
        }
    }

    public async Task<bool> TryCopyFromAsync(IStorage source, string srcPath, string dstPath, long modTime, CancellationToken ct, CommitGuard? guard = null)
    {
        if (source.Capability<LocalStorage>() is not { } local) return false;
        // links stored as files (-l) go the streamed way, through OpenRead and Put
        if (local.LinkFor(srcPath) is not null || (Links == LinkMode.Translate && dstPath.EndsWith(LinkSuffix, StringComparison.Ordinal)))
            return false;
        EnsureParent(dstPath);
        var dest = WriteTarget(dstPath);
        var tempFull = TempFullFor(dest);
        try
        {
            using (var input = OpenHandle(local.Full(srcPath), Native.O_RDONLY, 0, "open"))
            using (var output = OpenHandle(tempFull, Native.O_WRONLY | Native.O_CREAT | Native.O_EXCL, 0x1A4, "create"))
            {
                CopyData((int)input.DangerousGetHandle(), (int)output.DangerousGetHandle(), ct);
            }
            SetTimes(tempFull, modTime);
            await CommitAsync(dstPath, guard, ct).ConfigureAwait(false);
            Rename(tempFull, dest);
        }
        catch
        {
            TryUnlink(tempFull);
            throw;
        }
        return true;
    }

    private static unsafe void CopyData(int fdIn, int fdOut, CancellationToken ct)
    {
        var useRange = true;
        byte[]? buffer = null;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (useRange)
            {
                var n = Native.copy_file_range(fdIn, null, fdOut, null, 1 << 30, 0);
                if (n > 0) continue;
                if (n == 0) return;
                var errno = Native.Errno;
                if (errno == Native.EINTR) continue;
                useRange = false; // EXDEV, EINVAL, ENOSYS...: fall back to read/write
            }
            buffer ??= new byte[1 << 17];
            fixed (byte* b = buffer)
            {
                var n = Native.read(fdIn, b, buffer.Length);
                if (n == 0) return;
                if (n < 0)
                {
                    if (Native.Errno == Native.EINTR) continue;
                    throw new IOException("read failed: " + System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(Native.Errno));
                }
                var done = 0L;
                while (done < n)
                {
                    var w = Native.write(fdOut, b + done, (nint)(n - done));
                    if (w < 0)
                    {
                        if (Native.Errno == Native.EINTR) continue;
                        throw new IOException("write failed: " + System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(Native.Errno));
                    }
                    done += w;
                }
            }
        }
    }

    private static unsafe void SetTimes(byte[] full, long modTime, bool follow = false)
    {
        var times = stackalloc Native.Timespec[2];
        var sec = Math.DivRem(modTime, 1_000_000_000L, out var nsec);
        if (nsec < 0) { sec--; nsec += 1_000_000_000L; }
        times[0] = new Native.Timespec { Sec = sec, Nsec = nsec };
        times[1] = times[0];
        int rc;
        fixed (byte* p = full) rc = Native.utimensat(Native.AT_FDCWD, p, times, follow ? 0 : Native.AT_SYMLINK_NOFOLLOW);
        if (rc != 0) throw Native.Error("set modification time of", full, Native.Errno);
    }

    private static unsafe void Rename(byte[] from, byte[] to)
    {
        int rc;
        fixed (byte* a = from)
        fixed (byte* b = to)
            rc = Native.rename(a, b);
        if (rc != 0) throw Native.Error("rename to", to, Native.Errno);
    }

    private static unsafe void TryUnlink(byte[] full)
    {
        fixed (byte* p = full) Native.unlink(p);
    }

    public Task SetModTimeAsync(string path, long modTime, CancellationToken ct)
    {
        if (LinkFor(path) is { } link) SetTimes(link, modTime);
        else SetTimes(Full(path), modTime, follow: Links == LinkMode.Follow);
        return Task.CompletedTask;
    }

    public unsafe Task DeleteAsync(string path, CancellationToken ct)
    {
        var full = LinkFor(path) ?? Full(path);
        int rc;
        fixed (byte* p = full) rc = Native.unlink(p);
        if (rc != 0) throw Native.Error("delete", full, Native.Errno);
        return Task.CompletedTask;
    }

    public Task MkdirAsync(string dir, CancellationToken ct)
    {
        if (dir.Length > 0) MakeDirs(dir);
        else MakeRoot();
        return Task.CompletedTask;
    }

    private void MakeRoot()
    {
        var dir = Encoding.UTF8.GetString(_root);
        if (dir.Length > 0) Directory.CreateDirectory(dir);
    }

    public unsafe Task RmdirAsync(string dir, CancellationToken ct)
    {
        var full = Full(dir);
        int rc;
        fixed (byte* p = full) rc = Native.rmdir(p);
        if (rc != 0) throw Native.Error("remove directory", full, Native.Errno);
        _knownDirs.TryRemove(dir, out _);
        return Task.CompletedTask;
    }

    public Task MoveAsync(string from, string to, CancellationToken ct)
    {
        EnsureParent(to);
        if (LinkFor(from) is { } link)
            Rename(link, Full(to.EndsWith(LinkSuffix, StringComparison.Ordinal) && to.Length > LinkSuffix.Length ? to[..^LinkSuffix.Length] : to));
        else
            Rename(Full(from), Full(to));
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
