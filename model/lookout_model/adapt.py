"""Per-camera retraining, measured: what one retrain on a camera's first labelled frames does to that
camera's later frames, and what it costs a general holdout that never contains that camera.

It trains the exported TorchScript artifact itself through its `losses` method with the recipe of the
Java fine-tuner (`lookout.finetune.FineTuner`: SGD momentum 0.9, weight decay 1e-4, linear warm-up
from 0.1x then cosine to 0.01x, flip + scale jitter 0.8-1.25 by crop or pad, batch 2, parameters
under frozen prefixes fixed, per-prefix learning-rate factors), on the 80% of the labelled part the
trainer would train on (the other 20% is its gate's holdout). So a schedule chosen here is the one
`./lookout trainer` runs; scripts/measure-retraining.sh then checks it through Kafka.

  scripts/py -m lookout_model.adapt --model DIR --cameras tud-campus,usc-b,fv-tud-campus \\
      --configs stage2,prop2 --out runs/adapt/results.jsonl [--time-budget-min 60]

Cameras (name: labelled first part / scored rest):
  tud-stadtmitte  frames 1-90 / 91-179 (the loop's example camera: never used to choose anything)
  tud-campus      frames 1-36 / 37-71
  usc-b           USC set B (CAVIAR corridor), first 27 / last 27 frames by name
  lobby           person-mix `output_mp4` + `output1_mp4` (one lobby camera), first / second half
  fv-NAME         the far-view style of camera NAME: 768x576 mosaics of the camera's own frames, each
                  tile scaled so the camera's median person is 45 px tall (under 25 px: ignore
                  regions), tile j of mosaic m showing frame m + j*n/tiles of that part
General holdout (the other cameras; each set minus anything of the camera itself):
  person-mix-test (every 4th image), coco-val, usc-campus-held, far-view-general (40 far-view
  mosaics of person-mix test and coco128 val2017 only)

Results: one JSON line per (camera, config), resumable (done pairs are skipped); the before-retrain
scores are computed once per model and cached beside the output.
"""
import argparse
import json
import math
import os
import random
import re
import sys
import time
from typing import Dict, List, Optional, Tuple

import numpy as np
import torch
import torch.nn.functional as F

from . import datasets as ds
from .evaluate import coco_ap, predict

CANVAS = (576, 768)
FAR_MEDIAN_PX = 45.0
FAR_MIN_H = 25.0

