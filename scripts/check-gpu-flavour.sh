#!/usr/bin/env bash
# Proves on this (GPU-less) machine what can be proved of the GPU flavour without a GPU:
#  1. it resolves from Maven Central (mvn -Pgpu: DJL 0.33.0, pytorch-jni 2.5.1-0.33.0,
#     pytorch-native-cu124 2.5.1 linux-x86_64, ~2.3 GB in ~/.m2) and the app compiles against it;
#  2. its libtorch (the CUDA 12.4 build, CUDA runtime libraries inside) loads with no NVIDIA driver;
#  3. the committed model answers a real frame through it, on the CPU device of that build.
# Not proved here: anything on a GPU (kernels, per-device workers, batch sizes, speed).
# Kept out of scripts/test.sh (CI): ~2.3 GB download on a fresh machine and ~4 GB of unpacked natives.
#   scripts/check-gpu-flavour.sh
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$HERE"
JAR=target-gpu/quarkus-app/quarkus-run.jar
T0=$(date +%s)
if [ ! -f "$JAR" ] || [ -n "$(find src/main pom.xml -newer "$JAR" -print -quit)" ]; then
  echo "gpu-flavour: resolving and packaging mvn -Pgpu (first time: ~2.3 GB from Maven Central)"
  mvn -B -q -Pgpu -DskipTests package
fi
echo "gpu-flavour: packaged in $(( $(date +%s) - T0 ))s; natives jar: $(ls target-gpu/quarkus-app/lib/main | grep pytorch-native)"
FRAME=$(mktemp /tmp/lookout-gpu-frame.XXXX.jpg)
trap 'rm -f "$FRAME"' EXIT
ffmpeg -loglevel error -y -i /usr/share/doc/opencv-doc/examples/data/vtest.avi -frames:v 1 -q:v 3 "$FRAME"
# DJL takes a bundled CUDA build only where it sees a GPU (ai.djl.util.Platform#matches); elsewhere it would
# fetch the CPU build, which offline mode forbids. So the check points DJL at the cu124 natives itself
# (PYTORCH_LIBRARY_PATH): unpacked from the jar, without libcaffe2_nvrtc.so, the one library that links
# the NVIDIA driver's libcuda.so.1 (NVRTC fusion; present on every GPU node, absent here).
NATIVES="$HERE/build/libtorch-cu124"
NATIVES_JAR=$(ls target-gpu/quarkus-app/lib/main/*pytorch-native-cu124*.jar)
if [ ! -f "$NATIVES/pytorch/cu124/linux-x86_64/libtorch_cuda.so" ]; then
  rm -rf "$NATIVES" && mkdir -p "$NATIVES"
  (cd "$NATIVES" && unzip -q -o "$HERE/$NATIVES_JAR" 'pytorch/cu124/linux-x86_64/*' -x '*/libcaffe2_nvrtc.so')
fi
export DJL_CACHE_DIR="$HERE/build/djl-gpu" OPT_OUT_TRACKING=true OMP_WAIT_POLICY=PASSIVE LOOKOUT_HOME="$HERE"
T1=$(date +%s)
out=$(java -Xmx2g -Dai.djl.offline=true -DPYTORCH_LIBRARY_PATH="$NATIVES/pytorch/cu124/linux-x86_64" \
  -DPYTORCH_VERSION=2.5.1 -DPYTORCH_FLAVOR=cu124 -Dquarkus.http.host-enabled=false \
  -Dquarkus.log.category.\"io.quarkus\".level=WARN -jar "$JAR" engine --model models/default --image "$FRAME" \
  --runs 3 --expect-flavor cu124 2>&1) || { echo "$out" | tail -20; echo "gpu-flavour: FAIL"; exit 1; }
echo "$out" | grep -E "^(engine|run) "
echo "$out" | grep -qE "^engine PyTorch 2\.5\.1, libtorch build 2\.5\.1[^ ]* flavour cu124" || { echo "gpu-flavour: FAIL: not the cu124 libtorch 2.5.1"; exit 1; }
echo "$out" | grep -E "^run 3: " | grep -qE "\(([1-9][0-9]*) at or above" || { echo "gpu-flavour: FAIL: no person found"; exit 1; }
echo "gpu-flavour: PASS (load and 3 runs: $(( $(date +%s) - T1 ))s; natives unpacked: $(du -sh "$NATIVES" | cut -f1))"
