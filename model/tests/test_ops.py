"""Pure-aten nms / roi_align against torchvision's native C++ ops."""
import pytest
import torch
import torchvision

from lookout_model.ops import nms, roi_align

snms = torch.jit.script(nms)
sroi = torch.jit.script(roi_align)


def _boxes(n, g, scale=300.0, size=80.0):
    xy = torch.rand(n, 2, generator=g) * scale
    wh = torch.rand(n, 2, generator=g) * size + 0.5
    return torch.cat([xy, xy + wh], 1)


def test_nms_matches_native_on_200_random_cases():
    g = torch.Generator().manual_seed(1)
    for case in range(200):
        n = int(torch.randint(0, 800, (1,), generator=g))
        b = _boxes(n, g)
        s = torch.rand(n, generator=g)
        thr = float(torch.rand(1, generator=g) * 0.9 + 0.05)
        assert torch.equal(torchvision.ops.nms(b, s, thr), snms(b, s, thr)), f"case {case}"


def test_nms_dense_clusters_and_batched():
    g = torch.Generator().manual_seed(2)
    # many heavily overlapping boxes (RPN-like)
    base = _boxes(30, g, 500, 120)
    b = (base[torch.randint(0, 30, (1500,), generator=g)] + torch.randn(1500, 4, generator=g) * 6)
    b[:, 2:] = torch.maximum(b[:, 2:], b[:, :2] + 1)
    s = torch.rand(1500, generator=g)
    for thr in (0.3, 0.5, 0.7):
        assert torch.equal(torchvision.ops.nms(b, s, thr), snms(b, s, thr))
    idx = torch.randint(0, 4, (1500,), generator=g)
    from torchvision.ops.boxes import _batched_nms_coordinate_trick
    # batched_nms through the coordinate trick uses the (patched) module-level nms
    ref = torch.ops.torchvision.nms(b + (idx.float() * 1000)[:, None], s, 0.5)
    assert torch.equal(ref, snms(b + (idx.float() * 1000)[:, None], s, 0.5))


@pytest.mark.parametrize("sampling_ratio", [2, 0, -1])
@pytest.mark.parametrize("aligned", [False, True])
def test_roi_align_values_and_gradients_match_native(sampling_ratio, aligned):
    g = torch.Generator().manual_seed(3)
    for n_img, c, h, w, k, scale in [(2, 8, 25, 33, 60, 0.125), (1, 16, 50, 40, 30, 0.25), (3, 4, 7, 9, 20, 1 / 32)]:
        x = torch.randn(n_img, c, h, w, generator=g, requires_grad=True)
        size = torch.tensor([w / scale, h / scale])
        xy = torch.rand(k, 2, generator=g) * size * 1.1 - 8
        wh = torch.rand(k, 2, generator=g) * size * 0.6
        rois = torch.cat([torch.randint(0, n_img, (k, 1), generator=g).float(), xy, xy + wh], 1)
        ref = torchvision.ops.roi_align(x, rois, (7, 7), scale, sampling_ratio, aligned)
        out = sroi(x, rois, [7, 7], scale, sampling_ratio, aligned)
        assert torch.allclose(ref, out, atol=2e-5, rtol=1e-4), (ref - out).abs().max()
        go = torch.randn(ref.shape, generator=g)
        gr, = torch.autograd.grad((ref * go).sum(), x)
        gm, = torch.autograd.grad((out * go).sum(), x)
        assert torch.allclose(gr, gm, atol=2e-5, rtol=1e-4), (gr - gm).abs().max()


def test_roi_align_empty():
    x = torch.randn(1, 4, 10, 10)
    out = sroi(x, torch.zeros(0, 5), [7, 7], 1.0, 2, False)
    assert out.shape == (0, 4, 7, 7)
