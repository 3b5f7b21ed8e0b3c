using Bisync.Listing;
using Bisync.Storage;

namespace Bisync.Engine;

/// <summary>
/// Before planning (rclone v1.66+): which paths new or changed on both sides hold the same content
/// on both now (someone made the same change on both, or a cut-off run had copied it). Those are not
/// conflicts. Same size and then the same MD5 where both sides' listings or servers know it, else the
/// same bytes (both read; only files changed on both sides are looked at).
/// </summary>
public static class ConflictCheck
{
    public static async Task<HashSet<string>> EqualAsync(SideDeltas d1, SideDeltas d2, FileListing current1, FileListing current2,
        IStorage path1, IStorage path2, CancellationToken ct)
    {
        var equal = new HashSet<string>(StringComparer.Ordinal);
        foreach (var a in d1.Deltas)
        {
            if (a.IsDeleted || !d2.ByPath.TryGetValue(a.Path, out var b) || b.IsDeleted) continue;
            if (!current1.TryGet(a.Path, out var e1) || !current2.TryGet(a.Path, out var e2) || e1.Size != e2.Size) continue;
            if (await SameContentAsync(path1, path2, e1, e2, ct).ConfigureAwait(false)) equal.Add(a.Path);
        }
        return equal;
    }

    private static async Task<bool> SameContentAsync(IStorage path1, IStorage path2, ListingEntry e1, ListingEntry e2, CancellationToken ct)
    {
        if (IsMd5(e1.Hash) && IsMd5(e2.Hash)) return string.Equals(e1.Hash, e2.Hash, StringComparison.OrdinalIgnoreCase);
        if (path1.Capability<IServerHasher>() is { } h1 && path2.Capability<IServerHasher>() is { } h2
            && await h1.HashAsync(e1.Path, "md5", ct).ConfigureAwait(false) is { } m1
            && await h2.HashAsync(e2.Path, "md5", ct).ConfigureAwait(false) is { } m2)
            return string.Equals(m1, m2, StringComparison.OrdinalIgnoreCase);
        await using var s1 = await path1.OpenReadAsync(e1.Path, ct).ConfigureAwait(false);
        await using var s2 = await path2.OpenReadAsync(e2.Path, ct).ConfigureAwait(false);
        var b1 = new byte[81920];
        var b2 = new byte[b1.Length];
        while (true)
        {
            var n1 = await s1.ReadAtLeastAsync(b1, b1.Length, throwOnEndOfStream: false, ct).ConfigureAwait(false);
            var n2 = await s2.ReadAtLeastAsync(b2, b2.Length, throwOnEndOfStream: false, ct).ConfigureAwait(false);
            if (n1 != n2 || !b1.AsSpan(0, n1).SequenceEqual(b2.AsSpan(0, n2))) return false;
            if (n1 < b1.Length) return true;
        }
    }

    private static bool IsMd5(string hash) => hash.StartsWith(Hasher.Prefix, StringComparison.Ordinal);
}
