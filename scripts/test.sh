#!/usr/bin/env bash
# The whole test suite: model toolchain (Python) then the service (Java, unit + broker-backed).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$HERE"
export OPT_OUT_TRACKING=true
# libtorch/OpenMP threads busy-wait by default: >10x slower on a loaded 2-core machine
export OMP_WAIT_POLICY=PASSIVE

echo "== model toolchain: tiny test model and parity tests"
bash model/make_test_model.sh
(cd model && ../scripts/py -m pytest -q tests)

echo "== deployment files: every validator first catches a planted error, then the real files"
scripts/py scripts/check_static.py
scripts/py scripts/check_manifests.py --self-test
scripts/py scripts/check_manifests.py

echo "== service: unit, topology and broker-backed tests"
mvn -B verify

echo "== end to end with third-party peers: kcat, Prometheus, the default model"
bash scripts/e2e.sh
