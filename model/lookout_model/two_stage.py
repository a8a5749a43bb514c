"""`centernet_rcnn`: a two-stage Faster R-CNN whose region proposals come from the COCO CenterNet
(the CenterNet2 design: Zhou et al., "Probabilistic two-stage detection", 2021).

Stage 1 is the ported CenterNet (backbone + top-down head, person channel only): its heatmap peaks
and side distances are the proposals, each with an objectness score. Stage 2 is torchvision's Fast
R-CNN box head on RoIAlign features pooled from the head's stride 4/8/16 maps. The final score is
the geometric mean of the two stages' scores, so a detection needs both a person-shaped peak and a
confident second look.

Why not the usual RPN: trained from 3k images, an anchor RPN never reached the recall the COCO
heatmap already has on small, far people (the generalisation suite says so); this design keeps the
teacher's recall and spends the training on re-scoring and box refinement, which is where the
teacher is weakest (coarse stride-4 boxes, confusions with poles and vans).

Everything is TorchScript-able and keeps the artifact contract: `forward(List[Tensor])` and
`losses(images, boxes, labels)` (stage-1 heatmap focal + GIoU losses, stage-2 classifier + box
losses), so the Java fine-tuner trains it like any other Lookout model.
"""
import copy
from collections import OrderedDict
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import nn, Tensor
from torchvision.models.detection.faster_rcnn import FastRCNNPredictor, TwoMLPHead
from torchvision.models.detection.generalized_rcnn import GeneralizedRCNN
from torchvision.models.detection.image_list import ImageList
from torchvision.models.detection.roi_heads import RoIHeads, fastrcnn_loss
from torchvision.models.detection.transform import GeneralizedRCNNTransform
from torchvision.ops import MultiScaleRoIAlign, boxes as box_ops

from .centernet_head import CenterNetFeatures, build_features, cell_boxes, peaks, random_features
from .centernet_port import INPUT_MEAN, INPUT_STD
from .ops import patch_torchvision

patch_torchvision()

ROI_LEVELS = ["r4", "r8", "r16"]


class ResidualProposalHead(nn.Module):
    """A trainable correction of the frozen teacher's person heatmap and box sides, on the same
    stride-4 map: heat2 = heat + d_heat, wh2 = wh * exp(d_wh). Its input is GroupNorm-ed (the raw
    map's scale made plain SGD at the fine-tuner's rates diverge on a copy of the teacher's conv) and
    its last conv starts at zero, so until it is trained heat2 == heat exactly and the model proposes
    exactly what the teacher does."""

    def __init__(self, channels: int = 128, hidden: int = 32):
        super().__init__()
        self.norm = nn.GroupNorm(8, channels)
        self.dw = nn.Conv2d(channels, channels, 3, 1, 1, groups=channels)
        self.pw = nn.Conv2d(channels, hidden, 1)
        self.out = nn.Conv2d(hidden, 5, 1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, p4: Tensor, heat: Tensor, wh: Tensor) -> Tuple[Tensor, Tensor]:
        d = self.out(torch.relu(self.pw(self.dw(self.norm(p4)))))
        # bounded corrections (at most +-8 logits, sides x/ e^2): a retrain at too high a rate then
        # saturates instead of overflowing to NaN, and the gate judges what it learnt
        return heat + 8.0 * torch.tanh(d[:, 0:1] / 8.0), wh * torch.exp(2.0 * torch.tanh(d[:, 1:5] / 2.0))


class NoProposalHead(nn.Module):
    """The teacher's heatmap and sides unchanged: stands in for the residual head in a model without
    one, with the same signature, so TorchScript compiles the branch that calls it either way."""

    def forward(self, p4: Tensor, heat: Tensor, wh: Tensor) -> Tuple[Tensor, Tensor]:
        return heat, wh


