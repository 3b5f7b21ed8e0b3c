#!/usr/bin/env bash
# Benchmark of bisync against rclone bisync and Unison, and against the floors
# (cp -a for a first sync, two `find` listings for a run with no changes).
#
#   bench/run.sh [N]                  N small files (default 100000)
#   bench/run.sh --tools bisync,floor 1000000
#
# Options (each also settable by environment variable):
#   -o, --out DIR      scratch and results folder   BENCH_OUT   (default .build/bench)
#   -t, --tools LIST   comma list of floor,bisync,rclone,unison
#                                                   BENCH_TOOLS (default all four)
#   -r, --repeat R     runs of each repeatable measurement; the median time
#                      and the largest peak RSS are reported
#                                                   BENCH_REPEAT (default 3)
#   -k, --keep         keep each tool's trees after its runs (default: removed
#                      once the report is printed)                 BENCH_KEEP=1
#
# Everything runs on warm caches on the local disk; the numbers are wall seconds,
# CPU seconds and peak RSS from GNU time (/usr/bin/time). See bench/README.md.
set -uo pipefail

usage() { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; }

N=""
OUT="${BENCH_OUT:-}"
TOOLS="${BENCH_TOOLS:-floor,bisync,rclone,unison}"
REPEAT="${BENCH_REPEAT:-3}"
KEEP="${BENCH_KEEP:-0}"
while [ $# -gt 0 ]; do
  case "$1" in
    -o|--out) OUT="$2"; shift 2 ;;
    -t|--tools) TOOLS="$2"; shift 2 ;;
    -r|--repeat) REPEAT="$2"; shift 2 ;;
    -k|--keep) KEEP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) N="$1"; shift ;;
  esac
done
N="${N:-100000}"
case "$N" in ''|*[!0-9]*) echo "run.sh: N must be a number" >&2; exit 2 ;; esac
[ "$N" -ge 100 ] || { echo "run.sh: N must be at least 100" >&2; exit 2; }
case "$REPEAT" in ''|*[!0-9]*|0) echo "run.sh: --repeat must be a positive number" >&2; exit 2 ;; esac

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${OUT:-$ROOT/.build/bench}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "run.sh: GNU time ($TIME) is needed" >&2; exit 2; }

has_tool() { case ",$TOOLS," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }
for t in ${TOOLS//,/ }; do
  case "$t" in floor|bisync|rclone|unison) ;; *) echo "run.sh: unknown tool $t" >&2; exit 2 ;; esac
done
has_tool rclone && ! command -v rclone >/dev/null && { echo "run.sh: rclone not installed" >&2; exit 2; }
has_tool unison && ! command -v unison >/dev/null && { echo "run.sh: unison not installed" >&2; exit 2; }

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

PER_DIR=100                              # 100 files a folder: 1000 folders at N=100000
DIRS=$(( (N + PER_DIR - 1) / PER_DIR ))
LOGS="$OUT/logs-$N"
RESULTS="$OUT/results-$N.tsv"
mkdir -p "$LOGS"
: > "$RESULTS"
export RCLONE_CONFIG="$OUT/rclone.conf"  # empty: no remotes, the user's config untouched
: > "$RCLONE_CONFIG"

# ---------------------------------------------------------------- the tree
# File i lives in folder d = i / 100, grouped 100 folders a group:
#   gGGG/dDDDDD/fIIIIIII.txt, 100..899 bytes of varied text.
relpath() { local d=$(( $1 / PER_DIR )); printf 'g%03d/d%05d/f%07d.txt' $(( d / 100 )) "$d" "$1"; }

