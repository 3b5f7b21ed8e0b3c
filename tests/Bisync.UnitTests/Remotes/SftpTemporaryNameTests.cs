using Bisync.Remotes.Sftp;
using Bisync.Storage;
using Xunit;

namespace Bisync.UnitTests.Remotes;

/// <summary>Which names the sftp backend takes for its own upload temporaries, and who wrote them.</summary>
public class SftpTemporaryNameTests
{
    [Theory]
    [InlineData(".a.txt.0123abcd.partial", "", "")]
    [InlineData(".a.txt.0a1b2c3d-4242-89abcdef.partial", "0a1b2c3d", "4242")]
    [InlineData(".x.0a1b2c3d-1-89abcdef.partial", "0a1b2c3d", "1")]
    public void Our_temporaries_are_recognised_with_their_writer(string name, string host, string pid)
    {
        Assert.True(SftpStorage.TryParseTemporary(name, out var h, out var p));
        Assert.Equal((host, pid), (h, p));
    }

    [Theory]
    [InlineData("a.txt.0123abcd.partial")]          // not hidden
    [InlineData(".a.txt.0123ABCD.partial")]         // upper-case hex is a user's name
    [InlineData(".a.txt.0123abcd.part")]
    [InlineData(".a.txt.0a1b2c3d--89abcdef.partial")] // no PID
    [InlineData(".a.txt.0a1b2c3x-42-89abcdef.partial")]
    [InlineData("..0a1b2c3d-42-89abcdef.partial")]  // no NAME
    [InlineData(".a.txt_0a1b2c3d-42-89abcdef.partial")]
    public void Other_names_are_user_files(string name) => Assert.False(SftpStorage.TryParseTemporary(name, out _, out _));

    [Fact]
    public void A_dead_writer_of_this_host_is_known_and_a_live_or_foreign_one_is_not()
    {
        using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("true") { UseShellExecute = false })!;
        p.WaitForExit();
        var dead = p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(TemporaryOwner.WriterIsDead(TemporaryOwner.HostTag, dead));
        Assert.False(TemporaryOwner.WriterIsDead(TemporaryOwner.HostTag, "1"));
        Assert.False(TemporaryOwner.WriterIsDead(TemporaryOwner.HostTag, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.False(TemporaryOwner.WriterIsDead(TemporaryOwner.HostTag == "00000000" ? "11111111" : "00000000", dead));
    }
}