class TwoStageBackbone(nn.Module):
    """CenterNet features plus 1x1 lateral projections (GroupNorm) of the stride 4/8/16 maps to
    one width for RoIAlign. Returns the RoI levels and the stage-1 outputs in one dict.

    second_proposals: a trainable residual head beside the frozen teacher heatmap
    (ResidualProposalHead), whose heatmap proposes together with the teacher's (CenterNetProposals):
    a retrain on a camera's labels can add the people the COCO heatmap misses there, while the
    teacher's own proposals stay (training the teacher's head itself made it forget COCO)."""

    def __init__(self, features: CenterNetFeatures, roi_channels: int = 64, second_proposals: bool = False):
        super().__init__()
        self.features = features
        self.second_proposals = second_proposals
        self.prop2: nn.Module = ResidualProposalHead(128) if second_proposals else NoProposalHead()
        self.l4 = nn.Sequential(nn.Conv2d(128, roi_channels, 1), nn.GroupNorm(8, roi_channels))
        self.l8 = nn.Sequential(nn.Conv2d(192, roi_channels, 1), nn.GroupNorm(8, roi_channels))
        self.l16 = nn.Sequential(nn.Conv2d(256, roi_channels, 1), nn.GroupNorm(8, roi_channels))
        self.out_channels = roi_channels
        self.channels_last = False

    def forward(self, x: Tensor) -> Dict[str, Tensor]:
        if self.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        f = self.features(x)
        out: Dict[str, Tensor] = OrderedDict()
        out["r4"] = self.l4(f["p4"])
        out["r8"] = self.l8(f["p8"])
        out["r16"] = self.l16(f["p16"])
        out["heat"] = f["heat"]
        out["wh"] = f["wh"]
        out["p4"] = f["p4"]
        if self.second_proposals:
            heat2, wh2 = self.prop2(f["p4"], f["heat"], f["wh"])
            out["heat2"] = heat2
            out["wh2"] = wh2
        return out


def _gaussian_targets(boxes: Tensor, h: int, w: int, alpha: float) -> Tuple[Tensor, Tensor]:
    """Per-GT elliptical Gaussians on the stride-4 grid (TTFNet): peak 1 at the GT's centre cell,
    sigma = alpha * side / 6. Returns ([K, h, w] gaussians, [K, 2] centre cells as (x, y))."""
    cx = ((boxes[:, 0] + boxes[:, 2]) * 0.5 / 4.0).round().clamp(0, w - 1)
    cy = ((boxes[:, 1] + boxes[:, 3]) * 0.5 / 4.0).round().clamp(0, h - 1)
    sx = ((boxes[:, 2] - boxes[:, 0]) / 4.0 * alpha / 6.0).clamp(min=0.3)
    sy = ((boxes[:, 3] - boxes[:, 1]) / 4.0 * alpha / 6.0).clamp(min=0.3)
    xs = torch.arange(w, dtype=boxes.dtype, device=boxes.device).view(1, 1, w)
    ys = torch.arange(h, dtype=boxes.dtype, device=boxes.device).view(1, h, 1)
    g = torch.exp(-((xs - cx.view(-1, 1, 1)) ** 2) / (2 * sx.view(-1, 1, 1) ** 2)
                  - ((ys - cy.view(-1, 1, 1)) ** 2) / (2 * sy.view(-1, 1, 1) ** 2))
    return g, torch.stack([cx, cy], 1)


def giou_loss(pred: Tensor, target: Tensor) -> Tensor:
    """1 - GIoU per row (x1y1x2y2)."""
    px1, py1, px2, py2 = pred.unbind(1)
    tx1, ty1, tx2, ty2 = target.unbind(1)
    pa = (px2 - px1).clamp(min=0) * (py2 - py1).clamp(min=0)
    ta = (tx2 - tx1) * (ty2 - ty1)
    iw = (torch.min(px2, tx2) - torch.max(px1, tx1)).clamp(min=0)
    ih = (torch.min(py2, ty2) - torch.max(py1, ty1)).clamp(min=0)
    inter = iw * ih
    union = pa + ta - inter + 1e-6
    cw = torch.max(px2, tx2) - torch.min(px1, tx1)
    ch = torch.max(py2, ty2) - torch.min(py1, ty1)
    hull = cw * ch + 1e-6
    return 1.0 - (inter / union - (hull - union) / hull)


