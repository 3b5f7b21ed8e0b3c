using System.Net;
using System.Text;
using Bisync.Remotes.S3;

namespace Bisync.UnitTests.Remotes;

/// <summary>
/// The S3 cleaner of unfinished multipart uploads, against a stub that speaks the three calls it makes
/// (ListMultipartUploads, ListParts, AbortMultipartUpload): the test S3 server (s3rver) has none of
/// them, so this is the corner test of what the cleaner asks and what it aborts.
/// </summary>
public sealed class S3UploadCleanerTests : IDisposable
{
    private readonly HttpListener _http = new();
    private readonly List<string> _requests = [];
    private readonly int _port;
    private readonly CancellationTokenSource _stop = new();

    private static readonly DateTime Now = DateTime.UtcNow;
    private static string Iso(DateTime t) => t.ToString("yyyy-MM-ddTHH:mm:ss.fffZ");

    /// <summary>Uploads under bucket "b": key, upload id, started, last part written.</summary>
    private readonly (string Key, string Id, DateTime Started, DateTime LastPart)[] _uploads =
    [
        ("dir/old.bin", "U1", Now.AddDays(-3), Now.AddDays(-3)),         // abandoned: aborted
        ("dir/sub/older.bin", "U2", Now.AddDays(-5), Now.AddDays(-5)),   // abandoned, on the second page: aborted
        ("dir/slow.bin", "U3", Now.AddDays(-3), Now.AddMinutes(-1)),     // old, but a part came a minute ago: someone is writing
        ("dir/new.bin", "U4", Now.AddMinutes(-2), Now.AddMinutes(-2)),   // too young
    ];

    public S3UploadCleanerTests()
    {
        for (var attempt = 0; ; attempt++)
        {
            _port = Random.Shared.Next(20000, 60000);
            _http.Prefixes.Clear();
            _http.Prefixes.Add($"http://127.0.0.1:{_port}/");
            try { _http.Start(); break; }
            catch (HttpListenerException) when (attempt < 20) { }
        }
        _ = Task.Run(ServeAsync);
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext c;
            try { c = await _http.GetContextAsync(); }
            catch (Exception) { return; }
            var q = c.Request.QueryString;
            var path = Uri.UnescapeDataString(c.Request.Url!.AbsolutePath).TrimEnd('/');
            lock (_requests) _requests.Add($"{c.Request.HttpMethod} {path}?{c.Request.Url.Query.TrimStart('?')}");
            var body = "";
            var status = 200;
            if (c.Request.HttpMethod == "GET" && path == "/b" && c.Request.Url.Query.Contains("uploads", StringComparison.Ordinal))
            {
                // Two pages: the first two uploads in key order, then the rest.
                var sorted = _uploads.Where(u => u.Key.StartsWith(q["prefix"] ?? "", StringComparison.Ordinal))
                    .OrderBy(u => u.Key, StringComparer.Ordinal).ToList();
                var after = q["key-marker"];
                var rest = after is null ? sorted : sorted.Where(u => string.CompareOrdinal(u.Key, after) > 0).ToList();
                var page = rest.Take(2).ToList();
                var truncated = rest.Count > 2;
                var sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListMultipartUploadsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Bucket>b</Bucket>");
                sb.Append($"<IsTruncated>{(truncated ? "true" : "false")}</IsTruncated>");
                if (truncated) sb.Append($"<NextKeyMarker>{page[^1].Key}</NextKeyMarker><NextUploadIdMarker>{page[^1].Id}</NextUploadIdMarker>");
                foreach (var u in page)
                    sb.Append($"<Upload><Key>{u.Key}</Key><UploadId>{u.Id}</UploadId><Initiated>{Iso(u.Started)}</Initiated></Upload>");
                body = sb.Append("</ListMultipartUploadsResult>").ToString();
            }
            else if (c.Request.HttpMethod == "GET" && q["uploadId"] is { } id)
            {
                var u = _uploads.Single(x => x.Id == id);
                body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListPartsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" +
                       $"<Bucket>b</Bucket><Key>{u.Key}</Key><UploadId>{u.Id}</UploadId><IsTruncated>false</IsTruncated>" +
                       $"<Part><PartNumber>1</PartNumber><LastModified>{Iso(u.LastPart)}</LastModified><ETag>\"0\"</ETag><Size>5242880</Size></Part>" +
                       "</ListPartsResult>";
            }
            else if (c.Request.HttpMethod == "DELETE" && q["uploadId"] is not null)
            {
                status = 204;
            }
            else
            {
                status = 400;
                body = $"<Error><Code>Unexpected</Code><Message>{c.Request.HttpMethod} {c.Request.RawUrl}</Message></Error>";
            }
            c.Response.StatusCode = status;
            var bytes = Encoding.UTF8.GetBytes(body);
            if (bytes.Length > 0) c.Response.ContentType = "application/xml";
            c.Response.ContentLength64 = bytes.Length;
            await c.Response.OutputStream.WriteAsync(bytes);
            c.Response.Close();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _http.Close();
    }

    [Fact]
    public async Task Only_uploads_abandoned_for_longer_than_the_minimum_age_are_aborted()
    {
        var settings = new S3Settings { Endpoint = $"http://127.0.0.1:{_port}", AccessKeyId = "k", SecretAccessKey = "s", Provider = "Other" };
        await using var s3 = new S3Storage(settings, "b/dir", "s3t:b/dir/");
        var removed = await s3.CleanTemporariesAsync([], TimeSpan.FromHours(1), CancellationToken.None);

        Assert.Equal(["old.bin (unfinished multipart upload)", "sub/older.bin (unfinished multipart upload)"], removed.Order(StringComparer.Ordinal));
        string[] deletes;
        lock (_requests) deletes = _requests.Where(r => r.StartsWith("DELETE ", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["DELETE /b/dir/old.bin?uploadId=U1", "DELETE /b/dir/sub/older.bin?uploadId=U2"], deletes);
        lock (_requests) Assert.Equal(2, _requests.Count(r => r.StartsWith("GET /b?", StringComparison.Ordinal) && r.Contains("uploads")));
    }
}
