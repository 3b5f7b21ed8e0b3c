using System.Collections.Concurrent;
using System.Security.Cryptography;
using Bisync.Listing;
using Bisync.Storage;

namespace Bisync.Engine;

/// <summary>
/// Stage (--checksum): give every listed file its MD5 ("md5:hex" in the listing's hash column),
/// from the backend when it knows it, else from the hash cache, else by reading the file.
/// </summary>
public static class Hasher
{
    public const string Prefix = "md5:";

    public static async Task<FileListing> HashAsync(IStorage storage, FileListing listing, IReadOnlyDictionary<string, ulong> fileIds,
        HashCache cache, int parallelism, CancellationToken ct)
    {
        var entries = listing.Entries.ToArray();
        var todo = new ConcurrentBag<int>();
        for (var i = 0; i < entries.Length; i++)
        {
            var e = entries[i];
            if (e.Hash.StartsWith(Prefix, StringComparison.Ordinal)) continue;
            var fileId = fileIds.TryGetValue(e.Path, out var n) ? n : 0;
            var known = cache.Lookup(e.Path, e.Size, e.ModTime, fileId);
            if (known is not null) entries[i] = e with { Hash = Prefix + known };
            else todo.Add(i);
        }
        await Parallel.ForEachAsync(todo, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = ct },
            async (i, token) =>
            {
                var e = entries[i];
                await using var stream = await storage.OpenReadAsync(e.Path, token).ConfigureAwait(false);
                var md5 = Convert.ToHexStringLower(await MD5.HashDataAsync(stream, token).ConfigureAwait(false));
                cache.Set(e.Path, e.Size, e.ModTime, fileIds.TryGetValue(e.Path, out var n) ? n : 0, md5);
                entries[i] = e with { Hash = Prefix + md5 };
            }).ConfigureAwait(false);
        return listing.WithHashes(entries.Select(e => e.Hash).ToArray());
    }
}
