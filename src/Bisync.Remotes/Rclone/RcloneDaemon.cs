using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bisync.Storage;

namespace Bisync.Remotes.Rclone;

/// <summary>How to start the user's rclone for the rclone backend.</summary>
public sealed record RcloneOptions
{
    /// <summary>--rclone-backend: every remote (also sftp, s3 and local-type remotes) goes through rclone.</summary>
    public bool ForAllRemotes { get; init; }

    /// <summary>--rclone-binary: the rclone to run; null = "rclone" from PATH.</summary>
    public string? Binary { get; init; }

    /// <summary>
    /// Environment changes for the rclone child (a null value removes the variable). The tests clear
    /// AWS_CA_BUNDLE here: rclone 1.60.1's S3 client fails against a plain-HTTP server while it is set.
    /// </summary>
    public IReadOnlyDictionary<string, string?>? ChildEnvironment { get; init; }
}

/// <summary>An error answered by rclone's remote-control API, with rclone's own message.</summary>
public class RcloneRcException(string method, int status, string message)
    : IOException($"rclone {method}: {message}")
{
    public string Method { get; } = method;
    public int Status { get; } = status;
    public string RcloneMessage { get; } = message;
}

/// <summary>
/// One <c>rclone rcd</c> child process: on 127.0.0.1 at a free port, with random basic-auth
/// credentials (given through the environment, so they never show in a process list), the same
/// rclone.conf as ours, and <c>--rc-serve</c> for downloads. It is started under a small
/// <c>/bin/sh</c> watcher that holds our end of a pipe on its stdin: when this process ends in any
/// way (even SIGKILL) the kernel closes the pipe, the watcher's <c>read</c> returns and it stops
/// rclone, so no daemon is ever orphaned. rclone 1.60.1 has no parent-death handling of its own.
/// </summary>
public sealed class RcloneDaemon : IAsyncDisposable
{
    private const string WatcherScript =
        "\"$@\" </dev/null & p=$!\n" +
        "echo \"pid $p\"\n" +
        "trap 'kill $p 2>/dev/null; exit 0' TERM INT HUP\n" +
        "while read -r _; do :; done\n" +
        "kill $p 2>/dev/null\n" +
        "wait $p\n";

    private readonly Process _watcher;
    private readonly HttpClient _http;
    private readonly LinkedList<string> _stderrTail = new();
    private readonly TaskCompletionSource<bool> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposed;

    public int Port { get; }

    /// <summary>The rclone process id (not the watcher's).</summary>
    public int RclonePid { get; private set; }

    public string Binary { get; }

    public string ConfigPath { get; }

    public Uri BaseAddress { get; }

    /// <summary>Global flags every rclone child of ours gets (--config, retries, time-outs).</summary>
    public IReadOnlyList<string> GlobalFlags { get; }

    internal IReadOnlyDictionary<string, string?> ChildEnvironment { get; }

    private RcloneDaemon(Process watcher, HttpClient http, int port, string binary, string configPath,
        IReadOnlyList<string> globalFlags, IReadOnlyDictionary<string, string?> childEnv)
    {
        _watcher = watcher;
        _http = http;
        Port = port;
        Binary = binary;
        ConfigPath = configPath;
        GlobalFlags = globalFlags;
        ChildEnvironment = childEnv;
        BaseAddress = http.BaseAddress!;
    }

    /// <summary>The last lines rclone wrote to stderr (for error messages).</summary>
    public string StderrTail
    {
        get { lock (_stderrTail) return string.Join(" | ", _stderrTail); }
    }

