"""Loaders for the real pedestrian data in ../shared/data (never copied into the repo).

* USC Pedestrian sets A, B (``<name>.gt.xml`` beside each ``.bmp``) and C
  (``PedestrianMultiViewTestSet/GT/<name>.gt.xml``); greyscale BMPs are replicated to RGB.
* MOTChallenge sequences (``img1/000001.jpg``, ``gt/gt.txt``: frame,id,left,top,w,h,flag,...,
  1-based frames), with an optional inclusive frame range.
* YOLO / Ultralytics exports (``images/X.jpg`` + ``labels/X.txt`` lines ``class cx cy w h``
  normalised), the class map from the export's ``data.yaml`` / ``config.yaml``.

A sample is a dict: id (stable string), path, boxes (float32 [K,4] x1,y1,x2,y2 pixels); samples
built in memory (suite mosaics) carry ``image`` (uint8 CHW) instead of a path.
"""
import glob
import hashlib
import os
import xml.etree.ElementTree as ET
from typing import Dict, List, Optional, Tuple

import numpy as np
import torch
from PIL import Image

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# One name for the data directory everywhere (Java: lookout.data.dir, env LOOKOUT_DATA_DIR)
DATA_ENV = "LOOKOUT_DATA_DIR"


def data_root() -> str:
    """$LOOKOUT_DATA_DIR, else ../shared/data beside the repository."""
    cand = os.environ.get(DATA_ENV) or os.path.join(REPO, "..", "shared", "data")
    if os.path.isdir(cand):
        return os.path.abspath(cand)
    raise FileNotFoundError(f"pedestrian data not found at {cand}: set {DATA_ENV}")


def _read_usc_xml(path: str) -> np.ndarray:
    root = ET.parse(path).getroot()
    out = []
    for rect in root.iter("Rect"):
        x, y = float(rect.get("x")), float(rect.get("y"))
        w, h = float(rect.get("width")), float(rect.get("height"))
        if w > 1 and h > 1:
            out.append([x, y, x + w, y + h])
    return np.asarray(out, dtype=np.float32).reshape(-1, 4)


def _find_image(folder: str, stem: str) -> Optional[str]:
    for ext in (".bmp", ".BMP", ".jpg", ".png"):
        p = os.path.join(folder, stem + ext)
        if os.path.exists(p):
            return p
    return None


def usc_set(name: str, root: Optional[str] = None) -> List[Dict]:
    """name: 'A', 'B' or 'C'."""
    base = os.path.join(root or data_root(), "usc-pedestrian", f"USCPedestrianSet{name}")
    if name == "C":
        img_dir = os.path.join(base, "PedestrianMultiViewTestSet")
        gt_dir = os.path.join(img_dir, "GT")
    else:
        img_dir = gt_dir = base
    out = []
    for xml in sorted(glob.glob(os.path.join(gt_dir, "*.gt.xml"))):
        stem = os.path.basename(xml)[: -len(".gt.xml")]
        img = _find_image(img_dir, stem)
        if img is None:
            continue
        out.append({"id": f"usc{name}/{stem}", "path": img, "boxes": _read_usc_xml(xml)})
    return out


def mot_sequence(name: str, frames: Optional[Tuple[int, int]] = None, root: Optional[str] = None) -> List[Dict]:
    """MOTChallenge layout; frames = (first, last), 1-based inclusive."""
    base = os.path.join(root or data_root(), "tud", name)
    boxes: Dict[int, List[List[float]]] = {}
    with open(os.path.join(base, "gt", "gt.txt")) as f:
        for line in f:
            p = line.strip().split(",")
            if len(p) < 6:
                continue
            fr = int(float(p[0]))
            flag = int(float(p[6])) if len(p) > 6 else 1
            if flag == 0:
                continue
            l, t, w, h = (float(v) for v in p[2:6])
            boxes.setdefault(fr, []).append([l, t, l + w, t + h])
    out = []
    for img in sorted(glob.glob(os.path.join(base, "img1", "*.jpg"))):
        fr = int(os.path.splitext(os.path.basename(img))[0])
        if frames and not (frames[0] <= fr <= frames[1]):
            continue
        b = np.asarray(boxes.get(fr, []), dtype=np.float32).reshape(-1, 4)
        out.append({"id": f"{name}/{fr:06d}", "path": img, "boxes": b})
    return out


IMAGE_EXTS = (".jpg", ".jpeg", ".png", ".bmp")


def yolo_class_names(folder: str) -> List[str]:
    """Class names of a YOLO export: the first data.yaml / config.yaml / *.yaml found in the folder
    or up to three levels above it; `names` as a list or as an {index: name} map."""
    import yaml
    d = os.path.abspath(folder)
    for _ in range(4):
        cands = [os.path.join(d, n) for n in ("data.yaml", "config.yaml")] + sorted(glob.glob(os.path.join(d, "*.yaml")))
        for c in cands:
            if os.path.isfile(c):
                with open(c) as f:
                    y = yaml.safe_load(f) or {}
                names = y.get("names")
                if isinstance(names, dict):
                    return [str(names[k]) for k in sorted(names, key=int)]
                if isinstance(names, list):
                    return [str(n) for n in names]
        d = os.path.dirname(d)
    raise FileNotFoundError(f"no data.yaml/config.yaml with `names` at or above {folder}")


