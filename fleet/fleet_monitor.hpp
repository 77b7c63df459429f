#pragma once
// Every account of a fleet checked on every tick, with work proportional to
// the accounts whose safe zone the tick leaves (geometric monitoring): each
// account holds a radius r around the prices it was last checked at
// (fleet/safe_zone.hpp), and each of its symbols a pair of thresholds
// ln c ± r in two heaps per symbol (fleet/threshold_heaps.hpp). A tick on a
// symbol walks only the thresholds it passes; those accounts are checked
// exactly: in breach → rebalanced; either way → a new zone at today's prices.
// A tick that leaves no zone touches no account. Pure: no I/O, no clock.
#include <cstdint>
#include <span>
#include <vector>

#include "fleet/account_book.hpp"
#include "fleet/fleet_output.hpp"
#include "fleet/rebalancer.hpp"
#include "fleet/threshold_heaps.hpp"

namespace ballast::fleet {

struct FleetCounters {
  std::uint64_t ticks = 0;        ///< usable ticks seen
  std::uint64_t evaluations = 0;  ///< accounts checked after leaving their zone (resyncs not counted)
  std::uint64_t rebalances = 0;   ///< accounts that traded, resyncs included
};

class FleetMonitor {
 public:
  /// `prices`: one per symbol id of the book, each usable (a broken
  /// invariant otherwise). Until the first resync() every account is
  /// checked on every tick of its symbols, which is correct but slow.
  FleetMonitor(AccountBook book, std::vector<double> prices);

  /// Checks every account at the current prices, rebalancing those in
  /// breach (appended to `out` in account order), and rebuilds every zone.
  void resync(FleetOutput& out);

  /// A new last price for `symbol`; appends the rebalances it causes to
  /// `out` in ascending account order. False, and nothing changes, when the
  /// symbol is unknown or the price unusable.
  bool on_tick(core::SymbolId symbol, double price, FleetOutput& out);

  const AccountBook& book() const { return book_; }
  std::span<const double> prices() const { return prices_; }
  const FleetCounters& counters() const { return counters_; }
  /// The radius of an account's current zone, rounded down (−∞: checked on
  /// every tick of its symbols; +∞: no price move can breach it).
  float zone_radius(AccountIndex a) const { return radius_[a]; }
  /// Bytes held by the book, the prices and the zones.
  std::size_t memory_bytes() const;

 private:
  /// Checks `a` exactly (rebalancing it when in breach) and returns its new radius.
  float check(AccountIndex a, FleetOutput& out);
  void set_zone(AccountIndex a, float radius);

  AccountBook book_;
  std::vector<double> prices_;
  std::vector<double> ln_prices_;
  ThresholdHeaps upper_;  ///< keys ln c + r: passed by a price above them
  ThresholdHeaps lower_;  ///< keys r − ln c: passed by a price below ln c − r
  Rebalancer rebalancer_;
  FleetCounters counters_;
  std::vector<float> radius_;  ///< per account
  std::vector<AccountIndex> candidates_;
};

}  // namespace ballast::fleet
