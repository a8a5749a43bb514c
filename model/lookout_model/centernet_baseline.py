"""The bar to beat: the original CenterNet (TF.js, run in Node) keeping only its person class,
evaluated with our AP evaluator.

  scripts/py -m lookout_model.centernet_baseline --dataset tud:TUD-Stadtmitte --frames 91-179
"""
import argparse
import json

import numpy as np
from PIL import Image

from .evaluate import coco_ap, dataset_from_spec
from .tfjs_parity import DEFAULT_NODE_MODULES, run_tfjs, tfjs_available

SIZE = 512  # the graph's native input (the human library resizes frames to 512x512)


def main(argv=None):
    from .export import DEFAULT_CENTERNET
    ap = argparse.ArgumentParser(prog="lookout_model.centernet_baseline", description=__doc__)
    ap.add_argument("--centernet", default=DEFAULT_CENTERNET)
    ap.add_argument("--node-modules", default=DEFAULT_NODE_MODULES)
    ap.add_argument("--dataset", default="tud:TUD-Stadtmitte")
    ap.add_argument("--frames", default="91-179")
    a = ap.parse_args(argv)
    why = tfjs_available(a.node_modules, a.centernet)
    if why:
        raise SystemExit("cannot run: " + why)
    samples = dataset_from_spec(a.dataset, a.frames)
    xs, scales = [], []
    for s in samples:
        img = Image.open(s["path"]).convert("RGB")
        scales.append((img.width / SIZE, img.height / SIZE))
        xs.append(np.asarray(img.resize((SIZE, SIZE), Image.BILINEAR), dtype=np.float32))
    out = run_tfjs(a.node_modules, a.centernet, np.stack(xs), ["tower_0/detections"],
                   timeout=3600)["tower_0/detections"]
    dets, gts = [], []
    for s, d, (sx, sy) in zip(samples, out, scales):
        p = d[d[:, 5] == 0]  # COCO class 0 = person
        b = p[:, :4] * np.array([sx, sy, sx, sy], dtype=np.float32)
        dets.append({"boxes": b, "scores": p[:, 4]})
        gts.append(s["boxes"])
    res = coco_ap(dets, gts)
    res.update(images=len(samples), model="CenterNet MobileNetV3 (TF.js original), person class, 512x512")
    print(json.dumps(res))


if __name__ == "__main__":
    main()
