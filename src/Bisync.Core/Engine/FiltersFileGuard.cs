using System.Security.Cryptography;
using Bisync.Logging;

namespace Bisync.Engine;

/// <summary>
/// Stage (--filters-file): a changed filters file could make files vanish from one listing and be
/// deleted for real, so the file's MD5 is stored at --resync and checked on every other run.
/// </summary>
public static class FiltersFileGuard
{
    /// <summary>Returns null when all is well, else the critical error text. The file exists (the filter set was built from it).</summary>
    public static string? Check(string filtersFile, bool resync, bool dryRun, Logger log)
    {
        log.Info($"Using filters file {filtersFile}");
        var md5File = filtersFile + ".md5";
        var hash = Convert.ToHexStringLower(MD5.HashData(File.ReadAllBytes(filtersFile)));
        if (resync)
        {
            if (dryRun) return null;
            log.Info($"Storing filters file hash to {md5File}");
            StateFile.WriteText(md5File, w => w.Write(hash));
            return null;
        }
        if (!File.Exists(md5File)) return $"filters file md5 hash not found (must run --resync): {filtersFile}";
        var stored = File.ReadAllText(md5File).Trim();
        if (!string.Equals(stored, hash, StringComparison.OrdinalIgnoreCase))
            return $"filters file has changed (must run --resync): {filtersFile}";
        return null;
    }
}
