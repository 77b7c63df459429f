#pragma once
// What `ballast simulate` prints and writes: the JSON summary, the readable
// table and the HTML report (one self-contained page: inline CSS and SVG, no
// scripts, nothing fetched). Pure string rendering.
#include <cstddef>
#include <cstdint>
#include <string>

#include "offline/fleet_simulate.hpp"
#include "offline/simulate.hpp"

namespace ballast::offline {

/// How the run was set up, for the headers of what is printed.
struct SimulationInfo {
  std::string config_path;
  std::string prices_path;  ///< empty: GBM
  std::size_t block = 0;    ///< bootstrap block length
  std::uint64_t seed = 1;
  std::string horizon;  ///< as given, "5y"
  double risk_free = 0;
};

/// {"model", "seed", "paths", "horizon", "step", "steps", "years", ...,
/// "policies": [{"id", "model", "start_value", "terminal_wealth": {"mean",
/// "p5", "p50", "p95"}, "annual_return", ...}]}; figures that cannot be
/// computed are null. Nothing in it depends on the thread count.
/// With `fleet` (`--accounts`), a "fleet" object follows "policies" (empty when
/// there are no portfolios).
std::string simulation_json(const SimulationResult& result, const SimulationInfo& info,
                            const FleetSimulation* fleet = nullptr);

/// A header line and a table, one row per portfolio; returns, volatility,
/// drawdown, tracking error and turnover in percent. Every line ends in '\n'.
std::string simulation_table(const SimulationResult& result, const SimulationInfo& info);

/// The report: a summary table with short headings and a legend of what they
/// mean, narrow enough for a 1280-pixel page; the frontier, each portfolio's
/// tracking error against its costs a year and against its turnover, with axis
/// titles and labels placed clear of each other; and per portfolio a fan chart
/// of its value (5–95 and 25–75 percentile bands and the median) beside a
/// histogram of its terminal value, both on scales every portfolio shares.
std::string simulation_report_html(const SimulationResult& result, const SimulationInfo& info);

}  // namespace ballast::offline
