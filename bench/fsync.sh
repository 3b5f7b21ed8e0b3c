#!/usr/bin/env bash
# What fsync of each copied file would cost: copies N small files (default 2000, 100-900 bytes)
# with and without an fsync per file (write, rename, in one perl process), and times a bisync --resync of the same
# tree (which does not fsync copies) for scale. A benchmark, not a test: numbers vary by disk.
#
#   bench/fsync.sh [N]          # scratch in .build/bench-fsync (BENCH_OUT to change; BISYNC_BIN: the binary)
set -euo pipefail
n=${1:-2000}
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out=${BENCH_OUT:-$root/.build/bench-fsync}
rm -rf "$out" && mkdir -p "$out/src"
for ((i = 0; i < n; i++)); do
  head -c $((100 + (i * 37) % 800)) /dev/urandom >"$out/src/f$i"
done
sync

copy() { # $1: 1 to fsync each file; $2: destination. One perl process, so only the copies are timed.
  mkdir -p "$2"
  perl -MIO::Handle -MTime::HiRes=time -e '
    my ($src, $dst, $n, $fsync) = @ARGV;
    my $t0 = time;
    for my $i (0 .. $n - 1) {
      open(my $in, "<:raw", "$src/f$i") or die "$src/f$i: $!";
      local $/; my $data = <$in>; close $in;
      open(my $out, ">:raw", "$dst/f$i.tmp") or die "$dst/f$i.tmp: $!";
      print $out $data; $out->flush;
      if ($fsync) { $out->sync or die "fsync: $!" }
      close $out; rename("$dst/f$i.tmp", "$dst/f$i") or die "rename: $!";
    }
    printf "%d\n", (time - $t0) * 1000;' "$out/src" "$2" "$n" "$1"
}

plain=$(copy 0 "$out/plain")
synced=$(copy 1 "$out/synced")
sync
start=$(date +%s%N)
copy 0 "$out/syncfs" >/dev/null
sync -f "$out/syncfs"
end=$(date +%s%N)
batched=$(((end - start) / 1000000))
sync
bin=${BISYNC_BIN:-$root/.build/bin/bisync}
[ -n "${BISYNC_BIN:-}" ] || "$root/bisync" --version >/dev/null # build once, outside the timing
mkdir -p "$out/bisync"
start=$(date +%s%N)
"$bin" "$out/src" "$out/bisync" --resync --workdir "$out/wd" >/dev/null
end=$(date +%s%N)
tool=$(((end - start) / 1000000))
fs=$(df -T "$out" | awk 'NR==2 {print $2}')
echo "files: $n on $fs"
echo "copy+rename, no fsync:   ${plain} ms"
echo "copy+rename, fsync each: ${synced} ms  (fsync cost: $(((synced - plain) * 1000 / n)) us a file)"
echo "copy+rename, one syncfs at the end: ${batched} ms (what bisync does before writing its listings)"
echo "bisync --resync: ${tool} ms"
rm -rf "$out"
