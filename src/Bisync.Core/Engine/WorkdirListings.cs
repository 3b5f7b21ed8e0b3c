using Bisync.Listing;

namespace Bisync.Engine;

/// <summary>
/// The session's listing files in the working directory: the prior listings a normal run needs,
/// the .lst-new files written as soon as a side is listed, the final listings, and the clean-up.
/// </summary>
public sealed class WorkdirListings(SessionNames names, BisyncOptions options)
{
    /// <summary>
    /// A normal run needs both prior listings; in a dry run it works on copies of them. With
    /// --recover, <paramref name="from"/> is the pair to start from when it is not the .lst pair
    /// (it is copied into place first).
    /// </summary>
    public void RequirePrior((string One, string Two)? from = null)
    {
        var (one, two) = from ?? (names.RealListing1, names.RealListing2);
        if (!File.Exists(one) || !File.Exists(two))
            throw new CriticalException("cannot find prior Path1 or Path2 listings, likely due to critical error on prior run") { LessSerious = true };
        if (options.DryRun)
        {
            StateFile.Copy(one, names.Listing1);
            StateFile.Copy(two, names.Listing2);
        }
        else if (one != names.RealListing1)
        {
            Recovery.CopyPair((one, two), (names.RealListing1, names.RealListing2));
        }
    }

    public string Prior(int side) => side == 1 ? names.Listing1 : names.Listing2;
    public string New(int side) => side == 1 ? names.NewListing1 : names.NewListing2;

    /// <summary>A side's prior listing read whole (when a transfer failed and its old entry is needed).</summary>
    public FileListing ReadPrior(int side) => BisyncEngine.ReadListing(Prior(side));

    /// <summary>rclone v1.75 records no times when it does not compare them (--compare without modtime).</summary>
    private readonly bool _noTimes = options.Compat == Compat.V1_75 && !new Comparison(options).ModTime;

    public void Write(string path, FileListing listing) => ListingFile.Write(path, listing, options.LocalTime, noTimes: _noTimes);

    /// <summary>
    /// With --recover the two final listings carry the same header time: a pair whose headers
    /// differ was cut off between its two writes (see <see cref="Recovery"/>).
    /// </summary>
    private readonly DateTimeOffset? _pairStamp = options.Recover ? DateTimeOffset.UtcNow : null;

    /// <summary>A final listing (one of the pair this run leaves).</summary>
    public void WriteFinal(string path, FileListing listing) => ListingFile.Write(path, listing, options.LocalTime, _pairStamp, _noTimes);

    /// <summary>
    /// The final listings. Where nothing changed on a side, its listing is the .lst-new written
    /// at the start: copied, not formatted again.
    /// </summary>
    public Task WriteFinalAsync(FileListing final1, FileListing current1, FileListing final2, FileListing current2, CancellationToken ct)
    {
        if (TestHook.Active) // one after the other, so the crash tests can stop between the two
        {
            WriteOrCopy(names.Listing1, final1, current1, names.NewListing1);
            TestHook.At("between-listings");
            WriteOrCopy(names.Listing2, final2, current2, names.NewListing2);
            return Task.CompletedTask;
        }
        return Task.WhenAll(
            Task.Run(() => WriteOrCopy(names.Listing1, final1, current1, names.NewListing1), ct),
            Task.Run(() => WriteOrCopy(names.Listing2, final2, current2, names.NewListing2), ct));
    }

    private void WriteOrCopy(string path, FileListing final, FileListing current, string currentFile)
    {
        if (ReferenceEquals(final, current) && File.Exists(currentFile) && _pairStamp is null)
        {
            StateFile.Copy(currentFile, path);
        }
        else
        {
            WriteFinal(path, final);
        }
    }

    /// <summary>Removes the .lst-new files (and a dry run's listing copies) unless --no-cleanup.</summary>
    public void Cleanup()
    {
        if (options.NoCleanup) return;
        foreach (var f in new[] { names.NewListing1, names.NewListing2 })
        {
            try { File.Delete(f); } catch (IOException) { }
        }
        if (options.DryRun)
        {
            foreach (var f in new[] { names.Listing1, names.Listing2 })
            {
                try { File.Delete(f); } catch (IOException) { }
            }
        }
    }
}
