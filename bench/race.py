#!/usr/bin/env python3
"""Race campaign: a user keeps saving and deleting files on both sides while runs go on.

A writer thread edits the two local folders of a pair without pause (new versions of small and
2 MiB files, deletions, new files) while the tool runs again and again, as a cron job would. Then
the writer stops, the tool runs until the pair has converged, and the campaign counts:

  lost      versions the user wrote, never replaced or deleted by the user, that exist on
            neither side at the end (conflict copies count as kept);
  torn      files whose content is not a whole version the user wrote;
  lockouts  runs that demanded --resync (the script then runs --resync, as a person would);
  errors    other runs that ended with a non-zero exit code;
  diverged  1 when the sides still differ after the final runs.

Which version the user replaced is known exactly: the writer saves with an atomic exchange
(renameat2 RENAME_EXCHANGE) and reads what it displaced, so a version the user overwrote
without having seen it (because a run had just replaced it) counts as the user's doing, not
as lost. The writer never edits a file in place, so a torn file can only come from the tool.

    bench/race.py [--tool bisync|rclone] [--runs N] [--flags=...] [--seed S]

Everything lives under .build/race (or --out); events.log there has every edit and every run's
log with times, to follow a lost version (pass --flags=-v for the per-file lines). BISYNC_BIN picks
the bisync binary.
"""
import argparse
import ctypes
import os
import random
import shutil
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from crash import ROOT, is_whole, read_tree as snapshot, sh, tag, version  # noqa: E402

_libc = ctypes.CDLL(None, use_errno=True)
AT_FDCWD = -100
RENAME_NOREPLACE, RENAME_EXCHANGE = 1, 2


def renameat2(src, dst, flags):
    """0 on success, else the errno."""
    r = _libc.renameat2(AT_FDCWD, os.fsencode(src), AT_FDCWD, os.fsencode(dst), flags)
    return 0 if r == 0 else ctypes.get_errno()


