#!/usr/bin/env python3
"""Start-up time: runs a command N times (default 50) and prints the median wall time, its quartiles,
the median CPU time (user + system; less disturbed by other load) and the load average. Usage: bench/startup.py [-n N] [--csv FILE LABEL] -- COMMAND [ARG...]"""
import os, resource, statistics, subprocess, sys, time

def main(argv):
    n, csv, label = 50, None, None
    while argv and argv[0] != "--":
        if argv[0] == "-n": n = int(argv[1]); argv = argv[2:]
        elif argv[0] == "--csv": csv, label = argv[1], argv[2]; argv = argv[3:]
        else: sys.exit(__doc__)
    cmd = argv[1:]
    if not cmd: sys.exit(__doc__)
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)  # warm the page cache
    times, cpus = [], []
    for _ in range(n):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append((time.perf_counter() - t) * 1000)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime) * 1000)
    q = statistics.quantiles(times, n=4)
    load = os.getloadavg()[0]
    cpu = statistics.median(cpus)
    print(f"{' '.join(cmd)}: median {statistics.median(times):.1f} ms wall (quartiles {q[0]:.1f}-{q[2]:.1f}), "
          f"CPU {cpu:.1f} ms, {n} calls, load {load:.1f}")
    if csv:
        new = not os.path.exists(csv)
        with open(csv, "a") as f:
            if new: f.write("label,median_ms,q1_ms,q3_ms,cpu_ms,calls,load\n")
            f.write(f"{label},{statistics.median(times):.2f},{q[0]:.2f},{q[2]:.2f},{cpu:.2f},{n},{load:.1f}\n")

if __name__ == "__main__":
    main(sys.argv[1:])
