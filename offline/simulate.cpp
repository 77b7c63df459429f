#include "offline/simulate.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <thread>
#include <utility>

#include "core/numbers.hpp"
#include "core/usable_cpus.hpp"
#include "engine/engine.hpp"
#include "offline/metrics.hpp"
#include "strategies/risk_model.hpp"

namespace ballast::offline {
namespace {

using core::kNaN;
constexpr double kDaysPerYear = 365.25;
/// Paths a worker takes at a time: small enough to share the tail of a run
/// evenly, large enough that the shared counter is not contended.
constexpr std::size_t kChunk = 4;
/// The fan chart's buffer (floats, paths × portfolios × points) stays under this.
constexpr std::size_t kFanBudgetBytes = std::size_t{128} << 20;

/// What one portfolio did on one path.
struct PathFigures {
  double terminal = 0;
  double annual_return = 0;
  double annual_volatility = 0;
  double sharpe = 0;
  double max_drawdown = 0;
  double tracking_error = 0;
  double turnover = 0;  ///< Σ traded / value, over the horizon
  double costs = 0;
  double cost_fraction = 0;  ///< Σ cost / value, over the horizon
  double rebalances = 0;
  double log_growth = 0;  ///< ln(terminal / start) / years
};

/// A [portfolios.risk] history made ready for Engine::warm_risk: one column
/// per asset of the portfolio, rescaled and shifted (see SimulationOptions).
struct Warmup {
  std::size_t portfolio = 0;
  std::vector<core::TimeNs> times;
  std::vector<double> prices;
  std::vector<std::size_t> column_of_asset;
};

double value_of(const engine::Engine& e, const engine::PortfolioState& p) {
  double v = p.cash;
  for (const auto& a : p.assets) v += a.quantity * e.price(a.symbol);
  return v;
}

void warm(engine::Engine& e, const Warmup& w) {
  e.warm_risk(w.portfolio, w.times, w.prices, w.column_of_asset.size(), w.column_of_asset);
}

double mean_of(const std::vector<double>& v) {
  double sum = 0;
  for (const double x : v) sum += x;
  return v.empty() ? kNaN : sum / static_cast<double>(v.size());
}

/// Each portfolio's starting value put at the targets its model gives at the
/// start prices (a probe engine computes them), whole lots, the rest in cash.
std::string invest_at_targets(std::vector<strategies::PortfolioSpec>& specs, const std::vector<core::Tick>& start_row,
                              core::TimeNs start, const std::vector<Warmup>& warmups) {
  engine::Engine probe(specs, {}, start);
  for (const Warmup& w : warmups) warm(probe, w);
  engine::Output out;
  probe.on_ticks(start_row, start, out);
  for (std::size_t i = 0; i < specs.size(); ++i) {
    strategies::PortfolioSpec& spec = specs[i];
    const engine::PortfolioState& p = probe.portfolios()[i];
    double value = spec.cash;
    for (const auto& a : spec.assets) value += a.holding * probe.price(probe.find_symbol(a.symbol));
    if (!(value > 0)) return "portfolio " + spec.id + " has no starting value: give it cash or holdings";
    double invested = 0;
    for (std::size_t k = 0; k < spec.assets.size(); ++k) {
      strategies::AssetSpec& a = spec.assets[k];
      const double price = probe.price(p.assets[k].symbol);
      // The small slack keeps 600 lots that come out as 599.9999999 at 600.
      const double lots = std::floor(value * p.assets[k].target / price / a.lot_size + 1e-9);
      a.holding = std::max(0.0, lots) * a.lot_size;
      invested += a.holding * price;
    }
    spec.cash = value - invested;
  }
  return {};
}

std::string prepare_warmup(const strategies::PortfolioSpec& spec, std::size_t index, const feeds::PriceTable& table,
                           const std::vector<double>& start_prices, core::TimeNs end, Warmup& w) {
  const std::size_t n = spec.assets.size();
  w.portfolio = index;
  w.times = table.times;
  w.prices.assign(table.rows() * n, kNaN);
  for (std::size_t a = 0; a < n; ++a) {
    const auto it = std::find(table.symbols.begin(), table.symbols.end(), spec.assets[a].symbol);
    if (it == table.symbols.end()) {
      return "portfolio " + spec.id + ": risk history " + spec.risk->history + " has no column for " +
             spec.assets[a].symbol;
    }
    const auto c = static_cast<std::size_t>(it - table.symbols.begin());
    double last = kNaN;
    for (std::size_t r = table.rows(); r-- > 0;) {
      if (table.at(r, c) > 0) {
        last = table.at(r, c);
        break;
      }
    }
    if (!(last > 0)) {
      return "portfolio " + spec.id + ": risk history " + spec.risk->history + " has no price for " +
             spec.assets[a].symbol;
    }
    const double scale = start_prices[a] / last;
    for (std::size_t r = 0; r < table.rows(); ++r) w.prices[r * n + a] = table.at(r, c) * scale;
    w.column_of_asset.push_back(a);
  }
  if (!w.times.empty()) {
    const core::TimeNs shift = end - w.times.back();
    for (auto& t : w.times) t += shift;
  }
  return {};
}

}  // namespace

double steps_per_year(const core::Period& step) {
  if (step.is_calendar()) return 12.0 / step.months;
  strategies::RiskModelParams params;
  params.sample_every = step.fixed;
  return strategies::periods_per_year(params);
}

double period_years(const core::Period& p) {
  return p.months / 12.0 + static_cast<double>(p.fixed) / (kDaysPerYear * static_cast<double>(core::kNanosPerDay));
}

core::TimeNs SimulationClock::at(std::size_t k) const {
  if (step.is_calendar()) return core::add_months(start, static_cast<int>(k) * step.months);
  // Whole years of steps land exactly on whole years of 365.25 days.
  const double year_ns = kDaysPerYear * static_cast<double>(core::kNanosPerDay);
  if (step.fixed == core::kNanosPerDay) {
    return start + static_cast<core::TimeNs>(std::llround(static_cast<double>(k) * year_ns / steps_per_year));
  }
  return start + static_cast<core::TimeNs>(k) * step.fixed;
}

ClockResult make_clock(const core::Period& horizon, const core::Period& step, core::TimeNs start) {
  ClockResult r;
  if (!step.is_calendar() && step.fixed <= 0) {
    r.error = "the step must be longer than zero";
    return r;
  }
  SimulationClock c;
  c.start = start;
  c.step = step;
  c.steps_per_year = steps_per_year(step);
  const double steps = std::round(period_years(horizon) * c.steps_per_year);
  if (steps < 1) {
    r.error = "the horizon " + core::format_period(horizon) + " is shorter than one step of " +
              core::format_period(step);
    return r;
  }
  if (steps > static_cast<double>(kMaxSteps)) {
    r.error = "the horizon " + core::format_period(horizon) + " in steps of " + core::format_period(step) +
              " is more than " + std::to_string(kMaxSteps) + " steps; take longer steps";
    return r;
  }
  c.steps = static_cast<std::size_t>(steps);
  r.clock = c;
  return r;
}

double quantile(std::vector<double>& values, double q) {
  if (values.empty()) return kNaN;
  const double pos = q * static_cast<double>(values.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, values.size() - 1);
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(lo), values.end());
  const double a = values[lo];
  if (hi == lo) return a;
  // The next order statistic is the smallest of what nth_element left above lo.
  const double b = *std::min_element(values.begin() + static_cast<std::ptrdiff_t>(hi), values.end());
  return a + (pos - static_cast<double>(lo)) * (b - a);
}

