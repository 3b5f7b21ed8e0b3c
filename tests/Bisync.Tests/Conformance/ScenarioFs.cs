namespace Bisync.Tests.Conformance;

/// <summary>One entry of a <see cref="IScenarioFs"/> directory listing.</summary>
public sealed record ScenarioEntry(string Name, bool IsDir, long Size, long ModTimeNs);

/// <summary>
/// The file operations a scenario needs on one side (Path1, Path2) or on the local disk.
/// Paths are relative to the file system's root, '/'-separated, "" for the root, in the
/// <see cref="RawNames"/> string form. A remote backend (SFTP, S3, ...) can implement this
/// to run the same scenarios with a remote Path1 or Path2.
/// </summary>
public interface IScenarioFs
{
    /// <summary>Immediate children of <paramref name="dir"/>; empty when the directory does not exist.</summary>
    Task<IReadOnlyList<ScenarioEntry>> ListAsync(string dir, CancellationToken ct);

    /// <summary>The entry at <paramref name="path"/>, or null.</summary>
    Task<ScenarioEntry?> StatAsync(string path, CancellationToken ct);

    Task<byte[]> ReadAsync(string path, CancellationToken ct);

    /// <summary>Writes a whole file (creating parent directories) and sets its modification time.</summary>
    Task WriteAsync(string path, byte[] data, long modTimeNs, CancellationToken ct);

    Task SetModTimeAsync(string path, long modTimeNs, CancellationToken ct);

    Task DeleteFileAsync(string path, CancellationToken ct);

    /// <summary>Removes an empty directory.</summary>
    Task RemoveDirAsync(string path, CancellationToken ct);

    /// <summary>Creates a directory and its parents (no error when it exists).</summary>
    Task MakeDirAsync(string path, CancellationToken ct);

    /// <summary>Sets a directory's modification time (a backend without real directories does nothing).</summary>
    Task SetDirModTimeAsync(string path, long modTimeNs, CancellationToken ct);

    /// <summary>Renames a file or directory within the file system.</summary>
    Task RenameAsync(string from, string to, CancellationToken ct);
}

/// <summary><see cref="IScenarioFs"/> on the local disk, through <see cref="NativeFs"/> (byte-exact names).</summary>
public sealed class LocalScenarioFs(string root) : IScenarioFs
{
    /// <summary>The absolute root folder, without trailing '/' (empty for "/").</summary>
    public string Root { get; } = root.TrimEnd('/');

    public string Full(string path) => path.Length == 0 ? (Root.Length == 0 ? "/" : Root) : Root + "/" + path.TrimStart('/');

    public Task<IReadOnlyList<ScenarioEntry>> ListAsync(string dir, CancellationToken ct)
    {
        var full = Full(dir);
        var info = NativeFs.Stat(full);
        if (info is not { IsDir: true }) return Task.FromResult<IReadOnlyList<ScenarioEntry>>([]);
        var list = new List<ScenarioEntry>();
        foreach (var name in NativeFs.ListNames(full))
        {
            var st = NativeFs.Stat(full.TrimEnd('/') + "/" + name);
            if (st is null) continue;
            list.Add(new ScenarioEntry(name, st.Value.IsDir, st.Value.Size, st.Value.ModTimeNs));
        }
        list.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return Task.FromResult<IReadOnlyList<ScenarioEntry>>(list);
    }

    public Task<ScenarioEntry?> StatAsync(string path, CancellationToken ct)
    {
        var st = NativeFs.Stat(Full(path));
        if (st is null) return Task.FromResult<ScenarioEntry?>(null);
        var name = path.TrimEnd('/');
        name = name[(name.LastIndexOf('/') + 1)..];
        return Task.FromResult<ScenarioEntry?>(new ScenarioEntry(name, st.Value.IsDir, st.Value.Size, st.Value.ModTimeNs));
    }

    public Task<byte[]> ReadAsync(string path, CancellationToken ct) => Task.FromResult(NativeFs.ReadAll(Full(path)));

    public Task WriteAsync(string path, byte[] data, long modTimeNs, CancellationToken ct)
    {
        var full = Full(path);
        var slash = full.LastIndexOf('/');
        if (slash > 0) NativeFs.MkdirAll(full[..slash]);
        NativeFs.WriteAll(full, data);
        NativeFs.SetModTime(full, modTimeNs);
        return Task.CompletedTask;
    }

    public Task SetModTimeAsync(string path, long modTimeNs, CancellationToken ct)
    {
        NativeFs.SetModTime(Full(path), modTimeNs);
        return Task.CompletedTask;
    }

    public Task DeleteFileAsync(string path, CancellationToken ct)
    {
        NativeFs.Unlink(Full(path));
        return Task.CompletedTask;
    }

    public Task RemoveDirAsync(string path, CancellationToken ct)
    {
        NativeFs.Rmdir(Full(path));
        return Task.CompletedTask;
    }

    public Task MakeDirAsync(string path, CancellationToken ct)
    {
        NativeFs.MkdirAll(Full(path));
        return Task.CompletedTask;
    }

    public Task SetDirModTimeAsync(string path, long modTimeNs, CancellationToken ct) => SetModTimeAsync(path, modTimeNs, ct);

    public Task RenameAsync(string from, string to, CancellationToken ct)
    {
        NativeFs.Rename(Full(from), Full(to));
        return Task.CompletedTask;
    }
}
