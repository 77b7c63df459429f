#!/bin/sh
# Writes the fleet of the targets' shape for the real daemon: 40 models of 10
# assets each over 100 symbols, and N accounts that follow them — the shape of
# bench_fleet.cpp, as a configuration and an account book instead of arrays.
#
#   [DYNAMIC=1] bench/fleet_generate.sh DIR N [SEED]
#
# DIR/ballast.toml   the daemon's configuration: state in DIR/state, durability
#                    "normal", [fleet] window "0s", the feed's coalesce "off", feed, paper gateway and
#                    status on the example's ports, and the 40 [[models]]
# DIR/accounts.csv   N accounts in the format `ballast accounts import` reads
# DIR/symbols.txt    the 100 symbols with their start prices, SYM:PRICE
#                    separated by commas, for `ballast feed sim --symbols`
#
# Models: 10 symbols drawn from the 100 (every symbol in some model), targets of 0.5–1.5 scaled to leave
# 0–5% in cash (cash_target makes the sum 1), absolute bands of 2–5% (two
# models in three) or relative ones of 20–40%, half of them traded back to the
# band's edge, min_trade_value 50, whole shares (the default lot).
# Accounts: a model at random, a value of 10,000–1,000,000, a band multiplier
# of 0.75–1.5, every weight drawn inside ±90% of its (scaled) band and floored
# to whole shares, the rest in cash; no household.
# DYNAMIC=1: every model also has a dynamic trigger (risk aversion 1, a
# horizon of 30 days, σ 0.2 for every symbol, uncorrelated) that holds most
# of the rebalances its bands fire, as a cautious robo-advisor's would.
#
# The same DIR, N and SEED always write the same files (with the same awk).
set -eu
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: $0 DIR N [SEED]" >&2
  exit 2
