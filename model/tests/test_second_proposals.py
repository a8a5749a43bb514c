"""The trainable proposal head beside the frozen teacher heatmap (ResidualProposalHead), the per-camera
retrain it is for, and the Java fine-tuner's recipe as lookout_model.adapt reproduces it."""
import json
import os
import random

import numpy as np
import pytest
import torch

from lookout_model import adapt
from lookout_model.two_stage import build_centernet_rcnn, load_weights


@pytest.fixture(scope="module")
def tiny_rcnn(tmp_path_factory):
    from lookout_model.export import main
    out = str(tmp_path_factory.mktemp("tiny_rcnn"))
    main(["--arch", "tiny_rcnn", "--random", "--name", "t", "--version", "1",
          "--lr-factor", "model.backbone.prop2.=4", "--out", out])
    return out


def _image_with_people(seed=0):
    g = torch.Generator().manual_seed(seed)
    img = 0.7 + 0.1 * torch.rand(3, 240, 320, generator=g)
    boxes = torch.tensor([[40.0, 60.0, 80.0, 180.0], [200.0, 50.0, 240.0, 190.0]])
    for x1, y1, x2, y2 in boxes.int().tolist():
        img[:, y1:y2, x1:x2] = torch.tensor([0.1, 0.2, 0.35]).view(3, 1, 1)
    return img, boxes


