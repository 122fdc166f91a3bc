#!/usr/bin/env bash
# Starts (or stops) Tugboat's private containerd with its CRI plugin. Idempotent: `start` on a running
# daemon only prints its socket. Writes the daemon config, the CNI network config (a bridge on a private
# subnet, reachable only from this machine) and an empty registry hosts directory, all project-owned.
# Prints the socket path on stdout; everything else goes to stderr.
set -euo pipefail
ROOT=${TUG_CONTAINERD_ROOT:-/var/lib/tugboat/containerd}
RUN=${TUG_CONTAINERD_RUN:-/run/tugboat/containerd}
ETC=${TUG_CONTAINERD_ETC:-/var/lib/tugboat/containerd-etc}
SUBNET=${TUG_POD_SUBNET:-10.88.0.0/16}
BRIDGE=${TUG_CNI_BRIDGE:-tug-cni0}
# Service cluster IP ranges outside 127.0.0.0/8 pods reach through the bridge's gateway (the host,
# whose proxy holds those addresses on tug-svc0); comma-separated CIDRs. Upstream's default range.
SERVICE_ROUTES=${TUG_SERVICE_ROUTES:-10.96.0.0/12}
SOCK="$RUN/containerd.sock"
PIDFILE="$RUN/containerd.pid"
CONFIG="$ETC/config.toml"
CNI_DIR="$ETC/cni/net.d"
# One directory per registry host (`HOST[:PORT]/hosts.toml`), read by CRI pulls; the registry issue fills it.
CERTS_DIR="$ETC/certs.d"
LOG="$ROOT/containerd.log"

running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }
ready() { [ -S "$SOCK" ] && ctr -a "$SOCK" version >/dev/null 2>&1; }

write_config() {
  mkdir -p "$ROOT" "$RUN" "$CNI_DIR" "$CERTS_DIR"
  cat >"$CONFIG" <<EOF
version = 2
root = "$ROOT/root"
state = "$RUN/state"

[grpc]
  address = "$SOCK"

[ttrpc]
  address = "$SOCK.ttrpc"

[debug]
  address = ""

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "docker.io/tugboat/pause:1.0"
  # This VM lacks CAP_SYS_RESOURCE: without this, runc fails with "can't get final child's PID from pipe".
  restrict_oom_score_adj = true
  # The streaming server (exec, attach, port-forward URLs) listens on loopback only.
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_tls_streaming = false

  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"

  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$CNI_DIR"
    max_conf_num = 1

  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$CERTS_DIR"
EOF
  local routes="" cidr
  for cidr in ${SERVICE_ROUTES//,/ }; do routes="$routes${routes:+, }{ \"dst\": \"$cidr\" }"; done
  # No masquerading and no default route out: pods talk to each other and to this machine only
  # (the service routes lead to the gateway, i.e. to this machine too).
  cat >"$CNI_DIR/10-tugboat.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "tugboat",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{ "subnet": "$SUBNET" }]],
        "routes": [$routes],
        "dataDir": "$RUN/cni-ipam"
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } },
    { "type": "loopback" }
  ]
}
EOF
}

case "${1:-start}" in
  start)
    # Test suites start it in parallel: one start at a time, the others then find it running.
    mkdir -p "$RUN"
    exec 9>"$RUN/start.lock"
    flock -w 60 9 || { echo "another containerd.sh start holds $RUN/start.lock" >&2; exit 1; }
    if running && ready; then echo "$SOCK"; exit 0; fi
    command -v containerd >/dev/null || { echo "containerd is not installed: run scripts/setup.sh" >&2; exit 1; }
    command -v runc >/dev/null || { echo "runc is not installed: run scripts/setup.sh" >&2; exit 1; }
    [ -x /usr/lib/cni/bridge ] || { echo "CNI plugins are not installed: run scripts/setup.sh" >&2; exit 1; }
    # A daemon that is alive but not answering is stopped before a fresh start.
    if running; then kill "$(cat "$PIDFILE")" 2>/dev/null || true; for _ in $(seq 1 100); do running || break; sleep 0.1; done; fi
    write_config
    rm -f "$SOCK" "$SOCK.ttrpc" "$PIDFILE"
    # setsid: the daemon outlives the shell (or test runner) that started it.
    setsid nohup containerd --config "$CONFIG" >"$LOG" 2>&1 </dev/null 9>&- &
    echo $! >"$PIDFILE"
    for _ in $(seq 1 150); do
      ready && { echo "$SOCK"; exit 0; }
      running || break
      sleep 0.2
    done
    echo "containerd did not become ready; see $LOG" >&2; tail -20 "$LOG" >&2; exit 1
    ;;
  stop)
    if running; then kill "$(cat "$PIDFILE")"; for _ in $(seq 1 100); do running || break; sleep 0.1; done; fi
    rm -f "$PIDFILE"
    ;;
  config)
    # Writes the config files without starting anything (for inspection).
    write_config; echo "$CONFIG"
    ;;
  *) echo "usage: $0 start|stop|config" >&2; exit 2 ;;
esac
