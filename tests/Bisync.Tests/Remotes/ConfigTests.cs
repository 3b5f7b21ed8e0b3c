using Bisync.Remotes.Config;
using Bisync.Remotes.Paths;
using Bisync.Storage;
using Xunit;

namespace Bisync.Tests.Remotes;

public class ConfigTests
{
    private static Func<string, string?> Env(params (string K, string V)[] vars)
    {
        var d = vars.ToDictionary(v => v.K, v => v.V);
        return k => d.TryGetValue(k, out var v) ? v : null;
    }

    [Fact]
    public void Parses_sections_comments_and_both_separators()
    {
        var f = ConfigFile.Parse("""
            # a comment
            ; another
            [first]
            type = sftp
            host=example.org
            user : alice

            [second remote]
            type = s3
            endpoint = "http://127.0.0.1:9000"
            """);
        Assert.Equal(["first", "second remote"], f.SectionNames);
        Assert.Equal("example.org", f.Section("first")!["host"]);
        Assert.Equal("alice", f.Section("first")!["user"]);
        Assert.Equal("http://127.0.0.1:9000", f.Section("second remote")!["endpoint"]);
        Assert.Null(f.Section("First")); // section names are case-sensitive
    }

    [Fact]
    public void Encrypted_config_is_refused_clearly()
    {
        var ex = Assert.Throws<UserException>(() => ConfigFile.Parse("# Encrypted rclone configuration File\n\nRCLONE_ENCRYPT_V0:\nABCDEF\n"));
        Assert.Contains("encrypted", ex.Message);
        Assert.Contains("not supported", ex.Message);
    }

    [Fact]
    public void Missing_file_is_an_empty_config()
    {
        var f = ConfigFile.Load("/nonexistent/dir/rclone.conf");
        Assert.Empty(f.SectionNames);
    }

    [Fact]
    public void Option_precedence_matches_rclone()
    {
        var file = ConfigFile.Parse("[r]\ntype = sftp\nhost = from-file\nport = 1\nuser = file-user\n");
        var path = RemotePath.Parse("r,host=from-string:dir");

        var all = Env(("RCLONE_CONFIG_R_HOST", "from-remote-env"), ("RCLONE_SFTP_HOST", "from-type-env"));
        Assert.Equal("from-string", RemoteConfig.Resolve(path, file, all).Get("host"));

        var noString = RemotePath.Parse("r:dir");
        Assert.Equal("from-remote-env", RemoteConfig.Resolve(noString, file, all).Get("host"));
        Assert.Equal("from-type-env", RemoteConfig.Resolve(noString, file, Env(("RCLONE_SFTP_HOST", "from-type-env"))).Get("host"));
        Assert.Equal("from-file", RemoteConfig.Resolve(noString, file, Env()).Get("host"));
        Assert.Null(RemoteConfig.Resolve(noString, file, Env()).Get("key_file"));
        Assert.Equal("file-user", RemoteConfig.Resolve(noString, file, Env()).Get("USER"));

        // Backend flags (--sftp-host) rank below the connection string, above every variable and the file.
        var flags = new Dictionary<string, string> { [BackendFlags.Key("sftp", "host")] = "from-flag", [BackendFlags.Key("s3", "port")] = "no" };
        Assert.Equal("from-string", RemoteConfig.Resolve(path, file, all, flags).Get("host"));
        Assert.Equal("from-flag", RemoteConfig.Resolve(noString, file, all, flags).Get("host"));
        Assert.Equal("1", RemoteConfig.Resolve(noString, file, all, flags).Get("port")); // an s3 flag is not an sftp option
    }

    [Fact]
    public void Remote_can_be_defined_only_by_environment()
    {
        var env = Env(("RCLONE_CONFIG_MY_REMOTE_TYPE", "s3"), ("RCLONE_CONFIG_MY_REMOTE_REGION", "eu-west-1"));
        var cfg = RemoteConfig.Resolve(RemotePath.Parse("my-remote:bucket"), ConfigFile.Empty, env);
        Assert.Equal("s3", cfg.Type);
        Assert.Equal("eu-west-1", cfg.Get("region"));
    }

    [Fact]
    public void On_the_fly_backend_reads_type_environment()
    {
        var cfg = RemoteConfig.Resolve(RemotePath.Parse(":sftp,host=h:p"), ConfigFile.Empty, Env(("RCLONE_SFTP_PORT", "2222")));
        Assert.Equal("sftp", cfg.Type);
        Assert.Equal(2222, cfg.GetInt("port", 22));
        Assert.Equal("h", cfg.Get("host"));
    }