def yolo_dirs(path: str) -> Tuple[str, str]:
    """(images dir, labels dir) of a YOLO split: DIR/images + DIR/labels, or an .../images/SPLIT
    folder whose labels are at .../labels/SPLIT (the Ultralytics rule)."""
    if os.path.isdir(os.path.join(path, "images")):
        return os.path.join(path, "images"), os.path.join(path, "labels")
    parts = os.path.normpath(path).split(os.sep)
    if "images" in parts:
        i = len(parts) - 1 - parts[::-1].index("images")
        return path, os.sep.join(parts[:i] + ["labels"] + parts[i + 1:])
    raise FileNotFoundError(f"{path}: neither DIR/images nor an .../images/SPLIT folder")


def yolo_split(path: str, class_name: str = "person", root: Optional[str] = None) -> List[Dict]:
    """A YOLO split (absolute, or relative to the data root), boxes of one class; images without
    that class stay in as negatives. Ids are '<split path>/<file stem>'."""
    full = path if os.path.isabs(path) else os.path.join(root or data_root(), path)
    img_dir, lbl_dir = yolo_dirs(full)
    names = yolo_class_names(img_dir)
    if class_name not in names:
        raise ValueError(f"class {class_name!r} not in {names[:10]}{'...' if len(names) > 10 else ''}")
    cls = names.index(class_name)
    out = []
    for img in sorted(os.listdir(img_dir)):
        stem, ext = os.path.splitext(img)
        if ext.lower() not in IMAGE_EXTS:
            continue
        ip = os.path.join(img_dir, img)
        w, h = Image.open(ip).size
        boxes = []
        lp = os.path.join(lbl_dir, stem + ".txt")
        if os.path.exists(lp):
            with open(lp) as f:
                for line in f:
                    p = line.split()
                    if len(p) < 5 or int(float(p[0])) != cls:
                        continue
                    cx, cy, bw, bh = (float(v) for v in p[1:5])
                    x1, y1 = max(0.0, (cx - bw / 2) * w), max(0.0, (cy - bh / 2) * h)
                    x2, y2 = min(float(w), (cx + bw / 2) * w), min(float(h), (cy + bh / 2) * h)
                    if x2 - x1 > 1 and y2 - y1 > 1:
                        boxes.append([x1, y1, x2, y2])
        out.append({"id": f"{path}/{stem}", "path": ip, "boxes": np.asarray(boxes, dtype=np.float32).reshape(-1, 4)})
    return out


def parse_frames(s: Optional[str]) -> Optional[Tuple[int, int]]:
    if not s:
        return None
    a, b = s.split("-")
    return int(a), int(b)


def load_image(path) -> torch.Tensor:
    """float32 CHW RGB in [0,1] (greyscale replicated to 3 channels); a sample dict works too."""
    if isinstance(path, dict):
        if "image" in path:
            return path["image"].float().div(255.0)
        path = path["path"]
    img = Image.open(path).convert("RGB")
    return torch.from_numpy(np.asarray(img, dtype=np.float32) / 255.0).permute(2, 0, 1).contiguous()


def load_uint8(path: str) -> torch.Tensor:
    img = Image.open(path).convert("RGB")
    return torch.from_numpy(np.array(img, dtype=np.uint8)).permute(2, 0, 1).contiguous()


# Two hold-out rules with two jobs, kept apart by name (model/README.md, "Two hold-outs"):
# - the POOL hold-out (in_pool_holdout, pool_split): which USC / TUD-Campus frames the default model never
#   trained on (the suite's usc-campus-held set). Changing it would change the committed default model's
#   training data, so it stays as it was when that model was trained: sha1(id) mod 100 < percent.
# - the TRAINER hold-out (in_trainer_holdout): the Java trainer's gate (lookout.labels.HoldoutSplit), mirrored
#   here for tools that must train on what the trainer would (adapt.py); HoldoutParityTest keeps them equal.


def in_pool_holdout(sample_id: str, percent: int = 10) -> bool:
    """The pool hold-out (the default model's training pool): sha1(id) mod 100 < percent."""
    return int(hashlib.sha1(sample_id.encode()).hexdigest(), 16) % 100 < percent


def trainer_bucket(sample_id: str) -> float:
    """lookout.labels.HoldoutSplit.bucket: the first 7 bytes of sha256(id) as a number in [0, 1)."""
    return int.from_bytes(hashlib.sha256(sample_id.encode()).digest()[:7], "big") / float(1 << 56)


def in_trainer_holdout(sample_id: str, fraction: float = 0.2) -> bool:
    """The trainer hold-out (lookout.trainer.holdout-fraction): Java's HoldoutSplit.isHoldout."""
    return trainer_bucket(sample_id) < fraction


def default_pool(root: Optional[str] = None) -> List[Dict]:
    """USC A+B+C and TUD-Campus (TUD-Stadtmitte is kept out: it is the 'camera's own footage')."""
    return usc_set("A", root) + usc_set("B", root) + usc_set("C", root) + mot_sequence("TUD-Campus", None, root)


def pool_split(samples: List[Dict], percent: int = 10):
    """(train, held) by the pool hold-out."""
    train = [s for s in samples if not in_pool_holdout(s["id"], percent)]
    held = [s for s in samples if in_pool_holdout(s["id"], percent)]
    return train, held


def fingerprint(samples: List[Dict]) -> str:
    """sha256 over the sorted sample ids, image bytes and boxes."""
    h = hashlib.sha256()
    for s in sorted(samples, key=lambda s: s["id"]):
        h.update(s["id"].encode())
        with open(s["path"], "rb") as f:
            h.update(hashlib.sha256(f.read()).digest())
        h.update(np.round(s["boxes"], 2).astype(np.float32).tobytes())
    return h.hexdigest()
