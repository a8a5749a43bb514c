#!/usr/bin/env bash
# The whole test suite: model toolchain (Python) then the service (Java, unit + broker-backed).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$HERE"
export OPT_OUT_TRACKING=true

echo "== model toolchain: tiny test model and parity tests"
bash model/make_test_model.sh
(cd model && /usr/bin/python3 -m pytest -q tests)

echo "== service: unit, topology and broker-backed tests"
mvn -B verify