    [Fact]
    public void Unknown_remote_is_a_one_line_user_error()
    {
        var ex = Assert.Throws<UserException>(() => RemoteConfig.Resolve(RemotePath.Parse("nosuch:x"), ConfigFile.Empty, Env()));
        Assert.Equal("Failed to create file system for \"nosuch:x\": didn't find section in config file", ex.Message);
        Assert.Equal(1, ex.ExitCode);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void Missing_required_option_names_it()
    {
        var cfg = RemoteConfig.Resolve(RemotePath.Parse(":sftp:x"), ConfigFile.Empty, Env());
        var ex = Assert.Throws<UserException>(() => cfg.Require("host"));
        Assert.Contains("\"host\"", ex.Message);
    }

    [Fact]
    public void Typed_values()
    {
        var cfg = RemoteConfig.Resolve(RemotePath.Parse(":s3,a=true,b=off,c=5Mi,d=200M,e=1m30s,f=10,g=1G:x"), ConfigFile.Empty, Env());
        Assert.True(cfg.GetBool("a", false));
        Assert.False(cfg.GetBool("b", true));
        Assert.Equal(5L << 20, cfg.GetSize("c", 0));
        Assert.Equal(200L << 20, cfg.GetSize("d", 0));
        Assert.Equal(TimeSpan.FromSeconds(90), cfg.GetDuration("e", TimeSpan.Zero));
        Assert.Equal(10, cfg.GetInt("f", 0));
        Assert.Equal(10L << 10, cfg.GetSize("f", 0)); // a bare number counts KiB, as with rclone
        Assert.Equal(1L << 30, cfg.GetSize("g", 0));
        Assert.Throws<UserException>(() => cfg.GetInt("a", 0));
    }

    [Fact]
    public void Config_location_follows_rclone_rules()
    {
        var root = RemoteTestEnv.TempDir("loc");
        var home = Path.Combine(root, "home");
        var xdg = Path.Combine(root, "xdg");
        Directory.CreateDirectory(home);
        Func<string, string?> env = k => k switch { "HOME" => home, "XDG_CONFIG_HOME" => xdg, _ => null };
        Func<string, string?> noXdg = k => k == "HOME" ? home : null;

        Assert.Equal("/explicit.conf", ConfigLocator.Locate("/explicit.conf", env));
        Assert.Equal("/from-env.conf", ConfigLocator.Locate(null, k => k == "RCLONE_CONFIG" ? "/from-env.conf" : env(k)));
        // nothing exists: the XDG path (or ~/.config without XDG)
        Assert.Equal(Path.Combine(xdg, "rclone", "rclone.conf"), ConfigLocator.Locate(null, env));
        Assert.Equal(Path.Combine(home, ".config", "rclone", "rclone.conf"), ConfigLocator.Locate(null, noXdg));
        // the legacy dot file when it is the only one
        File.WriteAllText(Path.Combine(home, ".rclone.conf"), "");
        Assert.Equal(Path.Combine(home, ".rclone.conf"), ConfigLocator.Locate(null, env));
        // ~/.config beats the dot file, and the XDG one beats both
        Directory.CreateDirectory(Path.Combine(home, ".config", "rclone"));
        File.WriteAllText(Path.Combine(home, ".config", "rclone", "rclone.conf"), "");
        Assert.Equal(Path.Combine(home, ".config", "rclone", "rclone.conf"), ConfigLocator.Locate(null, env));
        Directory.CreateDirectory(Path.Combine(xdg, "rclone"));
        File.WriteAllText(Path.Combine(xdg, "rclone", "rclone.conf"), "");
        Assert.Equal(Path.Combine(xdg, "rclone", "rclone.conf"), ConfigLocator.Locate(null, env));
        Directory.Delete(root, true);
    }

    [Fact]
    public void Config_location_agrees_with_rclone_config_file()
    {
        var root = RemoteTestEnv.TempDir("loc2");
        var home = Path.Combine(root, "home");
        var xdg = Path.Combine(root, "xdg");
        Directory.CreateDirectory(Path.Combine(home, ".config", "rclone"));
        File.WriteAllText(Path.Combine(home, ".config", "rclone", "rclone.conf"), "");
        File.WriteAllText(Path.Combine(home, ".rclone.conf"), "");
        Func<string, string?> env = k => k switch { "HOME" => home, "XDG_CONFIG_HOME" => xdg, _ => null };

        var psi = new System.Diagnostics.ProcessStartInfo("rclone", "config file") { RedirectStandardOutput = true, UseShellExecute = false };
        psi.Environment.Remove("RCLONE_CONFIG");
        psi.Environment["HOME"] = home;
        psi.Environment["XDG_CONFIG_HOME"] = xdg;
        using var p = System.Diagnostics.Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(30_000));
        var rclonePath = output.Trim().Split('\n')[^1].Trim();
        Assert.Equal(rclonePath, ConfigLocator.Locate(null, env));
        Directory.Delete(root, true);
    }
}

public class ObscureTests
{
    [Theory]
    [InlineData("secret")]
    [InlineData("")]
    [InlineData("a much longer password that spans several AES blocks 0123456789")]
    [InlineData("unicode: héllo wörld ✓ 日本")]
    public void Reveals_what_rclone_obscure_produced(string plain)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("rclone") { RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add("obscure");
        psi.ArgumentList.Add("--");
        psi.ArgumentList.Add(plain);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var obscured = p.StandardOutput.ReadToEnd().Trim();
        Assert.True(p.WaitForExit(30_000));
        Assert.Equal(0, p.ExitCode);
        Assert.Equal(plain, Obscure.Reveal(obscured));
    }

    [Theory]
    [InlineData("secret")]
    [InlineData("pässwörd with spaces, commas: and = signs")]
    public void Rclone_reveals_what_we_obscured(string plain)
    {
        var ours = Obscure.Encode(plain);
        Assert.NotEqual(ours, Obscure.Encode(plain)); // a fresh IV each time
        var psi = new System.Diagnostics.ProcessStartInfo("rclone") { RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add("reveal");
        psi.ArgumentList.Add("--"); // one obscured value in 64 starts with '-'
        psi.ArgumentList.Add(ours);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var revealed = p.StandardOutput.ReadToEnd().TrimEnd('\n');
        Assert.True(p.WaitForExit(30_000));
        Assert.Equal(0, p.ExitCode);
        Assert.Equal(plain, revealed);
    }

    [Theory]
    [InlineData("not base64 !!")]
    [InlineData("c2hvcnQ")]
    public void Bad_input_fails_without_echoing_it(string bad)
    {
        var ex = Assert.Throws<FormatException>(() => Obscure.Reveal(bad));
        Assert.DoesNotContain(bad, ex.Message);
    }
}
