namespace Bisync.Engine;

/// <summary>What a user is shown of an exception: one line, its own words, no type names.</summary>
public static class ErrorText
{
    /// <summary>The message (with an inner cause when the outer one says little), newlines folded.</summary>
    public static string OneLine(Exception e)
    {
        var message = e.Message;
        if (e is AggregateException { InnerExceptions.Count: > 0 } agg) message = agg.InnerExceptions[0].Message;
        else if (e.InnerException is { } inner && !message.Contains(inner.Message, StringComparison.Ordinal)
                 && e is not (IOException or UnauthorizedAccessException or StateWriteException))
            message += ": " + inner.Message;
        if (e is IOException or UnauthorizedAccessException or StateWriteException)
            message = PathFirst(message);
        return Fold(message);
    }

    /// <summary>.NET writes "Read-only file system : '/a/b'": say "/a/b: Read-only file system", as rclone would.</summary>
    private static string PathFirst(string message)
    {
        var m = System.Text.RegularExpressions.Regex.Match(message, @"^(?<what>[^']*?)\s*:\s*'(?<path>[^']*)'\.?$");
        return m.Success ? $"{m.Groups["path"].Value}: {m.Groups["what"].Value}" : message;
    }

    /// <summary>The full exception with its stack, for -vv (DEBUG) only.</summary>
    public static string Detail(Exception e) => e.ToString();

    private static string Fold(string s)
    {
        s = s.Trim();
        return s.Contains('\n') || s.Contains('\r')
            ? string.Join(" ", s.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            : s;
    }
}
