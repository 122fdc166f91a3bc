#!/usr/bin/env bash
# Installs everything Tugboat's build, tests and cluster need on a Debian 12 machine with only
# Node.js and npm: Debian packages (etcd, containerd, runc, Docker Engine, CNI plugins, busybox),
# pnpm, and the workspace's npm packages. Idempotent and quiet when there is nothing to do.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBS=(etcd-server etcd-client containerd runc docker.io busybox-static containernetworking-plugins iproute2 iptables util-linux curl openssl docker-registry skopeo chromium)
PNPM_VERSION=12.4.2

missing=()
for p in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  echo "setup: installing pnpm $PNPM_VERSION" >&2
  npm install -g --silent "pnpm@$PNPM_VERSION" >/dev/null
fi

# --frozen-lockfile keeps CI on exactly the versions we tested with.
pnpm install --frozen-lockfile --reporter=silent
