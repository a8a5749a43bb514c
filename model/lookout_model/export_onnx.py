"""Export a Lookout TorchScript artifact (centernet_rcnn) as ONNX, for DJL's ONNX Runtime engine.

  scripts/py -m lookout_model.export_onnx --model models/default --out build/onnx/default
      [--height 576 --width 768] [--opset 13] [--frame JPEG]

The artifact's weights are loaded into the eager model (same module tree), with torchvision's native
nms and roi_align (they have ONNX symbolics: NonMaxSuppression, RoiAlign) instead of the pure-aten
versions the TorchScript needs for DJL's libtorch. The graph is traced on one frame; height and
width are declared dynamic, but the tracer freezes some sizes as constants (TF "SAME" padding, the
clip to the image, k = min(k, cells)): the graph is only right for frames of the traced size.
The output directory gets model.onnx and the artifact's model.json; the script prints the eager
model's parity with the TorchScript. The ONNX graph's parity is checked from Java, where it runs
(lookout.bench.EngineBench): Debian has no Python onnxruntime.
"""
import argparse
import json
import os
import sys

import torch
import torchvision.models.detection.roi_heads as tv_roi_heads
import torchvision.ops.boxes as tv_boxes
import torchvision.ops.poolers as tv_poolers

# torchvision's own ops, saved before lookout_model patches them for TorchScript/libtorch
NATIVE = (tv_boxes.nms, tv_poolers.roi_align, tv_roi_heads.roi_align)

from .export_frozen import write_meta  # noqa: E402
from .two_stage import build_centernet_rcnn  # noqa: E402  (patches torchvision)


def native_ops() -> None:
    tv_boxes.nms, tv_poolers.roi_align, tv_roi_heads.roi_align = NATIVE


class Single(torch.nn.Module):
    """One image [3,H,W] float in [0,1] -> boxes [N,4], scores [N], labels [N]: ONNX takes tensors, not lists."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, image):
        d = self.model([image])[0]  # eager, eval mode: the detections alone
        return d["boxes"], d["scores"], d["labels"]


def eager_from_artifact(model_dir: str):
    scripted = torch.jit.load(os.path.join(model_dir, "model.pt"), map_location="cpu")
    meta = json.load(open(os.path.join(model_dir, "model.json")))
    if meta.get("arch", "centernet_rcnn") != "centernet_rcnn":
        raise SystemExit(f"export_onnx: only centernet_rcnn artifacts, got {meta.get('arch')}")
    sd = {k[len("model."):]: v for k, v in scripted.state_dict().items() if k.startswith("model.")}
    inner = scripted.model
    model = build_centernet_rcnn(None, random=True, min_size=int(meta["minSize"]), max_size=int(meta["maxSize"]),
                                 top_n_test=int(inner.rpn.top_n_test), box_score_thresh=float(inner.roi_heads.score_thresh),
                                 box_nms_thresh=float(inner.roi_heads.nms_thresh),
                                 box_detections_per_img=int(inner.roi_heads.detections_per_img),
                                 second_proposals=any(k.startswith("backbone.prop2_") for k in sd))
    model.backbone.features.keep_person_only()
    missing, unexpected = model.load_state_dict(sd, strict=False)
    if missing or unexpected:
        raise SystemExit(f"export_onnx: weights do not fit the eager model: missing {missing}, unexpected {unexpected}")
    return scripted.eval(), model.eval(), meta


def main(argv=None):
    ap = argparse.ArgumentParser(prog="lookout_model.export_onnx", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="models/default")
    ap.add_argument("--out", default="build/onnx/default")
    ap.add_argument("--height", type=int, default=576)
    ap.add_argument("--width", type=int, default=768)
    # 13, not 16: torchvision 0.14 exports roi_align(aligned=False) with its opset-11 symbolic, which
    # leaves out RoiAlign's coordinate_transformation_mode; from opset 16 that attribute defaults to
    # half_pixel (aligned=True), shifting every pooled cell by half a pixel. Below 16 the op means
    # what torchvision computes (measured: boxes ~8 px off at opset 16, ~1 px at 13).
    ap.add_argument("--opset", type=int, default=13)
    ap.add_argument("--frame", help="a JPEG to trace on and check parity with (default: a random frame)")
    a = ap.parse_args(argv)
    torch.set_num_threads(2)
    scripted, model, meta = eager_from_artifact(a.model)
    torch.manual_seed(0)
    frame = torch.rand(3, a.height, a.width)
    if a.frame:
        from PIL import Image
        img = Image.open(a.frame).convert("RGB").resize((a.width, a.height))
        frame = torch.frombuffer(bytearray(img.tobytes()), dtype=torch.uint8).view(a.height, a.width, 3) \
            .permute(2, 0, 1).float().div(255.0)
    with torch.no_grad():
        ref = scripted([frame])
        mine = model([frame])[0]
    n = len(ref[1][0])
    same = n == len(mine["scores"])
    diff = (ref[1][0] - mine["scores"]).abs().max().item() if same and n else 0.0
    print(f"eager vs TorchScript: {n} vs {len(mine['scores'])} detections, max score difference {diff:.2e}",
          file=sys.stderr)
    native_ops()
    os.makedirs(a.out, exist_ok=True)
    path = os.path.join(a.out, "model.onnx")
    with torch.no_grad():
        torch.onnx.export(Single(model), (frame,), path, opset_version=a.opset, input_names=["image"],
                          output_names=["boxes", "scores", "labels"],
                          dynamic_axes={"image": {1: "height", 2: "width"}, "boxes": {0: "n"}, "scores": {0: "n"},
                                        "labels": {0: "n"}})
    out_meta = dict(meta)
    out_meta["onnx"] = {"opset": a.opset, "tracedOn": [a.height, a.width], "source": os.path.abspath(a.model)}
    write_meta(a.out, out_meta)
    print(f"export_onnx: wrote {path} ({os.path.getsize(path) / 1e6:.1f} MB)", file=sys.stderr)


if __name__ == "__main__":
    main()
