"""Small COCO-style box AP evaluator (single class): AP50 and AP@[.5:.95], 101-point
interpolation, greedy score-ordered matching to the best unmatched ground truth.

  scripts/py -m lookout_model.evaluate --model DIR --dataset tud:TUD-Stadtmitte --frames 91-179
"""
import argparse
import json
import time
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch

THRESHOLDS = [0.5 + 0.05 * i for i in range(10)]


def iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)), dtype=np.float64)
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    ix1 = np.maximum(a[:, None, 0], b[None, :, 0])
    iy1 = np.maximum(a[:, None, 1], b[None, :, 1])
    ix2 = np.minimum(a[:, None, 2], b[None, :, 2])
    iy2 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(ix2 - ix1, 0, None) * np.clip(iy2 - iy1, 0, None)
    aa = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    ab = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return inter / (aa[:, None] + ab[None, :] - inter)


def average_precision(dets: Sequence[Dict], gts: Sequence[np.ndarray], thr: float,
                      ignores: Optional[Sequence[np.ndarray]] = None) -> float:
    """dets[i] = {'boxes': [N,4], 'scores': [N]}, gts[i] = [K,4]; ignores[i] = [M,4] boxes (people
    outside the evaluated size range) that a detection may hit without counting as a false positive."""
    n_gt = sum(len(g) for g in gts)
    if n_gt == 0:
        return float("nan")
    recs = []  # (score, tp)
    for n, (d, g) in enumerate(zip(dets, gts)):
        ign = ignores[n] if ignores is not None else np.zeros((0, 4))
        b = np.asarray(d["boxes"], dtype=np.float64).reshape(-1, 4)
        s = np.asarray(d["scores"], dtype=np.float64).reshape(-1)
        order = np.argsort(-s, kind="mergesort")
        b, s = b[order], s[order]
        ious = iou_matrix(b, g)
        used = np.zeros(len(g), dtype=bool)
        for i in range(len(b)):
            best, bj = thr, -1
            for j in range(len(g)):
                if used[j]:
                    continue
                if ious[i, j] >= best:
                    best, bj = ious[i, j], j
            if bj >= 0:
                used[bj] = True
                recs.append((s[i], 1))
            elif len(ign) and iou_matrix(b[i:i + 1], ign).max() >= thr:
                continue
            else:
                recs.append((s[i], 0))
    if not recs:
        return 0.0
    recs.sort(key=lambda r: -r[0])
    tp = np.cumsum([r[1] for r in recs])
    fp = np.cumsum([1 - r[1] for r in recs])
    recall = tp / n_gt
    precision = tp / np.maximum(tp + fp, np.finfo(np.float64).eps)
    # monotone precision envelope, 101 recall points (COCO)
    for i in range(len(precision) - 2, -1, -1):
        precision[i] = max(precision[i], precision[i + 1])
    rs = np.linspace(0, 1, 101)
    idx = np.searchsorted(recall, rs, side="left")
    q = np.array([precision[i] if i < len(precision) else 0.0 for i in idx])
    return float(q.mean())


def f1_curve(dets, gts, ignores=None, thresholds=None) -> Dict[float, float]:
    """F1 at IoU 0.5 for each score threshold (the operating point a service would publish at)."""
    thresholds = thresholds or [round(0.05 * i, 2) for i in range(1, 20)]
    out = {}
    n_gt = sum(len(g) for g in gts)
    for t in thresholds:
        tp = fp = 0
        for n, (d, g) in enumerate(zip(dets, gts)):
            keep = np.asarray(d["scores"]) >= t
            b = np.asarray(d["boxes"]).reshape(-1, 4)[keep]
            s = np.asarray(d["scores"])[keep]
            ign = ignores[n] if ignores is not None else np.zeros((0, 4))
            ious = iou_matrix(b[np.argsort(-s, kind="mergesort")], g)
            used = np.zeros(len(g), dtype=bool)
            for i in range(len(b)):
                cand = np.where(~used & (ious[i] >= 0.5))[0] if len(g) else []
                if len(cand):
                    used[cand[np.argmax(ious[i][cand])]] = True
                    tp += 1
                elif not (len(ign) and iou_matrix(b[i:i + 1], ign).max() >= 0.5):
                    fp += 1
        p = tp / max(tp + fp, 1)
        r = tp / max(n_gt, 1)
        out[t] = 2 * p * r / max(p + r, 1e-9)
    return out


def coco_ap(dets, gts, ignores=None) -> Dict[str, float]:
    aps = [average_precision(dets, gts, t, ignores) for t in THRESHOLDS]
    return {"ap50": aps[0], "ap75": aps[5], "ap": float(np.mean(aps))}


def predict(model, samples: List[Dict], label: int = 1):
    """Runs a detector (scripted artifact or eager Detector / FasterRCNN) over samples."""
    from .datasets import load_image
    dets, gts, ignores, times = [], [], [], []
    with torch.no_grad():
        for s in samples:
            x = load_image(s)
            t = time.time()
            out = model([x])
            times.append(time.time() - t)
            if isinstance(out, tuple) and len(out) == 3:
                b, sc, lb = out[0][0], out[1][0], out[2][0]
            else:
                o = out[1][0] if isinstance(out, tuple) else out[0]
                b, sc, lb = o["boxes"], o["scores"], o["labels"]
            keep = lb == label
            dets.append({"boxes": b[keep].numpy(), "scores": sc[keep].numpy()})
            gts.append(s["boxes"])
            ignores.append(s.get("ignore", np.zeros((0, 4), dtype=np.float32)))
    return dets, gts, ignores, times


def time_model(model, h: int = 576, w: int = 768, n: int = 10, warmup: int = 3, cpu: bool = False):
    """Wall ms per (h, w) frame after warm-up; with cpu=True also the process CPU ms per frame
    (all threads summed: on a machine shared with other jobs, cpu_ms / threads is a
    contention-free estimate of the wall time)."""
    x = torch.rand(3, h, w, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        for _ in range(warmup):
            model([x])
        t = time.time()
        c = time.process_time()
        for _ in range(n):
            model([x])
    wall = (time.time() - t) / n * 1000.0
    if cpu:
        return wall, (time.process_time() - c) / n * 1000.0
    return wall


def dataset_from_spec(spec: str, frames=None):
    from . import datasets as ds
    kind, _, name = spec.partition(":")
    if kind == "tud":
        return ds.mot_sequence(name, ds.parse_frames(frames))
    if kind == "usc":
        return ds.usc_set(name)
    if kind == "heldout":
        return ds.pool_split(ds.default_pool())[1]
    raise ValueError(spec)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="lookout_model.evaluate", description=__doc__)
    ap.add_argument("--model", required=True, help="artifact dir (model.pt)")
    ap.add_argument("--dataset", default="tud:TUD-Stadtmitte", help="tud:NAME | usc:A|B|C | heldout")
    ap.add_argument("--frames", help="A-B (1-based, inclusive) for tud")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--time", action="store_true", help="also time a 768x576 frame")
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    m = torch.jit.load(f"{a.model}/model.pt", map_location="cpu").eval()
    samples = dataset_from_spec(a.dataset, a.frames)
    dets, gts, ign, times = predict(m, samples)
    res = coco_ap(dets, gts, ign)
    res.update(images=len(samples), boxes=int(sum(len(g) for g in gts)))
    if a.time:
        wall, cpu = time_model(m, cpu=True)
        res["msPerFrame768x576"] = round(wall, 1)
        res["cpuMsPerFrame768x576"] = round(cpu, 1)
    print(json.dumps(res))


if __name__ == "__main__":
    main()