fi
case "$2" in '' | *[!0-9]*) echo "$0: N must be a whole number, got '$2'" >&2; exit 2 ;; esac
case "${3:-1}" in '' | *[!0-9]*) echo "$0: SEED must be a whole number, got '$3'" >&2; exit 2 ;; esac
mkdir -p "$1"
dir=$(cd "$1" && pwd)
case "$dir" in *'"'* | *'\'*) echo "$0: DIR must not hold a quote or a backslash: $dir" >&2; exit 2 ;; esac
exec awk -v dir="$dir" -v n="$2" -v seed="${3:-1}" -v dynamic="${DYNAMIC:-0}" 'BEGIN {
  srand(seed)
  S = 100; M = 40; K = 10
  config = dir "/ballast.toml"; csv = dir "/accounts.csv"; syms = dir "/symbols.txt"
  # Symbols XAA … XDV (letters only), start prices 10–500 to the cent.
  letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
  line = ""
  for (j = 0; j < S; j++) {
    sym[j] = "X" substr(letters, int(j / 26) + 1, 1) substr(letters, j % 26 + 1, 1)
    price[j] = int((10 + 490 * rand()) * 100) / 100
    line = line (j ? "," : "") sym[j] ":" price[j]
  }
  print line > syms

  print "# The fleet of the targets: 40 models x 10 assets over 100 symbols" > config
  print "# (written by bench/fleet_generate.sh, seed " seed "; accounts in accounts.csv)." > config
  print "\n[daemon]\nlog_level = \"info\"\nstate_dir = \"" dir "/state\"\ndurability = \"normal\"" > config
  # coalesce "off": every tick decided alone (the fleet takes them one at a
  # time anyway), so that its latency counts from its own receipt, not from
  # that of the first tick of its feed sim row of 100.
  print "\n[[feeds]]\nname = \"sim\"\nendpoint = \"tcp://127.0.0.1:5556\"\nstale_after = \"10s\"\nmax_jump = 0.25\ncoalesce = \"off\"" > config
  print "\n[execution]\nendpoint = \"tcp://127.0.0.1:5557\"\nfills_endpoint = \"tcp://127.0.0.1:5558\"\nmode = \"live\"" > config
  print "\n[status]\nlisten = \"127.0.0.1:8787\"" > config
  print "\n[fleet]\nwindow = \"0s\"" > config

  for (k = 0; k < M; k++) {
    # 10 distinct symbols: those whose number is k modulo 40 (so that every
    # symbol is in some model), then a partial Fisher-Yates shuffle of the rest.
    for (j = 0; j < S; j++) pick[j] = j
    first = 0
    for (j = k; j < S; j += M) { t = pick[first]; pick[first] = pick[j]; pick[j] = t; first++ }
    for (i = first; i < K; i++) {
      r = i + int(rand() * (S - i))
      t = pick[i]; pick[i] = pick[r]; pick[r] = t
    }
    for (i = 0; i < K; i++) msym[k, i] = pick[i]
    sum = 0
    for (i = 0; i < K; i++) { raw[i] = 0.5 + rand(); sum += raw[i] }
    invested = 0.95 + 0.05 * rand()
    # Targets in units of 1e-4, so that cash_target = 1 - their sum exactly.
    units = 0
    for (i = 0; i < K; i++) { u[i] = int(raw[i] * invested / sum * 10000); units += u[i]; mt[k, i] = u[i] / 10000 }
    cash_units = 10000 - units
    if (k % 3) { abs_band[k] = int((0.02 + 0.03 * rand()) * 1000) / 1000; rel_band[k] = 0 }
    else { rel_band[k] = int((0.2 + 0.2 * rand()) * 100) / 100; abs_band[k] = 0 }
    edge = k % 4 < 2
    targets = ""
    for (i = 0; i < K; i++) targets = targets (i ? ", " : "") sym[msym[k, i]] " = " sprintf("%.4f", mt[k, i])
    printf "\n[[models]]\nid = \"m%02d\"\ntargets = { %s }\ncash_target = %.4f\n", k, targets, cash_units / 10000 > config
    if (edge) print "rebalance_to = \"band-edge\"" > config
    print "min_trade_value = 50.0" > config
    print "[models.costs]\ncommission_per_share = 0.005\ncommission_min = 1.0\nhalf_spread_bps = 1.0" > config
    print "[[models.triggers]]\nkind = \"threshold\"" > config
    if (abs_band[k]) printf "absolute = %.3f\n", abs_band[k] > config
    else printf "relative = %.2f\n", rel_band[k] > config
    if (dynamic) {
      # A cautious dynamic trigger: the benefit over a month at risk aversion 1
      # rarely pays the costs of its trades, so most band breaches are held.
      print "[[models.triggers]]\nkind = \"dynamic\"\nrisk_aversion = 1\nhorizon = \"30d\"" > config
      vols = ""
      for (i = 0; i < K; i++) vols = vols (i ? ", " : "") sym[msym[k, i]] " = 0.2"
      printf "[models.risk]\nvolatilities = { %s }\n", vols > config
    }
  }

  header = "id,model,cash,band_multiplier"
  for (j = 0; j < S; j++) header = header "," sym[j]
  print header > csv
  for (a = 1; a <= n; a++) {
    k = int(rand() * M)
    multiplier = int((0.75 + 0.75 * rand()) * 100) / 100
    value = 10000 + int(rand() * 990000)
    for (j = 0; j < S; j++) q[j] = ""
    spent = 0
    for (i = 0; i < K; i++) {
      t = mt[k, i]
      h = abs_band[k] ? abs_band[k] * multiplier : rel_band[k] * multiplier * t
      w = t + 0.9 * h * (2 * rand() - 1)
      if (w < 0) w = 0
      j = msym[k, i]
      q[j] = int(value * w / price[j])
      spent += q[j] * price[j]
    }
    cash = value - spent
    if (cash < 0) cash = 0
    line = sprintf("acct-%07d,m%02d,%.2f,%.2f", a, k, cash, multiplier)
    for (j = 0; j < S; j++) line = line "," q[j]
    print line > csv
  }
}'
