#!/usr/bin/env bash
# Makes the root filesystem of the Lookout base image from Debian's own packages (no registry is
# reachable here): Debian bookworm, minbase, plus the JRE and the system libraries JavaCPP's FFmpeg
# links against (ALSA, PulseAudio and XCB client libraries, loaded by libavdevice, which JavaCV's
# FFmpeg grabber registers), and the app's user (uid/gid 10001) whose home is the data volume.
#   docker/base/make-rootfs.sh OUT.tar      (scripts/image.sh runs it; root, mmdebstrap)
set -euo pipefail
OUT=$1
PKGS=openjdk-17-jre-headless,ca-certificates,libstdc++6,libasound2,libpulse0,libxcb1,libxcb-shm0
mmdebstrap --variant=minbase --include="$PKGS" \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
  --setup-hook='mkdir -p "$1/usr/share/man/man1"' \
  --customize-hook='chroot "$1" groupadd --system --gid 10001 lookout' \
  --customize-hook='chroot "$1" useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/lookout --no-create-home lookout' \
  --customize-hook='mkdir -p "$1/var/lib/lookout" && chown 10001:10001 "$1/var/lib/lookout"' \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
  bookworm "$OUT" http://deb.debian.org/debian
