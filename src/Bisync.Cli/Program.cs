using Bisync.Engine;
using Bisync.Filters;
using Bisync.Logging;
using Bisync.Storage;
using Bisync.Remotes;
using System.Runtime.InteropServices;

namespace Bisync.Cli;

public static class Program
{
    /// <summary>Set once the command line asked for DEBUG: only then is a stack trace shown.</summary>
    private static bool debug;

    /// <summary>
    /// Exit codes (README and --help list them): 0 success; 1 usage error or a failure that locks
    /// nothing out; 2 critical error (or an unforeseen one); 3 a path does not exist. Nothing
    /// unforeseen escapes as a stack trace: it becomes one line and exit 2.
    /// </summary>
    public static int Main(string[] args)
    {
        try
        {
            return Run(args);
        }
        catch (Exception ex)
        {
            WriteFailure(ErrorText.OneLine(ex));
            if (debug) Console.Error.WriteLine(ErrorText.Detail(ex));
            return 2;
        }
    }

    private static int Run(string[] args)
    {
        CliOptions cli;
        try
        {
            cli = CommandLine.Parse(args);
        }
        catch (UsageException ex)
        {
            Console.Error.WriteLine($"bisync: {ex.Message}");
            Console.Error.WriteLine($"{HelpText.Usage} (see bisync --help)");
            return 1;
        }
        if (cli.Help)
        {
            Console.Out.Write(HelpText.Build());
            return 0;
        }
        if (cli.Version)
        {
            Console.Out.WriteLine($"bisync {typeof(Program).Assembly.GetName().Version?.ToString(3)} (compatible with rclone bisync v1.60.1)");
            return 0;
        }

        debug = cli.LogLevel == LogLevel.Debug;
        using var log = new Logger(cli.LogLevel, Console.Error);
        if (cli.LogFile is not null)
        {
            try
            {
                log.OpenFile(cli.LogFile);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                Console.Error.WriteLine($"bisync: cannot open log file {cli.LogFile}: {ErrorText.OneLine(ex)}");
                return 1;
            }
        }

        // --dump filters prints the compiled set, which the run then uses as it is (compiled once).
        IPathFilter? filter = null;
        if (cli.DumpFilters)
        {
            try
            {
                var set = FilterSet.Build(cli.Bisync.Filter, cli.Bisync.FiltersFile, DateTime.Now);
                Console.Out.WriteLine(set.Dump());
                filter = set;
            }
            catch (Exception ex) when (ex is FilterException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"bisync: {ex.Message}");
                return 1;
            }
        }

        // Backends wait on the network in blocking calls (SSH.NET's synchronous ones run in
        // Task.Run): give the pool a thread for every checker and transfer up front rather
        // than letting it add them one by one while work queues behind them.
        ThreadPool.GetMinThreads(out int minWorkers, out int minIo);
        int wanted = cli.Bisync.Checkers + cli.Bisync.Transfers + 4;
        if (wanted > minWorkers) ThreadPool.SetMinThreads(wanted, Math.Max(minIo, wanted));

        // Graceful shutdown: the first SIGINT/SIGTERM stops new transfers, lets running ones finish
        // for up to 30 s, then cancels them; the run saves its listings and exits 1. A second
        // signal ends the process at once (the lock file is removed first).
        using var cancel = new CancellationTokenSource();
        using var stop = new CancellationTokenSource();
        var signals = 0;
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            if (Interlocked.Increment(ref signals) == 1)
            {
                log.Notice($"Signal {context.Signal} received: no new transfers; running ones get 30s to finish, then the listings are saved (a second signal ends at once)");
                stop.Cancel();
                cancel.CancelAfter(TimeSpan.FromSeconds(30));
                return;
            }
            log.Error($"Second signal {context.Signal}: ending at once; the next run with --recover picks up from the last good listings");
            LockFile.ReleaseAllHeld();
            Environment.Exit(context.Signal == PosixSignal.SIGINT ? 130 : 143);
        }
        using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

        BisyncResult result;
        try
        {
            var remotes = cli.Remotes with { Log = log.Debug };
            var engine = new BisyncEngine(new RemoteStorageOpener(remotes), log) { Stop = stop.Token };
            // --retries (with --resilient, as in rclone): a run that failed in a way another try may
            // cure (failed transfers, a listing error) is run again, --retries-sleep apart.
            for (var attempt = 1; ; attempt++)
            {
                result = engine.RunAsync(cli.Bisync, cancel.Token, filter).GetAwaiter().GetResult();
                if (!result.Retryable || !cli.Bisync.Resilient || attempt >= cli.Bisync.Retries || stop.IsCancellationRequested) break;
                log.Notice($"Bisync try {attempt}/{cli.Bisync.Retries} failed: {result.Error}; trying again"
                    + (cli.Bisync.RetriesSleep > TimeSpan.Zero ? $" in {cli.Bisync.RetriesSleep}" : ""));
                if (cli.Bisync.RetriesSleep > TimeSpan.Zero)
                    stop.Token.WaitHandle.WaitOne(cli.Bisync.RetriesSleep < TimeSpan.FromDays(24) ? cli.Bisync.RetriesSleep : TimeSpan.FromDays(24));
                if (stop.IsCancellationRequested) break;
            }
        }
        catch (OperationCanceledException)
        {
            log.Error("Bisync interrupted: the listings were left as they were before this run");
            return 1;
        }
        catch (UserException ex)
        {
            WriteFailure(ex.Message);
            return ex.ExitCode;
        }
        if (result.ExitCode != 0 && !result.Critical) WriteFailure(result.Error ?? "failed");
        return result.ExitCode;
    }

    private static void WriteFailure(string message) =>
        Console.Error.WriteLine($"{DateTime.Now:yyyy/MM/dd HH:mm:ss} Failed to bisync: {message}");
}
