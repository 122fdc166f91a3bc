#!/usr/bin/env bash
# Starts (or stops) Tugboat's private Docker Engine. Idempotent: `start` on a running engine only
# prints its socket. Prints the socket path on stdout; everything else goes to stderr.
set -euo pipefail
STATE=${TUG_DOCKER_STATE:-/var/lib/tugboat/docker}
RUN=${TUG_DOCKER_RUN:-/run/tugboat/docker}
SOCK="$RUN/docker.sock"
PIDFILE="$RUN/dockerd.pid"

running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

case "${1:-start}" in
  start)
    if running && curl -sf --unix-socket "$SOCK" http://localhost/_ping >/dev/null 2>&1; then echo "$SOCK"; exit 0; fi
    command -v dockerd >/dev/null || { echo "dockerd is not installed: run scripts/setup.sh" >&2; exit 1; }
    mkdir -p "$STATE/data" "$RUN/exec"
    rm -f "$SOCK" "$PIDFILE"
    setsid nohup dockerd --data-root "$STATE/data" --exec-root "$RUN/exec" -H "unix://$SOCK" --pidfile "$PIDFILE" >"$STATE/dockerd.log" 2>&1 &
    for _ in $(seq 1 150); do
      curl -sf --unix-socket "$SOCK" http://localhost/_ping >/dev/null 2>&1 && { echo "$SOCK"; exit 0; }
      sleep 0.2
    done
    echo "dockerd did not become ready; see $STATE/dockerd.log" >&2; tail -20 "$STATE/dockerd.log" >&2; exit 1
    ;;
  stop)
    if running; then kill "$(cat "$PIDFILE")"; for _ in $(seq 1 100); do running || break; sleep 0.1; done; fi
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
