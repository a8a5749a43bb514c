#!/usr/bin/env bash
# Detector throughput under saturation: an embedded broker, the service, and CAMERAS cameras sending
# the demo video as fast as Kafka takes it; measures answered frames/s over WINDOW seconds once
# saturated, plus mean batch size, inference time per batch and end-to-end p50/p99 (Prometheus).
#   scripts/bench-service.sh [MODEL_DIR] [BATCH_MAX_SIZE=4] [CAMERAS=4] [WINDOW=60]
# Extra env (LOOKOUT_STREAM_THREADS, LOOKOUT_WORKERS_PER_DEVICE...) is passed to the service. Every frame is
# analysed (a backlog's throughput); ./lookout bench measures the default latest-frame policy.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$HERE"
MODEL=${1:-build/models/tiny}; BATCH=${2:-4}; CAMERAS=${3:-4}; WINDOW=${4:-60}
VIDEO=/usr/share/doc/opencv-doc/examples/data/vtest.avi
WORK=$(mktemp -d /tmp/lookout-bench.XXXX)
read -r KPORT HPORT MPORT < <(scripts/py scripts/free-ports.py 3)
./lookout --help >/dev/null 2>&1
# metrics need a user with role metrics (docs/security.md): one for this run, in its own users file
export LOOKOUT_AUTH_USERS_FILE="$WORK/users"
PW=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
echo "$PW" | ./lookout users add bench --role metrics --password-stdin > /dev/null
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
scrape() { curl -sf -u "bench:$PW" "http://localhost:$MPORT/q/metrics"; }
metric() { scrape | awk -v m="$1" '$1 ~ "^"m {s += $2} END {print s + 0}'; }

./lookout broker --port "$KPORT" > "$WORK/broker.log" 2>&1 & pids+=($!)
for _ in $(seq 60); do grep -q ready "$WORK/broker.log" && break; sleep 1; done
KAFKA_BOOTSTRAP_SERVERS=localhost:$KPORT LOOKOUT_MODEL_DIR=$MODEL QUARKUS_HTTP_PORT=$HPORT QUARKUS_MANAGEMENT_PORT=$MPORT \
  LOOKOUT_BATCH_MAX_SIZE=$BATCH LOOKOUT_MAX_FRAME_AGE=1h LOOKOUT_SCHEDULING="${LOOKOUT_SCHEDULING:-every-frame}" ./lookout serve > "$WORK/serve.log" 2>&1 & pids+=($!)
for _ in $(seq 240); do curl -sf "http://localhost:$MPORT/q/health/ready" >/dev/null && break; sleep 1; done
grep "lookout serving" "$WORK/serve.log"
: > "$WORK/cameras.conf"
for c in $(seq 1 "$CAMERAS"); do echo "bench-$c $VIDEO loop as-fast-as-possible" >> "$WORK/cameras.conf"; done
./lookout camera --bootstrap-servers "localhost:$KPORT" --config "$WORK/cameras.conf" --status-interval 0 > "$WORK/camera.log" 2>&1 & pids+=($!)
sleep 20   # let the backlog build: every stream thread busy
o0=$(metric 'lookout_frames_out_total'); b0=$(metric 'lookout_batch_size_count'); s0=$(metric 'lookout_batch_size_sum')
i0=$(metric 'lookout_inference_seconds_sum'); t0=$(date +%s.%N)
sleep "$WINDOW"
o1=$(metric 'lookout_frames_out_total'); b1=$(metric 'lookout_batch_size_count'); s1=$(metric 'lookout_batch_size_sum')
i1=$(metric 'lookout_inference_seconds_sum'); t1=$(date +%s.%N)
p=$(scrape | grep '^lookout_latency_end_to_end_seconds{quantile')
scripts/py - "$o0" "$o1" "$b0" "$b1" "$s0" "$s1" "$i0" "$i1" "$t0" "$t1" "$BATCH" "$CAMERAS" <<'PY'
import sys
o0, o1, b0, b1, s0, s1, i0, i1, t0, t1 = map(float, sys.argv[1:11])
batch, cams = sys.argv[11], sys.argv[12]
dt = t1 - t0; n = b1 - b0
print(f"bench: max batch {batch}, {cams} cameras: {(o1 - o0) / dt:.1f} frames/s answered over {dt:.0f} s; "
      f"mean batch {(s1 - s0) / max(n, 1):.2f}; inference {1000 * (i1 - i0) / max(n, 1):.0f} ms/batch, "
      f"{1000 * (i1 - i0) / max(s1 - s0, 1):.0f} ms/frame")
PY
echo "bench: end-to-end (since start, includes backlog) $p" | tr '\n' ' '; echo
