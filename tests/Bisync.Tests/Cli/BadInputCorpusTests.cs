using System.Text;
using Bisync.Tests.Support;

namespace Bisync.Tests.Cli;

/// <summary>
/// The bad-input corpus, run through the CLI binary: bad flag values, filter file errors, awkward
/// names, unreadable and immutable files, a full disk and a read-only mount as Path2 and as the
/// working directory. Each case asserts the documented exit code, errors of one line each (no stack
/// trace, no exception type names), and trees unchanged: Path1, Path2 and the files beside them.
/// Corrupt listings are tests/Bisync.UnitTests/Engine/ListingCorruptionTests.cs; listing entries
/// that leave the root are PathSafetyTests. Mounts and chattr need root, which the tests run as.
/// </summary>
public class BadInputCorpusTests
{
    private static TempTree Seeded()
    {
        var t = new TempTree();
        for (var i = 0; i < 4; i++) t.WriteBoth($"f{i}.txt", $"file {i}");
        File.WriteAllText(Path.Combine(t.Root, "outside.txt"), "outside");
        return t;
    }

    /// <summary>Every file under the tree's root but the working directory (and a copy of the CLI), with content and time.</summary>
    private static SortedDictionary<string, (string, long)> Trees(TempTree t)
    {
        var all = TempTree.SnapshotWithTimes(t.Root);
        foreach (var k in all.Keys.Where(k => k.StartsWith("workdir/", StringComparison.Ordinal) || k.StartsWith("cli/", StringComparison.Ordinal)).ToList())
            all.Remove(k);
        return all;
    }

    /// <summary>Each stderr line is one whole message: a log line, a "bisync:" line or the usage hint.</summary>
    private static string[] ErrorLines(ProcessResult r)
    {
        Assert.DoesNotContain("Exception", r.StdErr);
        Assert.DoesNotContain("   at ", r.StdErr);
        var lines = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        foreach (var l in lines)
            Assert.True(l.StartsWith("20", StringComparison.Ordinal) || l.StartsWith("bisync: ", StringComparison.Ordinal)
                        || l.StartsWith("Usage: ", StringComparison.Ordinal), $"not a whole message: {l}");
        return lines;
    }

    private static ProcessResult Bisync(TempTree t, params string[] args) =>
        Processes.Bisync([t.Path1, t.Path2, "--workdir", t.Workdir, .. args]);

    // ---- bad flag values: exit 1, the error names the flag, nothing touched, not even the working directory

    [Theory]
    [InlineData("--timeout", "xx")]
    [InlineData("--timeout", "2024-01-02")]
    [InlineData("--timeout", "1h1d")]
    [InlineData("--contimeout", "")]
    [InlineData("--contimeout", "-")]
    [InlineData("--contimeout", "1H")]
    [InlineData("--min-age", "")]
    [InlineData("--max-age", "OFF")]
    [InlineData("--max-age", "1.5.5")]
    [InlineData("--min-age", "2024-13-45")]
    [InlineData("--max-size", "10X")]
    [InlineData("--max-size", "10KB")]
    [InlineData("--min-size", "-5")]
    [InlineData("--min-size", "")]
    [InlineData("--max-size", "NaN")]
    [InlineData("--max-size", "99999999999E")]
    [InlineData("--transfers", "0")]
    [InlineData("--transfers", "abc")]
    [InlineData("--checkers", "99999")]
    [InlineData("--max-delete", "101")]
    [InlineData("--max-delete", "-1")]
    [InlineData("--max-delete", "50%%")]
    [InlineData("--retries", "0")]
    [InlineData("--low-level-retries", "x")]
    [InlineData("--check-sync", "maybe")]
    [InlineData("--log-level", "LOUD")]
    [InlineData("--dump", "rules")]
    [InlineData("--force", "perhaps")]
    [InlineData("--check-filename", "a/b")]
    public void A_bad_flag_value_exits_1_and_touches_nothing(string flag, string value)
    {
        using var t = Seeded();
        var before = Trees(t);
        var r = Bisync(t, flag + "=" + value);
        Assert.Equal(1, r.ExitCode);
        var lines = ErrorLines(r);
        Assert.Equal(2, lines.Length); // the error, then the usage hint
        Assert.Contains(flag, lines[0]);
        Assert.Equal(before, Trees(t));
        Assert.Empty(Directory.GetFileSystemEntries(t.Workdir));
    }

