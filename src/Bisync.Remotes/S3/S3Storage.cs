using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Bisync.Remotes.Config;
using Bisync.Remotes.Wrappers;
using Bisync.Storage;

namespace Bisync.Remotes.S3;

/// <summary>Settings of an s3 remote, from rclone.conf option names.</summary>
public sealed record S3Settings
{
    public string Provider { get; init; } = "AWS";
    public string? AccessKeyId { get; init; }
    public string? SecretAccessKey { get; init; }
    public string? SessionToken { get; init; }
    public bool EnvAuth { get; init; }
    public string Region { get; init; } = "us-east-1";
    public string? Endpoint { get; init; }
    public bool ForcePathStyle { get; init; } = true;
    public long UploadCutoff { get; init; } = 200L << 20;
    public long ChunkSize { get; init; } = 5L << 20;
    public bool NoCheckBucket { get; init; }
    /// <summary>list_chunk: keys per listing request (S3's maximum and rclone's default is 1000).</summary>
    public int ListChunk { get; init; } = 1000;
    /// <summary>list_version: 1 = ListObjects (marker paging), 2 or 0 (auto) = ListObjectsV2.</summary>
    public int ListVersion { get; init; }
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>How many HEAD requests a listing may run at once to read modification times.</summary>
    public int Checkers { get; init; } = 8;

    public static S3Settings From(RemoteConfig cfg)
    {
        var envAuth = cfg.GetBool("env_auth", false);
        var key = cfg.Get("access_key_id");
        var secret = cfg.Get("secret_access_key");
        if (!envAuth)
        {
            if (!string.IsNullOrEmpty(key) && string.IsNullOrEmpty(secret))
                throw new UserException($"Failed to create file system for \"{cfg.Display}\": secret_access_key not found", 1);
            if (string.IsNullOrEmpty(key) && !string.IsNullOrEmpty(secret))
                throw new UserException($"Failed to create file system for \"{cfg.Display}\": access_key_id not found", 1);
        }
        var chunk = cfg.GetSize("chunk_size", 5L << 20);
        if (chunk < 5L << 20)
            throw new UserException($"Failed to create file system for \"{cfg.Display}\": s3: chunk_size: {chunk} is less than 5Mi", 1);
        return new S3Settings
        {
            Provider = cfg.GetString("provider", "AWS"),
            AccessKeyId = string.IsNullOrEmpty(key) ? null : key,
            SecretAccessKey = string.IsNullOrEmpty(secret) ? null : secret,
            SessionToken = cfg.Get("session_token") is { Length: > 0 } t ? t : null,
            EnvAuth = envAuth,
            Region = cfg.GetString("region", "us-east-1"),
            Endpoint = cfg.Get("endpoint") is { Length: > 0 } e ? e : null,
            ForcePathStyle = cfg.GetBool("force_path_style", true),
            UploadCutoff = cfg.GetSize("upload_cutoff", 200L << 20),
            ChunkSize = chunk,
            NoCheckBucket = cfg.GetBool("no_check_bucket", false),
            ListChunk = Math.Clamp(cfg.GetInt("list_chunk", 1000), 1, 1000),
            ListVersion = cfg.GetInt("list_version", 0) is var lv and (0 or 1 or 2) ? lv
                : throw new UserException($"Failed to create file system for \"{cfg.Display}\": s3 option \"list_version\" must be 0, 1 or 2", 1),
        };
    }
}

/// <summary>
/// An S3 bucket (or all buckets, for a root without one) through AWSSDK.S3. Directories are virtual
/// (key prefixes). The modification time lives in the user metadata "mtime" in rclone's format, so
/// rclone and this backend read each other's objects alike; objects without it fall back to
/// LastModified. MD5 ("md5:hex" in <see cref="StorageEntry.Hash"/>) comes from single-part ETags,
/// or from the "md5chksum" metadata of multipart uploads.
/// </summary>
public sealed class S3Storage : IStorage, IMover, IConnectable, IRecursiveLister, ITemporaryCleaner, INameLister
{
    private const string MtimeKey = "x-amz-meta-mtime";
    private const string Md5Key = "x-amz-meta-md5chksum";
    private const int MaxParts = 10_000;

