using System.Runtime.InteropServices;

namespace Bisync.Tests.Conformance;

/// <summary>
/// Local file operations on byte paths through libc, so that names holding invalid UTF-8
/// (see <see cref="RawNames"/>) can be made, listed, touched and removed. Unix only.
/// Paths are absolute strings in the <see cref="RawNames"/> form.
/// </summary>
public static unsafe partial class NativeFs
{
    private const string Libc = "libc";
    private const int O_RDONLY = 0, O_WRONLY = 1, O_CREAT = 0x40, O_TRUNC = 0x200, O_CLOEXEC = 0x80000;
    private const int AT_FDCWD = -100;
    private const int ENOENT = 2, EEXIST = 17, EINTR = 4;
    private const uint S_IFMT = 0xF000, S_IFDIR = 0x4000, S_IFREG = 0x8000;

    [LibraryImport(Libc, EntryPoint = "open", SetLastError = true)]
    private static partial int SysOpen(byte* path, int flags, int mode);
    [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
    private static partial int SysClose(int fd);
    [LibraryImport(Libc, EntryPoint = "read", SetLastError = true)]
    private static partial nint SysRead(int fd, byte* buf, nuint count);
    [LibraryImport(Libc, EntryPoint = "write", SetLastError = true)]
    private static partial nint SysWrite(int fd, byte* buf, nuint count);
    [LibraryImport(Libc, EntryPoint = "unlink", SetLastError = true)]
    private static partial int SysUnlink(byte* path);
    [LibraryImport(Libc, EntryPoint = "rmdir", SetLastError = true)]
    private static partial int SysRmdir(byte* path);
    [LibraryImport(Libc, EntryPoint = "mkdir", SetLastError = true)]
    private static partial int SysMkdir(byte* path, uint mode);
    [LibraryImport(Libc, EntryPoint = "rename", SetLastError = true)]
    private static partial int SysRename(byte* from, byte* to);
    [LibraryImport(Libc, EntryPoint = "utimensat", SetLastError = true)]
    private static partial int SysUtimensat(int dirfd, byte* path, long* times, int flags);
    [LibraryImport(Libc, EntryPoint = "stat", SetLastError = true)]
    private static partial int SysStat(byte* path, byte* buf);
    [LibraryImport(Libc, EntryPoint = "opendir", SetLastError = true)]
    private static partial nint SysOpendir(byte* path);
    [LibraryImport(Libc, EntryPoint = "readdir", SetLastError = true)]
    private static partial nint SysReaddir(nint dir);
    [LibraryImport(Libc, EntryPoint = "closedir", SetLastError = true)]
    private static partial int SysClosedir(nint dir);

    /// <summary>What stat tells about one path.</summary>
    public readonly record struct Info(bool IsDir, bool IsFile, long Size, long ModTimeNs);

    private static IOException Fail(string op, string path, int errno) =>
        errno == ENOENT
            ? new FileNotFoundException($"{op} {Printable(path)}: {Marshal.GetPInvokeErrorMessage(errno)}")
            : new IOException($"{op} {Printable(path)}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");

    /// <summary>A path fit for a message: raw bytes shown as \xHH.</summary>
    public static string Printable(string path)
    {
        var sb = new System.Text.StringBuilder();
        for (var i = 0; i < path.Length; i++)
        {
            var c = path[i];
            if (Bisync.Text.PathEncoding.IsRawByteAt(path, i)) sb.Append($"\\x{c - 0xDC00:x2}");
            else if (c < 0x20) sb.Append($"\\x{(int)c:x2}");
            else sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>Returns the stat of <paramref name="path"/> (following links), or null when nothing is there.</summary>
    public static Info? Stat(string path)
    {
        if (!OperatingSystem.IsLinux() || (RuntimeInformation.ProcessArchitecture != Architecture.X64 && RuntimeInformation.ProcessArchitecture != Architecture.Arm64))
            throw new PlatformNotSupportedException("NativeFs.Stat knows the struct stat layout of 64-bit Linux only");
        var p = RawNames.ToCString(path);
        var buf = stackalloc byte[512];
        fixed (byte* pp = p)
        {
            if (SysStat(pp, buf) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == ENOENT || errno == 20 /* ENOTDIR */) return null;
                throw Fail("stat", path, errno);
            }
        }
        // Layout of struct stat on 64-bit Linux (glibc): st_size at 48, st_mtim at 88; st_mode at 24 (x64) or 16 (arm64).
        var modeOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 24 : 16;
        var mode = *(uint*)(buf + modeOffset);
        var size = *(long*)(buf + 48);
        var sec = *(long*)(buf + 88);
        var nsec = *(long*)(buf + 96);
        return new Info((mode & S_IFMT) == S_IFDIR, (mode & S_IFMT) == S_IFREG, size, sec * 1_000_000_000L + nsec);
    }

    public static bool Exists(string path) => Stat(path) is not null;

    /// <summary>The names in a directory (without "." and ".."), in no particular order.</summary>
    public static List<string> ListNames(string dir)
    {
        var p = RawNames.ToCString(dir);
        nint handle;
        fixed (byte* pp = p) handle = SysOpendir(pp);
        if (handle == 0) throw Fail("opendir", dir, Marshal.GetLastPInvokeError());
        var names = new List<string>();
        try
        {
            while (true)
            {
                Marshal.SetLastPInvokeError(0);
                var ent = SysReaddir(handle);
                if (ent == 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno != 0) throw Fail("readdir", dir, errno);
                    break;
                }
                // struct dirent on 64-bit glibc: d_ino(8) d_off(8) d_reclen(2) d_type(1) d_name[]
                var name = (byte*)ent + 19;
                var len = 0;
                while (name[len] != 0) len++;
                var s = RawNames.Decode(new ReadOnlySpan<byte>(name, len));
                if (s is "." or "..") continue;
                names.Add(s);
            }
        }
        finally
        {
            SysClosedir(handle);
        }
        return names;
    }

    public static byte[] ReadAll(string path)
    {
        var p = RawNames.ToCString(path);
        int fd;
        fixed (byte* pp = p) fd = SysOpen(pp, O_RDONLY | O_CLOEXEC, 0);
        if (fd < 0) throw Fail("open", path, Marshal.GetLastPInvokeError());
        try
        {
            var ms = new MemoryStream();
            var buf = new byte[65536];
            while (true)
            {
                nint n;
                fixed (byte* b = buf) n = SysRead(fd, b, (nuint)buf.Length);
                if (n < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == EINTR) continue;
                    throw Fail("read", path, errno);
                }
                if (n == 0) break;
                ms.Write(buf, 0, (int)n);
            }
            return ms.ToArray();
        }
        finally
        {
            SysClose(fd);
        }
    }

