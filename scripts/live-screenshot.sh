#!/usr/bin/env bash
# A still of the live page of a running serve or demo, by headless Chromium (Debian's chromium):
#   scripts/live-screenshot.sh [URL] [OUT.png] [WIDTHxHEIGHT]   (default http://localhost:8080/ live-page.png 1280x800)
# ?still makes the page draw what /live/state holds and open no event stream, so Chromium's
# --screenshot (which waits for the network to rest) can finish.
# NOTE: the page is behind a login (docs/security.md) and --screenshot cannot log in: this now shows
# the login form. LivePageIT logs in through the DevTools protocol and writes target/live-page-*.png.
set -euo pipefail
URL=${1:-http://localhost:8080/}
OUT=${2:-live-page.png}
SIZE=${3:-1280x800}
PROFILE=$(mktemp -d /tmp/lookout-chromium.XXXX)
trap 'rm -rf "$PROFILE"' EXIT
sep='?'; case "$URL" in *\?*) sep='&';; esac
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$PROFILE" --hide-scrollbars \
  --window-size="${SIZE/x/,}" --virtual-time-budget=5000 --screenshot="$(realpath -m "$OUT")" "${URL}${sep}still" 2>/dev/null
echo "live page still: $OUT"
