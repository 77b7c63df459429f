#pragma once
// The policy that many accounts of a fleet share: what to hold, the bands
// around it and how to trade back. Accounts keep only their own quantities,
// cash and a band multiplier; everything else lives once per model.
#include <Eigen/Core>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/execution_params.hpp"
#include "core/types.hpp"
#include "strategies/policy.hpp"
#include "tax/harvest_rule.hpp"
#include "tax/tax_rates.hpp"

namespace ballast::fleet {

/// A model's dynamic trigger (`[[models.triggers]]` kind "dynamic" with a
/// fixed `[models.risk]`): once the bands fire and the desk has sized the
/// rebalance, it goes ahead only when its benefit passes its cost, the tax it
/// realises included (fleet/rebalance_weighing.hpp).
struct ModelDynamic {
  strategies::DynamicTrigger trigger;
  Eigen::MatrixXd cov_annual;  ///< Σ, annualised, by slot: size × size, symmetric
  /// `[models.costs]`: the trades are costed by it; absent: the trigger's flat cost_bps.
  std::optional<core::CostParams> costs;
};

/// A model's volatility trigger (`[[models.triggers]]` kind "volatility" with
/// a fixed `[models.risk]`): an account whose σ = √(wᵀΣw) (its weights of the
/// value, cash at 0 variance) leaves [low, high] is rebalanced to its targets.
/// `change` becomes a band around the σ of the targets (a model keeps no σ
/// per account), so low and high hold every limit the trigger gives.
struct ModelVolatility {
  Eigen::MatrixXd cov_annual;  ///< Σ, annualised, by slot: size × size, symmetric
  double low = 0;              ///< fires below; 0: no floor
  double high = 0;             ///< fires above; +∞: no ceiling
  /// √ of Σ's largest eigenvalue: |σ(w') − σ(w)| ≤ it × ‖w' − w‖₂ (safe_zone.hpp).
  double root_largest_eigenvalue = 0;
};

/// σ = √(wᵀΣw) of an account's weights (by slot) under `v`'s Σ.
double volatility_of(const ModelVolatility& v, std::span<const double> weights);

/// Whether σ is outside (low, high) strictly: σ < low or σ > high.
inline bool outside_volatility(const ModelVolatility& v, double sigma) { return sigma < v.low || sigma > v.high; }

struct Model {
  std::vector<core::SymbolId> symbols;  ///< distinct; an account's quantities follow this order
  std::vector<double> targets;          ///< weights of the account value, cash included; Σ ≤ 1
  std::vector<double> lot_sizes;        ///< > 0, one per symbol
  /// The daemon's threshold bands: |w − t| > absolute, or > relative × t, or a
  /// total drift Σ|w − t| / 2 (cash included) > total fires (strict comparisons).
  strategies::ThresholdTrigger bands;
  strategies::RebalanceTo rebalance_to = strategies::RebalanceTo::target;
  double min_trade_value = 0;  ///< smaller trades are not made
  /// `[models.tax]`: a band rebalance sells only units whose sale realises no
  /// short-term gain (at a loss, long-term, or without a known basis); the rest
  /// of the sell is held back and the buys shrink with it.
  bool avoid_short_term_gains = false;
  /// `[models.tax] substitutes`: per slot, the slot of its group's primary
  /// (its own for a primary or an asset without substitutes). Empty: every
  /// slot is a group of its own. A substitute's target is 0; a group's
  /// weight (the sum of its members') is held to the primary's target and band.
  std::vector<std::uint32_t> group_of;
  /// `[models.tax] identical`: groups of the model's symbols the wash-sale
  /// rule treats as one security, across every account of a household.
  std::vector<std::vector<core::SymbolId>> identical;
  /// `[models.tax]` rates: lots are chosen and gains estimated by them.
  std::optional<tax::TaxRates> tax_rates;
  /// Buys that would wash a recent loss in the household are redirected to a
  /// substitute, or held back.
  bool avoid_wash_sales = true;
  /// A band sale at a loss that a household buy of the last 30 days (or a
  /// decided one) would wash is cut to the lots before the first at a loss.
  bool avoid_washed_losses = false;
  /// `[models.tax.harvest]`: losses worth harvesting are sold into a substitute.
  std::optional<tax::HarvestRule> harvest;
  /// A dynamic trigger beside the bands; absent: every band rebalance goes ahead.
  std::optional<ModelDynamic> dynamic;
  /// A volatility trigger beside the bands (Rebalancer::check, safe_zone.hpp).
  std::optional<ModelVolatility> volatility;
  /// `[[models.triggers]]` of kind "calendar": on each date every account of
  /// the model is rebalanced to its targets when a trade is worth making
  /// (FleetDesk, "Calendar dates"), beside the bands.
  std::vector<strategies::CalendarTrigger> calendars;
  /// `slicing = { max_child_value, interval }`: the blocks of its accounts'
  /// trades leave as child orders (fleet/block_slicing.hpp).
  std::optional<core::Slicing> slicing;

  std::size_t size() const { return symbols.size(); }
  /// 1 − Σ targets: what is not invested stays in cash.
  double cash_target() const;
};

/// Why `m` cannot be used with `symbol_count` interned symbols, or nullopt.
/// Refused: no symbols, repeated or unknown symbols, lists of different
/// lengths, targets outside [0, 1] or summing past 1, lots ≤ 0, no band, a
/// band ≤ 0 or not finite, a negative
/// min_trade_value, non-finite numbers; a group_of that is neither empty nor
/// one entry per slot, names a slot that is not its own primary (groups are
/// one level deep), or gives a substitute a target other than 0; a dynamic
/// trigger whose Σ is not size × size, symmetric and finite with a diagonal
/// ≥ 0, or whose risk_aversion, horizon or cost_bps are not finite and > 0 (≥ 0 for cost_bps);
/// a slicing whose max_child_value is not finite and > 0 or whose interval is not > 0;
/// a volatility trigger whose Σ is not size × size, symmetric and finite with
/// a diagonal ≥ 0, whose low is not finite and ≥ 0, or whose high is not above low.
std::optional<std::string> check_model(const Model& m, std::size_t symbol_count);

/// Whether `m` has a substitute: some slot whose group's primary is another slot.
bool has_substitutes(const Model& m);

/// The slot of the primary of slot i's group (i itself without groups).
inline std::size_t primary_of(const Model& m, std::size_t i) { return m.group_of.empty() ? i : m.group_of[i]; }

/// The position of `symbol` in `m`'s symbols; m.size() when it holds none.
std::size_t slot_of(const Model& m, core::SymbolId symbol);

/// A price the fleet can value at: finite and > 0.
bool usable_price(double price);

/// The model's bands (the total band too) widened or narrowed by an account's multiplier.
strategies::ThresholdTrigger scaled_bands(const strategies::ThresholdTrigger& bands, double multiplier);

/// The half-width of the band around `target` under `bands`: an asset breaches
/// when |w − target| is strictly greater. +∞ when no band applies.
double band_half_width(const strategies::ThresholdTrigger& bands, double target);

}  // namespace ballast::fleet
