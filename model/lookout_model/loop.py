"""The retraining loop measured as a user meets it, through Kafka and the service, per camera:

  1. a broker, `./lookout serve` (every-frame scheduling, hot swap on) and `./lookout trainer`;
  2. every camera's first part imported into lookout.labels (`./lookout labels import`), beside two
     general "cameras" (person-mix test, coco128 val2017) whose held-out frames, with those of the
     other measured cameras, are the general holdout of the trainer's gate;
  3. per camera: its later frames sent to lookout.frames and scored from lookout.detections (before),
     ONE default retrain (`{"command":"retrain","camera":C}`: no epochs, no lr), the hot swap
     awaited, the later frames scored again (after; for a model published for the camera alone, another
     camera's later frames too: they must still get the general model), then a rollback (general, or of
     the camera's own pointer) so every camera starts from the default model;
  4. results.json (per camera: AP50/AP before and after on the later frames, the gate's camera and
     general-holdout figures from the `evaluated` event, the outcome) and loop.png.

  scripts/py -m lookout_model.loop [--cameras tud-stadtmitte,usc-b,fv-tud-stadtmitte,...]
      [--model models/default] [--work DIR] [--port N]

Cameras and their parts are lookout_model.adapt's (first part labelled, the rest scored). Detections
are published at score >= 0.05 for the measurement (LOOKOUT_SCORE_THRESHOLD; AP needs the low-score
tail); far-view people under 25 px are ignore regions, as in the suite. Images of the parts are
written under --work (outside the repository) as YOLO folders; the data itself is never copied into
the repository.
"""
import argparse
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from typing import Dict, List, Optional

import numpy as np

from . import datasets as ds
from .adapt import camera_parts
from .evaluate import coco_ap

REPO = ds.REPO
LOOKOUT = os.path.join(REPO, "lookout")
GENERAL = [("person-mix", "person-mix/test"), ("coco", "coco128/images/val2017")]
DEFAULT_CAMERAS = "tud-stadtmitte,usc-b,fv-tud-stadtmitte,fv-tud-campus,fv-usc-b,fv-lobby"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def encoded(sample: Dict) -> bytes:
    """The frame as a camera would send it: the original JPEG bytes, else lossless PNG."""
    if "image" not in sample and sample["path"].lower().endswith((".jpg", ".jpeg")):
        with open(sample["path"], "rb") as f:
            return f.read()
    from PIL import Image
    img = sample["image"].permute(1, 2, 0).numpy() if "image" in sample else \
        np.asarray(Image.open(sample["path"]).convert("RGB"))
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="PNG")
    return buf.getvalue()


def write_yolo(samples: List[Dict], folder: str) -> None:
    """A YOLO split of the samples (images + labels + data.yaml) for `./lookout labels import`."""
    os.makedirs(os.path.join(folder, "images"), exist_ok=True)
    os.makedirs(os.path.join(folder, "labels"), exist_ok=True)
    with open(os.path.join(folder, "data.yaml"), "w") as f:
        f.write("names: ['person']\n")
    for i, s in enumerate(samples):
        data = encoded(s)
        ext = ".jpg" if data[:2] == b"\xff\xd8" else ".png"
        stem = f"{i:04d}"
        with open(os.path.join(folder, "images", stem + ext), "wb") as f:
            f.write(data)
        from PIL import Image
        w, h = Image.open(io.BytesIO(data)).size
        with open(os.path.join(folder, "labels", stem + ".txt"), "w") as f:
            for x1, y1, x2, y2 in s["boxes"]:
                f.write(f"0 {(x1 + x2) / 2 / w:.6f} {(y1 + y2) / 2 / h:.6f} {(x2 - x1) / w:.6f} {(y2 - y1) / h:.6f}\n")


def wait_ready(url: str, timeout: float) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except Exception:
            pass
        time.sleep(2)
    raise TimeoutError(f"{url} not ready after {timeout:.0f} s")


