#!/usr/bin/env python3
"""Plot and tabulate `lookout review simulate` results (docs/review.md).

  /usr/bin/python3 scripts/plot-review-sim.py build/review-sim/results.jsonl docs/img/review-sim.png

One row of panels per camera: AP50 and AP on the camera's later frames and on the general holdout
against the number of reviewed frames, the picker's frames against as many random ones (mean over
seeds as a line, each seed a dot), the model before any retrain dashed. Prints one markdown table of
the same numbers: mean and min over seeds, and the reviewer's page actions per frame.
"""
import json
import sys
from collections import defaultdict
from statistics import mean

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

RULES = [("rule", "picker", "tab:orange"), ("random", "random frames", "tab:blue")]
PANELS = [("later", "ap50", "later frames AP50"), ("later", "ap", "later frames AP"),
          ("general", "ap50", "general holdout AP50"), ("general", "ap", "general holdout AP")]


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


def stat(xs, part, metric):
    vals = [x[part][metric] for x in xs]
    return f"{mean(vals):.3f} ({min(vals):.3f})" if vals else "-"


def table(runs, base):
    cams = sorted({c for c, _, _ in runs} | set(base))
    print("| camera | reviewed frames | frames | seeds | later AP50 | later AP | general AP50 | general AP "
          "| actions per frame |")
    print("|---|---|---|---|---|---|---|---|---|")
    for cam in cams:
        b = base.get(cam)
        if b:
            print(f"| {cam} | 0 | the model before | | {b['later']['ap50']:.3f} | {b['later']['ap']:.3f} "
                  f"| {b['general']['ap50']:.3f} | {b['general']['ap']:.3f} | |")
        for budget in sorted({k[2] for k in runs if k[0] == cam}):
            for rule, label, _ in RULES:
                xs = runs.get((cam, rule, budget), [])
                if not xs:
                    continue
                actions = mean(x["effort"]["actions"] / max(1, x["picked"]) for x in xs)
                print(f"| {cam} | {budget} | {label} | {len(xs)} | {stat(xs, 'later', 'ap50')} "
                      f"| {stat(xs, 'later', 'ap')} | {stat(xs, 'general', 'ap50')} | {stat(xs, 'general', 'ap')} "
                      f"| {actions:.1f} |")


def plot(runs, base, out):
    cams = sorted({c for c, _, _ in runs})
    fig, axes = plt.subplots(len(cams), len(PANELS), figsize=(4.2 * len(PANELS), 3.4 * len(cams)), squeeze=False)
    for row, cam in enumerate(cams):
        for col, (part, metric, title) in enumerate(PANELS):
            ax = axes[row][col]
            for rule, label, color in RULES:
                budgets = sorted({k[2] for k in runs if k[0] == cam and k[1] == rule})
                if not budgets:
                    continue
                means = [mean(x[part][metric] for x in runs[(cam, rule, b)]) for b in budgets]
                ax.plot(budgets, means, "-o", color=color, label=label)
                for b in budgets:
                    ys = [x[part][metric] for x in runs[(cam, rule, b)]]
                    ax.scatter([b + (1.5 if rule == "rule" else -1.5)] * len(ys), ys, s=12, color=color, alpha=0.5)
            if cam in base:
                ax.axhline(base[cam][part][metric], color="grey", ls="--", label="before retraining")
            ax.set_title(f"{cam}: {title}", fontsize=9)
            ax.set_xlabel("reviewed frames")
            ax.grid(alpha=0.3)
            if col == 0:
                ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    print(f"wrote {out}")


if __name__ == "__main__":
    runs, base = load(sys.argv[1] if len(sys.argv) > 1 else "build/review-sim/results.jsonl")
    table(runs, base)
    if len(sys.argv) > 2:
        plot(runs, base, sys.argv[2])
