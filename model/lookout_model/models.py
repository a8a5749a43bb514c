"""Builders for the Faster R-CNN variants Lookout ships, all sized for 2 classes.

One code path, two weight sources:
  * torchvision COCO weights ("online", exactly the torchvision fine-tuning tutorial:
    build with weights=DEFAULT, replace the FastRCNNPredictor with a 2-class one). Here
    the hub is unreachable, so the same path takes a local state_dict (--weights-file).
  * the CenterNet MobileNetV3 backbone port ("offline", arch centernet_fpn).
"""
from collections import OrderedDict
from functools import partial
from typing import Dict, List, Optional, Tuple

import torch
from torch import nn, Tensor
import torchvision
from torchvision.models.detection import FasterRCNN
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.backbone_utils import (
    BackboneWithFPN, _mobilenet_extractor, _resnet_fpn_extractor)
from torchvision.models.detection.faster_rcnn import FastRCNNPredictor, TwoMLPHead
from torchvision.ops import misc as misc_nn_ops
from torchvision.ops import MultiScaleRoIAlign
from torchvision.ops.feature_pyramid_network import LastLevelMaxPool

from .ops import patch_torchvision

patch_torchvision()

CLASSES = ["__background__", "person"]
NUM_CLASSES = len(CLASSES)
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]

ARCHS = ["centernet_rcnn", "resnet50_fpn", "mobilenet_v3_large_fpn", "mobilenet_v3_large_320_fpn", "centernet_fpn", "tiny",
         "tiny_rcnn"]

# defaults per architecture (min_size, max_size, extra FasterRCNN kwargs)
DEFAULTS = {
    "resnet50_fpn": dict(min_size=800, max_size=1333),
    "mobilenet_v3_large_fpn": dict(min_size=800, max_size=1333, rpn_score_thresh=0.05),
    "mobilenet_v3_large_320_fpn": dict(min_size=320, max_size=640, rpn_pre_nms_top_n_test=150,
                                       rpn_post_nms_top_n_test=150, rpn_score_thresh=0.05),
    "centernet_fpn": dict(min_size=576, max_size=1024, rpn_pre_nms_top_n_test=500, rpn_post_nms_top_n_test=150,
                          rpn_pre_nms_top_n_train=1000, rpn_post_nms_top_n_train=1000,
                          box_batch_size_per_image=128),
    "tiny": dict(min_size=240, max_size=320),
    "tiny_rcnn": dict(min_size=240, max_size=320),
    "centernet_rcnn": dict(min_size=480, max_size=1024),
}

TV_ARCH_NAMES = {
    "resnet50_fpn": "fasterrcnn_resnet50_fpn",
    "mobilenet_v3_large_fpn": "fasterrcnn_mobilenet_v3_large_fpn",
    "mobilenet_v3_large_320_fpn": "fasterrcnn_mobilenet_v3_large_320_fpn",
    "centernet_fpn": "fasterrcnn_centernet_mobilenet_v3_fpn",
    "tiny": "fasterrcnn_tiny_fpn",
    "tiny_rcnn": "fasterrcnn_tiny_centernet_proposals",
    "centernet_rcnn": "fasterrcnn_centernet_proposals_mobilenet_v3",
}


def _replace_predictor(model: FasterRCNN, num_classes: int = NUM_CLASSES) -> None:
    # torchvision tutorial: replace the pre-trained head with a new one
    in_features = model.roi_heads.box_predictor.cls_score.in_features
    model.roi_heads.box_predictor = FastRCNNPredictor(in_features, num_classes)


def _tv_model(arch: str, pretrained: bool, **kw) -> FasterRCNN:
    """torchvision's own builders; pretrained=True reproduces the layout of weights=DEFAULT
    (FrozenBatchNorm2d, 3 trainable backbone layers) without downloading."""
    norm = misc_nn_ops.FrozenBatchNorm2d if pretrained else nn.BatchNorm2d
    trainable = 3 if pretrained else 5
    if arch == "resnet50_fpn":
        bb = torchvision.models.resnet50(weights=None, norm_layer=norm)
        bb = _resnet_fpn_extractor(bb, trainable)
        return FasterRCNN(bb, num_classes=91, **kw)
    trainable = 3 if pretrained else 6
    bb = torchvision.models.mobilenet_v3_large(weights=None, norm_layer=norm)
    bb = _mobilenet_extractor(bb, True, trainable)
    anchor_sizes = ((32, 64, 128, 256, 512,),) * 3
    aspect_ratios = ((0.5, 1.0, 2.0),) * len(anchor_sizes)
    return FasterRCNN(bb, num_classes=91, rpn_anchor_generator=AnchorGenerator(anchor_sizes, aspect_ratios), **kw)


