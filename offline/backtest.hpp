#pragma once
// `ballast backtest` (SPEC §7): every portfolio through the daemon's engine,
// over historical prices, on the data's own clock. Pure: prices and policies
// in, per-row series, orders and figures out. Reading files is
// load_histories' job; printing and writing are the command's.
//
// How a run goes:
// - One engine holds every portfolio, as in the daemon, with orders booked as
//   filled at their reference price when they are sent (book_on_send) — the
//   row's price. Costs are whatever the engine books and records.
// - The engine starts just before the first row, so a calendar date that
//   falls on the first row is honoured. Row r is fed as one instant
//   (Engine::on_ticks: every symbol with a price in the row, at the row's
//   time), then the timer runs at the row's time, so calendar dates fall on
//   the first row at or after them.
// - A cell with no price keeps the symbol's last price. A portfolio's series
//   start at the first row at which every one of its symbols has a price.
// - EWMA risk models named `history` are warmed from the rows of that file
//   strictly before the first row of the data (so a history that is the same
//   file as the data does not let the estimate see the future); otherwise, and
//   after that, they warm on the data as it goes, as the daemon would.
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "core/types.hpp"
#include "engine/engine.hpp"
#include "feeds/price_table.hpp"
#include "offline/metrics.hpp"
#include "strategies/policy.hpp"

namespace ballast::offline {

/// Prices to warm EWMA risk models with, by the path of `[portfolios.risk] history`.
using HistoryTables = std::map<std::string, feeds::PriceTable>;

struct HistoryLoad {
  HistoryTables tables;
  std::vector<std::string> errors;  ///< "portfolio ID: risk history PATH: what is wrong"
  bool ok() const { return errors.empty(); }
};

/// Reads every history file the portfolios name (each once). Never throws.
HistoryLoad load_histories(const std::vector<strategies::PortfolioSpec>& specs);

struct BacktestOptions {
  /// Annual rate for the Sharpe ratio (0.02 = 2 % a year).
  double risk_free_rate = 0;
  /// From load_histories; a portfolio whose history is missing here is an error.
  HistoryTables histories;
};

/// One portfolio's run. Series are per row, from `first_row` of the data on;
/// "weights" are after the row's trades, "drift" before them.
struct PortfolioBacktest {
  strategies::PortfolioSpec spec;    ///< the policy as configured (bands, seed, config targets)
  std::vector<std::string> symbols;  ///< the spec's assets, in order: the columns of weights and targets
  std::size_t first_row = 0;         ///< data row of the series' first point

  std::vector<core::TimeNs> times;
  std::vector<double> values;   ///< after the row's trades
  std::vector<double> cash;     ///< after the row's trades
  std::vector<double> weights;  ///< row-major times × symbols, after the row's trades
  std::vector<double> targets;  ///< row-major times × symbols: the engine's targets after the row (models move them)
  std::vector<double> cash_targets;
  /// max |w − t| over the assets at the row's prices before its trades: what the triggers saw.
  std::vector<double> drift;
  /// The seed never traded: cash + Σ holdings × price. A seed that is all cash
  /// instead buys the config targets at the first row's prices (fractional, no
  /// costs) and holds them, so that it says something.
  std::vector<double> buy_and_hold;
  /// The config targets held exactly at every row: rebalanced each row, no
  /// lots, no costs, from the same starting value.
  std::vector<double> constant_mix;

  std::vector<core::Order> orders;  ///< in sending order; reference_price is the price booked
  std::vector<engine::RebalanceRecord> rebalances;

  double start_value = 0;   ///< the seed at the first row's prices, before any trade
  double final_value = 0;
  double traded_value = 0;  ///< Σ of the rebalances' traded value
  double average_value = 0; ///< mean of `values`
  double turnover = 0;      ///< traded_value / average_value
  double costs = 0;         ///< Σ of the rebalances' recorded cost
  /// `costs` by component (Σ of the rebalances' own), as the cost model splits them.
  double commission = 0, spread = 0, slippage = 0, impact = 0;
  double max_abs_drift = 0; ///< the largest entry of `drift`
  /// Return figures over `times` and `values`, measured from start_value (so
  /// costs paid on the first row count).
  SeriesStats stats;
  SeriesStats buy_and_hold_stats;
  /// Of `values` against `constant_mix`; annualised, log returns.
  double tracking_error = 0;
  /// The engine's targets at the end: they move under risk-based and CPPI models.
  std::vector<double> final_targets;
  double final_cash_target = 0;
  std::vector<double> final_quantities;
  double final_cash = 0;
  std::string model_state;  ///< the engine's model state at the end ("ready", "warming: ...")
};

/// `values` with the first replaced by start_value: the series the return
/// figures, drawdowns and calendar returns are measured on, so that costs
/// paid on the first row count.
std::vector<double> measured_values(const PortfolioBacktest& p);

struct BacktestRun {
  std::vector<PortfolioBacktest> portfolios;  ///< in configuration order; empty when there are errors
  std::size_t rows = 0;                       ///< rows of the data
  std::vector<std::string> errors;
  bool ok() const { return errors.empty(); }
};

/// Runs every portfolio over `prices`. Errors (nothing is run): no portfolio,
/// no rows, a portfolio symbol with no column or no price anywhere, a history
/// that is missing or lacks a column. Never throws.
BacktestRun run_backtest(const std::vector<strategies::PortfolioSpec>& specs, const feeds::PriceTable& prices,
                         const BacktestOptions& options = {});

}  // namespace ballast::offline
