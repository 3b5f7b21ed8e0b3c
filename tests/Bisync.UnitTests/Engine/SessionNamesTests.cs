using Bisync.Engine;

namespace Bisync.UnitTests.Engine;

public class SessionNamesTests
{
    [Theory]
    [InlineData("/tmp/x/path1/", "tmp_x_path1")]
    [InlineData("remote:dir/sub", "remote_dir_sub")]
    [InlineData("/a b/c\td/", "a_b_c_d")]
    [InlineData("\\\\srv\\share\\", "srv_share")]
    [InlineData("/q?/st*r/", "q__st_r")]
    [InlineData("/測試_Русский/", "測試_Русский")]
    public void Canonical_names_match_rclone(string root, string expected) =>
        Assert.Equal(expected, SessionNames.Canonical(root));

    [Fact]
    public void Working_files_are_named_after_the_session()
    {
        var n = new SessionNames("/wd", "/tmp/p1/", "/tmp/p2/", dryRun: false);
        Assert.Equal("tmp_p1..tmp_p2", n.Session);
        Assert.Equal("/wd/tmp_p1..tmp_p2.path1.lst", n.Listing1);
        Assert.Equal("/wd/tmp_p1..tmp_p2.path2.lst-new", n.NewListing2);
        Assert.Equal("/wd/tmp_p1..tmp_p2.path1.lst-err", n.ErrListing1);
        Assert.Equal("/wd/tmp_p1..tmp_p2.lck", n.LockFile);
        Assert.Equal("/wd/tmp_p1..tmp_p2.copy1to2.que", n.Queue("copy1to2"));
        var dry = new SessionNames("/wd", "/tmp/p1/", "/tmp/p2/", dryRun: true);
        Assert.Equal("/wd/tmp_p1..tmp_p2.path1.lst-dry", dry.Listing1);
        Assert.Equal("/wd/tmp_p1..tmp_p2.path1.lst-dry-new", dry.NewListing1);
        Assert.Equal("/wd/tmp_p1..tmp_p2.path1.lst", dry.RealListing1);
    }
}
