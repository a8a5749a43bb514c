#!/usr/bin/env bash
# Builds the tiny random-init test models for the Java CI tests (deterministic, < 1 minute):
#   build/models/tiny/model.pt, model.json, test.png (synthetic), reference.json
#   build/models/tiny-rcnn/model.pt, model.json: the default model's two-stage design in small (frozen
#     stand-in teacher, trainable second proposal head with its own learning-rate factor, stage 2)
# Run from the repository root.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${1:-$ROOT/build/models/tiny}"
PY="$ROOT/scripts/py"   # lookout.python / LOOKOUT_PYTHON, with PYTHONPATH=model
"$PY" -m lookout_model.export --arch tiny --random --seed 0 --name lookout-tiny --version 1 --out "$OUT"
"$PY" -m lookout_model.testimage "$OUT/test.png"
"$PY" -m lookout_model.reference --model "$OUT" --image "$OUT/test.png" --out "$OUT/reference.json"
"$PY" -m lookout_model.export --arch tiny_rcnn --random --seed 0 --name lookout-tiny-rcnn --version 1 \
  --lr-factor model.backbone.prop2.=4 --out "$(dirname "$OUT")/tiny-rcnn"
