using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Bisync.Engine;

namespace Bisync.Storage;

/// <summary>
/// Who wrote a temporary: <c>HOST-PID</c>, where HOST is 8 hex digits of a hash of this machine's name
/// and PID the writing process. Backends put it in their temporary names so that the next run can
/// remove what a killed process of this host left at once (its PID is no longer alive), instead of
/// waiting until the temporary is old enough to be surely abandoned.
/// </summary>
public static class TemporaryOwner
{
    public static readonly string HostTag =
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Environment.MachineName)).AsSpan(0, 4));

    /// <summary>The owner tag of process <paramref name="pid"/> of this host.</summary>
    public static string Tag(int pid) => HostTag + "-" + pid.ToString(CultureInfo.InvariantCulture);

    /// <summary>This process's owner tag.</summary>
    public static string Mine { get; } = Tag(Environment.ProcessId);

    /// <summary>
    /// Whether <paramref name="host"/> and <paramref name="pid"/> name a process of this host that is
    /// no longer running (never this process; another host's process is never known dead).
    /// </summary>
    public static bool WriterIsDead(ReadOnlySpan<char> host, ReadOnlySpan<char> pid) =>
        host.SequenceEqual(HostTag)
        && int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var p)
        && p != Environment.ProcessId
        && !LockFile.ProcessAlive(p);
}
