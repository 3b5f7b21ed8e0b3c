using System.Diagnostics;
using Bisync.Filters;

// Matches a set of generated paths against a rule file and reports the speed.
// Usage: dotnet run -c Release -- [rule-file] [path-count] [rounds]
string rules = args.Length > 0 ? args[0] : Path.Combine(AppContext.BaseDirectory, "rules-50.txt");
int count = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
int rounds = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 5;

var buildClock = Stopwatch.StartNew();
var filter = FilterSet.Build(new FilterOptions(), rules, DateTime.UtcNow);
buildClock.Stop();
var dump = filter.Dump().Split('\n');
int fileRules = Array.IndexOf(dump, "--- Directory filter rules ---") - Array.IndexOf(dump, "--- File filter rules ---") - 1;
int dirRules = Array.IndexOf(dump, "--- end filters ---") - Array.IndexOf(dump, "--- Directory filter rules ---") - 1;
Console.WriteLine($"rules: {rules} ({fileRules} file rules, {dirRules} directory rules), compiled in {buildClock.Elapsed.TotalMilliseconds:F0} ms");

// Paths like a home directory's: a top folder from the rules, then random folders and names.
var random = new Random(42);
string[] tops = ["Documents", "Pictures", "Music", "Projects", "Videos", "Notes", "Backup", "Downloads", "tmp", "Code", "Desktop"];
string[] dirs = ["src", "docs", "2019", "2023", "daily", "weekly", "node_modules", ".git", "build", "bin", "obj", "cache", "logs",
    "Holiday Photos", "Ünïcode", "a", "b", "c", "lib", "test", "__pycache__", "incomplete", "vendor", "assets"];
string[] stems = ["README", "index", "main", "report final", "IMG_0042", "song", "notes", "data", "Program", "x", "photo (1)", "résumé"];
string[] exts = [".txt", ".md", ".jpg", ".png", ".mp3", ".flac", ".tmp", ".cs", ".py", ".pyc", ".o", ".log", ".lock", ".part3", "", ".iso", ".heic"];
var paths = new string[count];
var dirSet = new HashSet<string>(StringComparer.Ordinal);
for (int i = 0; i < count; i++)
{
    var parts = new List<string> { tops[random.Next(tops.Length)] };
    int depth = random.Next(0, 6);
    for (int d = 0; d < depth; d++) parts.Add(dirs[random.Next(dirs.Length)]);
    for (int d = 1; d <= parts.Count; d++) dirSet.Add(string.Join('/', parts.Take(d)));
    parts.Add(stems[random.Next(stems.Length)] + exts[random.Next(exts.Length)]);
    paths[i] = string.Join('/', parts);
}
var dirList = dirSet.ToArray();
Console.WriteLine($"paths: {count} files (average {paths.Average(p => p.Length):F0} chars), {dirList.Length} distinct directories");

int included = 0;
foreach (var p in paths) if (filter.IncludeFile(p, 1000, 0)) included++; // warm-up (JIT, tiering)
for (int w = 0; w < 2; w++) foreach (var p in paths) filter.IncludeFile(p, 1000, 0);
Console.WriteLine($"included: {included} of {count} files");

var times = new List<double>();
for (int r = 0; r < rounds; r++)
{
    var clock = Stopwatch.StartNew();
    int n = 0;
    foreach (var p in paths) if (filter.IncludeFile(p, 1000, 0)) n++;
    clock.Stop();
    if (n != included) throw new InvalidOperationException("results changed between rounds");
    times.Add(clock.Elapsed.TotalSeconds);
}
times.Sort();
double median = times[times.Count / 2];
Console.WriteLine($"IncludeFile:      {count / median,12:N0} paths/s  {median * 1e9 / count,8:F0} ns/path  (median of {rounds} rounds; best {times[0] * 1e9 / count:F0} ns/path)");

int keptDirs = 0;
foreach (var d in dirList) if (filter.IncludeDirectory(d)) keptDirs++;
var dirTimes = new List<double>();
for (int r = 0; r < rounds; r++)
{
    var clock = Stopwatch.StartNew();
    for (int rep = 0; rep < 20; rep++) foreach (var d in dirList) filter.IncludeDirectory(d);
    clock.Stop();
    dirTimes.Add(clock.Elapsed.TotalSeconds / 20);
}
dirTimes.Sort();
double dirMedian = dirTimes[dirTimes.Count / 2];
Console.WriteLine($"IncludeDirectory: {dirList.Length / dirMedian,12:N0} dirs/s   {dirMedian * 1e9 / dirList.Length,8:F0} ns/dir   ({keptDirs} of {dirList.Length} kept)");