Quantiles quantiles_of(std::vector<double>& v) {
  return {quantile(v, 0.05), quantile(v, 0.25), quantile(v, 0.50), quantile(v, 0.75), quantile(v, 0.95)};
}

SimulationResult simulate(const std::vector<strategies::PortfolioSpec>& portfolios, const PathSource& source,
                          const SimulationOptions& options) {
  SimulationResult result;
  const SimulationClock& clock = options.clock;
  const std::size_t steps = clock.steps;
  const std::size_t paths = options.paths;
  const std::size_t n_policies = portfolios.size();
  const std::vector<std::string>& columns = source.symbols();
  const std::size_t n_cols = columns.size();
  if (portfolios.empty()) {
    result.error = "no portfolios to simulate";
    return result;
  }
  if (paths == 0 || steps == 0) {
    result.error = "a run needs at least one path of at least one step";
    return result;
  }
  for (const auto& p : portfolios) {
    for (const auto& a : p.assets) {
      if (std::find(columns.begin(), columns.end(), a.symbol) == columns.end()) {
        result.error = "portfolio " + p.id + " holds " + a.symbol + ", which the paths do not price";
        return result;
      }
    }
  }

  // The start prices: row 0 of every path.
  std::vector<double> first((steps + 1) * n_cols);
  source.fill(0, steps, first);
  std::vector<strategies::PortfolioSpec> specs = portfolios;
  // Symbol ids depend only on the specs' assets, so one engine's ids hold for all.
  std::vector<core::Tick> row_template;
  std::vector<std::size_t> row_columns;
  std::vector<std::size_t> column_of_symbol;
  {
    const engine::Engine ids(specs, {}, clock.start);
    column_of_symbol.assign(ids.symbols().size(), 0);
    for (std::size_t c = 0; c < n_cols; ++c) {
      const core::SymbolId id = ids.find_symbol(columns[c]);
      if (id == core::kNoSymbol) continue;
      row_template.push_back({id, first[c], clock.start});
      row_columns.push_back(c);
      column_of_symbol[id] = c;
    }
  }
  std::vector<Warmup> warmups;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const auto& risk = specs[i].risk;
    if (!risk || risk->history.empty() || !risk->volatilities.empty()) continue;
    const auto it = options.histories.find(risk->history);
    if (it == options.histories.end()) {
      result.error = "portfolio " + specs[i].id + ": risk history " + risk->history + " was not read";
      return result;
    }
    std::vector<double> start_prices;
    for (const auto& a : specs[i].assets) {
      start_prices.push_back(first[static_cast<std::size_t>(
          std::find(columns.begin(), columns.end(), a.symbol) - columns.begin())]);
    }
    Warmup w;
    const core::TimeNs end = clock.start - (clock.at(1) - clock.at(0));
    if (std::string e = prepare_warmup(specs[i], i, it->second, start_prices, end, w); !e.empty()) {
      result.error = std::move(e);
      return result;
    }
    warmups.push_back(std::move(w));
  }
  if (options.start_at_targets) {
    if (std::string e = invest_at_targets(specs, row_template, clock.start, warmups); !e.empty()) {
      result.error = std::move(e);
      return result;
    }
  }

  std::vector<core::TimeNs> times(steps + 1);
  for (std::size_t k = 0; k <= steps; ++k) times[k] = clock.at(k);
  const double years = years_between(times.front(), times.back());

  // Fan chart steps: 0, the last, and evenly between, within the memory budget.
  std::size_t fan_points = std::max<std::size_t>(1, std::min(options.fan_points, steps));
  const std::size_t per_point = paths * n_policies * sizeof(float);
  const std::size_t affordable = kFanBudgetBytes / per_point;  // points, the start included
  fan_points = std::max<std::size_t>(1, std::min(fan_points, affordable > 1 ? affordable - 1 : 1));
  for (std::size_t j = 0; j <= fan_points; ++j) {
    const auto k = static_cast<std::size_t>(std::llround(static_cast<double>(j) * static_cast<double>(steps) /
                                                         static_cast<double>(fan_points)));
    if (result.fan_steps.empty() || result.fan_steps.back() != k) result.fan_steps.push_back(k);
  }
  const std::size_t n_fan = result.fan_steps.size();

  std::vector<PathFigures> figures(paths * n_policies);
  std::vector<float> fan(paths * n_policies * n_fan);
  std::vector<double> start_values(n_policies, 0.0);

  unsigned threads = options.threads > 0 ? options.threads : core::usable_cpus();
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, (paths + kChunk - 1) / kChunk));
  std::atomic<std::size_t> next_path{0};
  std::atomic<std::size_t> done{0};
  std::mutex progress_mutex;
  std::size_t reported_percent = 0;

  auto worker = [&] {
    std::vector<double> prices((steps + 1) * n_cols);
    std::vector<core::Tick> row = row_template;
    std::vector<std::vector<double>> wealth(n_policies, std::vector<double>(steps + 1));
    std::vector<std::vector<double>> mix(n_policies, std::vector<double>(steps + 1));
    // Per portfolio: (column, target) of the constant mix it is measured against, and its cash target.
    std::vector<std::vector<std::pair<std::size_t, double>>> mix_targets(n_policies);
    std::vector<double> mix_cash(n_policies);
    std::vector<PathFigures> acc(n_policies);
    engine::Output out;
    while (true) {
      const std::size_t begin = next_path.fetch_add(kChunk);
      if (begin >= paths) break;
      const std::size_t end = std::min(paths, begin + kChunk);
      for (std::size_t path = begin; path < end; ++path) {
        source.fill(path, steps, prices);
        engine::Engine e(specs, {}, clock.start);
        for (const Warmup& w : warmups) warm(e, w);
        std::fill(acc.begin(), acc.end(), PathFigures{});
        for (std::size_t k = 0; k <= steps; ++k) {
          const core::TimeNs t = times[k];
          const double* px = prices.data() + k * n_cols;
          for (std::size_t j = 0; j < row.size(); ++j) {
            row[j].price = px[row_columns[j]];
            row[j].ts = t;
          }
          out.clear();
          e.on_ticks(row, t, out);
          e.on_timer(t, out);
          for (const engine::RebalanceEvent& ev : out.rebalances) {
            PathFigures& a = acc[ev.portfolio];
            a.rebalances += 1;
            if (ev.record.value > 0) {
              a.turnover += ev.record.traded_value / ev.record.value;
              a.cost_fraction += ev.record.cost / ev.record.value;
            }
            a.costs += ev.record.cost;
          }
          for (std::size_t i = 0; i < n_policies; ++i) {
            const engine::PortfolioState& p = e.portfolios()[i];
            wealth[i][k] = value_of(e, p);
            if (k == 0) {
              mix_targets[i].clear();
              for (std::size_t a = 0; a < specs[i].assets.size(); ++a) {
                mix_targets[i].emplace_back(column_of_symbol[p.assets[a].symbol], p.assets[a].target);
              }
              mix_cash[i] = p.cash_target;
              mix[i][0] = wealth[i][0];
            } else {
              double growth = mix_cash[i];
              for (const auto& [c, w] : mix_targets[i]) growth += w * px[c] / (px - n_cols)[c];
              mix[i][k] = mix[i][k - 1] * growth;
            }
          }
        }
        for (std::size_t i = 0; i < n_policies; ++i) {
          const SeriesStats s = summarize(times, wealth[i], options.risk_free);
          PathFigures& f = figures[path * n_policies + i];
          f = acc[i];
          f.terminal = wealth[i].back();
          f.annual_return = s.annualised_return;
          f.annual_volatility = s.annualised_volatility;
          f.sharpe = s.sharpe_ratio;
          f.max_drawdown = s.drawdown.max;
          f.tracking_error = tracking_error(times, wealth[i], mix[i]);
          f.log_growth = wealth[i].front() > 0 && wealth[i].back() > 0
                             ? std::log(wealth[i].back() / wealth[i].front()) / years
                             : kNaN;
          float* fan_row = fan.data() + (path * n_policies + i) * n_fan;
          for (std::size_t j = 0; j < n_fan; ++j) fan_row[j] = static_cast<float>(wealth[i][result.fan_steps[j]]);
        }
        // Exactly one worker runs path 0; the others never touch start_values.
        if (path == 0) {
          for (std::size_t i = 0; i < n_policies; ++i) start_values[i] = wealth[i][0];
        }
      }
      const std::size_t now_done = done.fetch_add(end - begin) + (end - begin);
      if (options.progress) {
        const std::lock_guard lock(progress_mutex);
        const std::size_t percent = now_done * 100 / paths;
        if (percent > reported_percent || now_done == paths) {
          reported_percent = percent;
          options.progress(now_done, paths);
        }
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();

  // Everything below reads the per-path slots in path order, whichever thread filled them.
  result.paths = paths;
  result.clock = clock;
  result.threads = threads;
  const double n = static_cast<double>(paths);
  std::vector<double> column(paths);
  for (std::size_t i = 0; i < n_policies; ++i) {
    PolicyResult r;
    r.id = specs[i].id;
    r.model = specs[i].model.kind;
    r.start_value = start_values[i];
    auto gather = [&](double PathFigures::*field) -> std::vector<double>& {
      for (std::size_t p = 0; p < paths; ++p) column[p] = figures[p * n_policies + i].*field;
      return column;
    };
    r.terminal_wealth = gather(&PathFigures::terminal);
    r.terminal_mean = mean_of(r.terminal_wealth);
    r.terminal = quantiles_of(gather(&PathFigures::terminal));
    r.annual_return = mean_of(gather(&PathFigures::annual_return));
    r.annual_volatility = mean_of(gather(&PathFigures::annual_volatility));
    r.sharpe = mean_of(gather(&PathFigures::sharpe));
    r.max_drawdown = mean_of(gather(&PathFigures::max_drawdown));
    r.tracking_error = mean_of(gather(&PathFigures::tracking_error));
    r.turnover = mean_of(gather(&PathFigures::turnover)) / years;
    r.costs = mean_of(gather(&PathFigures::costs));
    r.cost_per_year = mean_of(gather(&PathFigures::cost_fraction)) / years;
    r.rebalances_per_year = mean_of(gather(&PathFigures::rebalances)) / years;
    const std::vector<double>& growth = gather(&PathFigures::log_growth);
    r.mean_log_growth = mean_of(growth);
    double ss = 0;
    for (const double g : growth) ss += (g - r.mean_log_growth) * (g - r.mean_log_growth);
    r.mean_log_growth_stderr = paths > 1 ? std::sqrt(ss / (n - 1)) / std::sqrt(n) : kNaN;
    for (std::size_t j = 0; j < n_fan; ++j) {
      for (std::size_t p = 0; p < paths; ++p) column[p] = fan[(p * n_policies + i) * n_fan + j];
      r.fan.push_back(quantiles_of(column));
    }
    result.policies.push_back(std::move(r));
  }
  return result;
}

}  // namespace ballast::offline
