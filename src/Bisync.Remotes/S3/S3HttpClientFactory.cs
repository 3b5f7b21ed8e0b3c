using Amazon.Runtime;

namespace Bisync.Remotes.S3;

/// <summary>
/// The S3 client's HTTP connections. Idle pooled connections are dropped after a few seconds,
/// sooner than common servers close them (Node.js and Apache close idle keep-alive connections
/// after 5 s): reusing a connection the server is closing at that moment fails the request, which
/// then costs a low-level retry. Time limits are left to --timeout (an idle timeout, so a long
/// upload that keeps moving is never cut) and --contimeout. A small body is sent with its headers
/// (see <see cref="SmallBodiesAtOnce"/>).
/// </summary>
internal sealed class S3HttpClientFactory(TimeSpan connectTimeout) : HttpClientFactory
{
    public static readonly TimeSpan IdleConnectionLifetime = TimeSpan.FromSeconds(4);

    public override HttpClient CreateHttpClient(IClientConfig clientConfig)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = IdleConnectionLifetime,
            ConnectTimeout = connectTimeout > TimeSpan.Zero ? connectTimeout : Timeout.InfiniteTimeSpan,
            AllowAutoRedirect = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
        };
        return new HttpClient(new SmallBodiesAtOnce(handler), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    // One pool per S3 client, disposed with it.
    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => true;
    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;
    public override string? GetConfigUniqueString(IClientConfig clientConfig) => null;

    /// <summary>Bodies up to this size go without "Expect: 100-continue".</summary>
    public const long SendAtOnce = 1 << 20;

    /// <summary>
    /// The SDK asks every PUT to wait for the server's "100 Continue" before sending its body: a whole
    /// round trip per request, which for a small file costs more than the body itself (a first sync of
    /// many small files spent a good part of its time there). A body up to <see cref="SendAtOnce"/>
    /// goes with its headers, as rclone sends every body; a larger one still waits, so a refused
    /// request (a wrong signature or region) is not answered only after its body was sent.
    /// </summary>
    internal sealed class SmallBodiesAtOnce(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            if (request.Headers.ExpectContinue == true && request.Content?.Headers.ContentLength is { } n && n <= SendAtOnce)
                request.Headers.ExpectContinue = false;
            return base.SendAsync(request, ct);
        }
    }
}
