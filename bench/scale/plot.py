#!/usr/bin/env python3
"""Plots of a bench/scale run: plot.py RESULTS.json OUTDIR -> OUTDIR/scale-policy.png,
scale-healthcheck.png, scale-reload.png (whichever parts the run has). matplotlib."""
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def policy(res, out):
    rows = [r for r in res["policy"] if "error" not in r]
    failed = [r for r in res["policy"] if "error" in r]
    if not rows:
        return
    n = [r["n"] for r in rows]
    fig, ax = plt.subplots(1, 3, figsize=(15, 4.5))
    ax[0].plot(n, [r["load_wall_s"] for r in rows], "o-", label="wall, process start → first answer")
    ax[0].plot(n, [r["load_cpu_s"] for r in rows], "s--", label="server CPU seconds until then")
    ax[0].set_title("load + compile time")
    ax[0].set_ylabel("seconds")
    ax[1].plot(n, [r.get("rss_after_kb", r["rss_kb"]) / 1024 for r in rows], "o-", label="VmRSS after the queries")
    ax[1].plot(n, [r["hwm_kb"] / 1024 for r in rows], "s--", label="VmHWM (peak)")
    hp = [r for r in rows if r.get("heap", {}).get("HeapAlloc")]
    if hp:
        ax[1].plot([r["n"] for r in hp], [r["heap"]["HeapAlloc"] / 2**20 for r in hp], "^:",
                   label="live Go heap after a forced GC")
    ax[1].set_title("memory of ./coredns")
    ax[1].set_ylabel("MiB")
    q = [r for r in rows if "qps" in r]
    ax[2].plot([r["n"] for r in q], [r["qps"] for r in q], "o-", label="qps (dnsperf, median of rounds)")
    ax[2].plot([r["n"] for r in q], [r["q_per_cpu_s"] for r in q], "s--", label="queries per server CPU-second")
    ax[2].set_title("throughput, random names from the set")
    ax[2].set_ylabel("queries / s")
    ax[2].set_ylim(bottom=0)
    for a in ax:
        a.set_xscale("log")
        a.set_xlabel("record sets")
        a.grid(True, which="both", alpha=0.3)
        a.legend(fontsize=8)
    for a in ax[:2]:
        a.set_yscale("log")
    for r in failed:
        for a in ax:
            a.axvline(r["n"], color="red", alpha=0.4)
        ax[0].annotate(f"{r['n']:,}: did not load", (r["n"], ax[0].get_ylim()[1]), color="red", fontsize=8,
                       ha="right", va="top", rotation=90)
    fig.suptitle(f"bench/scale policy data size — {res['date']}, {res['version']}, server on 1 core "
                 f"(shared machine; load at start {res['uptime_before'].split('load average:')[-1].strip()})", fontsize=10)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "scale-policy.png"), dpi=100)


def hc(res, out):
    rows = res["hc"]
    if not rows:
        return
    n = [r["n"] for r in rows]
    fig, ax = plt.subplots(1, 2, figsize=(11, 4.5))
    ax[0].plot(n, [r["cpu_pct"] for r in rows], "o-", label="./coredns")
    ax[0].plot(n, [r["targets_cpu_pct"] for r in rows], "s--", label="target server (other core)")
    ax[0].set_ylabel("% of one core")
    ax[0].set_title(f"CPU over a {res['args']['hc_window']} s window")
    ax[1].plot(n, [r["rss_kb"] / 1024 for r in rows], "o-", label="VmRSS")
    ax[1].plot(n, [r["hwm_kb"] / 1024 for r in rows], "s--", label="VmHWM")
    ax[1].set_ylabel("MiB")
    ax[1].set_title("memory of ./coredns")
    for a in ax:
        a.set_xscale("log")
        a.set_xlabel("HTTP health checks (10 s interval)")
        a.grid(True, which="both", alpha=0.3)
        a.legend(fontsize=8)
    fig.suptitle(f"bench/scale health checks — {res['date']}, keepalive {res['args']['keepalive']}", fontsize=10)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "scale-healthcheck.png"), dpi=100)


def reload(res, out):
    rl = res["reload"]
    if not rl["trials"]:
        return
    fig, axs = plt.subplots(len(rl["trials"]), 1, figsize=(10, 2.2 * len(rl["trials"]) + 0.6), squeeze=False)
    for a, t in zip(axs[:, 0], rl["trials"]):
        rep, t0 = t["report"], t["renamed_ns"]
        tl = rep["Timeline"]
        x = [(s[0] - t0) / 1e9 for s in tl]
        a.stackplot(x, [s[1] * 10 for s in tl], [s[2] * 10 for s in tl],
                    labels=[f"old data (gen {t['old']})", f"new data (gen {t['new']})"], step="post", alpha=0.8)
        a.axvline(0, color="k", ls="--", label="new file renamed in")
        if t["swap_s"] is not None:
            a.axvline(t["swap_s"], color="red", ls=":", label=f"first new answer (+{t['swap_s']:.2f} s)")
        bad = t["failed"]
        a.set_title(f"reload {t['old']}→{t['new']}: {rep['Sent']:,} queries, {bad} failed "
                    f"(timeouts {rep['Timeouts']}, SERVFAIL {rep['Servfail']}, wrong {rep['Wrong']})", fontsize=9)
        a.set_ylabel("answers / s")
        a.legend(fontsize=7, loc="lower left")
        a.grid(True, alpha=0.3)
    axs[-1, 0].set_xlabel("seconds since the new file was renamed in")
    fig.suptitle(f"bench/scale reload of {rl['n']:,} record sets under load — {res['date']}", fontsize=10)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "scale-reload.png"), dpi=100)


def main():
    res = json.load(open(sys.argv[1]))
    out = sys.argv[2]
    os.makedirs(out, exist_ok=True)
    if "policy" in res:
        policy(res, out)
    if "hc" in res:
        hc(res, out)
    if "reload" in res:
        reload(res, out)
    print("plots written to", out)


if __name__ == "__main__":
    main()