SRC="$OUT/tree-$N"
generate() {
  if [ -f "$SRC.done" ]; then log "reusing the tree of $N files in $SRC"; return; fi
  log "generating $N files in $DIRS folders in $SRC"
  trash "$SRC"; rm -f "$SRC.done"; mkdir -p "$SRC"
  awk -v dirs="$DIRS" -v root="$SRC" 'BEGIN {
      for (d = 0; d < dirs; d++) printf "%s/g%03d/d%05d\n", root, int(d / 100), d }' \
    | xargs -d '\n' mkdir -p
  awk -v n="$N" -v per="$PER_DIR" -v root="$SRC" 'BEGIN {
      srand(42)
      chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:-_\n"
      big = ""
      for (j = 0; j < 1200; j++) big = big substr(chars, 1 + int(rand() * length(chars)), 1)
      for (i = 0; i < n; i++) {
        d = int(i / per)
        f = sprintf("%s/g%03d/d%05d/f%07d.txt", root, int(d / 100), d, i)
        printf "file %d of %d\n%s\n", i, n, substr(big, 1 + (i * 37) % 300, 80 + (i * 7919) % 800) > f
        close(f)
      }
    }'
  touch "$SRC.done"
}

# ---------------------------------------------------------------- measuring
# measure NAME CMD...: runs CMD under GNU time; sets M_SECS (wall), M_KIB (peak RSS),
# M_CPU (user + system seconds: less sensitive than wall time to other load), M_RC;
# logs to $LOGS/NAME.log
measure() {
  local name="$1"; shift
  local tf="$LOGS/$name.time"
  sync  # write back what the set-up dirtied, so it is not flushed inside the timing
  "$TIME" -f "%e %M %U %S" -o "$tf" "$@" >"$LOGS/$name.log" 2>&1
  M_RC=$?
  local u sy
  read -r M_SECS M_KIB u sy < <(tail -n 1 "$tf")
  M_CPU=$(awk -v u="$u" -v s="$sy" 'BEGIN { printf "%.2f", u + s }')
  [ "$M_RC" -eq 0 ] || log "$name exited with status $M_RC (see $LOGS/$name.log)"
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$M_SECS" "$M_KIB" "$M_RC" "$M_CPU" >> "$RESULTS"
}

median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
maxof() { printf '%s\n' "$@" | sort -g | tail -n 1; }

# Results, per TOOL_PHASE: seconds (median), KiB (max), status (0 = all runs succeeded),
# CPU seconds (median).
declare -A SECS KIB STATUS VERIFY CPU
record() { # record KEY SECS... -- KIBS... -- RCS... -- CPUS...
  local key="$1"; shift
  local s=() k=() r=() u=() part=0
  for x in "$@"; do
    if [ "$x" = "--" ]; then part=$((part + 1)); continue; fi
    case $part in 0) s+=("$x") ;; 1) k+=("$x") ;; 2) r+=("$x") ;; 3) u+=("$x") ;; esac
  done
  SECS[$key]=$(median "${s[@]}")
  KIB[$key]=$(maxof "${k[@]}")
  STATUS[$key]=$(maxof "${r[@]}")
  CPU[$key]=$(median "${u[@]}")
}

# ---------------------------------------------------------------- changes
# A round of changes: 2 files modified on Path1, 1 new file on Path2, 1 deleted on Path1.
existing_index() { # existing_index TREE START: first index from START whose file exists
  local i=$(( $2 % N )) tries=0
  while [ ! -f "$1/$(relpath "$i")" ] && [ $tries -lt "$N" ]; do i=$(( (i + 1) % N )); tries=$((tries + 1)); done
  echo "$i"
}
make_changes() { # make_changes P1 P2 ROUND
  local p1="$1" p2="$2" k="$3" i
  for off in 0 17; do
    i=$(existing_index "$p1" $(( k * 1009 + off )))
    printf 'changed in round %d\n' "$k" >> "$p1/$(relpath "$i")"
  done
  i=$(existing_index "$p2" $(( k * 1009 + 31 )))
  local rel; rel="$(relpath "$i")"
  printf 'new file of round %d\n' "$k" > "$p2/${rel%/*}/new-$k.txt"
  i=$(existing_index "$p1" $(( k * 1009 + 53 )))
  rm -f "$p1/$(relpath "$i")"
}

