using System.Diagnostics;
using System.Globalization;
using Bisync.Bench;
using Bisync.Engine;
using Bisync.Logging;

// bisync-synthetic STEP FILES WORKDIR [changes=SHARE, default 0.001] [perdir=N] [dirs=N] [flat=1]
//   STEP resync: both sides the base tree, --resync (writes the first listings to WORKDIR)
//        nochange: both sides the base tree again
//        changes: both sides one generation later (SHARE of the files changed, split between the sides)
// Prints one tab-separated line: step files wall_s cpu_s peak_rss_kib alloc_mib gen2 copies deletes expected_ops,
// and to stderr the time at which each stage line of the log appeared.
if (args.Length < 3)
{
    Console.Error.WriteLine("usage: bisync-synthetic resync|nochange|changes FILES WORKDIR [changes=SHARE] [perdir=N] [flat=1]");
    return 2;
}
var step = args[0];
var files = long.Parse(args[1], CultureInfo.InvariantCulture);
var workdir = args[2];
var share = args.Skip(3).Where(a => a.StartsWith("changes=", StringComparison.Ordinal))
    .Select(a => double.Parse(a["changes=".Length..], CultureInfo.InvariantCulture)).LastOrDefault(0.001);
var extra = string.Join("", args.Skip(3).Where(a => !a.StartsWith("changes=", StringComparison.Ordinal)).Select(a => "," + a));
var gen = step == "changes" ? 1 : 0;
string Spec(int side) => $"synth:files={files},side={side}{extra}";

var clock = Stopwatch.StartNew();
var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
long copies = 0, deletes = 0, errors = 0;
var stages = new List<string>();
var live = Environment.GetEnvironmentVariable("BISYNC_SYNTH_LIVE") == "1";
// Where the peak is: a sampler reads the resident size every 20 ms and notes the stage (the last
// log line) and the managed heap at its highest point.
var stage = "start";
long peakRss = 0, heapAtPeak = 0;
string stageAtPeak = "";
using var sampling = new CancellationTokenSource();
var sampler = Task.Run(async () =>
{
    while (!sampling.IsCancellationRequested)
    {
        var rss = Environment.WorkingSet;
        if (rss > peakRss) { peakRss = rss; stageAtPeak = stage; heapAtPeak = GC.GetTotalMemory(false); }
        try { await Task.Delay(20, sampling.Token); } catch (OperationCanceledException) { }
    }
});
using var log = Logger.Silent(LogLevel.Debug);
log.Sink = line =>
{
    if (line.StartsWith("DEBUG", StringComparison.Ordinal))
    {
        // BISYNC_SYNTH_LIVE=1: what is still referenced at each stage (a full collection there; slows the run).
        if (line.Contains("managed heap", StringComparison.Ordinal))
            stages.Add($"{clock.Elapsed.TotalSeconds,8:F2}s {line}" + (live ? $", live {GC.GetTotalMemory(true) >> 20} MiB" : ""));
        return;
    }
    stage = line.Length > 60 ? line[..60] : line;
    if (line.Contains(": Copied (", StringComparison.Ordinal)) copies++;
    else if (line.Contains(": Deleted", StringComparison.Ordinal)) deletes++;
    else if (line.StartsWith("ERROR", StringComparison.Ordinal)) { errors++; Console.Error.WriteLine(line); }
    else if (!line.Contains(" - Path", StringComparison.Ordinal) && stages.Count < 40)
        stages.Add($"{clock.Elapsed.TotalSeconds,8:F2}s {line}");
};
var options = new BisyncOptions
{
    Path1 = Spec(1),
    Path2 = Spec(2),
    Workdir = workdir,
    Resync = step == "resync",
    Force = false,
};
var engine = new BisyncEngine(new SyntheticOpener(share, gen), log);
var result = await engine.RunAsync(options, CancellationToken.None);
var wall = clock.Elapsed.TotalSeconds;
sampling.Cancel();
await sampler;
var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
var alloc = GC.GetTotalAllocatedBytes() / (1024.0 * 1024);
long hwm = 0;
foreach (var l in File.ReadLines("/proc/self/status"))
    if (l.StartsWith("VmHWM:", StringComparison.Ordinal)) hwm = long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

// What the run should have done: every changed file is one copy or one delete on the other side.
long expected = 0;
if (gen > 0)
{
    var s1 = new SyntheticStorage("", Shape.Parse(Spec(1), share, gen));
    var s2 = new SyntheticStorage("", Shape.Parse(Spec(2), share, gen));
    for (long i = 0; i < files; i++)
        if (s1.ChangeOf(i) != Change.None || s2.ChangeOf(i) != Change.None) expected++;
}
foreach (var s in stages) Console.Error.WriteLine(s);
Console.Error.WriteLine($"sampled peak RSS {peakRss >> 20} MiB after \"{stageAtPeak}\", managed heap then {heapAtPeak >> 20} MiB");
Console.WriteLine(string.Join('\t', step, files, wall.ToString("F2", CultureInfo.InvariantCulture), cpu.ToString("F2", CultureInfo.InvariantCulture),
    hwm, alloc.ToString("F0", CultureInfo.InvariantCulture), copies, deletes, expected, result.ExitCode));
if (result.ExitCode != 0) { Console.Error.WriteLine($"run failed: exit {result.ExitCode}: {result.Error}"); return 1; }
if (copies + deletes != expected) { Console.Error.WriteLine($"expected {expected} operations, saw {copies} copies and {deletes} deletes"); return 1; }
return errors > 0 ? 1 : 0;
