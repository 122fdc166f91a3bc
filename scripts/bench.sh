#!/usr/bin/env bash
# Runs every benchmark in bench/ (each prints a markdown section with its table) and writes them,
# with the date and the machine, to BENCHMARKS.md. `BENCH=name` runs only bench/name.bench.ts and
# prints it without touching BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
run() { pnpm exec tsx "$1"; }

if [ -n "${BENCH:-}" ]; then run "bench/$BENCH.bench.ts"; exit; fi

out=$(mktemp)
{
  echo "# Benchmarks"
  echo
  echo "Produced by \`make bench\` on $(date -u +%Y-%m-%d). Machine: $(nproc) cores," \
    "$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -m), Node $(node --version)," \
    "$(. /etc/os-release; echo "$PRETTY_NAME"). Each benchmark measures its baseline in the same run; the machine is shared" \
    "and noisy, so compare ratios, not absolute numbers, across runs."
  for f in bench/*.bench.ts; do
    echo
    echo "running $f" >&2
    run "$f"
  done
} | tee "$out"
mv "$out" BENCHMARKS.md
echo "wrote BENCHMARKS.md" >&2
