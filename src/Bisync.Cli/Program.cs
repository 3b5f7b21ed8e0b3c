using Bisync.Engine;
using Bisync.Filters;
using Bisync.Logging;
using Bisync.Storage;
using Bisync.Remotes;

namespace Bisync.Cli;

public static class Program
{
    public static int Main(string[] args)
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
            Console.Out.Write(HelpText.Text);
            return 0;
        }
        if (cli.Version)
        {
            Console.Out.WriteLine($"bisync {typeof(Program).Assembly.GetName().Version?.ToString(3)} (compatible with rclone bisync v1.60.1)");
            return 0;
        }

        using var log = new Logger(cli.LogLevel, Console.Error);
        if (cli.LogFile is not null)
        {
            try
            {
                log.OpenFile(cli.LogFile);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"bisync: cannot open log file {cli.LogFile}: {ex.Message}");
                return 1;
            }
        }

        if (cli.DumpFilters)
        {
            try
            {
                var set = FilterSet.Build(cli.Bisync.Filter, cli.Bisync.FiltersFile, DateTime.Now);
                Console.Out.WriteLine(set.Dump());
            }
            catch (Exception ex) when (ex is FilterException or IOException)
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
            var remotes = new RemoteOptions
            {
                ConfigPath = cli.ConfigPath,
                Retries = cli.Retries,
                LowLevelRetries = cli.LowLevelRetries,
                Timeout = cli.Timeout,
                ConnectTimeout = cli.ConnectTimeout,
                Checkers = cli.Bisync.Checkers,
                Log = log.Debug,
                Rclone = new Bisync.Remotes.Rclone.RcloneOptions { ForAllRemotes = cli.RcloneBackend, Binary = cli.RcloneBinary },
            };
            var engine = new BisyncEngine(new RemoteStorageOpener(remotes), log);
            result = engine.RunAsync(cli.Bisync, cancel.Token).GetAwaiter().GetResult();
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
