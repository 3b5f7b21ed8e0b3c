#!/usr/bin/env bash
# Test WebDAV server for the rclone backend: `rclone serve webdav` (rclone 1.60.1, from Debian when
# missing) on 127.0.0.1 at a free port, serving a fresh folder, basic auth with a random password.
# Usage: rclone-webdav.sh start|stop. Writes "export BISYNC_RWEBDAV_*=..." into $BISYNC_TEST_ENV;
# state under $BISYNC_TEST_STATE/rclone-webdav; stops only the rclone whose PID it recorded.
set -euo pipefail
: "${BISYNC_TEST_STATE:?}" "${BISYNC_TEST_ENV:?}"
dir="$BISYNC_TEST_STATE/rclone-webdav"
log() { printf '[rclone-webdav.sh] %s\n' "$*" >&2; }

stop() {
  if [ -f "$dir/pid" ]; then
    pid=$(cat "$dir/pid")
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
    rm -f "$dir/pid"
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
    || echo $((20000 + RANDOM % 20000))
}

start() {
  if ! command -v rclone >/dev/null; then
    log "installing rclone"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rclone) >/dev/null 2>&1 \
      || { log "apt-get install rclone failed"; exit 1; }
  fi
  stop
  rm -rf "$dir"; mkdir -p "$dir/data"
  port=$(free_port)
  user="bisync"
  pass="pw-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  # user and password through the environment: not in the process list
  RCLONE_USER="$user" RCLONE_PASS="$pass" nohup rclone serve webdav "$dir/data" --config /dev/null \
    --addr "127.0.0.1:$port" --log-level NOTICE >"$dir/log" 2>&1 </dev/null &
  echo $! > "$dir/pid"
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    sleep 0.1
  done
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    log "rclone serve webdav not listening on 127.0.0.1:$port after 10s"; cat "$dir/log" >&2 || true; stop; exit 1
  fi
  {
    echo "export BISYNC_RWEBDAV_URL=http://127.0.0.1:$port"
    echo "export BISYNC_RWEBDAV_USER=$user"
    echo "export BISYNC_RWEBDAV_PASS=$pass"
    echo "export BISYNC_RWEBDAV_DIR=$dir/data"
  } >> "$BISYNC_TEST_ENV"
  log "rclone serve webdav on 127.0.0.1:$port (pid $(cat "$dir/pid"))"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
