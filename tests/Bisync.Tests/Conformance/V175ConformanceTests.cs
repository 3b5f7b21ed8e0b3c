namespace Bisync.Tests.Conformance;

/// <summary>
/// rclone v1.75.0's bisync test cases (<c>../shared/conformance/rclone-v1.75.0</c>, or the folder
/// named by <c>$BISYNC_CONFORMANCE_V175</c>), run against the engine on the local disk under
/// <c>--compat 1.75</c> with the v1.75 comparison rules.
/// </summary>
public sealed class V175ConformanceTests
{
    /// <summary>
    /// THE table of cases that wait for an engine feature not built yet: case name → what it waits for.
    /// These are not run; every other case runs and must pass. A case leaves this table when its feature lands.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Waiting = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["test_backupdir"] = "--backup-dir1/--backup-dir2 (and the refusal of a backup dir inside a synced path)",
        ["test_changes"] = "v1.75 conflict names NAME.conflict1/NAME.conflict2 (branch policies)",
        ["test_compare_all"] = "v1.75 conflict names NAME.conflict1/NAME.conflict2 (branch policies)",
        ["test_createemptysrcdirs"] = "--create-empty-src-dirs",
        ["test_dry_run"] = "v1.75 conflict names NAME.conflict1/NAME.conflict2 (branch policies)",
        ["test_extended_filenames"] = "v1.75 conflict names NAME.conflict1/NAME.conflict2 (branch policies)",
        ["test_nomodtime"] = "v1.75 conflict names NAME.conflict1/NAME.conflict2 (branch policies)",
        ["test_normalization"] = "Unicode normalisation and case matching (--no-unicode-normalization, --ignore-case-sync, --fix-case)",
        ["test_resolve"] = "--conflict-resolve, --conflict-loser, --conflict-suffix (branch policies)",
        ["test_resync_modes"] = "--resync-mode (branch policies)",
    };

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        try
        {
            foreach (var name in ConformanceData.CaseNames(ConformanceSuite.V1_75_0.Locate()))
                if (!Waiting.ContainsKey(name)) data.Add(name);
        }
        catch (DirectoryNotFoundException)
        {
            data.Add(ConformanceTests.Missing);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Rclone_v1_75_0_case(string name)
    {
        if (name == ConformanceTests.Missing) ConformanceSuite.V1_75_0.Locate(); // throws with the reason
        var outcome = await ConformanceCase.RunAsync(
            name, tmp => ConformanceTarget.Local(tmp, LocalOpener.Create()), CancellationToken.None, suite: ConformanceSuite.V1_75_0);
        Assert.True(outcome.Passed, $"{name} does not match golden/ (v1.75 rules):\n{outcome.Report}");
    }

    [Fact]
    public void Every_waiting_case_exists()
    {
        var names = ConformanceData.CaseNames(ConformanceSuite.V1_75_0.Locate());
        Assert.All(Waiting.Keys, w => Assert.Contains(w, names));
    }
}
