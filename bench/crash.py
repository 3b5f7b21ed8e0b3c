#!/usr/bin/env python3
"""Crash campaign: kill -9 a bisync run at a random moment, then run again as a cron job would.

Each trial edits both sides (new files, changed small and large files, deletions, some files
changed on both sides), starts a run, kills it with SIGKILL after a random delay, and then runs
the same command again (at most three times) until one succeeds. It counts:

  lockouts  runs after the kill that refused to work (a lock left behind, a demand for --resync)
            and needed a person: the script then does what the person would (deletes the lock,
            runs --resync) so the campaign can go on;
  torn      files whose content is not a whole version a user wrote (a half-copied file);
  lost      versions a user wrote that exist on neither side once the pair has converged;
  temps     temporary files left behind on either side;
  diverged  trials after which the two sides still differ.

    bench/crash.py [--tool bisync|rclone] [--path2 local|sftp|s3] [--trials N] [--flags "..."]

With --path2 sftp or s3 it starts the project's test servers (tests/servers/*.sh) on 127.0.0.1
and edits and reads Path2 through rclone. Everything lives under .build/crash (or --out).
"""
import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def sh(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


class Side:
    """One side of the pair: a local folder, or a remote edited through a local mirror and rclone."""

    def __init__(self, path, remote=None, scratch=None):
        self.path, self.remote, self.scratch = path, remote, scratch
        os.makedirs(path, exist_ok=True)

    @property
    def arg(self):
        return self.remote or self.path

    def write(self, rel, content, mtime):
        if self.remote:
            tmp = os.path.join(self.scratch, "upload", rel)
            os.makedirs(os.path.dirname(tmp), exist_ok=True)
            with open(tmp, "wb") as f:
                f.write(content)
            os.utime(tmp, (mtime, mtime))
            # The harness's own write, not the tool under test: s3rver under load sometimes stores
            # a short object and rclone reports "corrupted on transfer"; try again before giving up.
            for attempt in range(5):
                r = sh(["rclone", "copyto", tmp, self.remote + "/" + rel])
                if not r.returncode:
                    break
                time.sleep(1 + attempt)
            else:
                sys.exit("rclone copyto failed: " + r.stderr)
            os.remove(tmp)
            return
        full = os.path.join(self.path, rel)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(content)
        os.utime(full, (mtime, mtime))

    def delete(self, rel):
        if self.remote:
            sh(["rclone", "deletefile", self.remote + "/" + rel])
        else:
            try:
                os.remove(os.path.join(self.path, rel))
            except FileNotFoundError:
                pass

    def snapshot(self):
        """relative path -> content of every file."""
        root = self.path
        if self.remote:
            root = os.path.join(self.scratch, "mirror")
            shutil.rmtree(root, ignore_errors=True)
            r = sh(["rclone", "copy", self.remote, root])
            if r.returncode:
                sys.exit("rclone copy failed: " + r.stderr)
        return read_tree(root)


def read_tree(root):
    """relative path -> content of every file under root."""
    out = {}
    for d, _, files in os.walk(root):
        for n in files:
            full = os.path.join(d, n)
            with open(full, "rb") as f:
                out[os.path.relpath(full, root)] = f.read()
    return out


def tag(content):
    """The tag a version starts with, e.g. <v12-p1-d0/small3.txt>."""
    return content[: content.find(b">") + 1].decode(errors="replace")


def version(label, size):
    head = f"<{label}>".encode()
    return head + b"." * max(0, size - 2 * len(head)) + head


def is_whole(content):
    """A version this campaign wrote, whole: it starts and ends with the same tag."""
    if not content.startswith(b"<"):
        return False
    end = content.find(b">")
    return end > 0 and content.endswith(content[: end + 1])


def start_servers(out):
    state = os.path.join(out, "state")
    os.makedirs(state, exist_ok=True)
    env = dict(os.environ, BISYNC_TEST_STATE=state, BISYNC_TEST_ENV=os.path.join(state, "env.sh"))
    open(env["BISYNC_TEST_ENV"], "w").close()
    for s in ("sshd", "s3rver"):
        if subprocess.run(["bash", f"tests/servers/{s}.sh", "start"], cwd=ROOT, env=env).returncode:
            sys.exit(f"could not start {s}")
    values = {}
    for line in open(env["BISYNC_TEST_ENV"]):
        if line.startswith("export "):
            k, _, v = line[7:].strip().partition("=")
            values[k] = v
    conf = os.path.join(out, "rclone.conf")
    with open(conf, "w") as f:
        f.write(f"""[sftpc]
type = sftp
host = {values['BISYNC_SFTP_HOST']}
port = {values['BISYNC_SFTP_PORT']}
user = {values['BISYNC_SFTP_USER']}
key_file = {values['BISYNC_SFTP_KEY_FILE']}
known_hosts_file = {values['BISYNC_SFTP_KNOWN_HOSTS']}

[s3c]
type = s3
provider = Other
access_key_id = {values['BISYNC_S3_ACCESS_KEY_ID']}
secret_access_key = {values['BISYNC_S3_SECRET_ACCESS_KEY']}
endpoint = {values['BISYNC_S3_ENDPOINT']}
force_path_style = true
region = {values['BISYNC_S3_REGION']}
""")
    os.environ["RCLONE_CONFIG"] = conf
    for k in ("AWS_CA_BUNDLE", "SSL_CERT_FILE", "CURL_CA_BUNDLE", "REQUESTS_CA_BUNDLE"):
        os.environ.pop(k, None)

    def stop():
        for s in ("sshd", "s3rver"):
            subprocess.run(["bash", f"tests/servers/{s}.sh", "stop"], cwd=ROOT, env=env, capture_output=True)

    return values, stop


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tool", default="bisync", choices=["bisync", "rclone"])
    ap.add_argument("--path2", default="local", choices=["local", "sftp", "s3"])
    ap.add_argument("--trials", type=int, default=100)
    ap.add_argument("--files", type=int, default=60, help="small files per side")
    ap.add_argument("--big", type=int, default=3, help="large files (2 MiB) per side")
    ap.add_argument("--flags", default="", help="extra flags for every run, e.g. --recover")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default=os.path.join(ROOT, ".build", "crash"))
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    out = os.path.join(a.out, f"{a.tool}-{a.path2}")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    stop = lambda: None
    remote = None
    if a.path2 != "local":
        values, stop = start_servers(out)
        remote = (f"sftpc:{values['BISYNC_SFTP_HOME']}/crash-{a.tool}" if a.path2 == "sftp"
                  else f"s3c:{values['BISYNC_S3_BUCKET']}/crash-{a.tool}")
        sh(["rclone", "purge", remote])
        sh(["rclone", "mkdir", remote])
    try:
        run_campaign(a, rnd, out, remote)
    finally:
        stop()


