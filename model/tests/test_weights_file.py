"""The 'online' path (torchvision COCO weights + tutorial head swap), fed from a local state_dict."""
import json
import os

import torch

from lookout_model.models import _tv_model


def test_weights_file_export(tmp_path):
    torch.manual_seed(0)
    # a COCO-layout (91-class) torchvision model stands in for the downloaded weights
    src = _tv_model("mobilenet_v3_large_320_fpn", pretrained=True)
    with torch.no_grad():
        for p in src.parameters():
            p.add_(0.01)
    pth = str(tmp_path / "coco.pth")
    torch.save(src.state_dict(), pth)
    from lookout_model.export import main
    out = str(tmp_path / "art")
    main(["--arch", "mobilenet_v3_large_320_fpn", "--weights-file", pth, "--name", "w", "--version", "3", "--out", out])
    meta = json.load(open(os.path.join(out, "model.json")))
    assert meta["architecture"] == "fasterrcnn_mobilenet_v3_large_320_fpn" and meta["version"] == "3"
    assert meta["minSize"] == 320 and meta["frozenPrefixes"]
    m = torch.jit.load(os.path.join(out, "model.pt"))
    sd = dict(m.named_parameters())
    w = sd["model.backbone.body.1.block.0.0.weight"]
    assert torch.equal(w, src.state_dict()["backbone.body.1.block.0.0.weight"])
    assert sd["model.roi_heads.box_predictor.cls_score.weight"].shape[0] == 2
    with torch.no_grad():
        boxes, scores, labels = m.eval()([torch.rand(3, 240, 320)])
    assert boxes[0].shape[1] == 4
