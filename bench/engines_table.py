#!/usr/bin/python3
"""The table of bench/engines.sh: one row per run and contender, ms per 768x576 frame and the ratio to
Python's median on the same TorchScript (the mean of the Python runs around it: a noisy machine drifts)."""
import json
import statistics
import sys

runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
py = [r["msPerFrame"]["pythonTorch"] for r in runs if r.get("side") == "python"]
ref = statistics.mean(py) if py else float("nan")
print(f"| run | contender | ms/frame | vs Python raw ({ref:.1f} ms, mean of {len(py)} runs) | parity with the service path |")
print("|---|---|---|---|---|")
for r in runs:
    parity = r.get("parityWithService", {})
    for k, v in r["msPerFrame"].items():
        p = parity.get(k)
        ptxt = "" if p is None else f"{p['framesWithAnotherCount']} frames differ in count, max score diff {p['maxScoreDifference']}"
        ratio = "" if "Frame" in k else f"{v / ref:.3f}"
        print(f"| {r['run']} | {k} | {v:.3g} | {ratio} | {ptxt} |")
    for k in ("javaOnnxRuntime", "javaLibtorchFrozen", "javaLibtorchFrozenOptimized", "pythonTorchFrozen",
              "pythonTorchFrozenOptimized"):
        if isinstance(r.get(k), str):
            print(f"| {r['run']} | {k} | | | {r[k]} |")
threads = {r["run"]: (r.get("libtorchThreads", r.get("threads")), r.get("libtorchInteropThreads", r.get("interopThreads")))
           for r in runs}
print()
print("threads (intra-op, inter-op) per run: " + "; ".join(f"{k}: {v[0]}, {v[1]}" for k, v in threads.items()))
