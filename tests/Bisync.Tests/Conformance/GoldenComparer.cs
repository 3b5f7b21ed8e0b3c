using System.Text;
using System.Text.RegularExpressions;

namespace Bisync.Tests.Conformance;

/// <summary>
/// Compares a case's working directory with its <c>golden/</c> folder by the conformance README's
/// rules: the same set of file names (after mapping to golden names); queue files as sorted line
/// sets; listings without header, sorted by name, hash ignored; the test log normalised (time
/// prefixes, real paths back to terms, blank/DEBUG/per-file lines dropped, unordered groups
/// sorted); any other file byte for byte.
/// </summary>
/// <param name="expectedText">Maps a golden file's name and text to what is expected instead (a
/// target's documented backend-specific expectation); null = golden text as is.</param>
/// <param name="actualText">Maps a working-directory file's golden name and text to the view it is
/// compared through (e.g. listing times a server sets itself masked); null = as is.</param>
public sealed partial class GoldenComparer(
    IReadOnlyList<(string Real, string Term)> logSubstitutions, Func<string, string> toGoldenName, bool ignoreQueueFiles = false,
    Func<string, string, string>? expectedText = null, Func<string, string, string>? actualText = null)
{
    /// <summary>
    /// rclone v1.75's rules (see the conformance README's second half): the test log is compared by
    /// its steps only (each step's line, each bisync step's outcome, the lines list-dirs/list-files
    /// write), not by wording; a listing's hash column only where the golden listing has hashes (its
    /// run compared checksums); modification times rounded to twice the side's precision.
    /// </summary>
    public bool V175Rules { get; init; }

    /// <summary>The modification-time precision (ns) of the side a listing file (golden name) lists.</summary>
    public Func<string, long> PrecisionNs { get; init; } = _ => 1;

    /// <summary>How many differing lines a diff shows at most.</summary>
    public const int MaxDiffLines = 40;

    /// <summary>Compares; returns one text per problem (empty when everything matches).</summary>
    public IReadOnlyList<string> Compare(string workDir, string goldenDir)
    {
        var problems = new List<string>();
        var actual = new Dictionary<string, string>(StringComparer.Ordinal);
        // A folder golden/ holds (v1.75's backup folders in the working directory) is compared file by file, by
        // relative path; any other folder of the working directory (the hash cache's) is not part of the comparison.
        var goldenFolders = NativeFs.ListNames(goldenDir)
            .Where(n => NativeFs.Stat(goldenDir.TrimEnd('/') + "/" + n) is { IsDir: true }).ToHashSet(StringComparer.Ordinal);
        foreach (var name in NativeFs.ListNames(workDir))
        {
            var full = workDir.TrimEnd('/') + "/" + name;
            if (NativeFs.Stat(full) is { IsDir: true } && goldenFolders.Contains(name))
            {
                foreach (var rel in FilesBelow(full)) actual[name + "/" + rel] = full + "/" + rel;
                continue;
            }
            if (NativeFs.Stat(full) is not { IsFile: true }) continue;
            var golden = toGoldenName(name);
            if (!actual.TryAdd(golden, full))
                problems.Add($"two working-directory files map to the golden name {golden}");
        }
        var expected = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in NativeFs.ListNames(goldenDir))
        {
            var full = goldenDir.TrimEnd('/') + "/" + name;
            if (goldenFolders.Contains(name))
                foreach (var rel in FilesBelow(full)) expected[name + "/" + rel] = full + "/" + rel;
            else if (!(ignoreQueueFiles && KindOf(name) == FileKind.Queue))
                expected[name] = full;
        }

        var missing = expected.Keys.Where(k => !actual.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        var extra = actual.Keys.Where(k => !expected.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0 || extra.Count > 0)
        {
            var sb = new StringBuilder("file names differ from golden/:");
            foreach (var m in missing) sb.Append("\n  missing: ").Append(m);
            foreach (var e in extra) sb.Append("\n  extra:   ").Append(e);
            problems.Add(sb.ToString());
        }

        // The log first: it tells the story.
        var differing = new List<string>();
        foreach (var name in expected.Keys.Where(actual.ContainsKey)
                     .OrderBy(n => n == ScenarioRunner.LogFileName ? 0 : 1).ThenBy(n => n, StringComparer.Ordinal))
        {
            var goldenText = ReadText(expected[name]);
            if (expectedText is not null) goldenText = expectedText(name, goldenText);
            var actualFileText = ReadText(actual[name]);
            if (actualText is not null) actualFileText = actualText(name, actualFileText);
            var diff = CompareFile(name, goldenText, actualFileText);
            if (diff is not null)
            {
                differing.Add(name);
                problems.Add($"{name} differs (- golden, + actual):\n{diff}");
            }
        }
        if (differing.Count > 0)
            problems.Insert(0, $"{differing.Count} of {expected.Count} golden files differ: {string.Join(", ", differing)}");
        return problems;
    }

    /// <summary>The files below <paramref name="dir"/>, as paths relative to it.</summary>
    private static IEnumerable<string> FilesBelow(string dir)
    {
        foreach (var name in NativeFs.ListNames(dir))
        {
            var full = dir.TrimEnd('/') + "/" + name;
            if (NativeFs.Stat(full) is { IsDir: true })
                foreach (var rel in FilesBelow(full)) yield return name + "/" + rel;
            else yield return name;
        }
    }

    /// <summary>Compares one file's text by the rule for its kind; null when equal, else a diff.</summary>
    public string? CompareFile(string goldenName, string expectedText, string actualText)
    {
        IReadOnlyList<string> exp, act;
        switch (KindOf(goldenName))
        {
            case FileKind.Log when V175Rules:
                // rclone's v1.75 harness writes the remote's hash type as {hashtype}; our local sides hash with MD5.
                // Names in NFC, as rclone's harness writes its logs (see the listings below).
                exp = LogSteps(NormalizeLog(SplitLines(expectedText.Replace("{hashtype}", "md5", StringComparison.Ordinal)).Select(Nfc), []));
                act = LogSteps(NormalizeLog(SplitLines(actualText).Select(Nfc), logSubstitutions));
                break;
            case FileKind.Log:
                exp = NormalizeLog(SplitLines(expectedText), []);
                act = NormalizeLog(SplitLines(actualText), logSubstitutions);
                break;
            case FileKind.Listing when V175Rules:
            {
                // rclone's harness compares names after Unicode NFC normalisation (its goldens hold NFC
                // names where the side keeps NFD ones), so a v1.75 listing is compared in NFC.
                var golden = SplitLines(expectedText).Select(Nfc).ToList();
                var withHashes = golden.Any(l => ListingLine().Match(l.TrimEnd('\r')) is { Success: true } m && m.Groups[3].Value != "-");
                var precision = PrecisionNs(goldenName);
                exp = NormalizeListing(golden, withHashes, precision);
                act = NormalizeListing(SplitLines(actualText).Select(Nfc), withHashes, precision);
                break;
            }
            case FileKind.Queue:
                exp = NormalizeQueue(SplitLines(expectedText));
                act = NormalizeQueue(SplitLines(actualText));
                break;
            case FileKind.Listing:
                exp = NormalizeListing(SplitLines(expectedText));
                act = NormalizeListing(SplitLines(actualText));
                break;
            default:
                if (expectedText == actualText) return null;
                exp = SplitLines(expectedText);
                act = SplitLines(actualText);
                if (exp.SequenceEqual(act)) return "(the files differ only in line endings or a final newline)";
                break;
        }
        return exp.SequenceEqual(act) ? null : Diff(exp, act);
    }

    private static string Nfc(string s) => Bisync.Text.UnicodeNormalization.ToNfc(s);

    public enum FileKind { Log, Queue, Listing, Other }

    public static FileKind KindOf(string goldenName)
    {
        if (goldenName.EndsWith(".sav", StringComparison.Ordinal)) goldenName = goldenName[..^4];
        if (goldenName == ScenarioRunner.LogFileName) return FileKind.Log;
        var dot = goldenName.LastIndexOf('.');
        var ext = dot < 0 ? "" : goldenName[(dot + 1)..];
        if (ext == "que") return FileKind.Queue;
        if (ext == "lst" || ext.StartsWith("lst-", StringComparison.Ordinal)) return FileKind.Listing;
        return FileKind.Other;
    }

    private static string ReadText(string path) => RawNames.Decode(NativeFs.ReadAll(path));

    public static List<string> SplitLines(string text)
    {
        var lines = text.Split('\n').ToList();
        if (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        return lines;
    }

    // ---- queue files --------------------------------------------------------------------

    public static IReadOnlyList<string> NormalizeQueue(IEnumerable<string> lines) =>
        lines.Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).Order(StringComparer.Ordinal).ToList();

    // ---- listings -----------------------------------------------------------------------

    [GeneratedRegex(@"^(\S+) +(-?\d+) (\S+) (\S+) (\S+) ("".*"")$")]
    private static partial Regex ListingLine();

    /// <summary>Header dropped, hash column as <c>-</c>, entries sorted by name; all else verbatim.</summary>
    public static IReadOnlyList<string> NormalizeListing(IEnumerable<string> lines) => NormalizeListing(lines, keepHash: false, precisionNs: 1);

    /// <summary>
    /// The same, keeping the hash column when asked, and with each modification time rounded to a
    /// multiple of twice <paramref name="precisionNs"/> when that is coarser than a nanosecond.
    /// </summary>
    public static IReadOnlyList<string> NormalizeListing(IEnumerable<string> lines, bool keepHash, long precisionNs)
    {
        var entries = new List<(string Name, string Line)>();
        foreach (var raw in lines)
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith("# bisync listing", StringComparison.Ordinal)) continue;
            var m = ListingLine().Match(line);
            if (!m.Success)
            {
                entries.Add((line, line));
                continue;
            }
            var hash = m.Groups[3];
            var time = m.Groups[5];
            var shownTime = precisionNs > 1 ? RoundTime(time.Value, 2 * precisionNs) : time.Value;
            entries.Add((m.Groups[6].Value, line[..hash.Index] + (keepHash ? hash.Value : "-") + " " + m.Groups[4].Value + " "
                + shownTime + " " + m.Groups[6].Value));
        }
        return entries.OrderBy(e => e.Name, StringComparer.Ordinal).ThenBy(e => e.Line, StringComparer.Ordinal)
            .Select(e => e.Line).ToList();
    }

    [GeneratedRegex(@"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.(\d{9})([+-]\d{4})$")]
    private static partial Regex ListingTime();

    /// <summary>A listing time as Unix nanoseconds rounded to the nearest multiple of <paramref name="step"/>, zone kept.</summary>
    public static string RoundTime(string time, long step)
    {
        var m = ListingTime().Match(time);
        if (!m.Success) return time;
        var local = DateTime.ParseExact(m.Groups[1].Value, "yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal);
        var zone = m.Groups[3].Value;
        var offsetMin = (zone[0] == '-' ? -1 : 1) * (int.Parse(zone.AsSpan(1, 2)) * 60 + int.Parse(zone.AsSpan(3, 2)));
        var ns = (local - DateTime.UnixEpoch).Ticks * 100 - offsetMin * 60_000_000_000L + long.Parse(m.Groups[2].Value);
        var rounded = (long)Math.Round((decimal)ns / step, MidpointRounding.AwayFromZero) * step;
        return $"{rounded}ns{zone}";
    }

    // ---- the test log -------------------------------------------------------------------

    [GeneratedRegex(@"\x1b\[[0-9;]*m")]
    private static partial Regex AnsiColour();

    [GeneratedRegex(@"^\((\d{2,})\) +: (.*)$")]
    private static partial Regex StepLine();

    /// <summary>
    /// The v1.75 view of a normalised test log: for each step its number and line; for a bisync
    /// step its outcome (success, critical abort, or the failure's one line); for list-dirs and
    /// list-files the lines they wrote, sorted. Everything else the tool logged is left out.
    /// </summary>
    public static IReadOnlyList<string> LogSteps(IReadOnlyList<string> normalized)
    {
        var result = new List<string>();
        string? command = null;
        var body = new List<string>();
        void Flush()
        {
            if (command is null) return;
            var verb = command.Split(' ', 2)[0];
            if (verb == "bisync")
            {
                var error = body.LastOrDefault(l => l.StartsWith("Bisync error:", StringComparison.Ordinal));
                result.Add("    outcome: " + (error is null ? "success" : error == "Bisync error: bisync aborted" ? "critical abort" : error));
            }
            else if (verb is "list-dirs" or "list-files")
            {
                result.AddRange(body.Order(StringComparer.Ordinal).Select(l => "    " + l));
            }
            body.Clear();
        }
        foreach (var line in normalized)
        {
            var m = StepLine().Match(line);
            if (m.Success)
            {
                Flush();
                command = m.Groups[2].Value.Trim();
                result.Add($"({m.Groups[1].Value}) {command}");
            }
            else
            {
                body.Add(line);
            }
        }
        Flush();
        return result;
    }

    [GeneratedRegex(@"^\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}(\.\d+)? ")]
    private static partial Regex TimePrefix();

    [GeneratedRegex(@"^INFO  : .+?: (Copied \(.*|Deleted|Updated .*|Moved .*)$")]
    private static partial Regex PerFileOperation();

    [GeneratedRegex(@"^(NOTICE: .+?: Skipped) (copy|update modification time) (as --dry-run is set \(size \d+\))$")]
    private static partial Regex DryRunCopy();

    [GeneratedRegex(@"^NOTICE: .+?: Skipped .+ as --dry-run is set \(size \d+\)$")]
    private static partial Regex GroupDryRun();

    [GeneratedRegex(@"^(INFO  |NOTICE): - Path[12] +File (was deleted|is new|is newer|is OLDER) +- ")]
    private static partial Regex GroupDeltas();

    [GeneratedRegex(@"^ERROR : - +Access test failed: Path[12] file not found in Path[12] - ")]
    private static partial Regex GroupAccess();

    [GeneratedRegex(@"^(INFO  |NOTICE): - Path2 +Resync will copy to Path1 +- ")]
    private static partial Regex GroupResyncCopy();

    private static int GroupOf(string line) =>
        GroupDryRun().IsMatch(line) ? 0
        : GroupDeltas().IsMatch(line) ? 1
        : GroupAccess().IsMatch(line) ? 2
        : GroupResyncCopy().IsMatch(line) ? 3
        : -1;

    /// <summary>Normalises test-log lines for comparison (see the README's rules).</summary>
    public static IReadOnlyList<string> NormalizeLog(IEnumerable<string> lines, IReadOnlyList<(string Real, string Term)> substitutions)
    {
        var subs = substitutions.Where(s => s.Real.Length > 0).OrderByDescending(s => s.Real.Length).ToList();
        var kept = new List<string>();
        foreach (var raw in lines)
        {
            var line = TimePrefix().Replace(AnsiColour().Replace(raw, ""), "", 1);
            foreach (var (real, term) in subs) line = line.Replace(real, term, StringComparison.Ordinal);
            line = line.Trim();
            if (line.Length == 0 || line.StartsWith("DEBUG :", StringComparison.Ordinal)) continue;
            if (PerFileOperation().IsMatch(line)) continue;
            line = DryRunCopy().Replace(line, "$1 copy (or update modification time) $3");
            kept.Add(line);
        }
        // Sort each run of consecutive lines of one unordered group.
        var result = new List<string>(kept.Count);
        for (var i = 0; i < kept.Count;)
        {
            var g = GroupOf(kept[i]);
            var j = i + 1;
            if (g >= 0)
                while (j < kept.Count && GroupOf(kept[j]) == g) j++;
            var run = kept.GetRange(i, j - i);
            if (g >= 0) run.Sort(StringComparer.Ordinal);
            result.AddRange(run);
            i = j;
        }
        return result;
    }

    // ---- diff ---------------------------------------------------------------------------

    /// <summary>A compact unified-style diff (- expected, + actual) showing at most <see cref="MaxDiffLines"/> changed lines.</summary>
    public static string Diff(IReadOnlyList<string> expected, IReadOnlyList<string> actual, int maxLines = MaxDiffLines)
    {
        var ops = DiffOps(expected, actual);
        const int context = 2;
        var show = new bool[ops.Count];
        for (var k = 0; k < ops.Count; k++)
        {
            if (ops[k].Op == ' ') continue;
            for (var c = Math.Max(0, k - context); c <= Math.Min(ops.Count - 1, k + context); c++) show[c] = true;
        }
        var sb = new StringBuilder();
        var changed = 0;
        var total = ops.Count(o => o.Op != ' ');
        var last = -2;
        for (var k = 0; k < ops.Count; k++)
        {
            if (!show[k]) continue;
            if (ops[k].Op != ' ' && changed >= maxLines) break;
            if (k != last + 1) sb.Append($"@@ golden line {ops[k].ExpLine + 1}, actual line {ops[k].ActLine + 1} @@\n");
            sb.Append(ops[k].Op).Append(' ').Append(Visible(ops[k].Text)).Append('\n');
            if (ops[k].Op != ' ') changed++;
            last = k;
        }
        if (total > changed) sb.Append($"... and {total - changed} more differing line(s)\n");
        return sb.ToString().TrimEnd('\n');
    }

    private static string Visible(string s)
    {
        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (Bisync.Text.PathEncoding.IsRawByteAt(s, i)) sb.Append($"\\x{c - 0xDC00:x2}");
            else if (c < 0x20 && c != '\t') sb.Append($"\\x{(int)c:x2}");
            else sb.Append(c);
        }
        return sb.ToString();
    }

    private readonly record struct DiffOp(char Op, string Text, int ExpLine, int ActLine);

    private static List<DiffOp> DiffOps(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        var ops = new List<DiffOp>();
        int n = a.Count, m = b.Count;
        if ((long)n * m > 16_000_000)
        {
            // Too big for the table: plain line-by-line.
            for (var k = 0; k < Math.Max(n, m); k++)
            {
                if (k < n && k < m && a[k] == b[k]) { ops.Add(new DiffOp(' ', a[k], k, k)); continue; }
                if (k < n) ops.Add(new DiffOp('-', a[k], k, Math.Min(k, m)));
                if (k < m) ops.Add(new DiffOp('+', b[k], Math.Min(k, n), k));
            }
            return ops;
        }
        // Longest common subsequence, from the end.
        var lcs = new int[n + 1, m + 1];
        for (var i = n - 1; i >= 0; i--)
            for (var j = m - 1; j >= 0; j--)
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
        int x = 0, y = 0;
        while (x < n || y < m)
        {
            if (x < n && y < m && a[x] == b[y]) { ops.Add(new DiffOp(' ', a[x], x, y)); x++; y++; }
            else if (y < m && (x == n || lcs[x, y + 1] > lcs[x + 1, y])) { ops.Add(new DiffOp('+', b[y], x, y)); y++; }
            else { ops.Add(new DiffOp('-', a[x], x, y)); x++; }
        }
        return ops;
    }
}
