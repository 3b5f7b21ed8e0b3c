#!/usr/bin/env bash
# Test FTP server for the rclone backend: ProFTPD (Debian proftpd-core, installed without starting
# the system service when missing; MLSD listings and MFMT for modification times), our own config
# on 127.0.0.1 at a free port, one virtual user with a random password, chrooted to a fresh folder.
# Usage: proftpd.sh start|stop. Writes "export BISYNC_FTP_*=..." into $BISYNC_TEST_ENV; state
# under $BISYNC_TEST_STATE/proftpd; stops only the proftpd whose PID it recorded.
set -euo pipefail
: "${BISYNC_TEST_STATE:?}" "${BISYNC_TEST_ENV:?}"
here="$(cd "$(dirname "$0")" && pwd)"
dir="$BISYNC_TEST_STATE/proftpd"
log() { printf '[proftpd.sh] %s\n' "$*" >&2; }

stop() {
  if [ -f "$dir/proftpd.pid" ]; then
    pid=$(cat "$dir/proftpd.pid")
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
    rm -f "$dir/proftpd.pid"
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
    || echo $((20000 + RANDOM % 20000))
}

start() {
  if [ "$(id -u)" != 0 ]; then log "must run as root (installs proftpd, chroots the test user)"; exit 1; fi
  if [ ! -x /usr/sbin/proftpd ]; then
    log "installing proftpd-core"
    bash "$here/lib/apt-install-nostart.sh" proftpd-core >/dev/null 2>&1 || { log "apt-get install proftpd-core failed"; exit 1; }
  fi
  stop
  rm -rf "$dir"; mkdir -p "$dir/data"
  chown 65534:65534 "$dir/data"
  port=$(free_port)
  user=bisync
  pass="pw-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  hash=$(openssl passwd -6 "$pass")
  printf '%s:%s:65534:65534::%s:/bin/false\n' "$user" "$hash" "$dir/data" > "$dir/passwd"
  printf 'nogroup:x:65534:\n' > "$dir/group"
  chmod 600 "$dir/passwd"
  cat > "$dir/proftpd.conf" <<CONF
ServerName "bisync test"
ServerType standalone
DefaultServer on
UseIPv6 off
DefaultAddress 127.0.0.1
SocketBindTight on
Port $port
PassivePorts 40000 60000
PidFile $dir/proftpd.pid
ScoreboardFile $dir/scoreboard
DelayTable none
WtmpLog off
SystemLog $dir/proftpd.log
TransferLog none
User nobody
Group nogroup
Umask 022
MaxInstances 60
UseReverseDNS off
TimesGMT on
AuthOrder mod_auth_file.c
AuthUserFile $dir/passwd
AuthGroupFile $dir/group
RequireValidShell off
DefaultRoot ~
AllowOverwrite on
<IfModule mod_facts.c>
  FactsAdvertise on
</IfModule>
CONF
  /usr/sbin/proftpd -c "$dir/proftpd.conf" -t >/dev/null 2>&1 || { /usr/sbin/proftpd -c "$dir/proftpd.conf" -t; log "proftpd config test failed"; exit 1; }
  /usr/sbin/proftpd -c "$dir/proftpd.conf" || { log "proftpd failed to start"; cat "$dir/proftpd.log" >&2 || true; exit 1; }
  for _ in $(seq 1 100); do
    if [ -f "$dir/proftpd.pid" ] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    sleep 0.1
  done
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    log "proftpd not listening on 127.0.0.1:$port after 10s"; cat "$dir/proftpd.log" >&2 || true; stop; exit 1
  fi
  {
    echo "export BISYNC_FTP_HOST=127.0.0.1"
    echo "export BISYNC_FTP_PORT=$port"
    echo "export BISYNC_FTP_USER=$user"
    echo "export BISYNC_FTP_PASS=$pass"
    echo "export BISYNC_FTP_DIR=$dir/data"
  } >> "$BISYNC_TEST_ENV"
  log "proftpd on 127.0.0.1:$port (pid $(cat "$dir/proftpd.pid"))"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
