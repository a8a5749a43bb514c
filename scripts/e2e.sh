#!/usr/bin/env bash
# End-to-end smoke test with third-party peers, as an operator would run it:
# the embedded broker, the service with a real model, kcat as camera and as consumer,
# a real Prometheus scraping /q/metrics. Exits non-zero on any failed expectation.
#   scripts/e2e.sh [MODEL_DIR]     (default: models/default, else build/models/tiny)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$HERE"
MODEL=${1:-}
if [ -z "$MODEL" ]; then
  if [ -f models/default/model.pt ]; then MODEL=models/default; else MODEL=build/models/tiny; fi
fi
VIDEO=/usr/share/doc/opencv-doc/examples/data/vtest.avi
WORK=$(mktemp -d /tmp/lookout-e2e.XXXX)
KPORT=$((20000 + RANDOM % 10000)); HPORT=$((30000 + RANDOM % 10000)); PPORT=$((40000 + RANDOM % 10000))
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
fail() { echo "e2e: FAIL: $*"; for f in "$WORK"/*.log; do echo "--- $f"; tail -n 30 "$f"; done; exit 1; }
wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local t=$1 what=$2; shift 2
  for _ in $(seq "$t"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  fail "timed out after ${t}s waiting for $what"
}

./lookout --help >/dev/null   # builds once, before timings start
echo "e2e: broker on $KPORT, service on $HPORT, prometheus on $PPORT, model $MODEL"
./lookout broker --port "$KPORT" --data-dir "$WORK/kafka" > "$WORK/broker.log" 2>&1 & pids+=($!)
wait_for 60 "broker" grep -q "ready" "$WORK/broker.log"

KAFKA_BOOTSTRAP_SERVERS=localhost:$KPORT LOOKOUT_MODEL_DIR=$MODEL QUARKUS_HTTP_PORT=$HPORT \
  ./lookout serve > "$WORK/serve.log" 2>&1 & pids+=($!)
wait_for 240 "service readiness" curl -sf "http://localhost:$HPORT/q/health/ready"
echo "e2e: service ready"

# a camera, as any producer would: kcat with JPEG frames cut from the demo video, plus junk
ffmpeg -loglevel error -i "$VIDEO" -frames:v 10 -q:v 3 "$WORK/f%03d.jpg"
now=$(date +%s%3N)
for i in $(seq 1 10); do
  kcat -P -b "localhost:$KPORT" -t lookout.frames -k cam-e2e -H "lookout.seq=$i" -H "lookout.ts=$now" \
    "$WORK/f$(printf %03d "$i").jpg"
done
head -c 3000 /dev/urandom > "$WORK/junk.bin"
kcat -P -b "localhost:$KPORT" -t lookout.frames -k cam-e2e -H "lookout.seq=11" "$WORK/junk.bin"

# no -e: the detections may not all be committed yet when kcat starts, and -e would exit at that end
kcat -C -b "localhost:$KPORT" -t lookout.detections -o beginning -c 10 -q -X isolation.level=read_committed \
  > "$WORK/detections.jsonl" 2> "$WORK/kcat-det.log" &
kpid=$!; pids+=($kpid)
# sh -c: the line count must be taken on every try, not once when wait_for is called
wait_for 120 "10 detection records" sh -c "test \$(wc -l < '$WORK/detections.jsonl') -ge 10"
wait $kpid || true
kcat -C -b "localhost:$KPORT" -t lookout.frames.dlq -o beginning -c 1 -e -q -X isolation.level=read_committed \
  -f '%k %h\n' > "$WORK/dlq.txt" 2>/dev/null || true
/usr/bin/python3 - "$WORK/detections.jsonl" "$WORK/dlq.txt" <<'PY' || fail "contract check"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert len(recs) == 10, f"expected 10 detection records, got {len(recs)}"
seqs = sorted(r["seq"] for r in recs)
assert seqs == list(range(1, 11)), f"seq {seqs}"
for r in recs:
    assert r["camera"] == "cam-e2e" and r["width"] == 768 and r["height"] == 576, r
    assert r["status"] in ("ok", "skipped"), r
    for d in r.get("detections", []):
        x1, y1, x2, y2 = d["box"]
        assert 0 <= x1 < x2 <= 768 and 0 <= y1 < y2 <= 576 and 0 <= d["score"] <= 1, d
people = sum(len(r.get("detections", [])) for r in recs)
dlq = open(sys.argv[2]).read()
assert "lookout.dlq.reason=unknown-format" in dlq, f"dlq headers: {dlq!r}"
print(f"e2e: 10 detection records (seq 1..10, {people} detections), junk frame dead-lettered: {dlq.strip()}")
PY

# a real Prometheus scraping the real app
cat > "$WORK/prometheus.yml" <<YML
global: {scrape_interval: 1s}
scrape_configs:
  - job_name: lookout
    metrics_path: /q/metrics
    static_configs: [{targets: ["localhost:$HPORT"]}]
YML
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/prom" \
  --web.listen-address="127.0.0.1:$PPORT" > "$WORK/prometheus.log" 2>&1 & pids+=($!)
q() { curl -sf "http://127.0.0.1:$PPORT/api/v1/query" --data-urlencode "query=$1"; }
wait_for 60 "prometheus to scrape lookout" sh -c "q() { curl -sf http://127.0.0.1:$PPORT/api/v1/query --data-urlencode \"query=\$1\"; }; q 'sum(lookout_frames_in_total)' | grep -q '\"11\"'"
echo "e2e: prometheus scraped lookout_frames_in_total = 11"

# the Grafana dashboard must only query metrics the app really exports
curl -sf "http://localhost:$HPORT/q/metrics" > "$WORK/metrics.txt"
/usr/bin/python3 scripts/check_static.py --metrics "$WORK/metrics.txt" || fail "dashboard queries metrics the app does not export"
echo "e2e: PASS"
