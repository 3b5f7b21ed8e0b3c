using System.Runtime.InteropServices;

namespace Bisync.Storage.Local;

/// <summary>The few libc calls the local backend needs to work on raw byte names (Linux).</summary>
internal static unsafe partial class Native
{
    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const int O_RDONLY = 0, O_WRONLY = 1, O_CREAT = 0x40, O_EXCL = 0x80, O_DIRECTORY = 0x10000, O_CLOEXEC = 0x80000;
    public const uint STATX_BASIC_STATS = 0x7ff;
    public const int ENOENT = 2, EEXIST = 17, ENOTDIR = 20, EINTR = 4, ELOOP = 40;
    public const byte DT_LNK = 10;
    public const int S_IFMT = 0xF000, S_IFDIR = 0x4000, S_IFREG = 0x8000, S_IFLNK = 0xA000;

    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Sec;
        public long Nsec;
    }

    /// <summary>struct statx (the same on every Linux architecture).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    public struct Statx
    {
        [FieldOffset(0)] public uint Mask;
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(32)] public ulong Ino;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(96)] public long CtimeSec;
        [FieldOffset(104)] public uint CtimeNsec;
        [FieldOffset(112)] public long MtimeSec;
        [FieldOffset(120)] public uint MtimeNsec;
    }

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint opendir(byte* name);


    [LibraryImport("libc", SetLastError = true)]
    public static partial byte* readdir64(nint dir);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int closedir(nint dir);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int dirfd(nint dir);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int statx(int dirfd, byte* path, int flags, uint mask, Statx* buf);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int open(byte* path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int fsync(int fd);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int futimens(int fd, Timespec* times);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int utimensat(int dirfd, byte* path, Timespec* times, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int rename(byte* oldpath, byte* newpath);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int unlink(byte* path);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint readlink(byte* path, byte* buf, nint size);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int symlink(byte* target, byte* linkpath);

    [LibraryImport("libc", SetLastError = true)]
    public static partial byte* realpath(byte* path, byte* resolved);

    [LibraryImport("libc")]
    public static partial void free(void* p);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int mkdir(byte* path, int mode);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int rmdir(byte* path);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint copy_file_range(int fdIn, long* offIn, int fdOut, long* offOut, nint len, uint flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint read(int fd, byte* buf, nint count);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint write(int fd, byte* buf, nint count);



    public static int Errno => Marshal.GetLastPInvokeError();

    /// <summary>A NUL-terminated copy of a byte path.</summary>
    public static byte[] Z(ReadOnlySpan<byte> path)
    {
        var z = new byte[path.Length + 1];
        path.CopyTo(z);
        return z;
    }

    public static IOException Error(string op, byte[] path, int errno)
    {
        var shown = Bisync.Text.PathEncoding.FromFileSystem(path.AsSpan(0, Math.Max(0, path.Length - 1)));
        var message = $"{op} {shown}: {Marshal.GetPInvokeErrorMessage(errno)}";
        return errno switch
        {
            ENOENT => new FileNotFoundException(message),
            _ => new IOException(message, errno),
        };
    }
}
