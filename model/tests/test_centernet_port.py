"""CenterNet backbone port: numerically equal to the TF.js original (tfjs in Node)."""
import os

import pytest
import torch

from conftest import CENTERNET_DIR, NODE_MODULES, need_centernet


def test_port_matches_tfjs_original():
    need_centernet()
    from lookout_model.tfjs_parity import compare, tfjs_available, TF_NODES
    why = tfjs_available(NODE_MODULES, CENTERNET_DIR)
    if why:
        pytest.skip("TF.js parity skipped: " + why)
    g = torch.Generator().manual_seed(0)
    # odd size: exercises TF 'SAME' padding on every stride-2 conv
    x = torch.rand(1, 3, 161, 227, generator=g) * 255.0
    res = compare(CENTERNET_DIR, NODE_MODULES, x)
    for k, (err, rel, cos) in res.items():
        assert cos > 0.9999, (TF_NODES[k], cos)
        assert rel < 2e-2, (TF_NODES[k], rel)


def test_port_layout_matches_builtin_spec():
    need_centernet()
    from lookout_model.centernet_port import build_layers, describe, random_layers
    assert describe(build_layers(CENTERNET_DIR)) == describe(random_layers())


def test_centernet_fpn_builds_scripts_and_trains(tmp_path):
    need_centernet()
    from lookout_model.models import build_model
    from lookout_model.export import write_artifact
    m = build_model("centernet_fpn", centernet_dir=CENTERNET_DIR, min_size=320, max_size=480)
    meta = write_artifact(m, str(tmp_path), name="c", version="1", architecture="x", min_size=320, max_size=480)
    assert "model.backbone.body.0." in meta["frozenPrefixes"]
    assert meta["std"][0] == pytest.approx(1 / 255)
    s = torch.jit.load(os.path.join(tmp_path, "model.pt"))
    s.train()
    losses = s.losses([torch.rand(3, 240, 320)], [torch.tensor([[10.0, 20.0, 50.0, 140.0]])], [torch.tensor([1])])
    assert torch.isfinite(sum(losses.values()))


def test_teacher_head_matches_tfjs_detections():
    """The PyTorch teacher (backbone + head + decode) returns the original's top detections."""
    need_centernet()
    from lookout_model.tfjs_parity import run_tfjs, tfjs_available
    from lookout_model.centernet_head import CenterNetTeacher, build_features
    why = tfjs_available(NODE_MODULES, CENTERNET_DIR)
    if why:
        pytest.skip("TF.js parity skipped: " + why)
    g = torch.Generator().manual_seed(1)
    # smooth blobs rather than noise, so there are real peaks to rank; 512x512: the graph pins its
    # upsampling sizes to that input
    x = torch.nn.functional.interpolate(torch.rand(1, 3, 16, 16, generator=g), size=(512, 512),
                                        mode="bilinear", align_corners=False) * 255.0
    teacher = CenterNetTeacher(build_features(CENTERNET_DIR)).eval()
    with torch.no_grad():
        s, c, b, heat = teacher.raw(x)
    ref = run_tfjs(NODE_MODULES, CENTERNET_DIR, x.permute(0, 2, 3, 1).numpy(),
                   ["tower_0/keypoints", "tower_0/detections"], timeout=600)
    assert float((heat.permute(1, 2, 0) - torch.from_numpy(ref["tower_0/keypoints"][0])).abs().max()) < 5e-3
    d = torch.from_numpy(ref["tower_0/detections"][0][:10])
    mine = torch.cat([b, s[:, None], c[:, None].float()], 1)[:10]
    assert torch.equal(mine[:, 5], d[:, 5])                       # same classes in the same order
    assert float((mine[:, 4] - d[:, 4]).abs().max()) < 5e-3       # scores
    # boxes in input pixels; the original stores hard-swish 1/6 as float16, which drifts the 16x-scaled
    # side distances by ~1 px on a 512 input
    assert float((mine[:, :4] - d[:, :4]).abs().max()) < 2.0


@pytest.mark.parametrize("distill", [False, True])
def test_centernet_rcnn_exports_without_torchvision_ops_and_trains(tmp_path, distill):
    need_centernet()
    from lookout_model.models import build_model
    from lookout_model.export import write_artifact
    m = build_model("centernet_rcnn", centernet_dir=CENTERNET_DIR, min_size=256, max_size=384, trainable="heads",
                    distill=distill)
    meta = write_artifact(m, str(tmp_path), name="c", version="1", architecture="x", min_size=256, max_size=384)
    assert any(p.startswith("model.backbone.features.stem") for p in meta["frozenPrefixes"])
    s = torch.jit.load(os.path.join(tmp_path, "model.pt"))
    img = torch.rand(3, 240, 320)
    boxes, scores, labels = s([img])
    assert boxes[0].shape[1] == 4 and bool((labels[0] == 1).all())
    s.train()
    params = [p for n, p in s.named_parameters() if not any(n.startswith(f) for f in meta["frozenPrefixes"])]
    opt = torch.optim.SGD(params, lr=0.01, momentum=0.9)
    tgt = [torch.tensor([[60.0, 40.0, 110.0, 200.0], [200.0, 50.0, 240.0, 160.0]])]
    first = None
    for _ in range(8):
        losses = s.losses([img], tgt, [torch.tensor([1, 1])])
        assert set(losses) == {"loss_classifier", "loss_box_reg", "loss_objectness", "loss_rpn_box_reg"}
        loss = sum(losses.values())
        first = float(loss) if first is None else first
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert float(loss) < first
    neg = s.losses([img], [torch.zeros(0, 4)], [torch.zeros(0, dtype=torch.int64)])
    assert torch.isfinite(sum(neg.values()))
