#!/usr/bin/env python3
"""Plot of a bench/failover run: plot.py RESULTS.json OUT.png. Per mode, the CDF of the
time until answers moved off the dead endpoint and back, with the bounds marked."""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    res = json.load(open(sys.argv[1]))
    modes = []
    for t in res["Trials"]:
        if t["Mode"] not in modes:
            modes.append(t["Mode"])
    fig, axs = plt.subplots(1, len(modes), figsize=(6 * len(modes), 5.5), squeeze=False)
    what = {"kill": "SIGKILL: probes refused", "stop": "SIGSTOP: probes time out"}
    for a, m in zip(axs[0], modes):
        for key, label, bound, color in (("DownS", "down: death → answers move", res["BoundDownS"], "C3"),
                                         ("UpS", "up: back → answers return", res["BoundUpS"], "C0")):
            xs = sorted(t[key] for t in res["Trials"] if t["Mode"] == m)
            ys = [(i + 1) / len(xs) for i in range(len(xs))]
            a.step([xs[0]] + xs, [0] + ys, where="post", color=color, label=f"{label} (n={len(xs)})")
            a.plot(xs, ys, "o", color=color, ms=3)
            a.axvline(bound, color=color, ls="--", alpha=0.7,
                      label=f"bound {bound:.2f} s = interval × {'fall' if key == 'DownS' else 'rise'} + timeout")
        a.set_title(f"{m} ({what.get(m, m)})", fontsize=10)
        a.set_xlabel("seconds, measured on the wire")
        a.set_ylabel("fraction of trials")
        a.set_xlim(left=0)
        a.set_ylim(0, 1.02)
        a.grid(True, alpha=0.3)
        a.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2)
    fig.suptitle(f"bench/failover — {res['Date']}, {res['Version']}\nHTTP check interval {res['Interval']}, "
                 f"timeout {res['Timeout']}, fall {res['Fall']}, rise {res['Rise']}; CDF of {len(res['Trials'])} trials",
                 fontsize=10)
    fig.tight_layout()
    fig.savefig(sys.argv[2], dpi=100)
    print("plot written to", sys.argv[2])


if __name__ == "__main__":
    main()
