#pragma once
// What a portfolio should hold and when it rebalances: the typed form of a
// [[portfolios]] table, shared by the config loader, the engine and backtests.
#include <optional>
#include <string>
#include <variant>
#include <vector>

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
};

using Trigger = std::variant<ThresholdTrigger, CalendarTrigger>;
std::string_view trigger_reason(const Trigger& t);

enum class RebalanceTo { target, band_edge };

struct AssetSpec {
  std::string symbol;
  double target = 0;       ///< weight in [0, 1]
  double holding = 0;      ///< starting quantity, ≥ 0
  double lot_size = 1;     ///< > 0; fractional lots allowed
};

struct PortfolioSpec {
  std::string id;
  double cash = 0;              ///< starting cash, ≥ 0
  double cash_target = 0;       ///< with the assets' targets, sums to 1
  double min_trade_value = 0;   ///< smaller trades are not sent
  RebalanceTo rebalance_to = RebalanceTo::target;
  std::vector<AssetSpec> assets;
  std::vector<Trigger> triggers;
};

}  // namespace ballast::strategies