def run_campaign(a, rnd, out, remote):
    s1 = Side(os.path.join(out, "p1"))
    s2 = Side(os.path.join(out, "p2"), remote, os.path.join(out, "scratch2"))
    workdir = os.path.join(out, "work")
    tool = [os.environ.get("BISYNC_BIN", os.path.join(ROOT, "bisync"))] if a.tool == "bisync" else ["rclone", "bisync"]
    base = tool + [s1.arg, s2.arg, "--workdir", workdir] + a.flags.split()

    clock = [1_000_000_000]

    def tick():
        clock[0] += 10
        return clock[0]

    names = [f"d{i % 5}/small{i}.txt" for i in range(a.files)] + [f"big/large{i}.bin" for i in range(a.big)]
    serial = [0]

    def fresh(rel, side):
        serial[0] += 1
        size = 2 << 20 if rel.startswith("big/") else 40 + rnd.randrange(400)
        return version(f"v{serial[0]}-{side}-{rel}", size)

    for rel in names:
        c = fresh(rel, "init")
        t = tick()
        s1.write(rel, c, t)
        s2.write(rel, c, t)
    r = sh(base + ["--resync"])
    if r.returncode:
        sys.exit("initial --resync failed: " + r.stderr[-2000:])
    last_synced.update(s1.snapshot().values())

    # How long an uninterrupted run with changes takes: the kills fall inside that window.
    t0 = time.monotonic()
    s1.write(names[0], fresh(names[0], "p1"), tick())
    s1.write(names[-1], fresh(names[-1], "p1"), tick())
    sh(base)
    window = max(0.05, time.monotonic() - t0)
    last_synced.clear()
    last_synced.update(s1.snapshot().values())

    totals = dict(trials=0, lockouts=0, torn=0, lost=0, temps=0, diverged=0, killed_mid_run=0)
    for trial in range(a.trials):
        snap1, snap2 = s1.snapshot(), s2.snapshot()
        present = set(snap1) | set(snap2)
        for rel in sorted(present):
            for side, snap, other in ((s1, snap1, snap2), (s2, snap2, snap1)):
                roll = rnd.random()
                if rel in snap and roll < 0.12:
                    c = fresh(rel, "p1" if side is s1 else "p2")
                    side.write(rel, c, tick())
                    snap[rel] = c
                elif rel in snap and roll < 0.15 and rel in other and not rel.startswith("big/"):
                    side.delete(rel)
                    del snap[rel]
        for i in range(rnd.randrange(4)):
            rel = f"new/t{trial}-{i}.txt"
            side = rnd.choice((s1, s2))
            c = fresh(rel, "p1" if side is s1 else "p2")
            side.write(rel, c, tick())
            (snap1 if side is s1 else snap2)[rel] = c
        # What must survive somewhere: every version written since the last sync, and every file
        # nobody touched. A version unchanged since the last sync may rightly be replaced or
        # deleted by a change on the other side.
        must_survive = set()
        for rel in set(snap1) | set(snap2):
            c1, c2 = snap1.get(rel), snap2.get(rel)
            must_survive |= {c for c in (c1, c2) if c is not None and c not in last_synced}
            if c1 is not None and c1 == c2:
                must_survive.add(c1)

        p = subprocess.Popen(base, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        delay = rnd.random() * window
        try:
            p.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            p.send_signal(signal.SIGKILL)
            p.wait()
            totals["killed_mid_run"] += 1

        ok = False
        for attempt in range(3):
            r = sh(base)
            if r.returncode == 0:
                ok = True
                break
            text = r.stderr
            totals["lockouts"] += 1
            # What a person would do, so the campaign can go on.
            for n in os.listdir(workdir):
                if n.endswith(".lck"):
                    os.remove(os.path.join(workdir, n))
            if "resync" in text:
                sh(base + ["--resync"])
        if not ok:
            sh(base + ["--resync"])
            sh(base)

        after1, after2 = s1.snapshot(), s2.snapshot()
        everything = set(after1.values()) | set(after2.values())
        totals["torn"] += sum(1 for c in everything if not is_whole(c))
        lost = must_survive - everything
        totals["lost"] += len(lost)
        for c in sorted(lost):
            print(f"  lost in trial {trial + 1}: {tag(c)}", file=sys.stderr)
        totals["temps"] += sum(1 for n in list(after1) + list(after2) if n.endswith(".partial"))
        if after1 != after2:
            totals["diverged"] += 1
            sh(base + ["--resync"])
        last_synced.clear()
        last_synced.update(s1.snapshot().values())
        totals["trials"] += 1
        print(f"trial {trial + 1}/{a.trials}: " + ", ".join(f"{k} {v}" for k, v in totals.items()), file=sys.stderr, flush=True)

    print(f"{a.tool} path2={a.path2} flags='{a.flags}' window={window:.2f}s: " + ", ".join(f"{k} {v}" for k, v in totals.items()))


last_synced = set()  # the contents of the pair as last converged

if __name__ == "__main__":
    main()
