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

    /// <summary>The listing with MD5s, and how many files had to be read for them.</summary>
    public static async Task<(FileListing Listing, int Read)> HashAsync(IStorage storage, FileListing listing, HashCache cache,
        int parallelism, CancellationToken ct)
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
        var server = storage.Capability<IServerHasher>();
        await Parallel.ForEachAsync(todo, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = ct },
            async (i, token) =>
            {
                var path = listing.PathAt(i);
                if (server is not null && await server.HashAsync(path, "md5", token).ConfigureAwait(false) is { } remote)
                {
                    hashes[i] = Prefix + remote;
                    return;
                }
                await using var stream = await storage.OpenReadAsync(path, token).ConfigureAwait(false);
                hashes[i] = Prefix + Convert.ToHexStringLower(await MD5.HashDataAsync(stream, token).ConfigureAwait(false));
            }).ConfigureAwait(false);
        return (listing.WithHashes(hashes), todo.Count);
    }
}
