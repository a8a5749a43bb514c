"""Pure-aten TorchScript replacements for torchvision's C++ ops (nms, roi_align).

DJL's libtorch has no ``torchvision::`` operators, so every detection model must be
scripted with these instead. ``patch_torchvision()`` swaps the three module globals
that scripted Faster R-CNN code resolves; call it before ``torch.jit.script``.
"""
import math
from typing import List

import torch
from torch import Tensor
from torch.jit.annotations import BroadcastingList2


def nms(boxes: Tensor, scores: Tensor, iou_threshold: float) -> Tensor:
    """Exact greedy NMS (same result as torchvision.ops.nms).

    IoU matrix of the score-sorted boxes, then a fixed-point iteration of
    keep[i] = not any(keep[j] and iou[j, i] > thr for j < i); the iteration is exact
    after at most n rounds (element i only depends on earlier ones) and usually
    converges in a handful.
    """
    n = boxes.size(0)
    if n == 0:
        return torch.empty((0,), dtype=torch.int64, device=boxes.device)
    order = torch.sort(scores, descending=True)[1]
    b = boxes[order]
    x1 = b[:, 0]
    y1 = b[:, 1]
    x2 = b[:, 2]
    y2 = b[:, 3]
    area = (x2 - x1) * (y2 - y1)
    xx1 = torch.maximum(x1[:, None], x1[None, :])
    yy1 = torch.maximum(y1[:, None], y1[None, :])
    xx2 = torch.minimum(x2[:, None], x2[None, :])
    yy2 = torch.minimum(y2[:, None], y2[None, :])
    w = (xx2 - xx1).clamp(min=0.0)
    h = (yy2 - yy1).clamp(min=0.0)
    inter = w * h
    iou = inter / (area[:, None] + area[None, :] - inter)
    # sup[j, i] = 1 when j (earlier, higher score) would suppress i
    sup = torch.triu((iou > iou_threshold), diagonal=1).to(torch.float32)
    keep = torch.ones(n, dtype=torch.float32, device=boxes.device)
    for _ in range(n + 1):
        suppressed = torch.matmul(keep, sup) > 0.0
        new_keep = (~suppressed).to(torch.float32)
        if bool(torch.equal(new_keep, keep)):
            break
        keep = new_keep
    return order[keep > 0.0]


