using Bisync.Remotes.Rclone;
using Bisync.Remotes.Wrappers;

namespace Bisync.UnitTests.Remotes;

/// <summary>rclone's rc errors as ours: which are tried again, which are final.</summary>
public class RcloneErrorTests
{
    private static RcloneRcException E(string message, int status = 500) => new("operations/copyfile", status, message);

    [Fact]
    public void A_copy_rclone_found_corrupt_is_tried_again()
    {
        var e = E("corrupted on transfer: md5 hash differ \"d923e3911d733c175f05d6d96c8485b6\" vs \"d41d8cd98f00b204e9800998ecf8427e\"");
        Assert.True(RcloneErrors.IsTransient(e));
        var mapped = Assert.IsType<RcloneTransientException>(RcloneErrors.Map(e));
        Assert.Contains("corrupted on transfer", mapped.Message); // rclone's message kept
    }

    [Fact]
    public void Permission_and_other_errors_are_final()
    {
        Assert.IsType<UnauthorizedAccessException>(RcloneErrors.Map(E("permission denied")));
        Assert.IsType<PermanentIOException>(RcloneErrors.Map(E("file name too long")));
    }
}
