using System.Net;
using System.Net.Sockets;
using System.Text;
using Bisync.Remotes.S3;

namespace Bisync.UnitTests.Remotes;

/// <summary>
/// A small S3 upload sends its body with its headers: the SDK's "Expect: 100-continue" would cost a
/// round trip per file for the server's go-ahead. A large one still asks first. Checked on the wire,
/// against a listener in this process that records each PUT's headers and answers as S3 does.
/// </summary>
public class S3SmallPutTests
{
    /// <summary>Answers PUTs on 127.0.0.1 (with "100 Continue" first when asked); keeps each request's head.</summary>
    private sealed class PutRecorder : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        public readonly List<string> Heads = [];

        /// <summary>Answer as a server that stored an empty object, whatever came.</summary>
        public volatile bool StoreEmpty;
        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public PutRecorder()
        {
            _listener.Start();
            _ = Task.Run(AcceptAsync);
        }

        private async Task AcceptAsync()
        {
            while (true)
            {
                TcpClient c;
                try { c = await _listener.AcceptTcpClientAsync(); }
                catch (Exception e) when (e is ObjectDisposedException or SocketException) { return; }
                _ = Task.Run(() => ServeAsync(c));
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using var c = client;
            var s = c.GetStream();
            try
            {
                while (true)
                {
                    var head = await ReadHeadAsync(s);
                    if (head is null) return;
                    lock (Heads) Heads.Add(head);
                    var lines = head.Split("\r\n");
                    long length = lines.Where(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                        .Select(l => long.Parse(l[15..].Trim())).FirstOrDefault();
                    if (lines.Any(l => l.Equals("Expect: 100-continue", StringComparison.OrdinalIgnoreCase)))
                        await s.WriteAsync("HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray());
                    var buf = new byte[64 * 1024];
                    using var md5 = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.MD5);
                    for (long left = length; left > 0;)
                    {
                        var n = await s.ReadAsync(buf.AsMemory(0, (int)Math.Min(buf.Length, left)));
                        if (n == 0) return;
                        md5.AppendData(buf, 0, n);
                        left -= n;
                    }
                    // The ETag of a single-part object is the md5 of the bytes stored (none, when StoreEmpty).
                    var etag = StoreEmpty ? "d41d8cd98f00b204e9800998ecf8427e" : Convert.ToHexStringLower(md5.GetHashAndReset());
                    await s.WriteAsync(Encoding.ASCII.GetBytes(
                        $"HTTP/1.1 200 OK\r\nETag: \"{etag}\"\r\nContent-Length: 0\r\n\r\n"));
                }
            }
            catch (IOException)
            {
            }
        }

        private static async Task<string?> ReadHeadAsync(NetworkStream s)
        {
            var sb = new StringBuilder();
            var one = new byte[1];
            while (!sb.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
            {
                if (await s.ReadAsync(one) == 0) return null;
                sb.Append((char)one[0]);
            }
            return sb.ToString();
        }

        public void Dispose() => _listener.Stop();
    }

    private static S3Storage Open(PutRecorder server) => new(new S3Settings
    {
        Provider = "Other",
        AccessKeyId = "AK",
        SecretAccessKey = "SK",
        Endpoint = $"http://127.0.0.1:{server.Port}",
        Region = "us-east-1",
    }, "bucket", "s3test:bucket");

    [Fact]
    public async Task A_small_body_goes_without_Expect_100_continue_and_a_large_one_still_asks()
    {
        using var server = new PutRecorder();
        await using var s3 = Open(server);
        var small = new byte[300];
        var large = new byte[S3HttpClientFactory.SendAtOnce + 1];
        await s3.PutAsync("small.txt", new MemoryStream(small), small.Length, 0, CancellationToken.None);
        await s3.PutAsync("large.bin", new MemoryStream(large), large.Length, 0, CancellationToken.None);

        var smallHead = Assert.Single(server.Heads, h => h.StartsWith("PUT /bucket/small.txt "));
        var largeHead = Assert.Single(server.Heads, h => h.StartsWith("PUT /bucket/large.bin "));
        Assert.DoesNotContain("100-continue", smallHead, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Expect: 100-continue", largeHead, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task An_upload_the_server_stored_otherwise_fails_and_may_be_tried_again()
    {
        using var server = new PutRecorder { StoreEmpty = true };
        await using var s3 = Open(server);
        var ex = await Assert.ThrowsAsync<IOException>(() => s3.PutAsync("f.txt", new MemoryStream(new byte[150]), 150, 0, CancellationToken.None));
        Assert.Contains("corrupted on transfer", ex.Message);
        Assert.True(Bisync.Remotes.Wrappers.TransientErrors.IsTransient(ex));

        server.StoreEmpty = false;
        await s3.PutAsync("f.txt", new MemoryStream(new byte[150]), 150, 0, CancellationToken.None);
        await s3.PutAsync("empty.txt", new MemoryStream([]), 0, 0, CancellationToken.None);
    }
}
