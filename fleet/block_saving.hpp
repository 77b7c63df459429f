#pragma once
// What netting a window's trades into block orders saves, by the cost model's
// own estimate: every account's trade sent as its own order against the block
// orders of the same trades. Pure.
//
// The model is linear in quantity for the spread, the slippage and the
// commission's per-share and bps parts, so netting changes those only through
// the blocks' lot-weighted reference price (not at all when the trades of a
// block share one price). What it saves is the commission minimum paid once
// per ticket instead of once per account. Its square-root impact grows with
// the order (V·√q is superadditive), so a block costs more impact than its
// trades sent alone: that shows as a negative saving on impact.
#include <cstddef>
#include <limits>
#include <span>
#include <string_view>

#include "execution/cost_model.hpp"
#include "fleet/block_orders.hpp"

namespace ballast::fleet {

/// The market of one symbol when the window is costed (indexed by symbol id).
struct SymbolMarket {
  std::string_view symbol;  ///< the name the cost parameters' ADV list uses
  double bid = std::numeric_limits<double>::quiet_NaN();  ///< live quote, NaN when unknown
  double ask = std::numeric_limits<double>::quiet_NaN();  ///< live quote, NaN when unknown
  double daily_volatility = 0;  ///< σ of daily returns, as a fraction
};

/// Estimated costs of a set of orders, by component, in the price's currency.
struct CostTally {
  double commission = 0;
  double spread = 0;
  double slippage = 0;
  double impact = 0;
  std::size_t tickets = 0;  ///< orders sent

  double total() const { return commission + spread + slippage + impact; }
};

struct BlockSaving {
  CostTally separate;   ///< every trade as its own order
  CostTally netted;     ///< the block orders of the same trades
  std::size_t refused = 0;  ///< trades the collector refused, in neither tally

  /// separate − netted, component by component: > 0 is saved, < 0 the blocks
  /// cost more (impact). tickets: how many fewer orders the blocks need.
  CostTally saving() const;
};

/// Costs the trades of one window both ways. A symbol id past `markets` is
/// costed without a quote, a name (so without impact) or a volatility.
/// `max_allocations_per_block` as for BlockCollector.
BlockSaving estimate_block_saving(std::span<const AccountTrade> window, const execution::CostParams& params,
                                  std::span<const SymbolMarket> markets, std::size_t max_allocations_per_block);

}  // namespace ballast::fleet