# ---------------------------------------------------------------- correctness
# Both trees hold the same files with the same sizes, and as many as expected.
verify() { # verify TOOL P1 P2
  local tool="$1" a="$LOGS/$1.p1.files" b="$LOGS/$1.p2.files" n1
  (cd "$2" && find . -type f -printf '%P %s\n' | LC_ALL=C sort) > "$a"
  (cd "$3" && find . -type f -printf '%P %s\n' | LC_ALL=C sort) > "$b"
  n1=$(wc -l < "$a")
  if ! cmp -s "$a" "$b"; then
    VERIFY[$tool]="DIFFER ($(diff "$a" "$b" | grep -c '^[<>]') lines)"
    diff "$a" "$b" | head -n 20 > "$LOGS/$tool.verify.diff"
  elif [ "$n1" -ne "$N" ]; then
    VERIFY[$tool]="COUNT $n1 != $N"
  else
    VERIFY[$tool]="ok"
  fi
  log "$tool: verify ${VERIFY[$tool]}"
}

# ---------------------------------------------------------------- the tools
# Deleting a big tree can take minutes (ext4 mounted with discard: 100k files, over
# 2 minutes), so used trees go to a trash folder, emptied once at the very end.
TRASH="$OUT/trash"
trash() { # trash PATH...: move out of the way now, delete at the end
  local p
  mkdir -p "$TRASH"
  for p in "$@"; do [ -e "$p" ] && mv "$p" "$(mktemp -d "$TRASH/XXXXXX")/"; done
  return 0
}
fresh_pair() { # fresh_pair TOOL: TOOL's own Path1 (a copy of the tree) and an empty Path2
  local base="$OUT/run-$N/$1"
  trash "$base"; mkdir -p "$base/p2" "$base/work"
  cp -a "$SRC" "$base/p1"
  P1="$base/p1"; P2="$base/p2"; WORK="$base/work"
}
done_pair() { [ "$KEEP" = 1 ] || trash "$OUT/run-$N/$1"; }

# tool_cmd TOOL first|again: the command line of TOOL in CMD (uses P1, P2, WORK).
tool_cmd() {
  case "$1.$2" in
    bisync.first) CMD=("$BISYNC_BIN" "$P1" "$P2" --workdir "$WORK" --resync) ;;
    bisync.again) CMD=("$BISYNC_BIN" "$P1" "$P2" --workdir "$WORK") ;;
    rclone.first) CMD=(rclone bisync "$P1" "$P2" --workdir "$WORK" --resync) ;;
    rclone.again) CMD=(rclone bisync "$P1" "$P2" --workdir "$WORK") ;;
    # Unison: archives in a scratch $UNISON (the user's ~/.unison untouched), times copied.
    unison.*) CMD=(env UNISON="$WORK" unison "$P1" "$P2" -batch -auto -times -log=false) ;;
  esac
}

run_tool() {
  local tool="$1" r s=() k=() c=() u=()
  log "$tool: copying the tree for its Path1"
  fresh_pair "$tool"
  log "$tool: first sync"
  tool_cmd "$tool" first
  measure "$tool.first" "${CMD[@]}"
  record "$tool.first" "$M_SECS" -- "$M_KIB" -- "$M_RC" -- "$M_CPU"
  tool_cmd "$tool" again
  for r in $(seq 1 "$REPEAT"); do
    log "$tool: no-change run $r"
    measure "$tool.nochange.$r" "${CMD[@]}"
    s+=("$M_SECS"); k+=("$M_KIB"); c+=("$M_RC"); u+=("$M_CPU")
  done
  record "$tool.nochange" "${s[@]}" -- "${k[@]}" -- "${c[@]}" -- "${u[@]}"
  s=(); k=(); c=(); u=()
  for r in $(seq 1 "$REPEAT"); do
    make_changes "$P1" "$P2" "$r"
    log "$tool: changes run $r"
    measure "$tool.changes.$r" "${CMD[@]}"
    s+=("$M_SECS"); k+=("$M_KIB"); c+=("$M_RC"); u+=("$M_CPU")
  done
  record "$tool.changes" "${s[@]}" -- "${k[@]}" -- "${c[@]}" -- "${u[@]}"
  verify "$tool" "$P1" "$P2"
  done_pair "$tool"
}

