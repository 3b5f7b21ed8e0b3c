using System.Diagnostics;
using Bisync.Logging;

namespace Bisync.Engine;

/// <summary>
/// -P/--progress: files and bytes done of those queued, the rate and the time left, redrawn twice
/// a second on a terminal, or written as a line every 10 seconds when stderr is not one.
/// </summary>
public sealed class Progress : IDisposable
{
    private readonly Logger _log;
    private readonly bool _inPlace;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Timer _timer;
    private long _filesTotal, _filesDone, _bytesTotal, _bytesDone;
    private string _phase = "Checking";

    public Progress(Logger log, bool inPlace)
    {
        _log = log;
        _inPlace = inPlace;
        var period = inPlace ? TimeSpan.FromMilliseconds(500) : TimeSpan.FromSeconds(10);
        _timer = new Timer(_ => Show(), null, period, period);
    }

    public void Phase(string phase) => Volatile.Write(ref _phase, phase);

    public void Queued(long files, long bytes)
    {
        Interlocked.Add(ref _filesTotal, files);
        Interlocked.Add(ref _bytesTotal, bytes);
    }

    public void Done(long bytes)
    {
        Interlocked.Increment(ref _filesDone);
        Interlocked.Add(ref _bytesDone, bytes);
    }

    public string Render()
    {
        var seconds = Math.Max(_clock.Elapsed.TotalSeconds, 0.001);
        var bytesDone = Interlocked.Read(ref _bytesDone);
        var bytesTotal = Interlocked.Read(ref _bytesTotal);
        var rate = bytesDone / seconds;
        var percent = bytesTotal > 0 ? 100.0 * bytesDone / bytesTotal : 0;
        var eta = rate > 0 && bytesTotal > bytesDone ? TimeSpan.FromSeconds((bytesTotal - bytesDone) / rate) : TimeSpan.Zero;
        return $"{Volatile.Read(ref _phase)}: {Size(bytesDone)} / {Size(bytesTotal)}, {percent:0}%, {Size((long)rate)}/s, ETA {Eta(eta)}; " +
               $"files {Interlocked.Read(ref _filesDone)} / {Interlocked.Read(ref _filesTotal)}; elapsed {Eta(_clock.Elapsed)}";
    }

    private void Show() => _log.Status(Render(), _inPlace);

    public static string Size(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double v = bytes;
        var u = 0;
        while (v >= 1024 && u < units.Length - 1) { v /= 1024; u++; }
        return u == 0 ? $"{bytes} B" : $"{v:0.0} {units[u]}";
    }

    private static string Eta(TimeSpan t) => t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:00}m" : t.TotalMinutes >= 1 ? $"{t.Minutes}m{t.Seconds:00}s" : $"{t.Seconds}s";

    public void Dispose()
    {
        _timer.Dispose();
        Show();
        _log.EndStatus();
    }
}
