"""Draws a model's detections on an image or on a frame of a video (PNG out): the README's picture.

  scripts/py -m lookout_model.draw --model models/default --video /usr/share/doc/opencv-doc/examples/data/vtest.avi \
      --frame 300 --out docs/img/demo-frame.png [--threshold 0.5]
"""
import argparse
import os
import subprocess
import tempfile

import torch
from PIL import Image, ImageDraw

from .datasets import load_image


def grab_frame(video: str, index: int, out_png: str) -> None:
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", video, "-vf", f"select=eq(n\\,{index})",
                    "-vframes", "1", out_png], check=True)


def draw(image_path: str, model, threshold: float, out: str, title: str = "") -> int:
    x = load_image(image_path)
    with torch.no_grad():
        boxes, scores, _ = model([x])
    img = Image.open(image_path).convert("RGB")
    d = ImageDraw.Draw(img)
    n = 0
    for (x1, y1, x2, y2), s in zip(boxes[0].tolist(), scores[0].tolist()):
        if s < threshold:
            continue
        n += 1
        d.rectangle([x1, y1, x2, y2], outline=(0, 255, 80), width=2)
        d.text((x1 + 2, max(0, y1 - 11)), f"{s:.2f}", fill=(0, 255, 80))
    if title:
        d.rectangle([0, 0, img.width, 14], fill=(0, 0, 0))
        d.text((4, 1), f"{title}: {n} people, score >= {threshold}", fill=(255, 255, 255))
    img.save(out)
    return n


def main(argv=None):
    ap = argparse.ArgumentParser(prog="lookout_model.draw", description=__doc__)
    ap.add_argument("--model", default="models/default")
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--image")
    src.add_argument("--video")
    ap.add_argument("--frame", type=int, default=0, help="frame index in --video (0-based)")
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--title", default="")
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    torch.set_num_threads(2)
    model = torch.jit.load(os.path.join(a.model, "model.pt")).eval()
    with tempfile.TemporaryDirectory() as tmp:
        path = a.image
        if a.video:
            path = os.path.join(tmp, "frame.png")
            grab_frame(a.video, a.frame, path)
        n = draw(path, model, a.threshold, a.out, a.title)
    print(f"{a.out}: {n} detections at score >= {a.threshold}")


if __name__ == "__main__":
    main()