    /// <summary>Starts rclone rcd and waits until it serves (bounded by <paramref name="ct"/>).</summary>
    public static async Task<RcloneDaemon> StartAsync(RemoteOptions options, string configPath, CancellationToken ct)
    {
        var binary = string.IsNullOrEmpty(options.Rclone.Binary) ? "rclone" : options.Rclone.Binary;
        var flags = new List<string>
        {
            "--config", configPath,
            "--low-level-retries", Math.Max(1, options.LowLevelRetries).ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--timeout", Seconds(options.Timeout),
            "--contimeout", Seconds(options.ConnectTimeout),
            "--checkers", Math.Max(1, options.Checkers).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        // Backend flags reach rclone as the same flags, so they rank there as here.
        foreach (var o in Config.BackendFlags.All)
            if (options.BackendFlags.TryGetValue(Config.BackendFlags.Key(o.Type, o.Name), out var value))
                flags.Add(o.Flag + "=" + value);
        var env = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (options.Rclone.ChildEnvironment is { } extra)
            foreach (var (k, v) in extra) env[k] = v;

        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            ct.ThrowIfCancellationRequested();
            var port = FreePort();
            var user = "bisync-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
            var pass = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
            var psi = new ProcessStartInfo("/bin/sh")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(WatcherScript);
            psi.ArgumentList.Add("bisync-rclone-watch");
            psi.ArgumentList.Add(binary);
            psi.ArgumentList.Add("rcd");
            psi.ArgumentList.Add("--rc-addr");
            psi.ArgumentList.Add($"127.0.0.1:{port}");
            psi.ArgumentList.Add("--rc-serve");
            psi.ArgumentList.Add("--log-level");
            psi.ArgumentList.Add("NOTICE");
            foreach (var f in flags) psi.ArgumentList.Add(f);
            foreach (var (k, v) in env)
            {
                if (v is null) psi.Environment.Remove(k);
                else psi.Environment[k] = v;
            }
            // credentials through the environment: not visible in /proc/PID/cmdline
            psi.Environment["RCLONE_RC_USER"] = user;
            psi.Environment["RCLONE_RC_PASS"] = pass;
            psi.Environment.Remove("RCLONE_RC_NO_AUTH");

            Process watcher;
            try
            {
                watcher = Process.Start(psi) ?? throw new IOException("could not start /bin/sh");
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new UserException($"couldn't start rclone: {e.Message}", 1);
            }
            var http = new HttpClient(new SocketsHttpHandler
            {
                MaxConnectionsPerServer = 256,
                PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
                AutomaticDecompression = DecompressionMethods.None,
                UseProxy = false,
            })
            {
                BaseAddress = new Uri($"http://127.0.0.1:{port}/"),
                Timeout = Timeout.InfiniteTimeSpan,
            };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + pass)));
            var daemon = new RcloneDaemon(watcher, http, port, binary, configPath, flags, env);
            daemon.StartReaders();
            try
            {
                using var reg = ct.Register(() => daemon._ready.TrySetCanceled(ct));
                await daemon._ready.Task.ConfigureAwait(false);
                return daemon;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                last = e;
                await daemon.DisposeAsync().ConfigureAwait(false);
                // a port taken between our probe and rclone's bind: try another
                if (!e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase)) break;
            }
            catch
            {
                await daemon.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        throw new UserException($"couldn't start rclone ({binary}): {last?.Message}", 1);
    }

    private static string Seconds(TimeSpan t) =>
        t <= TimeSpan.Zero ? "0" : ((long)Math.Ceiling(t.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture) + "s";

    private static int FreePort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    private void StartReaders()
    {
        _ = Task.Run(async () =>
        {
            try
            {
                while (await _watcher.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
                    if (line.StartsWith("pid ", StringComparison.Ordinal) && int.TryParse(line[4..], out var pid)) RclonePid = pid;
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException) { }
        });
        _ = Task.Run(async () =>
        {
            try
            {
                while (await _watcher.StandardError.ReadLineAsync().ConfigureAwait(false) is { } line)
                {
                    lock (_stderrTail)
                    {
                        _stderrTail.AddLast(line.Length > 400 ? line[..400] : line);
                        while (_stderrTail.Count > 8) _stderrTail.RemoveFirst();
                    }
                    if (line.Contains("Serving remote control on", StringComparison.Ordinal)) _ready.TrySetResult(true);
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException) { }
            // stderr closed: rclone is gone; if it never served, say why
            _ready.TrySetException(new IOException(StderrTail.Length > 0 ? StderrTail : "rclone rcd exited"));
        });
    }

    /// <summary>
    /// Calls one rc method with a JSON body; returns the JSON answer. An answer with an error becomes
    /// an <see cref="RcloneRcException"/> carrying rclone's message and HTTP status.
    /// </summary>
    public async Task<JsonElement> CallAsync(string method, JsonObject body, CancellationToken ct)
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body.ToJsonString()));
        // rclone takes a JSON body only under exactly this type (no "; charset=")
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        HttpResponseMessage resp;
        try
        {
            resp = await _http.PostAsync(method, content, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new HttpRequestException($"rclone rcd does not answer ({e.Message}){Died()}", e);
        }
        using (resp)
        {
            var text = await resp.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            JsonElement json;
            try
            {
                json = JsonDocument.Parse(text.Length == 0 ? "{}" : text).RootElement.Clone();
            }
            catch (JsonException)
            {
                throw new RcloneRcException(method, (int)resp.StatusCode, text.Length > 200 ? text[..200] : text);
            }
            if (!resp.IsSuccessStatusCode || (json.ValueKind == JsonValueKind.Object && json.TryGetProperty("error", out var err) && err.ValueKind == JsonValueKind.String))
            {
                var msg = json.ValueKind == JsonValueKind.Object && json.TryGetProperty("error", out var m) ? m.GetString() ?? "" : resp.ReasonPhrase ?? "";
                var status = json.ValueKind == JsonValueKind.Object && json.TryGetProperty("status", out var s) && s.TryGetInt32(out var si) ? si : (int)resp.StatusCode;
                throw new RcloneRcException(method, status, msg);
            }
            return json;
        }
    }

    /// <summary>Downloads an object through --rc-serve: GET /[fs]/path. Null when it is not there.</summary>
    public async Task<Stream?> OpenReadAsync(string fs, string path, CancellationToken ct)
    {
        var url = "%5B" + Uri.EscapeDataString(fs) + "%5D/" + string.Join('/', path.Split('/').Select(Uri.EscapeDataString));
        var req = new HttpRequestMessage(HttpMethod.Get, url);
        HttpResponseMessage resp;
        try
        {
            resp = await _http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            req.Dispose();
            throw new HttpRequestException($"rclone rcd does not answer ({e.Message}){Died()}", e);
        }
        if (resp.StatusCode == HttpStatusCode.NotFound)
        {
            resp.Dispose();
            req.Dispose();
            return null;
        }
        if (!resp.IsSuccessStatusCode)
        {
            var text = await resp.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            resp.Dispose();
            req.Dispose();
            throw new RcloneRcException("download", (int)resp.StatusCode, text.Trim().Length > 0 ? text.Trim() : resp.ReasonPhrase ?? "");
        }
        var stream = await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        return new OwningStream(stream, resp, req);
    }

    private string Died() => _watcher.HasExited ? $": rclone has exited: {StderrTail}" : "";

    /// <summary>Closes our end of the watcher's pipe, as the kernel does when this process dies (tests use it).</summary>
    internal void CloseWatcherPipe()
    {
        try { _watcher.StandardInput.Close(); }
        catch (IOException) { }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _http.Dispose();
        CloseWatcherPipe();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await _watcher.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // the watcher did not stop rclone in time: end both, by their ids
            try { if (RclonePid > 0) Process.GetProcessById(RclonePid).Kill(); }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception) { }
            try { _watcher.Kill(true); }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception) { }
        }
        _watcher.Dispose();
    }

    /// <summary>A response stream that disposes its response.</summary>
    private sealed class OwningStream(Stream inner, HttpResponseMessage resp, HttpRequestMessage req) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => inner.ReadAsync(buffer, ct);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => inner.ReadAsync(buffer, offset, count, ct);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                resp.Dispose();
                req.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
