using Bisync.Remotes.Wrappers;
using Bisync.Storage;

namespace Bisync.Remotes.Rclone;

/// <summary>An rclone error worth repeating: rclone said the remote timed out, throttled or dropped the connection.</summary>
public sealed class RcloneTransientException(string message, Exception inner) : IOException(message, inner);

/// <summary>
/// rclone's rc errors mapped to ours, rclone's message kept: "not found" (HTTP 404, or rclone's
/// not-found messages) becomes null / FileNotFound / DirectoryNotFound at the call site; a failure
/// that rclone reports as network trouble, a time-out or throttling (after its own low-level retries)
/// becomes <see cref="RcloneTransientException"/> for the retry decorator; anything else is permanent.
/// </summary>
public static class RcloneErrors
{
    private static readonly string[] TransientMarks =
    [
        "timeout", "timed out", "connection reset", "connection refused", "broken pipe", "unexpected eof",
        "i/o timeout", "too many requests", "rate limit", "ratelimit", "temporar", "try again", "service unavailable",
        "bad gateway", "gateway timeout", "internal server error", "no route to host", "network is unreachable",
        "tls handshake", "use of closed network connection", " 429", " 500", " 502", " 503", " 504",
        // rclone checked the copy's hash, found it wrong and removed it: a new try uploads afresh
        // (seen from s3rver under heavy load: now and then an empty object for a 100-byte upload)
        "corrupted on transfer",
    ];

    public static bool IsNotFound(RcloneRcException e)
    {
        if (e.Status == 404) return true;
        var m = e.RcloneMessage.ToLowerInvariant();
        return m.Contains("object not found") || m.Contains("directory not found") || m.Contains("no such file or directory")
               || m.Contains("file does not exist") || m.EndsWith("not found", StringComparison.Ordinal);
    }

    public static bool IsTransient(RcloneRcException e)
    {
        if (e.Status is 408 or 429 or 502 or 503 or 504) return true;
        var m = e.RcloneMessage.ToLowerInvariant();
        return TransientMarks.Any(m.Contains);
    }

    /// <summary>The exception to throw for an rc error that is not an expected "not found".</summary>
    public static Exception Map(RcloneRcException e)
    {
        if (e.Status == 400 && e.RcloneMessage.Contains("didn't find backend", StringComparison.Ordinal))
            return new UserException(e.RcloneMessage, 1);
        if (IsTransient(e)) return new RcloneTransientException(e.Message, e);
        var m = e.RcloneMessage.ToLowerInvariant();
        if (m.Contains("permission denied") || m.Contains("access denied") || m.Contains("forbidden") || m.Contains("401") || m.Contains("403"))
            return new UnauthorizedAccessException(e.Message, e);
        return new PermanentIOException(e.Message, e);
    }
}
