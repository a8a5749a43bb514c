"""Deterministic synthetic test PNG (no real data): `scripts/py -m lookout_model.testimage OUT.png`."""
import sys

import numpy as np
from PIL import Image, ImageDraw


def make(path: str, width: int = 320, height: int = 240, seed: int = 7) -> None:
    rng = np.random.RandomState(seed)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    bg = np.stack([60 + 80 * xx / width, 90 + 60 * yy / height, 120 + 40 * np.sin(xx / 23.0)], -1)
    img = Image.fromarray(np.clip(bg, 0, 255).astype(np.uint8), "RGB")
    d = ImageDraw.Draw(img)
    # tall "figures": head ellipse + body rectangle + legs
    for i in range(5):
        x = 20 + i * 60 + int(rng.randint(-8, 8))
        y = 60 + int(rng.randint(-20, 40))
        h = 70 + int(rng.randint(0, 50))
        w = h // 3
        col = tuple(int(c) for c in rng.randint(0, 255, 3))
        d.ellipse([x + w // 4, y, x + 3 * w // 4, y + w // 2], fill=(230, 190, 160))
        d.rectangle([x, y + w // 2, x + w, y + h * 2 // 3], fill=col)
        d.rectangle([x + 2, y + h * 2 // 3, x + w // 2 - 2, y + h], fill=(40, 40, 60))
        d.rectangle([x + w // 2 + 2, y + h * 2 // 3, x + w - 2, y + h], fill=(40, 40, 60))
    d.rectangle([0, 220, width, height], fill=(100, 100, 100))
    img.save(path, format="PNG")


if __name__ == "__main__":
    make(sys.argv[1])
