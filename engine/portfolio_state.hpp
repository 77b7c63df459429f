#pragma once
// What the engine keeps per portfolio: its assets and cash, the model's
// targets and risk estimate, counters and the last rebalance. Every part of
// the engine reads or updates it; none owns it but the Engine.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "core/types.hpp"
#include "strategies/policy.hpp"
#include "strategies/risk_model.hpp"

namespace ballast::engine {

struct AssetState {
  core::SymbolId symbol = core::kNoSymbol;
  double quantity = 0;
  double target = 0;
  double lot_size = 1;
};

/// What the last rebalance of a portfolio did and why.
struct RebalanceRecord {
  std::string rebalance_id;
  std::string reason;  ///< threshold, calendar, manual
  std::string detail;  ///< the breach, or the schedule that came due
  core::TimeNs at = 0;
  double value = 0;          ///< portfolio value before trading
  double max_abs_drift = 0;  ///< largest |w − t| before trading
  double total_drift = 0;    ///< Σ|w − t| / 2 before trading
  std::size_t orders = 0;
  double traded_value = 0;   ///< Σ quantity × reference price of the orders
  double cost = 0;           ///< estimated cost of the orders under the portfolio's cost model
  /// `cost` by component, as execution::CostBreakdown splits it; they sum to
  /// `cost`. Not kept in the state file: a record read back from it has only `cost`.
  double commission = 0, spread = 0, slippage = 0, impact = 0;
};

/// One portfolio's state. The fields a tick reads come first, so that an
/// evaluation that decides nothing touches as few cache lines as it can; the
/// policy and the records follow.
struct PortfolioState {
  // Read on every tick.
  double cash = 0;
  double cash_target = 0;         ///< effective: the model's, or spec.cash_target
  std::uint32_t open_orders = 0;  ///< sent, not yet finished by a fill report (unknown ones included)
  std::uint32_t unknown_orders = 0;  ///< of those, the ones past the order timeout
  strategies::ModelKind model_kind = strategies::ModelKind::fixed;  ///< spec.model.kind
  /// False while the targets cannot be trusted: the model needs a warm risk
  /// estimate it does not have yet, or it failed. No trading then.
  bool model_ready = true;
  bool risk_warm = false;
  std::vector<AssetState> assets;  ///< in spec.assets order, then any held symbol no longer targeted
  /// Over the first spec.assets.size() assets; out of line, as most ticks only ask whether it exists.
  std::unique_ptr<strategies::RiskModel> risk;
  std::optional<std::string> pending;  ///< a calendar rebalance that came due but could not run yet

  strategies::PortfolioSpec spec;  ///< the policy; spec.assets' holdings are only the seed
  std::vector<core::TimeNs> next_due;  ///< per trigger: the next calendar time (0 for others)
  Eigen::MatrixXd cov;                 ///< annualised covariance of the last estimate (empty before one)
  double vol_reference = 0;            ///< σ at the last rebalance, for the volatility trigger
  double start_value = 0;              ///< value when first fully priced (CPPI's floor fraction)
  std::string model_state = "ready";  ///< read it through model_state_text()
  double cppi_exposure = 0;           ///< CPPI: risky exposure and cushion at the last refresh
  double cppi_cushion = 0;
  std::uint64_t rebalances = 0;
  std::uint64_t orders = 0;
  std::uint64_t denied = 0;            ///< orders the risk gate refused
  std::uint64_t orders_filled = 0;     ///< final states reached, by state
  std::uint64_t orders_rejected = 0;
  std::uint64_t orders_cancelled = 0;
  double costs_estimated = 0;  ///< Σ estimated cost of the orders decided
  double costs_realized = 0;   ///< Σ cost booked: fills against their reference price, plus commission when booked on send
  std::optional<RebalanceRecord> last_rebalance;
};

/// The asset of `p` in `symbol`, or null when it neither holds nor targets it.
AssetState* find_asset(PortfolioState& p, core::SymbolId symbol);

/// Books a trade of `quantity` units worth `value` (cash paid for a buy,
/// received for a sell) into the portfolio; nothing when it has no such asset.
/// Whole lots stay whole: the noise of summed partial fills is stripped.
void book_trade(PortfolioState& p, core::SymbolId symbol, core::Side side, double quantity, double value);

/// Portfolios whose positions, cash or counters changed since the shell last
/// asked (what it must persist), each once, in the order they changed.
class ChangeSet {
 public:
  void mark(std::size_t portfolio);
  /// Every one of `portfolios` portfolios, as after a reconfigure moved them.
  void mark_all(std::size_t portfolios);
  /// Appends the marked portfolios to `into` and forgets them.
  void take(std::vector<std::size_t>& into);

 private:
  std::vector<char> flag_;
  std::vector<std::size_t> list_;
};

}  // namespace ballast::engine