# The no-change floor: list both trees, one after the other, names, sizes and times.
TWO_FINDS='find "$1" -printf "%P %s %T@\n" > "$3/find1.txt" && find "$2" -printf "%P %s %T@\n" > "$3/find2.txt"'
run_floor() {
  local base="$OUT/run-$N/floor" r s=() k=() c=() u=()
  trash "$base"; mkdir -p "$base"
  for r in $(seq 1 "$REPEAT"); do
    trash "$base/copy"
    log "floor: cp -a run $r"
    measure "cp.first.$r" cp -a "$SRC" "$base/copy"
    s+=("$M_SECS"); k+=("$M_KIB"); c+=("$M_RC"); u+=("$M_CPU")
  done
  record "cp.first" "${s[@]}" -- "${k[@]}" -- "${c[@]}" -- "${u[@]}"
  verify cp "$SRC" "$base/copy"
  s=(); k=(); c=(); u=()
  for r in $(seq 1 "$REPEAT"); do
    log "floor: two finds run $r"
    measure "find.nochange.$r" bash -c "$TWO_FINDS" _ "$SRC" "$base/copy" "$base"
    s+=("$M_SECS"); k+=("$M_KIB"); c+=("$M_RC"); u+=("$M_CPU")
  done
  record "find.nochange" "${s[@]}" -- "${k[@]}" -- "${c[@]}" -- "${u[@]}"
  VERIFY[find]="-"
  trash "$base"
}

# ---------------------------------------------------------------- run
BISYNC_BIN="${BISYNC_BIN:-$ROOT/.build/bin/bisync}"
if has_tool bisync; then
  log "building bisync (once, outside the timings)"
  "$ROOT/bisync" --version >/dev/null || { echo "run.sh: bisync build failed" >&2; exit 2; }
fi
export BISYNC_BIN

if [ -d "$TRASH" ] || [ -d "$OUT/run-$N" ]; then
  log "removing the trees of an earlier run (untimed; can be slow)"
  trash "$OUT/run-$N"; rm -rf "$TRASH"
fi
generate
log "N=$N files in $DIRS folders, tools: $TOOLS, repeat: $REPEAT, $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)"
has_tool floor && run_floor
for t in bisync rclone unison; do has_tool "$t" && run_tool "$t"; done
rmdir "$OUT/run-$N" 2>/dev/null

# ---------------------------------------------------------------- report
cell_s() { # seconds, marked when a run failed
  local key="$1"
  [ -n "${SECS[$key]:-}" ] || { printf '%s' "-"; return; }
  if [ "${STATUS[$key]}" = 0 ]; then printf '%s' "${SECS[$key]}"; else printf '%s!' "${SECS[$key]}"; fi
}
cell_mb() { local key="$1"; [ -n "${KIB[$key]:-}" ] && awk -v k="${KIB[$key]}" 'BEGIN { printf "%.0f", k / 1024 }' || printf '%s' "-"; }

