using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Bisync.Storage;
using Renci.SshNet.Common;

namespace Bisync.Remotes.Wrappers;

/// <summary>A failure that repeating the same operation will not cure (e.g. a directory that is not empty).</summary>
public class PermanentIOException(string message, Exception? inner = null) : IOException(message, inner);

/// <summary>Which failures are worth a low-level retry: network trouble, time-outs, server-side 5xx and throttling.</summary>
public static class TransientErrors
{
    /// <summary>A local file system's failures worth another try: an interrupted or busy call (errno EINTR, EAGAIN, EBUSY).</summary>
    public static bool IsTransientLocal(Exception e) => e is IOException { HResult: 4 or 11 or 16 } and not FileNotFoundException;

    public static bool IsTransient(Exception e)
    {
        switch (e)
        {
            case UserException:
            case PermanentIOException:
            case FileNotFoundException:
            case DirectoryNotFoundException:
            case UnauthorizedAccessException:
            case SshAuthenticationException:
            case SftpPermissionDeniedException:
            case SftpPathNotFoundException:
            case ArgumentException:
            case NotSupportedException:
            case ObjectDisposedException:
                return false;
            case TimeoutException:
            case SocketException:
            case SshConnectionException:
            case SshOperationTimeoutException:
            case HttpRequestException:
                return true;
            case AmazonServiceException s:
                var code = (int)s.StatusCode;
                return code >= 500 || s.StatusCode == HttpStatusCode.RequestTimeout || code == 429
                       || s.ErrorCode is "SlowDown" or "RequestTimeout" or "InternalError" or "RequestTimeTooSkewed";
            case AmazonClientException:
                return true; // no answer from the server at all
            case IOException:
                return true;
            case AggregateException a:
                return a.InnerExceptions.Count > 0 && a.InnerExceptions.All(IsTransient);
        }
        return e.InnerException is { } inner && IsTransient(inner);
    }
}