def build_torchvision(arch: str, weights_file: Optional[str], random: bool, online: bool = False, **kw) -> FasterRCNN:
    kwargs = dict(DEFAULTS[arch])
    kwargs.update(kw)
    if online:
        # exactly the tutorial path; needs the torchvision hub (not reachable here)
        fn = getattr(torchvision.models.detection, TV_ARCH_NAMES[arch])
        model = fn(weights="DEFAULT", **{k: v for k, v in kwargs.items() if k not in DEFAULTS[arch]})
        for k, v in kwargs.items():
            _set_transform_or_head(model, k, v)
        _replace_predictor(model)
        return model
    model = _tv_model(arch, pretrained=not random, **kwargs)
    if weights_file:
        sd = torch.load(weights_file, map_location="cpu")
        if isinstance(sd, dict) and "model" in sd and not any(k.startswith("backbone") for k in sd):
            sd = sd["model"]
        ncls = sd["roi_heads.box_predictor.cls_score.weight"].shape[0]
        if ncls == NUM_CLASSES:
            _replace_predictor(model)
            model.load_state_dict(sd)
        else:
            model.roi_heads.box_predictor = FastRCNNPredictor(
                model.roi_heads.box_predictor.cls_score.in_features, ncls)
            model.load_state_dict(sd)
            _replace_predictor(model)
    else:
        _replace_predictor(model)
    return model


def _set_transform_or_head(model: FasterRCNN, k: str, v) -> None:
    if k == "min_size":
        model.transform.min_size = (v,)
    elif k == "max_size":
        model.transform.max_size = v
    elif k == "box_score_thresh":
        model.roi_heads.score_thresh = v
    elif k == "box_detections_per_img":
        model.roi_heads.detections_per_img = v


class LevelScale(nn.Module):
    """Multiplies each returned backbone level by a fixed constant (the ported backbone's
    levels have std ~10 / 5.6 / 0.4; this brings them to ~1 before the FPN)."""

    def __init__(self, scales: List[float]):
        super().__init__()
        self.register_buffer("scales", torch.tensor(scales, dtype=torch.float32))

    def forward(self, x: Dict[str, Tensor]) -> Dict[str, Tensor]:
        out: Dict[str, Tensor] = OrderedDict()
        i = 0
        for k, v in x.items():
            out[k] = v * self.scales[i]
            i += 1
        return out


class ScaledBackboneWithFPN(nn.Module):
    """body (IntermediateLayerGetter) -> per-level rescale -> FPN (GroupNorm)."""

    def __init__(self, body: nn.Module, return_layers: Dict[str, str], in_channels_list: List[int],
                 out_channels: int, level_scales: List[float], norm_layer=None):
        super().__init__()
        from torchvision.models._utils import IntermediateLayerGetter
        from torchvision.ops.feature_pyramid_network import FeaturePyramidNetwork
        self.body = IntermediateLayerGetter(body, return_layers=return_layers)
        self.scale = LevelScale(level_scales)
        self.fpn = FeaturePyramidNetwork(in_channels_list, out_channels, extra_blocks=LastLevelMaxPool(),
                                         norm_layer=norm_layer)
        self.out_channels = out_channels

    def forward(self, x: Tensor) -> Dict[str, Tensor]:
        return self.fpn(self.scale(self.body(x)))


def _tall_anchors(n_levels: int, sizes=None):
    if sizes is None:
        sizes = ((24, 40), (56, 80), (112, 160), (224, 320))[:n_levels]
    ratios = ((1.0, 2.0, 3.0),) * len(sizes)  # h/w: tall boxes for pedestrians
    return AnchorGenerator(sizes, ratios)


def build_centernet_fpn(centernet_dir: Optional[str], random: bool, freeze_blocks: int = 4,
                        fpn_channels: int = 128, head_dim: int = 512, **kw) -> FasterRCNN:
    from .centernet_port import build_backbone, INPUT_MEAN, INPUT_STD
    kwargs = dict(DEFAULTS["centernet_fpn"])
    kwargs.update(kw)
    body, return_layers, in_channels, level_scales = build_backbone(None if random else centernet_dir)
    # freeze the stem and the first blocks (they are generic edge/texture filters)
    for i, blk in enumerate(body):
        if i < freeze_blocks:
            for p in blk.parameters():
                p.requires_grad_(False)
    backbone = ScaledBackboneWithFPN(body, return_layers, in_channels, fpn_channels, level_scales,
                                     norm_layer=partial(nn.GroupNorm, 16))
    anchor = _tall_anchors(4)
    pooler = MultiScaleRoIAlign(["0", "1", "2"], 7, 2)
    head = TwoMLPHead(fpn_channels * 7 * 7, head_dim)
    model = FasterRCNN(backbone, num_classes=None, rpn_anchor_generator=anchor, box_roi_pool=pooler,
                       box_head=head, box_predictor=FastRCNNPredictor(head_dim, NUM_CLASSES),
                       image_mean=INPUT_MEAN, image_std=INPUT_STD, **kwargs)
    return model


