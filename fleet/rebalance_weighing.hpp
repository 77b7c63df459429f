#pragma once
// A model's dynamic trigger on a rebalance its bands fired and the desk sized:
// the benefit of trading back to target against what the trades cost,
// counting the tax their sells would realise as a cost like any other. Pure.
//
//   B = (λ/2) · dᵀΣd · (horizon / year) · V    (strategies::dynamic_benefit)
//   C = trading cost of the sized trades + max(0, tax the sized sells realise)
//   the rebalance goes ahead when B > C, strictly.
//
// d is the account's deviation from target by slot: w − t, or, with substitute
// groups, the group's weight less its primary's target at the primary and 0 at
// the substitutes (a group is one exposure: Σ's row of the primary stands for
// it). V is the account's value (cash included).
//
// Trading cost: each trade under the model's `[models.costs]` (execution's
// cost model at the trade's price, no live quote, impact from Σ's daily σ) when
// it has them, else |q|·p·cost_bps/10⁴ (the trigger's per-symbol bps).
//
// Tax: what each sell would realise at the model's `[models.tax]` rates, lots
// chosen as the sale would choose them (AccountLots::tax_if_sold; no rates: no
// tax). Losses count against the gains the same rebalance realises and no
// further: the net is floored at 0. A loss's worth beyond that depends on gains
// the owner realises elsewhere, which the desk does not know, and a rebalance
// paid for by its own losses is a harvest, which has its own rule
// (`[models.tax.harvest]`); so a loss can make a rebalance's tax nothing, never
// a reason to trade.
#include <span>

#include <Eigen/Core>

#include "core/symbol_table.hpp"
#include "fleet/account_book.hpp"
#include "fleet/account_lots.hpp"
#include "fleet/allocation_limits.hpp"
#include "fleet/model.hpp"
#include "strategies/policy.hpp"
#include "tax/holding_period.hpp"

namespace ballast::fleet {

struct RebalanceWeighing {
  double benefit = 0;       ///< B, in the account's currency
  double trading_cost = 0;  ///< ≥ 0
  double tax = 0;           ///< the sells' net tax, floored at 0
  double cost() const { return trading_cost + tax; }
  bool goes_ahead() const { return benefit > cost(); }
};

/// The arithmetic of the file comment from its parts: `tax_realised` is the
/// sells' net tax, signed (a net loss is negative; it counts as 0).
RebalanceWeighing weigh(const strategies::DynamicTrigger& trigger, const Eigen::MatrixXd& cov_annual,
                        std::span<const double> deviation, double value, double trading_cost, double tax_realised);

/// The account's deviation by slot into `deviation` (see the file comment) at
/// `prices` (by symbol id), and its value; 0 with every deviation 0 when the
/// account is worth nothing.
double account_deviation(const AccountBook& book, AccountIndex a, std::span<const double> prices,
                         std::vector<double>& deviation);

/// The trading cost of `trades` (of a model with a dynamic trigger), as the file comment says.
double trading_cost(const ModelDynamic& dynamic, std::span<const SizedTrade> trades, const core::SymbolTable& symbols,
                    const Model& m);

/// The signed tax `trades`' sells would realise for account `a` on `day`
/// (holding what the book says), without changing its lots.
double sale_tax(const AccountBook& book, AccountIndex a, const AccountLots& lots, std::span<const SizedTrade> trades,
                tax::Day day);

/// The whole weighing of account `a`'s sized `trades` at `prices`; its model
/// must have a dynamic trigger.
RebalanceWeighing weigh_rebalance(const AccountBook& book, AccountIndex a, std::span<const double> prices,
                                  std::span<const SizedTrade> trades, const AccountLots& lots, tax::Day day,
                                  const core::SymbolTable& symbols);

}  // namespace ballast::fleet
