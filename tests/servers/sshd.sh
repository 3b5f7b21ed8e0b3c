#!/usr/bin/env bash
# Test SSH/SFTP server for the remote-backend tests: an OpenSSH sshd on 127.0.0.1 at a free
# non-standard port, with throwaway host and user keys made at each start and a dedicated
# test user of this checkout's own (password and key login). Usage: sshd.sh start|stop
# Writes "export BISYNC_SFTP_*=..." lines into $BISYNC_TEST_ENV; keeps its state under
# $BISYNC_TEST_STATE/sshd; stops only the sshd whose PID it recorded.
set -euo pipefail
: "${BISYNC_TEST_STATE:?}" "${BISYNC_TEST_ENV:?}"
dir="$BISYNC_TEST_STATE/sshd"
# One test user per checkout (named after a hash of its state folder), so that two checkouts
# testing at the same time never repoint each other's home or password.
user="bisync-sftp-$(printf '%s' "$BISYNC_TEST_STATE" | md5sum | cut -c1-8)"
log() { printf '[sshd.sh] %s\n' "$*" >&2; }

stop() {
  if [ -f "$dir/sshd.pid" ]; then
    pid=$(cat "$dir/sshd.pid")
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
    rm -f "$dir/sshd.pid"
  fi
  if [ -f "$dir/sshd_cbc.pid" ]; then
    pid=$(cat "$dir/sshd_cbc.pid")
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
    rm -f "$dir/sshd_cbc.pid"
  fi
}

# bounded wait until 127.0.0.1:$1 accepts connections
wait_port() {
  for _ in $(seq 1 50); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
    || echo $((20000 + RANDOM % 20000))
}

start() {
  if [ "$(id -u)" != 0 ]; then log "must run as root (creates a test user, binds sshd)"; exit 1; fi
  if [ ! -x /usr/sbin/sshd ] || ! command -v ssh-keygen >/dev/null; then
    log "installing openssh-server"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server openssh-client) >/dev/null 2>&1 \
      || { log "apt-get install openssh-server failed"; exit 1; }
  fi
  stop
  rm -rf "$dir"; mkdir -p "$dir"
  mkdir -p /run/sshd && chmod 755 /run/sshd
  home="$dir/home"
  if ! id "$user" >/dev/null 2>&1; then
    useradd -M -d "$home" -s /bin/sh "$user" || { log "useradd failed"; exit 1; }
  else
    usermod -d "$home" "$user" >/dev/null
  fi
  mkdir -p "$home"; chown "$user:" "$home"; chmod 755 "$home"
  pass="pw-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  echo "$user:$pass" | chpasswd || { log "chpasswd failed"; exit 1; }
  usermod -U "$user" >/dev/null 2>&1 || true

  ssh-keygen -q -t ed25519 -N '' -C bisync-test-host -f "$dir/host_ed25519" >/dev/null
  ssh-keygen -q -t ed25519 -N '' -C bisync-test-user -f "$dir/user_ed25519" >/dev/null
  keypass="kp-$(head -c 9 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  ssh-keygen -q -t ed25519 -N "$keypass" -C bisync-test-user-enc -f "$dir/user_enc_ed25519" >/dev/null
  # an RSA key too: through an ssh-agent it signs with rsa-sha2-256/512 (the agent's flags)
  ssh-keygen -q -t rsa -b 2048 -N '' -C bisync-test-user-rsa -f "$dir/user_rsa" >/dev/null
  cat "$dir/user_ed25519.pub" "$dir/user_enc_ed25519.pub" "$dir/user_rsa.pub" > "$dir/authorized_keys"
  chmod 644 "$dir/authorized_keys"
  chmod 600 "$dir/user_ed25519" "$dir/user_enc_ed25519" "$dir/user_rsa"

  port=$(free_port)
  printf '[127.0.0.1]:%s %s\n' "$port" "$(cut -d' ' -f1,2 "$dir/host_ed25519.pub")" > "$dir/known_hosts"
  # a known_hosts with some other key, to check that a mismatch is refused
  ssh-keygen -q -t ed25519 -N '' -f "$dir/other_host" >/dev/null
  printf '[127.0.0.1]:%s %s\n' "$port" "$(cut -d' ' -f1,2 "$dir/other_host.pub")" > "$dir/known_hosts_wrong"

  cat > "$dir/sshd_config" <<CONF
Port $port
ListenAddress 127.0.0.1
HostKey $dir/host_ed25519
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
PasswordAuthentication yes
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin no
AllowUsers $user
UsePAM no
StrictModes no
MaxStartups 100:30:200
MaxSessions 50
Subsystem sftp internal-sftp
LogLevel INFO
CONF
  /usr/sbin/sshd -t -f "$dir/sshd_config" || { log "sshd config test failed"; exit 1; }
  /usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log" || { log "sshd failed to start"; exit 1; }

  # bounded wait until it accepts connections
  for _ in $(seq 1 50); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    sleep 0.1
  done
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    log "sshd not listening on 127.0.0.1:$port after 5s"; cat "$dir/sshd.log" >&2 || true; stop; exit 1
  fi
  # A second sshd that speaks only the old CBC cipher and group-exchange key exchange, for the
  # use_insecure_cipher tests (same host key, users and keys).
  port_cbc=$(free_port)
  sed -e "s/^Port .*/Port $port_cbc/" -e "s#^PidFile .*#PidFile $dir/sshd_cbc.pid#" "$dir/sshd_config" > "$dir/sshd_cbc_config"
  printf 'Ciphers aes128-cbc\nKexAlgorithms diffie-hellman-group-exchange-sha256\nMACs hmac-sha2-256\n' >> "$dir/sshd_cbc_config"
  /usr/sbin/sshd -t -f "$dir/sshd_cbc_config" || { log "sshd (cbc) config test failed"; stop; exit 1; }
  /usr/sbin/sshd -f "$dir/sshd_cbc_config" -E "$dir/sshd_cbc.log" || { log "sshd (cbc) failed to start"; stop; exit 1; }
  if ! wait_port "$port_cbc"; then
    log "sshd (cbc) not listening on 127.0.0.1:$port_cbc after 5s"; cat "$dir/sshd_cbc.log" >&2 || true; stop; exit 1
  fi
  {
    echo "export BISYNC_SFTP_HOST=127.0.0.1"
    echo "export BISYNC_SFTP_CBC_PORT=$port_cbc"
    echo "export BISYNC_SFTP_PORT=$port"
    echo "export BISYNC_SFTP_USER=$user"
    echo "export BISYNC_SFTP_PASS=$pass"
    echo "export BISYNC_SFTP_KEY_FILE=$dir/user_ed25519"
    echo "export BISYNC_SFTP_KEY_FILE_ENC=$dir/user_enc_ed25519"
    echo "export BISYNC_SFTP_KEY_FILE_RSA=$dir/user_rsa"
    echo "export BISYNC_SFTP_KEY_FILE_PASS=$keypass"
    echo "export BISYNC_SFTP_KNOWN_HOSTS=$dir/known_hosts"
    echo "export BISYNC_SFTP_KNOWN_HOSTS_WRONG=$dir/known_hosts_wrong"
    echo "export BISYNC_SFTP_HOME=$home"
  } >> "$BISYNC_TEST_ENV"
  log "sshd on 127.0.0.1:$port (pid $(cat "$dir/sshd.pid")), cbc-only sshd on 127.0.0.1:$port_cbc (pid $(cat "$dir/sshd_cbc.pid"))"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
