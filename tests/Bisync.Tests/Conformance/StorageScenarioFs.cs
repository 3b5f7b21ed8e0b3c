using Bisync.Storage;
using Bisync.Text;

namespace Bisync.Tests.Conformance;

/// <summary>
/// <see cref="IScenarioFs"/> over any <see cref="IStorage"/> (SFTP, S3, ... or local), so a
/// scenario can prepare and change a remote Path1 or Path2. Scenario names (raw bytes, see
/// <see cref="RawNames"/>) are mapped to the storage's standard encoding and back.
/// </summary>
public sealed class StorageScenarioFs(IStorage storage) : IScenarioFs
{
    private static string ToStorage(string path) => PathEncoding.FromFileSystem(RawNames.Encode(path.Trim('/')));
    private static string FromStorage(string name) => RawNames.Decode(PathEncoding.ToFileSystem(name));

    public async Task<IReadOnlyList<ScenarioEntry>> ListAsync(string dir, CancellationToken ct)
    {
        var list = new List<ScenarioEntry>();
        try
        {
            await foreach (var e in storage.ListAsync(ToStorage(dir), ct))
                list.Add(new ScenarioEntry(FromStorage(e.Name), e.IsDir, e.Size, e.ModTime));
        }
        catch (DirectoryNotFoundException)
        {
            return [];
        }
        list.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return list;
    }

    public async Task<ScenarioEntry?> StatAsync(string path, CancellationToken ct)
    {
        if (path.Trim('/').Length == 0) return new ScenarioEntry("", true, 0, 0);
        var e = await storage.StatAsync(ToStorage(path), ct);
        return e is { } x ? new ScenarioEntry(FromStorage(x.Name), x.IsDir, x.Size, x.ModTime) : null;
    }

    public async Task<byte[]> ReadAsync(string path, CancellationToken ct)
    {
        await using var stream = await storage.OpenReadAsync(ToStorage(path), ct);
        using var ms = new MemoryStream();
        await stream.CopyToAsync(ms, ct);
        return ms.ToArray();
    }

    public async Task WriteAsync(string path, byte[] data, long modTimeNs, CancellationToken ct)
    {
        using var ms = new MemoryStream(data, writable: false);
        await storage.PutAsync(ToStorage(path), ms, data.Length, modTimeNs, ct);
    }

    public Task SetModTimeAsync(string path, long modTimeNs, CancellationToken ct) => storage.SetModTimeAsync(ToStorage(path), modTimeNs, ct);

    public Task DeleteFileAsync(string path, CancellationToken ct) => storage.DeleteAsync(ToStorage(path), ct);

    public Task RemoveDirAsync(string path, CancellationToken ct) => storage.RmdirAsync(ToStorage(path), ct);

    public async Task SetDirModTimeAsync(string path, long modTimeNs, CancellationToken ct)
    {
        try
        {
            await storage.SetModTimeAsync(ToStorage(path), modTimeNs, ct);
        }
        catch (FileNotFoundException)
        {
            // A backend whose directories are only key prefixes (S3) keeps no directory time.
        }
    }

    public Task RenameAsync(string from, string to, CancellationToken ct) =>
        (storage.Capability<IMover>() ?? throw new NotSupportedException($"{storage.Root}: this backend cannot rename"))
            .MoveAsync(ToStorage(from), ToStorage(to), ct);

    public async Task MakeDirAsync(string path, CancellationToken ct)
    {
        // Parents first: not every backend's Mkdir makes them.
        var parts = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 1; i <= parts.Length; i++)
            await storage.MkdirAsync(ToStorage(string.Join('/', parts[..i])), ct);
        if (parts.Length == 0) await storage.MkdirAsync("", ct);
    }
}
