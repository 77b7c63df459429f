#pragma once
// The reference the safe-zone monitor is held to: on every tick, every
// account holding the symbol is checked exactly, in ascending account order,
// with the same Rebalancer. Work per tick grows with the holders of the symbol.
#include <cstdint>
#include <span>
#include <vector>

#include "fleet/account_book.hpp"
#include "fleet/fleet_output.hpp"
#include "fleet/rebalancer.hpp"

namespace ballast::fleet {

class BruteForceFleet {
 public:
  /// `prices`: one usable price per symbol id of the book (a broken invariant otherwise).
  BruteForceFleet(AccountBook book, std::vector<double> prices);

  /// Checks every account at the current prices; rebalances go to `out` in account order.
  void resync(FleetOutput& out);
  /// As FleetMonitor::on_tick.
  bool on_tick(core::SymbolId symbol, double price, FleetOutput& out);

  const AccountBook& book() const { return book_; }
  std::span<const double> prices() const { return prices_; }

 private:
  AccountBook book_;
  std::vector<double> prices_;
  std::vector<std::uint32_t> holders_begin_;  ///< symbol j's holders: holders_[begin[j], begin[j+1])
  std::vector<AccountIndex> holders_;         ///< ascending within each symbol
  Rebalancer rebalancer_;
};

}  // namespace ballast::fleet
