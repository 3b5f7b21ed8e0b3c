using System.Text.Json;
using Bisync.Engine;
using Bisync.Logging;

namespace Bisync.UnitTests.Engine;

/// <summary>The lock file: rclone's JSON, atomic creation, stale and expired locks, one winner in a race.</summary>
public sealed class LockFileTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "bisync-lock-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly List<string> _lines = [];
    private readonly Logger _log;

    public LockFileTests()
    {
        Directory.CreateDirectory(_dir);
        _log = Logger.Silent(LogLevel.Info);
        _log.Sink = l => { lock (_lines) _lines.Add(l); };
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string LockPath => Path.Combine(_dir, "a..b.lck");

    [Fact]
    public void Lock_holds_rclone_json_and_is_private()
    {
        using (var l = LockFile.TryAcquire(LockPath, "a..b", TimeSpan.FromMinutes(5), _log, out var problem))
        {
            Assert.NotNull(l);
            Assert.Null(problem);
            using var doc = JsonDocument.Parse(File.ReadAllText(LockPath));
            var root = doc.RootElement;
            Assert.Equal("a..b", root.GetProperty("Session").GetString());
            Assert.Equal(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), root.GetProperty("PID").GetString());
            var renewed = DateTimeOffset.Parse(root.GetProperty("TimeRenewed").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            var expires = DateTimeOffset.Parse(root.GetProperty("TimeExpires").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(TimeSpan.FromMinutes(5), expires - renewed);
            if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(LockPath));
            Assert.Single(Directory.GetFiles(_dir)); // no temporary left beside it
        }
        Assert.False(File.Exists(LockPath));
    }

    [Fact]
    public void Live_lock_is_not_taken()
    {
        File.WriteAllText(LockPath, "12345");
        var l = LockFile.TryAcquire(LockPath, "a..b", TimeSpan.Zero, _log, out var problem, isAlive: _ => true);
        Assert.Null(l);
        Assert.Contains("held by process 12345", problem);
        Assert.Equal("12345", File.ReadAllText(LockPath));
    }

    [Theory]
    [InlineData("4242", "no longer running")]
    [InlineData("{\"Session\":\"x\",\"PID\":\"4242\",\"TimeRenewed\":\"2001-01-01T00:00:00Z\",\"TimeExpires\":\"0001-01-01T00:00:00Z\"}", "no longer running")]
    [InlineData("{\"Session\":\"x\",\"PID\":4242,\"TimeRenewed\":\"2001-01-01T00:00:00Z\",\"TimeExpires\":\"0001-01-01T00:00:00Z\"}", "no longer running")]
    public void Lock_of_a_dead_process_is_taken_over_with_one_notice(string content, string why)
    {
        File.WriteAllText(LockPath, content);
        using var l = LockFile.TryAcquire(LockPath, "a..b", TimeSpan.Zero, _log, out _, isAlive: pid => pid != 4242);
        Assert.NotNull(l);
        Assert.Single(_lines, x => x.Contains("NOTICE") && x.Contains(why));
        Assert.Contains($"\"PID\":\"{Environment.ProcessId}\"", File.ReadAllText(LockPath));
    }

    [Fact]
    public void Expired_lock_of_a_live_process_is_taken_over()
    {
        File.WriteAllText(LockPath, "{\"Session\":\"x\",\"PID\":\"4242\",\"TimeRenewed\":\"2001-01-01T00:00:00Z\",\"TimeExpires\":\"2001-01-01T00:05:00.123456789+02:00\"}");
        using var l = LockFile.TryAcquire(LockPath, "a..b", TimeSpan.Zero, _log, out _, isAlive: _ => true);
        Assert.NotNull(l);
        Assert.Contains(_lines, x => x.Contains("expired"));
    }

    [Fact]
    public void Unreadable_lock_blocks_without_max_lock_and_is_expired_with_it()
    {
        File.WriteAllText(LockPath, "{garbage");
        Assert.Null(LockFile.TryAcquire(LockPath, "a..b", TimeSpan.Zero, _log, out var problem, isAlive: _ => true));
        Assert.Contains("unreadable", problem);
        using var l = LockFile.TryAcquire(LockPath, "a..b", TimeSpan.FromMinutes(2), _log, out _, isAlive: _ => true);
        Assert.NotNull(l);
    }

    [Fact]
    public void Renewal_moves_the_expiry_on()
    {
        var clock = new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var l = LockFile.TryAcquire(LockPath, "a..b", TimeSpan.FromMinutes(2), _log, out _, now: () => clock)!;
        Assert.Equal(clock + TimeSpan.FromMinutes(2), LockFile.Read(LockPath)!.Expires);
        l.Renew();
        Assert.True(LockFile.Read(LockPath)!.Expires > clock + TimeSpan.FromDays(365));
    }

    [Fact]
    public void Racing_for_a_stale_lock_has_exactly_one_winner()
    {
        for (var round = 0; round < 20; round++)
        {
            File.WriteAllText(LockPath, "4242");
            using var start = new Barrier(4);
            var won = new LockFile?[4];
            var threads = Enumerable.Range(0, 4).Select(i => new Thread(() =>
            {
                start.SignalAndWait();
                won[i] = LockFile.TryAcquire(LockPath, "a..b", TimeSpan.Zero, _log, out _, isAlive: pid => pid != 4242);
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            Assert.Single(won, w => w is not null);
            foreach (var w in won) w?.Dispose();
        }
    }
}
