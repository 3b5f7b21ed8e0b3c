using System.Security.Cryptography;
using Bisync.Listing;
using Bisync.Storage;

namespace Bisync.Engine;

/// <summary>
/// Stage (--checksum): give every listed file its MD5 ("md5:hex" in the listing's hash column),
/// from the backend's listing when it knows it, else from the hash cache, else from the server
/// (<see cref="IServerHasher"/>: sftp's md5sum) where it can, else by reading the file.
/// </summary>
public static class Hasher
{
    public const string Prefix = "md5:";

    /// <summary>A hash column value that holds a hash.</summary>
    public static bool Known(string? hash) => hash is { Length: > 0 } && hash != "-";

    /// <summary>One file's MD5 ("md5:hex"): from the server where it can hash, else by reading the file.</summary>
    public static async Task<string> HashOneAsync(IStorage storage, string path, CancellationToken ct)
    {
        if (storage.Capability<IServerHasher>() is { } server && await server.HashAsync(path, "md5", ct).ConfigureAwait(false) is { } remote)
            return Prefix + remote;
        await using var stream = await storage.OpenReadAsync(path, ct).ConfigureAwait(false);
        return Prefix + Convert.ToHexStringLower(await MD5.HashDataAsync(stream, ct).ConfigureAwait(false));
    }

    /// <summary>The listing with MD5s, and how many files had to be read for them.</summary>
    /// <param name="mayRead">Whether a file no cheaper source (listing, cache, the server's own hashing) has a hash
    /// for is read; false leaves it without one ("-"), as rclone v1.75 does on a remote without --download-hash.</param>
    public static async Task<(FileListing Listing, int Read)> HashAsync(IStorage storage, FileListing listing, HashCache cache,
        int parallelism, CancellationToken ct, bool mayRead = true)
    {
        var cached = cache.Match(listing);
        var hashes = new string[listing.Count];
        var todo = new List<int>();
        for (var i = 0; i < hashes.Length; i++)
        {
            if (listing.HasMd5(i)) hashes[i] = listing[i].Hash; // the backend knew it
            else if (cached[i] is { } md5) hashes[i] = Prefix + md5;
            else todo.Add(i);
        }
        // A server that hashes a file itself (sftp's md5sum) reads nothing across the network: asked even when
        // this side's files may not be read to hash them (without --download-hash on a remote).
        var server = storage.Capability<IServerHasher>();
        if (!mayRead && server is null)
        {
            foreach (var i in todo) hashes[i] = "-";
            todo.Clear();
        }
        await Parallel.ForEachAsync(todo, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = ct },
            async (i, token) =>
            {
                var path = listing.PathAt(i);
                if (server is not null && await server.HashAsync(path, "md5", token).ConfigureAwait(false) is { } remote)
                {
                    hashes[i] = Prefix + remote;
                    return;
                }
                if (!mayRead)
                {
                    hashes[i] = "-";
                    return;
                }
                await using var stream = await storage.OpenReadAsync(path, token).ConfigureAwait(false);
                hashes[i] = Prefix + Convert.ToHexStringLower(await MD5.HashDataAsync(stream, token).ConfigureAwait(false));
            }).ConfigureAwait(false);
        return (listing.WithHashes(hashes), todo.Count);
    }
}
