#pragma once
// What a trade costs: commission, half the bid/ask spread, slippage and market
// impact. Pure; never throws. Costs are in the currency of the price, ≥ 0.
//
// For one order of q = |quantity| units at reference price p (value V = q·p):
//   commission = max(per_share·q + commission_bps·V / 1e4, commission_min)    when q > 0
//   spread     = q · h,  h = (ask − bid) / 2          with a usable live quote:
//                                                      bid, ask finite, > 0, ask ≥ bid
//                        h = p · half_spread_bps / 1e4  otherwise
//   slippage   = V · slippage_bps / 1e4
//   impact     = V · η · σ_daily · sqrt(q / ADV)      when the symbol has an ADV and η > 0;
//                                                      0 otherwise (square-root law, uncapped)
// Spread, slippage and impact move the fill price (see CostBreakdown::fill_price);
// commission is charged beside it.
//
// Out-of-domain values never turn into NaN: a parameter that validate() rejects
// counts as zero (an ADV entry it rejects as absent); a non-finite quantity counts
// as zero; a price that is not finite and > 0 makes V = 0 and disables the
// bps half-spread; a daily volatility that is not finite and ≥ 0 disables impact.
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "core/execution_params.hpp"
#include "core/types.hpp"

namespace ballast::execution {

/// The parameters, defined with the other execution settings a portfolio carries.
using CostParams = core::CostParams;

struct CostInputs {
  std::string_view symbol;
  double quantity = 0;  ///< units; the sign is ignored, the side goes to fill_price
  double price = 0;     ///< reference (mid or last) price, > 0
  double bid = std::numeric_limits<double>::quiet_NaN();  ///< live quote, NaN when unknown
  double ask = std::numeric_limits<double>::quiet_NaN();  ///< live quote, NaN when unknown
  double daily_volatility = 0;  ///< σ of daily returns, as a fraction (0.02 = 2 %)
};

/// Each component in currency for the whole order, ≥ 0.
struct CostBreakdown {
  double commission = 0;
  double spread = 0;
  double slippage = 0;
  double impact = 0;
  double price = 0;     ///< the reference price the costs were estimated at
  double quantity = 0;  ///< |quantity| the costs are for

  double total() const;
  /// The expected average fill: price ± (spread + slippage + impact) / quantity,
  /// up for a buy, down for a sell; the price itself when quantity is 0.
  /// Commission is not in it: quantity × fill_price(buy) = value + spread + slippage + impact.
  double fill_price(core::Side side) const;
};

CostBreakdown estimate_cost(const CostParams& params, const CostInputs& in);

/// Every problem with the parameters (negative, non-finite, ADV ≤ 0, a symbol's
/// ADV given twice), empty when they are usable.
std::vector<std::string> validate(const CostParams& params);

}  // namespace ballast::execution
