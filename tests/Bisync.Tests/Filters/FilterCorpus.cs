using System.Text;

namespace Bisync.Tests.Filters;

/// <summary>
/// Trees of files on disk for the rclone oracle tests: odd names (spaces, Unicode, brackets,
/// braces, glob characters, dots), deep directories, --exclude-if-present markers, and varied
/// sizes and modification times. Built once per test class in a temporary directory.
/// </summary>
public sealed class FilterCorpus : IDisposable
{
    /// <summary>File sizes handed out to the files, around the limits the tests use.</summary>
    public static readonly long[] Sizes = [0, 1, 10, 100, 1000, 1023, 1024, 1025, 1536, 2048, 10_000, 102_400, 1_048_576, 1_048_577, 3_000];

    /// <summary>
    /// File ages (negative: in the future). Every age limit the tests use is at least 30 minutes
    /// away from each of these, so rclone's clock and ours may differ by a few seconds.
    /// </summary>
    public static readonly TimeSpan[] Ages =
    [
        TimeSpan.FromDays(-1), TimeSpan.FromMinutes(10), TimeSpan.FromHours(2), TimeSpan.FromHours(20),
        TimeSpan.FromHours(30), TimeSpan.FromDays(3), TimeSpan.FromDays(6), TimeSpan.FromDays(9),
        TimeSpan.FromDays(20), TimeSpan.FromDays(45), TimeSpan.FromDays(100), TimeSpan.FromDays(400),
        TimeSpan.FromDays(800),
    ];

    private static readonly string[][] TreeFiles =
    [
        // 0: odd names.
        [
            "a.txt", "b.jpg", "c d.txt", "  lead.txt", "trail .txt", "ü-ñ.txt", "日本語.md", "[x].txt", "{a,b}.txt",
            "x*y.txt", "q?.txt", "back\\slash.txt", "#hash", ";semi", "!bang", "+plus", "-minus", ".hidden",
            "dot.in.name.tar.gz", "UPPER.TXT", "MiXeD.Txt", "ab", "abc", "1234.log", "file,comma.txt",
            "paren(1).txt", "dollar$.txt", "caret^.txt", "plus+.txt", "pipe|.txt", "tilde~", "é.txt", "emoji 😀.txt",
            "a/a.txt", "a/b/b.jpg", "a/b/c/c.txt", "a/b/c/d/e/deep.txt", "a/b/c/d/e/f.jpg",
            "dir with space/x.txt", "dir with space/sub dir/y.md", "Ünïcode/ß.txt", "Ünïcode/ñ/ü.md",
            "[brackets]/in.txt", "{braces}/in.txt", "{braces}/a,b/c.txt", ".git/config", ".git/objects/ab/cdef",
            "node_modules/pkg/index.js", "node_modules/pkg/lib/x.js", "A/upper.txt", "A/b/B.JPG", "c/c.txt",
            "x/a/b", "x/a/e", "x/a/b.txt", "z/a/b/deep.jpg", "trailing space /f.txt", "a.b/c.d/e.f",
        ],
        // 1: deep directories, projects, --exclude-if-present markers.
        [
            "root.txt", "deep/1/2/3/4/5/6/f.txt", "deep/1/2/3/g.jpg", "deep/1/h.md", "deep/1/2/3/4/5/6/7/8/9/10/leaf.bin",
            "deep/x/5/y.txt", "proj/src/main.cs", "proj/src/util/helpers.cs", "proj/bin/Debug/app.dll", "proj/obj/x.tmp",
            "proj/docs/readme.md", "proj2/.ign", "proj2/src/a.cs", "proj2/sub/b.cs", "cache/CACHEDIR.TAG", "cache/blob1",
            "cache/sub/blob2", "photos/2020/img_0001.jpg", "photos/2020/IMG_0002.JPG", "photos/2021/img 3.jpeg",
            "photos/2021/raw/img_3.cr2", "music/a/b/song.mp3", "music/b/a/song.flac", "a/b/x", "b/a/x", "a/x/b/y",
            "tmp/file.tmp", "tmp/keep.txt", "tmp/sub/.ign", "tmp/sub/hidden.txt", "tmp/sub/deeper/z.txt",
            "sub/sub/sub/s.txt", "c/d/c/d.txt", "src/a.c", "keep/.ign", "x.tmp", "y.TMP",
        ],
        // 2: case, dots, logs, sources, glob characters in names.
        [
            "README", "a", "b", "readme.md", "ReadMe.MD", "Makefile", ".env", ".config/settings.json", ".config/app/.ign",
            ".config/app/state", "docs/a.md", "docs/B.MD", "docs/c.Md", "Docs/x.md", "logs/2024-01-01.log",
            "logs/2024-01-02.log", "logs/old/2023-12-31.log.gz", "logs/old/notes.txt", "src/a.c", "src/a.h",
            "src/b.cpp", "src/sub/c.cs", "src/sub/sub2/d.py", "build/out.o", "build/out.bin", "data/small.dat",
            "data/medium.dat", "data/large.dat", "data/huge.dat", "weird/a{b}c.txt", "weird/a[b]c.txt", "weird/a*b",
            "weird/a?b", "weird/a\\b", "weird/,", "weird/a,b", "weird/(x)", "weird/%20", "weird/'q'", "weird/\"dq\"",
            "Straße/Grüße.txt", "ΑΒΓ/δ.txt", "x/y/CACHEDIR.TAG", "x/y/z.txt", "x/w.txt",
        ],
    ];

    public string Root { get; }
    public IReadOnlyList<string> Trees { get; }

    /// <summary>Where tests write their rule and list files.</summary>
    public string RulesDir { get; }

    /// <summary>The reference time the file ages count from.</summary>
    public DateTime T0 { get; } = DateTime.UtcNow;

    public int FileCount => TreeFiles.Sum(t => t.Length);

    public FilterCorpus()
    {
        Root = Path.Combine(Path.GetTempPath(), "bisync-filter-oracle-" + Guid.NewGuid().ToString("N")[..12]);
        RulesDir = Path.Combine(Root, "rules");
        Directory.CreateDirectory(RulesDir);
        var trees = new List<string>();
        int n = 0;
        for (int t = 0; t < TreeFiles.Length; t++)
        {
            string tree = Path.Combine(Root, "tree" + t);
            Directory.CreateDirectory(tree);
            Directory.CreateDirectory(Path.Combine(tree, "empty dir", "empty sub"));
            foreach (var rel in TreeFiles[t])
            {
                string full = Path.Combine(tree, rel.Replace('/', Path.DirectorySeparatorChar));
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                long size = Sizes[(n * 7 + t) % Sizes.Length];
                using (var stream = File.Create(full))
                    if (size > 0) { stream.SetLength(size); stream.Position = 0; stream.WriteByte((byte)'x'); }
                File.SetLastWriteTimeUtc(full, T0 - Ages[(n * 5 + t * 3) % Ages.Length]);
                n++;
            }
            trees.Add(tree);
        }
        Trees = trees;
    }

    private int _fileCounter;

    /// <summary>Writes a rule or list file and returns its path.</summary>
    public string WriteFile(string content, string stem = "rules")
    {
        string path = Path.Combine(RulesDir, $"{stem}-{Interlocked.Increment(ref _fileCounter)}.txt");
        File.WriteAllText(path, content, new UTF8Encoding(false));
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
