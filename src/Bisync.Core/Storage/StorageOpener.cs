namespace Bisync.Storage;

/// <summary>
/// Turns a path as the user wrote it ("/data", "remote:path", ":sftp,host=x:path") into a storage.
/// The core knows only local paths; the remotes layer supplies an opener that knows the rest.
/// </summary>
public interface IStorageOpener
{
    /// <summary>Opens the storage rooted at <paramref name="path"/>. Throws <see cref="UserException"/> on bad input.</summary>
    Task<IStorage> OpenAsync(string path, CancellationToken ct);
}

/// <summary>An error caused by the user's input or environment: printed as one line, no stack trace.</summary>
public class UserException(string message, int exitCode = 2) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
