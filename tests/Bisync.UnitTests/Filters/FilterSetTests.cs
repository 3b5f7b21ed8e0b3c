using Bisync.Filters;
using Bisync.Units;
using Xunit;

namespace Bisync.UnitTests.Filters;

/// <summary>FilterSet behaviour that the oracle runs can't show directly, and the size/age parsers.</summary>
public sealed class FilterSetTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "bisync-filterset-" + Guid.NewGuid().ToString("N")[..12]);

    public FilterSetTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly DateTime Now = new(2024, 6, 1, 12, 0, 0, DateTimeKind.Utc);

    private static long Nanos(DateTime utc) => (utc.Ticks - DateTime.UnixEpoch.Ticks) * 100;

    [Fact]
    public void EmptyOptionsIncludeEverything()
    {
        var f = FilterSet.Build(new FilterOptions(), null, Now);
        Assert.True(f.IsEmpty);
        Assert.True(f.IncludeFile("any/thing", 5, 0));
        Assert.True(f.IncludeDirectory("any"));
        Assert.Equal("--- start filters ---\n--- File filter rules ---\n--- Directory filter rules ---\n--- end filters ---", f.Dump());
    }

    [Fact]
    public void BisyncFiltersFileGoesAfterFilterFlagsAndBeforeFilterFrom()
    {
        string filtersFile = Path.Combine(_dir, "filters.txt");
        File.WriteAllText(filtersFile, "+ a.txt\n- b.txt\n");
        string filterFrom = Path.Combine(_dir, "from.txt");
        File.WriteAllText(filterFrom, "+ b.txt\n- c.txt\n");
        var options = new FilterOptions
        {
            Rules = [new("--filter-from", filterFrom), new("--filter", "- a.txt"), new("--include", "c.txt")],
        };
        var f = FilterSet.Build(options, filtersFile, Now);
        Assert.True(f.IncludeFile("c.txt", 0, 0));   // --include first
        Assert.False(f.IncludeFile("a.txt", 0, 0));  // --filter before the filters file
        Assert.False(f.IncludeFile("b.txt", 0, 0));  // the filters file before --filter-from
        Assert.False(f.IncludeFile("d.txt", 0, 0));  // --include ends with exclude-everything
    }

    [Fact]
    public void SizeAndAgeLimitsAreInclusive()
    {
        var f = FilterSet.Build(new FilterOptions
        {
            MinSize = 10, MaxSize = 20, MinAge = TimeSpan.FromHours(1), MaxAge = TimeSpan.FromDays(1),
        }, null, Now);
        long ok = Nanos(Now.AddHours(-2));
        Assert.True(f.IncludeFile("f", 10, ok));
        Assert.True(f.IncludeFile("f", 20, ok));
        Assert.False(f.IncludeFile("f", 9, ok));
        Assert.False(f.IncludeFile("f", 21, ok));
        Assert.True(f.IncludeFile("f", 15, Nanos(Now.AddHours(-1))));
        Assert.True(f.IncludeFile("f", 15, Nanos(Now.AddDays(-1))));
        Assert.False(f.IncludeFile("f", 15, Nanos(Now.AddMinutes(-59))));
        Assert.False(f.IncludeFile("f", 15, Nanos(Now.AddDays(-1).AddTicks(-1))));
        Assert.True(f.IncludeDirectory("dir"));
        Assert.Contains("Last-modified date must be equal or greater than: 2024-05-31 12:00:00 +0000 UTC", f.Dump(), StringComparison.Ordinal);
        Assert.Contains("Last-modified date must be equal or less than: 2024-06-01 11:00:00 +0000 UTC", f.Dump(), StringComparison.Ordinal);
    }

    [Fact]
    public void OffMeansNoLimit()
    {
        var f = FilterSet.Build(new FilterOptions
        {
            MinSize = SizeSuffix.Parse("off"), MaxAge = Duration.Parse("off", Now),
        }, null, Now);
        Assert.True(f.IsEmpty);
    }

    [Fact]
    public void ExcludeIfPresentIsPassedToTheLister()
    {
        var f = FilterSet.Build(new FilterOptions { ExcludeIfPresent = [".ign", "CACHEDIR.TAG"] }, null, Now);
        Assert.False(f.IsEmpty);
        Assert.Equal([".ign", "CACHEDIR.TAG"], f.ExcludeIfPresent);
    }

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("10", 10L * 1024)]
    [InlineData("10b", 10L)]
    [InlineData("10B", 10L)]
    [InlineData("1k", 1024L)]
    [InlineData("1K", 1024L)]
    [InlineData("1.5k", 1536L)]
    [InlineData("1Ki", 1024L)]
    [InlineData("1KiB", 1024L)]
    [InlineData("2M", 2L << 20)]
    [InlineData("2m", 2L << 20)]
    [InlineData("1MiB", 1L << 20)]
    [InlineData("1G", 1L << 30)]
    [InlineData("1T", 1L << 40)]
    [InlineData("1P", 1L << 50)]
    [InlineData(".5k", 512L)]
    [InlineData("1e3b", 1000L)]
    [InlineData("1_000b", 1000L)]
    [InlineData("+1b", 1L)]
    [InlineData("off", -1L)]
    public void ParsesSizes(string text, long bytes) => Assert.Equal(bytes, SizeSuffix.Parse(text));

    /// <summary>rclone 1.60.1 takes "off" for a size in any case (--max-size OFF runs), unlike for a duration.</summary>
    [Theory]
    [InlineData("OFF")]
    [InlineData("Off")]
    public void Off_is_any_case_for_sizes(string text) => Assert.Equal(SizeSuffix.Off, SizeSuffix.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("1KB")]
    [InlineData("1kb")]
    [InlineData("1x")]
    [InlineData("-1")]
    [InlineData(" 1k")]
    [InlineData("1k5")]
    [InlineData("1Bi")]
    [InlineData("Inf")]
    public void RejectsBadSizes(string text) => Assert.Throws<FormatException>(() => SizeSuffix.Parse(text));

    [Theory]
    [InlineData("10", 10.0)]
    [InlineData("1.5", 1.5)]
    [InlineData("10s", 10.0)]
    [InlineData("100ms", 0.1)]
    [InlineData("1m30s", 90.0)]
    [InlineData("1h30m", 5400.0)]
    [InlineData("1.5h", 5400.0)]
    [InlineData("-1h", -3600.0)]
    [InlineData("1d", 86400.0)]
    [InlineData("1.5d", 129600.0)]
    [InlineData("2w", 1209600.0)]
    [InlineData("1M", 2592000.0)]
    [InlineData("1y", 31536000.0)]
    [InlineData("1e3", 1000.0)]
    public void ParsesDurations(string text, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), Duration.Parse(text, Now));

    [Theory]
    [InlineData("2024-05-31", 36.0)]
    [InlineData("2024-05-31T12:00:00Z", 24.0)]
    [InlineData("2024-06-01T10:00:00+02:00", 4.0)]
    public void ParsesAbsoluteTimes(string text, double hours)
    {
        // Zone-less times are local; this machine's local time may not be UTC.
        var expected = text.Length == 10
            ? Now - new DateTime(2024, 5, 31, 0, 0, 0, DateTimeKind.Local).ToUniversalTime()
            : TimeSpan.FromHours(hours);
        Assert.Equal(expected, Duration.Parse(text, Now));
    }

    [Fact]
    public void ParsesLocalDateTimes()
    {
        var local = new DateTime(2024, 5, 30, 8, 30, 0, DateTimeKind.Local).ToUniversalTime();
        Assert.Equal(Now - local, Duration.Parse("2024-05-30 08:30:00", Now));
        Assert.Equal(Now - local, Duration.Parse("2024-05-30T08:30:00", Now));
        Assert.Equal(Duration.Off, Duration.Parse("off", Now));
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("1d2h")]
    [InlineData("1h1d")]
    [InlineData("1D")]
    [InlineData("1 h")]
    [InlineData(" 1h")]
    [InlineData("2024/05/31")]
    [InlineData("2024-05-31 10:00")]
    [InlineData("OFF")]
    public void RejectsBadDurations(string text) => Assert.Throws<FormatException>(() => Duration.Parse(text, Now));
}
