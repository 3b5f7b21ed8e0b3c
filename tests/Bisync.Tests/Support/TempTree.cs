namespace Bisync.Tests.Support;

/// <summary>A scratch folder with Path1, Path2 and a working directory, deleted on dispose.</summary>
public sealed class TempTree : IDisposable
{
    public TempTree()
    {
        Root = Path.Combine(Path.GetTempPath(), "bisync-test-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Path1);
        Directory.CreateDirectory(Path2);
        Directory.CreateDirectory(Workdir);
    }

    public string Root { get; }
    public string Path1 => Path.Combine(Root, "path1");
    public string Path2 => Path.Combine(Root, "path2");
    public string Workdir => Path.Combine(Root, "workdir");

    public static readonly DateTime BaseTime = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Writes a file below <paramref name="root"/> with the given content and modification time.</summary>
    public static void Write(string root, string relative, string content, DateTime? modTimeUtc = null)
    {
        var full = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        File.SetLastWriteTimeUtc(full, modTimeUtc ?? BaseTime);
    }

    /// <summary>Writes the same file on both sides.</summary>
    public void WriteBoth(string relative, string content, DateTime? modTimeUtc = null)
    {
        Write(Path1, relative, content, modTimeUtc);
        Write(Path2, relative, content, modTimeUtc);
    }

    /// <summary>relative path → content, for every file below <paramref name="root"/>.</summary>
    public static SortedDictionary<string, string> Snapshot(string root)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var f in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
            result[Path.GetRelativePath(root, f).Replace('\\', '/')] = File.ReadAllText(f);
        return result;
    }

    /// <summary>relative path → (content, mtime ticks), for exact comparisons of two trees.</summary>
    public static SortedDictionary<string, (string, long)> SnapshotWithTimes(string root)
    {
        var result = new SortedDictionary<string, (string, long)>(StringComparer.Ordinal);
        foreach (var f in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
            result[Path.GetRelativePath(root, f).Replace('\\', '/')] = (File.ReadAllText(f), File.GetLastWriteTimeUtc(f).Ticks);
        return result;
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
