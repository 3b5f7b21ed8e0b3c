using System.ComponentModel;
using System.Diagnostics;
using Bisync.Filters;
using Bisync.Units;

namespace Bisync.Tests.Filters;

/// <summary>What rclone printed for one `rclone lsf -R --dump filters` run: files, directories (ending in '/'), rules.</summary>
public sealed record RcloneListing(bool Ok, HashSet<string> Files, List<string> DumpRules, string Error);

/// <summary>Runs rclone (from PATH) and our filter the same way, for comparisons.</summary>
public static class RcloneOracle
{
    /// <summary>Lists <paramref name="dir"/> with rclone and the given filter flags.</summary>
    public static async Task<RcloneListing> ListAsync(string dir, IReadOnlyList<string> flags)
    {
        var psi = new ProcessStartInfo("rclone")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = System.Text.Encoding.UTF8,
        };
        // Without --files-only, lsf also prints the directories it listed (with a trailing '/'),
        // which shows rclone's directory pruning too.
        foreach (var a in new[] { "--config", "/dev/null", "lsf", "-R", "--dump", "filters" }) psi.ArgumentList.Add(a);
        foreach (var f in flags) psi.ArgumentList.Add(f);
        psi.ArgumentList.Add(dir);
        psi.Environment["RCLONE_CONFIG"] = "/dev/null";

        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException("rclone did not start");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException(
                "rclone is not on PATH: the filter oracle tests need rclone v1.60.1 (test.sh installs it). " + e.Message, e);
        }
        using (process)
        {
            var stdoutTask = process.StandardOutput.ReadToEndAsync();
            var stderrTask = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            string stdout = await stdoutTask, stderr = await stderrTask;

            var files = new HashSet<string>(StringComparer.Ordinal);
            var dump = new List<string>();
            bool inDump = false, inRules = false;
            foreach (var line in stdout.Split('\n'))
            {
                if (line == "--- start filters ---") { inDump = true; continue; }
                if (line == "--- end filters ---") { inDump = false; inRules = false; continue; }
                if (inDump)
                {
                    if (line == "--- File filter rules ---") inRules = true;
                    if (inRules) dump.Add(line);
                    continue;
                }
                if (line.Length > 0) files.Add(line);
            }
            string error = string.Join(" | ", stderr.Split('\n').Where(l => l.Contains("Failed", StringComparison.Ordinal)
                || l.StartsWith("Error", StringComparison.Ordinal)));
            return new RcloneListing(process.ExitCode == 0, files, dump, error);
        }
    }

    /// <summary>The rule lines of our dump, as <see cref="RcloneListing.DumpRules"/> holds rclone's.</summary>
    public static List<string> DumpRules(FilterSet filter)
    {
        var lines = filter.Dump().Split('\n');
        int start = Array.IndexOf(lines, "--- File filter rules ---");
        return lines[start..^1].ToList();
    }

    /// <summary>
    /// Builds our filter from the same command-line flags rclone gets; <paramref name="filtersFile"/>
    /// is bisync's --filters-file.
    /// </summary>
    public static FilterSet Build(IReadOnlyList<string> flags, string? filtersFile, DateTime now)
    {
        var rules = new List<FilterFlag>();
        var filesFrom = new List<string>();
        var filesFromRaw = new List<string>();
        var markers = new List<string>();
        long? minSize = null, maxSize = null;
        TimeSpan? minAge = null, maxAge = null;
        bool ignoreCase = false;
        for (int i = 0; i < flags.Count; i++)
        {
            string name = flags[i];
            switch (name)
            {
                case "--ignore-case": ignoreCase = true; continue;
                case "--include" or "--exclude" or "--filter" or "--include-from" or "--exclude-from" or "--filter-from":
                    rules.Add(new FilterFlag(name, flags[++i])); continue;
                case "--files-from": filesFrom.Add(flags[++i]); continue;
                case "--files-from-raw": filesFromRaw.Add(flags[++i]); continue;
                case "--exclude-if-present": markers.Add(flags[++i]); continue;
                case "--min-size": minSize = Unit(() => SizeSuffix.Parse(flags[++i])); continue;
                case "--max-size": maxSize = Unit(() => SizeSuffix.Parse(flags[++i])); continue;
                case "--min-age": minAge = Unit(() => Duration.Parse(flags[++i], now)); continue;
                case "--max-age": maxAge = Unit(() => Duration.Parse(flags[++i], now)); continue;
                default: throw new ArgumentException("flag not handled by the test: " + name);
            }
        }
        var options = new FilterOptions
        {
            Rules = rules,
            FilesFrom = filesFrom,
            FilesFromRaw = filesFromRaw,
            ExcludeIfPresent = markers,
            MinSize = minSize,
            MaxSize = maxSize,
            MinAge = minAge,
            MaxAge = maxAge,
            IgnoreCase = ignoreCase,
        };
        return FilterSet.Build(options, filtersFile, now);
    }

    /// <summary>
    /// The files the engine's lister would keep: walks from the root, skips a directory holding
    /// an --exclude-if-present marker (the root included, as rclone does), asks IncludeDirectory
    /// before descending and IncludeFile for each file. Also gives the directories it listed,
    /// with a trailing '/', as rclone lsf prints them.
    /// </summary>
    public static HashSet<string> Walk(string root, IPathFilter filter)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        Visit(new DirectoryInfo(root), "");
        return result;

        void Visit(DirectoryInfo dir, string rel)
        {
            foreach (var marker in filter.ExcludeIfPresent)
                if (File.Exists(Path.Combine(dir.FullName, marker))) return;
            if (rel.Length > 0) result.Add(rel + "/");
            foreach (var entry in dir.EnumerateFileSystemInfos())
            {
                string path = rel.Length == 0 ? entry.Name : rel + "/" + entry.Name;
                if (entry is DirectoryInfo sub)
                {
                    if (filter.IncludeDirectory(path)) Visit(sub, path);
                }
                else if (entry is FileInfo file)
                {
                    long modTime = (file.LastWriteTimeUtc.Ticks - DateTime.UnixEpoch.Ticks) * 100;
                    if (filter.IncludeFile(path, file.Length, modTime)) result.Add(path);
                }
            }
        }
    }

    /// <summary>A size or age the way the CLI takes it: a bad value is a filter error here (the CLI makes it a usage error).</summary>
    private static T Unit<T>(Func<T> parse)
    {
        try { return parse(); }
        catch (FormatException e) { throw new FilterException(e.Message); }
    }
}
