#!/usr/bin/env bash
# etcd for Tugboat on this machine. Tests start their own etcd (packages/testing/src/etcd); this
# script is for people and for `make`:
#   scripts/etcd.sh install   install Debian's etcd-server and etcd-client if missing
#   scripts/etcd.sh image     build the local tugboat/etcd:<version> image in the private Docker Engine
#                             (a rootfs with /usr/bin/etcd and its shared libraries; no registry)
#   scripts/etcd.sh start     start a single-member etcd on 127.0.0.1:${TUG_ETCD_PORT:-2379}, data in
#                             ${TUG_ETCD_DIR:-.tug/etcd}; prints the store URL (etcd://…). Idempotent.
#   scripts/etcd.sh stop      stop it (data is kept)
#   scripts/etcd.sh status    print the URL if it runs, exit 1 otherwise
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${TUG_ETCD_PORT:-2379}
PEER_PORT=${TUG_ETCD_PEER_PORT:-$((PORT + 1))}
DIR=${TUG_ETCD_DIR:-.tug/etcd}
PIDFILE="$DIR/etcd.pid"
URL="etcd://127.0.0.1:$PORT"

running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }
healthy() { curl -sf "http://127.0.0.1:$PORT/health" 2>/dev/null | grep -q '"health":"true"'; }

case "${1:-start}" in
  install)
    if ! command -v etcd >/dev/null || ! command -v etcdctl >/dev/null; then
      SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
      $SUDO apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends etcd-server etcd-client >/dev/null
    fi
    ;;
  image)
    sock=$(scripts/dockerd.sh start)
    version=$(etcd --version | awk '/etcd Version/ {print $3}')
    ref="tugboat/etcd:$version"
    if docker -H "unix://$sock" image inspect "$ref" >/dev/null 2>&1; then echo "$ref"; exit 0; fi
    root=$(mktemp -d)
    trap 'rm -rf "$root"' EXIT
    bin=$(command -v etcd)
    install -D -m 0755 "$bin" "$root/usr/bin/etcd"
    for lib in $(ldd "$bin" 2>/dev/null | grep -o '/[^ ]*' || true); do install -D "$lib" "$root$lib"; done
    mkdir -p "$root/tmp" "$root/data"
    tar -C "$root" -c . | docker -H "unix://$sock" import -c 'ENTRYPOINT ["/usr/bin/etcd"]' - "$ref" >/dev/null
    echo "$ref"
    ;;
  start)
    if running && healthy; then echo "$URL"; exit 0; fi
    mkdir -p "$DIR"
    setsid nohup etcd --name tugboat --data-dir "$DIR/data" \
      --listen-client-urls "http://127.0.0.1:$PORT" --advertise-client-urls "http://127.0.0.1:$PORT" \
      --listen-peer-urls "http://127.0.0.1:$PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$PEER_PORT" \
      --initial-cluster "tugboat=http://127.0.0.1:$PEER_PORT" --logger zap --log-level warn \
      >"$DIR/etcd.log" 2>&1 &
    echo $! >"$PIDFILE"
    for _ in $(seq 1 150); do
      healthy && { echo "$URL"; exit 0; }
      running || break
      sleep 0.2
    done
    echo "etcd did not become healthy; see $DIR/etcd.log" >&2; tail -20 "$DIR/etcd.log" >&2; exit 1
    ;;
  stop)
    if running; then kill "$(cat "$PIDFILE")"; for _ in $(seq 1 100); do running || break; sleep 0.1; done; fi
    rm -f "$PIDFILE"
    ;;
  status)
    if running && healthy; then echo "$URL"; else exit 1; fi
    ;;
  *) echo "usage: $0 install|image|start|stop|status" >&2; exit 2 ;;
esac
