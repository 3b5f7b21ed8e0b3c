using Bisync.Units;
using Bisync.Remotes.Config;
using Bisync.Remotes.Paths;
using Bisync.Remotes.Rclone;
using Bisync.Remotes.S3;
using Bisync.Remotes.Sftp;
using Bisync.Remotes.Wrappers;
using Bisync.Storage;
using Bisync.Storage.Local;

namespace Bisync.Remotes;

/// <summary>
/// Opens any rclone path: local paths go to the local opener; "name:path" and ":type,opts:path" are
/// resolved through rclone.conf and the environment and opened as sftp or s3 (or local / alias),
/// connected within --contimeout and wrapped in the --timeout and --low-level-retries decorators.
/// Every user mistake (unknown remote, unknown type, missing option, unreachable server) becomes
/// one <see cref="UserException"/> line, exit code 1 as rclone 1.60.1's "Failed to create file system".
/// </summary>
public sealed class RemoteStorageOpener : IStorageOpener
{
    private readonly RemoteOptions _options;
    private readonly IStorageOpener _localOpener;
    private readonly Func<string, string?> _env;
    private readonly Lazy<ConfigFile> _config;
    private readonly RcloneHost _rclone;

    /// <param name="localOpener">Opens local paths; null = the core's <see cref="LocalStorageOpener"/>.</param>
    public RemoteStorageOpener(RemoteOptions options, IStorageOpener? localOpener = null)
    {
        _options = options;
        _localOpener = localOpener ?? new LocalStorageOpener();
        _env = options.Environment ?? System.Environment.GetEnvironmentVariable;
        _config = new Lazy<ConfigFile>(() =>
        {
            var path = ConfigLocator.Locate(options.ConfigPath, _env);
            options.Log?.Invoke($"Using config file from \"{path}\"");
            return ConfigFile.Load(path);
        });
        _rclone = new RcloneHost(options, () => ConfigLocator.Locate(options.ConfigPath, _env));
    }

    public RemoteOptions Options => _options;

    public Task<IStorage> OpenAsync(string path, CancellationToken ct) => OpenAsync(path, 0, ct);

