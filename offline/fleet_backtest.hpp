#pragma once
// `ballast backtest --accounts FILE`: the fleet (offline/fleet_run.hpp) over
// historical prices, with its value series and figures per model and for the
// whole fleet. Pure: a setup and prices in, figures out; the JSON and the
// table are rendered here too.
//
// Taxes (FleetTax) are reported beside the values, never taken out of them.
// When a model harvests losses, the same setup runs again over the same
// prices with every harvest rule removed (FleetSetup::without_harvest), and
// the tax alpha is the difference of the two runs' annualised after-tax
// returns: on the value after the tax paid, and on the value after the tax
// a liquidation at the end would add (so that a tax deferred is not counted
// as a gain).
#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "core/json_writer.hpp"
#include "core/time.hpp"
#include "feeds/price_table.hpp"
#include "offline/fleet_run.hpp"
#include "offline/metrics.hpp"

namespace ballast::offline {

/// One model's accounts taken together, or the whole fleet's.
struct FleetGroup {
  std::string id;  ///< the model's id; "fleet" for the whole fleet
  std::size_t accounts = 0;
  FleetTally tally;
  std::vector<double> values;  ///< Σ of the accounts' values per row of `times`, after the row's trades
  double start_value = 0;      ///< at the first row, before its trades (booked at the row's prices: the same)
  double final_value = 0;
  SeriesStats stats;           ///< of `values`
  FleetDrift drift;            ///< at the end
  FleetTax tax;                ///< at the end
  AfterTax after_tax;          ///< from start_value to final_value, over `times`
  /// The same group in the run without harvesting; set when a model harvests.
  std::optional<AfterTax> without_harvest;
  /// after_tax.annualised_return − without_harvest->annualised_return; NaN without it.
  double tax_alpha = std::numeric_limits<double>::quiet_NaN();
  /// The same of the liquidation annualised returns.
  double tax_alpha_liquidated = std::numeric_limits<double>::quiet_NaN();
};

struct FleetBacktest {
  std::size_t first_row = 0;          ///< data row at which the desk started (every symbol priced)
  std::vector<core::TimeNs> times;    ///< rows from first_row on
  core::DurationNs window = 0;
  std::vector<FleetGroup> models;     ///< in configuration order
  FleetGroup fleet;
  std::vector<fleet::DeskOrder> orders;  ///< every block order, in sending order
  std::vector<std::string> symbols;      ///< by the orders' symbol ids
  std::uint64_t refusals = 0;         ///< trades left out of a block
  std::size_t stuck_accounts = 0;
  std::uint64_t harvests = 0;         ///< losses sold into a substitute (fleet::DeskCounters)
  std::uint64_t switches_back = 0;    ///< substitutes sold back into their primary
  std::uint64_t rebalances_held = 0;  ///< band rebalances a model's dynamic trigger held
  bool compared = false;              ///< the run without harvesting was made (a model harvests)
};

struct FleetBacktestRun {
  std::optional<FleetBacktest> fleet;  ///< set when errors is empty
  std::vector<std::string> errors;
};

/// Runs `setup` over `prices`. Errors (nothing is run): no rows, a model
/// symbol with no column or no price in any row. Never throws.
FleetBacktestRun run_fleet_backtest(const FleetSetup& setup, const feeds::PriceTable& prices,
                                    double risk_free_rate = 0);

/// The "fleet" object of `ballast backtest --json` (see the README).
void write_fleet_json(core::JsonWriter& w, const FleetBacktest& fleet, double risk_free_rate);
/// The block orders as the orders CSV has them (portfolio "fleet", reason
/// "threshold", as the daemon sends them), in sending order.
void append_fleet_orders_csv(std::string& out, const FleetBacktest& fleet);
/// A text table, one column per model and one for the fleet. Every line ends in '\n'.
std::string fleet_table(const FleetBacktest& fleet);

}  // namespace ballast::offline
