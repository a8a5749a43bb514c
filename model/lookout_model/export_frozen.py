"""A frozen, inference-only copy of a TorchScript artifact (torch.jit.freeze + optimize_for_inference),
for timing it against the artifact as it is.

  scripts/py -m lookout_model.export_frozen --model models/default --out build/frozen/default [--no-optimize]

Freezing folds the parameters into the graph as constants, so the copy has no `losses` method and
cannot be fine-tuned: it could only ever serve beside the trainable artifact. The output directory
gets model.pt and the artifact's model.json with the new file's sha256 (so Lookout's loader accepts
it) and a `frozen` note; the script prints the copy's parity with the original on one frame.
"""
import argparse
import json
import os
import sys

import torch

from .export import sha256_file


def main(argv=None):
    ap = argparse.ArgumentParser(prog="lookout_model.export_frozen", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="models/default")
    ap.add_argument("--out", default="build/frozen/default")
    ap.add_argument("--no-optimize", dest="optimize", action="store_false",
                    help="freeze only (no optimize_for_inference: conv/batch-norm folding, MKLDNN layouts)")
    ap.add_argument("--frame", help="a JPEG to check parity on (default: a random frame, which may find no one)")
    a = ap.parse_args(argv)
    torch.set_num_threads(2)
    m = torch.jit.load(os.path.join(a.model, "model.pt"), map_location="cpu").eval()
    frozen = torch.jit.freeze(m)
    if a.optimize:
        frozen = torch.jit.optimize_for_inference(frozen)
    torch.manual_seed(0)
    frame = torch.rand(3, 576, 768)
    if a.frame:
        from PIL import Image
        img = Image.open(a.frame).convert("RGB")
        frame = torch.frombuffer(bytearray(img.tobytes()), dtype=torch.uint8).view(img.height, img.width, 3) \
            .permute(2, 0, 1).float().div(255.0)
    with torch.no_grad():
        ref = m([frame])
        out = frozen([frame])
    same = len(ref[1][0]) == len(out[1][0])
    diff = (ref[1][0] - out[1][0]).abs().max().item() if same and len(ref[1][0]) else 0.0
    print(f"export_frozen: {len(ref[1][0])} vs {len(out[1][0])} detections, max score difference {diff:.2e}",
          file=sys.stderr)
    os.makedirs(a.out, exist_ok=True)
    pt = os.path.join(a.out, "model.pt")
    frozen.save(pt)
    meta = json.load(open(os.path.join(a.model, "model.json")))
    meta["sha256"] = sha256_file(pt)
    meta["methods"] = ["forward"]
    meta["frozen"] = {"optimizeForInference": a.optimize, "source": os.path.abspath(a.model)}
    write_meta(a.out, meta)
    print(f"export_frozen: wrote {pt}", file=sys.stderr)


def write_meta(out: str, meta: dict) -> None:
    """A derived copy's model.json (the artifact's, with what the copy changed)."""
    with open(os.path.join(out, "model.json"), "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
