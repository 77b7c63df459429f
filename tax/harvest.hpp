#pragma once
// Which lots of a holding a tax-loss harvest would sell at a price, and the
// highest price at which the holding is worth harvesting. Pure.
//
// A harvest sells lots at price p, paying c = rule.cost_fraction of the value
// sold, and buys the same value of a substitute, paying c again. Per unit
// sold, the round trip costs 2c·p, so a lot's harvested loss per unit, net
// of it, is
//
//     u(p) = basis_per_unit − p·(1 + 2c).
//
// A lot qualifies at p when u(p) > 0 and u(p) ≥ rule.min_loss_fraction ×
// basis_per_unit. A holding is harvestable at p when at least one lot
// qualifies and the sum over the qualifying lots of quantity × u(p) is at
// least rule.min_loss. Lowering the price only raises each u and adds lots,
// so once harvestable, a holding stays so at every lower price.
//
// The lots are tax::Lots's: quantity and basis per unit finite and > 0; the
// rule's fields in their documented ranges.
#include <span>
#include <vector>

#include "tax/harvest_rule.hpp"
#include "tax/lots.hpp"

namespace ballast::tax {

/// What a harvest at one price would sell: empty when the holding is not
/// harvestable there.
struct HarvestPlan {
  std::vector<LotId> lots;  ///< the qualifying lots, in the order given
  double quantity = 0;      ///< their units
  double loss = 0;          ///< Σ quantity × u(p) over them: > 0 and ≥ rule.min_loss unless empty

  bool empty() const { return lots.empty(); }
};

/// The lots a harvest at `price` would sell, or an empty plan.
HarvestPlan harvestable(std::span<const Lot> lots, double price, const HarvestRule& rule);
/// Whether harvestable(lots, price, rule) is non-empty, without building the
/// plan (no allocation): for a scan over many holdings.
bool is_harvestable(std::span<const Lot> lots, double price, const HarvestRule& rule);

/// The highest price at which the holding is harvestable: for every price
/// p > 0, harvestable(lots, p, rule) is non-empty exactly when p ≤ this,
/// to the last bit of a double. 0 when no price > 0 makes it harvestable (no
/// lots, or a min_loss above what the lots could lose at any price).
/// With min_loss_fraction and min_loss both 0, the prices that qualify a lot
/// are those strictly below basis_per_unit / (1 + 2c), and the answer is the
/// double just below the highest of these.
double harvest_price(std::span<const Lot> lots, const HarvestRule& rule);

}  // namespace ballast::tax
