#!/usr/bin/env bash
# Starts (or stops) Tugboat's own image registry: Debian's docker-registry (the CNCF distribution
# registry) on a loopback port ($TUG_REGISTRY_PORT, else a free one), storage under $ROOT, filled
# with the locally built busybox and pause images (skopeo), and made known to the project's
# containerd through a hosts.toml under its CRI registry config_path. Docker needs no setting: it
# treats 127.0.0.0/8 as an insecure registry. Idempotent: `start` on a running registry only prints
# its address. Prints HOST:PORT on stdout; everything else goes to stderr. Tests start registries of
# their own (packages/testing startRegistry); this one is for `make up` and trying pulls by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=${TUG_REGISTRY_ROOT:-/var/lib/tugboat/registry}
RUN=${TUG_REGISTRY_RUN:-/run/tugboat/registry}
CERTS_DIR=${TUG_CONTAINERD_ETC:-/var/lib/tugboat/containerd-etc}/certs.d
PIDFILE="$RUN/registry.pid"
HOSTFILE="$RUN/host"
CONFIG="$ROOT/config.yml"
LOG="$ROOT/registry.log"

running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }
ready() { [ -f "$HOSTFILE" ] && curl -sf "http://$(cat "$HOSTFILE")/v2/" >/dev/null 2>&1; }
free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

push() { # ARCHIVE REF
  skopeo --insecure-policy copy --quiet --dest-tls-verify=false "oci-archive:$1" "docker://$HOST/$2" >&2
}

case "${1:-start}" in
  start)
    mkdir -p "$RUN" "$ROOT"
    exec 9>"$RUN/start.lock"
    flock -w 60 9 || { echo "another registry.sh start holds $RUN/start.lock" >&2; exit 1; }
    if running && ready; then cat "$HOSTFILE"; exit 0; fi
    command -v docker-registry >/dev/null || { echo "docker-registry is not installed: run scripts/setup.sh" >&2; exit 1; }
    command -v skopeo >/dev/null || { echo "skopeo is not installed: run scripts/setup.sh" >&2; exit 1; }
    if running; then kill "$(cat "$PIDFILE")" 2>/dev/null || true; for _ in $(seq 1 50); do running || break; sleep 0.1; done; fi
    HOST="127.0.0.1:${TUG_REGISTRY_PORT:-$(free_port)}"
    cat >"$CONFIG" <<CONF
version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: "$ROOT/storage"
  delete:
    enabled: true
http:
  addr: "$HOST"
CONF
    echo "$HOST" >"$HOSTFILE"
    # setsid: the registry outlives the shell (or test runner) that started it; 9>&- keeps the lock ours.
    setsid nohup docker-registry serve "$CONFIG" >"$LOG" 2>&1 </dev/null 9>&- &
    echo $! >"$PIDFILE"
    for _ in $(seq 1 150); do ready && break; running || break; sleep 0.1; done
    ready || { echo "the registry did not become ready; see $LOG" >&2; tail -20 "$LOG" >&2; exit 1; }
    scripts/images.sh >/dev/null
    push .images/busybox-1.35.oci.tar library/busybox:1.35
    push .images/pause-1.0.oci.tar tugboat/pause:1.0
    # containerd 1.6 ignores a hosts.toml without a [host] table, so the server is listed as one too.
    mkdir -p "$CERTS_DIR/$HOST"
    printf 'server = "http://%s"\n\n[host."http://%s"]\n  capabilities = ["pull", "resolve"]\n' "$HOST" "$HOST" \
      >"$CERTS_DIR/$HOST/hosts.toml"
    echo "$HOST"
    ;;
  stop)
    if running; then kill "$(cat "$PIDFILE")"; for _ in $(seq 1 100); do running || break; sleep 0.1; done; fi
    if [ -f "$HOSTFILE" ]; then rm -rf "${CERTS_DIR:?}/$(cat "$HOSTFILE")"; fi
    rm -f "$PIDFILE" "$HOSTFILE"
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
