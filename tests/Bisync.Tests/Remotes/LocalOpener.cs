using Bisync.Storage;

namespace Bisync.Tests.Remotes;

/// <summary>The local opener the remote tests hand to RemoteStorageOpener.</summary>
internal static class LocalOpener
{
    public static IStorageOpener? Create() => null;
}
