"""The generalisation suite: scores detectors on several held-out sets of different kinds, each never
trained on, and prints one table with the minimum over sets. The COCO CenterNet teacher (person
class, PyTorch port, its native 512x512 input) is scored in the same run with its ms/frame.

  scripts/py -m lookout_model.suite --model models/default [--model DIR ...] [--no-teacher]
      [--sets stadtmitte,far-view,...] [--every N] [--json OUT] [--markdown OUT]

Sets (read in place from the data directory, $LOOKOUT_DATA_DIR or ../shared/data):
  stadtmitte       TUD-Stadtmitte, all 179 frames: a street-level camera, people 60-250 px tall
  far-view         60 mosaics on 768x576 canvases of held-out frames (TUD-Stadtmitte, person-mix test,
                   coco128 val2017), each tile scaled so its tallest person is 40-90 px tall: an
                   elevated surveillance view; people under 25 px are ignore regions (a detection
                   there counts neither way), as in the Caltech "reasonable" protocol
  person-mix-test  person-mix test/ (1,101 images: CCTV, street, indoor, crowds)
  coco-val         coco128 val2017, person class (128 images, 55 without any person)
  usc-campus-held  the 10% hold-out of USC A/B/C + TUD-Campus (the old training pool)
"""
import argparse
import json
import os
import random
import statistics
import sys
import time
from collections import OrderedDict
from typing import Dict, List, Optional

import numpy as np
import torch
import torch.nn.functional as F

from . import datasets as ds
from .evaluate import coco_ap, f1_curve, predict

SETS = ["stadtmitte", "far-view", "person-mix-test", "coco-val", "usc-campus-held"]
CANVAS = (576, 768)  # h, w
FAR_TALLEST = (40.0, 90.0)  # the tallest person of a tile is scaled to a height drawn from this range
FAR_MIN_H = 25.0            # shorter people become ignore regions


def far_view(n: int = 60, seed: int = 0, sources: Optional[List[Dict]] = None) -> List[Dict]:
    """Deterministic mosaics: grids of 3x3 or 4x4 tiles, each a held-out image scaled (aspect kept)
    so that its tallest person is 40-90 px tall; people under FAR_MIN_H px become ignore regions.
    sources: the images to tile (default: TUD-Stadtmitte, person-mix test, coco128 val2017)."""
    rng = random.Random(seed)
    if sources is None:
        sources = ds.mot_sequence("TUD-Stadtmitte") + ds.yolo_split("person-mix/test") \
            + ds.yolo_split("coco128/images/val2017")
    pool = [s for s in sources if len(s["boxes"])]
    rng.shuffle(pool)
    out, k = [], 0
    H, W = CANVAS
    for m in range(n):
        g = 3 if m % 2 == 0 else 4
        th, tw = H // g, W // g
        canvas = torch.full((3, H, W), 114, dtype=torch.uint8)
        boxes, ignore = [], []
        for r in range(g):
            for c in range(g):
                s = pool[k % len(pool)]
                k += 1
                img = ds.load_uint8(s["path"])
                h, w = img.shape[1], img.shape[2]
                tallest = float((s["boxes"][:, 3] - s["boxes"][:, 1]).max())
                sc = min(th / h, tw / w, rng.uniform(*FAR_TALLEST) / tallest)
                nh, nw = max(1, int(h * sc)), max(1, int(w * sc))
                im = F.interpolate(img[None].float(), size=(nh, nw), mode="bilinear", align_corners=False,
                                   antialias=True)[0].round().clamp(0, 255).to(torch.uint8)
                y0, x0 = r * th + (th - nh) // 2, c * tw + (tw - nw) // 2
                canvas[:, y0:y0 + nh, x0:x0 + nw] = im
                b = s["boxes"] * np.array([nw / w, nh / h, nw / w, nh / h], dtype=np.float32)
                b = b + np.array([x0, y0, x0, y0], dtype=np.float32)
                small = (b[:, 3] - b[:, 1]) < FAR_MIN_H
                boxes.append(b[~small])
                ignore.append(b[small])
        out.append({"id": f"far-view/{m:03d}", "image": canvas, "boxes": np.concatenate(boxes, 0),
                    "ignore": np.concatenate(ignore, 0)})
    return out


def load_set(name: str) -> List[Dict]:
    if name == "stadtmitte":
        return ds.mot_sequence("TUD-Stadtmitte")
    if name == "far-view":
        return far_view()
    if name == "person-mix-test":
        return ds.yolo_split("person-mix/test")
    if name == "coco-val":
        return ds.yolo_split("coco128/images/val2017")
    if name == "usc-campus-held":
        return ds.pool_split(ds.default_pool())[1]
    raise ValueError(f"unknown set {name!r} (one of {', '.join(SETS)})")


def suite_ids() -> set:
    """Every image id the suite scores (training code removes these and their near-duplicates)."""
    ids = set()
    for n in SETS:
        if n != "far-view":
            ids.update(s["id"] for s in load_set(n))
    return ids


