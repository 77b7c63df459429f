#pragma once
// What the fleet decides: per rebalanced account, its trades, filled at once
// at the price of the moment (offline semantics, no costs).
#include <cstdint>
#include <vector>

#include "core/types.hpp"
#include "fleet/account_book.hpp"

namespace ballast::fleet {

struct FleetTrade {
  AccountIndex account = 0;
  core::SymbolId symbol = core::kNoSymbol;
  core::Side side = core::Side::buy;
  double quantity = 0;  ///< > 0, whole lots
  double price = 0;     ///< the price it was filled at

  bool operator==(const FleetTrade&) const = default;
};

/// One account's rebalance: trades[first_trade, first_trade + trade_count).
struct FleetRebalance {
  AccountIndex account = 0;
  std::uint32_t first_trade = 0;
  std::uint32_t trade_count = 0;

  bool operator==(const FleetRebalance&) const = default;
};

/// Appended to by a tick or a resync: rebalances in ascending account order
/// within each call, every sell of an account before its buys.
struct FleetOutput {
  std::vector<FleetRebalance> rebalances;
  std::vector<FleetTrade> trades;

  void clear() {
    rebalances.clear();
    trades.clear();
  }
};

}  // namespace ballast::fleet
