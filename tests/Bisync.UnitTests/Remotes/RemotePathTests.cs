using Bisync.Remotes.Paths;
using Bisync.Storage;
using Xunit;

namespace Bisync.UnitTests.Remotes;

public class RemotePathTests
{
    [Theory]
    // local paths: absolute, relative, and anything with '/' before the first ':'
    [InlineData("/abs/path", "Local", null, "/abs/path", "")]
    [InlineData("relative/dir", "Local", null, "relative/dir", "")]
    [InlineData("./with:colon", "Local", null, "./with:colon", "")]
    [InlineData("dir/sub:thing", "Local", null, "dir/sub:thing", "")]
    [InlineData("plain", "Local", null, "plain", "")]
    [InlineData("/a,b:c", "Local", null, "/a,b:c", "")]
    // named remotes
    [InlineData("remote:", "Named", "remote", "", "")]
    [InlineData("remote:path/to/dir", "Named", "remote", "path/to/dir", "")]
    [InlineData("remote:dir/", "Named", "remote", "dir", "")]
    [InlineData("remote:/abs", "Named", "remote", "/abs", "")]
    [InlineData("my remote.v2_x-y:p", "Named", "my remote.v2_x-y", "p", "")]
    [InlineData("remote,host=h,port=2:p", "Named", "remote", "p", "host=h;port=2")]
    // on the fly
    [InlineData(":sftp:path", "OnTheFly", "sftp", "path", "")]
    [InlineData(":s3,provider=Other,env_auth:bucket/dir", "OnTheFly", "s3", "bucket/dir", "provider=Other;env_auth=true")]
    [InlineData(":s3,endpoint=\"http://127.0.0.1:9000\":b", "OnTheFly", "s3", "b", "endpoint=http://127.0.0.1:9000")]
    [InlineData(":sftp,pass='it''s':x", "OnTheFly", "sftp", "x", "pass=it's")]
    [InlineData(":sftp,key-file=k:x", "OnTheFly", "sftp", "x", "key_file=k")]
    [InlineData(":s3:", "OnTheFly", "s3", "", "")]
    public void Parses(string input, string kind, string? name, string path, string parameters)
    {
        var p = RemotePath.Parse(input);
        Assert.Equal(kind, p.Kind.ToString());
        Assert.Equal(name, p.Name);
        Assert.Equal(path, p.Path);
        Assert.Equal(parameters, string.Join(';', p.Parameters.Select(kv => kv.Key + "=" + kv.Value)));
    }

    [Theory]
    [InlineData(":")]
    [InlineData(":sftp,host=h")]
    [InlineData(":sftp,host=\"unterminated:x")]
    [InlineData(":sftp,=v:x")]
    public void Malformed_connection_strings_are_user_errors(string input)
    {
        var ex = Assert.Throws<UserException>(() => RemotePath.Parse(input));
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void Display_hides_secret_values()
    {
        var p = RemotePath.Parse(":sftp,host=h,pass=OBSCUREDVALUE,user=u:dir");
        Assert.Equal(":sftp,host=h,pass=***,user=u:dir", p.Display);
        var s3 = RemotePath.Parse("r,secret_access_key=TOPSECRET,region=x:b");
        Assert.DoesNotContain("TOPSECRET", s3.Display);
        Assert.Equal("remote:dir", RemotePath.Parse("remote:dir").Display);
    }

    [Theory]
    // checked against the names rclone 1.60.1 prints ("Synching Path1 ... with Path2 ...")
    [InlineData("sftpt:bs/dir/", "sftpt:bs/dir/")]
    [InlineData("sftpt:", "sftpt:/")]
    [InlineData("s3t:bisync-test/bs", "s3t:bisync-test/bs/")]
    [InlineData(":s3,provider=Other:bk", ":s3{wB55d}:bk/")]
    [InlineData(":s3,region=x,provider=Other:bk", ":s3{p3gv1}:bk/")]
    [InlineData("s3t,region=x:bk", "s3t{s3uC7}:bk/")]
    [InlineData(":s3,region='a''b':bk", ":s3{dzHXB}:bk/")]
    [InlineData(":s3,region=\"a,b\":bk", ":s3{3QbmR}:bk/")]
    [InlineData(":s3,env_auth:bk", ":s3{YTu53}:bk/")]
    public void Root_string_is_named_as_rclone_names_it(string input, string expected) =>
        Assert.Equal(expected, RemotePath.Parse(input).RootString);

    [Fact]
    public void Malformed_string_error_does_not_echo_a_secret()
    {
        var ex = Assert.Throws<UserException>(() => RemotePath.Parse(":sftp,pass=\"SUPERSECRET"));
        Assert.DoesNotContain("SUPERSECRET", ex.Message);
    }
}