def test_given_the_head_untrained_when_added_to_a_model_then_it_proposes_and_detects_exactly_as_before():
    torch.manual_seed(0)
    plain = build_centernet_rcnn(None, random=True, trainable="none", min_size=160, max_size=320).eval()
    with_head = build_centernet_rcnn(None, random=True, trainable="none", min_size=160, max_size=320,
                                     second_proposals=True).eval()
    fresh = load_weights(with_head, {"model." + k: v for k, v in plain.state_dict().items()})
    assert fresh and all(n.startswith("backbone.prop2.") for n in fresh)
    img = torch.rand(3, 160, 224, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        a = plain([img])[0]
        b = with_head([img])[0]
    assert torch.equal(a["boxes"], b["boxes"]) and torch.equal(a["scores"], b["scores"])


def test_given_weights_of_another_model_when_loaded_then_refused():
    m = build_centernet_rcnn(None, random=True, trainable="none", second_proposals=True)
    with pytest.raises(ValueError, match="unexpected"):
        load_weights(m, {"model.nonsense.weight": torch.zeros(1)})


def test_given_the_tiny_two_stage_artifact_when_trained_through_losses_then_the_head_learns_and_the_teacher_stays(
        tiny_rcnn):
    meta = json.load(open(os.path.join(tiny_rcnn, "model.json")))
    assert meta["frozenPrefixes"] == ["model.backbone.features."]
    assert meta["lrFactors"] == {"model.backbone.prop2.": 4.0}
    m = torch.jit.load(os.path.join(tiny_rcnn, "model.pt"))
    before = {k: v.clone() for k, v in m.state_dict().items()}
    img, boxes = _image_with_people()
    samples = [{"id": f"s{i}", "image": (img * 255).round().to(torch.uint8), "boxes": boxes.numpy()} for i in range(2)]
    cfg = dict(epochs=8, lr=0.002, warmup=0, frozen=meta["frozenPrefixes"], factors=meta["lrFactors"])
    m.train()
    first = m.losses([img], [boxes], [torch.ones(2, dtype=torch.int64)])
    assert set(first) == {"loss_classifier", "loss_box_reg", "loss_objectness", "loss_rpn_box_reg", "loss_distill"}
    tuned, _ = adapt.finetune(os.path.join(tiny_rcnn, "model.pt"), samples, cfg)
    tuned.train()
    last = tuned.losses([img], [boxes], [torch.ones(2, dtype=torch.int64)])
    assert float(last["loss_objectness"]) < float(first["loss_objectness"])
    after = tuned.state_dict()
    for k, v in before.items():
        if k.startswith("model.backbone.features."):
            assert torch.equal(v, after[k]), k
    assert any(not torch.equal(v, after[k]) for k, v in before.items() if k.startswith("model.backbone.prop2."))


def test_given_the_head_changes_the_sides_of_unlabelled_people_then_the_sides_distillation_grows_and_not_at_labels():
    from lookout_model.two_stage import CenterNetProposals
    rpn = CenterNetProposals.__new__(CenterNetProposals)
    rpn.alpha = 0.54
    h, w = 60, 80
    wh = torch.full((1, 4, h, w), 10.0)
    soft = torch.zeros(1, 1, h, w)
    soft[0, 0, 10, 10] = 0.9      # an unlabelled person the teacher sees, far from the label
    soft[0, 0, 40, 60] = 0.9      # the labelled person's own cell
    target = [{"boxes": torch.tensor([[220.0, 120.0, 260.0, 200.0]])}]  # centre cell (60, 40)
    assert float(rpn.distill_sides_loss(wh.clone(), wh, target, soft)) == 0.0
    at_label = wh.clone()
    at_label[0, :, 40, 60] *= 2.0
    assert float(rpn.distill_sides_loss(at_label, wh, target, soft)) == 0.0
    elsewhere = wh.clone()
    elsewhere[0, :, 10, 10] *= 2.0
    assert float(rpn.distill_sides_loss(elsewhere, wh, target, soft)) == pytest.approx(4 * np.log(2.0), rel=1e-4)


def test_given_a_box_when_augmented_like_the_java_fine_tuner_then_it_stays_inside_the_image():
    rng = random.Random(3)
    img = torch.zeros(3, 100, 160, dtype=torch.uint8)
    boxes = np.array([[10, 10, 50, 90], [100, 20, 150, 95]], dtype=np.float32)
    for _ in range(50):
        out, b = adapt.augment(img, boxes, rng)
        h, w = out.shape[1:]
        assert (b[:, 0] >= 0).all() and (b[:, 2] <= w).all() and (b[:, 1] >= 0).all() and (b[:, 3] <= h).all()
        assert (b[:, 2] > b[:, 0]).all() and (b[:, 3] > b[:, 1]).all()


def test_given_the_java_schedule_then_warm_up_starts_at_a_tenth_and_cosine_ends_at_a_hundredth():
    assert adapt.lr_at(0, 1.0, 10, 100) == pytest.approx(0.19)
    assert adapt.lr_at(9, 1.0, 10, 100) == pytest.approx(1.0)
    assert adapt.lr_at(100, 1.0, 10, 100) == pytest.approx(0.01)


def test_given_a_max_grad_norm_far_below_the_gradients_when_fine_tuned_then_the_weights_barely_move(tiny_rcnn):
    """adapt's mirror of lookout.trainer.max-grad-norm: the clipped run moves the weights a tiny fraction as far."""
    meta = json.load(open(os.path.join(tiny_rcnn, "model.json")))
    # parameters only: a batch norm's running statistics move in training mode whatever the gradients
    before = {k: v.detach().clone() for k, v in torch.jit.load(os.path.join(tiny_rcnn, "model.pt")).named_parameters()}
    img, boxes = _image_with_people()
    samples = [{"id": f"s{i}", "image": (img * 255).round().to(torch.uint8), "boxes": boxes.numpy()} for i in range(2)]
    cfg = dict(epochs=2, lr=0.002, warmup=0, frozen=meta["frozenPrefixes"], factors=meta["lrFactors"])

    def moved(c):
        after = dict(adapt.finetune(os.path.join(tiny_rcnn, "model.pt"), samples, c)[0].named_parameters())
        return max(float((after[k].detach() - v).abs().max()) for k, v in before.items())

    free, clipped = moved(cfg), moved(dict(cfg, max_grad_norm=1e-6))
    assert free > 1e-4
    assert clipped < free / 100
