using System.Security.Cryptography;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace Bisync.Remotes.Sftp;

/// <summary>
/// Server-side hashes, as rclone's sftp backend gives them: a command (md5sum_command /
/// sha1sum_command, or one found by trying md5sum / sha1sum, then BSD's md5 -r / sha1 -r, each
/// accepted only when it hashes empty input correctly) runs in the login shell with the file's
/// quoted path, and the first word of its output is the digest. The shell (shell_type) is detected
/// once with rclone's probe, <c>echo ${ShellId}%ComSpec%</c>. The commands run on an SSH session of
/// their own (SSH.NET 2026.0.0 opens no exec channel on an sftp client's connection), opened on
/// the first hash request with the same authentication and host key check.
/// </summary>
public sealed partial class SftpStorage
{
    private readonly ReconnectingClient<SshClient> _ssh = new();
    private Task<string>? _shell;
    private readonly Dictionary<string, Task<string?>> _hashCommands = new(StringComparer.Ordinal);

    private static readonly string[] Md5Candidates = ["md5sum", "md5 -r"];
    private static readonly string[] Sha1Candidates = ["sha1sum", "sha1 -r"];

    /// <summary>The shell type in use: shell_type, or what the probe found ("unix", "powershell", "cmd" or "none").</summary>
    public async Task<string> ShellTypeAsync(CancellationToken ct)
    {
        if (_settings.ShellType is { } configured) return configured;
        Task<string> t;
        lock (_hashCommands) t = _shell ??= DetectShellAsync(CancellationToken.None);
        try
        {
            return await t.WaitAsync(ct).ConfigureAwait(false);
        }
        catch when (t.IsFaulted)
        {
            lock (_hashCommands) if (_shell == t) _shell = null; // a connection failure is not an answer: ask again next time
            throw;
        }
    }

    public async Task<string?> HashAsync(string path, string hashType, CancellationToken ct)
    {
        hashType = hashType.ToLowerInvariant();
        if (hashType is not ("md5" or "sha1") || _settings.DisableHashcheck) return null;
        var command = await HashCommandAsync(hashType, ct).ConfigureAwait(false);
        if (command is null) return null;
        var shell = await ShellTypeAsync(ct).ConfigureAwait(false);
        if (_absRoot is null) await ClientAsync(ct).ConfigureAwait(false);
        var line = command + " " + Quote(ShellPath(path), shell);
        var (exit, output, error) = await RunAsync(line, ct).ConfigureAwait(false);
        if (exit != 0)
        {
            var why = OneLine(error);
            if (why.Length == 0) why = $"exit status {exit?.ToString() ?? "unknown"}";
            throw new IOException($"failed to calculate {hashType} hash of {path}: {why}");
        }
        return ParseDigest(output, hashType) ??
               throw new IOException($"failed to calculate {hashType} hash of {path}: can't parse the output of \"{command}\"");
    }

    /// <summary>The command for <paramref name="hashType"/>, or null when there is none.</summary>
    private async Task<string?> HashCommandAsync(string hashType, CancellationToken ct)
    {
        var configured = hashType == "md5" ? _settings.Md5Command : _settings.Sha1Command;
        if (configured is not null) return configured.Equals("none", StringComparison.OrdinalIgnoreCase) ? null : configured;
        Task<string?> t;
        lock (_hashCommands)
        {
            if (!_hashCommands.TryGetValue(hashType, out t!))
                _hashCommands[hashType] = t = DetectHashCommandAsync(hashType, CancellationToken.None);
        }
        try
        {
            return await t.WaitAsync(ct).ConfigureAwait(false);
        }
        catch when (t.IsFaulted)
        {
            lock (_hashCommands) if (_hashCommands.TryGetValue(hashType, out var cur) && cur == t) _hashCommands.Remove(hashType);
            throw;
        }
    }

    private async Task<string?> DetectHashCommandAsync(string hashType, CancellationToken ct)
    {
        var shell = await ShellTypeAsync(ct).ConfigureAwait(false);
        if (shell == "none") return null;
        // the candidate hashes empty input (SSH.NET sends no end of input on a command's stdin, so the shell gives it)
        var emptyInput = shell switch { "cmd" => " <NUL", "powershell" => "", _ => " </dev/null" };
        var prefix = shell == "powershell" ? "$null | " : "";
        var empty = hashType == "md5" ? Convert.ToHexStringLower(MD5.HashData([])) : Convert.ToHexStringLower(SHA1.HashData([]));
        foreach (var candidate in hashType == "md5" ? Md5Candidates : Sha1Candidates)
        {
            try
            {
                var (exit, output, _) = await RunAsync(prefix + candidate + emptyInput, ct).ConfigureAwait(false);
                if (exit == 0 && ParseDigest(output, hashType) == empty) return candidate;
            }
            catch (SshException)
            {
                // this candidate can't run; try the next
            }
        }
        return null;
    }

    private async Task<string> DetectShellAsync(CancellationToken ct)
    {
        try
        {
            var (exit, output, _) = await RunAsync("echo ${ShellId}%ComSpec%", ct).ConfigureAwait(false);
            var o = output.Trim();
            if (exit != 0) return "none";
            if (o == "%ComSpec%") return "unix"; // neither variable expanded
            if (o.StartsWith("${ShellId}", StringComparison.Ordinal)) return "cmd"; // %ComSpec% expanded, ${ShellId} not
            if (o.EndsWith("%ComSpec%", StringComparison.Ordinal) && o.Length > "%ComSpec%".Length) return "powershell";
            return "none";
        }
        catch (SshException)
        {
            return "none"; // no shell access
        }
    }

    /// <summary>Runs one command; its exit status and outputs.</summary>
    private async Task<(int? Exit, string Output, string Error)> RunAsync(string command, CancellationToken ct)
    {
        var ssh = await SshAsync(ct).ConfigureAwait(false);
        using var cmd = ssh.CreateCommand(command);
        // no time limit of its own: hashing a large file takes long; the caller's token ends it
        await cmd.ExecuteAsync(ct).ConfigureAwait(false);
        return (cmd.ExitStatus, cmd.Result, cmd.Error);
    }

    private Task<SshClient> SshAsync(CancellationToken ct) =>
        _ssh.GetAsync(c => ConnectClientAsync(info => new SshClient(info), c), ct);

    /// <summary>The path the shell sees: below path_override when set, else the sftp path.</summary>
    private string ShellPath(string rel)
    {
        if (_settings.PathOverride is not { } root) return Full(rel);
        if (rel.Length == 0) return root;
        return root.TrimEnd('/') + "/" + rel;
    }

    /// <summary>One argument for the shell: single quotes for unix and PowerShell, double quotes for cmd.</summary>
    internal static string Quote(string path, string shell)
    {
        switch (shell)
        {
            case "powershell":
                return "'" + path.Replace("'", "''") + "'";
            case "cmd":
                if (path.Any(ch => ch == '"' || char.IsControl(ch)))
                    throw new IOException($"path is not valid in shell type cmd: {path}");
                return "\"" + path + "\"";
            default:
                return "'" + path.Replace("'", "'\\''") + "'";
        }
    }

    /// <summary>The digest at the start of a md5sum-style output ("hex  name", maybe "\hex" for escaped names), or null.</summary>
    internal static string? ParseDigest(string output, string hashType)
    {
        var word = output.TrimStart().Split([' ', '\t', '\r', '\n'], 2)[0].TrimStart('\\').ToLowerInvariant();
        var len = hashType == "md5" ? 32 : 40;
        return word.Length == len && word.All(char.IsAsciiHexDigitLower) ? word : null;
    }
}
