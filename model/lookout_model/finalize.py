"""Turns a training run into the default model: scores the checkpoint on the generalisation suite at
several test input sizes, beside the COCO CenterNet teacher in the same run, keeps the size with the
best minimum-over-sets AP50 among those no slower than the teacher per 768x576 frame, and exports the
artifact with the suite's table in model.json.

  scripts/py -m lookout_model.finalize --run runs/default --out models/default [--sizes 448,480,512]
"""
import argparse
import json
import os

import torch

from .export import DEFAULT_CENTERNET, parse_lr_factors, write_artifact
from .models import TV_ARCH_NAMES, Detector, build_model
from .suite import SETS, load_teacher, markdown, run

# the retraining loop's learning-rate factor for the proposal head (lookout_model.adapt measured it)
PROP2 = "model.backbone.prop2."
PROP2_LR_FACTOR = 10.0


def load_checkpoint_model(run_dir: str, distill2: float = 10.0, **overrides):
    """The run's checkpoint (runs/X/last.pth), or the weights of an exported artifact when run_dir holds
    model.pt instead (re-finalizing a committed model). A centernet_rcnn gets the second proposal head
    (zero-init when the weights have none: the model proposes exactly as trained) that the retraining
    loop trains per camera; stage 1 (the teacher) stays frozen."""
    if os.path.exists(os.path.join(run_dir, "last.pth")):
        ck = torch.load(os.path.join(run_dir, "last.pth"), map_location="cpu")
        state = ck["model"]
    else:
        meta = json.load(open(os.path.join(run_dir, "model.json")))
        state = torch.jit.load(os.path.join(run_dir, "model.pt"), map_location="cpu").state_dict()
        ck = {"arch": meta.get("arch", "centernet_rcnn"), "arch_kw": {"trainable": "none"}, "meta": meta,
              "args": meta.get("trainingRecipe"), "fingerprint": meta.get("dataFingerprint"),
              "elapsed_s": meta.get("metrics", {}).get("trainSeconds", 0),
              "iteration": meta.get("metrics", {}).get("trainIterations")}
    arch = ck.get("arch", "centernet_rcnn")
    kw = dict(ck.get("arch_kw", {}))
    kw.update(overrides)
    if arch != "centernet_rcnn":
        kw.pop("trainable", None)
    else:
        kw["trainable"] = "none"
        kw["second_proposals"] = True
    model = build_model(arch, random=True, **{k: v for k, v in kw.items() if k in (
        "min_size", "max_size", "trainable", "distill", "top_n_test", "box_score_thresh", "box_detections_per_img",
        "second_proposals", "box_fg_iou_thresh", "box_bg_iou_thresh")})
    if arch == "centernet_rcnn":
        from .two_stage import load_weights, to_channels_last
        load_weights(model, state)
        to_channels_last(model)
        model.rpn.distill2 = distill2
    else:
        model.load_state_dict(state)
    return model.eval(), ck, arch


