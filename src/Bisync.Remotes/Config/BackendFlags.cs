namespace Bisync.Remotes.Config;

/// <summary>
/// rclone's backend flags for the backends built in here: <c>--sftp-OPTION</c> and <c>--s3-OPTION</c>
/// set that option for every remote of the type. As in rclone they rank below a connection string's
/// parameters and above the environment variables and rclone.conf. Through the rclone backend they
/// are handed to rclone as the same flags.
/// </summary>
public static class BackendFlags
{
    /// <summary>An option as rclone spells it in rclone.conf (snake_case), and whether it is a boolean.</summary>
    public readonly record struct Option(string Type, string Name, bool IsBool)
    {
        /// <summary>The flag: --sftp-md5sum-command.</summary>
        public string Flag => "--" + Type + "-" + Name.Replace('_', '-');
    }

    /// <summary>Every option the sftp and s3 backends read, so every one can be given as a flag.</summary>
    public static readonly IReadOnlyList<Option> All =
    [
        .. Options("sftp", "host", "user", "port", "pass", "key_file", "key_file_pass", "key_pem", "known_hosts_file",
            "md5sum_command", "sha1sum_command", "shell_type", "path_override"),
        .. Bools("sftp", "key_use_agent", "set_modtime", "use_insecure_cipher", "disable_hashcheck"),
        .. Options("s3", "provider", "access_key_id", "secret_access_key", "session_token", "region", "endpoint",
            "list_chunk", "list_version", "upload_cutoff", "chunk_size"),
        .. Bools("s3", "force_path_style", "env_auth", "no_check_bucket"),
    ];

    private static readonly Dictionary<string, Option> ByFlag = All.ToDictionary(o => o.Flag, StringComparer.Ordinal);

    private static IEnumerable<Option> Options(string type, params string[] names) => names.Select(n => new Option(type, n, false));
    private static IEnumerable<Option> Bools(string type, params string[] names) => names.Select(n => new Option(type, n, true));

    /// <summary>The option a flag such as <c>--sftp-md5sum-command</c> names, if any.</summary>
    public static bool TryFind(string flag, out Option option) => ByFlag.TryGetValue(flag, out option);

    /// <summary>The key a value is kept under in <see cref="RemoteOptions.BackendFlags"/>: type and option, as "sftp.md5sum_command".</summary>
    public static string Key(string type, string option) => type + "." + option;
}