    /// <summary>Creates or truncates <paramref name="path"/> and writes <paramref name="data"/>.</summary>
    public static void WriteAll(string path, ReadOnlySpan<byte> data)
    {
        var p = RawNames.ToCString(path);
        int fd;
        fixed (byte* pp = p) fd = SysOpen(pp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0b110_100_100);
        if (fd < 0) throw Fail("create", path, Marshal.GetLastPInvokeError());
        try
        {
            fixed (byte* d = data)
            {
                var done = 0;
                while (done < data.Length)
                {
                    var n = SysWrite(fd, d + done, (nuint)(data.Length - done));
                    if (n < 0)
                    {
                        var errno = Marshal.GetLastPInvokeError();
                        if (errno == EINTR) continue;
                        throw Fail("write", path, errno);
                    }
                    done += (int)n;
                }
            }
        }
        finally
        {
            if (SysClose(fd) != 0) throw Fail("close", path, Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>Sets access and modification time (Unix nanoseconds).</summary>
    public static void SetModTime(string path, long unixNs)
    {
        var p = RawNames.ToCString(path);
        var times = stackalloc long[4];
        times[0] = times[2] = Math.DivRem(unixNs, 1_000_000_000L, out var ns);
        if (ns < 0) { ns += 1_000_000_000L; times[0] = times[2] = times[0] - 1; }
        times[1] = times[3] = ns;
        fixed (byte* pp = p)
            if (SysUtimensat(AT_FDCWD, pp, times, 0) != 0) throw Fail("utimensat", path, Marshal.GetLastPInvokeError());
    }

    public static void Unlink(string path)
    {
        var p = RawNames.ToCString(path);
        fixed (byte* pp = p)
            if (SysUnlink(pp) != 0) throw Fail("unlink", path, Marshal.GetLastPInvokeError());
    }

    public static void Rmdir(string path)
    {
        var p = RawNames.ToCString(path);
        fixed (byte* pp = p)
            if (SysRmdir(pp) != 0) throw Fail("rmdir", path, Marshal.GetLastPInvokeError());
    }

    public static void Rename(string from, string to)
    {
        var a = RawNames.ToCString(from);
        var b = RawNames.ToCString(to);
        fixed (byte* pa = a)
        fixed (byte* pb = b)
            if (SysRename(pa, pb) != 0) throw Fail("rename", from, Marshal.GetLastPInvokeError());
    }

    /// <summary>mkdir -p.</summary>
    public static void MkdirAll(string path)
    {
        var trimmed = path.TrimEnd('/');
        if (trimmed.Length == 0) return;
        var info = Stat(trimmed);
        if (info is { IsDir: true }) return;
        if (info is not null) throw new IOException($"mkdir {Printable(trimmed)}: exists and is not a directory");
        var slash = trimmed.LastIndexOf('/');
        if (slash > 0) MkdirAll(trimmed[..slash]);
        var p = RawNames.ToCString(trimmed);
        fixed (byte* pp = p)
        {
            if (SysMkdir(pp, 0b111_101_101) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno != EEXIST) throw Fail("mkdir", trimmed, errno);
            }
        }
    }

    /// <summary>rm -rf: removes a file or a whole tree; nothing there is fine.</summary>
    public static void RemoveAll(string path)
    {
        var info = Stat(path);
        if (info is null) return;
        if (info.Value.IsDir)
        {
            foreach (var name in ListNames(path)) RemoveAll(path.TrimEnd('/') + "/" + name);
            Rmdir(path);
        }
        else
        {
            Unlink(path);
        }
    }
}
