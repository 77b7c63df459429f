#pragma once
// `ballast backtest --report FILE.html`: one self-contained HTML page of a
// backtest — inline CSS and SVG, no scripts, nothing fetched. Per portfolio:
// a summary table, value against buy-and-hold (and the ideal constant mix),
// each weight over time with its target and band, the drift the triggers saw,
// and the turnover and costs of every rebalance. Pure string rendering.
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "offline/backtest.hpp"
#include "strategies/policy.hpp"

namespace ballast::offline {

struct ReportInfo {
  std::string config_path;
  std::string prices_path;
  double risk_free_rate = 0;
};

/// The page. Long series are thinned to about a thousand points per chart,
/// keeping each stretch's highs and lows, so the page stays small.
std::string backtest_report_html(const BacktestRun& run, const ReportInfo& info);

/// The half-width of an asset's band under a threshold trigger, as the engine
/// applies it: min(absolute, relative × target), or whichever is given;
/// nullopt when the trigger has neither.
std::optional<double> band_half_width(const strategies::ThresholdTrigger& trigger, double target);

/// Indices into series of length `n` to draw, in increasing order: the first
/// and last, and in each of about max_points / (2 × series) equal stretches
/// the lowest and highest point of every series. All indices when n ≤ max_points.
std::vector<std::size_t> decimate(std::size_t n, const std::vector<std::span<const double>>& series,
                                  std::size_t max_points);

/// `text` with &, <, >, " and ' escaped for HTML text and attributes.
std::string html_escape(std::string_view text);

}  // namespace ballast::offline
