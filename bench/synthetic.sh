#!/usr/bin/env bash
# The engine alone at sizes past the disk: both sides are bench/Synthetic's computed trees (no file
# written but the listings in a scratch working directory), so time and peak memory at 10M files
# can be measured.
#
#   bench/synthetic.sh [N ...]           sizes (default 1000000 3000000 10000000)
#   BENCH_CHANGES=0.001                  share of files changed in the changes run
#   BENCH_OUT=.build/synthetic-bench     scratch folder (listings; removed after each N)
#   BENCH_EXTRA="perdir=100 flat=1"      settings of the synthetic tree (bench/Synthetic/SyntheticStorage.cs)
#
# For each N: a --resync of two equal trees (writes the first listings), a run with no change, a run
# where BENCH_CHANGES of the files changed (modified, deleted or with a new sibling, split between the
# sides). Each line is appended to bench/results/synthetic.csv: wall and CPU seconds, peak RSS, kB per
# file, MiB allocated, operations done and expected (the run must do exactly the expected ones).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${BENCH_OUT:-$ROOT/.build/synthetic-bench}"
CHANGES="${BENCH_CHANGES:-0.001}"
EXTRA="${BENCH_EXTRA:-}"
CSV="$ROOT/bench/results/synthetic.csv"
SIZES=("$@"); [ ${#SIZES[@]} -gt 0 ] || SIZES=(1000000 3000000 10000000)
log() { printf '[synthetic %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

mkdir -p "$OUT" "$ROOT/bench/results"
log "building bench/Synthetic"
if ! dotnet build "$ROOT/bench/Synthetic/Synthetic.csproj" -c Release -nologo -v q -clp:ErrorsOnly -o "$OUT/bin" >"$OUT/build.log" 2>&1; then
  cat "$OUT/build.log" >&2; exit 2
fi
[ -f "$CSV" ] || echo "date,commit,shape,files,step,wall_s,cpu_s,peak_kib,kb_per_file,alloc_mib,ops,expected,load" > "$CSV"
commit="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
shape="${EXTRA// /;}"; shape="${shape:-perdir=100}"
rc=0
for n in "${SIZES[@]}"; do
  wd="$OUT/work-$n"; rm -rf "$wd"; mkdir -p "$wd"
  for step in resync nochange changes; do
    log "$n files: $step"
    # shellcheck disable=SC2086
    if ! line="$("$OUT/bin/bisync-synthetic" "$step" "$n" "$wd/state" "changes=$CHANGES" $EXTRA 2>"$OUT/stages-$n-$step.txt")"; then
      log "$n $step failed:"; cat "$OUT/stages-$n-$step.txt" >&2; rc=1; break
    fi
    IFS=$'\t' read -r _ files wall cpu kib alloc copies deletes expected _ <<<"$line"
    load="$(cut -d' ' -f1 /proc/loadavg)"
    kbpf="$(awk -v k="$kib" -v n="$files" 'BEGIN { printf "%.3f", k * 1.024 / n }')"
    echo "$(date -u +%Y-%m-%dT%H:%M),$commit,$shape,$files,$step,$wall,$cpu,$kib,$kbpf,$alloc,$((copies + deletes)),$expected,$load" >> "$CSV"
    printf '%10s %-9s wall %7.2f s  cpu %7.2f s  peak %7.0f MiB  %s kB/file  load %s\n' "$n" "$step" "$wall" "$cpu" "$(awk -v k="$kib" 'BEGIN{print k/1024}')" "$kbpf" "$load" >&2
  done
  rm -rf "$wd"
done
exit $rc
