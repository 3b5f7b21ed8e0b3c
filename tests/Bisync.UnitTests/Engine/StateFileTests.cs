using Bisync.Engine;
using Bisync.Logging;
using Bisync.Storage.Local;
using Bisync.Tests.Support;
using Bisync.Units;

// Linux only, as the tool (Unix file modes).
#pragma warning disable CA1416

namespace Bisync.UnitTests.Engine;

/// <summary>State files are private and replaced whole; durations mean the same everywhere.</summary>
public class StateFileTests
{
    [Fact]
    public async Task Every_state_file_is_0600_and_a_created_working_directory_is_0700()
    {
        using var t = new TempTree();
        t.WriteBoth("a.txt", "a");
        var workdir = Path.Combine(t.Root, "new", "wd");
        var options = new BisyncOptions { Path1 = t.Path1, Path2 = t.Path2, Workdir = workdir, Resync = true, Checksum = true, NoCleanup = true };
        Assert.Equal(0, (await new BisyncEngine(new LocalStorageOpener(), Logger.Silent(LogLevel.Info)).RunAsync(options, CancellationToken.None)).ExitCode);
        TempTree.Write(t.Path1, "b.txt", "b", DateTime.UtcNow);
        Assert.Equal(0, (await new BisyncEngine(new LocalStorageOpener(), Logger.Silent(LogLevel.Info)).RunAsync(options with { Resync = false }, CancellationToken.None)).ExitCode);
        Assert.Equal(StateFile.PrivateDirectory, File.GetUnixFileMode(workdir));
        var files = Directory.GetFiles(workdir);
        Assert.Contains(files, f => f.EndsWith(".lst", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith(".lst-new", StringComparison.Ordinal));
        foreach (var f in files) Assert.True(File.GetUnixFileMode(f) == StateFile.PrivateFile, $"{f}: {File.GetUnixFileMode(f)}");
    }

    [Fact]
    public void An_existing_working_directory_keeps_its_mode()
    {
        using var t = new TempTree();
        var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;
        File.SetUnixFileMode(t.Workdir, mode);
        StateFile.CreateDirectory(t.Workdir);
        Assert.Equal(mode, File.GetUnixFileMode(t.Workdir));
    }

    [Fact]
    public void A_failed_write_keeps_the_old_file_and_leaves_no_temporary()
    {
        using var t = new TempTree();
        var path = Path.Combine(t.Workdir, "state");
        StateFile.WriteText(path, w => w.Write("old"));
        var e = Assert.Throws<StateWriteException>(() => StateFile.Write(path, s =>
        {
            s.Write("new, half"u8);
            throw new IOException("No space left on device");
        }));
        Assert.Contains("No space left on device", e.Message);
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(t.Workdir));
    }

    [Fact]
    public void A_stale_temporary_does_not_lend_its_mode()
    {
        using var t = new TempTree();
        var path = Path.Combine(t.Workdir, "state");
        File.WriteAllText(path + ".tmp", "left by a killed run");
        File.SetUnixFileMode(path + ".tmp", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
        StateFile.WriteText(path, w => w.Write("new"));
        Assert.Equal(StateFile.PrivateFile, File.GetUnixFileMode(path));
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Theory]
    [InlineData("off")]
    [InlineData("0")]
    [InlineData("0s")]
    [InlineData("-1s")]
    [InlineData("100y")]
    public void Off_zero_negative_and_huge_time_outs_mean_no_limit(string text)
    {
        var d = Duration.Parse(text);
        Assert.True(Duration.IsNoLimit(d));
        Assert.Equal(Timeout.InfiniteTimeSpan, Duration.AsTimeout(d));
    }

    [Theory]
    [InlineData("1h30m", 5400)]
    [InlineData("90", 90)]
    [InlineData("2d", 172800)]
    [InlineData("1.5s", 1.5)]
    public void Time_outs_take_rclones_duration_syntax(string text, double seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), Duration.Parse(text));
        Assert.False(Duration.IsNoLimit(Duration.Parse(text)));
    }

    [Fact]
    public void A_time_out_is_not_a_date()
    {
        Assert.Throws<FormatException>(() => Duration.Parse("2024-01-02"));
        Assert.Equal(DateTime.Now.Date.AddDays(1) - DateTime.Now.Date, TimeSpan.FromDays(1)); // sanity: dates stay for ages
        Assert.True(Duration.Parse("2024-01-02", DateTime.Now) > TimeSpan.Zero);
    }
}
