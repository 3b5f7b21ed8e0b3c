using System.Text.RegularExpressions;
using Bisync.Tests.Support;
using Xunit;

namespace Bisync.Tests.Rclone;

/// <summary>
/// Symbolic links, with rclone 1.60.1 as the oracle: the same tree resynced by rclone bisync and by
/// ours, by default (a NOTICE per link), with -L/--copy-links and with -l/--links, must leave the
/// same Path2 (names, contents, link targets) and, by default, the same notices.
/// </summary>
public class LinkOracleTests
{
    private static TempTree Tree()
    {
        var t = new TempTree();
        TempTree.Write(t.Path1, "f.txt", "hello");
        TempTree.Write(t.Path1, "d/s.txt", "sub");
        File.CreateSymbolicLink(Path.Combine(t.Path1, "lf"), "f.txt");
        File.CreateSymbolicLink(Path.Combine(t.Path1, "ld"), "d");
        File.CreateSymbolicLink(Path.Combine(t.Path1, "d", "up"), "../f.txt");
        return t;
    }

    /// <summary>Path2 as text: each entry with its kind and its content or link target.</summary>
    private static List<string> Describe(string root) =>
        Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(p =>
        {
            var rel = Path.GetRelativePath(root, p);
            var info = new FileInfo(p);
            if (info.LinkTarget is { } target) return $"{rel} -> {target}";
            if (Directory.Exists(p)) return rel + "/";
            return $"{rel}: {File.ReadAllText(p)}";
        }).ToList();

    private static List<string> Notices(string stderr) =>
        Regex.Matches(stderr, @"NOTICE: (.*symlink.*)$", RegexOptions.Multiline).Select(m => m.Groups[1].Value.TrimEnd()).Distinct().Order().ToList();

    [Theory]
    [InlineData("")]
    [InlineData("-L")]
    [InlineData("--copy-links")]
    [InlineData("-l")]
    [InlineData("--links")]
    public void Resync_leaves_the_same_path2_as_rclone(string flag)
    {
        string[] flags = flag.Length == 0 ? [] : [flag];
        using var ours = Tree();
        using var theirs = Tree();
        var r1 = Processes.Bisync(new[] { ours.Path1, ours.Path2, "--resync", "--workdir", ours.Workdir }.Concat(flags).ToArray());
        var r2 = Processes.Rclone(new[] { "bisync", theirs.Path1, theirs.Path2, "--resync", "--workdir", theirs.Workdir }.Concat(flags).ToArray());
        Assert.True(r1.ExitCode == 0, r1.StdErr);
        Assert.True(r2.ExitCode == 0, r2.StdErr);
        Assert.Equal(Describe(theirs.Path2), Describe(ours.Path2));
        Assert.Equal(Notices(r2.StdErr), Notices(r1.StdErr));
        if (flags.Length == 0) Assert.Equal(3, Notices(r1.StdErr).Count);
    }
}