class Writer(threading.Thread):
    """The user: saves, deletes and creates files on both sides until stopped."""

    def __init__(self, roots, names, rnd, written, replaced, log):
        super().__init__(daemon=True)
        self.log = log
        self.roots, self.names, self.rnd = roots, names, rnd
        self.written, self.replaced = written, replaced
        self.stop = threading.Event()
        self.serial = 0
        self.edits = 0

    def fresh(self, rel, side):
        self.serial += 1
        size = 2 << 20 if rel.startswith("big/") else 40 + self.rnd.randrange(400)
        c = version(f"u{self.serial}-{side}-{rel}", size)
        self.written.add(c)
        return c

    def save(self, root, rel, content):
        full = os.path.join(root, rel)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        tmp = os.path.join(root, ".writer-tmp")
        with open(tmp, "wb") as f:
            f.write(content)
        os.utime(tmp, (time.time(), time.time()))
        while True:
            if renameat2(tmp, full, RENAME_EXCHANGE) == 0:
                with open(tmp, "rb") as f:
                    old = f.read()
                self.replaced.add(old)  # what the user overwrote, seen or not
                self.note(f"save {root[-2:]}/{rel} {tag(content)} over {tag(old)}")
                os.remove(tmp)
                return
            if renameat2(tmp, full, RENAME_NOREPLACE) == 0:
                self.note(f"save {root[-2:]}/{rel} {tag(content)} new")
                return

    def delete(self, root, rel):
        full = os.path.join(root, rel)
        tmp = os.path.join(root, ".writer-del")
        try:
            os.rename(full, tmp)
        except FileNotFoundError:
            return
        with open(tmp, "rb") as f:
            old = f.read()
        self.replaced.add(old)
        self.note(f"delete {root[-2:]}/{rel} {tag(old)}")
        os.remove(tmp)

    def note(self, text):
        self.log.write(f"{time.time():.3f} {text}\n")

    def run(self):
        while not self.stop.is_set():
            side = self.rnd.randrange(2)
            root = self.roots[side]
            roll = self.rnd.random()
            if roll < 0.08:
                rel = f"new/w{self.serial}.txt"
                self.save(root, rel, self.fresh(rel, f"p{side + 1}"))
            else:
                rel = self.rnd.choice(self.names)
                if roll < 0.16 and not rel.startswith("big/"):
                    self.delete(root, rel)
                else:
                    self.save(root, rel, self.fresh(rel, f"p{side + 1}"))
            self.edits += 1
            time.sleep(self.rnd.random() * 0.05)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tool", default="bisync", choices=["bisync", "rclone"])
    ap.add_argument("--runs", type=int, default=100, help="runs while the writer edits")
    ap.add_argument("--files", type=int, default=40, help="small files")
    ap.add_argument("--big", type=int, default=4, help="large files (2 MiB)")
    ap.add_argument("--flags", default="", help="extra flags for every run, e.g. --recover")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default=os.path.join(ROOT, ".build", "race"))
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    out = os.path.join(a.out, a.tool)
    shutil.rmtree(out, ignore_errors=True)
    roots = [os.path.join(out, "p1"), os.path.join(out, "p2")]
    for r in roots:
        os.makedirs(r)
    workdir = os.path.join(out, "work")
    tool = [os.environ.get("BISYNC_BIN", os.path.join(ROOT, "bisync"))] if a.tool == "bisync" else ["rclone", "bisync"]
    base = tool + roots + ["--workdir", workdir] + a.flags.split()
    # The writer's own temporaries are not the user's files.
    base += ["--exclude", ".writer-*"]

    written, replaced = set(), set()
    names = [f"d{i % 4}/small{i}.txt" for i in range(a.files)] + [f"big/large{i}.bin" for i in range(a.big)]
    for i, rel in enumerate(names):
        c = version(f"init{i}-{rel}", 2 << 20 if rel.startswith("big/") else 100)
        written.add(c)
        for r in roots:
            full = os.path.join(r, rel)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "wb") as f:
                f.write(c)
    r = sh(base + ["--resync"])
    if r.returncode:
        sys.exit("initial --resync failed: " + r.stderr[-2000:])

    totals = dict(runs=0, lockouts=0, errors=0, lost=0, torn=0, diverged=0)
    # Every edit and every run's log, with times, to follow a lost version.
    events = open(os.path.join(out, "events.log"), "w", buffering=1)
    writer = Writer(roots, names, rnd, written, replaced, events)
    writer.start()
    for n in range(a.runs):
        events.write(f"{time.time():.3f} run {n + 1} starts\n")
        r = sh(base)
        events.write(f"{time.time():.3f} run {n + 1} ends, exit {r.returncode}\n{r.stderr}")
        totals["runs"] += 1
        if r.returncode:
            with open(os.path.join(out, "failed-runs.log"), "a") as f:
                f.write(f"--- run {n + 1}: exit {r.returncode}\n{r.stderr}\n")
            if "resync" in r.stderr:
                totals["lockouts"] += 1
                for f in os.listdir(workdir):
                    if f.endswith(".lck"):
                        os.remove(os.path.join(workdir, f))
                sh(base + ["--resync"])
            else:
                totals["errors"] += 1
        print(f"run {n + 1}/{a.runs}: exit {r.returncode}, edits {writer.edits}", file=sys.stderr, flush=True)
    writer.stop.set()
    writer.join()

    # Let the pair converge: plain runs until one succeeds and the sides agree.
    for _ in range(4):
        r = sh(base)
        if r.returncode and "resync" in r.stderr:
            totals["lockouts"] += 1
            sh(base + ["--resync"])
        if r.returncode == 0 and snapshot(roots[0]) == snapshot(roots[1]):
            break
    s1, s2 = snapshot(roots[0]), snapshot(roots[1])
    everything = set(s1.values()) | set(s2.values())
    totals["torn"] = sum(1 for c in everything if not is_whole(c))
    lost = (written - replaced) - everything
    totals["lost"] = len(lost)
    for c in sorted(lost):
        print(f"  lost: {tag(c)}", file=sys.stderr)
    totals["diverged"] = int(s1 != s2)
    print(f"{a.tool} flags='{a.flags}' edits={writer.edits}: " + ", ".join(f"{k} {v}" for k, v in totals.items()))


if __name__ == "__main__":
    main()
