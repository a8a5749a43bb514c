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
