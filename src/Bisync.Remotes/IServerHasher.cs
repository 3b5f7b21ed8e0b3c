using Bisync.Remotes.Wrappers;
using Bisync.Storage;

namespace Bisync.Remotes;

/// <summary>
/// Optional: a backend that can have the server hash a file without downloading it (sftp runs
/// md5sum / sha1sum in an SSH shell). Not part of the listing: each call hashes one file.
/// </summary>
public interface IServerHasher
{
    /// <summary>
    /// The lower-case hex digest of <paramref name="path"/> for <paramref name="hashType"/> ("md5" or
    /// "sha1"), or null when this server can't give that hash (no shell, command "none", disabled).
    /// </summary>
    Task<string?> HashAsync(string path, string hashType, CancellationToken ct);
}

public static class ServerHasher
{
    /// <summary>The server hasher behind <paramref name="storage"/> and its decorators, or null.</summary>
    public static IServerHasher? Find(IStorage storage)
    {
        for (var s = storage; ; s = ((StorageDecorator)s).Inner)
        {
            if (s is IServerHasher h) return h;
            if (s is not StorageDecorator) return null;
        }
    }
}
