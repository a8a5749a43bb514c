#!/usr/bin/env bash
# Builds the Lookout image with buildah and proves it runs: the image's own entrypoint starts the
# detector against a broker on loopback and answers frames, and its camera role sends a video.
#
#   scripts/image.sh [--gpu] [--tag TAG] [--no-check] [--rebuild-base]
#
# Needs what scripts/setup-image.sh installs (buildah, mmdebstrap) and root, as CI has. No registry
# is reachable here, so the base is made from Debian packages (mmdebstrap, Debian's mirror) and
# imported with FROM scratch; buildah builds docker/Containerfile with --isolation=chroot (no
# daemon, no user namespaces needed) and keeps layers, so a rebuild after a code change redoes
# only the app's layers. --gpu builds the GPU flavour (mvn -Pgpu: libtorch cu124) into
# localhost/lookout-gpu:TAG; its check runs on CPU (no GPU here). Prints build times and size.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$HERE"

GPU=false; TAG=dev; CHECK=true; REBUILD_BASE=false
while [ $# -gt 0 ]; do
  case "$1" in
    --gpu) GPU=true ;;
    --tag) TAG=$2; shift ;;
    --no-check) CHECK=false ;;
    --rebuild-base) REBUILD_BASE=true ;;
    *) echo "image.sh: unknown option $1 (--gpu, --tag TAG, --no-check, --rebuild-base)" >&2; exit 2 ;;
  esac
  shift
done
for tool in buildah mmdebstrap javac; do
  command -v "$tool" >/dev/null || { echo "image.sh: $tool missing: run scripts/setup-image.sh" >&2; exit 1; }
done

if $GPU; then APP=target-gpu/quarkus-app; IMAGE=localhost/lookout-gpu:$TAG; MVN=(-Pgpu)
else APP=target/quarkus-app; IMAGE=localhost/lookout:$TAG; MVN=(); fi
log() { echo "image: [$(date +%T)] $*"; }
secs() { echo $(( $(date +%s) - $1 )); }
T0=$(date +%s)

# 1. the app, packaged as Quarkus's fast-jar (rebuilt only when sources changed, as ./lookout does)
if [ ! -f "$APP/quarkus-run.jar" ] || [ -n "$(find src/main pom.xml -newer "$APP/quarkus-run.jar" -print -quit)" ]; then
  log "packaging the app (mvn ${MVN[*]} package)"
  mvn -B -q "${MVN[@]}" -DskipTests package
fi
mkdir -p target/image-tools
javac --release 17 -nowarn -cp "$APP/lib/main/*" -d target/image-tools docker/tools/PrepareNatives.java
T_APP=$(secs "$T0")

# 2. the base: Debian bookworm + the JRE + the app's user, from Debian's mirror. Tagged with a hash
# of what makes it, so it is made once and reused until the recipe changes (CI's cache).
BASE_ID=$(cat docker/base/Containerfile docker/base/make-rootfs.sh | sha256sum | cut -c1-12)
BASE=localhost/lookout-base:bookworm-$BASE_ID
T1=$(date +%s)
if $REBUILD_BASE || ! buildah inspect --type image "$BASE" >/dev/null 2>&1; then
  log "making the base $BASE with mmdebstrap (docker/base/make-rootfs.sh)"
  rm -rf build/image/base && mkdir -p build/image/base
  cp docker/base/Containerfile build/image/base/
  bash docker/base/make-rootfs.sh build/image/base/rootfs.tar > build/image/mmdebstrap.log 2>&1 \
    || { tail -n 30 build/image/mmdebstrap.log; echo "image.sh: mmdebstrap failed (build/image/mmdebstrap.log)" >&2; exit 1; }
  buildah bud --quiet --isolation=chroot -f build/image/base/Containerfile -t "$BASE" build/image/base >/dev/null
  rm -f build/image/base/rootfs.tar
fi
T_BASE=$(secs "$T1")

# 3. the image (layers cached: dependencies and natives are rebuilt only when lib/ changes)
T2=$(date +%s)
log "building $IMAGE from $APP on $BASE"
buildah bud --isolation=chroot --layers --build-arg BASE="$BASE" --build-arg APP="$APP" \
  -f docker/Containerfile -t "$IMAGE" . > build/image-build.log 2>&1 \
  || { tail -n 40 build/image-build.log; echo "image.sh: buildah bud failed (log: build/image-build.log)" >&2; exit 1; }
grep -E "^natives:" build/image-build.log || true
T_IMAGE=$(secs "$T2")
SIZE=$(buildah images --format '{{.Size}}' "$IMAGE" | head -1)
log "built $IMAGE: $SIZE; app ${T_APP}s, base ${T_BASE}s, image ${T_IMAGE}s"
log "layers (newest first):"
buildah inspect --type image --format '{{range .Docker.History}}{{.CreatedBy}}{{"\n"}}{{end}}' "$IMAGE" \
  | tac | sed 's/^/    /' | cut -c1-150 | head -20 || true

$CHECK || exit 0

