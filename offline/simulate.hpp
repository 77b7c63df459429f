#pragma once
// Monte Carlo runs of the configured portfolios on the engine the daemon runs.
//
// Each path gets one engine::Engine holding every portfolio (they do not
// interact in the engine) and is priced step by step on a simulated clock: at
// step k the row of prices goes in through on_ticks at the step's time, then
// on_timer, so triggers, target models, risk estimates and order sizing are
// the daemon's own; orders are booked at their reference price, as the daemon
// does without a fills endpoint. Every portfolio sees the same paths.
//
// Threads take paths in small chunks; each path's figures land in its own
// slot and are summed in path order afterwards, so a run's numbers are the
// same, bit for bit, on any number of threads.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "feeds/price_table.hpp"
#include "offline/paths.hpp"
#include "strategies/policy.hpp"

namespace ballast::offline {

/// Where the simulated clock starts: Monday 2000-01-03T00:00Z.
inline constexpr core::TimeNs kSimulationStart = 946'857'600 * core::kNanosPerSecond;
/// More steps than this is a mistake (a horizon in years of 1-second steps).
inline constexpr std::size_t kMaxSteps = 100'000;

/// Steps per year of a step: 252 for "1d" (a trading day), 12/m for m
/// calendar months, else 365.25 days / step — the risk models' convention.
double steps_per_year(const core::Period& step);
/// A period in years: months / 12 + days / 365.25.
double period_years(const core::Period& p);

/// The simulated clock. A "1d" step is a trading day, 252 to the year, so the
/// clock advances 365.25/252 calendar days a step and a year of steps is a
/// calendar year: calendar triggers fire as often as they would in a year of
/// trading ("1mo" twelve times), and a risk model sampling every "1d" takes
/// one sample a step. Any other fixed step is itself; month steps are
/// calendar months.
struct SimulationClock {
  core::TimeNs start = kSimulationStart;
  core::Period step{core::kNanosPerDay, 0};
  std::size_t steps = 0;
  double steps_per_year = 252;
  double years() const { return static_cast<double>(steps) / steps_per_year; }
  /// The time of step k (step 0 is the start).
  core::TimeNs at(std::size_t k) const;
};

struct ClockResult {
  std::optional<SimulationClock> clock;
  std::string error;
};
/// steps = round(horizon in years × steps per year); an error when that is
/// less than one step or more than kMaxSteps.
ClockResult make_clock(const core::Period& horizon, const core::Period& step, core::TimeNs start = kSimulationStart);

struct SimulationOptions {
  std::size_t paths = 1000;
  SimulationClock clock;
  double risk_free = 0;  ///< annual; the hurdle of the Sharpe ratios
  /// true: each portfolio's starting value (cash + holdings at the start
  /// prices) is put at the targets its model gives at the start, rounded
  /// down to whole lots, the rest in cash, before the first step (no trade,
  /// no cost). false: the portfolios start from their cash and holdings.
  bool start_at_targets = true;
  unsigned threads = 0;          ///< 0: the CPUs the process may run on (core::usable_cpus)
  std::size_t fan_points = 100;  ///< the fan chart keeps at most this many steps after the start
  /// Price histories named by [portfolios.risk] history, by the path the
  /// config gives, read by the caller. Each warms its portfolio's estimate at
  /// the start of every path as the daemon warms it at start: its returns,
  /// rescaled to end at the start prices and shifted to end one step before
  /// the start.
  std::map<std::string, feeds::PriceTable> histories;
  /// Called with the paths done so far, from the worker threads but never two
  /// at once, about a hundred times in a run.
  std::function<void(std::size_t done, std::size_t total)> progress;
};

/// Quantiles, linearly interpolated between order statistics.
struct Quantiles {
  double p5 = 0, p25 = 0, p50 = 0, p75 = 0, p95 = 0;
};
/// The q-quantile (q in [0, 1]) of `values`, which it reorders.
double quantile(std::vector<double>& values, double q);
/// The 5th, 25th, 50th, 75th and 95th percentiles of `values`, which it reorders.
Quantiles quantiles_of(std::vector<double>& values);

/// One portfolio's figures over every path. Per-path figures follow
/// offline/metrics.hpp on the path's value series (log returns, sample
/// standard deviations, years of 365.25 days on the simulated clock) and are
/// averaged over the paths.
struct PolicyResult {
  std::string id;
  strategies::ModelKind model = strategies::ModelKind::fixed;
  double start_value = 0;  ///< value after the start, before the first step (the same on every path)
  double terminal_mean = 0;
  Quantiles terminal;  ///< of the value at the horizon
  double annual_return = 0;      ///< compound annual growth rate
  double annual_volatility = 0;  ///< of the step log returns, annualised
  double sharpe = 0;             ///< (annual_return − risk_free) / annual_volatility
  double max_drawdown = 0;       ///< largest fall from a running peak, as a fraction
  /// Against the constant mix of the targets the portfolio had at the start,
  /// rebalanced every step at no cost, on the same path.
  double tracking_error = 0;
  double turnover = 0;  ///< traded value (buys plus sells) / value before trading, summed, per year
  double costs = 0;     ///< Σ RebalanceRecord::cost over the horizon, in the portfolio's currency
  double cost_per_year = 0;  ///< Σ cost / value before trading, per year (0.001 = 10 bps)
  double rebalances_per_year = 0;
  double mean_log_growth = 0;         ///< ln(terminal / start) / years
  double mean_log_growth_stderr = 0;  ///< standard deviation over paths / √paths
  std::vector<double> terminal_wealth;  ///< per path, in path order
  std::vector<Quantiles> fan;           ///< of the value at each of SimulationResult::fan_steps
};

struct SimulationResult {
  std::string error;  ///< set when the run could not start; nothing else is then
  std::vector<PolicyResult> policies;  ///< in the configuration's order
  std::vector<std::size_t> fan_steps;  ///< steps of the fan chart, 0 and the last included
  std::size_t paths = 0;
  SimulationClock clock;
  unsigned threads = 0;
};

/// Runs every portfolio on `options.paths` paths of `source`, which must
/// price every symbol the portfolios name (it may price more). Thread-safe
/// only in that `source` is shared read-only between the workers.
SimulationResult simulate(const std::vector<strategies::PortfolioSpec>& portfolios, const PathSource& source,
                          const SimulationOptions& options);

}  // namespace ballast::offline
