#pragma once
// Sizing: from the weights a rebalance wants to whole-lot trades the
// portfolio can pay for, each worth at least min_trade_value, checked against
// its cost (max_cost_bps, the costs paid from cash) and passed through the
// risk gate; and the quantity of a sliced trade's first child.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/symbol_table.hpp"
#include "core/types.hpp"
#include "engine/output.hpp"
#include "engine/portfolio_state.hpp"
#include "engine/valuation.hpp"
#include "execution/cost_model.hpp"
#include "execution/order_sizing.hpp"
#include "execution/risk_gate.hpp"

namespace ballast::engine {

/// The cost model's estimate for trading `quantity` of asset `asset` of `p`
/// now: at the last price and quote, with the impact from the risk estimate's
/// daily σ. Without `spec.costs`: no costs, only the price and quantity.
execution::CostBreakdown estimate_cost(const PortfolioState& p, std::size_t asset, double quantity,
                                       const PriceTable& prices, const core::SymbolTable& symbols);

/// The quantity of the first child when a trade of `quantity` is sliced (at
/// least one lot, at most the trade); the whole quantity when it is not.
double first_child(const PortfolioState& p, const AssetState& a, double quantity, const PriceTable& prices);

/// The weights a rebalance trades to, into `desired`: the targets, or with
/// rebalance_to = band_edge (and not `to_target`) each weight the same
/// fraction of the way, `fraction` when given (the dynamic trigger's),
/// otherwise just far enough that every threshold band holds again. True when
/// band-edge.
bool desired_weights(const PortfolioState& p, const WeightSnapshot& w, bool to_target, std::optional<double> fraction,
                     std::vector<double>& desired);

/// Sizes trades and keeps the risk gate, with its memory of recent orders and
/// its count of denials.
class TradeSizer {
 public:
  explicit TradeSizer(execution::RiskLimits limits) : gate_(std::move(limits)) {}

  /// New gate limits; the gate's memory of recent orders is kept.
  void set_limits(execution::RiskLimits limits) { gate_.set_limits(std::move(limits)); }
  /// Orders the gate denied, by reason, since start.
  std::uint64_t denied(execution::DenyReason r) const { return denied_[static_cast<std::size_t>(r)]; }

  /// Sizes the trades of portfolio `index` (`p`, valued in `w`) to `desired`
  /// and passes them through costs and the gate; a denied or too-costly sell
  /// is frozen at its weight and the rest re-sized, so buys never count on
  /// proceeds that will not come; a denied buy is dropped. The gate records
  /// the trades returned; denials go to `out`. `rebalance_id`: the id the
  /// rebalance will have.
  execution::SizingResult size(std::size_t index, PortfolioState& p, const WeightSnapshot& w,
                               std::span<const double> desired, bool band_edge, std::string_view rebalance_id,
                               core::TimeNs now, const PriceTable& prices, const core::SymbolTable& symbols,
                               Output& out);

  /// Checks one trade of asset `asset` at the gate, for a portfolio worth
  /// `value`, and records it when allowed; the denial when it is refused.
  std::optional<Denial> pass_gate(std::size_t index, const PortfolioState& p, std::size_t asset, core::Side side,
                                  double quantity, double value, std::string_view rebalance_id, core::TimeNs now,
                                  const PriceTable& prices, const core::SymbolTable& symbols);
  /// Counts a denial, for its portfolio and by reason, and reports it.
  void deny(PortfolioState& p, Denial denial, Output& out);

 private:
  execution::RiskGate gate_;
  std::array<std::uint64_t, execution::kDenyReasonCount> denied_{};
  // Scratch reused by every sizing (no allocation per decision).
  core::Order gate_order_;
  std::vector<char> frozen_;
  std::vector<execution::SizingAsset> assets_;
  std::vector<execution::SizedTrade> allowed_;
};

}  // namespace ballast::engine
