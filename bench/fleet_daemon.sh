#!/bin/sh
# The fleet in the real daemon: a book of N accounts imported into a fresh
# state file, then `ballastd` started against `ballast feed sim` and
# `ballast paper`. Prints the import time, the daemon's start from the book
# (to its fleet_loaded log line, and to its first check of every account once
# every symbol has a price), its memory, and for each feed rate, after
# SECONDS of feed: the fleet's figures from /status (rebalances, block
# orders, allocations, tick → first block order sent inside the daemon) and the
# daemon's ingest (ticks received per second against the feed's, the backlog
# left when the feed stops, and the ticks lost on the way).
#
#   [SHAPE=example|targets] [RATES="50"] [SPEED=...] [DRIFT=0.02] [SEED=1]
#     bench/fleet_daemon.sh BUILD_DIR [N] [SECONDS] [DURABILITY]   # defaults 1000000 30 normal
#
# SHAPE: example (default): examples/fleet, its three models over four
#   symbols (generate-accounts.sh, DRIFT: how far accounts start from their
#   targets, 0.02: within ±1 point). targets: bench/fleet_generate.sh, 40
#   models × 10 assets over 100 symbols, the shape of the fleet's targets;
#   with DYNAMIC=1 every model has a dynamic trigger that holds most rebalances.
# RATES: ticks per second per symbol of `feed sim`, one run each, in order
#   (the feed restarts from its start prices each time); the
#   feed publishes every symbol at that rate, so 100 × RATE ticks/s in all for
#   the targets' shape. Default 50 for example, 1000 for targets.
# SPEED: simulated trading seconds per wall second; default 1.2 × the rate,
#   moves of about 0.9 bp a tick at σ = 0.2 (60 at 50 ticks/s: a calm feed).
# Each rate has a daemon of its own (the figures of /status count from its
#   start); the first starts from the imported book, the next ones from the
#   book as the one before left it.
# shellcheck disable=SC2046  # feed_counts prints fields to split into $1, $2, …
set -eu
build=$(cd "${1:?usage: $0 BUILD_DIR [N] [SECONDS] [DURABILITY]}" && pwd)
n=${2:-1000000}
seconds=${3:-30}
durability=${4:-normal}
shape=${SHAPE:-example}
here=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d /tmp/ballast-fleet-bench.XXXXXX)
pids=""
cleanup() { for p in $pids; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT INT TERM

echo "fleet in the daemon: shape $shape, $n accounts, durability $durability (load average $(cut -d' ' -f1-3 /proc/loadavg))"
case "$shape" in
  example)
    # The example's configuration with this run's state directory and
    # durability, and a window of 0 so that a tick's block orders leave on the tick.
    sed -e "s|^state_dir = .*|state_dir = \"$dir/state\"\ndurability = \"$durability\"|" \
        "$here/examples/fleet/ballast.toml" > "$dir/ballast.toml"
    printf '\n[fleet]\nwindow = "0s"\n' >> "$dir/ballast.toml"
    "$here/examples/fleet/generate-accounts.sh" "$n" "${SEED:-1}" "${DRIFT:-0.02}" > "$dir/accounts.csv"
    symbols="SPY:589,VEA:52,AGG:99,GLD:240"
    rates=${RATES:-50}
    ;;
  targets)
    # Its configuration already has the state in $dir/state and a window of 0.
    "$here/bench/fleet_generate.sh" "$dir" "$n" "${SEED:-1}"
    sed -i -e "s|^durability = .*|durability = \"$durability\"|" "$dir/ballast.toml"
    symbols=$(cat "$dir/symbols.txt")
    rates=${RATES:-1000}
    ;;
  *) echo "$0: SHAPE must be example or targets, got '$shape'" >&2; exit 2 ;;
esac
"$build/ballastd" --config "$dir/ballast.toml" --check-config > /dev/null
nsymbols=$(echo "$symbols" | tr ',' '\n' | wc -l)

ms() { date +%s%3N; }
t=$(ms)
"$build/ballast" accounts import "$dir/accounts.csv" --config "$dir/ballast.toml" > /dev/null
echo "import: $n accounts in $(( $(ms) - t )) ms ($(du -m "$dir/state/state.db" | cut -f1) MB state file)"

"$build/ballast" paper --config "$dir/ballast.toml" > /dev/null 2>&1 & pids="$pids $!"