{
  echo
  echo "N=$N files in $DIRS folders; median of $REPEAT runs where repeated (first sync of a tool: 1 run); MB = peak RSS (MiB)"
  printf '%-8s %10s %9s %12s %9s %11s %9s  %s\n' tool "first s" "first MB" "no-change s" "nochg MB" "changes s" "chg MB" verify
  for t in cp find bisync rclone unison; do
    case "$t" in
      cp) has_tool floor || continue; label="cp -a" ;;
      find) has_tool floor || continue; label="2x find" ;;
      *) has_tool "$t" || continue; label="$t" ;;
    esac
    printf '%-8s %10s %9s %12s %9s %11s %9s  %s\n' "$label" \
      "$(cell_s "$t.first")" "$(cell_mb "$t.first")" \
      "$(cell_s "$t.nochange")" "$(cell_mb "$t.nochange")" \
      "$(cell_s "$t.changes")" "$(cell_mb "$t.changes")" "${VERIFY[$t]:-}"
  done
  echo
  echo "CPU seconds (user + system, median; less disturbed by other load than wall time):"
  printf '%-8s %10s %12s %11s\n' tool "first" "no-change" "changes"
  for t in cp find bisync rclone unison; do
    case "$t" in
      cp) has_tool floor || continue; label="cp -a" ;;
      find) has_tool floor || continue; label="2x find" ;;
      *) has_tool "$t" || continue; label="$t" ;;
    esac
    printf '%-8s %10s %12s %11s\n' "$label" "${CPU[$t.first]:--}" "${CPU[$t.nochange]:--}" "${CPU[$t.changes]:--}"
  done
  for key in "${!STATUS[@]}"; do
    if [ "${STATUS[$key]}" != 0 ]; then echo "(a '!' after a time: at least one of those runs exited non-zero; see $LOGS)"; break; fi
  done
  echo
  ratio() { # ratio LABEL NUM DEN TARGET
    if [ -n "$2" ] && [ -n "$3" ]; then
      awk -v l="$1" -v a="$2" -v b="$3" -v t="$4" 'BEGIN {
        if (b <= 0) { printf "%-36s %8s   (target <= %s)\n", l, "n/a", t; exit }
        r = a / b; printf "%-36s %8.2f   (target <= %s) %s\n", l, r, t, (r <= t ? "met" : "NOT met") }'
    fi
  }
  if has_tool bisync; then
    echo "Ratios:"
    ratio "bisync no-change / two-find floor" "${SECS[bisync.nochange]:-}" "${SECS[find.nochange]:-}" 2
    ratio "bisync no-change / unison" "${SECS[bisync.nochange]:-}" "${SECS[unison.nochange]:-}" 0.5
    ratio "bisync changes / unison" "${SECS[bisync.changes]:-}" "${SECS[unison.changes]:-}" 0.5
    ratio "bisync first / cp -a" "${SECS[bisync.first]:-}" "${SECS[cp.first]:-}" 1.2
    peak=$(maxof "${KIB[bisync.first]}" "${KIB[bisync.nochange]}" "${KIB[bisync.changes]}")
    awk -v k="$peak" -v n="$N" 'BEGIN { r = k * 1.024 / n;
      printf "%-36s %8.3f   (target <= 0.3 kB/file at 1M files; peak %.0f MiB over all bisync runs)\n", "bisync peak RSS per file, kB", r, k / 1024 }'
  fi
} | tee "$OUT/report-$N.txt"

# The medians, one line per tool and run kind, for bench/chart.py (BENCH_LABEL names what was
# measured, e.g. bisync-aot, when several builds are compared; default: the tool's name).
CSV="$ROOT/bench/results/runs.csv"
mkdir -p "${CSV%/*}"
[ -f "$CSV" ] || echo "date,commit,files,tool,kind,wall_s,cpu_s,peak_kib,runs,load" > "$CSV"
commit="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
load="$(cut -d' ' -f1 /proc/loadavg)"
for key in "${!SECS[@]}"; do
  tool="${key%%.*}"; kind="${key#*.}"
  [ "$tool" = bisync ] && [ -n "${BENCH_LABEL:-}" ] && tool="$BENCH_LABEL"
  [ "${STATUS[$key]}" = 0 ] || continue
  case "$key" in cp.first) runs="$REPEAT" ;; *.first) runs=1 ;; *) runs="$REPEAT" ;; esac
  echo "$(date -u +%Y-%m-%dT%H:%M),$commit,$N,$tool,$kind,${SECS[$key]},${CPU[$key]},${KIB[$key]},$runs,$load" >> "$CSV"
done

log "removing the scratch trees (untimed; can be slow; the generated tree stays in $SRC)"
rm -rf "$TRASH"
