#!/usr/bin/python3
"""Python side of `./lookout bench`: the same TorchScript artifact, run the plain Python way.

  raw       frames/s of the model alone (no Kafka, no decode), one frame at a time
  engines   median ms per frame of the model, its frozen copy (--frozen DIR) and the COCO CenterNet
            teacher (--teacher), interleaved frame by frame; the frame's conversion to a float tensor
            timed apart (bench/engines.sh runs it beside the Java side's EngineBench)
  consume   a plain confluent-kafka consumer: poll a frame, decode, infer, produce a JSON answer,
            one frame at a time (the comparison for the Kafka Streams service)
  finetune  milliseconds per training step (the artifact's exported `losses`, SGD, same batch)

Each prints one JSON object on its last line. Debian packages only: python3-torch,
python3-pil, python3-confluent-kafka (scripts/setup.sh). Rerun by hand, e.g.
  scripts/py bench/python_compare.py raw --model models/default --frames build/bench/frames --threads 2
"""
import argparse
import glob
import io
import json
import os
import statistics
import sys
import time

import torch
from PIL import Image


def load_frames(folder, limit):
    files = sorted(glob.glob(os.path.join(folder, "*.jpg")))[:limit]
    if not files:
        sys.exit(f"python_compare: no *.jpg in {folder}")
    return [open(f, "rb").read() for f in files]


def to_tensor(jpeg):
    img = Image.open(io.BytesIO(jpeg)).convert("RGB")
    return torch.frombuffer(bytearray(img.tobytes()), dtype=torch.uint8).view(img.height, img.width, 3) \
        .permute(2, 0, 1).float().div_(255.0)


def load_model(model_dir, threads):
    torch.set_num_threads(threads)
    model = torch.jit.load(os.path.join(model_dir, "model.pt"), map_location="cpu")
    model.eval()
    return model


def raw(args):
    model = load_model(args.model, args.threads)
    images = [to_tensor(f) for f in load_frames(args.frames, args.count)]
    with torch.no_grad():
        for img in images[: args.warmup]:
            model([img])
        times = []
        for img in images:
            t0 = time.perf_counter()
            model([img])
            times.append(time.perf_counter() - t0)
    ms = 1000 * statistics.mean(times)
    return {"mode": "raw", "frames": len(times), "msPerFrame": ms, "fps": 1000 / ms, "threads": args.threads}


def engines(args):
    torch.set_num_threads(args.threads)
    models = {"pythonTorch": torch.jit.load(os.path.join(args.model, "model.pt"), map_location="cpu").eval()}
    not_run = {}
    for key, folder in (("pythonTorchFrozen", args.frozen), ("pythonTorchFrozenOptimized", args.frozen_optimized)):
        if folder:
            try:
                models[key] = torch.jit.load(os.path.join(folder, "model.pt"), map_location="cpu").eval()
            except RuntimeError as e:  # a copy that does not load is a finding, not a reason to stop
                not_run[key] = f"not run: cannot load {folder}/model.pt: {str(e).splitlines()[0]}"
    if args.teacher:
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "model"))
        from lookout_model.suite import load_teacher
        models["pythonTeacher"] = load_teacher(args.teacher)
    jpegs = load_frames(args.frames, args.count)
    decoded = []
    for j in jpegs:
        img = Image.open(io.BytesIO(j)).convert("RGB")
        decoded.append((img.width, img.height, img.tobytes()))
    times = {k: [] for k in models}
    cpu = {k: [] for k in list(models) + ["pythonTorchContiguousInput"]}
    convert, contiguous = [], []
    with torch.no_grad():
        for r in range(args.rounds + 1):  # round 0 warms up, untimed
            for w, h, raw_bytes in decoded:
                t0 = time.perf_counter()
                x = torch.frombuffer(bytearray(raw_bytes), dtype=torch.uint8).view(h, w, 3).permute(2, 0, 1).float().div_(255.0)
                t1 = time.perf_counter()
                if r:
                    convert.append(1000 * (t1 - t0))
                for k, m in models.items():
                    t, c = time.perf_counter(), time.process_time()
                    m([x])
                    if r:
                        times[k].append(1000 * (time.perf_counter() - t))
                        cpu[k].append(1000 * (time.process_time() - c))
                # the same model on the frame laid out as Java hands it over (contiguous CHW, not a
                # permuted HWC view): does the layout of the input change the time?
                xc = x.contiguous()
                t, c = time.perf_counter(), time.process_time()
                models["pythonTorch"]([xc])
                if r:
                    contiguous.append(1000 * (time.perf_counter() - t))
                    cpu["pythonTorchContiguousInput"].append(1000 * (time.process_time() - c))
    times["pythonTorchContiguousInput"] = contiguous
    times["pythonConvertFrame"] = convert
    ms = {k: round(statistics.median(v), 2) for k, v in times.items()}
    p25 = {k: round(statistics.quantiles(v, n=4)[0], 2) for k, v in times.items()}
    cpu_ms = {k: round(statistics.mean(v), 2) for k, v in cpu.items()}
    return {"side": "python", "torch": torch.__version__, "msPerFrame": ms, "msPerFrameP25": p25,
            "cpuMsPerFrame": cpu_ms, "frames": len(convert), **not_run,
            "threads": torch.get_num_threads(), "interopThreads": torch.get_num_interop_threads(),
            "ompWaitPolicy": os.environ.get("OMP_WAIT_POLICY", "(unset)")}


