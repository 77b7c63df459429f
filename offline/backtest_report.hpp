#pragma once
// `ballast backtest --report FILE.html`: one self-contained HTML page of a
// backtest — inline CSS and SVG, no scripts, nothing fetched. Pure string
// rendering.
//
// The page: an overview of every portfolio (figures; each one's value
// relative to buy-and-hold of its own starting portfolio on one chart; costs
// by component; calendar-year returns), then per portfolio a summary table,
// value against buy-and-hold and the constant mix, drawdowns, each weight
// over time zoomed to its band, the drift the triggers saw, monthly and
// yearly returns, and the turnover and costs of every rebalance.
#include <optional>
#include <string>

#include "offline/backtest.hpp"
#include "offline/fleet_backtest.hpp"
#include "strategies/policy.hpp"

namespace ballast::offline {

struct ReportInfo {
  std::string config_path;
  std::string prices_path;
  double risk_free_rate = 0;
};

/// The page. Long series are thinned to about a thousand points per chart,
/// keeping each stretch's highs and lows, so the page stays small.
/// With `fleet` (`--accounts`), a section on the fleet follows the portfolios'.
std::string backtest_report_html(const BacktestRun& run, const ReportInfo& info, const FleetBacktest* fleet = nullptr);

/// The half-width of an asset's band under a threshold trigger, as the engine
/// applies it: min(absolute, relative × target), or whichever is given;
/// nullopt when the trigger has neither.
std::optional<double> band_half_width(const strategies::ThresholdTrigger& trigger, double target);

}  // namespace ballast::offline