class CenterNetProposals(nn.Module):
    """Stage 1 in the place of torchvision's RPN: same call signature, returns proposals as
    [K, 5] (x1, y1, x2, y2, objectness) per image, in the resized image's pixels."""

    def __init__(self, top_n_train: int = 128, top_n_test: int = 100, min_size: float = 2.0,
                 alpha: float = 0.54, box_region: float = 0.3, box_weight: float = 5.0,
                 teacher_cls: Optional[nn.Module] = None):
        super().__init__()
        # Distillation: a frozen copy of the original person heatmap conv. Where the COCO teacher is
        # confident, its probability becomes the soft target, so unlabelled people in the training
        # data are not trained away; GT centres are still the only positives.
        self.distill = teacher_cls is not None
        self.teacher_cls = teacher_cls if teacher_cls is not None else nn.Identity()
        self.top_n_train = top_n_train
        self.top_n_test = top_n_test
        self.min_size = min_size
        self.alpha = alpha
        self.box_region = box_region
        self.box_weight = box_weight
        # with a second proposal head: "max" merges the two heatmaps cell by cell before the peaks,
        # "concat" proposes both heads' peaks (twice the RoIs)
        self.merge = "max"
        # weight of the second head's distillation toward the frozen teacher heatmap, away from labels
        self.distill2 = 0.0
        # weight of the distillation of the second head's box sides toward the teacher's, away from labels:
        # measured and off (model/README.md: it removed the forgetting and the camera's gain with it)
        self.distill2_wh = 0.0

    def forward(self, images: ImageList, features: Dict[str, Tensor],
                targets: Optional[List[Dict[str, Tensor]]] = None) -> Tuple[List[Tensor], Dict[str, Tensor]]:
        heat = features["heat"]
        wh = features["wh"]
        k = self.top_n_train if self.training else self.top_n_test
        second = "heat2" in features
        if second and self.merge == "max":
            # one heatmap: per cell the more confident of the two heads; the box sides are the second
            # head's (the teacher's, corrected for this camera). While the head is untrained (as
            # exported) both equal the teacher's, so the proposals are exactly the teacher's
            p1 = torch.sigmoid(heat.detach())
            p2 = torch.sigmoid(features["heat2"].detach())
            proposals = self.peak_boxes_prob(images, torch.max(p1, p2), features["wh2"].detach(), k)
        else:
            proposals = self.peak_boxes(images, heat, wh, k)
            if second:
                extra = self.peak_boxes(images, features["heat2"], features["wh2"], k)
                proposals = [torch.cat([a, b], 0) for a, b in zip(proposals, extra)]
        losses: Dict[str, Tensor] = {}
        if self.training and targets is not None:
            if second:
                # the second head learns the labels; where the frozen teacher sees a person, that is
                # not a negative (unlabelled people), as with distillation
                soft = torch.sigmoid(heat.detach())
                losses = self.loss(features["heat2"], features["wh2"], targets, soft)
                if self.distill2 > 0.0:
                    losses["loss_distill"] = self.distill2 * self.distill_loss(features["heat2"], targets, soft)
                if self.distill2_wh > 0.0:
                    losses["loss_distill_wh"] = self.distill2_wh * self.distill_sides_loss(features["wh2"], wh, targets,
                                                                                           soft)
            else:
                soft = torch.zeros_like(heat)
                if self.distill:
                    with torch.no_grad():
                        soft = torch.sigmoid(self.teacher_cls(features["p4"]))
                losses = self.loss(heat, wh, targets, soft)
        return proposals, losses

    def peak_boxes(self, images: ImageList, heat: Tensor, wh: Tensor, k: int) -> List[Tensor]:
        return self.peak_boxes_prob(images, torch.sigmoid(heat.detach()), wh, k)

    def peak_boxes_prob(self, images: ImageList, prob: Tensor, wh: Tensor, k: int) -> List[Tensor]:
        proposals: List[Tensor] = []
        for i in range(len(images.image_sizes)):
            ih, iw = images.image_sizes[i]
            s, _, cells = peaks(prob[i], k)
            b = cell_boxes(wh[i].detach(), cells)
            b = box_ops.clip_boxes_to_image(b, (ih, iw))
            keep = box_ops.remove_small_boxes(b, self.min_size)
            proposals.append(torch.cat([b[keep], s[keep].unsqueeze(1)], 1))
        return proposals

    def distill_loss(self, heat2: Tensor, targets: List[Dict[str, Tensor]], soft: Tensor) -> Tensor:
        """Binary cross-entropy of the second head against the teacher's probabilities (minus its
        floor, the teacher's entropy, so a head that agrees costs 0), averaged over the cells away
        from every labelled person: it keeps the second head the teacher's wherever the camera's
        labels say nothing new. A mean, not a sum over cells: summed, its curvature grew with the
        number of cells and SGD at the fine-tuner's rates diverged (NaN) once the head moved."""
        h, w = heat2.shape[-2], heat2.shape[-1]
        total = heat2.sum() * 0.0
        cells = 0.0
        for i in range(len(targets)):
            t = soft[i, 0].clamp(1e-4, 1.0 - 1e-4)
            bce = F.binary_cross_entropy_with_logits(heat2[i, 0], t, reduction="none")
            floor = -(t * torch.log(t) + (1 - t) * torch.log(1 - t))
            away = self.away_from_labels(targets[i]["boxes"], t, h, w)
            total = total + ((bce - floor) * away).sum()
            cells += float(away.sum())
        return total / max(cells, 1.0)

    def away_from_labels(self, gt: Tensor, like: Tensor, h: int, w: int) -> Tensor:
        """1 on the cells of an h x w map where no labelled person's Gaussian reaches 0.05, else 0."""
        if gt.shape[0] == 0:
            return torch.ones_like(like)
        g, _ = _gaussian_targets(gt, h, w, self.alpha)
        return (g.max(0)[0] < 0.05).to(like.dtype)

    def distill_sides_loss(self, wh2: Tensor, wh: Tensor, targets: List[Dict[str, Tensor]], soft: Tensor) -> Tensor:
        """L1 of log(wh2 / wh), the second head's box sides against the teacher's, weighted by the teacher's
        person probability and averaged over the cells away from every labelled person. Every proposal takes
        its sides from the second head (the teacher's peaks too), so a retrain's side corrections, learnt on
        one camera's people, reshape the proposals of every other camera: with lookout_model.adapt and
        replay, a retrain of the head alone on TUD-Campus cost the far-view general holdout 0.165 AP50, one
        of stage 2 alone 0.015. At weight 10 this term removed that loss and the camera's own gain with it
        (model/README.md), so it is off (distill2_wh = 0)."""
        h, w = wh2.shape[-2], wh2.shape[-1]
        total = wh2.sum() * 0.0
        weight = 0.0
        for i in range(len(targets)):
            t = soft[i, 0]
            cell_weight = t * self.away_from_labels(targets[i]["boxes"], t, h, w)
            diff = (torch.log(wh2[i].clamp(min=1e-4)) - torch.log(wh[i].detach().clamp(min=1e-4))).abs().sum(0)
            total = total + (diff * cell_weight).sum()
            weight += float(cell_weight.sum())
        return total / max(weight, 1e-6)

    def loss(self, heat: Tensor, wh: Tensor, targets: List[Dict[str, Tensor]], soft: Tensor) -> Dict[str, Tensor]:
        h, w = heat.shape[-2], heat.shape[-1]
        focal = heat.sum() * 0.0
        box = wh.sum() * 0.0
        n_pos = 0
        box_weight_sum = 0.0
        for i in range(len(targets)):
            gt = targets[i]["boxes"]
            logit = heat[i, 0]
            p = torch.sigmoid(logit).clamp(1e-4, 1.0 - 1e-4)
            if gt.shape[0] == 0:
                focal = focal - (torch.pow(1 - soft[i, 0], 4) * p.pow(2) * torch.log(1 - p)).sum()
                continue
            g, centres = _gaussian_targets(gt, h, w, self.alpha)
            tgt, owner = g.max(0)
            neg_tgt = torch.max(tgt, soft[i, 0])
            pos = torch.zeros_like(tgt, dtype=torch.bool)
            pos[centres[:, 1].long(), centres[:, 0].long()] = True
            n_pos += int(pos.sum())
            focal = focal - (torch.pow(1 - p, 2) * torch.log(p))[pos].sum() \
                - (torch.pow(1 - neg_tgt, 4) * p.pow(2) * torch.log(1 - p))[~pos].sum()
            region = tgt >= self.box_region
            if bool(region.any()):
                cells = torch.nonzero(region.reshape(-1)).reshape(-1)
                pred = cell_boxes(wh[i], cells)
                weight = tgt[region]
                box = box + (giou_loss(pred, gt[owner[region]]) * weight).sum()
                box_weight_sum += float(weight.sum())
        return {"loss_objectness": focal / max(n_pos, 1),
                "loss_rpn_box_reg": self.box_weight * box / max(box_weight_sum, 1e-6)}


