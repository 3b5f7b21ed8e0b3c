using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Bisync.Engine;
using Bisync.Text;

namespace Bisync.Tests.Conformance;

/// <summary>A scenario step that could not be carried out (bad command, or the step itself failed).</summary>
public sealed class ScenarioException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Runs one of rclone's bisync test cases (a folder with <c>initial/</c>, <c>modfiles/</c>,
/// <c>scenario.txt</c> and <c>golden/</c>) against the engine, as described in the conformance
/// data's README: lays out the initial tree, executes the scenario line by line, and writes the
/// test log to the working directory. <see cref="Compare"/> then checks the working directory
/// against <c>golden/</c>.
/// </summary>
public sealed partial class ScenarioRunner
{
    private static readonly long InitialTimeNs = UnixNs(new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc));

    private readonly ConformanceTarget _target;
    private readonly LocalScenarioFs _local = new("");
    private readonly List<string> _log = [];
    private int _step;

    /// <param name="caseDir">The case folder (read only, never written).</param>
    /// <param name="tempDir">A fresh local folder for the working directory and a copy of the case data.</param>
    /// <param name="target">Path1/Path2 and the engine's storage opener.</param>
    /// <param name="suite">Which rules apply (default rclone v1.60.1's).</param>
    public ScenarioRunner(string caseDir, string tempDir, ConformanceTarget target, ConformanceSuite? suite = null)
    {
        _target = target;
        Suite = suite ?? ConformanceSuite.V1_60_1;
        CaseDir = Path.GetFullPath(caseDir).TrimEnd('/');
        CaseName = Path.GetFileName(CaseDir);
        var tmp = Path.GetFullPath(tempDir).TrimEnd('/');
        // The case data is copied: the scenario touches files in modfiles/ and the shared data stays read only.
        TestDir = tmp + "/" + CaseName + "/";
        DataDir = TestDir + "modfiles/";
        WorkDir = tmp + "/workdir/";
        SessionName = SessionCanon(target.Path1Root) + ".." + SessionCanon(target.Path2Root);
    }

    public ConformanceSuite Suite { get; }
    public string CaseDir { get; }
    public string CaseName { get; }
    public string TestDir { get; }
    public string DataDir { get; }
    public string WorkDir { get; }
    public string SessionName { get; }
    public string GoldenDir => CaseDir + "/golden";

    /// <summary>How long one bisync step may take before the case fails.</summary>
    public TimeSpan StepTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>The test log so far, one entry per line.</summary>
    public IReadOnlyList<string> Log => _log;

    /// <summary>The test log's file name in the working directory.</summary>
    public const string LogFileName = "test.log";

    /// <summary>A session path in canonical form, as in the session file names.</summary>
    public static string SessionCanon(string path)
    {
        var trimmed = path.Trim('/', '\\');
        var sb = new StringBuilder(trimmed.Length);
        foreach (var c in trimmed)
            sb.Append(char.IsWhiteSpace(c) || c is '\\' or '/' or ':' or '?' or '*' ? '_' : c);
        return sb.ToString();
    }

    /// <summary>Real text → substitution term, for putting the terms back into the tool's log lines.</summary>
    public IReadOnlyList<(string Real, string Term)> LogSubstitutions =>
    [
        (TestDir, "{testdir/}"),
        (DataDir, "{datadir/}"),
        (WorkDir, "{workdir/}"),
        (_target.Path1Root, "{path1/}"),
        (_target.Path2Root, "{path2/}"),
        (SessionName, "{session}"),
    ];

    /// <summary>The golden name of a working-directory file: <c>.sav</c> dropped, temp parent as <c>_testdir_</c>.</summary>
    public string ToGoldenName(string name)
    {
        if (name.EndsWith(".sav", StringComparison.Ordinal)) name = name[..^4];
        return ToGoldenCanon(name);
    }

    private string ToGoldenCanon(string name)
    {
        foreach (var (root, side) in new[] { (_target.Path1Root, "path1"), (_target.Path2Root, "path2") })
        {
            var canon = SessionCanon(root);
            if (canon.EndsWith(side, StringComparison.Ordinal) && canon.Length > side.Length)
                name = name.Replace(canon, "_testdir_" + side, StringComparison.Ordinal);
        }
        return name;
    }

    /// <summary>Compares the working directory with <c>golden/</c>; returns the problems found (empty when equal).</summary>
    public IReadOnlyList<string> Compare() =>
        new GoldenComparer(LogSubstitutions, ToGoldenName, ignoreQueueFiles: _target.Tool is { KeepsQueueFiles: false },
                expectedText: _target.ExpectedText, actualText: _target.ActualText)
            {
                V175Rules = Suite.V175Rules,
                PrecisionNs = name => name.Contains(".path2.", StringComparison.Ordinal) ? _target.Path2PrecisionNs : _target.Path1PrecisionNs,
            }
            .Compare(WorkDir, GoldenDir);

    /// <summary>Sets up the case, runs every scenario step, and writes the test log (also when a step throws).</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            await SetUpAsync(ct);
            var lines = await File.ReadAllLinesAsync(CaseDir + "/scenario.txt", Encoding.UTF8, ct);
            foreach (var raw in lines)
            {
                var line = raw;
                var hash = line.IndexOf('#');
                if (hash >= 0) line = line[..hash];
                line = line.Trim();
                if (line.Length == 0) continue;
                _step++;
                _log.Add($"({_step:00})  : {SubstituteForLog(line)}");
                try
                {
                    await RunStepAsync(line, ct);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    throw new ScenarioException($"step ({_step:00}) \"{line}\" of {CaseName} failed: {ex.GetType().Name}: {ex.Message}", ex);
                }
            }
        }
        finally
        {
            WriteLog();
        }
    }

    private void WriteLog()
    {
        if (!NativeFs.Exists(WorkDir)) return;
        var text = string.Concat(_log.Select(l => l + "\n"));
        NativeFs.WriteAll(WorkDir + LogFileName, RawNames.EncodeLenient(text));
    }

    private async Task SetUpAsync(CancellationToken ct)
    {
        NativeFs.MkdirAll(WorkDir);
        // Local copy of the case data (without golden/), keeping modification times.
        var source = new LocalScenarioFs(CaseDir);
        var copy = new LocalScenarioFs(TestDir);
        foreach (var entry in await source.ListAsync("", ct))
        {
            if (entry.Name == "golden") continue;
            if (entry.IsDir) await CopyTreeAsync(source, entry.Name, copy, entry.Name, ct);
            else await CopyFileAsync(source, entry.Name, copy, entry.Name, ct);
        }
        // Every initial file dated 2000-01-01T00:00:00Z, then laid on both sides.
        foreach (var file in await WalkAsync(copy, "initial", ct))
            if (!file.IsDir) await copy.SetModTimeAsync("initial/" + file.Path, InitialTimeNs, ct);
        await _target.Path1Fs.MakeDirAsync("", ct);
        await _target.Path2Fs.MakeDirAsync("", ct);
        await CopyTreeAsync(copy, "initial", _target.Path1Fs, "", ct);
        await CopyTreeAsync(copy, "initial", _target.Path2Fs, "", ct);
    }

    // ---- substitutions ------------------------------------------------------------------

    private string SubstitutePaths(string s) => s
        .Replace("{testdir/}", TestDir, StringComparison.Ordinal)
        .Replace("{datadir/}", DataDir, StringComparison.Ordinal)
        .Replace("{workdir/}", WorkDir, StringComparison.Ordinal)
        .Replace("{path1/}", _target.Path1Root, StringComparison.Ordinal)
        .Replace("{path2/}", _target.Path2Root, StringComparison.Ordinal)
        .Replace("{session}", SessionName, StringComparison.Ordinal)
        .Replace("{/}", "/", StringComparison.Ordinal);

    /// <summary>The step as logged: path terms and <c>{/}</c> expanded; <c>{spc}</c>, <c>{chr:HH}</c>... kept as written.</summary>
    private string SubstituteForLog(string line) => SubstitutePaths(line);

    [GeneratedRegex(@"\{chr:([0-9A-Fa-f]{2})\}")]
    private static partial Regex ChrTerm();

    /// <summary>One argument fully expanded (after splitting the line on whitespace).</summary>
    public string ExpandArgument(string arg)
    {
        var s = SubstitutePaths(arg)
            .Replace("{spc}", " ", StringComparison.Ordinal)
            .Replace("{tab}", "\t", StringComparison.Ordinal)
            .Replace("{eol}", "\n", StringComparison.Ordinal);
        s = ChrTerm().Replace(s, m => RawNames.FromByte(byte.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
        return RawNames.Normalize(s);
    }

    // ---- steps --------------------------------------------------------------------------

    private async Task RunStepAsync(string line, CancellationToken ct)
    {
        var words = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        var cmd = words[0];
        var args = words.Skip(1).Select(ExpandArgument).ToArray();

        void Need(int n)
        {
            if (args.Length != n) throw new ScenarioException($"{cmd} takes {n} argument(s), got {args.Length}");
        }

        switch (cmd)
        {
            case "test":
                break;
            case "bisync":
                await RunBisyncAsync(args, ct);
                break;
            case "copy-listings":
                Need(1);
                SaveListings(args[0], keep: true);
                break;
            case "move-listings":
                Need(1);
                SaveListings(args[0], keep: false);
                break;
            case "purge-children":
            {
                Need(1);
                var (fs, dir) = Resolve(args[0]);
                foreach (var e in await fs.ListAsync(dir, ct)) await RemoveTreeAsync(fs, Join(dir, e.Name), e.IsDir, ct);
                break;
            }
            case "delete-file":
            {
                Need(1);
                var (fs, path) = Resolve(args[0]);
                await fs.DeleteFileAsync(path, ct);
                break;
            }
            case "delete-glob":
            {
                Need(2);
                var (fs, dir) = Resolve(args[0]);
                var glob = GlobRegex(args[1]);
                var byPath = args[1].Contains('/');
                foreach (var e in await WalkAsync(fs, dir, ct))
                    if (!e.IsDir && glob.IsMatch(byPath ? e.Path : e.Name))
                        await fs.DeleteFileAsync(Join(dir, e.Path), ct);
                break;
            }
            case "touch-glob":
            {
                Need(3);
                var time = ParseDate(args[0]);
                var (fs, dir) = Resolve(args[1]);
                var glob = GlobRegex(args[2]);
                foreach (var e in await fs.ListAsync(dir, ct))
                    if (!e.IsDir && glob.IsMatch(e.Name))
                        await fs.SetModTimeAsync(Join(dir, e.Name), time, ct);
                break;
            }
            case "touch-copy":
            {
                Need(3);
                var time = ParseDate(args[0]);
                var (fs, path) = Resolve(args[1]);
                await fs.SetModTimeAsync(path, time, ct);
                var (dfs, ddir) = Resolve(args[2]);
                await CopyFileAsync(fs, path, dfs, Join(ddir, BaseName(path)), ct);
                break;
            }
            case "copy-file":
            {
                Need(2);
                var (fs, path) = Resolve(args[0]);
                var (dfs, ddir) = Resolve(args[1]);
                await CopyFileAsync(fs, path, dfs, Join(ddir, BaseName(path)), ct);
                break;
            }
            case "copy-as":
            {
                Need(3);
                var (fs, path) = Resolve(args[0]);
                var (dfs, ddir) = Resolve(args[1]);
                await CopyFileAsync(fs, path, dfs, Join(ddir, args[2]), ct);
                break;
            }
            case "copy-dir":
            {
                Need(2);
                var (fs, src) = Resolve(args[0]);
                var (dfs, dst) = Resolve(args[1]);
                await CopyTreeAsync(fs, src, dfs, dst, ct);
                break;
            }
            case "sync-dir":
            {
                Need(2);
                var (fs, src) = Resolve(args[0]);
                var (dfs, dst) = Resolve(args[1]);
                await SyncTreeAsync(fs, src, dfs, dst, ct);
                break;
            }
            case "list-dirs":
            case "list-files":
            {
                Need(1);
                var (fs, dir) = Resolve(args[0]);
                var wantDirs = cmd == "list-dirs";
                var found = (await WalkAsync(fs, dir, ct)).Where(e => e.IsDir == wantDirs).ToList();
                found.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
                foreach (var e in found)
                {
                    var shown = e.Path + (e.IsDir ? "/" : "");
                    // v1.75's cases add an MD5 of the entry's own name, which tells Unicode normalisations apart.
                    _log.Add(Suite.V175Rules ? $"{shown} - filename hash: {NameHash(e.Name)}" : shown);
                }
                break;
            }
            case "copy-as-NFC":
            case "copy-as-NFD":
            {
                Need(3);
                // Our own normalisation: string.Normalize does nothing under InvariantGlobalization.
                Func<string, string> form = cmd.EndsWith("NFC", StringComparison.Ordinal) ? UnicodeNormalization.ToNfc : UnicodeNormalization.ToNfd;
                var (fs, path) = Resolve(args[0]);
                var (dfs, ddir) = Resolve(form(args[1]));
                await CopyFileAsync(fs, path, dfs, Join(form(ddir), form(args[2])), ct);
                break;
            }
            case "fix-names":
            {
                Need(1);
                var (fs, path) = Resolve(args[0]);
                await FixNameAsync(fs, path.TrimEnd('/'), args[0].EndsWith('/'), ct);
                break;
            }
            case "test-func":
                Need(0);
                _hook = Hook.TestFunc;
                break;
            case "concurrent-func":
                Need(0);
                _hook = Hook.ConcurrentFunc;
                break;
            default:
                throw new ScenarioException($"unknown scenario command \"{cmd}\"");
        }
    }

    private async Task RunBisyncAsync(string[] args, CancellationToken ct)
    {
        var path1 = _target.Path1Root;
        var path2 = _target.Path2Root;
        var options = new BisyncOptions { Path1 = path1, Path2 = path2, Workdir = WorkDir, NoCleanup = true };
        foreach (var arg in args)
        {
            var eq = arg.IndexOf('=');
            var key = (eq < 0 ? arg : arg[..eq]).TrimStart('-'); // v1.75 cases also write --conflict-resolve=...
            var val = eq < 0 ? null : arg[(eq + 1)..];
            string Value() => val ?? throw new ScenarioException($"bisync option {key} needs a value");
            options = key switch
            {
                "resync" => options with { Resync = true },
                "dry-run" => options with { DryRun = true },
                "force" => options with { Force = true },
                "remove-empty-dirs" => options with { RemoveEmptyDirs = true },
                "create-empty-src-dirs" => options with { CreateEmptySrcDirs = true },
                "check-access" => options with { CheckAccess = true },
                "check-filename" => options with { CheckFilename = Value() },
                "check-sync-only" => options with { CheckSync = CheckSyncMode.Only },
                "no-check-sync" => options with { CheckSync = CheckSyncMode.False },
                "filters-file" => options with { FiltersFile = Value() },
                "max-delete" => options with { MaxDelete = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "size-only" => options with { SizeOnly = true },
                "subdir" => options with { Path1 = path1 + Value(), Path2 = path2 + Value() },
                "ignore-size" => options with { IgnoreSize = true },
                "checksum" => options with { Checksum = true, DownloadHash = true },
                "compare-all" => options with { Compare = CompareBy.Size | CompareBy.ModTime | CompareBy.Checksum },
                "nomodtime" => options with { Checksum = true, Compare = CompareBy.Size | CompareBy.Checksum },
                "ignore-listing-checksum" => options with { IgnoreListingChecksum = true },
                "conflict-resolve" => options with { ConflictResolve = Word<ConflictResolve>(key, Value()) },
                "conflict-loser" => options with { ConflictLoser = Word<ConflictLoser>(key, Value()) },
                "conflict-suffix" => options with { ConflictSuffix = Value() },
                "resync-mode" => options with { ResyncMode = Word<ResyncMode>(key, Value()) },
                "backupdir1" => options with { BackupDir1 = Value() },
                "backupdir2" => options with { BackupDir2 = Value() },
                "norm" => options with { NoUnicodeNormalization = false, IgnoreCaseSync = true },
                "no-norm" => options with { NoUnicodeNormalization = true, IgnoreCaseSync = false },
                "fix-case" => options with { NoUnicodeNormalization = false, IgnoreCaseSync = true, FixCase = true },
                _ when NotYetWired.TryGetValue(key, out var feature) =>
                    throw new ScenarioException($"bisync option \"{arg}\" needs {feature}, which this engine does not have yet"),
                _ => throw new ScenarioException($"unknown bisync option \"{arg}\""),
            };
        }
        if (Suite.V175Rules)
        {
            options = options with { Compat = Suite.Compat };
            // As of v1.66 directories count: before each bisync step every directory on both sides gets the initial time.
            await TouchDirsAsync(_target.Path1Fs, ct);
            await TouchDirsAsync(_target.Path2Fs, ct);
        }
        var hook = _hook;
        _hook = Hook.None;

        var lines = new List<string>();
        BisyncResult result;
        try
        {
            var tool = _target.Tool ?? new EngineTool(_target.Opener);
            Func<CancellationToken, Task>? beforeCopies = hook switch
            {
                Hook.TestFunc => TestFuncAsync,
                Hook.ConcurrentFunc => ConcurrentFuncAsync,
                _ => null,
            };
            result = await tool.RunAsync(options, line => { lock (lines) lines.Add(line); }, ct, beforeCopies).WaitAsync(StepTimeout, ct);
        }
        finally
        {
            lock (lines) _log.AddRange(lines);
        }
        if (result.ExitCode != 0)
            _log.Add("Bisync error: " + (result.Critical ? "bisync aborted" : result.Error ?? $"exit code {result.ExitCode}"));
    }

    /// <summary>
    /// Options of the v1.75 step language whose engine feature is not in this branch yet: the step
    /// fails, naming it. (Wire each to its BisyncOptions property when the feature lands.)
    /// </summary>
    private static readonly Dictionary<string, string> NotYetWired = new(StringComparer.Ordinal)
    {
    };

    /// <summary>An enum option's value, by its flag word (any case), e.g. <c>newer</c>.</summary>
    private static T Word<T>(string key, string value) where T : struct, Enum =>
        Enum.TryParse<T>(value, ignoreCase: true, out var v) && Enum.IsDefined(v) && !int.TryParse(value, out _)
            ? v
            : throw new ScenarioException($"bisync option {key}: unknown value \"{value}\"");

    private enum Hook { None, TestFunc, ConcurrentFunc }

    private Hook _hook;

    /// <summary>test-func: a user changing many files on both sides while the run is about to copy.</summary>
    private async Task TestFuncAsync(CancellationToken ct)
    {
        var src = DataDir + "file7.txt";
        var (fs, path) = Resolve(src);
        for (var n = 0; n <= 49; n++) await CopyFileAsync(fs, path, _target.Path2Fs, $"file{n}.txt", ct);
        for (var m = 100; m >= 51; m--) await CopyFileAsync(fs, path, _target.Path1Fs, $"file{m}.txt", ct);
    }

    /// <summary>concurrent-func: a user changing one file on Path2 while the run is about to copy.</summary>
    private async Task ConcurrentFuncAsync(CancellationToken ct)
    {
        var (fs, path) = Resolve(DataDir + "file7.txt");
        await CopyFileAsync(fs, path, _target.Path2Fs, "file1.txt", ct);
    }

    /// <summary>Every directory below the root of one side gets 2000-01-01T00:00:00Z (v1.75 cases, before each bisync step).</summary>
    private static async Task TouchDirsAsync(IScenarioFs fs, CancellationToken ct)
    {
        foreach (var e in await WalkAsync(fs, "", ct))
            if (e.IsDir) await fs.SetDirModTimeAsync(e.Path, InitialTimeNs, ct);
    }

    /// <summary>
    /// fix-names: where <paramref name="path"/> is missing but its parent holds the same name under another
    /// Unicode normalisation (a file system that normalises names), rename that entry to the exact bytes given.
    /// </summary>
    private static async Task FixNameAsync(IScenarioFs fs, string path, bool isDir, CancellationToken ct)
    {
        if (await fs.StatAsync(path, ct) is not null) return;
        var slash = path.LastIndexOf('/');
        var parent = slash < 0 ? "" : path[..slash];
        var name = path[(slash + 1)..];
        if (slash >= 0) await FixNameAsync(fs, parent, true, ct); // the parent may need it first
        foreach (var e in await fs.ListAsync(parent, ct))
        {
            if (e.IsDir != isDir || e.Name == name) continue;
            if (RawNames.HasRawBytes(e.Name) || RawNames.HasRawBytes(name)) continue;
            if (UnicodeNormalization.ToNfc(e.Name) == UnicodeNormalization.ToNfc(name))
            {
                await fs.RenameAsync(Join(parent, e.Name), path, ct);
                return;
            }
        }
    }

    /// <summary>The MD5 (hex) of a name's bytes, as the v1.75 cases print beside list-dirs / list-files lines.</summary>
    public static string NameHash(string name) =>
        Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(RawNames.Encode(name)));

    /// <summary>copy-listings / move-listings: listings, queues and filters files to <c>&lt;prefix&gt;.&lt;golden name&gt;.sav</c>.</summary>
    private void SaveListings(string prefix, bool keep)
    {
        var names = NativeFs.ListNames(WorkDir);
        names.Sort(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (!IsSavedKind(name)) continue;
            var src = WorkDir + name;
            if (NativeFs.Stat(src) is not { IsFile: true } info) continue;
            var dst = WorkDir + prefix + "." + ToGoldenCanon(name) + ".sav";
            if (keep)
            {
                NativeFs.WriteAll(dst, NativeFs.ReadAll(src));
                NativeFs.SetModTime(dst, info.ModTimeNs);
            }
            else
            {
                NativeFs.Rename(src, dst);
            }
        }
    }

    /// <summary>Listing (<c>.lst</c>, <c>.lst-*</c>), queue (<c>.que</c>) or filters (<c>.flt</c>, <c>.flt.md5</c>) file.</summary>
    public static bool IsSavedKind(string name)
    {
        if (name.EndsWith(".flt.md5", StringComparison.Ordinal)) return true;
        var dot = name.LastIndexOf('.');
        if (dot < 0) return false;
        var ext = name[(dot + 1)..];
        return ext is "lst" or "que" or "flt" || ext.StartsWith("lst-", StringComparison.Ordinal);
    }

    // ---- paths and trees ----------------------------------------------------------------

    /// <summary>Maps an expanded path onto the file system that holds it and the path inside it.</summary>
    public (IScenarioFs Fs, string Path) Resolve(string path)
    {
        foreach (var (root, fs) in new[] { (_target.Path1Root, _target.Path1Fs), (_target.Path2Root, _target.Path2Fs) })
        {
            var bare = root.TrimEnd('/');
            if (path.StartsWith(root, StringComparison.Ordinal)) return (fs, path[root.Length..].Trim('/'));
            if (path == bare) return (fs, "");
        }
        if (path.StartsWith('/')) return (_local, path.Trim('/'));
        throw new ScenarioException($"path \"{NativeFs.Printable(path)}\" is neither under Path1, Path2 nor an absolute local path");
    }

    private static string Join(string dir, string name) => dir.Length == 0 ? name : dir.TrimEnd('/') + "/" + name;

    private static string BaseName(string path)
    {
        var p = path.TrimEnd('/');
        return p[(p.LastIndexOf('/') + 1)..];
    }

    /// <summary>An entry found by <see cref="WalkAsync"/>; Path is relative to the walked folder.</summary>
    private sealed record WalkEntry(string Path, string Name, bool IsDir, long Size, long ModTimeNs);

    private static async Task<List<WalkEntry>> WalkAsync(IScenarioFs fs, string dir, CancellationToken ct)
    {
        var result = new List<WalkEntry>();
        async Task Visit(string rel)
        {
            foreach (var e in await fs.ListAsync(Join(dir, rel), ct))
            {
                var path = rel.Length == 0 ? e.Name : rel + "/" + e.Name;
                result.Add(new WalkEntry(path, e.Name, e.IsDir, e.Size, e.ModTimeNs));
                if (e.IsDir) await Visit(path);
            }
        }
        await Visit("");
        return result;
    }

    private static async Task CopyFileAsync(IScenarioFs src, string srcPath, IScenarioFs dst, string dstPath, CancellationToken ct)
    {
        var info = await src.StatAsync(srcPath, ct)
            ?? throw new ScenarioException($"copy: {NativeFs.Printable(srcPath)} not found");
        if (info.IsDir) throw new ScenarioException($"copy: {NativeFs.Printable(srcPath)} is a directory");
        var data = await src.ReadAsync(srcPath, ct);
        await dst.WriteAsync(dstPath, data, info.ModTimeNs, ct);
    }

    private static async Task CopyTreeAsync(IScenarioFs src, string srcDir, IScenarioFs dst, string dstDir, CancellationToken ct)
    {
        await dst.MakeDirAsync(dstDir, ct);
        foreach (var e in await WalkAsync(src, srcDir, ct))
        {
            if (e.IsDir) await dst.MakeDirAsync(Join(dstDir, e.Path), ct);
            else await CopyFileAsync(src, Join(srcDir, e.Path), dst, Join(dstDir, e.Path), ct);
        }
    }

    private static async Task SyncTreeAsync(IScenarioFs src, string srcDir, IScenarioFs dst, string dstDir, CancellationToken ct)
    {
        var wanted = (await WalkAsync(src, srcDir, ct)).ToDictionary(e => e.Path, e => e.IsDir, StringComparer.Ordinal);
        // Remove what the source does not have (deepest first), then copy everything over.
        var existing = await WalkAsync(dst, dstDir, ct);
        foreach (var e in existing.OrderByDescending(e => e.Path.Length))
        {
            if (wanted.TryGetValue(e.Path, out var isDir) && isDir == e.IsDir) continue;
            await RemoveTreeAsync(dst, Join(dstDir, e.Path), e.IsDir, ct);
        }
        await CopyTreeAsync(src, srcDir, dst, dstDir, ct);
    }

    private static async Task RemoveTreeAsync(IScenarioFs fs, string path, bool isDir, CancellationToken ct)
    {
        if (!isDir)
        {
            await fs.DeleteFileAsync(path, ct);
            return;
        }
        if (await fs.StatAsync(path, ct) is null) return;
        foreach (var e in await fs.ListAsync(path, ct)) await RemoveTreeAsync(fs, Join(path, e.Name), e.IsDir, ct);
        await fs.RemoveDirAsync(path, ct);
    }

    // ---- small helpers ------------------------------------------------------------------

    private static long UnixNs(DateTime utc) => (utc - DateTime.UnixEpoch).Ticks * 100;

    private static long ParseDate(string s) =>
        UnixNs(DateTime.ParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal));

    /// <summary>A shell-style glob (<c>*</c>, <c>?</c>, <c>[...]</c>) as an anchored regex.</summary>
    public static Regex GlobRegex(string glob)
    {
        var sb = new StringBuilder("^");
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            switch (c)
            {
                case '*': sb.Append("[^/]*"); break;
                case '?': sb.Append("[^/]"); break;
                case '[':
                {
                    var end = glob.IndexOf(']', i + 1);
                    if (end < 0) { sb.Append(@"\["); break; }
                    var set = glob[(i + 1)..end];
                    if (set.StartsWith('!')) set = "^" + set[1..];
                    sb.Append('[').Append(set.Replace(@"\", @"\\", StringComparison.Ordinal)).Append(']');
                    i = end;
                    break;
                }
                default: sb.Append(Regex.Escape(c.ToString())); break;
            }
        }
        return new Regex(sb.Append('$').ToString(), RegexOptions.CultureInvariant | RegexOptions.Singleline);
    }
}
