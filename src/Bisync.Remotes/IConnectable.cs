namespace Bisync.Remotes;

/// <summary>A backend that must reach its server before use; the opener calls this under --contimeout.</summary>
public interface IConnectable
{
    Task ConnectAsync(CancellationToken ct);
}

internal static class TimeConv
{
    public const long NsPerSecond = 1_000_000_000;

    public static long ToUnixNs(DateTime utc) =>
        (DateTime.SpecifyKind(utc, DateTimeKind.Utc) - DateTime.UnixEpoch).Ticks * 100;

    public static DateTime FromUnixNs(long ns) => DateTime.UnixEpoch.AddTicks(ns / 100);
}