# 4. the check: the image's own ENTRYPOINT + CMD against a broker on loopback, as uid 10001, with
# nothing writable but the two volumes a pod mounts (/var/lib/lookout, /tmp)
WORK=$(mktemp -d /tmp/lookout-image.XXXX)
read -r KPORT HPORT MPORT < <(scripts/py scripts/free-ports.py 3)
B=127.0.0.1:$KPORT
pids=(); ctrs=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for c in "${ctrs[@]}"; do buildah umount "$c" >/dev/null 2>&1 || true; buildah rm "$c" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT
fail() { echo "image: FAIL: $*"; for f in "$WORK"/*.log; do echo "--- $f"; tail -n 30 "$f"; done; exit 1; }
wait_for() { local t=$1 what=$2; shift 2
  for _ in $(seq "$t"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done; fail "timed out after ${t}s waiting for $what"; }

./lookout broker --port "$KPORT" --data-dir "$WORK/kafka" > "$WORK/broker.log" 2>&1 & pids+=($!)
wait_for 90 "broker" grep -q "ready" "$WORK/broker.log"

# the image's command line, exactly as its config says (ENTRYPOINT then CMD)
mapfile -t ENTRY < <(buildah inspect --type image --format '{{range .OCIv1.Config.Entrypoint}}{{println .}}{{end}}{{range .OCIv1.Config.Cmd}}{{println .}}{{end}}' "$IMAGE" | sed '/^$/d')
log "entrypoint + cmd: ${ENTRY[*]}"
volumes() { # a fresh /var/lib/lookout and /tmp per container, owned by the image's user
  mkdir -p "$WORK/$1/data" "$WORK/$1/tmp" && chown 10001:10001 "$WORK/$1/data" && chmod 1777 "$WORK/$1/tmp"
  echo "-v $WORK/$1/data:/var/lib/lookout -v $WORK/$1/tmp:/tmp"
}
CTR=$(buildah from --quiet "$IMAGE"); ctrs+=("$CTR")
ROOTFS=$(buildah mount "$CTR"); touch "$WORK/marker"
T3=$(date +%s)
# shellcheck disable=SC2046
buildah run --isolation=chroot --network=host --user 10001:10001 $(volumes serve) \
  --env KAFKA_BOOTSTRAP_SERVERS="$B" --env QUARKUS_HTTP_PORT="$HPORT" --env QUARKUS_MANAGEMENT_PORT="$MPORT" \
  --env LOOKOUT_INSTANCE_ID=image-check \
  "$CTR" -- "${ENTRY[@]}" > "$WORK/serve.log" 2>&1 & pids+=($!)
# health is on the management port only: the HTTP port answers /q/health/ready with a 302 to the
# login page, which curl -f counts as success (it once let frames in before the model was loaded)
wait_for 240 "the image's detector to be ready" curl -sf "http://127.0.0.1:$MPORT/q/health/ready"
log "detector in the image ready after $(secs "$T3")s"

ffmpeg -loglevel error -i /usr/share/doc/opencv-doc/examples/data/vtest.avi -frames:v 3 -q:v 3 "$WORK/f%d.jpg"
now=$(date +%s%3N)
for i in 1 2 3; do kcat -P -b "$B" -t lookout.frames -k image-kcat -H "lookout.seq=$i" -H "lookout.ts=$now" "$WORK/f$i.jpg"; done
# the camera role of the same image sends a 3-second clip (FFmpeg's natives, unpacked at build time)
ffmpeg -loglevel error -i /usr/share/doc/opencv-doc/examples/data/vtest.avi -t 3 -c:v mjpeg -q:v 3 "$WORK/clip.avi"
mkdir -p "$WORK/media" && mv "$WORK/clip.avi" "$WORK/media/" && chmod -R a+rX "$WORK/media"
CAM=$(buildah from --quiet "$IMAGE"); ctrs+=("$CAM")
# shellcheck disable=SC2046
buildah run --isolation=chroot --network=host --user 10001:10001 $(volumes camera) -v "$WORK/media:/media:ro" \
  --env KAFKA_BOOTSTRAP_SERVERS="$B" "$CAM" -- "${ENTRY[0]}" camera --camera-id image-camera \
  --source /media/clip.avi --fps 5 > "$WORK/camera.log" 2>&1 || fail "the image's camera role failed"

kcat -C -b "$B" -t lookout.detections -o beginning -q -X isolation.level=read_committed -e \
  > "$WORK/detections.jsonl" 2>/dev/null || true
wait_for 120 "answers to the kcat frames and the camera's clip" sh -c \
  "kcat -C -b $B -t lookout.detections -o beginning -q -e -X isolation.level=read_committed > '$WORK/detections.jsonl' 2>/dev/null;
   grep -c '\"camera\":\"image-kcat\"' '$WORK/detections.jsonl' | grep -qx 3 && grep -q '\"camera\":\"image-camera\".*\"status\":\"ok\"' '$WORK/detections.jsonl'"
scripts/py - "$WORK/detections.jsonl" <<'PY' || fail "detections from the image"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
kcat = [r for r in recs if r["camera"] == "image-kcat"]
cam = [r for r in recs if r["camera"] == "image-camera"]
assert sorted(r["seq"] for r in kcat) == [1, 2, 3], kcat
ok = [r for r in kcat + cam if r["status"] == "ok"]
people = sum(len(r["detections"]) for r in ok)
assert ok and people > 0, "no person found in analysed frames"
print(f"image: answered {len(kcat)} kcat frames and {len(cam)} camera frames "
      f"({len(ok)} analysed, {people} people found); model {ok[0]['model']}")
PY
# nothing written into the image's root filesystem (a read-only root would have refused it)
written=$(find "$ROOTFS" -xdev -newer "$WORK/marker" \( -type f -o -type l \) -not -path "$ROOTFS/proc/*" \
  -not -path "$ROOTFS/var/lib/lookout/*" -not -path "$ROOTFS/tmp/*" -not -path "$ROOTFS/etc/hosts" \
  -not -path "$ROOTFS/etc/resolv.conf" -not -path "$ROOTFS/etc/hostname" \
  -not -path "$ROOTFS/run/.containerenv" 2>/dev/null | head -5)   # those five are buildah run's own
[ -z "$written" ] || fail "the container wrote into its root filesystem: $written"
log "root filesystem untouched; the detector wrote only its volumes: $(cd "$WORK/serve/data" && find . -maxdepth 2 -type d | tr '\n' ' ')"
echo "image: PASS ($IMAGE, $SIZE, check $(secs "$T3")s)"
