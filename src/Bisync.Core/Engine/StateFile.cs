using System.Runtime.InteropServices;

// bisync runs on Linux only (its local backend calls libc): the Unix file modes are always there.
#pragma warning disable CA1416

namespace Bisync.Engine;

/// <summary>
/// A failure writing bisync's own state in the working directory (a full disk, a read-only
/// working directory). The file being replaced is left as it was and no temporary is left behind.
/// </summary>
public sealed class StateWriteException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// How every state file in the working directory is written (listings, the hash cache, queue
/// files, the filters-file MD5): to a private (0600) temporary beside it, fsynced, renamed into
/// place, then the directory fsynced, so a crash or power cut leaves either the old file or the
/// whole new one. A working directory the tool creates is 0700.
/// </summary>
public static partial class StateFile
{
    public const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode PrivateDirectory = PrivateFile | UnixFileMode.UserExecute;

    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>, atomically and durably.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        var temp = path + ".tmp";
        try
        {
            // A temporary left by a killed run would keep its old mode if reused: start afresh.
            File.Delete(temp);
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0,
                UnixCreateMode = PrivateFile,
            };
            using (var stream = new FileStream(temp, options))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
            SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        }
        catch (Exception e)
        {
            TryDelete(temp);
            if (e is IOException or UnauthorizedAccessException)
                throw new StateWriteException($"can't write {path}: {WithoutPath(e.Message)}", e);
            throw;
        }
    }

    /// <summary>Writes text (UTF-8, no BOM) as <see cref="Write(string, Action{Stream})"/> does.</summary>
    public static void WriteText(string path, Action<TextWriter> write) => Write(path, stream =>
    {
        using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true);
        write(writer);
    });

    /// <summary>A copy of <paramref name="from"/> at <paramref name="to"/>, written as <see cref="Write(string, Action{Stream})"/> does.</summary>
    public static void Copy(string from, string to) => Write(to, stream =>
    {
        using var source = new FileStream(from, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        source.CopyTo(stream);
    });

    /// <summary>Creates <paramref name="dir"/> (and missing parents) 0700; an existing directory keeps its mode.</summary>
    public static void CreateDirectory(string dir) => Directory.CreateDirectory(dir, PrivateDirectory);

    /// <summary>fsync on a directory, so a rename in it survives a power cut; best effort (some file systems refuse).</summary>
    public static void SyncDirectory(string dir)
    {
        var fd = open(dir, ORdOnly | ODirectory | OCloexec);
        if (fd < 0) return;
        try
        {
            if (fsync(fd) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                // EINVAL: the file system does not sync directories; nothing to wait for.
                if (errno is not 22) throw new IOException($"fsync {dir}: {Marshal.GetPInvokeErrorMessage(errno)}");
            }
        }
        finally
        {
            close(fd);
        }
    }

    /// <summary>.NET adds " : 'the path'" to an I/O error; the message names the file already.</summary>
    internal static string WithoutPath(string message) =>
        System.Text.RegularExpressions.Regex.Replace(message, @"\s*:\s*'[^']*'\s*$", "");

    /// <summary>
    /// syncfs(2) on the file system holding <paramref name="root"/> when it is a local directory (a
    /// remote root such as "remote:path" is not an absolute path, and is left alone); best effort.
    /// </summary>
    public static void SyncFileSystem(string root)
    {
        if (!Path.IsPathRooted(root) || !Directory.Exists(root)) return;
        var fd = open(root, ORdOnly | ODirectory | OCloexec);
        if (fd < 0) return;
        try { syncfs(fd); }
        finally { close(fd); }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    private const int ORdOnly = 0, ODirectory = 0x10000, OCloexec = 0x80000;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fsync(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int syncfs(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
}
