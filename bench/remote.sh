#!/usr/bin/env bash
# Remote benchmark: wall time of a no-change bisync run on N files (default 10000) with
# Path2 on SFTP (OpenSSH on 127.0.0.1) and on S3 (s3rver on 127.0.0.1), for bisync with its
# native backends, bisync through rclone (--rclone-backend), and rclone 1.60.1 bisync, in one
# run, next to the floor: `rclone lsf -R` of the same remote. Starts the test servers itself (the same scripts
# ./test.sh uses) and stops them at the end.
#
#   bench/remote.sh [N]        (RUNS=3 no-change runs each; BACKENDS="sftp s3" and TOOLS="bisync bisync-rc rclone" to choose;
#                               bisync-ck is bisync with --compare size,checksum;
#                               rclone-copy is `rclone copy` of the same tree into a fresh folder: the
#                               yardstick for a first sync, which has no no-change runs)
#   TRANSFERS=4                --transfers given to every tool (4 is rclone's default, and bisync's)
#   REPEAT=1                   first syncs per tool, each into a fresh remote folder, the tools of a
#                              backend one after the other in each round (median reported)
#   RUNS=0                     first syncs only: no no-change runs, no floors
#   BISYNC_ARGS="-vv ..."      extra arguments for bisync's first syncs (e.g. a log file to profile)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
N=${1:-10000}
RUNS=${RUNS:-3}
REPEAT=${REPEAT:-1}
TRANSFERS=${TRANSFERS:-4}
read -r -a EXTRA <<< "${BISYNC_ARGS:-}"
BACKENDS=${BACKENDS:-sftp s3}
TOOLS=${TOOLS:-bisync bisync-rc rclone}
SCRATCH=${BENCH_DIR:-$ROOT/.build/bench-remote}
export BISYNC_TEST_STATE="$SCRATCH/state" BISYNC_TEST_ENV="$SCRATCH/state/env.sh"
rm -rf "$SCRATCH"; mkdir -p "$BISYNC_TEST_STATE"; : > "$BISYNC_TEST_ENV"
unset AWS_CA_BUNDLE SSL_CERT_FILE CURL_CA_BUNDLE REQUESTS_CA_BUNDLE || true

stop() { bash tests/servers/sshd.sh stop >/dev/null 2>&1 || true; bash tests/servers/s3rver.sh stop >/dev/null 2>&1 || true; }
trap stop EXIT
bash tests/servers/sshd.sh start
bash tests/servers/s3rver.sh start
# shellcheck disable=SC1090
. "$BISYNC_TEST_ENV"

./bisync --version >/dev/null  # build once, outside the timings
# a snapshot of the binary: an edit of the sources during the run must not rebuild inside a timing
rm -rf "$SCRATCH/bin"; cp -a .build/bin "$SCRATCH/bin"
BISYNC="$SCRATCH/bin/bisync"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

conf="$SCRATCH/rclone.conf"
cat > "$conf" <<CONF
[sftpb]
type = sftp
host = $BISYNC_SFTP_HOST
port = $BISYNC_SFTP_PORT
user = $BISYNC_SFTP_USER
key_file = $BISYNC_SFTP_KEY_FILE
known_hosts_file = $BISYNC_SFTP_KNOWN_HOSTS

[s3b]
type = s3
provider = Other
access_key_id = $BISYNC_S3_ACCESS_KEY_ID
secret_access_key = $BISYNC_S3_SECRET_ACCESS_KEY
endpoint = $BISYNC_S3_ENDPOINT
force_path_style = true
region = $BISYNC_S3_REGION
CONF
export RCLONE_CONFIG="$conf"

echo "generating $N files..." >&2
python3 - "$SCRATCH/src" "$N" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
per = 100
for i in range(n):
    d = os.path.join(root, f"d{i // per // 10}", f"e{i // per}")
    os.makedirs(d, exist_ok=True)
    p = os.path.join(d, f"f{i}.txt")
    with open(p, "w") as f:
        f.write("x" * (100 + i % 300))
    os.utime(p, (946684800 + i, 946684800 + i))
PY

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }
now() { date +%s.%N; }

