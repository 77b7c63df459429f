#pragma once
// One account as a person reads it, at given prices: its value, each asset's
// weight against its target and band, and whether it is outside a band now.
// What GET /accounts/ID shows and what the fleet summary counts. Pure.
//
// Substitute groups (Model::group_of): a member's drift, band and breach are
// its group's — the members' summed weight against the primary's target and
// band — as the rebalancer weighs them, so that a substitute held in place
// of its primary reads as in band (drift ≈ 0), not as two drifts of opposite
// sign. Its weight and target stay its own.
#include <cstddef>
#include <span>
#include <vector>

#include "fleet/account_book.hpp"

namespace ballast::fleet {

struct AssetView {
  core::SymbolId symbol = core::kNoSymbol;
  double quantity = 0;
  double price = 0;
  double value = 0;
  double weight = 0;        ///< of the account's value, cash included
  double target = 0;        ///< its own (a substitute's is 0)
  double group_weight = 0;  ///< Σ weight over its group's members (its own weight without a group)
  double group_target = 0;  ///< the primary's target (its own target without a group)
  double drift = 0;         ///< group_weight − group_target
  double band = 0;          ///< the half-width around group_target (+∞: no band applies)
  bool breaching = false;   ///< |drift| > band, as the trigger compares
};

struct AccountView {
  double value = 0;  ///< cash + Σ quantity × price; 0 when the account has no value
  double cash = 0;
  double cash_weight = 0;
  double cash_target = 0;
  std::vector<AssetView> assets;  ///< in the model's symbol order
  double max_abs_drift = 0;       ///< max |drift| over the assets (over the groups)
  double total_drift = 0;         ///< Σ|drift| / 2 over the assets (groups) and the cash
  /// The model's total band times the account's multiplier; +∞ without one.
  double total_band = 0;
  /// Some asset is outside its band, or the total drift is past the total
  /// band. Exactly Rebalancer::in_breach: the trigger's own comparison, so
  /// the view and the decision never disagree.
  bool breaching = false;
};

/// The account at `prices` (by symbol id, usable). An account worth nothing
/// has every weight 0 and is not breaching (nothing can be traded).
AccountView view_account(const AccountBook& book, AccountIndex a, std::span<const double> prices);

/// max |drift| over the account's assets (groups) at `prices`, without
/// building a view: what the fleet summary's histogram counts. 0 when the
/// account has no value.
double max_abs_drift(const AccountBook& book, AccountIndex a, std::span<const double> prices);

}  // namespace ballast::fleet
