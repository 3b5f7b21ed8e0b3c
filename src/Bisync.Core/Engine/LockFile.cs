using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bisync.Logging;

namespace Bisync.Engine;

/// <summary>
/// One run per Path1/Path2 pair. The lock file holds rclone's JSON
/// <c>{"Session", "PID", "TimeRenewed", "TimeExpires"}</c> (a plain PID, as older versions wrote, is
/// read too). It is written to a private temporary name and hard-linked into place, so it appears
/// whole or not at all, and never over another run's lock (link fails when the name exists).
/// A lock whose process is gone from this host, or whose expiry time (--max-lock) has passed, is
/// stale: the next run says so and takes it over. Check and take-over happen under an flock on
/// the working directory, so two runs racing for a stale lock cannot both win.
/// With --max-lock the lock is renewed every max-lock minus one minute while the run goes on.
/// </summary>
public sealed partial class LockFile : IDisposable
{
    /// <summary>rclone's --max-lock minimum.</summary>
    public static readonly TimeSpan MinMaxLock = TimeSpan.FromMinutes(2);

    private readonly string _path, _session;
    private readonly TimeSpan _maxLock;
    private readonly Timer? _renewer;
    private readonly Lock _gate = new();
    private bool _held;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<LockFile, byte> Held = new();

    /// <summary>Removes every lock this process holds (a second signal: the process ends at once).</summary>
    public static void ReleaseAllHeld()
    {
        foreach (var l in Held.Keys) l.Dispose();
    }

    private LockFile(string path, string session, TimeSpan maxLock)
    {
        Held[this] = 0;
        _path = path;
        _session = session;
        _maxLock = maxLock;
        _held = true;
        if (maxLock > TimeSpan.Zero)
        {
            var every = maxLock - TimeSpan.FromMinutes(1);
            _renewer = new Timer(_ => Renew(), null, every, every);
        }
    }

    /// <summary>What a lock file says (null fields: not readable).</summary>
    public sealed record Content(int? Pid, DateTimeOffset? Expires, bool Readable);

    /// <summary>
    /// Takes the lock, or returns null with <paramref name="problem"/> saying why another run
    /// holds it. A stale lock (dead process, or expired) is reported with one NOTICE and taken over.
    /// </summary>
    public static LockFile? TryAcquire(string path, string session, TimeSpan maxLock, Logger log, out string? problem,
        Func<int, bool>? isAlive = null, Func<DateTimeOffset>? now = null)
    {
        isAlive ??= ProcessAlive;
        now ??= () => DateTimeOffset.Now;
        problem = null;
        using var guard = DirectoryGuard.Take(Path.GetDirectoryName(Path.GetFullPath(path))!);
        if (TryCreate(path, session, maxLock, now())) return new LockFile(path, session, maxLock);

        var c = Read(path);
        if (c is null) // gone between our try and the read
            return TryCreate(path, session, maxLock, now()) ? new LockFile(path, session, maxLock) : Busy(path, out problem);
        string? stale = null;
        if (c.Pid is { } pid && pid != Environment.ProcessId && !isAlive(pid))
            stale = $"its process {pid} is no longer running";
        else if (c.Expires is { } exp && exp <= now())
            stale = $"it expired at {exp.ToLocalTime():yyyy-MM-dd HH:mm:ss}";
        else if (!c.Readable && maxLock > TimeSpan.Zero)
            stale = "it cannot be read (treated as expired, as --max-lock is set)";
        if (stale is null)
        {
            problem = c.Readable
                ? $"prior lock file found: {path}" + (c.Pid is { } p ? $" (held by process {p}{(c.Expires is { } e ? $", expires {e.ToLocalTime():yyyy-MM-dd HH:mm:ss}" : "")})" : "")
                : $"prior lock file found: {path} (unreadable: delete it if no other bisync runs on this pair, or use --max-lock)";
            return null;
        }
        log.Notice($"Taking over stale lock file {path}: {stale}");
        try { File.Delete(path); } catch (IOException) { }
        return TryCreate(path, session, maxLock, now()) ? new LockFile(path, session, maxLock) : Busy(path, out problem);
    }

    private static LockFile? Busy(string path, out string? problem)
    {
        problem = $"prior lock file found: {path}";
        return null;
    }

    /// <summary>Whether a process of this PID runs on this host.</summary>
    public static bool ProcessAlive(int pid)
    {
        if (pid <= 0) return false;
        if (kill(pid, 0) == 0) return true;
        return Marshal.GetLastPInvokeError() == 1; // EPERM: it exists, owned by someone else
    }