class Loop:
    def __init__(self, work: str, port: int, model: str):
        self.work = work
        self.bs = f"localhost:{port}"
        self.model = model
        self.procs: List[subprocess.Popen] = []
        self.seq = 0
        self.closers = []

    # ------------------------------------------------------------------ processes

    def start(self, name: str, args: List[str], env: Optional[Dict[str, str]] = None, ready: Optional[str] = None,
              timeout: float = 300) -> subprocess.Popen:
        out = open(os.path.join(self.work, f"{name}.log"), "w")
        p = subprocess.Popen([LOOKOUT] + args, cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
                             env={**os.environ, **(env or {})}, start_new_session=True)
        self.procs.append(p)
        if ready:
            deadline = time.time() + timeout
            while ready not in open(os.path.join(self.work, f"{name}.log")).read():
                if p.poll() is not None or time.time() > deadline:
                    raise RuntimeError(f"{name} did not get ready (see {self.work}/{name}.log)")
                time.sleep(1)
        return p

    def cli(self, *args: str) -> str:
        r = subprocess.run([LOOKOUT, *args, "--bootstrap-servers", self.bs], cwd=REPO, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"./lookout {' '.join(args)} failed: {r.stdout[-2000:]} {r.stderr[-2000:]}")
        return r.stdout

    def stop(self) -> None:
        for close in self.closers:
            close()
        for p in reversed(self.procs):
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in reversed(self.procs):
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)

    # ------------------------------------------------------------------ Kafka

    def events(self):
        from confluent_kafka import Consumer, TopicPartition
        c = Consumer({"bootstrap.servers": self.bs, "group.id": f"loop-events-{time.time()}",
                      "isolation.level": "read_committed", "enable.auto.commit": False})
        c.assign([TopicPartition("lookout.events", 0, 0)])
        return c

    def wait_event(self, consumer, match, timeout: float) -> Dict:
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = consumer.poll(1.0)
            if m is None or m.error() or m.value() is None:
                continue
            e = json.loads(m.value())
            if match(e):
                return e
        raise TimeoutError("event not seen in time")

    def score(self, camera: str, samples: List[Dict], in_flight: int = 6) -> Dict:
        """Sends the frames as camera `camera`, reads their detections records, scores them."""
        from confluent_kafka import Consumer, Producer, TopicPartition
        prod = Producer({"bootstrap.servers": self.bs, "enable.idempotence": True})
        cons = Consumer({"bootstrap.servers": self.bs, "group.id": f"loop-dets-{time.time()}",
                         "isolation.level": "read_committed", "enable.auto.commit": False,
                         "auto.offset.reset": "earliest"})
        meta = cons.list_topics("lookout.detections", timeout=30)
        if not meta.topics["lookout.detections"].partitions:
            raise RuntimeError("lookout.detections has no partitions: is the detector ready?")
        cons.assign([TopicPartition("lookout.detections", p, 0) for p in meta.topics["lookout.detections"].partitions])
        first = self.seq + 1
        want = {first + i: s for i, s in enumerate(samples)}
        got: Dict[int, Dict] = {}
        sent = 0
        t0 = time.time()
        while len(got) < len(want):
            while sent < len(samples) and sent - len(got) < in_flight:
                seq = first + sent
                prod.produce("lookout.frames", key=camera, value=encoded(samples[sent]),
                             headers=[("lookout.seq", str(seq)), ("lookout.ts", str(int(time.time() * 1000)))])
                sent += 1
            prod.flush(30)
            m = cons.poll(1.0)
            if time.time() - t0 > 60 + 20 * len(samples):
                raise TimeoutError(f"{len(got)}/{len(want)} detections records for {camera}")
            if m is None or m.error() or m.value() is None or m.key() is None or m.key().decode() != camera:
                continue
            r = json.loads(m.value())
            if r.get("seq") in want:
                got[r["seq"]] = r
        cons.close()
        self.seq = first + len(samples)
        statuses = sorted({r["status"] for r in got.values()})
        versions = sorted({r["model"]["version"] for r in got.values()})
        dets, gts, igns = [], [], []
        for seq, s in want.items():
            r = got[seq]
            b = np.array([d["box"] for d in r["detections"] if d["label"] == "person"], dtype=np.float64).reshape(-1, 4)
            sc = np.array([d["score"] for d in r["detections"] if d["label"] == "person"], dtype=np.float64)
            dets.append({"boxes": b, "scores": sc})
            gts.append(s["boxes"])
            igns.append(s.get("ignore", np.zeros((0, 4), dtype=np.float32)))
        res = {k: round(v, 4) for k, v in coco_ap(dets, gts, igns).items()}
        res.update(frames=len(samples), statuses=statuses, modelVersions=versions, seconds=round(time.time() - t0))
        return res


