"""The exported artifact: no torchvision ops, the forward/losses contract, metadata."""
import hashlib
import json
import os
import zipfile

import torch

from lookout_model.export import torchvision_ops_in


def test_saved_file_has_no_torchvision_ops(tiny_artifact):
    pt = os.path.join(tiny_artifact, "model.pt")
    assert torchvision_ops_in(pt) == []
    with zipfile.ZipFile(pt) as z:
        code = [n for n in z.namelist() if n.endswith(".py")]
        assert code, "no code files in the TorchScript zip"
        for n in code:
            txt = z.read(n).decode()
            assert "ops.torchvision" not in txt and "torchvision::" not in txt, n
    m = torch.jit.load(pt)
    for meth in ("forward", "losses"):
        gr = getattr(m, meth).graph.copy()
        torch._C._jit_pass_inline(gr)
        kinds = set()

        def walk(block):
            for node in block.nodes():
                kinds.add(node.kind())
                for b in node.blocks():
                    walk(b)
        walk(gr)
        assert not [k for k in kinds if k.startswith("torchvision::")], meth


def test_metadata(tiny_artifact):
    meta = json.load(open(os.path.join(tiny_artifact, "model.json")))
    for k in ("name", "version", "architecture", "classes", "minSize", "maxSize", "mean", "std", "parent",
              "dataFingerprint", "metrics", "sha256", "created", "frozenPrefixes"):
        assert k in meta, k
    assert meta["classes"] == ["__background__", "person"]
    assert isinstance(meta["version"], str)
    assert meta["sha256"] == hashlib.sha256(open(os.path.join(tiny_artifact, "model.pt"), "rb").read()).hexdigest()
    names = [n for n, _ in torch.jit.load(os.path.join(tiny_artifact, "model.pt")).named_parameters()]
    for p in meta["frozenPrefixes"]:
        assert any(n.startswith(p) for n in names), p


def test_forward_contract(tiny_artifact):
    m = torch.jit.load(os.path.join(tiny_artifact, "model.pt")).eval()
    imgs = [torch.rand(3, 240, 320), torch.rand(3, 300, 200)]
    with torch.no_grad():
        boxes, scores, labels = m(imgs)
    assert len(boxes) == len(scores) == len(labels) == 2
    for b, s, l, im in zip(boxes, scores, labels, imgs):
        assert b.dtype == torch.float32 and b.shape[1] == 4 and s.dtype == torch.float32 and l.dtype == torch.int64
        assert b.shape[0] == s.shape[0] == l.shape[0] <= 100
        if b.numel():
            assert float(b[:, 2].max()) <= im.shape[2] + 1e-3 and float(b[:, 3].max()) <= im.shape[1] + 1e-3


def test_losses_train_and_save_roundtrip(tiny_artifact, tmp_path):
    m = torch.jit.load(os.path.join(tiny_artifact, "model.pt"))
    m.train()
    img = [torch.rand(3, 240, 320)]
    boxes = [torch.tensor([[20.0, 40.0, 60.0, 160.0], [150.0, 50.0, 190.0, 170.0]])]
    labels = [torch.tensor([1, 1])]
    meta = json.load(open(os.path.join(tiny_artifact, "model.json")))
    params = [p for n, p in m.named_parameters() if not any(n.startswith(f) for f in meta["frozenPrefixes"])]
    opt = torch.optim.SGD(params, lr=0.01, momentum=0.9)
    first = None
    for _ in range(8):
        losses = m.losses(img, boxes, labels)
        assert set(losses) == {"loss_classifier", "loss_box_reg", "loss_objectness", "loss_rpn_box_reg"}
        total = sum(losses.values())
        first = first if first is not None else float(total)
        opt.zero_grad()
        total.backward()
        opt.step()
    assert float(total) < first
    # negative image (no boxes) is a valid training sample
    m.losses(img, [torch.zeros(0, 4)], [torch.zeros(0, dtype=torch.int64)])
    m.eval()
    assert m.losses(img, boxes, labels) == {}
    p = str(tmp_path / "re.pt")
    m.save(p)
    m2 = torch.jit.load(p).eval()
    x = [torch.rand(3, 240, 320)]
    with torch.no_grad():
        a, b = m(x), m2(x)
    assert all(torch.equal(u, v) for u, v in zip(a[0] + a[1], b[0] + b[1]))


def test_reference_script(tiny_artifact, tmp_path):
    from lookout_model import reference, testimage
    png = str(tmp_path / "t.png")
    testimage.make(png)
    out = str(tmp_path / "ref.json")
    reference.main(["--model", tiny_artifact, "--image", png, "--out", out])
    ref = json.load(open(out))
    assert len(ref["boxes"]) == len(ref["scores"]) == len(ref["labels"])
    assert ref["width"] == 320 and ref["height"] == 240


def test_centernet_rcnn_answers_no_boxes_when_stage_one_proposes_nothing():
    # a random stage 1 proposes only boxes under its 2 px minimum: every proposal is dropped, and the
    # box head must still answer an empty result (torchvision's decode then returns [0, 8], not [0, 2, 4])
    from lookout_model.two_stage import build_centernet_rcnn
    m = build_centernet_rcnn(None, random=True).eval()
    torch.manual_seed(0)
    img = torch.rand(3, 240, 320)
    with torch.no_grad():
        assert all(len(p) == 0 for p in m.rpn(*_stage_one_inputs(m, img))[0])
        out = torch.jit.script(m)([img])[1][0]
    assert out["boxes"].shape == (0, 4) and out["scores"].shape == (0,)


def _stage_one_inputs(m, img):
    images, _ = m.transform([img])
    return images, m.backbone(images.tensors)
