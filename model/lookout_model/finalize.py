"""Evaluates a training checkpoint at several input sizes, picks the test min_size (best held-out
AP50 among sizes that meet the latency budget), measures TUD-Stadtmitte frames 91-179 (never
trained on) and exports the artifact with the numbers in model.json.

  /usr/bin/python3 -m lookout_model.finalize --run runs/default --out models/default
"""
import argparse
import json
import os
import time

import torch

from . import datasets as ds
from .evaluate import coco_ap, predict, time_model
from .export import write_artifact
from .models import TV_ARCH_NAMES, Detector, build_model


def main(argv=None):
    ap = argparse.ArgumentParser(prog="lookout_model.finalize", description=__doc__)
    ap.add_argument("--run", default="runs/default")
    ap.add_argument("--out", default="models/default")
    ap.add_argument("--sizes", default="480,576")
    ap.add_argument("--max-size", type=int, default=1024)
    ap.add_argument("--budget-ms", type=float, default=150.0, help="ms/frame (768x576, 2 threads) to stay under")
    ap.add_argument("--force-size", type=int, help="use this min_size whatever the numbers say")
    ap.add_argument("--name", default="lookout-pedestrian")
    ap.add_argument("--version", default="1")
    ap.add_argument("--baseline", help="JSON output of lookout_model.centernet_baseline to embed")
    a = ap.parse_args(argv)
    torch.set_num_threads(2)

    ck = torch.load(os.path.join(a.run, "last.pth"), map_location="cpu")
    info = json.load(open(os.path.join(a.run, "train_info.json"))) if os.path.exists(
        os.path.join(a.run, "train_info.json")) else {}
    arch = ck.get("arch", "centernet_fpn")
    model = build_model(arch, random=True, box_score_thresh=0.05, box_detections_per_img=100)
    model.load_state_dict(ck["model"])
    model.eval()
    train, held = ds.split(ds.default_pool())
    stadt = ds.mot_sequence("TUD-Stadtmitte", (91, 179))
    results = {}
    for s in [int(v) for v in a.sizes.split(",")]:
        model.transform.min_size = (s,)
        model.transform.max_size = a.max_size
        scripted = torch.jit.script(Detector(model).eval())
        ms, cpu_ms = time_model(scripted, n=10, cpu=True)
        d, g, _ = predict(scripted, held)
        h = coco_ap(d, g)
        d, g, _ = predict(scripted, stadt)
        st = coco_ap(d, g)
        results[s] = {"msPerFrame": round(ms, 1), "cpuMsPerFrame": round(cpu_ms, 1),
                      "loadAverage1m": round(os.getloadavg()[0], 2), "heldout": h, "stadtmitte": st}
        print(s, json.dumps(results[s]), flush=True)
    # wall time is inflated by other jobs on this shared machine: judge the budget on the
    # contention-free estimate (process CPU ms / 2 threads)
    ok = [s for s in results if results[s]["cpuMsPerFrame"] / 2.0 <= a.budget_ms] or [min(results)]
    chosen = a.force_size or max(ok, key=lambda s: results[s]["heldout"]["ap50"])
    model.transform.min_size = (chosen,)
    r = results[chosen]
    metrics = {
        "ap50": round(r["heldout"]["ap50"], 4),
        "ap": round(r["heldout"]["ap"], 4),
        "holdout": f"USC A+B+C + TUD-Campus, sha1(id)%100<10 ({len(held)} images, never trained on)",
        "heldout": {k: round(v, 4) for k, v in r["heldout"].items()},
        "tudStadtmitte91to179": {k: round(v, 4) for k, v in r["stadtmitte"].items()},
        "msPerFrame768x576": r["msPerFrame"],
        "cpuMsPerFrame768x576": r["cpuMsPerFrame"],
        "timing": "TorchScript, torch 1.13.1 CPU, 2 threads, OMP_WAIT_POLICY=PASSIVE, shared 2-core machine",
        "bySize": {str(k): v for k, v in results.items()},
        "baselineCenterNetPersonStadtmitte": {
            "measured": json.load(open(a.baseline)) if a.baseline else None,
            "design": {"ap50": 0.84, "ap": 0.41, "source": "DESIGN.md (other evaluator/threshold)"}},
        "trainSeconds": info.get("train_seconds"),
        "trainIterations": info.get("iterations"),
    }
    meta = write_artifact(model, a.out, name=a.name, version=a.version, architecture=TV_ARCH_NAMES[arch],
                          min_size=chosen, max_size=a.max_size, data_fingerprint=info.get("dataFingerprint"),
                          metrics=metrics,
                          extra={"arch": arch, "weightsSource": "centernet-port + fine-tuned",
                                 "trainingRecipe": info.get("recipe"),
                                 "trainingData": "USC Pedestrian A+B+C, TUD-Campus (minus hold-out); "
                                                 "TUD-Stadtmitte and vtest.avi never used"})
    print(json.dumps({"chosenMinSize": chosen, **metrics}, indent=1))
    print(f"wrote {a.out}/model.pt ({os.path.getsize(os.path.join(a.out, 'model.pt')) / 1e6:.1f} MB) sha256 {meta['sha256']}")


if __name__ == "__main__":
    main()
