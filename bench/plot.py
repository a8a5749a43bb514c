#!/usr/bin/python3
"""PNG plots of a `./lookout bench` report: scripts/py bench/plot.py build/bench/report.json build/bench"""
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(report_path, out):
    r = json.load(open(report_path))
    made = []

    fig, ax = plt.subplots(figsize=(7, 4))
    names, values = ["raw Java b1"], [r["rawJava"]["batch1Fps"]]
    if "fps" in r.get("rawPython", {}):
        names.append("raw Python"), values.append(r["rawPython"]["fps"])
    if "fps" in r.get("pythonConsumer", {}):
        names.append("Python consumer"), values.append(r["pythonConsumer"]["fps"])
    names += ["service 1 cam", f"service {r['saturationN']['camerasN']} cams"]
    values += [r["saturation1"]["analysedFps"], r["saturationN"]["analysedFps"]]
    ax.bar(names, values, color="#4a7ab5")
    ax.set_ylabel("frames/s analysed")
    ax.set_title("Throughput at saturation (same model, same machine)")
    plt.xticks(rotation=15)
    fig.tight_layout()
    made.append(save(fig, out, "throughput.png"))

    fig, ax = plt.subplots(figsize=(7, 4))
    loads = [100 * x["load"] for x in r["latency"]]
    for key, style in (("p50Ms", "o-"), ("p90Ms", "s-"), ("p99Ms", "^-")):
        ax.plot(loads, [x[key] for x in r["latency"]], style, label=key[:3])
    inference = r["inferenceMsPerFrame"]
    ax.axhline(3 * inference, color="grey", linestyle="--", label="3x inference time")
    ax.set_xlabel("offered load, % of saturation (1 camera)")
    ax.set_ylabel("capture to read_committed consumer, ms")
    ax.set_title(f"End-to-end latency of analysed frames ({r['scheduling']})")
    ax.legend()
    fig.tight_layout()
    made.append(save(fig, out, "latency.png"))

    fig, ax = plt.subplots(figsize=(7, 4))
    fair = r["fairness"]
    cams = list(fair["analysedFpsPerCamera"].keys())
    ax.bar(cams, [fair["analysedFpsPerCamera"][c] for c in cams], color="#5a9e6f")
    for i, c in enumerate(cams):
        ax.text(i, fair["analysedFpsPerCamera"][c], f"{100 * fair['fairShare'][c]:.0f}% of fair", ha="center", va="bottom")
    ax.set_ylabel("analysed frames/s")
    ax.set_title(f"Fairness: {cams[0]} sends 5x the others (partitions {fair['partitions']})", fontsize=9)
    fig.tight_layout()
    made.append(save(fig, out, "fairness.png"))

    soak = r["soak"]
    fig, ax1 = plt.subplots(figsize=(7, 4))
    ax1.plot([s["s"] for s in soak["rss"]], [s["rssMb"] for s in soak["rss"]], "-", color="#b55a4a")
    ax1.set_xlabel("seconds")
    ax1.set_ylabel("detector RSS, MB", color="#b55a4a")
    ax2 = ax1.twinx()
    ax2.plot([s["fromS"] for s in soak["slices"]], [s["p99Ms"] for s in soak["slices"]], "o-", color="#4a7ab5")
    ax2.set_ylabel("latency p99, ms", color="#4a7ab5")
    ax1.set_title(f"Soak at {soak['offeredFps']:.1f} frames/s (twice saturation)")
    fig.tight_layout()
    made.append(save(fig, out, "soak.png"))
    print("plots: " + ", ".join(made))


def save(fig, out, name):
    path = os.path.join(out, name)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
