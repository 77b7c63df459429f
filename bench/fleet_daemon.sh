#!/bin/sh
# The fleet in the real daemon: a book of N accounts (examples/fleet's
# generator, its three models) imported into a fresh state file, then
# `ballastd` started against `ballast feed sim` and `ballast paper`. Prints
# the import time, the daemon's start from the book (to its fleet_loaded log
# line, and to its first check of every account once every symbol has a
# price), its memory, and after SECONDS of feed the fleet's figures from
# /status: rebalances, block orders, allocations and tick → block order
# latency inside the daemon.
#
#   [DRIFT=0.02] [SPEED=60] bench/fleet_daemon.sh BUILD_DIR [N] [SECONDS] [DURABILITY]   # defaults 1000000 30 normal
#
# DRIFT: how far the accounts start from their targets (generate-accounts.sh;
# 0.02: within ±1 point, most inside their bands).
# SPEED: simulated trading seconds per wall second (60: a calm feed, moves of
# about 1 bp a tick at 50 ticks per second per symbol).
set -eu
build=${1:?usage: $0 BUILD_DIR [N] [SECONDS] [DURABILITY]}
n=${2:-1000000}
seconds=${3:-30}
durability=${4:-normal}
here=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d /tmp/ballast-fleet-bench.XXXXXX)
pids=""
cleanup() { for p in $pids; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT INT TERM

# The example's configuration with this run's state directory and durability,
# and a window of 0 so that a tick's block orders leave on the tick.
sed -e "s|^state_dir = .*|state_dir = \"$dir/state\"\ndurability = \"$durability\"|" \
    "$here/examples/fleet/ballast.toml" > "$dir/ballast.toml"
printf '\n[fleet]\nwindow = "0s"\n' >> "$dir/ballast.toml"
"$here/examples/fleet/generate-accounts.sh" "$n" 1 "${DRIFT:-0.02}" > "$dir/accounts.csv"

ms() { date +%s%3N; }
t=$(ms)
"$build/ballast" accounts import "$dir/accounts.csv" --config "$dir/ballast.toml" > /dev/null
echo "import: $n accounts in $(( $(ms) - t )) ms ($(du -m "$dir/state/state.db" | cut -f1) MB state file)"

"$build/ballast" paper --config "$dir/ballast.toml" > /dev/null 2>&1 & pids="$pids $!"
t0=$(ms)
"$build/ballastd" --config "$dir/ballast.toml" > "$dir/daemon.log" 2>&1 & daemon=$!; pids="$pids $daemon"
# Start the feed only once the daemon is loaded, so that the start is the book's alone.
until grep -q 'fleet: [0-9]* accounts on' "$dir/daemon.log" 2>/dev/null; do
  kill -0 "$daemon" 2>/dev/null || { cat "$dir/daemon.log"; exit 1; }
  sleep 0.05
done
t1=$(ms)
"$build/ballast" feed sim --symbols SPY:589 VEA:52 AGG:99 GLD:240 --rate 50 --speed "${SPEED:-60}" > /dev/null 2>&1 & pids="$pids $!"
until grep -q 'every symbol priced' "$dir/daemon.log"; do sleep 0.05; done
t2=$(ms)
echo "start: book loaded $(( t1 - t0 )) ms after launch; every account checked $(( t2 - t1 )) ms after the feed started"
grep -E 'VmRSS|VmHWM' "/proc/$daemon/status" | tr -s ' \t' ' ' | tr '\n' ' '; echo
sleep "$seconds"
curl -s http://127.0.0.1:8787/status | python3 -c '
import json, sys
s = json.load(sys.stdin)
f = s["fleet"]
print("after %s s of feed: %d ticks; %d rebalances, %d block orders, %d allocations, %d open, %d fills applied" % (
    sys.argv[1], s["feeds"][0]["ticks"], f["rebalances"], f["block_orders"], f["allocations"],
    f["open_block_orders"], f["fills_applied"]))
print("states:", f["states"])
l = f["tick_to_order_us"]
print("tick -> block orders decided: count %d, p50 %.1f us, p99 %.1f us" % (
    l["count"], l["p50"], l["p99"]))
' "$seconds"
grep -E 'VmRSS|VmHWM' "/proc/$daemon/status" | tr -s ' \t' ' ' | tr '\n' ' '; echo
