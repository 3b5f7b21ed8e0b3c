#!/usr/bin/env bash
# Where bisync spends its time on a first sync (--resync) and on a run with no
# change, over the tree bench/run.sh generated (run that first for the same N):
#
#   bench/profile.sh [N]        default 100000; output in .build/bench/profile-N/
#
# For each of the two runs it writes
#   *.timeline  wall-clock offsets of the run's file events on the working
#               directory (listings read and written, lock), from strace
#               filtered to a few system calls, so the gaps between them are
#               the stages (little overhead on a no-change run; a first sync
#               opens and renames every file, so its copy stage is inflated);
#   *.syscalls  strace -c -f: system calls by count and time (heavy overhead:
#               the proportions matter, not the total);
#   *.perf.txt  perf record/report (when perf works): time by library, then
#               the hottest functions by self and by inclusive time, with .NET
#               JIT names from DOTNET_PerfMapEnabled's /tmp/perf-PID.map;
#   knobs.txt   the no-change run under a few .NET runtime settings (CPU and
#               wall seconds, peak RSS KiB), 3 runs each.
set -uo pipefail
N="${1:-100000}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${BENCH_OUT:-$ROOT/.build/bench}"
SRC="$OUT/tree-$N"
[ -f "$SRC.done" ] || { echo "profile.sh: no tree $SRC: run bench/run.sh $N first" >&2; exit 2; }
command -v strace >/dev/null || { echo "profile.sh: strace is needed" >&2; exit 2; }
"$ROOT/bisync" --version >/dev/null || exit 2
BIN="${BISYNC_BIN:-$ROOT/.build/bin/bisync}"
P="$OUT/profile-$N"
log() { printf '[profile %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

if [ -d "$P" ]; then log "removing the last profile's trees (slow)"; rm -rf "$P"; fi
mkdir -p "$P"
log "copying the tree"
cp -a "$SRC" "$P/p1"
sync

# timeline NAME ARGS...: strace with a seccomp filter (only these calls stop the process)
timeline() {
  local name="$1"; shift
  strace -f --seccomp-bpf -ttt -e trace=openat,rename,renameat,renameat2,unlink,exit_group -o "$P/$name.strace" \
    "$BIN" "$@" -v > "$P/$name.log" 2>&1
  # Keep the first event, events on the working directory, and the end.
  awk -v w="$P/work" '
    NR == 1 { t0 = $2 }
    index($0, w) || /exit_group/ || NR == 1 { printf "%8.3f  %s\n", $2 - t0, substr($0, index($0, $3)) }' "$P/$name.strace" \
    | sed -e "s|$P/||g" -E -e 's#"work/[^"]*(\.path[12]\.[^"]*|\.lck)"#"SESSION\1"#g' | awk '!seen[$0]++' > "$P/$name.timeline"
  rm -f "$P/$name.strace"
}
perfrec() { # perfrec NAME ARGS...
  local name="$1"; shift
  command -v perf >/dev/null || return 0
  # W^X off: otherwise JIT code sits in an anonymous double mapping perf cannot name.
  DOTNET_EnableWriteXorExecute=0 DOTNET_PerfMapEnabled=1 perf record -F 999 -g -o "$P/$name.perf.data" -- "$BIN" "$@" \
    > "$P/$name.perf.log" 2>&1 || return 0
  local report=(perf report -i "$P/$name.perf.data" --stdio -g none)
  {
    echo "== by library (self)"
    "${report[@]}" --no-children --sort dso 2>/dev/null | grep -E '^ +[0-9]' | head -n 12
    echo "== hottest functions (self)"
    "${report[@]}" --no-children --sort symbol 2>/dev/null | grep -E '^ +[0-9]' | head -n 40
    echo "== managed functions (inclusive)"
    "${report[@]}" --children --sort symbol 2>/dev/null | grep -E '^ +[0-9]' | grep -E 'Bisync|Sort|Dictionary' | head -n 60
  } | sed -E 's/ +- +- *$//; s/\[(Bisync\.Core|System\.Private\.CoreLib|System\.Runtime|bisync)\] //g' > "$P/$name.perf.txt"
  rm -f "$P/$name.perf.data"
}

mkdir -p "$P/work" "$P/p2a" "$P/p2b"
log "first sync, timeline (Path2 p2a)"
timeline resync "$P/p1" "$P/p2a" --workdir "$P/work" --resync
log "first sync, perf (Path2 p2b, its own workdir)"
mkdir -p "$P/workb"
perfrec resync "$P/p1" "$P/p2b" --workdir "$P/workb" --resync
sync
log "no-change run, timeline"
timeline nochange "$P/p1" "$P/p2a" --workdir "$P/work"
log "no-change run, strace -c"
strace -c -f -o "$P/nochange.syscalls" "$BIN" "$P/p1" "$P/p2a" --workdir "$P/work" > /dev/null 2>&1
log "no-change run, perf"
perfrec nochange "$P/p1" "$P/p2a" --workdir "$P/work"
log "no-change run under runtime settings"
for cfg in "" DOTNET_TieredPGO=0 DOTNET_TC_QuickJitForLoops=0 DOTNET_TieredCompilation=0 DOTNET_GCgen0size=0x10000000; do
  for r in 1 2 3; do
    /usr/bin/time -f "%U %S %e %M" -o "$P/knob.time" env $cfg "$BIN" "$P/p1" "$P/p2a" --workdir "$P/work" > /dev/null 2>&1
    awk -v c="${cfg:-default}" '{ printf "%-30s cpu %.2f s  wall %s s  rss %s KiB\n", c, $1 + $2, $3, $4 }' "$P/knob.time"
  done
done > "$P/knobs.txt"
rm -f "$P/knob.time"
log "first sync, strace -c (Path2 p2c)"
mkdir -p "$P/p2c" "$P/workc"
strace -c -f -o "$P/resync.syscalls" "$BIN" "$P/p1" "$P/p2c" --workdir "$P/workc" --resync > /dev/null 2>&1
log "done: $P"
ls "$P"/*.timeline "$P"/*.syscalls "$P"/*.txt 2>/dev/null