def build_tiny(**kw) -> FasterRCNN:
    """A small random-init Faster R-CNN for CI tests (same contract, ~1-2 MB, few ms/image)."""
    kwargs = dict(DEFAULTS["tiny"])
    kwargs.update(kw)

    def blk(i, o):
        return nn.Sequential(nn.Conv2d(i, o, 3, 2, 1), nn.GroupNorm(8, o), nn.ReLU(inplace=True))

    body = nn.Sequential(blk(3, 16), blk(16, 32), blk(32, 48), blk(48, 64), blk(64, 96))
    backbone = ScaledBackboneWithFPN(body, {"2": "0", "3": "1", "4": "2"}, [48, 64, 96], 64, [1.0, 1.0, 1.0],
                                     norm_layer=partial(nn.GroupNorm, 8))
    for p in body[0].parameters():
        p.requires_grad_(False)
    anchor = _tall_anchors(4, ((16,), (32,), (64,), (128,)))
    pooler = MultiScaleRoIAlign(["0", "1", "2"], 7, 2)
    head = TwoMLPHead(64 * 7 * 7, 128)
    kwargs.setdefault("rpn_pre_nms_top_n_test", 150)
    kwargs.setdefault("rpn_post_nms_top_n_test", 60)
    kwargs.setdefault("rpn_pre_nms_top_n_train", 600)
    kwargs.setdefault("rpn_post_nms_top_n_train", 300)
    kwargs.setdefault("box_batch_size_per_image", 128)
    predictor = FastRCNNPredictor(128, NUM_CLASSES)
    # a wider random classifier spreads the scores (well separated ranks make the Java parity
    # check robust to float noise; the default init gives scores all within 1e-3 of 0.5)
    nn.init.normal_(predictor.cls_score.weight, std=0.3)
    return FasterRCNN(backbone, num_classes=None, rpn_anchor_generator=anchor, box_roi_pool=pooler,
                      box_head=head, box_predictor=predictor, image_mean=MEAN, image_std=STD, **kwargs)


def build_model(arch: str, weights_file: Optional[str] = None, centernet_dir: Optional[str] = None,
                random: bool = False, online: bool = False, **kw) -> FasterRCNN:
    if arch == "tiny":
        return build_tiny(**kw)
    if arch == "tiny_rcnn":
        from .two_stage import build_tiny_rcnn
        kw.pop("trainable", None)
        kw.pop("second_proposals", None)
        return build_tiny_rcnn(**kw)
    if arch == "centernet_rcnn":
        from .two_stage import build_centernet_rcnn
        if not random and not centernet_dir:
            raise ValueError("centernet_rcnn needs --centernet DIR (or --random)")
        return build_centernet_rcnn(centernet_dir, random=random, **kw)
    if arch == "centernet_fpn":
        if not random and not centernet_dir:
            raise ValueError("centernet_fpn needs --centernet DIR (or --random)")
        return build_centernet_fpn(centernet_dir, random, **kw)
    if arch in ("resnet50_fpn", "mobilenet_v3_large_fpn", "mobilenet_v3_large_320_fpn"):
        if not (weights_file or random or online):
            raise ValueError(f"{arch} needs --weights-file PTH, --online or --random")
        return build_torchvision(arch, weights_file, random, online=online, **kw)
    raise ValueError(f"unknown arch {arch}; one of {ARCHS}")


class Detector(nn.Module):
    """The scripted artifact's interface (the contract the Java side codes against).

    forward(images) -> (boxes, scores, labels), one tensor per image, boxes in input pixels.
    losses(images, boxes, labels) -> torchvision's loss dict (training mode only).
    """

    def __init__(self, model: FasterRCNN):
        super().__init__()
        self.model = model

    def forward(self, images: List[Tensor]) -> Tuple[List[Tensor], List[Tensor], List[Tensor]]:
        res = self.model(images, None)
        dets = res[1]
        boxes: List[Tensor] = []
        scores: List[Tensor] = []
        labels: List[Tensor] = []
        for d in dets:
            boxes.append(d["boxes"])
            scores.append(d["scores"])
            labels.append(d["labels"])
        return boxes, scores, labels

    @torch.jit.export
    def losses(self, images: List[Tensor], boxes: List[Tensor], labels: List[Tensor]) -> Dict[str, Tensor]:
        targets: List[Dict[str, Tensor]] = []
        for i in range(len(boxes)):
            targets.append({"boxes": boxes[i], "labels": labels[i]})
        res = self.model(images, targets)
        return res[0]


def frozen_prefixes(module: nn.Module, root: str = "") -> List[str]:
    """Minimal module-name prefixes (with trailing '.') whose parameters are all frozen."""
    out: List[str] = []

    def visit(m: nn.Module, name: str):
        params = list(m.parameters())
        if params and all(not p.requires_grad for p in params):
            out.append(name + ".")
            return
        for cn, c in m.named_children():
            visit(c, f"{name}.{cn}" if name else cn)
        # direct params frozen but the module has trainable children: list them by full name
        for pn, p in m.named_parameters(recurse=False):
            if not p.requires_grad:
                out.append(f"{name}.{pn}" if name else pn)

    visit(module, root)
    return out
