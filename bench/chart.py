#!/usr/bin/env python3
"""Draws the benchmark results as SVG charts (standard library only).

    bench/chart.py [--out DIR]

Reads bench/results/runs.csv (written by bench/run.sh) and bench/results/synthetic.csv (written by
bench/synthetic.sh) and writes DIR/time.svg, DIR/cpu.svg and DIR/memory.svg (default DIR: bench/):
wall time, CPU time and peak RSS against the number of files, log scales, one panel per kind of run (first sync, no change,
a few changes), one line per tool. For each tool, kind and size the latest line of the data is drawn.
"""
import csv, math, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
KINDS = [("first", "first sync"), ("nochange", "no change"), ("changes", "a few changes")]
SYNTH_KIND = {"resync": "first", "nochange": "nochange", "changes": "changes"}
STYLE = {  # tool: (label, colour, dashed)
    "cp": ("cp -a (floor)", "#777777", True),
    "find": ("two finds (floor)", "#777777", True),
    "bisync": ("bisync", "#1f77b4", False),
    "bisync-aot": ("bisync (Native AOT)", "#1f77b4", False),
    "bisync-r2r": ("bisync (ReadyToRun)", "#17becf", False),
    "synthetic": ("bisync engine, synthetic trees", "#2ca02c", False),
    "rclone": ("rclone bisync 1.60.1", "#d62728", False),
    "unison": ("Unison 2.52", "#ff7f0e", False),
}


def read(path):
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def load(results):
    """{(tool, kind): {files: (wall_s, peak_mib, cpu_s)}}, the latest row winning."""
    data = {}
    for r in read(os.path.join(results, "runs.csv")):
        data.setdefault((r["tool"], r["kind"]), {})[int(r["files"])] = (float(r["wall_s"]), float(r["peak_kib"]) / 1024, float(r["cpu_s"]))
    for r in read(os.path.join(results, "synthetic.csv")):
        kind = SYNTH_KIND.get(r["step"])
        if kind and r.get("shape", "perdir=100") == "perdir=100":
            data.setdefault(("synthetic", kind), {})[int(r["files"])] = (float(r["wall_s"]), float(r["peak_kib"]) / 1024, float(r["cpu_s"]))
    return data


def decades(lo, hi):
    a, b = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    return a, max(b, a + 1)


def fmt(v):
    if v >= 1e6: return f"{v / 1e6:g}M"
    if v >= 1e3: return f"{v / 1e3:g}k"
    return f"{v:g}"


