#!/usr/bin/env bash
# Measures what the retraining loop gains on a camera's own footage, end to end through Kafka:
# TUD-Stadtmitte frames 1-90 become the camera's labels, the trainer fine-tunes MODEL on them
# (its own 80/20 holdout gate decides), and AP50 is measured on frames 91-179 before and after.
#   scripts/measure-retraining.sh [MODEL_DIR] [EPOCHS] [LR]
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$HERE"
MODEL=${1:-models/default}
EPOCHS=${2:-3}
LR=${3:-0.005}
SEQ=${LOOKOUT_DATA_DIR:-../shared/data}/tud/TUD-Stadtmitte
PORT=${PORT:-29292}
OUT=build/measure-$(date +%H%M%S)
mkdir -p "$OUT"
B=localhost:$PORT
log() { echo "[$(date +%T)] $*"; }

log "broker on $B (data in $OUT/kafka)"
./lookout broker --port "$PORT" --data-dir "$OUT/kafka" > "$OUT/broker.log" 2>&1 &
BROKER=$!
TRAINER=
trap 'kill $TRAINER $BROKER 2>/dev/null || true' EXIT
until grep -q "broker ready" "$OUT/broker.log"; do sleep 1; done

log "before: $MODEL on frames 91-179"
./lookout eval --model "$MODEL" --format mot "$SEQ" --frames 91-179 --batch 2 --pr-curve "$OUT/before.png" \
  2>/dev/null | grep -v "INFO" | tee "$OUT/before.txt"

log "labels: frames 1-90"
./lookout labels import --format mot "$SEQ" --camera tud-stadtmitte --frames 1-90 --bootstrap-servers "$B" 2>/dev/null | grep -v INFO

log "trainer (base $MODEL)"
LOOKOUT_MODEL_DIR="$MODEL" LOOKOUT_TRAINER_WORK_DIR="$OUT/trainer" ./lookout trainer --bootstrap-servers "$B" > "$OUT/trainer.log" 2>&1 &
TRAINER=$!
START=$(date +%s)
./lookout control send "{\"command\":\"retrain\",\"epochs\":$EPOCHS,\"lr\":$LR,\"camera\":\"tud-stadtmitte\",\"id\":\"measure\"}" \
  --bootstrap-servers "$B" 2>/dev/null | grep -v INFO
./lookout control events --from-beginning --until published,rejected,failed --id measure --timeout PT60M \
  --bootstrap-servers "$B" 2>/dev/null | grep -v INFO | tee "$OUT/events.jsonl"
log "retrain wall time: $(( $(date +%s) - START )) s (labels sync, $EPOCHS epochs, holdout scoring of both models, publish)"
./lookout models list --bootstrap-servers "$B" 2>/dev/null | grep -v INFO | tee "$OUT/models.txt"

if grep -q '"type":"published","ts":[0-9]*,"source":"[^"]*","id":"measure"' "$OUT/events.jsonl"; then
  V=$(grep '"id":"measure"' "$OUT/events.jsonl" | grep '"type":"published"' | sed 's/.*"version":"\([0-9]*\)".*/\1/')
  ./lookout models fetch "$V" --out "$OUT/v$V" --bootstrap-servers "$B" 2>/dev/null | grep -v INFO
  log "after: version $V on frames 91-179"
  ./lookout eval --model "$OUT/v$V" --format mot "$SEQ" --frames 91-179 --batch 2 --pr-curve "$OUT/after.png" \
    2>/dev/null | grep -v "INFO" | tee "$OUT/after.txt"
else
  log "no new version published (see $OUT/events.jsonl)"
fi
log "results in $OUT"