    private readonly S3Settings _settings;
    private readonly AmazonS3Client _client;
    private readonly string _rootBucket;
    private readonly string _rootPrefix;

    public S3Storage(S3Settings settings, string rootPath, string display)
    {
        _settings = settings;
        Root = display;
        var p = rootPath.Trim('/');
        var slash = p.IndexOf('/');
        _rootBucket = slash < 0 ? p : p[..slash];
        _rootPrefix = slash < 0 ? "" : p[(slash + 1)..];
        _client = CreateClient(settings);
    }

    public string Type => "s3";
    public string Root { get; }

    public StorageFeatures Features { get; } = new()
    {
        ModTimePrecisionNs = 1,
        Hashes = ["md5"],
        CanHaveEmptyDirectories = false,
        IsLocal = false,
        CanSetModTime = true,
    };

    private static AmazonS3Client CreateClient(S3Settings s)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = s.ForcePathStyle,
            AuthenticationRegion = s.Region,
            // Retries belong to the retry decorator (--low-level-retries), not to the SDK.
            MaxErrorRetry = 0,
            // Plain S3-compatible servers (s3rver, older MinIO) do not understand the SDK's default
            // trailing checksums sent with aws-chunked framing: they would store the framing as data.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            ConnectTimeout = s.ConnectTimeout,
            HttpClientFactory = new S3HttpClientFactory(s.ConnectTimeout),
        };
        if (s.Endpoint is { } ep)
        {
            config.ServiceURL = ep.Contains("://", StringComparison.Ordinal) ? ep : "https://" + ep;
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(s.Region);
        }
        AWSCredentials creds;
        if (s.AccessKeyId is not null && s.SecretAccessKey is not null)
            creds = s.SessionToken is null
                ? new BasicAWSCredentials(s.AccessKeyId, s.SecretAccessKey)
                : new SessionAWSCredentials(s.AccessKeyId, s.SecretAccessKey, s.SessionToken);
        else if (s.EnvAuth)
            creds = Amazon.Runtime.Credentials.DefaultAWSCredentialsIdentityResolver.GetCredentials();
        else
            creds = new AnonymousAWSCredentials();
        var client = new AmazonS3Client(creds, config);
        // The SDK escapes the '/' between bucket and key in x-amz-copy-source; S3 accepts a plain '/'
        // as well, and some S3-compatible servers (s3rver) accept only that.
        ((AmazonServiceClient)client).BeforeRequestEvent += (_, e) =>
        {
            if (e is WebServiceRequestEventArgs w && w.Headers.TryGetValue("x-amz-copy-source", out var v))
                w.Headers["x-amz-copy-source"] = v.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
        };
        return client;
    }

    /// <summary>Checks that the server answers and the bucket (when there is one) is reachable.</summary>
    public async Task ConnectAsync(CancellationToken ct)
    {
        if (_rootBucket.Length == 0)
        {
            await _client.ListBucketsAsync(new ListBucketsRequest(), ct).ConfigureAwait(false);
            return;
        }
        try
        {
            await ListPageAsync(_rootBucket, "", null, 1, null, ct).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchBucket")
        {
            // fine: Mkdir creates it, listing reports "directory not found"
        }
    }

    /// <summary>(bucket, key) for a path relative to the root; key "" is the bucket itself.</summary>
    private (string Bucket, string Key) Resolve(string rel)
    {
        rel = S3KeyNames.Encode(rel);
        if (_rootBucket.Length > 0)
        {
            var key = _rootPrefix.Length == 0 ? rel : rel.Length == 0 ? _rootPrefix : _rootPrefix + "/" + rel;
            return (_rootBucket, key);
        }
        var slash = rel.IndexOf('/');
        return slash < 0 ? (rel, "") : (rel[..slash], rel[(slash + 1)..]);
    }

    private static string Join(string dir, string name) => dir.Length == 0 ? name : dir + "/" + name;

    private sealed record Page(List<S3Object> Objects, List<string> Prefixes, string? Next);

    /// <summary>One page of a listing, with ListObjectsV2 or, when list_version = 1, ListObjects.</summary>
    private async Task<Page> ListPageAsync(string bucket, string prefix, string? delimiter, int maxKeys, string? token, CancellationToken ct)
    {
        if (_settings.ListVersion == 1)
        {
            var r1 = await _client.ListObjectsAsync(new ListObjectsRequest
            {
                BucketName = bucket,
                Prefix = prefix,
                Delimiter = delimiter,
                MaxKeys = maxKeys,
                Marker = token,
            }, ct).ConfigureAwait(false);
            var objs = r1.S3Objects ?? [];
            var prefs = r1.CommonPrefixes ?? [];
            string? next = null;
            if (r1.IsTruncated == true)
            {
                next = r1.NextMarker;
                if (string.IsNullOrEmpty(next))
                {
                    var lastKey = objs.Count > 0 ? objs[^1].Key : null;
                    var lastPrefix = prefs.Count > 0 ? prefs[^1] : null;
                    next = string.CompareOrdinal(lastKey, lastPrefix) >= 0 ? lastKey : lastPrefix;
                }
            }
            return new Page(objs, prefs, next);
        }
        var r2 = await _client.ListObjectsV2Async(new ListObjectsV2Request
        {
            BucketName = bucket,
            Prefix = prefix,
            Delimiter = delimiter,
            MaxKeys = maxKeys,
            ContinuationToken = token,
        }, ct).ConfigureAwait(false);
        return new Page(r2.S3Objects ?? [], r2.CommonPrefixes ?? [], r2.IsTruncated == true ? r2.NextContinuationToken : null);
    }

    /// <summary>
    /// Every object below the root, from one flat (delimiter-less) paged listing, each with its
    /// mtime from a HEAD, a few at a time. Besides being fewer requests, this does not depend on the
    /// server's grouping of common prefixes (s3rver drops a level that holds only sub-prefixes).
    /// Without <paramref name="modTimes"/>, an object whose ETag is its MD5 (a single-part upload) is
    /// listed as the listing gives it, with no HEAD: its checksum says what it is, its time is left out.
    /// </summary>
    /// <remarks>Only below a bucket: with no bucket in the root there is no one key space to list.</remarks>
    public T? Capability<T>() where T : class => typeof(T) == typeof(IRecursiveLister) && _rootBucket.Length == 0 ? null : this as T;

    public async IAsyncEnumerable<StorageEntry> ListRecursiveAsync(bool modTimes, [EnumeratorCancellation] CancellationToken ct)
    {
        var (bucket, key) = Resolve("");
        if (bucket.Length == 0) throw new NotSupportedException("a recursive listing needs a bucket");
        var prefix = key.Length == 0 ? "" : key + "/";
        string? token = null;
        do
        {
            Page page;
            try
            {
                page = await ListPageAsync(bucket, prefix, null, _settings.ListChunk, token, ct).ConfigureAwait(false);
            }
            catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchBucket")
            {
                throw new DirectoryNotFoundException($"directory not found: {Root}");
            }
            var files = page.Objects.Where(o => o.Key.Length > prefix.Length && !o.Key.EndsWith('/')).ToList();
            foreach (var e in await WithModTimesAsync(bucket, "", prefix, files, modTimes, ct).ConfigureAwait(false)) yield return e;
            token = page.Next;
        } while (token is not null);
    }

    public async IAsyncEnumerable<StorageEntry> ListAsync(string dir, [EnumeratorCancellation] CancellationToken ct)
    {
        var (bucket, key) = Resolve(dir);
        if (bucket.Length == 0)
        {
            var buckets = await _client.ListBucketsAsync(new ListBucketsRequest(), ct).ConfigureAwait(false);
            foreach (var b in buckets.Buckets ?? [])
                yield return new StorageEntry(b.BucketName, 0, b.CreationDate is { } cd ? TimeConv.ToUnixNs(cd.ToUniversalTime()) : 0, true);
            yield break;
        }
        var prefix = key.Length == 0 ? "" : key + "/";
        var files = new List<S3Object>();
        var dirs = new List<string>();
        string? token = null;
        do
        {
            Page page;
            try
            {
                page = await ListPageAsync(bucket, prefix, "/", _settings.ListChunk, token, ct).ConfigureAwait(false);
            }
            catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchBucket")
            {
                throw new DirectoryNotFoundException($"directory not found: {Join(Root, dir)}");
            }
            foreach (var cp in page.Prefixes)
            {
                var name = cp[prefix.Length..].TrimEnd('/');
                if (name.Length > 0) dirs.Add(S3KeyNames.Decode(name));
            }
            foreach (var o in page.Objects)
            {
                var name = o.Key[prefix.Length..];
                if (name.Length == 0 || name.EndsWith('/')) continue; // directory marker objects
                files.Add(o);
            }
            token = page.Next;
        } while (token is not null);

        if (dir.Length > 0 && key.Length > 0 && files.Count == 0 && dirs.Count == 0)
            throw new DirectoryNotFoundException($"directory not found: {Join(Root, dir)}");

        foreach (var d in dirs)
            yield return new StorageEntry(Join(dir, d), 0, 0, true);

        foreach (var e in await WithModTimesAsync(bucket, dir, prefix, files, true, ct).ConfigureAwait(false)) yield return e;
    }

    /// <summary>
    /// The listing does not carry user metadata: read each object's mtime with HEAD, a few at a
    /// time (--checkers). Paths are <paramref name="dir"/> joined with the key after <paramref name="prefix"/>.
    /// Without <paramref name="modTimes"/>, only the objects whose ETag is not their MD5 are read (for
    /// the MD5 a multipart upload keeps in metadata); the others get <see cref="StorageEntry.NoTime"/>.
    /// </summary>
    private async Task<StorageEntry[]> WithModTimesAsync(string bucket, string dir, string prefix, List<S3Object> files, bool modTimes, CancellationToken ct)
    {
        var results = new StorageEntry[files.Count];
        var toRead = new List<int>(modTimes ? files.Count : 0);
        for (var i = 0; i < files.Count; i++)
        {
            var o = files[i];
            if (!modTimes && Md5FromETag(o.ETag) is { } md5)
                results[i] = new StorageEntry(Join(dir, S3KeyNames.Decode(o.Key[prefix.Length..])), o.Size ?? 0, StorageEntry.NoTime, false, md5);
            else
                toRead.Add(i);
        }
        await Parallel.ForEachAsync(toRead,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _settings.Checkers), CancellationToken = ct },
            async (i, token2) =>
            {
                var o = files[i];
                var path = Join(dir, S3KeyNames.Decode(o.Key[prefix.Length..]));
                var head = await HeadAsync(bucket, o.Key, token2).ConfigureAwait(false);
                TransferActivity.Touch();
                results[i] = head is null
                    ? new StorageEntry(path, o.Size ?? 0, LastModifiedNs(o.LastModified), false, Md5FromETag(o.ETag))
                    : ToEntry(path, head);
            }).ConfigureAwait(false);
        return results;
    }

    private static long LastModifiedNs(DateTime? lm) => lm is { } t ? TimeConv.ToUnixNs(t.ToUniversalTime()) : 0;

    private static string? Md5FromETag(string? etag)
    {
        if (etag is null) return null;
        var t = etag.Trim('"');
        return t.Length == 32 && !t.Contains('-') ? "md5:" + t.ToLowerInvariant() : null;
    }

    private static StorageEntry ToEntry(string path, GetObjectMetadataResponse head)
    {
        long mtime = S3MetaTime.TryParse(head.Metadata[MtimeKey], out var ns) ? ns : LastModifiedNs(head.LastModified);
        var md5 = Md5FromETag(head.ETag);
        if (md5 is null && head.Metadata[Md5Key] is { Length: > 0 } b64)
        {
            try { md5 = "md5:" + Convert.ToHexStringLower(Convert.FromBase64String(b64)); }
            catch (FormatException) { }
        }
        return new StorageEntry(path, head.ContentLength, mtime, false, md5);
    }

    private async Task<GetObjectMetadataResponse?> HeadAsync(string bucket, string key, CancellationToken ct)
    {
        try
        {
            return await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = key }, ct).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<StorageEntry?> StatAsync(string path, CancellationToken ct)
    {
        var (bucket, key) = Resolve(path);
        if (bucket.Length == 0) return new StorageEntry("", 0, 0, true);
        if (key.Length == 0)
        {
            try
            {
                await ListPageAsync(bucket, "", null, 1, null, ct).ConfigureAwait(false);
                return new StorageEntry(path, 0, 0, true);
            }
            catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchBucket" || e.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
        }
        var head = await HeadAsync(bucket, key, ct).ConfigureAwait(false);
        if (head is not null) return ToEntry(path, head);
        try
        {
            var page = await ListPageAsync(bucket, key + "/", null, 1, null, ct).ConfigureAwait(false);
            return page.Objects.Count > 0 ? new StorageEntry(path, 0, 0, true) : null;
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchBucket")
        {
            return null;
        }
    }

    public async Task<Stream> OpenReadAsync(string path, CancellationToken ct)
    {
        var (bucket, key) = Resolve(path);
        try
        {
            var resp = await _client.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = key }, ct).ConfigureAwait(false);
            return new ResponseStream(resp);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new FileNotFoundException($"file not found: {path}");
        }
    }

    /// <summary>
    /// The names directly under a directory's prefix (objects and common prefixes, from LIST pages
    /// with a delimiter, no HEADs): what the re-check before an upload needs to know whether the
    /// destination is still free. Null past <paramref name="limit"/> names, or with no bucket in the root.
    /// </summary>
    public async Task<IReadOnlySet<string>?> ListNamesAsync(string dir, int limit, CancellationToken ct)
    {
        var (bucket, key) = Resolve(dir);
        if (bucket.Length == 0) return null;
        var prefix = key.Length == 0 ? "" : key + "/";
        var names = new HashSet<string>(StringComparer.Ordinal);
        string? token = null;
        do
        {
            Page page;
            try
            {
                page = await ListPageAsync(bucket, prefix, "/", _settings.ListChunk, token, ct).ConfigureAwait(false);
            }
            catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchBucket")
            {
                return names;
            }
            foreach (var cp in page.Prefixes)
                if (cp.Length > prefix.Length + 1) names.Add(S3KeyNames.Decode(cp[prefix.Length..^1]));
            foreach (var o in page.Objects)
                if (o.Key.Length > prefix.Length && !o.Key.EndsWith('/')) names.Add(S3KeyNames.Decode(o.Key[prefix.Length..]));
            if (names.Count > limit) return null;
            token = page.Next;
        } while (token is not null);
        return names;
    }

    public async Task PutAsync(string path, Stream content, long size, long modTime, CancellationToken ct, CommitGuard? guard = null)
    {
        var (bucket, key) = Resolve(path);
        if (bucket.Length == 0 || key.Length == 0) throw new PermanentIOException($"can't upload to a bucket root: {path}");
        if (size >= 0 && size <= _settings.UploadCutoff)
        {
            Stream body;
            if (content.CanSeek)
            {
                body = content;
            }
            else
            {
                // The signature needs the payload's hash up front: hold the (small) body in memory.
                var ms = new MemoryStream(checked((int)size));
                await new ActivityStream(content).CopyToAsync(ms, ct).ConfigureAwait(false);
                ms.Position = 0;
                body = ms;
            }
            long available = body.CanSeek ? body.Length - body.Position : size;
            if (available != size)
                throw new PermanentIOException($"upload of {path}: source gave {available} bytes, expected {size}");
            var start = body.Position;
            var sent = Convert.ToHexStringLower(await MD5.HashDataAsync(new ActivityStream(body), ct).ConfigureAwait(false));
            body.Position = start;
            var req = new PutObjectRequest
            {
                BucketName = bucket,
                Key = key,
                InputStream = new ActivityStream(body),
                AutoCloseStream = false,
                UseChunkEncoding = false,
                ContentType = "application/octet-stream",
            };
            req.Metadata[MtimeKey] = S3MetaTime.Format(modTime);
            req.Headers.ContentLength = size;
            var resp = await _client.PutObjectAsync(req, ct).ConfigureAwait(false);
            if (StoredOtherThan(resp, sent) is { } stored)
                throw new IOException($"upload of {path}: corrupted on transfer: the server stored bytes with md5 {stored}, sent {sent}");
            return;
        }
        await MultipartAsync(path, bucket, key, content, size, modTime, guard, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The md5 of what the server stored, from the ETag of a single-part upload, when it is not the md5
    /// of what was sent; null when they agree or the ETag is no md5 (KMS or customer-key encryption).
    /// A server that kept other bytes (s3rver, loaded, has stored empty objects) fails the upload
    /// there, as a transient error: the retry sends it again over the bad object.
    /// </summary>
    internal static string? StoredOtherThan(PutObjectResponse resp, string sentMd5Hex)
    {
        if (resp.ServerSideEncryptionMethod is { } sse && sse.Value.StartsWith("aws:kms", StringComparison.Ordinal)) return null;
        if (!string.IsNullOrEmpty(resp.ServerSideEncryptionCustomerMethod?.Value)) return null;
        return Md5FromETag(resp.ETag) is { } md5 && md5 != "md5:" + sentMd5Hex ? md5[4..] : null;
    }

    private async Task MultipartAsync(string path, string bucket, string key, Stream content, long size, long modTime, CommitGuard? guard, CancellationToken ct)
    {
        long chunk = _settings.ChunkSize;
        if (size > 0 && (size + chunk - 1) / chunk > MaxParts) chunk = (size + MaxParts - 1) / MaxParts;
        string? md5b64 = null;
        if (content.CanSeek)
        {
            var start = content.Position;
            md5b64 = Convert.ToBase64String(await MD5.HashDataAsync(new ActivityStream(content), ct).ConfigureAwait(false));
            content.Position = start;
        }
        var init = new InitiateMultipartUploadRequest { BucketName = bucket, Key = key, ContentType = "application/octet-stream" };
        init.Metadata[MtimeKey] = S3MetaTime.Format(modTime);
        if (md5b64 is not null) init.Metadata[Md5Key] = md5b64;
        var up = await _client.InitiateMultipartUploadAsync(init, ct).ConfigureAwait(false);
        var parts = new List<PartETag>();
        bool done = false;
        try
        {
            var buffer = new byte[chunk];
            long total = 0;
            for (int part = 1; ; part++)
            {
                int filled = 0;
                while (filled < buffer.Length)
                {
                    int n = await content.ReadAsync(buffer.AsMemory(filled), ct).ConfigureAwait(false);
                    TransferActivity.Touch(); // a slow source is progress too, not idleness
                    if (n == 0) break;
                    filled += n;
                }
                if (filled == 0 && part > 1) break;
                total += filled;
                using var ms = new MemoryStream(buffer, 0, filled, writable: false);
                var resp = await _client.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = bucket,
                    Key = key,
                    UploadId = up.UploadId,
                    PartNumber = part,
                    InputStream = new ActivityStream(ms),
                    PartSize = filled,
                    UseChunkEncoding = false,
                }, ct).ConfigureAwait(false);
                parts.Add(new PartETag(part, resp.ETag));
                if (filled < buffer.Length) break;
            }
            if (size >= 0 && total != size)
                throw new PermanentIOException($"upload of {key}: source gave {total} bytes, expected {size}");
            if (guard is not null && !await guard(ct).ConfigureAwait(false)) throw new CommitRefusedException(path);
            await _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = bucket,
                Key = key,
                UploadId = up.UploadId,
                PartETags = parts,
            }, ct).ConfigureAwait(false);
            done = true;
        }
        finally
        {
            if (!done)
            {
                try
                {
                    await _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = up.UploadId }, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception e) when (e is AmazonServiceException or AmazonClientException or IOException or HttpRequestException)
                {
                    // best effort: an unfinished multipart upload is never visible as an object
                }
            }
        }
    }

    /// <summary>Set once the server said it has no ListMultipartUploads (s3rver): not asked again.</summary>
    private volatile bool _noUploadListing;

    /// <summary>
    /// Aborts the multipart uploads a killed run left under the root (S3 keeps their parts, and bills
    /// them, until aborted; they never show as objects). S3 does not say who started an upload, so an
    /// upload counts as abandoned by age: started more than <paramref name="minAge"/> ago and no part
    /// uploaded for that long either (a live upload of a large file keeps adding parts). Uploads outside
    /// the root's prefix are never touched. A server without ListMultipartUploads is left as it is.
    /// </summary>
    public async Task<IReadOnlyList<string>> CleanTemporariesAsync(IReadOnlyList<string> found, TimeSpan minAge, CancellationToken ct)
    {
        var removed = new List<string>();
        var (bucket, key) = Resolve("");
        if (bucket.Length == 0 || _noUploadListing) return removed;
        var prefix = key.Length == 0 ? "" : key + "/";
        var cutoff = DateTime.UtcNow - minAge;
        string? keyMarker = null, idMarker = null;
        var stale = new List<MultipartUpload>();
        do
        {
            ListMultipartUploadsResponse page;
            try
            {
                page = await _client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest
                {
                    BucketName = bucket,
                    Prefix = prefix,
                    KeyMarker = keyMarker,
                    UploadIdMarker = idMarker,
                }, ct).ConfigureAwait(false);
            }
            catch (AmazonS3Exception e) when (e.ErrorCode is "NotImplemented" or "MethodNotAllowed" or "NoSuchBucket"
                                              || e.StatusCode is HttpStatusCode.NotImplemented or HttpStatusCode.MethodNotAllowed)
            {
                _noUploadListing = e.ErrorCode != "NoSuchBucket";
                return removed;
            }
            foreach (var u in page.MultipartUploads ?? [])
                if (u.Key.StartsWith(prefix, StringComparison.Ordinal) && u.Initiated is { } started && started.ToUniversalTime() < cutoff) stale.Add(u);
            keyMarker = page.IsTruncated == true ? page.NextKeyMarker : null;
            idMarker = page.IsTruncated == true ? page.NextUploadIdMarker : null;
        } while (keyMarker is not null);

        foreach (var u in stale)
        {
            var parts = await _client.ListPartsAsync(new ListPartsRequest { BucketName = bucket, Key = u.Key, UploadId = u.UploadId }, ct).ConfigureAwait(false);
            if ((parts.Parts ?? []).Any(p => p.LastModified is { } lm && lm.ToUniversalTime() >= cutoff)) continue;
            await _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = bucket, Key = u.Key, UploadId = u.UploadId }, ct).ConfigureAwait(false);
            removed.Add(S3KeyNames.Decode(u.Key[prefix.Length..]) + " (unfinished multipart upload)");
        }
        return removed;
    }

    /// <summary>Rewrites the object's metadata in place (server-side copy onto itself).</summary>
    public async Task SetModTimeAsync(string path, long modTime, CancellationToken ct)
    {
        var (bucket, key) = Resolve(path);
        var head = await HeadAsync(bucket, key, ct).ConfigureAwait(false) ?? throw new FileNotFoundException($"file not found: {path}");
        var req = new CopyObjectRequest
        {
            SourceBucket = bucket,
            SourceKey = key,
            DestinationBucket = bucket,
            DestinationKey = key,
            MetadataDirective = S3MetadataDirective.REPLACE,
            ContentType = head.Headers.ContentType,
        };
        foreach (var k in head.Metadata.Keys)
            req.Metadata[k] = head.Metadata[k];
        req.Metadata[MtimeKey] = S3MetaTime.Format(modTime);
        await _client.CopyObjectAsync(req, ct).ConfigureAwait(false);
    }

    public async Task DeleteAsync(string path, CancellationToken ct)
    {
        var (bucket, key) = Resolve(path);
        await _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = key }, ct).ConfigureAwait(false);
    }

    /// <summary>Directories are virtual; only a missing bucket is created.</summary>
    public async Task MkdirAsync(string dir, CancellationToken ct)
    {
        var (bucket, _) = Resolve(dir);
        if (bucket.Length == 0 || _settings.NoCheckBucket) return;
        try
        {
            await ListPageAsync(bucket, "", null, 1, null, ct).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchBucket")
        {
            try
            {
                await _client.PutBucketAsync(new PutBucketRequest { BucketName = bucket }, ct).ConfigureAwait(false);
            }
            catch (AmazonS3Exception e2) when (e2.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
            {
            }
        }
    }

    /// <summary>Directories are virtual: nothing to remove, but one that still holds objects is not empty.</summary>
    public async Task RmdirAsync(string dir, CancellationToken ct)
    {
        var (bucket, key) = Resolve(dir);
        if (bucket.Length == 0) return;
        try
        {
            var page = await ListPageAsync(bucket, key.Length == 0 ? "" : key + "/", null, 1, null, ct).ConfigureAwait(false);
            if (page.Objects.Count > 0)
                throw new PermanentIOException($"directory not empty: {dir}");
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchBucket")
        {
        }
    }

    /// <summary>
    /// Server-side copy, then delete of the source. Some S3 servers (s3rver among them) decode the
    /// copy source header differently from AWS and miss keys holding characters such as ',' or '?':
    /// when the copy says "not found" but the source is there, the object is copied through this
    /// process instead (read, then written as <see cref="PutAsync"/> writes), then the source deleted.
    /// </summary>
    public async Task MoveAsync(string from, string to, CancellationToken ct)
    {
        var (sb, sk) = Resolve(from);
        var (db, dk) = Resolve(to);
        try
        {
            await _client.CopyObjectAsync(new CopyObjectRequest
            {
                SourceBucket = sb,
                SourceKey = sk,
                DestinationBucket = db,
                DestinationKey = dk,
                MetadataDirective = S3MetadataDirective.COPY,
            }, ct).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket")
        {
            if (await StatAsync(from, ct).ConfigureAwait(false) is not { IsDir: false } source)
                throw new FileNotFoundException($"file not found: {from}");
            await using (var content = await OpenReadAsync(from, ct).ConfigureAwait(false))
                await PutAsync(to, content, source.Size, source.ModTime, ct).ConfigureAwait(false);
        }
        await _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = sb, Key = sk }, ct).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>The body of a GET; disposing it releases the response too.</summary>
    private sealed class ResponseStream(GetObjectResponse response) : Stream
    {
        private readonly Stream _inner = response.ResponseStream;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => response.ContentLength;
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => _inner.Read(buffer);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            _inner.ReadAsync(buffer, offset, count, cancellationToken);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            _inner.ReadAsync(buffer, cancellationToken);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
                response.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
