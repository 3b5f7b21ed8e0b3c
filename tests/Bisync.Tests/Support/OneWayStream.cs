using Bisync.Remotes.Wrappers;

namespace Bisync.Tests.Support;

/// <summary>
/// A readable stream that cannot seek (as a network source), optionally breaking after
/// <paramref name="failAfter"/> bytes as a dropped source would (a failure no retry can mend).
/// </summary>
public sealed class OneWayStream(byte[] data, int failAfter = int.MaxValue) : ReadOnlySourceStream
{
    private int _pos;

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (_pos >= failAfter) throw new PermanentIOException("simulated source failure");
        var n = Math.Min(Math.Min(count, data.Length - _pos), failAfter - _pos);
        Array.Copy(data, _pos, buffer, offset, n);
        _pos += n;
        return n;
    }
}