class TwoStageRoIHeads(RoIHeads):
    """torchvision's RoIHeads (sampling, matching, Fast R-CNN losses) with proposals that carry the
    stage-1 score; at inference the score is sqrt(stage-1 x stage-2)."""

    def forward(self, features: Dict[str, Tensor], proposals: List[Tensor], image_shapes: List[Tuple[int, int]],
                targets: Optional[List[Dict[str, Tensor]]] = None) -> Tuple[List[Dict[str, Tensor]], Dict[str, Tensor]]:
        boxes = [p[:, :4] for p in proposals]
        result: List[Dict[str, Tensor]] = []
        losses: Dict[str, Tensor] = {}
        if self.training:
            boxes, _, labels, regression_targets = self.select_training_samples(boxes, targets)
            x = self.box_head(self.box_roi_pool(features, boxes, image_shapes))
            class_logits, box_regression = self.box_predictor(x)
            loss_classifier, loss_box_reg = fastrcnn_loss(class_logits, box_regression, labels, regression_targets)
            losses = {"loss_classifier": loss_classifier, "loss_box_reg": loss_box_reg}
            return result, losses
        x = self.box_head(self.box_roi_pool(features, boxes, image_shapes))
        class_logits, box_regression = self.box_predictor(x)
        # reshape: decode returns [0, 8], not [0, 2, 4], when there is no proposal at all
        pred_boxes = self.box_coder.decode(box_regression, boxes).reshape(-1, 2, 4)[:, 1]
        pred_scores = F.softmax(class_logits, -1)[:, 1]
        counts = [b.shape[0] for b in boxes]
        for b, s2, prop, shape in zip(pred_boxes.split(counts, 0), pred_scores.split(counts, 0), proposals,
                                      image_shapes):
            s = torch.sqrt(s2 * prop[:, 4])
            b = box_ops.clip_boxes_to_image(b, shape)
            keep = torch.where(s > self.score_thresh)[0]
            b, s = b[keep], s[keep]
            keep = box_ops.remove_small_boxes(b, 1e-2)
            b, s = b[keep], s[keep]
            keep = box_ops.nms(b, s, self.nms_thresh)[: self.detections_per_img]
            result.append({"boxes": b[keep], "scores": s[keep],
                           "labels": torch.ones(keep.shape[0], dtype=torch.int64, device=b.device)})
        return result, losses


