using Amazon.Runtime;

namespace Bisync.Remotes.S3;

/// <summary>
/// The S3 client's HTTP connections. Idle pooled connections are dropped after a few seconds,
/// sooner than common servers close them (Node.js and Apache close idle keep-alive connections
/// after 5 s): reusing a connection the server is closing at that moment fails the request, which
/// then costs a low-level retry. Time limits are left to --timeout (an idle timeout, so a long
/// upload that keeps moving is never cut) and --contimeout.
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
        return new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    // One pool per S3 client, disposed with it.
    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => true;
    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;
    public override string? GetConfigUniqueString(IClientConfig clientConfig) => null;
}
