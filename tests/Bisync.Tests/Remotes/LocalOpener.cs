using Bisync.Storage;
using Bisync.Storage.Local;

namespace Bisync.Tests.Remotes;

/// <summary>The local opener the remote tests hand to RemoteStorageOpener.</summary>
internal static class LocalOpener
{
    public static IStorageOpener Create() => new LocalStorageOpener();
}