def to_channels_last(model: GeneralizedRCNN) -> GeneralizedRCNN:
    """NHWC activations and weights: oneDNN's depthwise and 1x1 convolutions run ~25% faster on CPU
    that way (measured on a 768x576 frame), and the pure-aten roi_align wants channels-last maps anyway."""
    model.to(memory_format=torch.channels_last)
    model.backbone.channels_last = True
    return model


def build_centernet_rcnn(centernet_dir: Optional[str], random: bool = False, min_size: int = 480,
                         max_size: int = 1024, roi_channels: int = 64, head_dim: int = 256,
                         top_n_train: int = 128, top_n_test: int = 100, box_score_thresh: float = 0.05,
                         box_nms_thresh: float = 0.5, box_detections_per_img: int = 100,
                         box_batch_size_per_image: int = 64, box_positive_fraction: float = 0.5,
                         box_fg_iou_thresh: float = 0.5, box_bg_iou_thresh: float = 0.5,
                         trainable: str = "heads", distill: bool = False,
                         second_proposals: bool = False) -> GeneralizedRCNN:
    """trainable: which CenterNet parts learn ('none': only stage 2 and the laterals; 'heads': also
    the heatmap and box convs of stage 1; 'head': the whole top-down head; 'all': the backbone too,
    except stem and first blocks). distill: stage 1 learns against the COCO teacher's heatmap as
    well as the labels (see CenterNetProposals). second_proposals: see TwoStageBackbone."""
    feats = random_features() if random else build_features(centernet_dir)
    feats.keep_person_only()
    for p in feats.parameters():
        p.requires_grad_(False)
    if trainable in ("heads", "head", "all"):
        for m in (feats.cls, feats.wh):
            for p in m.parameters():
                p.requires_grad_(True)
    if trainable in ("head", "all"):
        for m in (feats.c2, feats.c3, feats.c4, feats.u5, feats.u4, feats.u3, feats.se):
            for p in m.parameters():
                p.requires_grad_(True)
    if trainable == "all":
        for m in (feats.b4, feats.b5_expand, feats.b5_rest, feats.mid, feats.top):
            for p in m.parameters():
                p.requires_grad_(True)
    backbone = TwoStageBackbone(feats, roi_channels, second_proposals)
    teacher_cls: Optional[nn.Module] = None
    if distill:
        if trainable not in ("none", "heads"):
            raise ValueError("distill needs the top-down head frozen (trainable none or heads)")
        teacher_cls = copy.deepcopy(feats.cls)
        for p in teacher_cls.parameters():
            p.requires_grad_(False)
    rpn = CenterNetProposals(top_n_train=top_n_train, top_n_test=top_n_test, teacher_cls=teacher_cls)
    pool = MultiScaleRoIAlign(ROI_LEVELS, 7, 2)
    heads = TwoStageRoIHeads(pool, TwoMLPHead(roi_channels * 49, head_dim), FastRCNNPredictor(head_dim, 2),
                             box_fg_iou_thresh, box_bg_iou_thresh, box_batch_size_per_image, box_positive_fraction,
                             None, box_score_thresh, box_nms_thresh, box_detections_per_img)
    transform = GeneralizedRCNNTransform(min_size, max_size, INPUT_MEAN, INPUT_STD, size_divisible=32)
    return GeneralizedRCNN(backbone, rpn, heads, transform)


