#!/usr/bin/env bash
# Test WebDAV server for the rclone backend: Apache httpd with mod_dav/mod_dav_fs (Debian apache2,
# installed without starting the system service when missing), our own minimal config on
# 127.0.0.1 at a free port, basic auth with a random password, serving a fresh folder.
# Usage: apache-webdav.sh start|stop. Writes "export BISYNC_AWEBDAV_*=..." into $BISYNC_TEST_ENV;
# state under $BISYNC_TEST_STATE/apache-webdav; stops only the httpd whose PID it recorded.
set -euo pipefail
: "${BISYNC_TEST_STATE:?}" "${BISYNC_TEST_ENV:?}"
here="$(cd "$(dirname "$0")" && pwd)"
dir="$BISYNC_TEST_STATE/apache-webdav"
mods=/usr/lib/apache2/modules
log() { printf '[apache-webdav.sh] %s\n' "$*" >&2; }

stop() {
  if [ -f "$dir/httpd.pid" ]; then
    pid=$(cat "$dir/httpd.pid")
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
    rm -f "$dir/httpd.pid"
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
    || echo $((20000 + RANDOM % 20000))
}

start() {
  if [ "$(id -u)" != 0 ]; then log "must run as root (installs apache2, runs httpd as www-data)"; exit 1; fi
  if [ ! -x /usr/sbin/apache2 ] || [ ! -f "$mods/mod_dav_fs.so" ] || ! command -v htpasswd >/dev/null; then
    log "installing apache2"
    bash "$here/lib/apt-install-nostart.sh" apache2 apache2-utils >/dev/null 2>&1 || { log "apt-get install apache2 failed"; exit 1; }
  fi
  stop
  rm -rf "$dir"; mkdir -p "$dir/data" "$dir/lock"
  chown www-data:www-data "$dir/data" "$dir/lock"
  port=$(free_port)
  user=bisync
  pass="pw-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  htpasswd -cb "$dir/htpasswd" "$user" "$pass" >/dev/null 2>&1
  chmod 644 "$dir/htpasswd"
  cat > "$dir/httpd.conf" <<CONF
ServerRoot "$dir"
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile "$dir/httpd.pid"
ErrorLog "$dir/error.log"
LogLevel warn
User www-data
Group www-data
LoadModule mpm_event_module $mods/mod_mpm_event.so
LoadModule authn_core_module $mods/mod_authn_core.so
LoadModule authn_file_module $mods/mod_authn_file.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule authz_user_module $mods/mod_authz_user.so
LoadModule auth_basic_module $mods/mod_auth_basic.so
LoadModule dav_module $mods/mod_dav.so
LoadModule dav_fs_module $mods/mod_dav_fs.so
DavLockDB "$dir/lock/davlock"
DocumentRoot "$dir/data"
<Directory "$dir/data">
  Dav On
  AuthType Basic
  AuthName "bisync test"
  AuthUserFile "$dir/htpasswd"
  Require valid-user
</Directory>
CONF
  /usr/sbin/apache2 -f "$dir/httpd.conf" -t >/dev/null 2>&1 || { /usr/sbin/apache2 -f "$dir/httpd.conf" -t; log "httpd config test failed"; exit 1; }
  /usr/sbin/apache2 -f "$dir/httpd.conf" -k start || { log "httpd failed to start"; cat "$dir/error.log" >&2 || true; exit 1; }
  for _ in $(seq 1 100); do
    if [ -f "$dir/httpd.pid" ] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    sleep 0.1
  done
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    log "httpd not listening on 127.0.0.1:$port after 10s"; cat "$dir/error.log" >&2 || true; stop; exit 1
  fi
  {
    echo "export BISYNC_AWEBDAV_URL=http://127.0.0.1:$port"
    echo "export BISYNC_AWEBDAV_USER=$user"
    echo "export BISYNC_AWEBDAV_PASS=$pass"
    echo "export BISYNC_AWEBDAV_DIR=$dir/data"
  } >> "$BISYNC_TEST_ENV"
  log "apache httpd (mod_dav) on 127.0.0.1:$port (pid $(cat "$dir/httpd.pid"))"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