    /// <summary>The lock's JSON: rclone's field names, Go's RFC 3339 times; no expiry is Go's zero time.</summary>
    public static string Json(string session, int pid, DateTimeOffset renewed, TimeSpan maxLock)
    {
        var expires = maxLock > TimeSpan.Zero ? Rfc3339(renewed + maxLock) : "0001-01-01T00:00:00Z";
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("Session", session);
            w.WriteString("PID", pid.ToString(CultureInfo.InvariantCulture));
            w.WriteString("TimeRenewed", Rfc3339(renewed));
            w.WriteString("TimeExpires", expires);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan) + "\n";
    }

    private static string Rfc3339(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Reads a lock file: JSON, or a plain PID as older versions wrote; null when there is none.</summary>
    public static Content? Read(string path)
    {
        string text;
        try { text = File.ReadAllText(path).Trim(); }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
        catch (IOException) { return new Content(null, null, false); }
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var plain)) return new Content(plain, null, true);
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            int? pid = null;
            if (root.TryGetProperty("PID", out var p))
            {
                if (p.ValueKind == JsonValueKind.Number && p.TryGetInt32(out var n)) pid = n;
                else if (p.ValueKind == JsonValueKind.String && int.TryParse(p.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out n)) pid = n;
            }
            DateTimeOffset? expires = null;
            if (root.TryGetProperty("TimeExpires", out var e) && e.ValueKind == JsonValueKind.String && ParseTime(e.GetString()!) is { } t
                && t.Year > 1)
                expires = t;
            return new Content(pid, expires, pid is not null);
        }
        catch (JsonException)
        {
            return new Content(null, null, false);
        }
    }

    /// <summary>RFC 3339 with up to nine fractional digits (Go writes nine; .NET reads seven).</summary>
    private static DateTimeOffset? ParseTime(string s)
    {
        s = Fraction().Replace(s, m => m.Value.Length > 8 ? m.Value[..8] : m.Value);
        return DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ? t : null;
    }

    [GeneratedRegex(@"\.\d+")]
    private static partial Regex Fraction();

    /// <summary>Writes the lock under a private name and links it into place: false when the name is taken.</summary>
    private static bool TryCreate(string path, string session, TimeSpan maxLock, DateTimeOffset now)
    {
        var temp = $"{path}.{Environment.ProcessId}.tmp";
        try
        {
            try
            {
                WritePrivate(temp, Json(session, Environment.ProcessId, now, maxLock));
            }
            catch (IOException e)
            {
                throw new IOException($"cannot create lock file {path}: {StateFile.WithoutPath(e.Message)}", e);
            }
            if (link(temp, path) == 0) return true;
            var errno = Marshal.GetLastPInvokeError();
            if (errno == 17) return false; // EEXIST
            if (errno is 1 or 38 or 95) // EPERM, ENOSYS, EOPNOTSUPP: a file system without hard links
            {
                try
                {
                    var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
                    if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                    using var stream = new FileStream(path, options);
                    stream.Write(File.ReadAllBytes(temp));
                    return true;
                }
                catch (IOException) when (File.Exists(path))
                {
                    return false;
                }
            }
            throw new IOException($"cannot create lock file {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
        finally
        {
            try { File.Delete(temp); } catch (IOException) { }
        }
    }

    private static void WritePrivate(string path, string text)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var stream = new FileStream(path, options);
        stream.Write(Encoding.UTF8.GetBytes(text));
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Pushes the expiry time on (every max-lock minus one minute, while the run goes on).</summary>
    public void Renew()
    {
        lock (_gate)
        {
            if (!_held) return;
            var temp = $"{_path}.{Environment.ProcessId}.tmp";
            try
            {
                WritePrivate(temp, Json(_session, Environment.ProcessId, DateTimeOffset.Now, _maxLock));
                File.Move(temp, _path, overwrite: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The lock keeps its old expiry time; no temporary is left behind.
                try { File.Delete(temp); } catch (IOException) { }
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (!_held) return;
            _held = false;
        }
        Held.TryRemove(this, out _);
        _renewer?.Dispose();
        try { File.Delete(_path); } catch (IOException) { }
    }

    /// <summary>An exclusive flock on the working directory, held while a lock is checked and taken.</summary>
    private sealed class DirectoryGuard : IDisposable
    {
        private int _fd;

        private DirectoryGuard(int fd) => _fd = fd;

        public static DirectoryGuard Take(string dir)
        {
            var fd = open(dir, 0x10000 | 0x80000, 0); // O_RDONLY | O_DIRECTORY | O_CLOEXEC
            if (fd < 0) return new DirectoryGuard(-1); // no guard (e.g. a file system without flock): link still refuses a taken name
            while (flock(fd, 2) != 0 && Marshal.GetLastPInvokeError() == 4) { } // LOCK_EX, again on EINTR
            return new DirectoryGuard(fd);
        }

        public void Dispose()
        {
            if (_fd >= 0) close(_fd); // closing drops the flock
            _fd = -1;
        }
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int link(string oldpath, string newpath);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int flock(int fd, int operation);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);
}
