"""Reference outputs of a saved artifact, for the Java parity test.

  scripts/py -m lookout_model.reference --model DIR --image IMG.png --out ref.json
"""
import argparse
import json

import numpy as np
import torch
from PIL import Image


def load_image(path: str) -> torch.Tensor:
    """PIL decode -> float32 CHW RGB in [0,1] (the artifact's input format)."""
    img = Image.open(path).convert("RGB")
    a = np.asarray(img, dtype=np.float32) / 255.0
    return torch.from_numpy(a).permute(2, 0, 1).contiguous()


def run(model_dir: str, image: str):
    m = torch.jit.load(f"{model_dir}/model.pt", map_location="cpu")
    m.eval()
    x = load_image(image)
    with torch.no_grad():
        boxes, scores, labels = m([x])
    return {
        "image": image.split("/")[-1],
        "width": int(x.shape[2]),
        "height": int(x.shape[1]),
        "boxes": boxes[0].tolist(),
        "scores": scores[0].tolist(),
        "labels": labels[0].tolist(),
    }


def main(argv=None):
    ap = argparse.ArgumentParser(prog="lookout_model.reference", description=__doc__)
    ap.add_argument("--model", required=True)
    ap.add_argument("--image", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    torch.set_num_threads(2)
    res = run(a.model, a.image)
    with open(a.out, "w") as f:
        json.dump(res, f)
    print(f"{len(res['scores'])} detections -> {a.out}")


if __name__ == "__main__":
    main()
