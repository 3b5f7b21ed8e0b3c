namespace Bisync.Storage;

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
