using Bisync.Storage;

namespace Bisync.Engine;

/// <summary>
/// What a run compares two versions of a file by, with rclone v1.75's meaning (--compare, or the
/// sync flags --size-only, --checksum, --ignore-size), and which side's listing carries checksums
/// (--ignore-listing-checksum, --no-slow-hash, --slow-hash-sync-only, --download-hash).
/// Under the default v1.60 profile with none of the v1.75-only flags given, <see cref="Legacy"/> is
/// true and the engine keeps rclone v1.60.1's comparison (time and size, --checksum as a cached MD5
/// that overrides the time).
/// </summary>
public sealed class Comparison
{
    private readonly BisyncOptions _options;

    public Comparison(BisyncOptions options)
    {
        _options = options;
        Legacy = options.Compat == Compat.V1_60 && options.Compare is null && !options.IgnoreSize;
        By = options.Compare ?? Derived(options);
        var window = options.ModifyWindow > TimeSpan.Zero ? options.ModifyWindow.Ticks * 100 : 0;
        ModifyWindowNs = window;
    }

    /// <summary>rclone v1.60.1's comparison (the default profile, no v1.75 compare flag).</summary>
    public bool Legacy { get; }

    public CompareBy By { get; }
    public bool Size => (By & CompareBy.Size) != 0;
    public bool ModTime => (By & CompareBy.ModTime) != 0;
    public bool Checksum => (By & CompareBy.Checksum) != 0;

    /// <summary>
    /// Whether the run needs every file's modification time: to compare by it, to pick a newer or older
    /// winner, or for --min-age/--max-age. When it does not and a side's listing carries checksums, a
    /// backend may list without the times that cost it a request per file (S3's HEAD): its re-checks
    /// then compare size and checksum (<see cref="Transfers.SameAsListed"/>), and a copy reads the one
    /// time it needs.
    /// </summary>
    public bool TimesNeeded => Legacy || ModTime
        || _options.ConflictResolve is ConflictResolve.Newer or ConflictResolve.Older
        || _options.ResyncMode is ResyncMode.Newer or ResyncMode.Older
        || _options.Filter.MinAge is not null || _options.Filter.MaxAge is not null;

    /// <summary>--modify-window in nanoseconds (0 when not set).</summary>
    public long ModifyWindowNs { get; }

    /// <summary>The set sync's own flags give when --compare is not set: size and modtime, --checksum
    /// size and checksum, --size-only size alone; --ignore-size drops size.</summary>
    public static CompareBy Derived(BisyncOptions o)
    {
        var by = o.Checksum ? CompareBy.Size | CompareBy.Checksum
            : o.SizeOnly ? CompareBy.Size
            : CompareBy.Size | CompareBy.ModTime;
        if (o.IgnoreSize) by &= ~CompareBy.Size;
        if (by == CompareBy.None) by = CompareBy.ModTime; // --size-only --ignore-size: times are all that is left
        return by;
    }

    /// <summary>Two times closer than this are equal: the coarser side's precision, or --modify-window if larger.</summary>
    public long ToleranceNs(long precisionNs) => Math.Max(Math.Max(precisionNs, 1), ModifyWindowNs);

    /// <summary>Hashes on this side are slow: computed by reading every file (local) or by a command on the server (sftp).</summary>
    public static bool SlowHash(IStorage side) => side.Features.IsLocal || side.Capability<IServerHasher>() is not null;

    /// <summary>Whether this side's listing gets checksums (and the deltas use them).</summary>
    public bool ListingHashes(IStorage side)
    {
        if (Legacy) return _options.Checksum;
        if (!Checksum || _options.IgnoreListingChecksum) return false;
        if (SlowHash(side) && (_options.NoSlowHash || _options.SlowHashSyncOnly) && !_options.DownloadHash) return false;
        return true;
    }

    /// <summary>Whether a copy decision may compute a missing slow hash (--slow-hash-sync-only, or --ignore-listing-checksum).</summary>
    public bool SyncTimeHashes(IStorage a, IStorage b)
    {
        if (Legacy || !Checksum) return false;
        if (_options.NoSlowHash && !_options.DownloadHash && (SlowHash(a) || SlowHash(b))) return false;
        return _options.SlowHashSyncOnly || _options.IgnoreListingChecksum;
    }

    /// <summary>Whether a file whose backend knows no hash is read to compute one (always on local; elsewhere --download-hash).</summary>
    public bool MayRead(IStorage side) => Legacy || side.Features.IsLocal || _options.DownloadHash;

    /// <summary>
    /// The v1.75 delta of one file against its prior listing entry: a time change (newer/older) first,
    /// then a size change, then a checksum change (only where both entries have a hash).
    /// </summary>
    public DeltaKind Delta(long priorSize, long priorTime, string priorHash, long size, long time, string hash, long precisionNs)
    {
        if (ModTime && priorTime != Listing.ListingFile.NoTime && time != Listing.ListingFile.NoTime)
        {
            var diff = time - priorTime;
            var tolerance = ToleranceNs(precisionNs) - 1;
            if (diff > tolerance) return DeltaKind.Newer;
            if (diff < -tolerance) return DeltaKind.Older;
        }
        if (Size && priorSize >= 0 && size >= 0 && priorSize != size) return DeltaKind.Size;
        if (Checksum && priorHash != "-" && hash != "-" && priorHash.Length > 0 && hash.Length > 0 && priorHash != hash) return DeltaKind.Hash;
        return DeltaKind.None;
    }

    /// <summary>
    /// The v1.75 "same file" test between the two sides (what a copy or an equality check decides):
    /// sizes where compared (and always when checksums are), then checksums where both are known, else
    /// times where compared. True when the destination must be written.
    /// </summary>
    public bool Differ(StorageEntry src, StorageEntry dst, long precisionNs)
    {
        var hashed = Checksum && Known(src.Hash) && Known(dst.Hash);
        if ((Size || hashed) && src.Size >= 0 && dst.Size >= 0 && src.Size != dst.Size) return true;
        // Same content: only a time that differs is to be set (a modification-time update, not a copy).
        if (hashed) return src.Hash != dst.Hash || (ModTime && Math.Abs(src.ModTime - dst.ModTime) >= ToleranceNs(precisionNs));
        if (ModTime) return Math.Abs(src.ModTime - dst.ModTime) >= ToleranceNs(precisionNs);
        return false;
    }

    private static bool Known(string? hash) => hash is { Length: > 0 } && hash != "-";
}
