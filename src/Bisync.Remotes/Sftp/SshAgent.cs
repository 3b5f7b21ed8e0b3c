using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Renci.SshNet;
using Renci.SshNet.Security;

namespace Bisync.Remotes.Sftp;

/// <summary>
/// A client of an OpenSSH-compatible ssh-agent over its Unix socket ($SSH_AUTH_SOCK): lists the
/// agent's public keys and asks it to sign the authentication data, so private keys never leave
/// the agent. Only the two requests authentication needs are spoken (the agent protocol's
/// REQUEST_IDENTITIES and SIGN_REQUEST). SSH.NET 2026.0.0 has no agent support of its own.
/// </summary>
internal sealed class SshAgent : IDisposable
{
    private const byte Failure = 5;
    private const byte RequestIdentities = 11;
    private const byte IdentitiesAnswer = 12;
    private const byte SignRequest = 13;
    private const byte SignResponse = 14;
    private const uint RsaSha2_256 = 2;
    private const uint RsaSha2_512 = 4;
    private const int MaxMessage = 256 * 1024;

    private readonly Socket _socket;
    private readonly Lock _lock = new();

    private SshAgent(Socket socket) => _socket = socket;

    /// <summary>Connects to the agent at <paramref name="socketPath"/>; an IOException with one clear line when it can't.</summary>
    public static SshAgent Connect(string socketPath, TimeSpan timeout)
    {
        var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            s.Connect(new UnixDomainSocketEndPoint(socketPath));
            var ms = timeout > TimeSpan.Zero ? (int)Math.Min(int.MaxValue, timeout.TotalMilliseconds) : 0;
            s.ReceiveTimeout = ms;
            s.SendTimeout = ms;
            return new SshAgent(s);
        }
        catch (SocketException e)
        {
            s.Dispose();
            throw new IOException($"couldn't connect to ssh-agent: Error connecting to SSH_AUTH_SOCK: {e.Message}", e);
        }
    }

    /// <summary>The agent's keys: public key blob (SSH wire format) and comment.</summary>
    public IReadOnlyList<(byte[] Blob, string Comment)> ListKeys()
    {
        var reply = Request([RequestIdentities]);
        if (reply.Length == 0 || reply[0] != IdentitiesAnswer)
            throw new IOException("ssh-agent: unexpected answer to the key list request");
        var r = new Reader(reply, 1);
        var n = r.UInt32();
        var keys = new List<(byte[], string)>();
        for (uint i = 0; i < n; i++)
        {
            var blob = r.Bytes();
            var comment = Encoding.UTF8.GetString(r.Bytes());
            keys.Add((blob, comment));
        }
        return keys;
    }

    /// <summary>The agent's signature (SSH signature blob: algorithm name and signature) of <paramref name="data"/>.</summary>
    public byte[] Sign(byte[] keyBlob, byte[] data, uint flags)
    {
        var msg = new MemoryStream();
        msg.WriteByte(SignRequest);
        WriteBytes(msg, keyBlob);
        WriteBytes(msg, data);
        WriteUInt32(msg, flags);
        var reply = Request(msg.ToArray());
        if (reply.Length > 0 && reply[0] == Failure)
            throw new IOException("ssh-agent refused to sign with the key");
        if (reply.Length == 0 || reply[0] != SignResponse)
            throw new IOException("ssh-agent: unexpected answer to the sign request");
        return new Reader(reply, 1).Bytes();
    }

    /// <summary>The key type name inside a public key blob ("ssh-ed25519", "ssh-rsa", ...).</summary>
    public static string KeyType(byte[] blob) => Encoding.ASCII.GetString(new Reader(blob, 0).Bytes());

    /// <summary>
    /// SSH.NET key sources for the agent's keys: each key signs through the agent. RSA keys offer
    /// rsa-sha2-512 and rsa-sha2-256 (the agent's signature flags) before the old ssh-rsa.
    /// </summary>
    public IPrivateKeySource KeySource(byte[] blob)
    {
        var type = KeyType(blob);
        var algs = type == "ssh-rsa"
            ? new HostAlgorithm[]
            {
                new AgentAlgorithm("rsa-sha2-512", blob, this, RsaSha2_512),
                new AgentAlgorithm("rsa-sha2-256", blob, this, RsaSha2_256),
                new AgentAlgorithm("ssh-rsa", blob, this, 0),
            }
            : [new AgentAlgorithm(type, blob, this, 0)];
        return new AgentKeySource(algs);
    }

    private byte[] Request(byte[] body)
    {
        lock (_lock)
        {
            var frame = new byte[4 + body.Length];
            BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)body.Length);
            body.CopyTo(frame, 4);
            try
            {
                var sent = 0;
                while (sent < frame.Length) sent += _socket.Send(frame, sent, frame.Length - sent, SocketFlags.None);
                var len = new byte[4];
                ReadExactly(len);
                var n = BinaryPrimitives.ReadUInt32BigEndian(len);
                if (n == 0 || n > MaxMessage) throw new IOException("ssh-agent: bad message length");
                var reply = new byte[n];
                ReadExactly(reply);
                return reply;
            }
            catch (SocketException e)
            {
                throw new IOException($"ssh-agent: {e.Message}", e);
            }
        }
    }

    private void ReadExactly(byte[] buf)
    {
        var got = 0;
        while (got < buf.Length)
        {
            var n = _socket.Receive(buf, got, buf.Length - got, SocketFlags.None);
            if (n == 0) throw new IOException("ssh-agent closed the connection");
            got += n;
        }
    }

    private static void WriteUInt32(Stream s, uint v)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, v);
        s.Write(b);
    }

    private static void WriteBytes(Stream s, byte[] v)
    {
        WriteUInt32(s, (uint)v.Length);
        s.Write(v);
    }

    public void Dispose() => _socket.Dispose();

    private struct Reader(byte[] buf, int pos)
    {
        public uint UInt32()
        {
            if (pos + 4 > buf.Length) throw new IOException("ssh-agent: truncated message");
            var v = BinaryPrimitives.ReadUInt32BigEndian(buf.AsSpan(pos));
            pos += 4;
            return v;
        }

        public byte[] Bytes()
        {
            var n = UInt32();
            if (n > buf.Length - pos) throw new IOException("ssh-agent: truncated message");
            var v = buf.AsSpan(pos, (int)n).ToArray();
            pos += (int)n;
            return v;
        }
    }

    /// <summary>One signature algorithm of an agent key: the public blob is known, signing goes to the agent.</summary>
    private sealed class AgentAlgorithm(string name, byte[] blob, SshAgent agent, uint flags) : HostAlgorithm(name)
    {
        public override byte[] Data => blob;

        public override byte[] Sign(byte[] data) => agent.Sign(blob, data, flags);

        // Only used to check a server's host key, never a client key.
        public override bool VerifySignature(byte[] data, byte[] signature) => throw new NotSupportedException();
    }

    private sealed class AgentKeySource(IReadOnlyCollection<HostAlgorithm> algorithms) : IPrivateKeySource
    {
        public IReadOnlyCollection<HostAlgorithm> HostKeyAlgorithms { get; } = algorithms;
    }
}
