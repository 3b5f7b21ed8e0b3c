
namespace Bisync.Tests.Conformance;

/// <summary>rclone v1.60.1's own bisync test cases, run against the engine on the local disk.</summary>
public sealed class ConformanceTests
{
    internal const string Missing = "(conformance data missing)";

    /// <summary>One row per case folder; a single failing row when the data cannot be found.</summary>
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        try
        {
            foreach (var name in ConformanceData.CaseNames(ConformanceData.Locate())) data.Add(name);
        }
        catch (DirectoryNotFoundException)
        {
            data.Add(Missing);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Rclone_v1_60_1_case(string name)
    {
        if (name == Missing) ConformanceData.Locate(); // throws with the reason
        var outcome = await ConformanceCase.RunAsync(
            name, tmp => ConformanceTarget.Local(tmp, LocalOpener.Create()), CancellationToken.None);
        Assert.True(outcome.Passed, $"{name} does not match golden/:\n{outcome.Report}");
    }

    [Fact]
    public void All_17_cases_are_present()
    {
        var names = ConformanceData.CaseNames(ConformanceData.Locate());
        Assert.Equal(17, names.Count);
    }
}

/// <summary>The runner with a side reached through <see cref="IStorage"/>, as a remote Path2 will be.</summary>
public sealed class StorageSideConformanceTests
{
    [Theory]
    [InlineData("test_extended_filenames")]
    [InlineData("test_check_access")]
    public async Task Path2_prepared_through_IStorage(string name)
    {
        var outcome = await ConformanceCase.RunAsync(name, tmp =>
        {
            var local = ConformanceTarget.Local(tmp, LocalOpener.Create());
            return new ConformanceTarget
            {
                Path1Root = local.Path1Root,
                Path2Root = local.Path2Root,
                Path1Fs = local.Path1Fs,
                Path2Fs = new StorageScenarioFs(Bisync.Storage.Local.LocalStorageOpener.Open(local.Path2Root)),
                Opener = local.Opener,
            };
        }, CancellationToken.None);
        Assert.True(outcome.Passed, $"{name} does not match golden/:\n{outcome.Report}");
    }
}
