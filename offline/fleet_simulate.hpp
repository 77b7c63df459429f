#pragma once
// `ballast simulate --accounts FILE`: the fleet (offline/fleet_run.hpp) on
// every path of a Monte Carlo run, each path a run of the desk from the
// accounts as the file gives them, on the simulated clock (step k's prices at
// its time, then the timer). Threads take paths in chunks and each path's
// figures land in its own slot, so a run is the same on any number of threads.
//
// Taxes as in the backtest (offline/fleet_backtest.hpp): each path's tax paid
// and liquidation tax; when a model harvests, each path runs a second time
// without harvesting (FleetSetup::without_harvest) on the same prices, and
// its tax alpha is the difference of the two runs' annualised after-tax
// returns for the whole fleet.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/json_writer.hpp"
#include "offline/fleet_run.hpp"
#include "offline/paths.hpp"
#include "offline/simulate.hpp"

namespace ballast::offline {

struct FleetSimulation {
  std::string error;  ///< set when the run could not start; nothing else is then
  std::size_t paths = 0;
  unsigned threads = 0;  ///< worker threads the run used
  std::size_t accounts = 0;
  std::size_t models = 0;
  core::DurationNs window = 0;
  double start_value = 0;  ///< the fleet's value at the start prices (the same on every path)
  // Each over the paths.
  Quantiles total_return;     ///< final / start − 1
  Quantiles annual_return;    ///< compound annual rate
  Quantiles max_drawdown;     ///< of the fleet's value
  Quantiles rebalances;       ///< accounts that traded, once per window
  Quantiles block_orders;
  Quantiles costs_blocks;     ///< the cost model's estimate of the block orders
  Quantiles costs_separate;   ///< of the same trades sent one order per account
  Quantiles block_saving;     ///< costs_separate − costs_blocks, per path
  double mean_total_return = 0;
  double mean_block_saving = 0;
  Quantiles tax_paid;         ///< on the realised gains, at the models' rates (< 0: a benefit)
  Quantiles liquidation_tax;  ///< on the unrealised gains at the end
  Quantiles harvests;         ///< losses sold into a substitute
  Quantiles switches_back;    ///< substitutes sold back into their primary
  Quantiles rebalances_held;  ///< band rebalances a model's dynamic trigger held
  double mean_tax_paid = 0;
  double mean_liquidation_tax = 0;
  /// A model harvests: each path ran again without harvesting, and the tax alphas are set.
  bool compared = false;
  Quantiles tax_alpha;             ///< on the value after the tax paid
  Quantiles tax_alpha_liquidated;  ///< on the value after the liquidation tax too
  double mean_tax_alpha = 0;
  double mean_tax_alpha_liquidated = 0;
};

/// Runs `setup` on `paths` paths of `source`, which must price every symbol
/// of the models. `threads` 0: the CPUs the process may run on (core::usable_cpus).
FleetSimulation simulate_fleet(const FleetSetup& setup, const PathSource& source, const SimulationClock& clock,
                               std::size_t paths, unsigned threads);

/// The "fleet" object of `ballast simulate --json` (see the README).
void write_fleet_simulation_json(core::JsonWriter& w, const FleetSimulation& f);
/// A few lines: the fleet's figures as p5 / p50 / p95.
std::string fleet_simulation_table(const FleetSimulation& f);

}  // namespace ballast::offline
