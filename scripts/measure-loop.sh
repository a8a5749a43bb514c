#!/usr/bin/env bash
# The retraining loop as a user meets it, per camera, through Kafka and the service: label a camera's
# first frames (./lookout labels import), ONE default retrain ({"command":"retrain","camera":C}),
# its later frames scored from lookout.detections before and after (every-frame scheduling), the
# trainer's general holdout (other cameras' held-out frames) beside it; results.json + loop.png.
#   scripts/measure-loop.sh [--cameras tud-stadtmitte,usc-b,fv-tud-stadtmitte,...] [--model DIR] [--work DIR]
# Cameras, parts and the far-view style: model/lookout_model/adapt.py; the run: model/lookout_model/loop.py.
# Heavy (a broker, a detector and a trainer, one retrain per camera): run it alone on a shared machine.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PYTHONPATH="$PWD/model${PYTHONPATH:+:$PYTHONPATH}" OMP_WAIT_POLICY=PASSIVE OPT_OUT_TRACKING=true
exec scripts/py -m lookout_model.loop "$@"
