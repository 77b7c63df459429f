#!/usr/bin/env bash
# The demo: a simulated price feed, the paper gateway and ballastd together.
# Prices, drift, rebalances and fills show within seconds; Ctrl-C stops all.
# DEMO_SECONDS=N stops after N seconds (for unattended runs).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
if [ -z "${BALLAST_BIN:-}" ]; then
  cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DBALLAST_BUILD_TESTS=OFF -DBALLAST_BUILD_BENCH=OFF > /dev/null
  cmake --build build-release -j "$(nproc)" --target ballastd ballast
fi
bin=${BALLAST_BIN:-build-release}
rm -rf /tmp/ballast-demo

pids=()
cleanup() {
  kill -INT "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 0' INT TERM

# Five trading days per wall second, so drift builds up quickly.
"$bin/ballast" feed sim --seed 7 --speed 117000 --rate 5 --correlation 0.2 \
  --symbols SPY:589:0.07:0.18,AGG:99:0.03:0.05,GLD:240:0.04:0.15,BTC:60000:0.3:0.7 \
  > >(sed -u 's/^/[feed]   /') 2>&1 &
pids+=($!)
"$bin/ballast" paper --config examples/demo.toml > >(sed -u 's/^/[paper]  /') 2>&1 &
pids+=($!)
"$bin/ballastd" --config examples/demo.toml > >(sed -u 's/^/[daemon] /') 2>&1 &
pids+=($!)

start=$SECONDS
while :; do
  sleep 5
  "$bin/ballast" status 2>/dev/null | sed 's/^/[status] /' || true
  if [ -n "${DEMO_SECONDS:-}" ] && (( SECONDS - start >= DEMO_SECONDS )); then break; fi
done
