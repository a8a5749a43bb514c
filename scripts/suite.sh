#!/usr/bin/env bash
# The generalisation suite: scores model artifacts on every held-out set (TUD-Stadtmitte, far-view
# mosaics, person-mix test, coco128 val2017, the USC/TUD-Campus hold-out) beside the COCO CenterNet
# teacher, in one run, and prints one table with the minimum over sets and ms per 768x576 frame.
#   scripts/suite.sh [--model DIR ...] [--every N] [--json OUT] [--markdown OUT]   (default: models/default)
# Needs scripts/setup.sh (Debian torch, the CenterNet weights) and the data in $LOOKOUT_DATA_DIR
# (default ../shared/data). About 6 minutes for one model on 2 cores.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
export PYTHONPATH="$ROOT/model${PYTHONPATH:+:$PYTHONPATH}" OMP_WAIT_POLICY=PASSIVE
args=("$@")
printf '%s\n' "${args[@]}" | grep -q -- '--model' || args=(--model models/default "${args[@]}")
exec scripts/py -m lookout_model.suite "${args[@]}"
