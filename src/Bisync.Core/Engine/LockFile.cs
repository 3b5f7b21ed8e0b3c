using System.Globalization;

namespace Bisync.Engine;

/// <summary>One run per Path1/Path2 pair: a lock file holding the PID, created exclusively.</summary>
public sealed class LockFile : IDisposable
{
    private readonly string _path;
    private bool _held;

    private LockFile(string path)
    {
        _path = path;
        _held = true;
    }

    /// <summary>Takes the lock, or returns null when another run holds it.</summary>
    public static LockFile? TryAcquire(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            using var writer = new StreamWriter(stream);
            writer.Write(Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            return new LockFile(path);
        }
        catch (IOException) when (File.Exists(path))
        {
            return null;
        }
    }

    public void Dispose()
    {
        if (!_held) return;
        _held = false;
        try { File.Delete(_path); } catch (IOException) { }
    }
}
