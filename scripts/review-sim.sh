#!/usr/bin/env bash
# The review loop measured offline (docs/review.md): the picker against random frames, a simulated
# reviewer answering from the ground truth, one retrain per budget and seed, AP50/AP on the camera's
# later frames and on a general holdout. Resumable: results are appended to build/review-sim/results.jsonl
# and runs already there are skipped, so it goes in chunks of at most --max-minutes (default 15), with CPU_LOCK (a command
# prefix that holds a shared machine's CPU, if it has one) in front (exit status 3: runs are left, run it again). Then scripts/plot-review-sim.py draws
# docs/img/review-sim.png.
#   scripts/review-sim.sh tud-stadtmitte --budgets 25,50   # 2 budgets x 3 seeds x (rule, random) + the base model (100 of 120 frames is no choice: skipped)
#   scripts/review-sim.sh person-mix-test
#   scripts/review-sim.sh tud-campus --picks-only --rules rule,random,uniform,top,no-scene,no-tracks,no-below,any
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$HERE"
JAR=target/quarkus-app/quarkus-run.jar
if [ ! -f "$JAR" ] || [ -n "$(find src/main pom.xml -newer "$JAR" -print -quit)" ]; then
  mvn -B -o -q -DskipTests package >&2
fi
camera=$1; shift
# run a copy of the app: a rebuild while a long chunk runs must not swap its classes
APP=build/review-sim/app-$$
rm -rf "$APP" && mkdir -p build/review-sim && cp -r target/quarkus-app "$APP"
trap 'rm -rf "$APP"' EXIT
export LOOKOUT_HOME="$HERE" OPT_OUT_TRACKING=true OMP_WAIT_POLICY=PASSIVE
${CPU_LOCK:-} java -Xmx6g -Dai.djl.offline=true -Dquarkus.http.host-enabled=false \
  -Dquarkus.log.category.\"io.quarkus\".level=WARN -jar "$APP/quarkus-run.jar" review simulate --camera "$camera" "$@"
