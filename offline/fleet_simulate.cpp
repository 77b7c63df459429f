#include "offline/fleet_simulate.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <span>
#include <thread>

#include "core/numbers.hpp"
#include "core/usable_cpus.hpp"
#include "offline/metrics.hpp"

namespace ballast::offline {
namespace {

using core::kNaN;
constexpr std::size_t kChunk = 4;

struct PathFigures {
  double start = 0;
  double total_return = 0;
  double annual_return = 0;
  double max_drawdown = 0;
  double rebalances = 0;
  double block_orders = 0;
  double costs_blocks = 0;
  double costs_separate = 0;
  double block_saving = 0;
  double tax_paid = 0;
  double liquidation_tax = 0;
  double harvests = 0;
  double switches_back = 0;
  double rebalances_held = 0;
  double tax_alpha = kNaN;
  double tax_alpha_liquidated = kNaN;
};

/// The rows of one path through `run`: the fleet's value after each, in `wealth`.
void run_path(FleetRun& run, std::span<const double> prices, std::size_t n_cols,
              const std::vector<std::size_t>& column_of_symbol, const std::vector<core::TimeNs>& times,
              std::vector<double>& row, std::vector<double>& per_model, std::vector<double>& wealth) {
  const std::size_t steps = times.size() - 1;
  for (std::size_t k = 0; k <= steps; ++k) {
    for (std::size_t s = 0; s < row.size(); ++s) row[s] = prices[k * n_cols + column_of_symbol[s]];
    run.row(row, times[k]);
    if (k == steps) run.finish();
    run.values(per_model);
    wealth[k] = 0;
    for (const double v : per_model) wealth[k] += v;
  }
}

/// The fleet's taxes and after-tax figures at the end of `run`.
AfterTax fleet_after_tax(const FleetRun& run, const std::vector<double>& wealth, const std::vector<core::TimeNs>& times,
                         std::vector<FleetTax>& scratch, FleetTax& tax) {
  run.taxes(scratch);
  tax = FleetRun::total(scratch);
  return after_tax(wealth.front(), wealth.back(), tax, times.front(), times.back());
}

double mean_of(const std::vector<double>& v) {
  double sum = 0;
  for (const double x : v) sum += x;
  return v.empty() ? kNaN : sum / static_cast<double>(v.size());
}

void write_quantiles(core::JsonWriter& w, std::string_view name, const Quantiles& q) {
  w.key(name).begin_object();
  w.field("p5", q.p5).field("p25", q.p25).field("p50", q.p50).field("p75", q.p75).field("p95", q.p95);
  w.end_object();
}

}  // namespace

FleetSimulation simulate_fleet(const FleetSetup& setup, const PathSource& source, const SimulationClock& clock,
                               std::size_t paths, unsigned threads) {
  FleetSimulation result;
  const std::size_t steps = clock.steps;
  if (paths == 0 || steps == 0) {
    result.error = "a run needs at least one path of at least one step";
    return result;
  }
  const std::vector<std::string>& columns = source.symbols();
  const std::size_t n_cols = columns.size();
  std::vector<std::size_t> column_of_symbol;
  for (core::SymbolId s = 0; s < setup.symbols.size(); ++s) {
    const auto it = std::find(columns.begin(), columns.end(), setup.symbols.name(s));
    if (it == columns.end()) {
      result.error = "symbol " + setup.symbols.name(s) + " of the models is not priced by the paths";
      return result;
    }
    column_of_symbol.push_back(static_cast<std::size_t>(it - columns.begin()));
  }
  std::vector<core::TimeNs> times(steps + 1);
  for (std::size_t k = 0; k <= steps; ++k) times[k] = clock.at(k);

  std::vector<PathFigures> figures(paths);
  if (threads == 0) threads = core::usable_cpus();
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, (paths + kChunk - 1) / kChunk));
  std::atomic<std::size_t> next_path{0};
  auto worker = [&] {
    std::vector<double> prices((steps + 1) * n_cols);
    std::vector<double> row(column_of_symbol.size());
    std::vector<double> wealth(steps + 1);
    std::vector<double> per_model;
    std::vector<FleetTax> taxes;
    while (true) {
      const std::size_t begin = next_path.fetch_add(kChunk);
      if (begin >= paths) break;
      for (std::size_t path = begin; path < std::min(paths, begin + kChunk); ++path) {
        source.fill(path, steps, prices);
        FleetRun run(setup);
        run_path(run, prices, n_cols, column_of_symbol, times, row, per_model, wealth);
        const SeriesStats s = summarize(times, wealth);
        PathFigures& f = figures[path];
        const FleetTally& t = run.fleet();
        f.start = wealth.front();
        f.total_return = s.total_return;
        f.annual_return = s.annualised_return;
        f.max_drawdown = s.drawdown.max;
        f.rebalances = static_cast<double>(t.rebalances);
        f.block_orders = static_cast<double>(t.block_orders);
        f.costs_blocks = t.blocks.total();
        f.costs_separate = t.separate.total();
        f.block_saving = t.saving().total();
        FleetTax tax;
        const AfterTax with = fleet_after_tax(run, wealth, times, taxes, tax);
        f.tax_paid = tax.tax_paid;
        f.liquidation_tax = tax.liquidation_tax;
        const fleet::DeskCounters counters = run.counters();
        f.harvests = static_cast<double>(counters.harvests);
        f.switches_back = static_cast<double>(counters.switches_back);
        f.rebalances_held = static_cast<double>(counters.rebalances_held);
        if (setup.without_harvest) {
          // The same models interned in the same order: the same symbol ids, so the same columns.
          FleetRun plain(*setup.without_harvest);
          run_path(plain, prices, n_cols, column_of_symbol, times, row, per_model, wealth);
          FleetTax plain_tax;
          const AfterTax without = fleet_after_tax(plain, wealth, times, taxes, plain_tax);
          f.tax_alpha = with.annualised_return - without.annualised_return;
          f.tax_alpha_liquidated = with.liquidation_annualised_return - without.liquidation_annualised_return;
        }
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();

  result.paths = paths;
  result.threads = threads;
  result.accounts = setup.book->size();
  result.models = setup.model_ids.size();
  result.window = setup.window;
  result.start_value = figures.front().start;
  std::vector<double> column(paths);
  auto gather = [&](double PathFigures::*field) -> std::vector<double>& {
    for (std::size_t p = 0; p < paths; ++p) column[p] = figures[p].*field;
    return column;
  };
  result.mean_total_return = mean_of(gather(&PathFigures::total_return));
  result.total_return = quantiles_of(gather(&PathFigures::total_return));
  result.annual_return = quantiles_of(gather(&PathFigures::annual_return));
  result.max_drawdown = quantiles_of(gather(&PathFigures::max_drawdown));
  result.rebalances = quantiles_of(gather(&PathFigures::rebalances));
  result.block_orders = quantiles_of(gather(&PathFigures::block_orders));
  result.costs_blocks = quantiles_of(gather(&PathFigures::costs_blocks));
  result.costs_separate = quantiles_of(gather(&PathFigures::costs_separate));
  result.mean_block_saving = mean_of(gather(&PathFigures::block_saving));
  result.block_saving = quantiles_of(gather(&PathFigures::block_saving));
  result.mean_tax_paid = mean_of(gather(&PathFigures::tax_paid));
  result.tax_paid = quantiles_of(gather(&PathFigures::tax_paid));
  result.mean_liquidation_tax = mean_of(gather(&PathFigures::liquidation_tax));
  result.liquidation_tax = quantiles_of(gather(&PathFigures::liquidation_tax));
  result.harvests = quantiles_of(gather(&PathFigures::harvests));
  result.switches_back = quantiles_of(gather(&PathFigures::switches_back));
  result.rebalances_held = quantiles_of(gather(&PathFigures::rebalances_held));
  result.compared = setup.without_harvest != nullptr;
  if (result.compared) {
    result.mean_tax_alpha = mean_of(gather(&PathFigures::tax_alpha));
    result.tax_alpha = quantiles_of(gather(&PathFigures::tax_alpha));
    result.mean_tax_alpha_liquidated = mean_of(gather(&PathFigures::tax_alpha_liquidated));
    result.tax_alpha_liquidated = quantiles_of(gather(&PathFigures::tax_alpha_liquidated));
  }
  return result;
}

void write_fleet_simulation_json(core::JsonWriter& w, const FleetSimulation& f) {
  w.begin_object();
  w.field("accounts", f.accounts).field("models", f.models);
  w.field("window_seconds", static_cast<double>(f.window) / static_cast<double>(core::kNanosPerSecond));
  w.field("start_value", f.start_value);
  w.field("mean_total_return", f.mean_total_return);
  write_quantiles(w, "total_return", f.total_return);
  write_quantiles(w, "annual_return", f.annual_return);
  write_quantiles(w, "max_drawdown", f.max_drawdown);
  write_quantiles(w, "rebalances", f.rebalances);
  write_quantiles(w, "block_orders", f.block_orders);
  write_quantiles(w, "costs_blocks", f.costs_blocks);
  write_quantiles(w, "costs_separate", f.costs_separate);
  w.field("mean_block_saving", f.mean_block_saving);
  write_quantiles(w, "block_saving", f.block_saving);
  w.field("mean_tax_paid", f.mean_tax_paid);
  write_quantiles(w, "tax_paid", f.tax_paid);
  w.field("mean_liquidation_tax", f.mean_liquidation_tax);
  write_quantiles(w, "liquidation_tax", f.liquidation_tax);
  write_quantiles(w, "harvests", f.harvests);
  write_quantiles(w, "switches_back", f.switches_back);
  write_quantiles(w, "rebalances_held", f.rebalances_held);
  if (f.compared) {
    w.field("mean_tax_alpha", f.mean_tax_alpha);
    write_quantiles(w, "tax_alpha", f.tax_alpha);
    w.field("mean_tax_alpha_liquidated", f.mean_tax_alpha_liquidated);
    write_quantiles(w, "tax_alpha_liquidated", f.tax_alpha_liquidated);
  } else {
    for (const char* key : {"mean_tax_alpha", "tax_alpha", "mean_tax_alpha_liquidated", "tax_alpha_liquidated"}) {
      w.key(key).null();
    }
  }
  w.end_object();
}

std::string fleet_simulation_table(const FleetSimulation& f) {
  std::string out = "fleet: " + std::to_string(f.accounts) + " accounts on " + std::to_string(f.models) +
                    " models, each path from the accounts as given\n";
  char line[256];
  std::snprintf(line, sizeof line, "%-22s %14s %14s %14s\n", "", "p5", "p50", "p95");
  out += line;
  auto add = [&](const char* label, const Quantiles& q, double scale, const char* format) {
    char a[32], b[32], c[32];
    std::snprintf(a, sizeof a, format, q.p5 * scale);
    std::snprintf(b, sizeof b, format, q.p50 * scale);
    std::snprintf(c, sizeof c, format, q.p95 * scale);
    std::snprintf(line, sizeof line, "%-22s %14s %14s %14s\n", label, a, b, c);
    out += line;
  };
  add("total return", f.total_return, 100, "%.2f%%");
  add("annual return", f.annual_return, 100, "%.2f%%");
  add("max drawdown", f.max_drawdown, 100, "%.2f%%");
  add("rebalances", f.rebalances, 1, "%.0f");
  add("block orders", f.block_orders, 1, "%.0f");
  add("costs as blocks", f.costs_blocks, 1, "%.2f");
  add("costs alone", f.costs_separate, 1, "%.2f");
  add("block saving", f.block_saving, 1, "%.2f");
  add("tax paid", f.tax_paid, 1, "%.2f");
  add("liquidation tax", f.liquidation_tax, 1, "%.2f");
  add("harvests", f.harvests, 1, "%.0f");
  add("switches back", f.switches_back, 1, "%.0f");
  add("rebalances held", f.rebalances_held, 1, "%.0f");
  if (f.compared) {
    add("tax alpha", f.tax_alpha, 100, "%.2f%%");
    add("tax alpha liquidated", f.tax_alpha_liquidated, 100, "%.2f%%");
    std::snprintf(line, sizeof line, "mean tax alpha %.2f%% a year (%.2f%% liquidated), against the same paths "
                                     "without harvesting\n", 100 * f.mean_tax_alpha, 100 * f.mean_tax_alpha_liquidated);
    out += line;
  }
  return out;
}

}  // namespace ballast::offline
