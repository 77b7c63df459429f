#pragma once
// What a portfolio should hold and when it rebalances: the typed form of a
// [[portfolios]] table, shared by the config loader, the engine and backtests.
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/execution_params.hpp"
#include "core/time.hpp"

namespace ballast::strategies {

/// Fires when any asset's |weight − target| exceeds `absolute`, or exceeds
/// `relative` × target, or when the total drift Σ|w−t|/2 exceeds `total`.
/// Comparisons are strict: drift exactly at a limit does not fire.
struct ThresholdTrigger {
  std::optional<double> absolute;
  std::optional<double> relative;
  std::optional<double> total;
};

/// Fires at anchor + k·every on wall-clock (or the data's) time, UTC.
struct CalendarTrigger {
  core::Period every;
  /// Start of the schedule; when absent, 1970-01-01T00:00Z, so "1d" falls at
  /// midnight UTC and "1mo" on the first of each month.
  std::optional<core::TimeNs> anchor;
  bool operator==(const CalendarTrigger&) const = default;
};

/// Fires when the portfolio's estimated volatility σ = sqrt(wᵀΣw) has moved by
/// more than `change` (relative) since the last rebalance, or lies outside
/// [min, max] when given. Needs a warm risk model.
struct VolatilityTrigger {
  std::optional<double> change;
  std::optional<double> min;
  std::optional<double> max;
  bool operator==(const VolatilityTrigger&) const = default;
};

/// Fires when the benefit of trading back to target, (λ/2)·(w−t)ᵀΣ(w−t)·horizon·V,
/// exceeds the cost of the trades: the portfolio's cost model (`[portfolios.costs]`)
/// when it has one, else the flat Σ|tᵢ − wᵢ|·V·bpsᵢ/10⁴. Needs a warm risk model.
struct DynamicTrigger {
  double risk_aversion = 1;  ///< λ
  core::DurationNs horizon = 30 * core::kNanosPerDay;
  double cost_bps = 10;  ///< per asset unless named in cost_bps_by_symbol
  std::vector<std::pair<std::string, double>> cost_bps_by_symbol;
};

using Trigger = std::variant<ThresholdTrigger, CalendarTrigger, VolatilityTrigger, DynamicTrigger>;
std::string_view trigger_reason(const Trigger& t);

enum class RebalanceTo { target, band_edge };

struct AssetSpec {
  std::string symbol;
  double target = 0;       ///< weight in [0, 1]
  double holding = 0;      ///< starting quantity, ≥ 0
  double lot_size = 1;     ///< > 0; fractional lots allowed
};

/// `[portfolios.risk]`: an EWMA estimate from the portfolio's own prices, or a
/// fixed external model when `volatilities` is given.
struct RiskSpec {
  core::DurationNs halflife = 60 * core::kNanosPerDay;
  core::DurationNs sample_every = core::kNanosPerDay;
  int min_samples = 20;
  std::optional<double> periods_per_year;
  /// Prices CSV to warm the estimate at start; absolute, or relative to the config file.
  std::string history;
  std::vector<std::pair<std::string, double>> volatilities;  ///< annualised; non-empty: fixed model
  struct Correlation {
    std::string a, b;
    double rho = 0;
  };
  std::vector<Correlation> correlations;  ///< missing pairs are 0
};

/// The value of `key` in a per-symbol table; `fallback` when it is not there.
double lookup(const std::vector<std::pair<std::string, double>>& table, const std::string& key, double fallback);

enum class ModelKind { fixed, target_vol, risk_parity, mean_variance, cppi, buy_and_hold };
std::string_view to_string(ModelKind k);
/// target-vol, risk-parity and mean-variance: the models that set targets from a risk model's Σ.
bool is_risk_based(ModelKind k);

/// `[portfolios.model]`: how the targets are set. `fixed` uses `targets` as
/// they are; the others derive them and fall back to nothing (no trading) while
/// the risk model they need is not warm.
struct ModelSpec {
  ModelKind kind = ModelKind::fixed;
  // target-vol: the non-safe `targets` are the risky mix.
  double target_vol = 0.10;
  double max_leverage = 1;
  std::string safe = "cash";  ///< a symbol of `targets`, or "cash" (target-vol and cppi)
  // risk-parity: budgets per symbol; equal when empty.
  std::vector<std::pair<std::string, double>> budgets;
  // mean-variance
  double risk_aversion = 1;
  std::vector<std::pair<std::string, double>> expected_returns;  ///< annualised, every symbol
  double min_weight = 0;
  double max_weight = 1;
  // cppi: `risky` a symbol, or empty for the non-safe `targets` mix.
  std::string risky;
  std::optional<double> floor;        ///< fraction of the starting value
  std::optional<double> floor_value;  ///< absolute
  double multiplier = 2;
  bool operator==(const ModelSpec&) const = default;
};

/// `slicing`; defined with the other execution settings a portfolio carries.
using Slicing = core::Slicing;

/// `[models.tax]`: how a model's accounts treat their tax lots. With
/// avoid_short_term_gains, a band rebalance sells only units whose sale
/// realises no short-term gain (units at a loss, long-term units and units
/// without a known basis); the rest of the sell is held back and the buys
/// shrink with it.
struct TaxPolicy {
  bool avoid_short_term_gains = false;
  /// Rates of realised gains by term, fractions in [0, 1); absent: not set
  /// (the model weighs no tax).
  std::optional<double> short_term_rate;
  std::optional<double> long_term_rate;
  /// Substitute groups: a primary asset and the assets (of the same model,
  /// target 0) that may stand in for it, in order of preference. A group
  /// is held to the primary's target and band as one, and its members are
  /// substantially identical for the wash-sale rule.
  std::vector<std::pair<std::string, std::vector<std::string>>> substitutes;
  /// Groups of symbols (assets of the model) that the wash-sale rule treats
  /// as one security: "substantially identical" (two funds of one index).
  /// Substitutes are meant not to be: a harvest buys one to keep the exposure.
  std::vector<std::vector<std::string>> identical;
  /// A buy that would wash a loss sold in the last 30 days in the household
  /// is redirected to a substitute that would not, or held back.
  bool avoid_wash_sales = true;
  /// A band rebalance's sale at a loss that a household buy of the last 30
  /// days (or one decided, not yet final) would wash is cut to the lots
  /// before the first at a loss.
  bool avoid_washed_losses = false;
  /// `[models.tax.harvest]`: when set, holdings whose losses reach these
  /// thresholds are sold and their value bought in a substitute.
  struct Harvest {
    double min_loss = 0;           ///< account currency, >= 0
    double min_loss_fraction = 0;  ///< of a lot's basis, [0, 1)
    double cost_bps = 0;           ///< each way, of the value traded, >= 0
    bool operator==(const Harvest&) const = default;
  };
  std::optional<Harvest> harvest;
  bool operator==(const TaxPolicy&) const = default;
};

struct PortfolioSpec {
  std::string id;
  double cash = 0;              ///< starting cash, ≥ 0
  double cash_target = 0;       ///< with the assets' targets, sums to 1
  double min_trade_value = 0;   ///< smaller trades are not sent
  /// A trade whose estimated cost is more than this many bps of its value is not sent.
  std::optional<double> max_cost_bps;
  /// `[portfolios.costs]`; absent: no costs (and the dynamic trigger's flat cost_bps).
  std::optional<core::CostParams> costs;
  std::optional<Slicing> slicing;
  /// `order_type = "limit"` and its `limit_*` keys; absent: market orders.
  std::optional<core::LimitOrderSpec> limit;
  RebalanceTo rebalance_to = RebalanceTo::target;
  std::vector<AssetSpec> assets;
  std::vector<Trigger> triggers;
  std::optional<RiskSpec> risk;
  ModelSpec model;
  /// Only [[models]] have one (their accounts keep tax lots); default off.
  TaxPolicy tax;
};

}  // namespace ballast::strategies
