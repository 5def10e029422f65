"""PNG plots of one bench/dns run (matplotlib, Debian's python3-matplotlib).

write() is called by bench.py at the end of a timed run; `python3 plots.py RUN_DIR`
draws them again from RUN_DIR/results.json.
"""
import json
import os
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scenarios import BASE, SCENARIOS  # noqa: E402

COLORS = {"coredns": "#3b6fb6", "gdnsd": "#4e9a4e", "pdns": "#d9822b"}


def _color(n):
    c = COLORS[SCENARIOS[n]["kind"]]
    return "#1f3f73" if n == "policy" else c


def _legend(ax):
    from matplotlib.patches import Patch
    ax.legend(handles=[Patch(color="#1f3f73", label="coretraffic policy"),
                       Patch(color=COLORS["coredns"], label="./coredns, other blocks"),
                       Patch(color=COLORS["gdnsd"], label="gdnsd 3.8"),
                       Patch(color=COLORS["pdns"], label="PowerDNS 4.7")], fontsize=8, loc="upper left")


def _ratio(results, n, key):
    rs = []
    for r in results:
        if r["scenario"] == n and r.get(key):
            b = [x for x in results if x["scenario"] == BASE and x["round"] == r["round"] and x.get(key)]
            if b:
                rs.append(r[key] / b[0][key])
    return statistics.median(rs) if rs else None


def _bars(ax, names, results, key, title, ylabel):
    meds, lo, hi = [], [], []
    for n in names:
        v = [r[key] for r in results if r["scenario"] == n and r.get(key)]
        m = statistics.median(v) if v else 0
        meds.append(m / 1000)
        lo.append((m - min(v)) / 1000 if v else 0)
        hi.append((max(v) - m) / 1000 if v else 0)
    x = range(len(names))
    ax.bar(x, meds, yerr=[lo, hi], capsize=3, color=[_color(n) for n in names])
    for i, n in enumerate(names):
        rt = _ratio(results, n, key)
        if rt is not None:
            ax.annotate(f"{rt:.2f}×", (i, meds[i] + hi[i]), ha="center", va="bottom", fontsize=8,
                        xytext=(0, 2), textcoords="offset points")
    ax.set_xticks(list(x))
    ax.set_xticklabels(names, rotation=30, ha="right", fontsize=8)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ax.grid(axis="y", alpha=0.3)
    ax.set_ylim(0, max(m + h for m, h in zip(meds, hi)) * 1.15 or 1)


def write(names, results, lat, mem, outdir, started, mach):
    """Writes throughput.png, latency.png, memory.png into outdir; returns their paths."""
    os.makedirs(outdir, exist_ok=True)
    paths = []
    sub = f"{started}, {mach.get('nproc')} CPUs {mach.get('model', '')}; server on one core, dnsperf on the other"
    rounds = len({r["round"] for r in results})

    fig, axes = plt.subplots(1, 2, figsize=(13, 5.2))
    _bars(axes[0], names, results, "qps", f"queries per second (median of {rounds} rounds, min–max)", "k queries/s")
    _bars(axes[1], names, results, "q_per_cpu_s",
          f"queries per server CPU-second (median of {rounds} rounds, min–max)", "k queries / CPU-s")
    _legend(axes[1])
    fig.suptitle("bench/dns: same names, same answers per client subnet (ECS); labels: median per-round ratio "
                 "to `file`\n" + sub, fontsize=9)
    fig.tight_layout()
    p = os.path.join(outdir, "throughput.png")
    fig.savefig(p, dpi=110)
    plt.close(fig)
    paths.append(p)

    ln = [n for n in names if n in lat]
    if ln:
        fig, ax = plt.subplots(figsize=(13, 5))
        pcts = [("p50", "p50"), ("p90", "p90"), ("p99", "p99"), ("p999", "p99.9")]
        w = 0.2
        shades = ["#9ecae1", "#4292c6", "#08519c", "#08306b"]
        for j, (k, label) in enumerate(pcts):
            ax.bar([i + (j - 1.5) * w for i in range(len(ln))], [lat[n][k] * 1e3 for n in ln], w,
                   label=label, color=shades[j])
        ax.set_yscale("log")
        ax.set_xticks(range(len(ln)))
        ax.set_xticklabels(ln, rotation=30, ha="right", fontsize=8)
        ax.set_ylabel("latency (ms, log scale)")
        rate = lat[ln[0]].get("rate")
        ax.set_title(f"latency percentiles at a fixed {rate} queries/s (dnsperf -Q, one client)\n" + sub, fontsize=9)
        ax.grid(axis="y", alpha=0.3, which="both")
        ax.legend(fontsize=8)
        fig.tight_layout()
        p = os.path.join(outdir, "latency.png")
        fig.savefig(p, dpi=110)
        plt.close(fig)
        paths.append(p)

    mn = [n for n in names if mem.get(n, {}).get("end")]
    if mn:
        fig, ax = plt.subplots(figsize=(10, 4))
        v = [mem[n]["end"][0] / 1024 for n in mn]
        ax.bar(range(len(mn)), v, color=[_color(n) for n in mn])
        for i, x in enumerate(v):
            ax.annotate(f"{x:.0f}", (i, x), ha="center", va="bottom", fontsize=8)
        ax.set_xticks(range(len(mn)))
        ax.set_xticklabels(mn, rotation=30, ha="right", fontsize=8)
        ax.set_ylabel("MiB")
        ax.set_title("peak RSS (VmHWM of the server's process tree, after the run)\n" + sub, fontsize=9)
        ax.grid(axis="y", alpha=0.3)
        fig.tight_layout()
        p = os.path.join(outdir, "memory.png")
        fig.savefig(p, dpi=110)
        plt.close(fig)
        paths.append(p)
    return paths


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: plots.py RUN_DIR (a bench/out/<timestamp> folder)")
    with open(os.path.join(sys.argv[1], "results.json")) as f:
        d = json.load(f)
    ns = []
    for r in d["results"]:
        if r["scenario"] not in ns:
            ns.append(r["scenario"])
    mem_ = {k: {kk: tuple(vv) for kk, vv in v.items()} for k, v in d.get("memory_kib", {}).items()}
    for path in write(ns, d["results"], d.get("latency", {}), mem_, os.path.join(sys.argv[1], "plots"),
                      d["started"], d["machine"]):
        print(path)
