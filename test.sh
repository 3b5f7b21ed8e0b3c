#!/usr/bin/env bash
# Runs the whole test suite: installs what the tests need (Debian packages, npm
# packages), starts the test servers on 127.0.0.1, builds, runs every test and
# ends with one line of totals: "N passed, N failed, N skipped".
#   ./test.sh          everything (tests/Bisync.UnitTests and tests/Bisync.Tests)
#   ./test.sh --unit   only tests/Bisync.UnitTests: no install, no server, no rclone
set -uo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { printf '[test.sh] %s\n' "$*" >&2; }

UNIT=0
case "${1:-}" in
  --unit) UNIT=1 ;;
  "") ;;
  *) echo "usage: ./test.sh [--unit]" >&2; exit 2 ;;
esac

if [ "$UNIT" = 1 ]; then
  # Unit tests only: nothing to install, no server to start.
  TARGET=tests/Bisync.UnitTests/Bisync.UnitTests.csproj
  export BISYNC_TEST_STATE="$ROOT/.build/test-unit"
  mkdir -p "$BISYNC_TEST_STATE"
else
TARGET=Bisync.slnx
export BISYNC_TEST_STATE="$ROOT/.build/test-state"
# 1. Tools the tests use as oracles or servers.
need_pkgs=()
command -v rclone >/dev/null || need_pkgs+=(rclone)
command -v unison >/dev/null || need_pkgs+=(unison)
command -v sshd >/dev/null || [ -x /usr/sbin/sshd ] || need_pkgs+=(openssh-server)
command -v ssh-keygen >/dev/null || need_pkgs+=(openssh-client)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  log "installing ${need_pkgs[*]}"
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}") >/dev/null 2>&1 \
      || { log "apt-get install ${need_pkgs[*]} failed"; echo "0 passed, 1 failed"; exit 1; }
  else
    log "missing ${need_pkgs[*]} and not root: cannot install"; echo "0 passed, 1 failed"; exit 1
  fi
fi

# 2. Test servers: every tests/servers/*.sh with "start" exports its settings
#    into $BISYNC_TEST_ENV; they are stopped on exit by PID.
rm -rf "$BISYNC_TEST_STATE"; mkdir -p "$BISYNC_TEST_STATE"
export BISYNC_TEST_ENV="$BISYNC_TEST_STATE/env.sh"
: > "$BISYNC_TEST_ENV"
stop_servers() {
  for s in tests/servers/*.sh; do [ -f "$s" ] && bash "$s" stop >/dev/null 2>&1; done
}
trap stop_servers EXIT
for s in tests/servers/*.sh; do
  [ -f "$s" ] || continue
  log "starting $(basename "$s" .sh)"
  if ! bash "$s" start; then
    log "server $(basename "$s" .sh) failed to start"
    echo "0 passed, 1 failed"; exit 1
  fi
done
# shellcheck disable=SC1090
. "$BISYNC_TEST_ENV"
fi # the full run's installs and servers

# 3. Build and test.
log "building"
if ! dotnet build "$TARGET" -c Release -nologo -v q -clp:ErrorsOnly > "$BISYNC_TEST_STATE/build.log" 2>&1; then
  cat "$BISYNC_TEST_STATE/build.log" >&2
  echo "0 passed, 1 failed"; exit 1
fi
log "testing"
# A test that hangs is killed after 15 minutes and reported, instead of stalling the run.
dotnet test "$TARGET" -c Release --no-build -nologo -v q --logger "console;verbosity=normal" \
  --blame-hang-timeout 15m --blame-hang-dump-type none 2>&1 | tee "$BISYNC_TEST_STATE/test.log"
rc=${PIPESTATUS[0]}

# Totals: vstest prints, per test assembly, a block "Total tests: N" / "Passed: N" /
# "Failed: N" / "Skipped: N"; add them up.
passed=0; failed=0; skipped=0
while read -r kind n; do
  case "$kind" in
    Passed:) passed=$((passed + n)) ;;
    Failed:) failed=$((failed + n)) ;;
    Skipped:) skipped=$((skipped + n)) ;;
  esac
done < <(sed -n '/^Total tests:/,/Total time:/p' "$BISYNC_TEST_STATE/test.log" | grep -E '^ +(Passed|Failed|Skipped): +[0-9]+ *$')
# Repeat each failed test's name and message just above the totals, where a
# reader of only the last lines of the output (CI) will see them.
if [ "$failed" -gt 0 ] || [ "$rc" -ne 0 ]; then
  echo
  echo "=== failed tests ==="
  awk '/^  Failed /{show=1; n=0}
       /^  (Passed|Skipped) /{show=0}
       /^Test Run|^Total tests:|^\[xUnit/{show=0}
       show && n < 40 {print; n++}' "$BISYNC_TEST_STATE/test.log"
  echo "=== end of failed tests ==="
fi
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then failed=1; log "no test ran"; fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
