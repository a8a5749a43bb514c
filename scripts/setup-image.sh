#!/usr/bin/env bash
# Installs what scripts/image.sh needs on a Debian/Ubuntu machine (run as root or with sudo):
# buildah (builds the Containerfile, no daemon), mmdebstrap (the base from Debian packages) and
# the tools its check uses (kcat, ffmpeg, curl; scripts/setup.sh has them too). Idempotent.
set -euo pipefail
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
PKGS=(buildah mmdebstrap uidmap kcat ffmpeg curl opencv-doc)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup-image: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "setup-image: done"