results=()
declare -A firsts=() nochanges=()
for backend in $BACKENDS; do
  for round in $(seq "$REPEAT"); do
    for tool in $TOOLS; do
      local1="$SCRATCH/$backend-$tool-$round-p1"; wd="$SCRATCH/$backend-$tool-$round-wd"
      cp -a "$SCRATCH/src" "$local1"; mkdir -p "$wd"
      if [ "$backend" = sftp ]; then remote="sftpb:$BISYNC_SFTP_HOME/bench-$tool-$round"; else remote="s3b:$BISYNC_S3_BUCKET/bench-$tool-$round"; fi
      rclone mkdir "$remote" 2>/dev/null
      extra=()
      case "$tool" in
        bisync) cmd=("$BISYNC" "$local1" "$remote" --workdir "$wd"); extra=("${EXTRA[@]}") ;;
        bisync-rc) cmd=("$BISYNC" "$local1" "$remote" --workdir "$wd" --rclone-backend); extra=("${EXTRA[@]}") ;;
        bisync-ck) cmd=("$BISYNC" "$local1" "$remote" --workdir "$wd" --compare size,checksum); extra=("${EXTRA[@]}") ;;
        rclone-copy) cmd=(rclone copy "$SCRATCH/src" "$remote") ;;
        *) cmd=(rclone bisync "$local1" "$remote" --workdir "$wd") ;;
      esac
      cmd+=(--transfers "$TRANSFERS")
      first_args=(--resync "${extra[@]}")
      [ "$tool" = rclone-copy ] && first_args=()
      t0=$(now)
      if ! "${cmd[@]}" "${first_args[@]}" >/dev/null 2>"$SCRATCH/err.txt"; then
        tail -3 "$SCRATCH/err.txt" >&2
        # rclone copy's own check has caught s3rver, loaded, storing empty objects: that round is left out
        [ "$tool" = rclone-copy ] || exit 1
        echo "$backend $tool round $round failed: left out of the median" >&2
        continue
      fi
      t1=$(now)
      first=$(echo "$t1 - $t0" | bc)
      firsts["$backend $tool"]+="$first "
      nochange=-
      if [ "$round" = 1 ] && [ "$RUNS" -gt 0 ] && [ "$tool" != rclone-copy ]; then
        times=()
        for _ in $(seq "$RUNS"); do
          t0=$(now); "${cmd[@]}" >/dev/null 2>"$SCRATCH/err.txt" || { cat "$SCRATCH/err.txt" >&2; exit 1; }; t1=$(now)
          times+=("$(echo "$t1 - $t0" | bc)")
        done
        nochange=$(printf '%s\n' "${times[@]}" | median)
        nochanges["$backend $tool"]=$nochange
      fi
      count=$(rclone lsf -R --files-only "$remote" | wc -l)
      [ "$count" -eq "$N" ] || { echo "$backend/$tool: remote holds $count files, expected $N" >&2; exit 1; }
      printf '%-6s %-11s round %d: first %.2f s, no-change %s s\n' "$backend" "$tool" "$round" "$first" "$nochange" >&2
    done
  done
  for tool in $TOOLS; do
    echo "$backend $tool first syncs: ${firsts["$backend $tool"]}" >&2
    firsts["$backend $tool"]=$(printf '%s\n' ${firsts["$backend $tool"]} | median)
  done
  copy=${firsts["$backend rclone-copy"]:-}
  for tool in $TOOLS; do
    first=${firsts["$backend $tool"]}
    # a bisync first sync against rclone copy of the same tree, same run, same --transfers
    ratio=-
    if [ -n "$copy" ] && [[ $tool == bisync* ]]; then ratio=$(echo "scale=2; $first / $copy" | bc); fi
    results+=("$(printf '%-6s %-11s %10.2f %12s %8s' "$backend" "$tool" "$first" "${nochanges["$backend $tool"]:--}" "$ratio")")
  done
  [ "$RUNS" -gt 0 ] || continue
  # the floors: listing the same remote recursively, nothing more (names; names, sizes and hashes)
  for format in "" ps; do
    times=()
    for _ in $(seq "$RUNS"); do
      t0=$(now); rclone lsf -R ${format:+--format "$format"} "$remote" >/dev/null; t1=$(now)
      times+=("$(echo "$t1 - $t0" | bc)")
    done
    results+=("$(printf '%-6s %-11s %10s %12.2f %8s' "$backend" "lsf -R${format:+ $format}" "-" "$(printf '%s\n' "${times[@]}" | median)" -)")
  done
done

printf '\n%d files, --transfers %d, median of %d first syncs and of %d no-change runs; load average at the end: %s\n' \
  "$N" "$TRANSFERS" "$REPEAT" "$RUNS" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-6s %-11s %10s %12s %8s\n' backend tool "first s" "no-change s" "/copy"
printf '%s\n' "${results[@]}"