    [Theory]
    [InlineData("--timeout")]
    [InlineData("--contimeout")]
    public void Off_and_zero_time_outs_mean_no_limit(string flag)
    {
        using var t = Seeded();
        foreach (var v in new[] { "off", "0", "0s" })
        {
            var r = Bisync(t, "--resync", flag, v);
            Assert.True(r.ExitCode == 0, r.StdErr);
        }
    }

    // ---- filter errors: exit 2 (README), one line naming the rule or file

    [Theory]
    [InlineData("--filter", "bad", "malformed rule")]
    [InlineData("--filter", "+", "malformed rule")]
    [InlineData("--exclude", "{a,", "mismatched")]
    [InlineData("--include", "[z-a]", "bad glob")]
    [InlineData("--filter-from", "@missing", "can't read filter file")]
    [InlineData("--include-from", "@dir", "can't read filter file")]
    [InlineData("--filter-from", "@bad", "bad:2: malformed rule")]
    [InlineData("--filters-file", "@bad", "bad:2: malformed rule")]
    [InlineData("--files-from", "@missing", "can't read file list")]
    public void A_filter_error_exits_2_and_touches_nothing(string flag, string value, string expected)
    {
        using var t = Seeded();
        var files = Path.Combine(t.Root, "files");
        Directory.CreateDirectory(Path.Combine(files, "dir"));
        File.WriteAllText(Path.Combine(files, "bad"), "- ok\nbad line\n");
        if (value.StartsWith('@')) value = Path.Combine(files, value[1..]);
        var before = Trees(t);
        var r = Bisync(t, "--resync", flag, value);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(expected, Assert.Single(ErrorLines(r)));
        Assert.Equal(before, Trees(t));
    }

    [Theory]
    [InlineData("@dir")]
    [InlineData("@missing/log.txt")]
    public void A_log_file_that_cannot_be_opened_exits_1(string value)
    {
        using var t = Seeded();
        value = Path.Combine(t.Root, value[1..]);
        Directory.CreateDirectory(Path.Combine(t.Root, "dir"));
        var before = Trees(t);
        var r = Bisync(t, "--resync", "--log-file", value);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("cannot open log file", Assert.Single(ErrorLines(r)));
        Assert.Equal(before, Trees(t));
    }

    // ---- awkward names: valid input, synced exactly

    [Theory]
    [InlineData("line\nbreak.txt")]
    [InlineData("tab\tand\u0001control.txt")]
    public void Names_with_control_characters_sync(string name)
    {
        using var t = Seeded();
        Assert.Equal(0, Bisync(t, "--resync").ExitCode);
        TempTree.Write(t.Path1, name, "odd", DateTime.UtcNow);
        var r = Bisync(t);
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Equal("odd", File.ReadAllText(Path.Combine(t.Path2, name)));
        Assert.Equal(0, Bisync(t).ExitCode);
    }

    [Fact]
    public void A_name_that_is_not_utf8_syncs_byte_for_byte()
    {
        using var t = Seeded();
        Assert.Equal(0, Bisync(t, "--resync").ExitCode);
        // "bad\xff.txt" made with the shell: .NET strings cannot hold the raw byte.
        var mk = Processes.Run("sh", ["-c", "printf x > \"$1/$(printf 'bad\\377.txt')\"", "sh", t.Path1]);
        Assert.Equal(0, mk.ExitCode);
        var r = Bisync(t);
        Assert.True(r.ExitCode == 0, r.StdErr);
        var ls = Processes.Run("sh", ["-c", "ls \"$1\" | od -c | grep -c '377'", "sh", t.Path2]);
        Assert.Equal("1", ls.StdOut.Trim());
        Assert.Equal(0, Bisync(t).ExitCode);
    }

