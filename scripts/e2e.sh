#!/usr/bin/env bash
# End-to-end test with third-party peers, as an operator would run it: the embedded broker, the
# service with a real model, kcat as camera and as consumer, a camera bridge replaying a video, the
# trainer, and a real Prometheus loading the project's own prometheus/ (scrape config and alert
# rules) that scrapes them all. Every Grafana panel query and every alert rule is evaluated through
# Prometheus's HTTP API: first with frames flowing, then after creating the conditions some of them
# need (scripts/check_prometheus.py lists them: a stalled camera, a burst, junk, old frames, a
# retrain, a broken model, a replica that does not follow the registry). Exits non-zero on any
# failed expectation.
#   scripts/e2e.sh [MODEL_DIR]     (default: models/default, else build/models/tiny)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$HERE"
MODEL=${1:-}
if [ -z "$MODEL" ]; then
  if [ -f models/default/model.pt ]; then MODEL=models/default; else MODEL=build/models/tiny; fi
fi
TINY=build/models/tiny
VIDEO=/usr/share/doc/opencv-doc/examples/data/vtest.avi
WORK=$(mktemp -d /tmp/lookout-e2e.XXXX)
# below the ephemeral range: a port picked in it can be taken by any outgoing connection before its bind
read -r KPORT HPORT PPORT CPORT TPORT H2PORT MPORT CMPORT TMPORT M2PORT < <(scripts/py scripts/free-ports.py 10)
B=localhost:$KPORT
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
fail() { echo "e2e: FAIL: $*"; for f in "$WORK"/*.log; do echo "--- $f"; tail -n 30 "$f"; done; exit 1; }
wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local t=$1 what=$2; shift 2
  for _ in $(seq "$t"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  fail "timed out after ${t}s waiting for $what"
}
log() { echo "e2e: [$(date +%T)] $*"; }
q() { curl -sf "http://127.0.0.1:$PPORT/api/v1/query" --data-urlencode "query=$1"; }
# metrics need a user with role metrics (docs/security.md): Prometheus scrapes as "prometheus"
export LOOKOUT_AUTH_USERS_FILE="$WORK/users"
METRICS_PW=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
scrape() { curl -sf -u "prometheus:$METRICS_PW" "http://localhost:$1/q/metrics"; }
# the processes Prometheus scrapes (their management ports): rewritten as processes come (file service discovery)
targets() {
  local list=""
  for t in "$@"; do list="$list${list:+,}{\"targets\":[\"localhost:${t%%:*}\"],\"labels\":{\"role\":\"${t#*:}\"}}"; done
  echo "[$list]" > "$WORK/prometheus/targets/e2e.json.tmp" && mv "$WORK/prometheus/targets/e2e.json.tmp" "$WORK/prometheus/targets/e2e.json"
}

./lookout --help >/dev/null   # builds once, before timings start
echo "$METRICS_PW" | ./lookout users add prometheus --role metrics --password-stdin > "$WORK/users.log" || fail "users add"
log "broker on $KPORT, service on $HPORT, prometheus on $PPORT, model $MODEL"
./lookout broker --port "$KPORT" --data-dir "$WORK/kafka" > "$WORK/broker.log" 2>&1 & pids+=($!)
wait_for 60 "broker" grep -q "ready" "$WORK/broker.log"

# statistics windows of 15 s, so lookout.camera-stats has records within the test; every frame analysed,
# so the burst below builds the backlog LookoutLagGrowing needs (under the default latest-frame policy a
# burst collapses to its newest frame within seconds: LatestFrameIT covers that policy on a broker)
KAFKA_BOOTSTRAP_SERVERS=$B LOOKOUT_MODEL_DIR=$MODEL QUARKUS_HTTP_PORT=$HPORT QUARKUS_MANAGEMENT_PORT=$MPORT LOOKOUT_STATS_WINDOW=15s \
  LOOKOUT_SCHEDULING=every-frame ./lookout serve > "$WORK/serve.log" 2>&1 & pids+=($!)
wait_for 240 "service readiness" curl -sf "http://localhost:$MPORT/q/health/ready"
log "service ready"

# a camera, as any producer would: kcat with JPEG frames cut from the demo video, plus junk
ffmpeg -loglevel error -i "$VIDEO" -frames:v 10 -q:v 3 "$WORK/f%03d.jpg"
now=$(date +%s%3N)
for i in $(seq 1 10); do
  kcat -P -b "$B" -t lookout.frames -k cam-e2e -H "lookout.seq=$i" -H "lookout.ts=$now" "$WORK/f$(printf %03d "$i").jpg"
done
head -c 3000 /dev/urandom > "$WORK/junk.bin"
kcat -P -b "$B" -t lookout.frames -k cam-e2e -H "lookout.seq=11" "$WORK/junk.bin"

# no -e: the detections may not all be committed yet when kcat starts, and -e would exit at that end
kcat -C -b "$B" -t lookout.detections -o beginning -c 10 -q -X isolation.level=read_committed \
  > "$WORK/detections.jsonl" 2> "$WORK/kcat-det.log" &
kpid=$!; pids+=($kpid)
# sh -c: the line count must be taken on every try, not once when wait_for is called
wait_for 120 "10 detection records" sh -c "test \$(wc -l < '$WORK/detections.jsonl') -ge 10"
wait $kpid || true
kcat -C -b "$B" -t lookout.frames.dlq -o beginning -c 1 -e -q -X isolation.level=read_committed \
  -f '%k %h\n' > "$WORK/dlq.txt" 2>/dev/null || true
scripts/py - "$WORK/detections.jsonl" "$WORK/dlq.txt" <<'PY' || fail "contract check"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert len(recs) == 10, f"expected 10 detection records, got {len(recs)}"
seqs = sorted(r["seq"] for r in recs)
assert seqs == list(range(1, 11)), f"seq {seqs}"
tracked = 0
for r in recs:
    assert r["camera"] == "cam-e2e" and r["width"] == 768 and r["height"] == 576, r
    assert r["status"] in ("ok", "skipped"), r
    for d in r.get("detections", []):
        x1, y1, x2, y2 = d["box"]
        assert 0 <= x1 < x2 <= 768 and 0 <= y1 < y2 <= 576 and 0 <= d["score"] <= 1, d
        assert "trackId" not in d or (isinstance(d["trackId"], int) and d["trackId"] > 0), d
        tracked += "trackId" in d
people = sum(len(r.get("detections", [])) for r in recs)
dlq = open(sys.argv[2]).read()
assert "lookout.dlq.reason=unknown-format" in dlq, f"dlq headers: {dlq!r}"
assert "lookout.dlq.sha256=" in dlq and "lookout.dlq.size=" in dlq, f"dlq keeps size and hash, not bytes: {dlq!r}"
print(f"e2e: 10 detection records (seq 1..10, {people} detections, {tracked} with a trackId), junk frame dead-lettered: {dlq.strip()}")
PY

# a real Prometheus with the project's scrape config and alert rules, targets written as processes start
promtool check rules prometheus/lookout-alerts.yml > "$WORK/promtool.log" 2>&1 || fail "promtool check rules: $(cat "$WORK/promtool.log")"
cp -r prometheus "$WORK/prometheus"
rm -f "$WORK/prometheus/targets/"*.sample
printf '%s' "$METRICS_PW" > "$WORK/prometheus/metrics-password"
targets "$MPORT:detector"
SINCE=$(date +%s)
prometheus --config.file="$WORK/prometheus/prometheus.yml" --storage.tsdb.path="$WORK/prom" \
  --web.listen-address="127.0.0.1:$PPORT" > "$WORK/prometheus.log" 2>&1 & pids+=($!)
wait_for 60 "prometheus to scrape lookout" sh -c "curl -sf http://127.0.0.1:$PPORT/api/v1/query --data-urlencode 'query=sum(lookout_frames_in_total)' | grep -q '\"11\"'"
log "prometheus scraped lookout_frames_in_total = 11"

# a camera bridge replaying the video (people walking), and the trainer, both with their metrics on
LOOKOUT_HTTP=true QUARKUS_HTTP_PORT=$CPORT QUARKUS_MANAGEMENT_PORT=$CMPORT ./lookout camera --camera-id vtest --source "$VIDEO" --fps 3 --loop \
  --bootstrap-servers "$B" > "$WORK/camera.log" 2>&1 & pids+=($!)
# the retrain below is of the only labelled camera, so its model is for that camera alone; on a 2-frame
# holdout no gain is sure, so the confidence bar is off here: this run checks the plumbing, not the gain
LOOKOUT_HTTP=true QUARKUS_HTTP_PORT=$TPORT QUARKUS_MANAGEMENT_PORT=$TMPORT LOOKOUT_MODEL_DIR=$MODEL LOOKOUT_TRAINER_WORK_DIR="$WORK/trainer" \
  LOOKOUT_TRAINER_CAMERA_CONFIDENCE=0 ./lookout trainer --bootstrap-servers "$B" > "$WORK/trainer.log" 2>&1 & pids+=($!)
wait_for 120 "camera bridge metrics" scrape "$CMPORT"
wait_for 120 "trainer metrics" scrape "$TMPORT"
targets "$MPORT:detector" "$CMPORT:camera" "$TMPORT:trainer"

log "baseline: with frames flowing, every query that needs no condition must return data"
scripts/py scripts/check_prometheus.py baseline "http://127.0.0.1:$PPORT" "$SINCE" --wait 180 \
  > "$WORK/prometheus-baseline.txt" || { cat "$WORK/prometheus-baseline.txt"; fail "baseline queries without data"; }
grep -E "^prometheus" "$WORK/prometheus-baseline.txt"

log "conditions, wave 1: labels + retrain, counting line, junk, old frames, a clock 2 h ahead, a burst"
mkdir -p "$WORK/yolo/images" "$WORK/yolo/labels"
echo "names: [person]" > "$WORK/yolo/data.yaml"
ffmpeg -loglevel error -i "$VIDEO" -frames:v 10 -q:v 3 "$WORK/yolo/images/v%03d.jpg"
# the man standing left of the lamp post during the first second of vtest.avi
for f in "$WORK"/yolo/images/*.jpg; do echo "0 0.349 0.455 0.042 0.148" > "$WORK/yolo/labels/$(basename "${f%.jpg}").txt"; done
./lookout labels import --format yolo "$WORK/yolo" --camera vtest --bootstrap-servers "$B" > "$WORK/labels.log" 2>&1 \
  || fail "labels import"
./lookout control send '{"command":"retrain","epochs":1,"camera":"vtest","id":"e2e"}' --bootstrap-servers "$B" \
  > "$WORK/control.log" 2>&1 || fail "retrain command"
./lookout control events --from-beginning --until published,rejected,failed --id e2e --timeout PT15M \
  --bootstrap-servers "$B" > "$WORK/events.jsonl" 2> "$WORK/events.log" & epid=$!; pids+=($epid)
./lookout control send '{"command":"counting-line","camera":"vtest","line":[0.5,0.3,0.5,0.95],"id":"e2e-line"}' \
  --bootstrap-servers "$B" >> "$WORK/control.log" 2>&1 || fail "counting-line command"
# junk again from cam-e2e (its dead-letter counter goes 1 -> 2) and from a new camera (a counter born at 1)
kcat -P -b "$B" -t lookout.frames -k cam-e2e -H "lookout.seq=12" "$WORK/junk.bin"
kcat -P -b "$B" -t lookout.frames -k cam-junk -H "lookout.seq=1" "$WORK/junk.bin"
# 4 s old: within lookout.clock.max-skew (5 s), so the capture time is trusted and the latency counts from it
old=$(( $(date +%s%3N) - 4000 ))
for i in $(seq 1 5); do
  kcat -P -b "$B" -t lookout.frames -k cam-old -H "lookout.seq=$i" -H "lookout.ts=$old" "$WORK/f$(printf %03d "$i").jpg"
done
# a camera set two hours ahead (a time-zone mistake): answered as usual, its skew on the gauge and the alert
skew=$(( $(date +%s%3N) + 7200000 ))
for i in $(seq 1 5); do
  kcat -P -b "$B" -t lookout.frames -k cam-skew -H "lookout.seq=$i" -H "lookout.ts=$((skew + 200 * i))" "$WORK/f$(printf %03d "$i").jpg"
done
# the burst lasts 45 s (the video looped as fast as the bridge reads it): LookoutLagGrowing looks at the lag
# every 30 s over 2 minutes, and a burst of one pass (~15 s) could fall between two of its points
rc=0
timeout 45 ./lookout camera --camera-id burst --source "$VIDEO" --as-fast-as-possible --loop --bootstrap-servers "$B" \
  > "$WORK/burst.log" 2>&1 || rc=$?
[ "$rc" = 0 ] || [ "$rc" = 124 ] || fail "burst camera (exit $rc)"
log "burst sent ($(grep -o 'sent=[0-9]*' "$WORK/burst.log" | tail -1)); waiting for the retrain and a line crossing"
wait $epid || fail "no retrain outcome: $(cat "$WORK/events.log")"
grep -o '"type":"[a-z]*"' "$WORK/events.jsonl" | tr '\n' ' '; echo
wait_for 300 "a counting-line crossing" sh -c "curl -sf http://127.0.0.1:$PPORT/api/v1/query --data-urlencode 'query=sum(lookout_camera_line_crossings_total) > 0' | grep -q '\"value\"'"

log "conditions, wave 2: a broken model published as serving, a replica that does not follow the registry"
mkdir -p "$WORK/broken"
head -c 4096 /dev/urandom > "$WORK/broken/model.pt"
sha=$(sha256sum "$WORK/broken/model.pt" | cut -d' ' -f1)
sed "s/\"sha256\" *: *\"[0-9a-f]*\"/\"sha256\": \"$sha\"/" "$MODEL/model.json" > "$WORK/broken/model.json"
./lookout models publish "$WORK/broken" --serve --bootstrap-servers "$B" > "$WORK/publish.log" 2>&1 || fail "publish broken model"
# a second replica on this host needs a name of its own (static group member, its own state folder)
KAFKA_BOOTSTRAP_SERVERS=$B LOOKOUT_MODEL_DIR=$TINY QUARKUS_HTTP_PORT=$H2PORT QUARKUS_MANAGEMENT_PORT=$M2PORT LOOKOUT_MODELS_WATCH=false \
  LOOKOUT_INSTANCE_ID=e2e-replica-2 LOOKOUT_STATE_DIR="$WORK/streams-state" \
  LOOKOUT_STATS_WINDOW=15s ./lookout serve > "$WORK/serve2.log" 2>&1 & pids+=($!)
# scraped from its start: while it loads and warms up, lookout_role_ready is 0 (LookoutNotReady pending)
targets "$MPORT:detector" "$CMPORT:camera" "$TMPORT:trainer" "$M2PORT:detector"
wait_for 240 "second replica" curl -sf "http://localhost:$M2PORT/q/health/ready"

log "final: every query returned data, every rule loaded and its alert active"
scripts/py scripts/check_prometheus.py final "http://127.0.0.1:$PPORT" "$SINCE" --wait 300 \
  > "$WORK/prometheus-final.txt" || { cat "$WORK/prometheus-final.txt"; fail "queries or alerts not satisfied"; }
cat "$WORK/prometheus-final.txt"

# per-camera statistics on lookout.camera-stats
kcat -C -b "$B" -t lookout.camera-stats -o beginning -e -q -X isolation.level=read_committed > "$WORK/camera-stats.jsonl" 2>/dev/null || true
scripts/py - "$WORK/camera-stats.jsonl" <<'PY' || fail "camera-stats check"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
vtest = [r for r in recs if r["camera"] == "vtest" and r.get("people")]
assert vtest, f"no lookout.camera-stats window with people for camera vtest among {len(recs)} records"
w = max(vtest, key=lambda r: r["tracks"])
assert w["windowEnd"] - w["windowStart"] == 15000 and w["frames"]["analysed"] > 0, w
assert 0 <= w["people"]["min"] <= w["people"]["mean"] <= w["people"]["max"], w
lines = [r for r in recs if r["camera"] == "vtest" and "line" in r]
print(f"e2e: {len(recs)} lookout.camera-stats records; camera vtest, busiest window: {json.dumps(w)};"
      f" entries/exits over its windows with a line: {sum(r['line']['in'] for r in lines)}/{sum(r['line']['out'] for r in lines)}")
PY

# the dashboards must only query metrics the app really exports
scrape "$MPORT" > "$WORK/metrics.txt"
scripts/py scripts/check_static.py --metrics "$WORK/metrics.txt" || fail "dashboard queries metrics the app does not export"
echo "e2e: PASS"
