#!/bin/sh
# The image's entrypoint: one role per command, as ./lookout runs them (serve, live, camera, trainer,
# broker, eval, engine...). Natives were unpacked when the image was built (DJL_CACHE_DIR and the
# JavaCPP cache under /opt/lookout/natives, read-only), so nothing is written at start but the
# volumes: /var/lib/lookout (state, model cache, trainer work) and /tmp.
set -eu
# only long-running roles open the HTTP port (live page, REST) and the management port (health, metrics)
# by default; LOOKOUT_HTTP=true opens them for the others
case "${1:-}" in
  serve|demo|live) http=true ;;
  *) http="${LOOKOUT_HTTP:-false}" ;;
esac
# JAVA_OPTS is split on spaces on purpose (several options in one variable)
# shellcheck disable=SC2086
exec java ${JAVA_OPTS:-} -Dai.djl.offline=true -Dorg.bytedeco.javacpp.cachedir=/opt/lookout/natives/javacpp \
  -Dquarkus.http.host-enabled="$http" -Dquarkus.management.host-enabled="$http" -jar /opt/lookout/quarkus-run.jar "$@"
