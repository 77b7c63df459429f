#pragma once
// How a portfolio's orders are executed, as its configuration sets it: the
// cost model's parameters, limit orders, slicing. Pure data, kept here so that
// the policy (strategies::PortfolioSpec) can carry them without depending on
// execution/, which holds what they mean: execution/cost_model.hpp (the cost
// formulas), execution/limit_price.hpp (the limit price), the engine (slicing).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/time.hpp"

namespace ballast::core {

/// `[portfolios.costs]`. Everything defaults to zero: no costs.
struct CostParams {
  double commission_per_share = 0;  ///< currency per unit traded, ≥ 0
  double commission_bps = 0;        ///< of traded value, ≥ 0
  double commission_min = 0;        ///< currency per order with quantity > 0, ≥ 0
  double half_spread_bps = 0;       ///< of price; used only without a usable live quote
  double slippage_bps = 0;          ///< of traded value, ≥ 0
  double impact_eta = 0;            ///< η of the square-root impact law, ≥ 0
  /// Average daily volume in units per symbol, each > 0; a symbol without one has no impact.
  /// The first entry for a symbol wins (execution::validate() reports repeats).
  std::vector<std::pair<std::string, double>> adv;
};

enum class LimitFrom : std::uint8_t { mid, touch };
enum class OnExpiry : std::uint8_t { cancel, replace };

/// `order_type = "limit"` with its `limit_*` keys.
struct LimitOrderSpec {
  LimitFrom from = LimitFrom::mid;
  double offset_bps = 0;  ///< > −10000, < 10000
  /// How long an order may rest; then it is cancelled or replaced. > 0.
  DurationNs ttl = 60 * kNanosPerSecond;
  OnExpiry on_expiry = OnExpiry::cancel;
  /// Replaces per order before the next expiry cancels it; ≥ 0.
  int max_replaces = 3;
  /// The venue's price increment; 0: not rounded.
  double tick = 0;
};

/// `slicing = { max_child_value, interval }`: an order worth more is sent as
/// child orders of at most this value, one every `interval` (a TWAP).
struct Slicing {
  double max_child_value = 0;  ///< > 0
  DurationNs interval = 30 * kNanosPerSecond;
  bool operator==(const Slicing&) const = default;
};

}  // namespace ballast::core