def consume(args):
    from confluent_kafka import Consumer, Producer

    model = load_model(args.model, args.threads)
    consumer = Consumer({"bootstrap.servers": args.bootstrap, "group.id": args.group, "auto.offset.reset": "earliest",
                         "enable.auto.commit": True, "isolation.level": "read_committed",
                         "fetch.message.max.bytes": 8 * 1024 * 1024})
    producer = Producer({"bootstrap.servers": args.bootstrap, "linger.ms": 0})
    consumer.subscribe([args.topic])
    with torch.no_grad():
        warm = to_tensor(load_frames(args.frames, 1)[0])
        for _ in range(args.warmup):
            model([warm])
        done, first, last = 0, None, None
        deadline = time.time() + args.timeout
        while done < args.count and time.time() < deadline:
            msg = consumer.poll(1.0)
            if msg is None or msg.error():
                continue
            scores = scores_of(model([to_tensor(msg.value())]))
            answer = {"camera": (msg.key() or b"").decode(), "offset": msg.offset(),
                      "detections": int((scores >= 0.5).sum())}
            producer.produce(args.out_topic, key=msg.key(), value=json.dumps(answer).encode())
            producer.poll(0)
            done += 1
            now = time.perf_counter()
            if first is None:
                first = now  # the clock starts after the first frame: fetch start-up is not the model
            last = now
    producer.flush(10)
    consumer.close()
    fps = (done - 1) / (last - first) if done > 1 and last > first else 0.0
    return {"mode": "consume", "frames": done, "fps": fps, "threads": args.threads}


def scores_of(out):
    """The one image's scores: the output is flat (boxes, scores, labels per image) or grouped by kind."""
    if out and isinstance(out[0], (list, tuple)):
        return out[1][0]
    return out[len(out) // 3]


def finetune(args):
    torch.set_num_threads(args.threads)
    meta = json.load(open(os.path.join(args.model, "model.json")))
    model = torch.jit.load(os.path.join(args.model, "model.pt"), map_location="cpu")
    model.train()
    frozen = meta.get("frozenPrefixes") or ["model.backbone.body.0."]
    heads, backbone = [], []
    for name, p in model.named_parameters():
        p.requires_grad_(not any(name.startswith(f) for f in frozen))
        if p.requires_grad:
            (backbone if name.startswith("model.backbone.body.") else heads).append(p)
    opt = torch.optim.SGD([{"params": heads}, {"params": backbone, "lr": args.lr * 0.1}], lr=args.lr, momentum=0.9,
                          weight_decay=1e-4)
    images = [to_tensor(f) for f in load_frames(args.frames, args.batch * args.steps)]
    label = meta["classes"].index(args.label)
    times = []
    for step in range(args.steps + args.warmup):
        batch = [images[(step * args.batch + i) % len(images)] for i in range(args.batch)]
        boxes = [torch.tensor(box_set(img), dtype=torch.float32) for img in batch]
        labels = [torch.full((len(b),), label, dtype=torch.int64) for b in boxes]
        t0 = time.perf_counter()
        opt.zero_grad()
        losses = model.losses(batch, boxes, labels)
        total = sum(losses.values())
        total.backward()
        opt.step()
        if step >= args.warmup:
            times.append(time.perf_counter() - t0)
    return {"mode": "finetune", "steps": len(times), "batch": args.batch, "msPerStep": 1000 * statistics.median(times),
            "threads": args.threads}


def box_set(img):
    """Two upright person-sized boxes, the same ones the Java side uses (see bench.FineTuneBench)."""
    h, w = img.shape[1], img.shape[2]
    return [[0.20 * w, 0.30 * h, 0.28 * w, 0.75 * h], [0.60 * w, 0.25 * h, 0.68 * w, 0.70 * h]]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["raw", "engines", "consume", "finetune"])
    ap.add_argument("--model", required=True)
    ap.add_argument("--frames", required=True, help="folder of JPEG frames (the bench writes build/bench/frames)")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--count", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--bootstrap", default="localhost:9092")
    ap.add_argument("--topic", default="bench.python.frames")
    ap.add_argument("--out-topic", default="bench.python.detections")
    ap.add_argument("--group", default="bench-python")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--lr", type=float, default=0.005)
    ap.add_argument("--label", default="person")
    ap.add_argument("--rounds", type=int, default=3, help="engines: timed passes over the frames")
    ap.add_argument("--frozen", help="engines: a frozen copy of the model (lookout_model.export_frozen --no-optimize)")
    ap.add_argument("--frozen-optimized", help="engines: a frozen and optimize_for_inference copy (lookout_model.export_frozen)")
    ap.add_argument("--teacher", help="engines: the CenterNet teacher's folder (centernet.json/.bin)")
    args = ap.parse_args()
    result = {"raw": raw, "engines": engines, "consume": consume, "finetune": finetune}[args.mode](args)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
