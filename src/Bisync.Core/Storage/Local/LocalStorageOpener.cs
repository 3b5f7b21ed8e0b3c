namespace Bisync.Storage.Local;

/// <summary>Opens local paths only; any "name:" prefix is refused with a clear message.</summary>
public sealed class LocalStorageOpener : IStorageOpener
{
    public Task<IStorage> OpenAsync(string path, CancellationToken ct) => Task.FromResult<IStorage>(Open(path));

    public static LocalStorage Open(string path)
    {
        if (string.IsNullOrEmpty(path)) throw new UserException("empty path");
        var storage = new LocalStorage(path);
        return storage;
    }
}