    [Fact]
    public void A_path_too_long_for_path2_is_one_error_line_and_nothing_else_changes()
    {
        using var t = Seeded();
        Assert.Equal(0, Bisync(t, "--resync").ExitCode);
        // About 4 KiB of path: fits below Path1, one byte too long for Linux's PATH_MAX below a longer Path2.
        var segment = new string('d', 200);
        var rel = new StringBuilder();
        while (t.Path1.Length + rel.Length + segment.Length + 1 < 4000) rel.Append(segment).Append('/');
        var name = new string('n', 4094 - t.Path1.Length - 1 - rel.Length);
        var relative = rel + name;
        Assert.Equal(4094, t.Path1.Length + 1 + relative.Length);
        Native.WriteDeep(t.Path1, relative, "deep");
        var longer = t.Path2 + "-with-a-longer-name";
        Directory.Move(t.Path2, longer);
        // Path2 moved: sync into the longer root from a fresh resync.
        var r = Processes.Bisync(t.Path1, longer, "--workdir", t.Workdir, "--resync");
        Assert.NotEqual(0, r.ExitCode);
        var lines = ErrorLines(r);
        Assert.Contains(lines, l => l.Contains("too long", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(4, Directory.GetFiles(longer).Length);
    }

    // ---- unreadable and immutable files and folders

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_unreadable_file_or_folder_is_reported_in_one_line(bool folder)
    {
        using var t = Seeded();
        var nobody = new[] { "--reuid=65534", "--regid=65534", "--clear-groups" };
        // The CLI runs from a copy inside the test's own tree: the checkout itself may sit below a
        // folder that nobody may enter (CI's clone under /root, say).
        var cli = Path.Combine(t.Root, "cli");
        Directory.CreateDirectory(cli);
        foreach (var f in Directory.EnumerateFiles(AppContext.BaseDirectory))
        {
            if (f.EndsWith(".dll", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal))
                File.Copy(f, Path.Combine(cli, Path.GetFileName(f)));
        }
        Assert.Equal(0, Processes.Run("chown", ["-R", "65534:65534", t.Root]).ExitCode);
        var dll = Path.Combine(cli, "bisync.dll");
        ProcessResult AsNobody(params string[] args) =>
            Processes.Run("setpriv", [.. nobody, "env", "HOME=" + t.Root, "dotnet", dll, t.Path1, t.Path2, "--workdir", t.Workdir, .. args]);
        var probe = AsNobody("--version");
        Assert.True(probe.ExitCode == 0, "the CLI must be runnable as nobody (uid 65534) for this test: " + probe.StdErr);
        Assert.Equal(0, AsNobody("--resync").ExitCode);

        var hidden = folder ? Path.Combine(t.Path1, "locked") : Path.Combine(t.Path1, "locked.txt");
        if (folder)
        {
            TempTree.Write(t.Path1, "locked/in.txt", "secret", DateTime.UtcNow);
            Assert.Equal(0, Processes.Run("chown", ["-R", "65534:65534", hidden]).ExitCode);
        }
        else
        {
            TempTree.Write(t.Path1, "locked.txt", "secret", DateTime.UtcNow);
            Assert.Equal(0, Processes.Run("chown", ["65534:65534", hidden]).ExitCode);
        }
        Assert.Equal(0, Processes.Run("chmod", ["000", hidden]).ExitCode);
        try
        {
            var before = Trees(t);
            var r = AsNobody();
            Assert.NotEqual(0, r.ExitCode);
            Assert.Contains(ErrorLines(r), l => l.Contains("locked", StringComparison.Ordinal) && l.Contains("denied", StringComparison.OrdinalIgnoreCase));
            Assert.Equal(before, Trees(t));
            Assert.False(File.Exists(Path.Combine(t.Path2, "locked.txt")) || Directory.Exists(Path.Combine(t.Path2, "locked")));
        }
        finally
        {
            Processes.Run("chmod", ["700", hidden]);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_immutable_destination_fails_that_transfer_in_one_line_and_locks_nothing_out(bool folder)
    {
        using var t = Seeded();
        if (folder) { Directory.CreateDirectory(Path.Combine(t.Path1, "sub")); Directory.CreateDirectory(Path.Combine(t.Path2, "sub")); }
        Assert.Equal(0, Bisync(t, "--resync").ExitCode);
        var target = folder ? Path.Combine(t.Path2, "sub") : Path.Combine(t.Path2, "f1.txt");
        TempTree.Write(t.Path1, folder ? "sub/new.txt" : "f1.txt", "newer", DateTime.UtcNow);
        Chattr("+i", target);
        try
        {
            var before = Trees(t);
            var r = Bisync(t);
            Assert.Equal(1, r.ExitCode);
            Assert.Contains(ErrorLines(r), l => l.Contains("Operation not permitted", StringComparison.Ordinal));
            Assert.Equal(before, Trees(t));
            Assert.Empty(Directory.GetFiles(t.Path2, ".*", SearchOption.AllDirectories)); // no temporary left
        }
        finally
        {
            Chattr("-i", target);
        }
        var again = Bisync(t);
        Assert.True(again.ExitCode == 0, again.StdErr);
        Assert.Equal("newer", File.ReadAllText(Path.Combine(t.Path2, folder ? "sub/new.txt" : "f1.txt")));
    }

    // ---- a full disk and a read-only mount, as Path2 and as the working directory

    [Fact]
    public void A_full_path2_fails_the_copy_in_one_line_leaves_no_temporary_and_locks_nothing_out()
    {
        using var t = Seeded();
        using var mount = new Tmpfs(t.Path2, "size=64k");
        for (var i = 0; i < 4; i++) TempTree.Write(t.Path2, $"f{i}.txt", $"file {i}");
        Assert.Equal(0, Bisync(t, "--resync").ExitCode);
        File.WriteAllBytes(Path.Combine(t.Path1, "big.bin"), new byte[200_000]);
        var before = Trees(t);
        var r = Bisync(t);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(ErrorLines(r), l => l.Contains("No space left on device", StringComparison.Ordinal));
        Assert.Equal(before, Trees(t));
        Assert.Empty(Directory.GetFiles(t.Path2, ".*"));
        File.Delete(Path.Combine(t.Path1, "big.bin"));
        var again = Bisync(t);
        Assert.True(again.ExitCode == 0, again.StdErr);
    }

    [Fact]
    public void A_full_working_directory_keeps_the_listings_and_the_next_run_converges()
    {
        using var t = Seeded();
        for (var i = 4; i < 200; i++) t.WriteBoth($"f{i}.txt", $"file {i}");
        // Room for a run's working files many times over (two listings, two .lst-new, a temporary
        // and the lock take about 16 pages here), so only the filler below makes it full.
        using var mount = new Tmpfs(t.Workdir, "size=512k");
        Assert.Equal(0, Bisync(t, "--resync").ExitCode);
        var listings = Directory.GetFiles(t.Workdir, "*.lst").ToDictionary(f => f, File.ReadAllBytes);
        Assert.Equal(2, listings.Count);
        // Leave room for the lock but not for the new listings.
        var filler = Path.Combine(t.Workdir, "filler");
        var free = new DriveInfo(t.Workdir).AvailableFreeSpace;
        File.WriteAllBytes(filler, new byte[free - 4096]);
        TempTree.Write(t.Path1, "new.txt", "new", DateTime.UtcNow);
        var r = Bisync(t);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(ErrorLines(r), l => l.Contains("No space left on device", StringComparison.Ordinal));
        foreach (var (f, bytes) in listings) Assert.Equal(bytes, File.ReadAllBytes(f)); // the prior listings, untouched
        Assert.Empty(Directory.GetFiles(t.Workdir, "*.tmp"));
        Assert.Empty(Directory.GetFiles(t.Workdir, "*.lst-err"));
        File.Delete(filler);
        var again = Bisync(t);
        Assert.True(again.ExitCode == 0, again.StdErr);
        Assert.Equal("new", File.ReadAllText(Path.Combine(t.Path2, "new.txt")));
        Assert.Equal(TempTree.Snapshot(t.Path1), TempTree.Snapshot(t.Path2));
    }

    [Fact]
    public void A_working_directory_with_no_room_for_the_lock_exits_2_in_one_line_and_leaves_nothing()
    {
        using var t = Seeded();
        using var mount = new Tmpfs(t.Workdir, "size=256k");
        Assert.Equal(0, Bisync(t, "--resync").ExitCode);
        var before = Directory.GetFiles(t.Workdir).Order().ToList();
        var filler = Path.Combine(t.Workdir, "filler");
        File.WriteAllBytes(filler, new byte[new DriveInfo(t.Workdir).AvailableFreeSpace]);
        TempTree.Write(t.Path1, "new.txt", "new", DateTime.UtcNow);
        var trees = Trees(t);
        var r = Bisync(t);
        Assert.Equal(2, r.ExitCode);
        var line = Assert.Single(ErrorLines(r));
        Assert.Contains("cannot create lock file", line);
        Assert.Contains("No space left on device", line);
        Assert.Equal(trees, Trees(t));
        Assert.Equal(before.Append(filler).Order().ToList(), Directory.GetFiles(t.Workdir).Order().ToList()); // no lock, no temporary
        File.Delete(filler);
        var again = Bisync(t);
        Assert.True(again.ExitCode == 0, again.StdErr);
        Assert.Equal("new", File.ReadAllText(Path.Combine(t.Path2, "new.txt")));
    }

    [Fact]
    public void A_read_only_path2_fails_the_copy_in_one_line_and_locks_nothing_out()
    {
        using var t = Seeded();
        using var mount = new Tmpfs(t.Path2, "size=1m");
        for (var i = 0; i < 4; i++) TempTree.Write(t.Path2, $"f{i}.txt", $"file {i}");
        Assert.Equal(0, Bisync(t, "--resync").ExitCode);
        TempTree.Write(t.Path1, "new.txt", "new", DateTime.UtcNow);
        mount.Remount("ro");
        var before = Trees(t);
        var r = Bisync(t);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(ErrorLines(r), l => l.Contains("Read-only file system", StringComparison.Ordinal));
        Assert.Equal(before, Trees(t));
        mount.Remount("rw");
        var again = Bisync(t);
        Assert.True(again.ExitCode == 0, again.StdErr);
    }

    [Fact]
    public void A_read_only_working_directory_exits_2_in_one_line()
    {
        using var t = Seeded();
        using var mount = new Tmpfs(t.Workdir, "size=1m,ro");
        var before = Trees(t);
        var r = Bisync(t, "--resync");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("Read-only file system", Assert.Single(ErrorLines(r)));
        Assert.Equal(before, Trees(t));
    }

    private static void Chattr(string change, string path)
    {
        var r = Processes.Run("chattr", [change, path]);
        Assert.True(r.ExitCode == 0, $"chattr {change} {path} failed (needs root and a file system with attributes): {r.StdErr}");
    }

    /// <summary>A tmpfs mounted over a directory for one test; unmounted on dispose. Needs root: fails loudly without.</summary>
    private sealed class Tmpfs : IDisposable
    {
        private readonly string _dir;

        public Tmpfs(string dir, string options)
        {
            _dir = dir;
            var r = Processes.Run("mount", ["-t", "tmpfs", "-o", options, "tmpfs", dir]);
            Assert.True(r.ExitCode == 0, $"mount -t tmpfs over {dir} failed (the tests run as root): {r.StdErr}");
        }

        public void Remount(string mode)
        {
            var r = Processes.Run("mount", ["-o", "remount," + mode, _dir]);
            Assert.True(r.ExitCode == 0, $"remount {mode} {_dir}: {r.StdErr}");
        }

        public void Dispose() => Processes.Run("umount", [_dir]);
    }

    /// <summary>Makes a file below a path longer than .NET's helpers like: the shell walks down with cd.</summary>
    private static class Native
    {
        public static void WriteDeep(string root, string relative, string content)
        {
            var r = Processes.Run("sh", ["-c", "cd \"$1\" && d=$(dirname \"$2\") && IFS=/ && for s in $d; do mkdir -p \"$s\" && cd \"$s\" || exit 1; done && printf %s \"$3\" > \"$(basename \"$2\")\"",
                "sh", root, relative, content]);
            Assert.True(r.ExitCode == 0, r.StdErr);
        }
    }
}
