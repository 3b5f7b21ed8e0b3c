#!/usr/bin/env bash
# Test S3 server for the remote-backend tests: s3rver (npm, installed into .build/s3rver when
# missing) on 127.0.0.1 at a free port, plain HTTP, path-style, its fixed test credentials.
# Usage: s3rver.sh start|stop. Writes "export BISYNC_S3_*=..." into $BISYNC_TEST_ENV; state under
# $BISYNC_TEST_STATE/s3rver; stops only the node process whose PID it recorded.
set -euo pipefail
: "${BISYNC_TEST_STATE:?}" "${BISYNC_TEST_ENV:?}"
here="$(cd "$(dirname "$0")/../.." && pwd)"
inst="$here/.build/s3rver"
dir="$BISYNC_TEST_STATE/s3rver"
entry="$inst/node_modules/s3rver/bin/s3rver.js"
log() { printf '[s3rver.sh] %s\n' "$*" >&2; }

stop() {
  if [ -f "$dir/s3rver.pid" ]; then
    pid=$(cat "$dir/s3rver.pid")
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
    rm -f "$dir/s3rver.pid"
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
    || echo $((20000 + RANDOM % 20000))
}

start() {
  command -v node >/dev/null || { log "node is missing"; exit 1; }
  if [ ! -f "$entry" ]; then
    log "installing s3rver 3.7.1"
    mkdir -p "$inst"
    (cd "$inst" && npm install --no-audit --no-fund --silent s3rver@3.7.1) >"$inst/npm.log" 2>&1 \
      || { cat "$inst/npm.log" >&2; log "npm install s3rver failed"; exit 1; }
  fi
  stop
  rm -rf "$dir"; mkdir -p "$dir/data"
  port=$(free_port)
  # s3rver makes ListObjectsV2 continuation tokens with DES, which OpenSSL 3 keeps in its legacy provider
  nodeflags=()
  if node --openssl-legacy-provider -e 1 >/dev/null 2>&1; then nodeflags+=(--openssl-legacy-provider); fi
  nohup node "${nodeflags[@]}" "$entry" -d "$dir/data" -a 127.0.0.1 -p "$port" --silent \
    --configure-bucket bisync-test --configure-bucket bisync-interop >"$dir/s3rver.log" 2>&1 &
  echo $! > "$dir/s3rver.pid"
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    sleep 0.1
  done
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    log "s3rver not listening on 127.0.0.1:$port after 10s"; cat "$dir/s3rver.log" >&2 || true; stop; exit 1
  fi
  {
    echo "export BISYNC_S3_ENDPOINT=http://127.0.0.1:$port"
    echo "export BISYNC_S3_ACCESS_KEY_ID=S3RVER"
    echo "export BISYNC_S3_SECRET_ACCESS_KEY=S3RVER"
    echo "export BISYNC_S3_REGION=us-east-1"
    echo "export BISYNC_S3_BUCKET=bisync-test"
    echo "export BISYNC_S3_INTEROP_BUCKET=bisync-interop"
  } >> "$BISYNC_TEST_ENV"
  log "s3rver on 127.0.0.1:$port (pid $(cat "$dir/s3rver.pid"))"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
