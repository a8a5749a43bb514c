#!/usr/bin/env python3
"""Plot and tabulate `lookout review simulate` results (docs/review.md).

  python3 scripts/plot-review-sim.py build/review-sim/results.jsonl docs/img/review-sim.png

One row of panels per camera: AP50 on the camera's later frames and on the general holdout against the
number of reviewed frames, the picker's frames against as many random ones (mean over seeds, each seed a
dot), the model before any retrain dashed. Prints a markdown table of the same numbers.
"""
import json
import sys
from collections import defaultdict
from statistics import mean

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

RULES = [("rule", "picker", "tab:orange"), ("random", "random frames", "tab:blue")]


def load(path):
    runs = defaultdict(list)   # (camera, rule, budget) -> [line]
    base = {}
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            if r.get("mode") != "retrain":
                continue
            if r["rule"] == "base":
                base[r["camera"]] = r
            else:
                runs[(r["camera"], r["rule"], r["budget"])].append(r)
    return runs, base


def table(runs, base):
    cams = sorted({c for c, _, _ in runs})
    print("| camera | reviewed | AP50 later: picker | random | picker - random | AP later: picker | random "
          "| AP50 general: picker | random | corrections per frame: picker | random |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for cam in cams:
        b = base.get(cam)
        if b:
            print(f"| {cam} | 0 (model before) | {b['later']['ap50']:.4f} | | | {b['later']['ap']:.4f} | "
                  f"| {b['general']['ap50']:.4f} | | | |")
        for budget in sorted({k[2] for k in runs if k[0] == cam}):
            r, q = runs.get((cam, "rule", budget), []), runs.get((cam, "random", budget), [])
            if not r and not q:
                continue

            def m(xs, *path):
                vals = []
                for x in xs:
                    v = x
                    for p in path:
                        v = v[p]
                    vals.append(v)
                return mean(vals) if vals else float("nan")

            def seeds(xs, *path):
                return "/".join(f"{v:.3f}" for v in [x[path[0]][path[1]] for x in sorted(xs, key=lambda x: x["seed"])])

            cr = m(r, "effort", "corrections") / max(1, m(r, "picked"))
            cq = m(q, "effort", "corrections") / max(1, m(q, "picked"))
            print(f"| {cam} | {budget} ({int(m(r, 'picked')) if r else '-'} picked) | {m(r, 'later', 'ap50'):.4f} "
                  f"({seeds(r, 'later', 'ap50')}) | {m(q, 'later', 'ap50'):.4f} ({seeds(q, 'later', 'ap50')}) | "
                  f"{m(r, 'later', 'ap50') - m(q, 'later', 'ap50'):+.4f} | {m(r, 'later', 'ap'):.4f} | "
                  f"{m(q, 'later', 'ap'):.4f} | {m(r, 'general', 'ap50'):.4f} | {m(q, 'general', 'ap50'):.4f} | "
                  f"{cr:.2f} | {cq:.2f} |")


def plot(runs, base, out):
    cams = sorted({c for c, _, _ in runs})
    fig, axes = plt.subplots(len(cams), 2, figsize=(10, 3.6 * len(cams)), squeeze=False)
    for row, cam in enumerate(cams):
        for col, (part, title) in enumerate([("later", "the camera's later frames"), ("general", "general holdout")]):
            ax = axes[row][col]
            for rule, label, color in RULES:
                budgets = sorted({k[2] for k in runs if k[0] == cam and k[1] == rule})
                if not budgets:
                    continue
                means = [mean(x[part]["ap50"] for x in runs[(cam, rule, b)]) for b in budgets]
                ax.plot(budgets, means, "-o", color=color, label=label)
                for b in budgets:
                    ys = [x[part]["ap50"] for x in runs[(cam, rule, b)]]
                    ax.scatter([b + (2 if rule == "rule" else -2)] * len(ys), ys, s=10, color=color, alpha=0.5)
            if cam in base:
                ax.axhline(base[cam][part]["ap50"], color="grey", ls="--", label="before retraining")
            ax.set_title(f"{cam}: {title}")
            ax.set_xlabel("reviewed frames")
            ax.set_ylabel("AP50")
            ax.grid(alpha=0.3)
            ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    print(f"wrote {out}")


if __name__ == "__main__":
    runs, base = load(sys.argv[1])
    table(runs, base)
    if len(sys.argv) > 2:
        plot(runs, base, sys.argv[2])