# The retrain variants measured (the Java trainer's knobs: epochs, lr, frozen prefixes, lr factors; plus
# the model's own `losses` settings). "stage2" is what the trainer did before the second proposal head.
STAGE2_FROZEN = ["model.backbone.features.", "model.backbone.prop2."]
PROP2_FROZEN = ["model.backbone.features."]
P2 = "model.backbone.prop2."
STAGE2 = ["model.backbone.l4.", "model.backbone.l8.", "model.backbone.l16.", "model.roi_heads."]
CONFIGS: Dict[str, Dict] = {
    "stage2-e2-lr0.005": dict(epochs=2, lr=0.005, frozen=STAGE2_FROZEN),
    "stage2-e3-lr0.002": dict(epochs=3, lr=0.002, frozen=STAGE2_FROZEN),
    "stage2-e6-lr0.001": dict(epochs=6, lr=0.001, frozen=STAGE2_FROZEN),
    "prop2-e2-lr0.005": dict(epochs=2, lr=0.005, frozen=PROP2_FROZEN, distill2=1.0),
    "prop2x10-e2-lr0.005": dict(epochs=2, lr=0.005, frozen=PROP2_FROZEN, factors={P2: 10.0}, distill2=1.0),
    "prop2x10-e6-lr0.005": dict(epochs=6, lr=0.005, frozen=PROP2_FROZEN, factors={P2: 10.0}, distill2=1.0),
    "prop2x30-e6-lr0.005": dict(epochs=6, lr=0.005, frozen=PROP2_FROZEN, factors={P2: 30.0}, distill2=1.0),
    "prop2x10-e12-lr0.005": dict(epochs=12, lr=0.005, frozen=PROP2_FROZEN, factors={P2: 10.0}, distill2=1.0),
    "prop2x20-e10-lr0.005": dict(epochs=10, lr=0.005, frozen=PROP2_FROZEN, factors={P2: 20.0}, distill2=1.0),
    # the distillation as a mean over cells (stable), weight 10
    "prop2x10d10-e6-lr0.005": dict(epochs=6, lr=0.005, frozen=PROP2_FROZEN, factors={P2: 10.0}, distill2=10.0),
    "prop2x10d10-e10-lr0.005": dict(epochs=10, lr=0.005, frozen=PROP2_FROZEN, factors={P2: 10.0}, distill2=10.0),
    "prop2x20d10-e6-lr0.005": dict(epochs=6, lr=0.005, frozen=PROP2_FROZEN, factors={P2: 20.0}, distill2=10.0),
    "prop2x10-e3-lr0.005": dict(epochs=3, lr=0.005, frozen=PROP2_FROZEN, factors={P2: 10.0}, distill2=1.0),
    "prop2x10d0-e6-lr0.005": dict(epochs=6, lr=0.005, frozen=PROP2_FROZEN, factors={P2: 10.0}, distill2=0.0),
    "p2only-x10-e6-lr0.005": dict(epochs=6, lr=0.005, frozen=PROP2_FROZEN + STAGE2, factors={P2: 10.0}, distill2=1.0),
    "prop2x10-s2x0.2-e6-lr0.005": dict(epochs=6, lr=0.005, frozen=PROP2_FROZEN, factors={P2: 10.0, "model.": 0.2},
                                       distill2=1.0),
    # the trainer's replay (lookout.trainer.replay-ratio 1.0, replay-max 200) beside the camera's frames:
    # the default schedule and the schedules it may call for, re-chosen with the forgetting it prevents
    "r1-prop2x10d10-e6-lr0.005": dict(epochs=6, lr=0.005, frozen=PROP2_FROZEN, factors={P2: 10.0}, distill2=10.0,
                                      replay=1.0),
    "r1-prop2x10d10-e10-lr0.005": dict(epochs=10, lr=0.005, frozen=PROP2_FROZEN, factors={P2: 10.0}, distill2=10.0,
                                       replay=1.0),
    "r1-prop2x10d10-e6-lr0.01": dict(epochs=6, lr=0.01, frozen=PROP2_FROZEN, factors={P2: 10.0}, distill2=10.0,
                                     replay=1.0),
    "r0.5-prop2x10d10-e6-lr0.005": dict(epochs=6, lr=0.005, frozen=PROP2_FROZEN, factors={P2: 10.0}, distill2=10.0,
                                        replay=0.5),
    # where the forgetting lives, and what holds it: more replay, a lower rate, one part trained
    "r2-prop2x10d10-e6-lr0.005": dict(epochs=6, lr=0.005, frozen=PROP2_FROZEN, factors={P2: 10.0}, distill2=10.0,
                                      replay=2.0),
    "r1-prop2x10d10-e6-lr0.002": dict(epochs=6, lr=0.002, frozen=PROP2_FROZEN, factors={P2: 10.0}, distill2=10.0,
                                      replay=1.0),
    "r1-p2only-x10d10-e6-lr0.005": dict(epochs=6, lr=0.005, frozen=PROP2_FROZEN + STAGE2, factors={P2: 10.0},
                                        distill2=10.0, replay=1.0),
    "r1-stage2-e6-lr0.005": dict(epochs=6, lr=0.005, frozen=STAGE2_FROZEN, distill2=10.0, replay=1.0),
    # the gradient clip (lookout.trainer.max-grad-norm; a 600-step retrain diverged without it): 20 is the default
    "r1-prop2x10d10-e6-lr0.005-clip10": dict(epochs=6, lr=0.005, frozen=PROP2_FROZEN, factors={P2: 10.0},
                                             distill2=10.0, replay=1.0, max_grad_norm=10.0),
    "r1-prop2x10d10-e6-lr0.005-clip20": dict(epochs=6, lr=0.005, frozen=PROP2_FROZEN, factors={P2: 10.0},
                                             distill2=10.0, replay=1.0, max_grad_norm=20.0),
}
REPLAY_MAX = 200


# ----------------------------------------------------------------------------- cameras

def _natural(s: str):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", s)]


