"""Tiles for small people (lookout_model.tiles): the same geometry and merge rule as the Java side
(lookout.tiles.Tiling, TilingTest), and the frozen copy of an artifact (lookout_model.export_frozen)."""
import os

import torch

from lookout_model.tiles import Tiled, tile_boxes


def test_tiles_cover_the_frame_as_the_java_side_cuts_it():
    # TilingTest.shouldCoverTheFrameWithTilesThatOverlapTheirNeighbours: (x0, y0, x1, y1) there
    assert tile_boxes(576, 768, 2, 2, 0.2) == [(0, 0, 320, 427), (0, 341, 320, 768), (256, 0, 576, 427),
                                               (256, 341, 576, 768)]


class FakeModel(torch.nn.Module):
    """A 'model' with one person box per image, at fixed places relative to the image's size."""

    def forward(self, images):
        boxes, scores, labels = [], [], []
        for x in images:
            h, w = x.shape[1], x.shape[2]
            boxes.append(torch.tensor([[w / 4, h / 4, w / 2, h - 1.0]]))
            scores.append(torch.tensor([0.9]))
            labels.append(torch.tensor([1]))
        return boxes, scores, labels


def test_tiled_keeps_whole_frame_boxes_adds_uncut_tile_boxes_and_drops_cut_ones():
    # the same frame and fake model as DetectionTopologyTest's tiled camera: 64x48, 3 boxes survive
    b, s, l = Tiled(FakeModel())([torch.zeros(3, 48, 64)])
    assert len(b[0]) == 3
    assert b[0][0].tolist() == [16.0, 12.0, 32.0, 47.0]
    assert all(y1 > 21 for y1 in b[0][1:, 1].tolist())  # both tile boxes come from the bottom row


def test_tiled_runs_a_real_artifact(tiny_artifact):
    m = torch.jit.load(os.path.join(tiny_artifact, "model.pt"), map_location="cpu").eval()
    with torch.no_grad():
        b, s, l = Tiled(m)([torch.rand(3, 96, 128)])
    assert b[0].shape[1] == 4 and len(b[0]) == len(s[0]) == len(l[0])
    if len(b[0]):
        assert float(b[0][:, 2].max()) <= 128.0 + 1e-3 and float(b[0][:, 3].max()) <= 96.0 + 1e-3


def test_frozen_copy_gives_the_artifacts_detections(tiny_artifact, tmp_path):
    from lookout_model.export_frozen import main
    main(["--model", tiny_artifact, "--out", str(tmp_path), "--no-optimize"])
    a = torch.jit.load(os.path.join(tiny_artifact, "model.pt"), map_location="cpu").eval()
    f = torch.jit.load(os.path.join(tmp_path, "model.pt"), map_location="cpu").eval()
    x = torch.rand(3, 96, 128, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        ra, rf = a([x]), f([x])
    assert torch.allclose(ra[1][0], rf[1][0], atol=1e-5)
    assert not hasattr(f, "losses")
