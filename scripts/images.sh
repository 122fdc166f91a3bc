#!/usr/bin/env bash
# Builds the local test images (busybox, pause) from Debian's busybox-static into .images/ (or
# $TUG_IMAGES_DIR). Optional: --containerd SOCKET imports them into containerd's k8s.io namespace (ctr),
# --docker SOCKET (a path or unix://path) imports them into a Docker Engine (Engine API, idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! [ -x /bin/busybox ]; then
  echo "images.sh: /bin/busybox missing; run: apt-get install -y busybox-static" >&2
  exit 1
fi
exec npx tsx packages/testing/src/images/buildImages.ts "$@"