    private async Task<IStorage> OpenAsync(string path, int depth, CancellationToken ct)
    {
        var parsed = RemotePath.Parse(path);
        if (parsed.Kind == RemotePathKind.Local) return await OpenLocalAsync(path, ct).ConfigureAwait(false);

        var cfg = RemoteConfig.Resolve(parsed, _config.Value, _env, _options.BackendFlags);
        IStorage storage;
        // --rclone-backend: every remote through the user's rclone (an alias is still followed here)
        if (_options.Rclone.ForAllRemotes && cfg.Type != "alias")
            return await OpenRcloneAsync(path, parsed, cfg.Type, ct).ConfigureAwait(false);
        switch (cfg.Type)
        {
            case "local":
                return await OpenLocalAsync(parsed.Path.Length == 0 ? "." : parsed.Path, ct).ConfigureAwait(false);
            case "alias":
            {
                if (depth > 10) throw new UserException($"Failed to create file system for \"{parsed.Display}\": alias loop", 1);
                var target = cfg.Require("remote");
                var joined = parsed.Path.Length == 0 ? target
                    : target.EndsWith(':') || target.EndsWith('/') ? target + parsed.Path : target + "/" + parsed.Path;
                return await OpenAsync(joined, depth + 1, ct).ConfigureAwait(false);
            }
            case "sftp":
                storage = new SftpStorage(SftpSettings.From(cfg, _env) with { ConnectTimeout = Duration.AsTimeout(_options.ConnectTimeout) }, parsed.Path, parsed.RootString);
                break;
            case "s3":
                storage = new S3Storage(S3Settings.From(cfg) with { ConnectTimeout = Duration.AsTimeout(_options.ConnectTimeout), Checkers = Math.Max(1, _options.Checkers) },
                    parsed.Path, parsed.RootString);
                break;
            default:
                // every other rclone backend (webdav, ftp, drive, onedrive, dropbox, ...) through rclone
                return await OpenRcloneAsync(path, parsed, cfg.Type, ct).ConfigureAwait(false);
        }

        if (storage is IConnectable connectable)
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            if (!Duration.IsNoLimit(_options.ConnectTimeout)) cts.CancelAfter(_options.ConnectTimeout);
            try
            {
                // A server's passing trouble (a 500, a reset) is retried here as for any operation.
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        await connectable.ConnectAsync(cts.Token).ConfigureAwait(false);
                        break;
                    }
                    catch (Exception e) when (attempt < _options.LowLevelRetries && !cts.IsCancellationRequested && TransientErrors.IsTransient(e)
                                              && e is not TimeoutException)
                    {
                        _options.Log?.Invoke($"{parsed.Display}: connect: low level retry {attempt}/{_options.LowLevelRetries - 1}: {e.Message}");
                        await Task.Delay(_options.RetryFirstDelay * attempt, cts.Token).ConfigureAwait(false);
                    }
                }
            }
            catch (Exception e) when (e is not UserException && !ct.IsCancellationRequested)
            {
                await storage.DisposeAsync().ConfigureAwait(false);
                var why = (cts.IsCancellationRequested && e is OperationCanceledException) || e is TimeoutException
                    ? $"couldn't connect within {_options.ConnectTimeout.TotalSeconds:0.###}s (--contimeout)"
                    : $"couldn't connect: {Describe(e)}";
                throw new UserException($"Failed to create file system for \"{parsed.Display}\": {why}", 1);
            }
        }
        return Decorate(storage, network: true);
    }

    private async Task<IStorage> OpenLocalAsync(string path, CancellationToken ct) =>
        Decorate(await _localOpener.OpenAsync(path, ct).ConfigureAwait(false), network: false);

    /// <summary>
    /// Every backend, local too, gets the same decorators: --low-level-retries (a local disk's
    /// errors are rarely worth a retry: only EINTR, EAGAIN and EBUSY) and, where there is a
    /// connection to watch, --timeout, and giving up on a remote once one operation used all its
    /// tries on network trouble.
    /// </summary>
    private IStorage Decorate(IStorage storage, bool network)
    {
        if (network) storage = TimeoutStorage.Wrap(storage, _options.Timeout);
        return RetryStorage.Wrap(storage, _options.LowLevelRetries, _options.RetryFirstDelay, _options.RetryMaxDelay, _options.Log,
            network ? TransientErrors.IsTransient : TransientErrors.IsTransientLocal, giveUp: network);
    }

    /// <summary>Opens <paramref name="path"/> through rclone rcd: connected within --contimeout, with --low-level-retries.</summary>
    private async Task<IStorage> OpenRcloneAsync(string path, RemotePath parsed, string type, CancellationToken ct)
    {
        var storage = new RcloneStorage(_rclone, path, parsed.RootString, type);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (_options.ConnectTimeout > TimeSpan.Zero) cts.CancelAfter(_options.ConnectTimeout);
        try
        {
            await storage.ConnectAsync(cts.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            await storage.DisposeAsync().ConfigureAwait(false);
            var why = e is OperationCanceledException
                ? $"couldn't connect through rclone within {_options.ConnectTimeout.TotalSeconds:0.###}s (--contimeout)"
                : e is UserException ? e.Message
                : e is RcloneRcException rc ? rc.RcloneMessage
                : $"rclone: {Describe(e)}";
            throw new UserException($"Failed to create file system for \"{parsed.Display}\": {why}", 1);
        }
        // No --timeout decorator: a copy that rclone runs sends no byte through us, so the idle
        // timer would misfire; rclone applies --timeout and --contimeout to its own connections.
        return RetryStorage.Wrap(storage, _options.LowLevelRetries, _options.RetryFirstDelay, _options.RetryMaxDelay, _options.Log);
    }

    /// <summary>One line from an exception chain, innermost network cause included.</summary>
    private static string Describe(Exception e)
    {
        var msg = e.Message;
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
            if (!msg.Contains(inner.Message, StringComparison.Ordinal)) msg += ": " + inner.Message;
        return msg.ReplaceLineEndings(" ");
    }
}