def resident_mb(pid: int) -> Optional[float]:
    """A process's resident memory (MB, from /proc), or None where there is no /proc."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def plot(results: Dict, out: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    cams = list(results["cameras"])
    x = np.arange(len(cams))
    fig, ax = plt.subplots(figsize=(max(7, 1.6 * len(cams) + 2), 5.2))
    w = 0.2
    vals = [[results["cameras"][c].get(k, {}).get("ap50", np.nan) for c in cams] for k in ("before", "after")]
    def others(c, k):
        """The other cameras before (k="current") and after: the general holdout where the gate scored one,
        else (a model for this camera alone, camera-first) another camera's later frames through the service."""
        r = results["cameras"][c]
        g = (r.get("gate") or {}).get("general") or {}
        if g.get("current"):
            if k == "candidate" and (r.get("outcome") != "published" or r.get("scope") == "camera"):
                k = "current"  # refused, or published for its camera alone: the other cameras keep the current model
            return g[k]["ap50"] if g.get(k) else np.nan
        o = r.get("otherCamera")
        if not o:
            return np.nan
        return results["cameras"][o["camera"]]["before"]["ap50"] if k == "current" else o["ap50"]
    gen = [[others(c, k) for c in cams] for k in ("current", "candidate")]
    for off, v, label, colour in ((-1.5, vals[0], "camera, later frames: before", "#9ecae1"),
                                  (-0.5, vals[1], "camera, later frames: after one default retrain", "#08519c"),
                                  (0.5, gen[0], "other cameras: before (general holdout, or another camera's later frames)", "#fdd0a2"),
                                  (1.5, gen[1], "other cameras: after (what they are served meanwhile)", "#d94801")):
        bars = ax.bar(x + off * w, v, w, label=label, color=colour)
        ax.bar_label(bars, fmt="%.3f", fontsize=6, rotation=90, padding=2)
    for i, c in enumerate(cams):
        outcome = results["cameras"][c].get("outcome", "?")
        if results["cameras"][c].get("scope") == "camera":
            outcome += "\n(for this camera)"
        conf = (results["cameras"][c].get("gate") or {}).get("confidence")
        if conf is not None:  # the share of paired resamples of its holdout the candidate won
            outcome += f"\nholdout sure: {conf:.2f}"

        ax.text(x[i], 1.13, outcome, ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x)
    ax.set_xticklabels(cams, rotation=15)
    ax.set_ylim(0, 1.12)
    ax.set_xlim(-0.6, len(cams) - 0.4)
    ax.set_ylabel("AP50")
    ax.set_title("One default retrain per camera, through Kafka and the service", pad=44)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=1)
    fig.tight_layout()
    fig.savefig(out, dpi=110)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="lookout_model.loop", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cameras", default=DEFAULT_CAMERAS)
    ap.add_argument("--model", default=os.path.join(REPO, "models/default"))
    ap.add_argument("--work", help="where logs, label folders and results go (default: a new temp dir)")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--general-every", type=int, default=2,
                    help="import every Nth image of the general sets; 0: none (a fresh installation, one camera labelled)")
    ap.add_argument("--retrain-timeout-min", type=float, default=120)
    a = ap.parse_args(argv)
    work = a.work or tempfile.mkdtemp(prefix="lookout-loop-")
    os.makedirs(work, exist_ok=True)
    cams = [c for c in a.cameras.split(",") if c]
    loop = Loop(work, a.port or free_port(), os.path.abspath(a.model))
    results: Dict = {"model": loop.model, "cameras": {}, "work": work,
                     "command": "scripts/py -m lookout_model.loop " + " ".join(argv if argv is not None else sys.argv[1:])}
    res_path = os.path.join(work, "results.json")
    try:
        log(f"work dir {work}; broker on {loop.bs}")
        loop.start("broker", ["broker", "--port", loop.bs.split(":")[1], "--data-dir", os.path.join(work, "kafka")],
                   ready="broker ready", timeout=180)
        parts = {c: camera_parts(c) for c in cams}
        for c in cams:
            write_yolo(parts[c][0], os.path.join(work, "labels", c))
            log(f"{c}: importing {len(parts[c][0])} labelled frames (later frames: {len(parts[c][1])})")
            loop.cli("labels", "import", "--format", "yolo", os.path.join(work, "labels", c), "--camera", c)
        for name, sub in (GENERAL if a.general_every > 0 else []):
            samples = ds.yolo_split(sub)[::a.general_every]
            write_yolo(samples, os.path.join(work, "labels", name))
            log(f"{name}: importing {len(samples)} labelled frames (a general camera)")
            loop.cli("labels", "import", "--format", "yolo", os.path.join(work, "labels", name), "--camera", name)
        common = {"LOOKOUT_MODEL_DIR": loop.model, "OMP_WAIT_POLICY": "PASSIVE"}
        http, management = free_port(), free_port()
        serve = loop.start("serve", ["serve"], env={**common, "KAFKA_BOOTSTRAP_SERVERS": loop.bs,
                                             "LOOKOUT_SCHEDULING": "every-frame", "LOOKOUT_MAX_FRAME_AGE": "24h",
                                             "LOOKOUT_SCORE_THRESHOLD": "0.05", "QUARKUS_HTTP_PORT": str(http),
                                             "QUARKUS_MANAGEMENT_PORT": str(management),
                                             "LOOKOUT_STATE_DIR": os.path.join(work, "streams-state"),
                                             "LOOKOUT_MODELS_CACHE_DIR": os.path.join(work, "model-cache"),
                                             "LOOKOUT_INSTANCE_ID": "loop-detector"})
        loop.start("trainer", ["trainer", "--bootstrap-servers", loop.bs],
                   env={**common, "LOOKOUT_TRAINER_WORK_DIR": os.path.join(work, "trainer"),
                        "LOOKOUT_INSTANCE_ID": "loop-trainer",
                        # every camera is rolled back to version 1 after its measurement: keep it
                        "LOOKOUT_TRAINER_KEEP_VERSIONS": "100"})
        # health is on the management port (the HTTP port answers with a redirect to its login page)
        wait_ready(f"http://localhost:{management}/q/health/ready", 600)
        events = loop.events()
        loop.closers.append(events.close)
        for c in cams:
            first, rest = parts[c]
            r: Dict = {"labelled": len(first), "later": len(rest)}
            results["cameras"][c] = r
            log(f"{c}: scoring {len(rest)} later frames through the service (before)")
            r["before"] = loop.score(c, rest)
            log(f"{c}: before AP50 {r['before']['ap50']} AP {r['before']['ap']} (model {r['before']['modelVersions']})")
            r["detectorRssMbBefore"] = resident_mb(serve.pid)  # ./lookout execs the JVM
            cid = f"loop-{c}-{int(time.time())}"
            t0 = time.time()
            loop.cli("control", "send", json.dumps({"command": "retrain", "camera": c, "id": cid}))
            seen: Dict[str, Dict] = {}

            def outcome(e):
                if e.get("id") == cid:
                    seen[e["type"]] = e
                return e.get("id") == cid and e["type"] in ("published", "rejected", "failed")
            end = loop.wait_event(events, outcome, a.retrain_timeout_min * 60)
            r["outcome"] = end["type"]
            r["retrainSeconds"] = round(time.time() - t0)
            r["trainingStarted"] = seen.get("training-started")
            ev = seen.get("evaluated", {})
            r["gate"] = {"holdout": ev.get("holdout"), "current": ev.get("current"), "candidate": ev.get("candidate"),
                         "confidence": ev.get("confidence"), "general": ev.get("general")}
            r["end"] = end
            log(f"{c}: {end['type']} after {r['retrainSeconds']} s; gate {json.dumps(r['gate'])}")
            if end["type"] == "published":
                v = end["version"]
                r["scope"] = end.get("scope", "general")
                loop.wait_event(events, lambda e: e["type"] == "model-loaded" and e.get("version") == v, 600)
                log(f"{c}: version {v} serving ({r['scope']}); scoring the later frames again (after)")
                r["after"] = loop.score(c, rest)
                r["detectorRssMbAfter"] = resident_mb(serve.pid)  # a camera's own model: one more in memory
                log(f"{c}: after AP50 {r['after']['ap50']} AP {r['after']['ap']} (model {r['after']['modelVersions']})")
                others = [o for o in cams if o != c]
                if r["scope"] == "camera" and others:
                    # what the other cameras are served meanwhile, through the service: the general model
                    o = others[0]
                    r["otherCamera"] = {"camera": o, **loop.score(o, parts[o][1])}
                    log(f"{c}: meanwhile {o}'s later frames AP50 {r['otherCamera']['ap50']} "
                        f"(model {r['otherCamera']['modelVersions']})")
                # back to version 1 for every camera: a camera's own model is rolled back by camera
                back = {"command": "rollback", "camera": c} if r["scope"] == "camera" \
                    else {"command": "rollback", "version": "1"}
                loop.cli("control", "send", json.dumps({**back, "id": cid + "-back"}))
                loop.wait_event(events, lambda e: e["type"] == "model-loaded" and e.get("version") == "1", 600)
            else:
                r["after"] = r["before"]
            json.dump(results, open(res_path, "w"), indent=1)
        plot(results, os.path.join(work, "loop.png"))
        log(f"results: {res_path}, plot: {os.path.join(work, 'loop.png')}")
    finally:
        json.dump(results, open(res_path, "w"), indent=1)
        loop.stop()
    for c, r in results["cameras"].items():
        g = (r.get("gate") or {}).get("general") or {}
        print(f"{c:20s} later frames AP50 {r['before']['ap50']:.3f} -> {r['after']['ap50']:.3f} "
              f"(AP {r['before']['ap']:.3f} -> {r['after']['ap']:.3f}); {r.get('outcome')} {r.get('scope', '')}; "
              f"general holdout "
              f"{(g.get('current') or {}).get('ap50')} -> {(g.get('candidate') or {}).get('ap50')} "
              f"({g.get('holdout')} frames)")


if __name__ == "__main__":
    main()
