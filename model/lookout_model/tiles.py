"""Tiles for small people: the frame is analysed whole and as overlapping tiles, each tile resized by
the model to its own input size (so a tile's people come out larger), and the boxes merged by NMS.

  scripts/py -m lookout_model.tiles --model models/default [--sets far-view,stadtmitte] [--grid 2x2]
      [--overlap 0.2] [--every N] [--json OUT]

Prints, per set, AP50 / AP of the model on whole frames and with tiles, and the ms per 768x576 frame
of both (interleaved in one run: compare them as a ratio). What the service would do per camera when
its people are small (docs/tracking.md, "Small people: tiles"); the suite's far-view set is the
elevated-camera case, stadtmitte the street-level one where tiles should not be needed.

Merge rule: a tile's box that touches an inner tile border (within `edge` px) is a person cut by the
tile and is dropped (the whole frame or the neighbouring tile sees them whole); the rest of the tiles'
boxes and the whole frame's are merged by greedy NMS at IoU 0.5, highest score first.
"""
import argparse
import json
import statistics
import sys
import time
from typing import List, Tuple

import torch

from .ops import nms
from .suite import SETS, far_view, load_set
from .evaluate import coco_ap, predict


def tile_boxes(h: int, w: int, rows: int, cols: int, overlap: float) -> List[Tuple[int, int, int, int]]:
    """(y0, x0, y1, x1) of rows x cols tiles covering an h x w frame, neighbours sharing `overlap` of a tile."""
    th = h / (rows - (rows - 1) * overlap)
    tw = w / (cols - (cols - 1) * overlap)
    out = []
    for r in range(rows):
        for c in range(cols):
            y0 = round(r * th * (1 - overlap))
            x0 = round(c * tw * (1 - overlap))
            out.append((y0, x0, min(h, round(y0 + th)), min(w, round(x0 + tw))))
    return out


class Tiled(torch.nn.Module):
    """A detector with the artifact's call signature (list of frames -> boxes, scores, labels lists)."""

    def __init__(self, model, rows: int = 2, cols: int = 2, overlap: float = 0.2, iou: float = 0.5,
                 edge: float = 2.0):
        super().__init__()
        self.model, self.rows, self.cols, self.overlap, self.iou, self.edge = model, rows, cols, overlap, iou, edge

    def forward(self, images: List[torch.Tensor]):
        boxes, scores, labels = [], [], []
        for x in images:
            b, s, l = self.one(x)
            boxes.append(b)
            scores.append(s)
            labels.append(l)
        return boxes, scores, labels

    def one(self, x: torch.Tensor):
        h, w = x.shape[1], x.shape[2]
        whole = self.model([x])
        bs, ss, ls = [whole[0][0]], [whole[1][0]], [whole[2][0]]
        tiles = tile_boxes(h, w, self.rows, self.cols, self.overlap)
        out = self.model([x[:, y0:y1, x0:x1] for y0, x0, y1, x1 in tiles])
        for (y0, x0, y1, x1), b, s, l in zip(tiles, out[0], out[1], out[2]):
            b = b + torch.tensor([x0, y0, x0, y0], dtype=b.dtype)
            cut = torch.zeros(len(b), dtype=torch.bool)
            if x0 > 0:
                cut |= b[:, 0] <= x0 + self.edge
            if y0 > 0:
                cut |= b[:, 1] <= y0 + self.edge
            if x1 < w:
                cut |= b[:, 2] >= x1 - self.edge
            if y1 < h:
                cut |= b[:, 3] >= y1 - self.edge
            bs.append(b[~cut])
            ss.append(s[~cut])
            ls.append(l[~cut])
        b, s, l = torch.cat(bs), torch.cat(ss), torch.cat(ls)
        keep = nms(b, s, self.iou)
        return b[keep], s[keep], l[keep]


def main(argv=None):
    ap = argparse.ArgumentParser(prog="lookout_model.tiles", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="models/default")
    ap.add_argument("--sets", default="far-view,stadtmitte")
    ap.add_argument("--grid", default="2x2")
    ap.add_argument("--overlap", type=float, default=0.2)
    ap.add_argument("--every", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json")
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    rows, cols = (int(v) for v in a.grid.split("x"))
    base = torch.jit.load(f"{a.model}/model.pt", map_location="cpu").eval()
    models = {"whole": base, f"tiles{a.grid}": Tiled(base, rows, cols, a.overlap)}
    res = {"model": a.model, "grid": a.grid, "overlap": a.overlap}
    for name in a.sets.split(","):
        if name not in SETS:
            raise SystemExit(f"tiles: unknown set {name} (one of {', '.join(SETS)})")
        samples = load_set(name)[::a.every]
        res[name] = {"images": len(samples)}
        for k, m in models.items():
            d, g, ign, _ = predict(m, samples)
            r = coco_ap(d, g, ign)
            res[name][k] = {kk: round(v, 4) for kk, v in r.items()}
            print(f"tiles: {name:16s} {k:10s} AP50 {r['ap50']:.3f} AP {r['ap']:.3f} ({len(samples)} images)",
                  file=sys.stderr, flush=True)
    frame = far_view(1, seed=1)[0]["image"].float().div(255.0)
    times = {k: [] for k in models}
    with torch.no_grad():
        for m in models.values():
            for _ in range(2):
                m([frame])
        for _ in range(8):
            for k, m in models.items():
                t = time.perf_counter()
                m([frame])
                times[k].append(1000 * (time.perf_counter() - t))
    res["msPerFrame768x576"] = {k: round(statistics.median(v), 1) for k, v in times.items()}
    print(json.dumps(res))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=2)


if __name__ == "__main__":
    main()
