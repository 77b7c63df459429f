#!/bin/sh
# A calendar date over a book in the real daemon: the targets' shape of N
# accounts (bench/fleet_generate.sh) with a calendar trigger added to each of
# its 40 models (20 rebalance to target; the 20 that trade to the band's edge
# add nothing on a date), one date 45 s after the daemon starts (an anchor,
# every = "1d"), `ballast paper` filling every block, `ballast feed sim`
# pricing the 100 symbols (50 ticks/s each, at the speed of the clock: the
# date's trades are the book's drift, not the feed's). For each BALLASTD given,
# one after the other on a copy of the same imported book: how many accounts
# the date traded, over how long (from /status's calendar_rebalances, read
# every 0.5 s; the date has ended when it has not moved for 3 s), and how long /metrics took to answer, probed every 20 ms
# while the date ran (median, p99, max).
#
#   bench/fleet_calendar.sh BUILD_DIR [N] [BALLASTD...]   # N defaults to 200000
#
# BALLASTD: daemon binaries to compare (default BUILD_DIR/ballastd), such as
# one built before a change; `ballast` (import, paper, feed) is BUILD_DIR's.
# shellcheck disable=SC2046  # counts prints fields to split into $1, $2, …
set -eu
build=$(cd "${1:?usage: $0 BUILD_DIR [N] [BALLASTD...]}" && pwd)
n=${2:-200000}
shift $(( $# < 2 ? $# : 2 ))
[ $# -gt 0 ] || set -- "$build/ballastd"
here=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d /tmp/ballast-calendar-bench.XXXXXX)
pids=""
cleanup() { for p in $pids; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT INT TERM

"$here/bench/fleet_generate.sh" "$dir" "$n" 1
# A date on every model, at ANCHOR: the trigger goes at the end of each
# model's section, before the next [[models]] (and at the end of the file).
with_date() {
  awk -v anchor="$1" 'function date() { print "[[models.triggers]]\nkind = \"calendar\"\nevery = \"1d\"\nanchor = \"" anchor "\"\n" }
       /^\[\[models\]\]$/ { if (seen) date(); seen = 1 }
       { print }
       END { if (seen) date() }' "$dir/ballast.toml" > "$dir/calendar.toml"
}
with_date "$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)"
symbols=$(cat "$dir/symbols.txt")
"$build/ballast" accounts import "$dir/accounts.csv" --config "$dir/calendar.toml" > /dev/null
cp -r "$dir/state" "$dir/imported"
echo "calendar date over $n accounts (load average $(cut -d' ' -f1-3 /proc/loadavg))"

"$build/ballast" paper --config "$dir/calendar.toml" > /dev/null 2>&1 & pids="$pids $!"

ms() { date +%s%3N; }
dated() {
  curl -s http://127.0.0.1:8787/status |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["fleet"]["calendar_rebalances"])' 2>/dev/null || echo 0
}

for daemon_bin in "$@"; do
  # The same book and the same prices for each daemon: the feed starts over.
  rm -rf "$dir/state"; cp -r "$dir/imported" "$dir/state"
  "$build/ballast" feed sim --symbols "$symbols" --rate 50 --speed 1 > /dev/null 2>&1 & feed=$!; pids="$pids $feed"
  with_date "$(date -u -d '+45 seconds' +%Y-%m-%dT%H:%M:%SZ)"
  "$daemon_bin" --config "$dir/calendar.toml" > "$dir/daemon.log" 2>&1 & daemon=$!; pids="$pids $daemon"
  until grep -q 'every symbol priced' "$dir/daemon.log" 2>/dev/null; do
    kill -0 "$daemon" 2>/dev/null || { cat "$dir/daemon.log"; exit 1; }
    sleep 0.1
  done
  # The rebalances of the start's check are not the date's: count from here.
  sleep 2
  base=$(dated)
  until [ "$(dated)" -gt "$base" ]; do sleep 0.5; done
  t0=$(ms)
  : > "$dir/latency.txt"
  ( while :; do curl -s -o /dev/null -w '%{time_total}\n' http://127.0.0.1:8787/metrics >> "$dir/latency.txt"
      sleep 0.02; done ) & probe=$!; pids="$pids $probe"
  # The date has ended when its count has not moved for 3 s.
  count=$(dated); t1=$(ms)
  while [ $(( $(ms) - t1 )) -lt 3000 ]; do
    sleep 0.5
    c=$(dated)
    if [ "$c" != "$count" ]; then count=$c; t1=$(ms); fi
  done
  kill "$probe"; wait "$probe" 2>/dev/null || true
  kill -TERM "$daemon"; wait "$daemon" || true
  kill -TERM "$feed"; wait "$feed" || true
  python3 -c '
import statistics, sys
traded, ms, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[4]
xs = sorted(float(x) * 1000 for x in open(sys.argv[3]) if x.strip())
p99 = xs[min(len(xs) - 1, int(0.99 * len(xs)))]
print("%s: %d accounts traded in %.1f s, %.0f a second; /metrics over %d probes: median %.2f ms, p99 %.0f ms, max %.0f ms" % (
    path, traded, ms / 1000, traded / (ms / 1000), len(xs), statistics.median(xs), p99, xs[-1]))
' "$(( count - base ))" "$(( t1 - t0 ))" "$dir/latency.txt" "$daemon_bin"
done