class TinyFeatures(nn.Module):
    """A random stand-in for the CenterNet features with the same outputs and widths (p4 128, p8 192,
    p16 256 channels, a person heatmap and box sides), a few small convolutions: the CI test model of
    the two-stage design (`tiny_rcnn`), so the Java tests train the same kinds of layers and losses."""

    def __init__(self):
        super().__init__()

        def blk(i: int, o: int) -> nn.Module:
            return nn.Sequential(nn.Conv2d(i, o, 3, 2, 1), nn.ReLU(inplace=True))

        self.stem = nn.Sequential(blk(3, 16), blk(16, 32))
        self.down8 = blk(32, 48)
        self.down16 = blk(48, 64)
        self.x4 = nn.Conv2d(32, 128, 1)
        self.x8 = nn.Conv2d(48, 192, 1)
        self.x16 = nn.Conv2d(64, 256, 1)
        self.cls = nn.Conv2d(128, 1, 3, 1, 1)
        self.wh = nn.Conv2d(128, 4, 3, 1, 1)
        nn.init.constant_(self.cls.bias, -6.0)  # background near 0, as the real teacher's
        nn.init.constant_(self.wh.bias, 1.0)

    def forward(self, x: Tensor) -> Dict[str, Tensor]:
        c4 = self.stem(x / 255.0)
        c8 = self.down8(c4)
        c16 = self.down16(c8)
        p4 = torch.relu(self.x4(c4))
        out: Dict[str, Tensor] = OrderedDict()
        out["p4"] = p4
        out["p8"] = self.x8(c8)
        out["p16"] = self.x16(c16)
        out["heat"] = self.cls(p4)
        out["wh"] = torch.relu(self.wh(p4)) * 16.0
        return out


def build_tiny_rcnn(min_size: int = 240, max_size: int = 320, box_score_thresh: float = 0.05,
                    box_detections_per_img: int = 100) -> GeneralizedRCNN:
    """centernet_rcnn's structure on TinyFeatures (frozen, as the teacher is), with the second proposal
    head: ~0.5 M parameters, a few ms per image."""
    feats = TinyFeatures()
    for p in feats.parameters():
        p.requires_grad_(False)
    backbone = TwoStageBackbone(feats, 32, second_proposals=True)  # type: ignore[arg-type]
    rpn = CenterNetProposals(top_n_train=64, top_n_test=50)
    pool = MultiScaleRoIAlign(ROI_LEVELS, 7, 2)
    heads = TwoStageRoIHeads(pool, TwoMLPHead(32 * 49, 128), FastRCNNPredictor(128, 2), 0.5, 0.5, 64, 0.5, None,
                             box_score_thresh, 0.5, box_detections_per_img)
    transform = GeneralizedRCNNTransform(min_size, max_size, INPUT_MEAN, INPUT_STD, size_divisible=32)
    model = GeneralizedRCNN(backbone, rpn, heads, transform)
    model.rpn.distill2 = 10.0
    return model


def load_weights(model: GeneralizedRCNN, state: Dict[str, Tensor]) -> List[str]:
    """Loads a state dict (a checkpoint's, or an exported artifact's with its `model.` prefix) into a
    centernet_rcnn; a second proposal head the weights do not have keeps its fresh init (a zero
    correction: the model proposes exactly what it did). Returns the names left fresh."""
    if any(k.startswith("model.") for k in state):
        state = {k[len("model."):]: v for k, v in state.items() if k.startswith("model.")}
    missing, unexpected = model.load_state_dict(state, strict=False)
    if unexpected:
        raise ValueError(f"weights do not fit this model: unexpected {unexpected[:5]}")
    fresh = [m for m in missing if m.startswith("backbone.prop2.")]
    if [m for m in missing if m not in fresh]:
        raise ValueError(f"weights do not fit this model: missing {[m for m in missing if m not in fresh][:5]}")
    return fresh