def chart(data, metric, unit, title, out, per_file_line=None):
    W, H, ML, MR, MT, MB = 330, 280, 58, 12, 46, 42
    series = {k: {n: v[metric] for n, v in pts.items() if v[metric] > 0} for k, pts in data.items()}
    series = {k: v for k, v in series.items() if v}
    if not series:
        print(f"chart.py: no data for {out}", file=sys.stderr)
        return
    xs = [n for pts in series.values() for n in pts]
    ys = [y for pts in series.values() for y in pts.values()]
    x0, x1 = decades(min(xs), max(xs))
    y0, y1 = decades(min(ys), max(ys))
    tools = [t for t in STYLE if any(k[0] == t for k in series)] + sorted({k[0] for k in series} - set(STYLE))
    legend_h = 18 * ((len(tools) + 2) // 3) + 10
    total_w, total_h = ML + 3 * W + 20, MT + H + MB + legend_h + 20
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{total_w}" height="{total_h}" font-family="sans-serif" font-size="11">',
           f'<rect width="100%" height="100%" fill="white"/>',
           f'<text x="{total_w / 2}" y="18" text-anchor="middle" font-size="14">{title}</text>']
    for p, (kind, label) in enumerate(KINDS):
        ox = ML + p * W
        pw, ph = W - MR - 20, H
        X = lambda n: ox + (math.log10(n) - x0) / (x1 - x0) * pw
        Y = lambda v: MT + ph - (math.log10(v) - y0) / (y1 - y0) * ph
        svg.append(f'<text x="{ox + pw / 2}" y="{MT - 6}" text-anchor="middle" font-weight="bold">{label}</text>')
        svg.append(f'<rect x="{ox}" y="{MT}" width="{pw}" height="{ph}" fill="none" stroke="#333"/>')
        for d in range(x0, x1 + 1):
            x = X(10 ** d)
            svg.append(f'<line x1="{x:.1f}" y1="{MT}" x2="{x:.1f}" y2="{MT + ph}" stroke="#ddd"/>')
            svg.append(f'<text x="{x:.1f}" y="{MT + ph + 14}" text-anchor="middle">{fmt(10 ** d)}</text>')
        for d in range(y0, y1 + 1):
            y = Y(10 ** d)
            svg.append(f'<line x1="{ox}" y1="{y:.1f}" x2="{ox + pw}" y2="{y:.1f}" stroke="#ddd"/>')
            if p == 0:
                svg.append(f'<text x="{ox - 4}" y="{y + 4:.1f}" text-anchor="end">{fmt(10 ** d)}</text>')
        svg.append(f'<text x="{ox + pw / 2}" y="{MT + ph + 30}" text-anchor="middle">files</text>')
        if per_file_line:
            kb, name = per_file_line  # a line of constant kB per file
            a, b = 10 ** x0, 10 ** x1
            mib = lambda n: n * kb * 1000 / 1048576
            svg.append(f'<clipPath id="clip{p}"><rect x="{ox}" y="{MT}" width="{pw}" height="{ph}"/></clipPath>')
            svg.append(f'<line x1="{X(a):.1f}" y1="{Y(mib(a)):.1f}" x2="{X(b):.1f}" y2="{Y(mib(b)):.1f}" '
                       f'stroke="#2ca02c" stroke-dasharray="2,3" clip-path="url(#clip{p})"/>')
            if p == 2:
                svg.append(f'<text x="{ox + pw - 4}" y="{MT + 12}" text-anchor="end" fill="#2ca02c">dotted: {name}</text>')
        for tool in tools:
            pts = sorted(series.get((tool, kind), {}).items())
            if not pts:
                continue
            _, colour, dashed = STYLE.get(tool, (tool, "#9467bd", False))
            path = " ".join(f"{'M' if i == 0 else 'L'}{X(n):.1f},{Y(v):.1f}" for i, (n, v) in enumerate(pts))
            dash = ' stroke-dasharray="5,3"' if dashed else ""
            svg.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="1.8"{dash}/>')
            for n, v in pts:
                svg.append(f'<circle cx="{X(n):.1f}" cy="{Y(v):.1f}" r="2.8" fill="{colour}"><title>{STYLE.get(tool, (tool,))[0]}, {n} files: {v:.3g} {unit}</title></circle>')
    svg.append(f'<text x="14" y="{MT + H / 2}" text-anchor="middle" transform="rotate(-90 14 {MT + H / 2})">{unit}</text>')
    ly = MT + H + MB + 8
    for i, tool in enumerate(tools):
        label, colour, dashed = STYLE.get(tool, (tool, "#9467bd", False))
        lx, y = ML + (i % 3) * W, ly + 18 * (i // 3)
        dash = ' stroke-dasharray="5,3"' if dashed else ""
        svg.append(f'<line x1="{lx}" y1="{y}" x2="{lx + 24}" y2="{y}" stroke="{colour}" stroke-width="2"{dash}/>')
        svg.append(f'<text x="{lx + 30}" y="{y + 4}">{label}</text>')
    svg.append("</svg>")
    with open(out, "w") as f:
        f.write("\n".join(svg) + "\n")
    print(f"wrote {out}")


def main(argv):
    out = HERE
    if argv[:1] == ["--out"] and len(argv) == 2:
        out = argv[1]
    elif argv:
        sys.exit(__doc__)
    data = load(os.path.join(HERE, "results"))
    if not data:
        sys.exit("chart.py: no results yet (run bench/run.sh or bench/synthetic.sh first)")
    chart(data, 0, "seconds (wall)", "Time against number of files (log scales)", os.path.join(out, "time.svg"))
    chart(data, 2, "seconds (CPU, user + system)", "CPU time against number of files (log scales; less disturbed by load than wall time)",
          os.path.join(out, "cpu.svg"))
    chart(data, 1, "peak RSS, MiB", "Peak memory against number of files (log scales)", os.path.join(out, "memory.svg"),
          per_file_line=(0.25, "0.25 kB per file"))


if __name__ == "__main__":
    main(sys.argv[1:])