def roi_align(
    input: Tensor,
    boxes: Tensor,
    output_size: BroadcastingList2[int],
    spatial_scale: float = 1.0,
    sampling_ratio: int = -1,
    aligned: bool = False,
) -> Tensor:
    """RoIAlign with torchvision's semantics (boxes: Tensor[K, 5] = batch index, x1, y1, x2, y2).

    Bilinear samples are gathered as a weighted ``embedding_bag`` over the channels-last
    feature map, so values and gradients w.r.t. ``input`` come from plain aten ops.
    Supports both a fixed ``sampling_ratio`` > 0 and the adaptive (<= 0) grid.
    """
    ph = int(output_size[0])
    pw = int(output_size[1])
    n, c, height, width = input.shape
    k = boxes.size(0)
    if k == 0:
        return torch.zeros((0, c, ph, pw), dtype=input.dtype, device=input.device)
    rois = boxes.detach().to(input.dtype)
    dev = input.device
    dt = input.dtype
    offset = 0.5 if aligned else 0.0
    bidx = rois[:, 0].to(torch.int64)
    x_start = rois[:, 1] * spatial_scale - offset
    y_start = rois[:, 2] * spatial_scale - offset
    roi_w = rois[:, 3] * spatial_scale - offset - x_start
    roi_h = rois[:, 4] * spatial_scale - offset - y_start
    if not aligned:
        roi_w = roi_w.clamp(min=1.0)
        roi_h = roi_h.clamp(min=1.0)
    bin_h = roi_h / ph
    bin_w = roi_w / pw
    if sampling_ratio > 0:
        grid_h = torch.full((k,), sampling_ratio, dtype=torch.int64, device=dev)
        grid_w = torch.full((k,), sampling_ratio, dtype=torch.int64, device=dev)
        gh = sampling_ratio
        gw = sampling_ratio
    else:
        grid_h = torch.ceil(roi_h / ph).to(torch.int64)
        grid_w = torch.ceil(roi_w / pw).to(torch.int64)
        gh = int(grid_h.max().item())
        gw = int(grid_w.max().item())
        gh = max(gh, 1)
        gw = max(gw, 1)
    count = (grid_h * grid_w).clamp(min=1).to(dt)  # [K]
    iy = torch.arange(gh, device=dev, dtype=dt)
    ix = torch.arange(gw, device=dev, dtype=dt)
    pyi = torch.arange(ph, device=dev, dtype=dt)
    pxi = torch.arange(pw, device=dev, dtype=dt)
    gh_f = grid_h.to(dt)
    gw_f = grid_w.to(dt)
    # y: [K, PH, GH], x: [K, PW, GW]
    y = y_start[:, None, None] + pyi[None, :, None] * bin_h[:, None, None] \
        + (iy[None, None, :] + 0.5) * (bin_h / gh_f)[:, None, None]
    x = x_start[:, None, None] + pxi[None, :, None] * bin_w[:, None, None] \
        + (ix[None, None, :] + 0.5) * (bin_w / gw_f)[:, None, None]
    my = (iy[None, None, :] < gh_f[:, None, None]).to(dt).expand(k, ph, gh)
    mx = (ix[None, None, :] < gw_f[:, None, None]).to(dt).expand(k, pw, gw)
    vy = ((y >= -1.0) & (y <= float(height))).to(dt) * my
    vx = ((x >= -1.0) & (x <= float(width))).to(dt) * mx
    y = y.clamp(min=0.0)
    x = x.clamp(min=0.0)
    y_low = y.floor().to(torch.int64)
    x_low = x.floor().to(torch.int64)
    y_edge = y_low >= height - 1
    x_edge = x_low >= width - 1
    y_low = torch.where(y_edge, torch.full_like(y_low, height - 1), y_low)
    x_low = torch.where(x_edge, torch.full_like(x_low, width - 1), x_low)
    y_high = torch.where(y_edge, y_low, y_low + 1)
    x_high = torch.where(x_edge, x_low, x_low + 1)
    y = torch.where(y_edge, y_low.to(dt), y)
    x = torch.where(x_edge, x_low.to(dt), x)
    ly = y - y_low.to(dt)
    lx = x - x_low.to(dt)
    hy = 1.0 - ly
    hx = 1.0 - lx
    # combine into [K, PH, PW, GH, GW, 4]
    base = (bidx * (height * width))[:, None, None, None, None]
    yl = y_low[:, :, None, :, None]
    yh = y_high[:, :, None, :, None]
    xl = x_low[:, None, :, None, :]
    xh = x_high[:, None, :, None, :]
    idx = torch.stack([
        base + yl * width + xl,
        base + yl * width + xh,
        base + yh * width + xl,
        base + yh * width + xh,
    ], dim=-1)
    wy_l = (hy * vy)[:, :, None, :, None]
    wy_h = (ly * vy)[:, :, None, :, None]
    wx_l = (hx * vx)[:, None, :, None, :]
    wx_h = (lx * vx)[:, None, :, None, :]
    cnt = count[:, None, None, None, None]
    wts = torch.stack([
        wy_l * wx_l / cnt,
        wy_l * wx_h / cnt,
        wy_h * wx_l / cnt,
        wy_h * wx_h / cnt,
    ], dim=-1)
    idx = idx.expand(k, ph, pw, gh, gw, 4).reshape(k * ph * pw, gh * gw * 4)
    wts = wts.expand(k, ph, pw, gh, gw, 4).reshape(k * ph * pw, gh * gw * 4)
    table = input.permute(0, 2, 3, 1).reshape(n * height * width, c)
    out = torch.nn.functional.embedding_bag(idx, table, None, None, 2.0, False, "sum", False, wts)
    return out.reshape(k, ph, pw, c).permute(0, 3, 1, 2).contiguous()


_PATCHED = False


def patch_torchvision() -> None:
    """Point torchvision's detection code at the pure-aten ops (idempotent).

    Patches torchvision.ops.boxes.nms (used by batched_nms in RPN and RoI heads),
    torchvision.ops.poolers.roi_align (MultiScaleRoIAlign) and
    torchvision.models.detection.roi_heads.roi_align (mask branch, compiled anyway).
    Must run before the first torch.jit.script of a detection model in the process.
    """
    global _PATCHED
    import torchvision.ops.boxes as tv_boxes
    import torchvision.ops.poolers as tv_poolers
    import torchvision.models.detection.roi_heads as tv_roi_heads
    tv_boxes.nms = nms
    tv_poolers.roi_align = roi_align
    tv_roi_heads.roi_align = roi_align
    _PATCHED = True
