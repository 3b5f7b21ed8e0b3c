namespace Bisync.Tests.Conformance;

/// <summary>
/// The runner checked against the tool the golden output came from: the same cases run with the
/// installed rclone v1.60.1 (test.sh installs it) must match golden/ too.
/// </summary>
public sealed class RcloneConformanceTests
{
    private static readonly Lazy<string> RcloneVersion = new(() =>
    {
        try
        {
            return Support.Processes.Rclone("version").StdOut.Split('\n')[0].Trim();
        }
        catch (InvalidOperationException ex)
        {
            return ex.Message;
        }
    });

    [Theory]
    [MemberData(nameof(ConformanceTests.Cases), MemberType = typeof(ConformanceTests))]
    public async Task Rclone_itself_matches_golden(string name)
    {
        if (name == ConformanceTests.Missing) ConformanceData.Locate(); // throws with the reason
        Assert.StartsWith("rclone v1.60.1", RcloneVersion.Value);
        var outcome = await ConformanceCase.RunAsync(
            name, tmp => ConformanceTarget.Local(tmp, LocalOpener.Create()) is var t ? new ConformanceTarget
            {
                Path1Root = t.Path1Root, Path2Root = t.Path2Root, Path1Fs = t.Path1Fs, Path2Fs = t.Path2Fs,
                Opener = t.Opener, Tool = new RcloneTool(),
            } : null!, CancellationToken.None);
        Assert.True(outcome.Passed, $"{name} run with rclone does not match golden/:\n{outcome.Report}");
    }
}
