"""What the Java side checks itself against, on the same files (its parity tests: lookout.dataset
DatasetParityTest, lookout.eval EvaluatorParityTest, lookout.labels HoldoutParityTest). Each mode
prints one JSON value on its last line:

  scripts/py -m lookout_model.parity boxes mot|usc|yolo PATH [--class person]
      {"<real path of each image>": [[x1, y1, x2, y2], ...]} as this toolchain's readers read PATH
  scripts/py -m lookout_model.parity ap FILE
      {"ap50", "ap75", "ap"} of evaluate.coco_ap on FILE = {"gts": [[[x1,y1,x2,y2], ...] per image],
      "dets": [{"boxes": [[...]], "scores": [...]} per image]}
  scripts/py -m lookout_model.parity trainer-holdout FRACTION FILE
      [true, false, ...]: datasets.in_trainer_holdout of each id in FILE (a JSON list of sample ids)
"""
import argparse
import json
import os
import sys
from typing import Dict, List

import numpy as np

from . import datasets as ds
from .evaluate import coco_ap


def read_boxes(fmt: str, path: str, class_name: str = "person") -> Dict[str, List[List[float]]]:
    path = os.path.abspath(path)
    parent, name = os.path.dirname(path), os.path.basename(path)
    if fmt == "mot":  # mot_sequence reads ROOT/tud/NAME
        if os.path.basename(parent) != "tud":
            raise SystemExit(f"{path}: the toolchain reads MOT sequences as <data>/tud/<name>")
        samples = ds.mot_sequence(name, None, os.path.dirname(parent))
    elif fmt == "usc":  # usc_set reads ROOT/usc-pedestrian/USCPedestrianSet<X>
        if not name.startswith("USCPedestrianSet") or os.path.basename(parent) != "usc-pedestrian":
            raise SystemExit(f"{path}: the toolchain reads USC sets as <data>/usc-pedestrian/USCPedestrianSet<X>")
        samples = ds.usc_set(name[len("USCPedestrianSet"):], os.path.dirname(parent))
    elif fmt == "yolo":
        samples = ds.yolo_split(path, class_name)
    else:
        raise SystemExit(f"unknown format {fmt}: mot, usc or yolo")
    return {os.path.realpath(s["path"]): np.asarray(s["boxes"], dtype=np.float32).reshape(-1, 4).tolist()
            for s in samples}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="mode", required=True)
    b = sub.add_parser("boxes")
    b.add_argument("format")
    b.add_argument("path")
    b.add_argument("--class", dest="class_name", default="person")
    e = sub.add_parser("ap")
    e.add_argument("file")
    h = sub.add_parser("trainer-holdout")
    h.add_argument("fraction", type=float)
    h.add_argument("file")
    a = ap.parse_args(argv)
    if a.mode == "boxes":
        out = read_boxes(a.format, a.path, a.class_name)
    elif a.mode == "ap":
        with open(a.file) as f:
            data = json.load(f)
        gts = [np.asarray(g, dtype=np.float32).reshape(-1, 4) for g in data["gts"]]
        dets = [{"boxes": np.asarray(d["boxes"], dtype=np.float32).reshape(-1, 4),
                 "scores": np.asarray(d["scores"], dtype=np.float32)} for d in data["dets"]]
        out = coco_ap(dets, gts)
    else:
        with open(a.file) as f:
            out = [ds.in_trainer_holdout(i, a.fraction) for i in json.load(f)]
    sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
