using Bisync.Engine;
using Bisync.Filters;
using Bisync.Logging;
using Bisync.Storage;
using Bisync.Remotes;

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

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };

        BisyncResult result;
        try
        {
            var remotes = cli.Remotes with { Log = log.Debug };
            var engine = new BisyncEngine(new RemoteStorageOpener(remotes), log);
            result = engine.RunAsync(cli.Bisync, cancel.Token, filter).GetAwaiter().GetResult();
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
