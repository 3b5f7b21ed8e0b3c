namespace Bisync.Cli;

internal static class HelpText
{
    public const string Usage = "Usage: bisync PATH1 PATH2 [flags]";

    public const string Text = """
Bidirectional synchronisation of PATH1 and PATH2 (behaves as rclone bisync v1.60.1).

Usage:
  bisync PATH1 PATH2 [flags]

The first run must use --resync. Each later run lists both paths, finds what is
new, newer, older or deleted on each side since the prior run, copies changes
each way, keeps both versions of a file changed on both sides (as NAME..path1
and NAME..path2), and writes new listings to the working directory.

Bisync flags:
      --check-access            Abort unless the check files (--check-filename) are the same on both paths.
      --check-filename string   File name for --check-access (default "RCLONE_TEST").
      --check-sync string       Compare the final listings: true, false or only (default "true").
      --filters-file string     Read filtering rules from a file; a change to it needs --resync.
      --force                   Bypass the --max-delete and all-files-changed safety checks.
      --localtime               Use local time in listings (default UTC).
      --no-cleanup              Keep working files (.lst-new listings, .que queues).
      --remove-empty-dirs       Remove empty directories at the end of the run.
  -1, --resync                  Make both paths agree: Path2-only files go to Path1, then Path1 wins.
      --workdir string          Working directory (default $XDG_CACHE_HOME/rclone/bisync or ~/.cache/rclone/bisync).

Global flags:
  -n, --dry-run                 Show what would change; change nothing (listings go to *.lst-dry*).
      --max-delete int          Abort when more than this percentage of a side's files would be deleted (default 50).
      --size-only               Skip copying files whose sizes match, whatever their times.
  -c, --checksum                Compare files by MD5, not modification time; hashes are cached in the
                                working directory (by path, size, time, inode and ctime), so unchanged files
                                are not read again.
  -P, --progress                Show transfer progress (files, bytes, rate, ETA).
      --transfers int           Parallel file transfers (default 4).
      --checkers int            Parallel directory listings (default 8).
  -v, --verbose                 More logging: -v for INFO, -vv for DEBUG (default NOTICE).
  -q, --quiet                   Only errors.
      --log-level string        DEBUG, INFO, NOTICE or ERROR.
      --log-file string         Append the log to this file instead of stderr.
      --config string           rclone.conf to read remotes from (default as rclone finds it).
      --retries int             Retries of a failed operation (default 3).
      --low-level-retries int   Retries of a failed low-level request (default 10).
      --timeout duration        I/O idle timeout for remotes (default 5m).
      --contimeout duration     Connect timeout for remotes (default 1m).
      --rclone-backend          Send every remote through rclone (rclone rcd), also sftp, s3 and local-type
                                remotes; remote types without a native backend always go through rclone.
      --rclone-binary string    The rclone to run for the rclone backend (default "rclone" from PATH).
  -h, --help                    This help.
  -V, --version                 Print the version.

Filter flags (rclone's filter language; --filters-file rules come after --filter, before --filter-from, as in rclone):
  -f, --filter rule             A filter rule, "+ pattern" or "- pattern".
      --filter-from file        Read filter rules from a file.
      --include pattern         Include matching files.
      --include-from file       Read include patterns from a file.
      --exclude pattern         Exclude matching files.
      --exclude-from file       Read exclude patterns from a file.
      --files-from file         Only the files listed in the file.
      --files-from-raw file     The same, lines taken as they are.
      --exclude-if-present name Exclude directories holding a file of this name.
      --min-size size           Only files of at least this size (default unit KiB; suffixes B, K, M, G, T, P).
      --max-size size           Only files of at most this size.
      --min-age duration        Only files older than this (ms, s, m, h, d, w, M, y).
      --max-age duration        Only files newer than this.
      --ignore-case             Match filters case-insensitively.
      --dump filters            Print the compiled filter rules, then run.

Exit codes:
  0  success
  1  usage error, or a non-critical failure (too many deletes, all files changed,
     lock held, failed transfers): nothing is locked out, run again once fixed
  2  critical error: listings renamed to *.lst-err, run with --resync to recover
  3  a path does not exist
""";
}
