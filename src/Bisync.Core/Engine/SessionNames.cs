using System.Text;

namespace Bisync.Engine;

/// <summary>Names of the working files of one Path1/Path2 pair, as rclone bisync names them.</summary>
public sealed class SessionNames
{
    /// <param name="hashSubfolder">The hash caches go to the working directory's <c>hashes/</c> folder (the
    /// v1.75 profile: the working directory itself holds only the files rclone v1.75 writes).</param>
    public SessionNames(string workdir, string root1, string root2, bool dryRun, bool hashSubfolder = false)
    {
        Workdir = workdir;
        Session = Canonical(root1) + ".." + Canonical(root2);
        var basePath = Path.Combine(workdir, Session);
        BasePath = basePath;
        var dry = dryRun ? "-dry" : "";
        Listing1 = basePath + ".path1.lst" + dry;
        Listing2 = basePath + ".path2.lst" + dry;
        RealListing1 = basePath + ".path1.lst";
        RealListing2 = basePath + ".path2.lst";
        NewListing1 = Listing1 + "-new";
        NewListing2 = Listing2 + "-new";
        ErrListing1 = basePath + ".path1.lst-err";
        ErrListing2 = basePath + ".path2.lst-err";
        LockFile = basePath + ".lck";
        var hashBase = hashSubfolder ? Path.Combine(workdir, HashFolder, Session) : basePath;
        Hashes1 = hashBase + ".path1.hashes";
        Hashes2 = hashBase + ".path2.hashes";
    }

    /// <summary>The working directory's folder for hash caches under the v1.75 profile.</summary>
    public const string HashFolder = "hashes";

    /// <summary>The --checksum hash caches.</summary>
    public string Hashes1 { get; }
    public string Hashes2 { get; }

    public string Workdir { get; }
    public string Session { get; }
    public string BasePath { get; }

    /// <summary>The prior listings this run reads and updates (".lst", or ".lst-dry" in a dry run).</summary>
    public string Listing1 { get; }
    public string Listing2 { get; }

    /// <summary>The real prior listings, whatever the mode.</summary>
    public string RealListing1 { get; }
    public string RealListing2 { get; }
    public string NewListing1 { get; }
    public string NewListing2 { get; }
    public string ErrListing1 { get; }
    public string ErrListing2 { get; }
    public string LockFile { get; }

    public string Queue(string name) => BasePath + "." + name + ".que";

    /// <summary>
    /// A path as a file-name part: leading and trailing slashes and backslashes trimmed, then every
    /// white-space character, '\', '/', ':', '?' and '*' replaced by '_'.
    /// </summary>
    public static string Canonical(string root)
    {
        var trimmed = root.Trim('/', '\\');
        var sb = new StringBuilder(trimmed.Length);
        foreach (var c in trimmed)
        {
            sb.Append(char.IsWhiteSpace(c) || c is '\\' or '/' or ':' or '?' or '*' ? '_' : c);
        }
        return sb.ToString();
    }

    /// <summary>rclone's default working directory: $XDG_CACHE_HOME/rclone/bisync, else ~/.cache/rclone/bisync.</summary>
    public static string DefaultWorkdir()
    {
        var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (string.IsNullOrEmpty(cache))
        {
            var home = Environment.GetEnvironmentVariable("HOME");
            if (string.IsNullOrEmpty(home)) home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            cache = Path.Combine(home, ".cache");
        }
        return Path.Combine(cache, "rclone", "bisync");
    }
}