def time_models(models: Dict[str, torch.nn.Module], frame: torch.Tensor, rounds: int = 15) -> Dict[str, float]:
    """Median ms per frame, the models interleaved round by round so that a noisy shared machine
    slows them alike (compare them as ratios from one run)."""
    times = {k: [] for k in models}
    with torch.no_grad():
        for m in models.values():
            for _ in range(3):
                m([frame])
        for _ in range(rounds):
            for k, m in models.items():
                t = time.perf_counter()
                m([frame])
                times[k].append((time.perf_counter() - t) * 1000.0)
    return {k: statistics.median(v) for k, v in times.items()}


def load_teacher(centernet_dir: str):
    """The teacher with the same CPU layout as Lookout's model (channels-last), so that the time
    comparison is between models, not implementations."""
    from .centernet_head import CenterNetTeacher, build_features
    t = CenterNetTeacher(build_features(centernet_dir)).eval().to(memory_format=torch.channels_last)
    t.channels_last = True
    return torch.jit.script(t)


def run(models: Dict[str, torch.nn.Module], sets: List[str], every: int = 1, log=sys.stderr) -> Dict:
    res: Dict = OrderedDict()
    for name in sets:
        samples = load_set(name)[::every]
        res[name] = OrderedDict(images=len(samples), boxes=int(sum(len(s["boxes"]) for s in samples)))
        heights = np.concatenate([s["boxes"][:, 3] - s["boxes"][:, 1] for s in samples])
        res[name]["personHeightPx"] = [round(float(np.percentile(heights, q))) for q in (5, 50, 95)]
        for k, m in models.items():
            t = time.time()
            d, g, ign, _ = predict(m, samples)
            r = coco_ap(d, g, ign)
            res[name][k] = {kk: round(v, 4) for kk, v in r.items()}
            res[name][k]["f1ByThreshold"] = {str(t): round(v, 4) for t, v in f1_curve(d, g, ign).items()}
            print(f"suite: {name:16s} {k:24s} AP50 {r['ap50']:.3f} AP {r['ap']:.3f} "
                  f"({len(samples)} images, {time.time() - t:.0f} s)", file=log, flush=True)
    frame = far_view(1, seed=1)[0]["image"].float().div(255.0)
    res["msPerFrame768x576"] = {k: round(v, 1) for k, v in time_models(models, frame).items()}
    res["minimum"] = {k: {m: round(min(res[s][k][m] for s in sets), 4) for m in ("ap50", "ap", "ap75")}
                      for k in models}
    return res


def markdown(res: Dict, names: List[str], sets: List[str]) -> str:
    head = "| set | images | person px (5/50/95%) | " + " | ".join(f"{n} AP50 | {n} AP" for n in names) + " |"
    rows = [head, "|" + "---|" * (3 + 2 * len(names))]
    for s in sets:
        r = res[s]
        rows.append(f"| {s} | {r['images']} | {'/'.join(str(v) for v in r['personHeightPx'])} | "
                    + " | ".join(f"{r[n]['ap50']:.3f} | {r[n]['ap']:.3f}" for n in names) + " |")
    rows.append("| **minimum** | | | " + " | ".join(
        f"**{res['minimum'][n]['ap50']:.3f}** | **{res['minimum'][n]['ap']:.3f}**" for n in names) + " |")
    rows.append("| ms/frame 768x576 | | | " + " | ".join(
        f"{res['msPerFrame768x576'][n]:.0f} | " for n in names) + " |")
    return "\n".join(rows)


def main(argv=None):
    from .export import DEFAULT_CENTERNET
    ap = argparse.ArgumentParser(prog="lookout_model.suite", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", action="append", default=[], help="artifact dir (model.pt); repeatable")
    ap.add_argument("--no-teacher", dest="teacher", action="store_false")
    ap.add_argument("--centernet", default=DEFAULT_CENTERNET)
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--every", type=int, default=1, help="score every Nth image only (quick looks)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--markdown", help="write the table here")
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    try:
        ds.data_root()
    except FileNotFoundError as e:
        raise SystemExit(f"suite: {e}")
    models: Dict[str, torch.nn.Module] = OrderedDict()
    if a.teacher:
        if not os.path.exists(os.path.join(a.centernet, "centernet.json")):
            raise SystemExit(f"suite: no CenterNet weights at {a.centernet} (scripts/setup.sh installs them)")
        models["teacher"] = load_teacher(a.centernet)
    for d in a.model:
        p = os.path.join(d, "model.pt")
        if not os.path.exists(p):
            raise SystemExit(f"suite: {p} not found")
        name = os.path.basename(os.path.normpath(d))
        models[name if name not in models else d] = torch.jit.load(p, map_location="cpu").eval()
    if not models:
        raise SystemExit("suite: nothing to score (--model DIR, or the teacher)")
    sets = [s.strip() for s in a.sets.split(",") if s.strip()]
    res = run(models, sets, a.every)
    res["setup"] = {"threads": a.threads, "every": a.every, "torch": torch.__version__,
                    "ompWaitPolicy": os.environ.get("OMP_WAIT_POLICY"), "loadAverage1m": round(os.getloadavg()[0], 2)}
    table = markdown(res, list(models), sets)
    print(table)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1)
    if a.markdown:
        with open(a.markdown, "w") as f:
            f.write(table + "\n")


if __name__ == "__main__":
    main()