def _lobby() -> List[Dict]:
    """person-mix frames of the lobby camera (`output_mp4`, `output1_mp4`), one per frame number
    (the export repeats frames), in clip and frame order."""
    seen: Dict[Tuple[str, int], Dict] = {}
    for split in ("person-mix/valid", "person-mix/test"):
        for s in ds.yolo_split(split):
            m = re.match(r"(output1?_mp4)-(\d+)_", os.path.basename(s["path"]))
            if m:
                seen.setdefault((m.group(1), int(m.group(2))), s)
    return [seen[k] for k in sorted(seen)]


def camera_parts(name: str) -> Tuple[List[Dict], List[Dict]]:
    """(labelled first part, later part) of a camera."""
    if name.startswith("fv-"):
        first, rest = camera_parts(name[3:])
        scale = FAR_MEDIAN_PX / float(np.median(np.concatenate([s["boxes"][:, 3] - s["boxes"][:, 1]
                                                                 for s in first + rest if len(s["boxes"])])))
        return far_mosaics(first, scale, f"{name}/a"), far_mosaics(rest, scale, f"{name}/b")
    if name == "tud-stadtmitte":
        return ds.mot_sequence("TUD-Stadtmitte", (1, 90)), ds.mot_sequence("TUD-Stadtmitte", (91, 179))
    if name == "tud-campus":
        return ds.mot_sequence("TUD-Campus", (1, 36)), ds.mot_sequence("TUD-Campus", (37, 71))
    if name == "usc-b":
        b = sorted(ds.usc_set("B"), key=lambda s: _natural(s["id"]))
        return b[: len(b) // 2], b[len(b) // 2:]
    if name == "lobby":
        b = _lobby()
        return b[: len(b) // 2], b[len(b) // 2:]
    raise ValueError(f"unknown camera {name!r}")


def far_mosaics(frames: List[Dict], scale: float, prefix: str, limit: int = 45) -> List[Dict]:
    """768x576 mosaics of one camera's frames at a fixed scale: a wide, elevated view of the same scene."""
    h0, w0 = ds.load_uint8(frames[0]["path"]).shape[1:]
    th, tw = max(1, int(round(h0 * scale))), max(1, int(round(w0 * scale)))
    rows, cols = min(4, CANVAS[0] // th), min(4, CANVAS[1] // tw)
    if rows < 1 or cols < 1:
        raise ValueError(f"frames of {w0}x{h0} at scale {scale:.2f} do not fit a {CANVAS[1]}x{CANVAS[0]} canvas")
    tiles, n = rows * cols, len(frames)
    gy, gx = (CANVAS[0] - rows * th) // 2, (CANVAS[1] - cols * tw) // 2
    cache: Dict[int, Tuple[torch.Tensor, np.ndarray]] = {}

    def tile(i: int):
        if i not in cache:
            s = frames[i]
            img = ds.load_uint8(s["path"])
            im = F.interpolate(img[None].float(), size=(th, tw), mode="bilinear", align_corners=False,
                               antialias=True)[0].round().clamp(0, 255).to(torch.uint8)
            b = s["boxes"] * np.array([tw / img.shape[2], th / img.shape[1]] * 2, dtype=np.float32)
            cache[i] = (im, b)
        return cache[i]

    out = []
    for m in range(min(n, limit)):
        canvas = torch.full((3,) + CANVAS, 114, dtype=torch.uint8)
        boxes, ignore = [], []
        for j in range(tiles):
            im, b = tile((m + j * n // tiles) % n)
            y0, x0 = gy + (j // cols) * th, gx + (j % cols) * tw
            canvas[:, y0:y0 + th, x0:x0 + tw] = im
            b = b + np.array([x0, y0, x0, y0], dtype=np.float32)
            small = (b[:, 3] - b[:, 1]) < FAR_MIN_H
            boxes.append(b[~small])
            ignore.append(b[small])
        out.append({"id": f"{prefix}/{m:03d}", "image": canvas, "boxes": np.concatenate(boxes, 0).reshape(-1, 4),
                    "ignore": np.concatenate(ignore, 0).reshape(-1, 4)})
    return out


def general_sets(camera: str) -> Dict[str, List[Dict]]:
    from .suite import far_view, load_set
    base = camera[3:] if camera.startswith("fv-") else camera
    own = {"usc-b": "uscB/", "tud-campus": "TUD-Campus/", "tud-stadtmitte": "TUD-Stadtmitte/"}.get(base, "\0")
    pm = ds.yolo_split("person-mix/test")
    lobby = re.compile(r"output1?_mp4-")
    sets = {
        "person-mix-test": [s for s in pm[::4] if not (base == "lobby" and lobby.search(s["path"]))],
        "coco-val": load_set("coco-val"),
        "usc-campus-held": [s for s in load_set("usc-campus-held") if not s["id"].startswith(own)],
        "far-view-general": far_view(40, seed=7, sources=[s for s in pm if not lobby.search(s["path"])]
                                     + ds.yolo_split("coco128/images/val2017")),
    }
    return sets


_REPLAY_POOL: List[Dict] = []


def replay_sample(camera: str, own: int, ratio: float, seed: int) -> List[Dict]:
    """The replay beside a camera's frames: `ratio` frames per own training frame (at most REPLAY_MAX), a
    seeded choice from the default model's own training images that are not a tuning camera's (person-mix
    valid/ less its near duplicates of the held-out sets, coco128 train2017). The trainer replays other
    cameras' labels instead; here those would be the general holdout's sets, so the model's training data
    stands in for them (never a general-holdout frame)."""
    if not _REPLAY_POOL:
        from .train import general_images
        mix, _, coco = general_images()
        _REPLAY_POOL.extend(mix + coco)
    lobby = re.compile(r"output1?_mp4-")
    pool = [s for s in _REPLAY_POOL if not (camera.endswith("lobby") and lobby.search(s["path"]))]
    n = min(REPLAY_MAX, round(ratio * own), len(pool))
    return random.Random(seed).sample(pool, n)


def trainer_split(samples: List[Dict], fraction: float = 0.2) -> List[Dict]:
    """The part the trainer trains on (its gate holds out a fraction by hash of the id: the trainer hold-out)."""
    return [s for s in samples if not ds.in_trainer_holdout(s["id"], fraction)]


# ----------------------------------------------------------------------------- the Java recipe, in Python

PAD = torch.tensor([124, 116, 104], dtype=torch.uint8).view(3, 1, 1)


def augment(img: torch.Tensor, boxes: np.ndarray, rng: random.Random, lo: float = 0.8, hi: float = 1.25,
            flip_p: float = 0.5) -> Tuple[torch.Tensor, np.ndarray]:
    """lookout.finetune.Augmenter: log-uniform scale, crop (s > 1) or pad (s < 1), then flip."""
    h, w = img.shape[1], img.shape[2]
    s = math.exp(math.log(lo) + rng.random() * (math.log(hi) - math.log(lo)))
    b = boxes.copy()
    if s > 1:
        cw, ch = max(8, round(w / s)), max(8, round(h / s))
        x0, y0 = rng.randint(0, w - cw), rng.randint(0, h - ch)
        c = np.stack([np.maximum(b[:, 0], x0) - x0, np.maximum(b[:, 1], y0) - y0,
                      np.minimum(b[:, 2], x0 + cw) - x0, np.minimum(b[:, 3], y0 + ch) - y0], 1).reshape(-1, 4)
        cwid, chei = c[:, 2] - c[:, 0], c[:, 3] - c[:, 1]
        area = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
        keep = (cwid >= 2) & (chei >= 2) & (cwid * chei >= 0.5 * area)
        if keep.any() or len(b) == 0:
            img, b = img[:, y0:y0 + ch, x0:x0 + cw], c[keep]
    elif s < 1:
        cw, ch = round(w / s), round(h / s)
        x0, y0 = rng.randint(0, cw - w), rng.randint(0, ch - h)
        canvas = PAD.expand(3, ch, cw).clone()
        canvas[:, y0:y0 + h, x0:x0 + w] = img
        img, b = canvas, b + np.array([x0, y0, x0, y0], dtype=np.float32)
    if flip_p > 0 and rng.random() < flip_p:
        w = img.shape[2]
        img = img.flip(-1)
        b = np.stack([w - b[:, 2], b[:, 1], w - b[:, 0], b[:, 3]], 1).reshape(-1, 4)
    return img, b.astype(np.float32)


def lr_at(step: int, base: float, warmup: int, total: int) -> float:
    """lookout.finetune.LearningRateSchedule (cosine)."""
    if step < warmup:
        return base * (0.1 + 0.9 * (step + 1) / warmup)
    t = min(1.0, (step - warmup) / max(1, total - warmup))
    return base * (0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * t)))


def finetune(model_pt: str, samples: List[Dict], cfg: Dict, seed: int = 42, log=sys.stderr):
    """Fine-tunes the artifact's TorchScript module as the Java trainer does; returns it in eval mode."""
    m = torch.jit.load(model_pt, map_location="cpu")
    rpn = m.model.rpn
    if "distill2" in cfg:
        rpn.distill2 = float(cfg["distill2"])
    if "merge" in cfg:
        rpn.merge = cfg["merge"]
    m.train()
    frozen, factors = cfg.get("frozen", PROP2_FROZEN), cfg.get("factors", {})
    groups: Dict[float, List[torch.nn.Parameter]] = {}
    for n, p in m.named_parameters():
        if any(n.startswith(f) for f in frozen):
            p.requires_grad_(False)
            continue
        p.requires_grad_(True)
        f = max(((len(k), v) for k, v in factors.items() if n.startswith(k)), default=(0, 1.0))[1]
        groups.setdefault(f, []).append(p)
    opt = torch.optim.SGD([{"params": ps, "factor": f} for f, ps in groups.items()], lr=cfg["lr"], momentum=0.9,
                          weight_decay=1e-4)
    rng = random.Random(seed)
    torch.manual_seed(seed)
    batch = cfg.get("batch", 2)
    spe = (len(samples) + batch - 1) // batch
    total = spe * cfg["epochs"]
    warmup = min(cfg.get("warmup", 50), total // 3)
    images = [ds.load_uint8(s["path"]) if "image" not in s else s["image"] for s in samples]
    step, t0 = 0, time.time()
    for epoch in range(cfg["epochs"]):
        order = list(range(len(samples)))
        rng.shuffle(order)
        sums: Dict[str, float] = {}
        for b in range(spe):
            idx = order[b * batch:(b + 1) * batch]
            imgs, bxs, lbs = [], [], []
            for i in idx:
                im, bx = augment(images[i], samples[i]["boxes"], rng)
                imgs.append(im.float().div(255.0))
                bxs.append(torch.from_numpy(bx))
                lbs.append(torch.ones(len(bx), dtype=torch.int64))
            lr = lr_at(step, cfg["lr"], warmup, total)
            for g in opt.param_groups:
                g["lr"] = lr * g["factor"]
            losses = m.losses(imgs, bxs, lbs)
            loss = sum(losses.values())
            opt.zero_grad()
            loss.backward()
            if cfg.get("max_grad_norm"):  # as the Java FineTuner's lookout.trainer.max-grad-norm
                torch.nn.utils.clip_grad_norm_([p for ps in groups.values() for p in ps], cfg["max_grad_norm"])
            opt.step()
            for k, v in losses.items():
                sums[k] = sums.get(k, 0.0) + float(v)
            step += 1
        print(f"  epoch {epoch + 1}/{cfg['epochs']}: " + " ".join(f"{k} {v / spe:.3f}" for k, v in sums.items())
              + f" ({time.time() - t0:.0f} s)", file=log, flush=True)
    m.eval()
    return m, time.time() - t0


def score(model, sets: Dict[str, List[Dict]]) -> Dict[str, Dict[str, float]]:
    out = {}
    for k, samples in sets.items():
        d, g, ign, _ = predict(model, samples)
        out[k] = {kk: round(v, 4) for kk, v in coco_ap(d, g, ign).items()}
    return out


def report(paths: List[str]) -> str:
    """A markdown table of result files: AP50 after - before per camera and config (AP in brackets),
    the general holdout's largest AP50 drop where measured."""
    rows: Dict[str, Dict[str, str]] = {}
    cams: List[str] = []
    for path in paths:
        for line in open(path):
            r = json.loads(line)
            tag = os.path.basename(path).split(".")[0] + ":" + r["config"]
            if r["camera"] not in cams:
                cams.append(r["camera"])
            d50 = r["after"]["ap50"] - r["before"]["ap50"]
            d = r["after"]["ap"] - r["before"]["ap"]
            cell = f"{d50:+.3f} ({d:+.3f})"
            if "generalDrop" in r:
                cell += f"; general -{max(r['generalDrop'].values()):.3f}"
            rows.setdefault(tag, {})[r["camera"]] = cell
    before = {}
    for path in paths:
        for line in open(path):
            r = json.loads(line)
            before[r["camera"]] = f"{r['before']['ap50']:.3f} ({r['before']['ap']:.3f})"
    out = ["| run:config | " + " | ".join(cams) + " |", "|---|" + "---|" * len(cams),
           "| before: AP50 (AP) | " + " | ".join(before.get(c, "") for c in cams) + " |"]
    for tag, cells in rows.items():
        out.append(f"| {tag} | " + " | ".join(cells.get(c, "") for c in cams) + " |")
    return "\n".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="lookout_model.adapt", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--report", nargs="+", metavar="RESULTS", help="print a markdown table of result files, and stop")
    ap.add_argument("--model", help="artifact dir (model.pt)")
    ap.add_argument("--cameras")
    ap.add_argument("--configs", help=f"comma-separated: {', '.join(CONFIGS)}")
    ap.add_argument("--out", help="results, one JSON line per camera and config")
    ap.add_argument("--time-budget-min", type=float, default=0.0, help="stop starting new runs after this")
    ap.add_argument("--no-general", action="store_true", help="score the camera only")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args(argv)
    if a.report:
        print(report(a.report))
        return
    if not (a.model and a.cameras and a.configs and a.out):
        ap.error("--model, --cameras, --configs and --out are required (or --report)")
    torch.set_num_threads(a.threads)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    done = set()
    if os.path.exists(a.out):
        for line in open(a.out):
            r = json.loads(line)
            done.add((r["camera"], r["config"]))
    cache_path = a.out + ".before.json"
    before = json.load(open(cache_path)) if os.path.exists(cache_path) else {}
    model_pt = os.path.join(a.model, "model.pt")
    t_start = time.time()
    parts: Dict[str, Tuple[List[Dict], List[Dict], Dict]] = {}
    for name in a.configs.split(","):
        for cam in a.cameras.split(","):
            if (cam, name) in done:
                continue
            if a.time_budget_min and time.time() - t_start > a.time_budget_min * 60:
                print("time budget spent", file=sys.stderr)
                return
            if cam not in parts:
                first, rest = camera_parts(cam)
                parts[cam] = (trainer_split(first), rest, {} if a.no_general else general_sets(cam))
            train, rest, general = parts[cam]
            if cam not in before or (general and "general" not in before[cam]):
                base = torch.jit.load(model_pt, map_location="cpu").eval()
                before[cam] = {"camera": score(base, {"rest": rest})["rest"]}
                if general:
                    before[cam]["general"] = score(base, general)
                json.dump(before, open(cache_path, "w"), indent=1)
            cfg = CONFIGS[name]
            print(f"{cam} {name}: {len(train)} training images, {len(rest)} later frames", file=sys.stderr, flush=True)
            replay = replay_sample(cam, len(train), cfg["replay"], a.seed) if cfg.get("replay") else []
            m, secs = finetune(model_pt, train + replay, cfg, a.seed)
            rec = {"camera": cam, "config": name, "cfg": cfg, "train": len(train), "replay": len(replay), "rest": len(rest),
                   "trainSeconds": round(secs), "before": before[cam]["camera"]}
            rec["after"] = score(m, {"rest": rest})["rest"]
            if general:
                rec["generalBefore"] = before[cam]["general"]
                rec["generalAfter"] = score(m, general)
                rec["generalDrop"] = {k: round(rec["generalBefore"][k]["ap50"] - rec["generalAfter"][k]["ap50"], 4)
                                      for k in general}
            print(json.dumps(rec), flush=True)
            with open(a.out, "a") as f:
                f.write(json.dumps(rec) + "\n")
            done.add((cam, name))


if __name__ == "__main__":
    main()
