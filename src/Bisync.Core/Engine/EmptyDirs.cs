using Bisync.Filters;
using Bisync.Logging;
using Bisync.Storage;

namespace Bisync.Engine;

/// <summary>Stage (--remove-empty-dirs): remove the directories left empty on both sides, deepest first.</summary>
public static class EmptyDirs
{
    public static async Task RemoveAsync(IStorage[] sides, IPathFilter filter, BisyncOptions options, Logger log, CancellationToken ct)
    {
        log.Info("Removing empty directories");
        foreach (var storage in sides)
        {
            if (!storage.Features.CanHaveEmptyDirectories) continue;
            var dirs = new List<string>();
            var files = await TreeLister.ListAsync(storage, IncludeAllFilter.Instance, options.Checkers, ct, dirs).ConfigureAwait(false);
            var nonEmpty = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < files.Count; i++) MarkParents(files.PathAt(i), nonEmpty);
            foreach (var d in dirs)
            {
                // A directory with a subdirectory that stays is not empty either.
                if (dirs.Any(x => x.StartsWith(d + "/", StringComparison.Ordinal) && nonEmpty.Contains(x))) nonEmpty.Add(d);
            }
            foreach (var d in dirs.Where(x => !nonEmpty.Contains(x)).OrderByDescending(x => x.Length))
            {
                if (!filter.IsEmpty && !filter.IncludeDirectory(d)) continue;
                if (options.DryRun)
                {
                    log.Notice($"{Messages.ShowPath(d)}: Skipped remove directory as --dry-run is set");
                    continue;
                }
                try
                {
                    await storage.RmdirAsync(d, ct).ConfigureAwait(false);
                    log.Info($"{Messages.ShowPath(d)}: Removing directory");
                }
                catch (IOException ex)
                {
                    log.Error($"{Messages.ShowPath(d)}: Failed to remove directory: {ex.Message}");
                }
            }
        }
    }

    private static void MarkParents(string path, HashSet<string> set)
    {
        var slash = path.LastIndexOf('/');
        while (slash > 0)
        {
            var parent = path[..slash];
            if (!set.Add(parent)) return;
            slash = parent.LastIndexOf('/');
        }
    }
}
