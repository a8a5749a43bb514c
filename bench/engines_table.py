#!/usr/bin/python3
"""The table of bench/engines.sh: one row per run and contender: median and lower-quartile wall ms per
768x576 frame, process CPU ms per frame (both cores summed), and the ratios to Python's raw model on
the same TorchScript (the mean over the Python runs, which bracket the Java ones: the machine drifts).
On a machine shared with other jobs the wall time includes waiting for a core; the CPU time under
OMP_WAIT_POLICY=PASSIVE is the work itself (ACTIVE spins while it waits, which CPU time counts)."""
import json
import statistics
import sys

runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]


def ref(key):
    vals = [r[key]["pythonTorch"] for r in runs if r.get("side") == "python" and key in r]
    return statistics.mean(vals) if vals else float("nan")


ref_p25, ref_cpu = ref("msPerFrameP25"), ref("cpuMsPerFrame")
print(f"| run | contender | wall ms median | wall ms p25 | CPU ms | p25 / Python's ({ref_p25:.1f}) | "
      f"CPU / Python's ({ref_cpu:.1f}) | parity with the service path |")
print("|---|---|---|---|---|---|---|---|")
for r in runs:
    parity = r.get("parityWithService", {})
    for k, v in r["msPerFrame"].items():
        p25 = r.get("msPerFrameP25", {}).get(k, float("nan"))
        cpu = r.get("cpuMsPerFrame", {}).get(k, float("nan"))
        p = parity.get(k)
        ptxt = "" if p is None else f"{p['framesWithAnotherCount']} frames differ in count, max score diff {p['maxScoreDifference']}"
        small = "Frame" in k
        r1 = "" if small else f"{p25 / ref_p25:.3f}"
        r2 = "" if small else f"{cpu / ref_cpu:.3f}"
        print(f"| {r['run']} | {k} | {v:.3g} | {p25:.3g} | {cpu:.3g} | {r1} | {r2} | {ptxt} |")
    for k in ("javaOnnxRuntime", "javaLibtorchFrozen", "javaLibtorchFrozenOptimized", "pythonTorchFrozen",
              "pythonTorchFrozenOptimized"):
        if isinstance(r.get(k), str):
            print(f"| {r['run']} | {k} | | | | | | {r[k]} |")
threads = {r["run"]: (r.get("libtorchThreads", r.get("threads")), r.get("libtorchInteropThreads", r.get("interopThreads")))
           for r in runs}
print()
print("threads (intra-op, inter-op) per run: " + "; ".join(f"{k}: {v[0]}, {v[1]}" for k, v in threads.items()))
