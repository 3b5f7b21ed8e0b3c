namespace Bisync.Storage;

/// <summary>How the local backend treats symbolic links, as rclone does.</summary>
public enum LinkMode
{
    /// <summary>Default: not followed, not synced; each one is reported with a NOTICE.</summary>
    Skip,

    /// <summary>-L/--copy-links: a link stands for what it points to (a file's content and time, a directory walked).</summary>
    Follow,

    /// <summary>-l/--links: a link is synced as a file NAME.rclonelink whose content is the link's target.</summary>
    Translate,
}
