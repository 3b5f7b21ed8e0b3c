using System.Text;

namespace Bisync.Logging;

public enum LogLevel { Error = 0, Notice = 1, Info = 2, Debug = 3 }

/// <summary>
/// rclone-style log lines: <c>YYYY/MM/DD HH:MM:SS LEVEL : message</c>, to stderr and/or a log file.
/// Thread-safe. A test can attach a <see cref="Sink"/> to capture the messages without the time prefix.
/// </summary>
public sealed class Logger : IDisposable
{
    private readonly object _gate = new();
    private readonly TextWriter? _console;
    private TextWriter? _file;

    public Logger(LogLevel level, TextWriter? console)
    {
        Level = level;
        _console = console;
    }

    /// <summary>A logger that writes nowhere except to an optional sink.</summary>
    public static Logger Silent(LogLevel level = LogLevel.Info) => new(level, null);

    public LogLevel Level { get; set; }

    /// <summary>Receives every line at or above <see cref="Level"/> as "LEVEL : message" (no time stamp).</summary>
    public Action<string>? Sink { get; set; }

    /// <summary>Send the log to a file (appending) instead of the console, as rclone's --log-file does.</summary>
    public void OpenFile(string path)
    {
        var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        _file = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true };
    }

    public bool Enabled(LogLevel level) => level <= Level;

    public void Error(string message) => Write(LogLevel.Error, message);
    public void Notice(string message) => Write(LogLevel.Notice, message);
    public void Info(string message) => Write(LogLevel.Info, message);
    public void Debug(string message) => Write(LogLevel.Debug, message);

    public static string Tag(LogLevel level) => level switch
    {
        LogLevel.Error => "ERROR : ",
        LogLevel.Notice => "NOTICE: ",
        LogLevel.Info => "INFO  : ",
        _ => "DEBUG : ",
    };

    public void Write(LogLevel level, string message)
    {
        if (level > Level) return;
        var body = Tag(level) + message;
        lock (_gate)
        {
            Sink?.Invoke(body);
            var writer = _file ?? _console;
            if (writer is null) return;
            if (_statusShown && writer == _console)
            {
                _console.Write("\r\u001b[K");
                _statusShown = false;
            }
            var now = DateTime.Now;
            writer.Write(now.ToString("yyyy/MM/dd HH:mm:ss "));
            writer.WriteLine(body);
        }
    }

    private bool _statusShown;

    /// <summary>
    /// A progress line on the console: on a terminal it is redrawn in place (and cleared before the
    /// next log line); elsewhere it is written as an ordinary line.
    /// </summary>
    public void Status(string text, bool inPlace)
    {
        lock (_gate)
        {
            if (_console is null) return;
            if (inPlace)
            {
                _console.Write("\r" + text + "\u001b[K");
                _statusShown = true;
            }
            else
            {
                _console.WriteLine(DateTime.Now.ToString("yyyy/MM/dd HH:mm:ss ") + "NOTICE: " + text);
            }
            _console.Flush();
        }
    }

    /// <summary>Ends an in-place progress line.</summary>
    public void EndStatus()
    {
        lock (_gate)
        {
            if (_statusShown && _console is not null) _console.WriteLine();
            _statusShown = false;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _file?.Dispose();
            _file = null;
        }
    }
}