status() { curl -s http://127.0.0.1:8787/status > "$dir/status.json"; }
# The feed's counters: received (every message), ticks (accepted), rejected
# (all reasons), pending; then the time of the read (ms) and the CPU time the
# daemon and the feed have used so far (clock ticks).
feed_counts() {
  status
  t=$(ms)
  python3 -c '
import json, sys
f = json.load(open(sys.argv[1]))["feeds"][0]
print(f["received"], f["ticks"], sum(f["rejected"].values()), f["pending_ticks"])' "$dir/status.json"
  echo "$t $(cpu "$daemon") $(cpu "$sim")"
}
cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
memory() { grep -E 'VmRSS|VmHWM' "/proc/$daemon/status" | tr -s ' \t' ' ' | tr '\n' ' '; echo; }

for rate in $rates; do
  speed=${SPEED:-$(awk -v r="$rate" 'BEGIN { print 1.2 * r }')}
  echo "--- feed sim: $nsymbols symbols x $rate ticks/s, speed $speed (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  # A daemon of its own for each rate, so that its /status counts that rate
  # alone; the later ones start from the book as the earlier ones left it.
  t0=$(ms)
  : > "$dir/daemon.log"
  "$build/ballastd" --config "$dir/ballast.toml" > "$dir/daemon.log" 2>&1 & daemon=$!; pids="$pids $daemon"
  # Start the feed only once the daemon is loaded, so that the start is the book's alone.
  until grep -q 'fleet: [0-9]* accounts on' "$dir/daemon.log" 2>/dev/null; do
    kill -0 "$daemon" 2>/dev/null || { cat "$dir/daemon.log"; exit 1; }
    sleep 0.05
  done
  t1=$(ms)
  "$build/ballast" feed sim --symbols "$symbols" --rate "$rate" --speed "$speed" > "$dir/sim.out" 2>&1 & sim=$!
  pids="$pids $sim"
  until grep -q 'every symbol priced' "$dir/daemon.log"; do
    kill -0 "$daemon" 2>/dev/null || { cat "$dir/daemon.log"; exit 1; }
    sleep 0.05
  done
  t2=$(ms)
  echo "start: book loaded $(( t1 - t0 )) ms after launch; every account checked $(( t2 - t1 )) ms after the feed started"
  memory
  # Ingest over the run: what the daemon received between two reads of
  # /status, and the CPU the daemon and the feed used meanwhile.
  set -- $(feed_counts); ra=$1; ta=$5; cpu_da=$6; cpu_sa=$7
  sleep "$seconds"
  set -- $(feed_counts); rb=$1; tb=$5; pending=$4; cpu_db=$6; cpu_sb=$7
  # Stop the feed; what the daemon has not received when it has stopped was
  # queued behind (its lag then); what it never receives was lost.
  kill -TERM "$sim"; wait "$sim" || true
  set -- $(feed_counts); at_stop=$1; last=-1; now_r=$at_stop
  while [ "$now_r" != "$last" ]; do last=$now_r; sleep 0.5; set -- $(feed_counts); now_r=$1; done
  published=$(sed -n 's/^feed sim: published \([0-9]*\) ticks.*/\1/p' "$dir/sim.out")
  sim_s=$(sed -n 's/^feed sim: published .* in \([0-9.]*\) s.*/\1/p' "$dir/sim.out")
  python3 -c '
import json, sys
rate, n_sym, ra, rb, ta, tb, pending, at_stop, published, sim_s, cd, cs, hz = sys.argv[2:15]
s = json.load(open(sys.argv[1]))
feed = s["feeds"][0]
f = s["fleet"]
wall = (int(tb) - int(ta)) / 1000
print("ingest: %.0f ticks/s received over %.1f s (offered %d/s; the feed published %.0f/s over its %s s); daemon CPU %.0f%%, feed CPU %.0f%%" % (
    (int(rb) - int(ra)) / wall, wall, int(rate) * int(n_sym), int(published) / float(sim_s), sim_s,
    100 * int(cd) / int(hz) / wall, 100 * int(cs) / int(hz) / wall))
print("        when the feed stopped: %d ticks not yet received, %d pending; lost: %d of %s published (%d received, %d rejected)" % (
    int(published) - int(at_stop), int(pending), int(published) - feed["received"], published, feed["received"],
    sum(feed["rejected"].values())))
print("fleet: %d ticks accepted; %d rebalances (%d held), %d block orders, %d allocations, %d open, %d fills applied" % (
    feed["ticks"], f["rebalances"], f["tax"]["rebalances_held"], f["block_orders"], f["allocations"],
    f["open_block_orders"], f["fills_applied"]))
print("states:", f["states"], "rezones:", f.get("rezones", 0))
print("memory (MiB):", f.get("memory_mb"))
l = f["tick_to_order_us"]
print("tick -> first block order sent: count %d, p50 %.1f us, p99 %.1f us" % (l["count"], l["p50"], l["p99"]))
c = f.get("order_commit_us")
if c:
    print("  of which the commit before the send: count %d, p50 %.1f us, p99 %.1f us" % (c["count"], c["p50"], c["p99"]))
' "$dir/status.json" "$rate" "$nsymbols" "$ra" "$rb" "$ta" "$tb" "$pending" "$at_stop" "${published:-0}" "${sim_s:-1}" \
    "$(( cpu_db - cpu_da ))" "$(( cpu_sb - cpu_sa ))" "$(getconf CLK_TCK)"
  memory
  kill -TERM "$daemon"; wait "$daemon" || true
done
