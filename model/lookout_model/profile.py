"""Where the time of one 768x576 frame goes, stage by stage (centernet_rcnn), and which operators.

  scripts/py -m lookout_model.profile --model models/default [--run runs/default] [--rounds 15]

Stages are timed on the eager modules of a checkpoint (--run) or of a fresh build with the CenterNet
weights, in the same order the scripted artifact runs them; the operator table comes from
torch.autograd.profiler over the scripted artifact (--model).
"""
import argparse
import json
import statistics
import time
from collections import OrderedDict

import torch

from .export import DEFAULT_CENTERNET


def stage_times(model, frame: torch.Tensor, rounds: int):
    """Median ms of each stage of a GeneralizedRCNN built by two_stage.build_centernet_rcnn."""
    f = model.backbone.features
    t = OrderedDict((k, []) for k in ("transform", "backbone", "top-down head", "stage-1 heads", "laterals",
                                       "proposals (peaks)", "roi_align", "box head", "postprocess+nms",
                                       "rescale boxes"))

    def tick(name, fn, *args):
        s = time.perf_counter()
        out = fn(*args)
        t[name].append((time.perf_counter() - s) * 1000.0)
        return out

    with torch.no_grad():
        for r in range(rounds + 3):
            il, _ = tick("transform", model.transform, [frame])
            x = il.tensors

            def body(x):
                x = f.stem(x)
                e3 = f.b3_expand(x)
                x = f.b4(f.b3_rest(e3))
                e5 = f.b5_expand(x)
                x = x + f.b5_rest(e5)
                x16 = f.mid(x)
                return e3, e5, x16, f.top(x16)

            e3, e5, x16, x32 = tick("backbone", body, x)

            def head(e3, e5, x16, x32):
                p16 = f.u5(x32, f.c4(x16))
                p8 = f.u4(p16, f.c3(e5))
                return f.se(f.u3(p8, f.c2(e3))), p8, p16

            p4, p8, p16 = tick("top-down head", head, e3, e5, x16, x32)
            heat, wh = tick("stage-1 heads", lambda p: (f.cls(p), f.wh(p) * 16.0), p4)
            b = model.backbone
            feats = tick("laterals", lambda: OrderedDict(r4=b.l4(p4), r8=b.l8(p8), r16=b.l16(p16), heat=heat, wh=wh))
            props, _ = tick("proposals (peaks)", model.rpn, il, feats)
            rh = model.roi_heads
            boxes = [p[:, :4] for p in props]
            pooled = tick("roi_align", rh.box_roi_pool, feats, boxes, il.image_sizes)
            cl, reg = tick("box head", lambda z: rh.box_predictor(rh.box_head(z)), pooled)

            def post():
                pb = rh.box_coder.decode(reg, boxes)[:, 1]
                ps = torch.softmax(cl, -1)[:, 1]
                s = torch.sqrt(ps * props[0][:, 4])
                keep = torch.where(s > rh.score_thresh)[0]
                from torchvision.ops import boxes as box_ops  # the pure-aten nms (patched on import)
                keep = keep[box_ops.nms(pb[keep], s[keep], rh.nms_thresh)][:rh.detections_per_img]
                return [{"boxes": pb[keep], "scores": s[keep], "labels": torch.ones_like(keep)}]

            dets = tick("postprocess+nms", post)
            tick("rescale boxes", model.transform.postprocess, dets, il.image_sizes, [(frame.shape[1], frame.shape[2])])
            if r < 3:
                for v in t.values():
                    v.clear()
    return OrderedDict((k, round(statistics.median(v), 2)) for k, v in t.items())


def main(argv=None):
    ap = argparse.ArgumentParser(prog="lookout_model.profile", description=__doc__)
    ap.add_argument("--model", default="models/default")
    ap.add_argument("--run", help="training run dir (last.pth) for the eager stage timing")
    ap.add_argument("--centernet", default=DEFAULT_CENTERNET)
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    from .suite import far_view
    frame = far_view(1, seed=1)[0]["image"].float().div(255.0)
    meta = json.load(open(f"{a.model}/model.json"))
    if a.run:
        from .finalize import load_checkpoint_model
        model, _, _ = load_checkpoint_model(a.run, min_size=meta["minSize"], max_size=meta["maxSize"])
    else:
        from .two_stage import build_centernet_rcnn
        model = build_centernet_rcnn(a.centernet, min_size=meta["minSize"], max_size=meta["maxSize"]).eval()
    st = stage_times(model, frame, a.rounds)
    total = sum(st.values())
    print(f"stages (eager, median of {a.rounds}, min_size {meta['minSize']}): {total:.1f} ms")
    for k, v in st.items():
        print(f"  {k:20s} {v:7.2f} ms  {100 * v / total:5.1f}%")
    scripted = torch.jit.load(f"{a.model}/model.pt").eval()
    with torch.no_grad():
        for _ in range(3):
            scripted([frame])
        with torch.autograd.profiler.profile() as prof:
            for _ in range(5):
                scripted([frame])
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=15))


if __name__ == "__main__":
    main()
