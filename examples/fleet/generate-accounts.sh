#!/bin/sh
# Writes N accounts for examples/fleet/ballast.toml as CSV on stdout, the
# format `ballast accounts import` reads: each account follows one of the
# three models, holds whole shares near its model's weights (each off by up
# to ±DRIFT/2, default 0.06: ±3 points, so that many start outside their
# bands), keeps its model's cash target and a little more, and belongs to a
# household (two accounts on average).
#
#   examples/fleet/generate-accounts.sh N [SEED] [DRIFT] > accounts.csv
#
# The same N, SEED and DRIFT always write the same file.
set -eu
if [ $# -lt 1 ] || [ $# -gt 3 ]; then
  echo "usage: $0 N [SEED] [DRIFT]" >&2
  exit 2
fi
case "$1" in '' | *[!0-9]*) echo "$0: N must be a whole number, got '$1'" >&2; exit 2 ;; esac
case "${2:-1}" in '' | *[!0-9]*) echo "$0: SEED must be a whole number, got '$2'" >&2; exit 2 ;; esac
case "${3:-0.06}" in '' | *[!0-9.]* | *.*.*) echo "$0: DRIFT must be a number such as 0.02, got '$3'" >&2; exit 2 ;; esac
exec awk -v n="$1" -v seed="${2:-1}" -v drift="${3:-0.06}" 'BEGIN {
  srand(seed)
  # Prices the simulated feed starts near, and the models as in ballast.toml.
  split("SPY VEA AGG GLD", sym, " ")
  price["SPY"] = 589; price["VEA"] = 52; price["AGG"] = 99; price["GLD"] = 240
  model[0] = "growth";   w[0, "SPY"] = 0.55; w[0, "VEA"] = 0.25; w[0, "AGG"] = 0.15; w[0, "GLD"] = 0.05
  model[1] = "balanced"; w[1, "SPY"] = 0.40; w[1, "VEA"] = 0.20; w[1, "AGG"] = 0.40; w[1, "GLD"] = 0
  model[2] = "income";   w[2, "SPY"] = 0.20; w[2, "VEA"] = 0;    w[2, "AGG"] = 0.60; w[2, "GLD"] = 0.10
  cash_target[0] = 0; cash_target[1] = 0; cash_target[2] = 0.1
  print "id,model,cash,household,SPY,VEA,AGG,GLD"
  household = 0
  for (i = 1; i <= n; i++) {
    if (i == 1 || rand() < 0.5) household++
    m = int(rand() * 3)
    value = 5000 + int(rand() * 195000)
    line = sprintf("acct-%07d,%s,%.2f,hh-%07d", i, model[m], value * (cash_target[m] + 0.005 + rand() * 0.01), household)
    for (k = 1; k <= 4; k++) {
      s = sym[k]
      q = ""
      if (w[m, s] > 0) {
        weight = w[m, s] + (rand() - 0.5) * drift
        if (weight < 0) weight = 0
        q = int(value * weight / price[s])
      }
      line = line "," q
    }
    print line
  }
}'
