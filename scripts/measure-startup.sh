#!/usr/bin/env bash
# Detector start-up and recovery, "before" and "after" variants interleaved in one run: an embedded
# broker, two cameras (kcat, 5 frames/s together) and `lookout serve` on MODEL_DIR. Each round and
# variant: a start (process start -> /q/health/ready answers 200), then, with answers flowing, a
# SIGKILL and an immediate restart under the same instance id and state folder (kill -> ready, kill ->
# the first new answer a read_committed consumer of lookout.detections sees). Run it under
# alone on the machine: it times things.
#   scripts/measure-startup.sh [MODEL_DIR=models/default] [ROUNDS=2]
# Variants (env of the serve process; override with BEFORE_ENV / AFTER_ENV):
#   before: every batch size warmed up before the detector takes frames (lookout.batch.warm-before-ready=4);
#           BEFORE_HOME=DIR runs DIR's ./lookout instead (another checkout, e.g. the commit before a change:
#           `git archive REV | tar -x -C DIR && (cd DIR && mvn -q -o -DskipTests package)`)
#   after:  batch size 1 warmed first, the rest while idle (lookout.batch.warm-before-ready=1)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$HERE"
MODEL=${1:-models/default}; ROUNDS=${2:-2}
case $MODEL in /*) ;; *) MODEL=$HERE/$MODEL ;; esac
BEFORE_ENV=${BEFORE_ENV:-"LOOKOUT_BATCH_WARM_BEFORE_READY=4"}
AFTER_ENV=${AFTER_ENV:-"LOOKOUT_BATCH_WARM_BEFORE_READY=1"}
BEFORE_HOME=${BEFORE_HOME:-$HERE}
VIDEO=/usr/share/doc/opencv-doc/examples/data/vtest.avi
WORK=$(mktemp -d /tmp/lookout-startup.XXXX)
read -r KPORT HPORT MPORT < <(scripts/py scripts/free-ports.py 3)
B=localhost:$KPORT
pids=()
serve_pid=
cleanup() {
  [ -n "$serve_pid" ] && kill -9 "$serve_pid" 2>/dev/null || true
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
now() { date +%s.%N; }
secs() { scripts/py -c "print(f'{$2 - $1:.1f}')"; }

./lookout --help >/dev/null 2>&1   # builds the app if needed, outside the timings
./lookout broker --port "$KPORT" --data-dir "$WORK/kafka" > "$WORK/broker.log" 2>&1 & pids+=($!)
for _ in $(seq 60); do grep -q ready "$WORK/broker.log" && break; sleep 1; done
if [ -f "$VIDEO" ]; then
  ffmpeg -loglevel error -i "$VIDEO" -frames:v 1 -q:v 3 "$WORK/frame.jpg"
else
  cp build/models/tiny/test.png "$WORK/frame.jpg"
fi
# two cameras, 5 frames/s together, capture time now; frames wait in Kafka while no detector runs
( seq=0; while :; do seq=$((seq + 1)); cam=startup-cam-$((seq % 2))
    kcat -P -b "$B" -t lookout.frames -k "$cam" -H "lookout.seq=$seq" -H "lookout.ts=$(date +%s%3N)" "$WORK/frame.jpg" 2>/dev/null || true
    sleep 0.2; done ) & pids+=($!)

# starts serve with the variant's env; sets serve_pid
serve() {
  local variant=$1 log=$2 envs home=$HERE
  envs=$([ "$variant" = before ] && echo "$BEFORE_ENV" || echo "$AFTER_ENV")
  [ "$variant" = before ] && home=$BEFORE_HOME
  env $envs KAFKA_BOOTSTRAP_SERVERS="$B" LOOKOUT_MODEL_DIR="$MODEL" QUARKUS_HTTP_PORT="$HPORT" QUARKUS_MANAGEMENT_PORT="$MPORT" LOOKOUT_MODELS_WATCH=false \
    LOOKOUT_LIVE_ENABLED=false LOOKOUT_INSTANCE_ID="startup-$variant" LOOKOUT_STATE_DIR="$WORK/state" \
    "$home/lookout" serve > "$log" 2>&1 &
  serve_pid=$!
}
await_ready() {
  for _ in $(seq 1200); do
    # the management port: the HTTP port answers with a redirect to its login page, which curl -f accepts
    curl -sf "http://localhost:$MPORT/q/health/ready" >/dev/null 2>&1 && { now; return; }
    kill -0 "$serve_pid" 2>/dev/null || { echo "serve exited: $(tail -5 "$1")" >&2; exit 1; }
    sleep 0.1
  done
  echo "not ready within 120 s: $(tail -5 "$1")" >&2; exit 1
}

results=()
for r in $(seq 1 "$ROUNDS"); do
  for variant in before after; do
    log=$WORK/serve-$variant-$r.log
    t0=$(now); serve "$variant" "$log"; ready=$(await_ready "$log")
    sleep 6   # answers flowing
    # the first answer a read_committed reader sees after the kill
    timeout 120 kcat -C -b "$B" -t lookout.detections -o end -c 1 -X isolation.level=read_committed -e -q \
      > /dev/null 2>&1 & reader=$!
    sleep 1
    kill -9 "$serve_pid"; tk=$(now)
    serve "$variant" "$log.restart"; ready2=$(await_ready "$log.restart")
    wait "$reader" || true; back=$(now)
    line=$(grep -o "loaded on [0-9]* worker(s) .*warmed up in [0-9]* ms" "$log.restart" | head -1)
    results+=("$variant round $r: start -> ready $(secs "$t0" "$ready") s; SIGKILL -> ready $(secs "$tk" "$ready2") s, -> first answer $(secs "$tk" "$back") s ($line)")
    echo "${results[-1]}"
    sleep 4
    kill "$serve_pid"; wait "$serve_pid" 2>/dev/null || true; serve_pid=
  done
done
echo "startup: model $MODEL, before=[$BEFORE_HOME $BEFORE_ENV] after=[$HERE $AFTER_ENV], JAVA_OPTS=[${JAVA_OPTS:-}]"
printf 'startup: %s\n' "${results[@]}"