def main(argv=None):
    ap = argparse.ArgumentParser(prog="lookout_model.finalize", description=__doc__)
    ap.add_argument("--run", default="runs/default",
                    help="a training run (last.pth), or an artifact dir (model.pt) to re-finalize")
    ap.add_argument("--distill2", type=float, default=10.0,
                    help="weight of the proposal head's distillation toward the teacher in a retrain's losses")
    ap.add_argument("--lr-factor", action="append", default=None, metavar="PREFIX=F",
                    help="model.json lrFactors for the fine-tuner (default: the proposal head at "
                         f"x{PROP2_LR_FACTOR:g})")
    ap.add_argument("--fg-iou", type=float, default=0.4,
                    help="a retrain's stage 2 takes proposals at least this IoU with a person as positives (the "
                         "retraining loop measured 0.4 better than 0.5: it learns to fix near misses)")
    ap.add_argument("--out", default="models/default")
    ap.add_argument("--sizes", default="448,480,512")
    ap.add_argument("--max-size", type=int, default=1024)
    ap.add_argument("--top-n-test", type=int, default=100)
    ap.add_argument("--force-size", type=int, help="use this min_size whatever the numbers say")
    ap.add_argument("--centernet", default=DEFAULT_CENTERNET)
    ap.add_argument("--name", default="lookout-pedestrian")
    ap.add_argument("--version", default="1")
    a = ap.parse_args(argv)
    torch.set_num_threads(2)

    info_path = os.path.join(a.run, "train_info.json")
    info = json.load(open(info_path)) if os.path.exists(info_path) else {}
    candidates = {}
    for s in [int(v) for v in a.sizes.split(",")]:
        m, ck, arch = load_checkpoint_model(a.run, a.distill2, min_size=s, max_size=a.max_size,
                                            top_n_test=a.top_n_test, box_score_thresh=0.05,
                                            box_detections_per_img=100, box_fg_iou_thresh=a.fg_iou,
                                            box_bg_iou_thresh=a.fg_iou)
        candidates[f"min{s}"] = (s, m)
    models = {"teacher": load_teacher(a.centernet)}
    models.update({k: torch.jit.script(Detector(m).eval()) for k, (_, m) in candidates.items()})
    res = run(models, SETS)
    names = list(models)
    table = markdown(res, names, SETS)
    print(table, flush=True)
    teacher_ms = res["msPerFrame768x576"]["teacher"]
    fast = [k for k in candidates if res["msPerFrame768x576"][k] <= teacher_ms] or \
        [min(candidates, key=lambda k: res["msPerFrame768x576"][k])]
    chosen = f"min{a.force_size}" if a.force_size else max(fast, key=lambda k: res["minimum"][k]["ap50"])
    size, model = candidates[chosen]
    # the operating point: the score threshold with the best mean F1 (IoU 0.5) over the suite's sets
    f1 = {t: sum(res[s][chosen]["f1ByThreshold"][t] for s in SETS) / len(SETS)
          for t in res[SETS[0]][chosen]["f1ByThreshold"]}
    operating = max(f1, key=f1.get)
    metrics = {
        "ap50": res["minimum"][chosen]["ap50"],
        "ap": res["minimum"][chosen]["ap"],
        "holdout": "generalisation suite minimum over sets (lookout_model.suite)",
        "suite": {s: {"images": res[s]["images"], "model": res[s][chosen], "teacher": res[s]["teacher"]}
                  for s in SETS},
        "suiteMinimum": {"model": res["minimum"][chosen], "teacher": res["minimum"]["teacher"]},
        "operatingThreshold": float(operating),
        "meanF1ByThreshold": {t: round(v, 4) for t, v in f1.items()},
        "msPerFrame768x576": {"model": res["msPerFrame768x576"][chosen], "teacher": teacher_ms},
        "bySize": {k: {"minimum": res["minimum"][k], "msPerFrame768x576": res["msPerFrame768x576"][k]}
                   for k in candidates},
        "timing": "TorchScript, torch 1.13.1 CPU, 2 threads, OMP_WAIT_POLICY=PASSIVE, models interleaved, median",
        "trainSeconds": info.get("train_seconds", round(ck.get("elapsed_s", 0))),
        "trainIterations": info.get("iterations", ck.get("iteration")),
    }
    pool = info.get("pool", ck.get("pool", {}))
    old = ck.get("meta", {})  # re-finalizing an artifact: what it says about its own training stands
    training_data = old.get("trainingData") or (
        "USC Pedestrian A+B+C and TUD-Campus (minus hold-out), person-mix valid (minus near-duplicates of test), "
        "coco128 train2017: " + json.dumps(pool) + "; TUD-Stadtmitte and vtest.avi never used")
    meta = write_artifact(model, a.out, name=a.name, version=a.version, architecture=TV_ARCH_NAMES[arch],
                          min_size=size, max_size=a.max_size, data_fingerprint=info.get("dataFingerprint", ck.get("fingerprint")),
                          metrics=metrics,
                          extra={"arch": arch, "weightsSource": "centernet-port + fine-tuned",
                                 "lrFactors": parse_lr_factors(a.lr_factor or [f"{PROP2}={PROP2_LR_FACTOR:g}"]),
                                 "trainingRecipe": info.get("recipe", ck.get("args")),
                                 "trainingData": training_data})
    with open(os.path.join(a.out, "suite.md"), "w") as f:
        f.write(table + "\n")
    print(json.dumps({"chosen": chosen, "suiteMinimum": metrics["suiteMinimum"], "operatingThreshold": operating,
                      "msPerFrame768x576": metrics["msPerFrame768x576"]}, indent=1))
    print(f"wrote {a.out}/model.pt ({os.path.getsize(os.path.join(a.out, 'model.pt')) / 1e6:.1f} MB) sha256 {meta['sha256']}")


if __name__ == "__main__":
    main()
