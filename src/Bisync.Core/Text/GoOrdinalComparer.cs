namespace Bisync.Text;

/// <summary>
/// Orders engine strings as Go orders the equivalent byte strings (UTF-8 byte order, with
/// surrogate-escaped raw bytes taking their byte value). Plain UTF-16 ordinal order agrees except
/// around surrogates and U+E000..U+FFFF, which take the slow path.
/// </summary>
public sealed class GoOrdinalComparer : IComparer<string>
{
    public static readonly GoOrdinalComparer Instance = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        // The common prefix is found vectorised; only the first differing pair decides.
        var i = x.AsSpan().CommonPrefixLength(y);
        if (i == x.Length || i == y.Length) return x.Length - y.Length;
        var a = x[i];
        var b = y[i];
        if (a < 0xD800 && b < 0xD800) return a - b;
        return SlowCompare(x, y);
    }

    private static int SlowCompare(string x, string y)
    {
        var a = PathEncoding.ToGoBytes(x);
        var b = PathEncoding.ToGoBytes(y);
        return a.AsSpan().SequenceCompareTo(b);
    }
}
