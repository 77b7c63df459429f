#pragma once
// [execution.limits] applied to each account's share of a block: the checks
// that are about one account's trade — restricted symbols, max_order_value,
// max_order_fraction of the account's value — as the risk gate makes them for
// a portfolio's order. A denied buy is dropped (its cash stays); a denied
// sell is dropped and the account's buys are scaled down by one factor and
// floored to whole lots so that they never spend proceeds that will not come.
// The rate, duplicate and turnover limits are about orders sent, and apply to
// portfolios, not to allocations. Pure.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/symbol_table.hpp"
#include "core/types.hpp"
#include "execution/risk_gate.hpp"

namespace ballast::fleet {

struct AllocationLimits {
  std::optional<double> max_order_value;     ///< the trade's value (quantity × price)
  std::optional<double> max_order_fraction;  ///< of the account's value, cash included
  std::vector<core::SymbolId> restricted;    ///< sorted

  /// The account-level limits of `limits`, with the restricted symbols found in `symbols`.
  static AllocationLimits from(const execution::RiskLimits& limits, const core::SymbolTable& symbols);
};

/// One trade of an account's rebalance, as sized.
struct SizedTrade {
  core::SymbolId symbol = core::kNoSymbol;
  core::Side side = core::Side::buy;
  double quantity = 0;  ///< > 0, whole lots of `lot`
  double price = 0;
  double lot = 1;
};

struct AllocationDenial {
  core::SymbolId symbol = core::kNoSymbol;
  core::Side side = core::Side::buy;
  execution::DenyReason reason = execution::DenyReason::max_order_value;
  std::string detail;  ///< "order value 60000.00 beyond max_order_value 50000.00"
};

/// Checks an account's trades (sells first) against `limits` and rewrites them:
/// denied trades removed, buys scaled to the cash plus the remaining sells'
/// proceeds when a sell was denied, buys that scale to nothing removed.
/// `account_value`: cash + Σ holdings × price, > 0. Returns the denials.
std::vector<AllocationDenial> apply_allocation_limits(const AllocationLimits& limits, double account_value,
                                                      double cash, std::vector<SizedTrade>& trades);

/// Scales an account's buys down by one factor, floored to whole lots, when
/// they would spend more than `cash` plus its sells' proceeds; buys that
/// scale to nothing are removed. A sell cut short never pays for buys.
void fit_buys_to_cash(double cash, std::vector<SizedTrade>& trades);

}  // namespace ballast::fleet
