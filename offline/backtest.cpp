#include "offline/backtest.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <span>
#include <unordered_map>

#include "core/numbers.hpp"

namespace ballast::offline {
namespace {

using core::kNaN;

bool has_history(const strategies::PortfolioSpec& spec) {
  return spec.risk && !spec.risk->history.empty() && spec.risk->volatilities.empty();
}

/// What the run keeps per portfolio besides its result.
struct Tracker {
  bool started = false;
  std::vector<double> prices;       ///< per asset, the last price (carried over empty cells)
  std::vector<double> bh_quantity;  ///< buy-and-hold holdings
  double bh_cash = 0;
  std::vector<double> cm_previous;  ///< constant mix: prices at the previous row
  double cm_value = 0;
  double drift_before = kNaN;       ///< from this row's first rebalance, if any
};

/// Checks the data against the policies; every problem, in configuration order.
std::vector<std::string> check_inputs(const std::vector<strategies::PortfolioSpec>& specs,
                                      const feeds::PriceTable& prices, const BacktestOptions& options,
                                      const std::unordered_map<std::string, std::size_t>& column) {
  std::vector<std::string> errors;
  if (specs.empty()) errors.push_back("no [[portfolios]] to backtest");
  if (prices.rows() == 0) errors.push_back("the prices have no rows");
  for (const auto& spec : specs) {
    for (const auto& a : spec.assets) {
      const auto it = column.find(a.symbol);
      if (it == column.end()) {
        errors.push_back("portfolio " + spec.id + ": symbol " + a.symbol + " has no column in the prices");
        continue;
      }
      bool priced = false;
      for (std::size_t r = 0; r < prices.rows() && !priced; ++r)
        priced = core::finite_positive(prices.at(r, it->second));
      if (!priced) errors.push_back("portfolio " + spec.id + ": symbol " + a.symbol + " has no price in any row");
    }
    if (!has_history(spec)) continue;
    const std::string& path = spec.risk->history;
    const auto h = options.histories.find(path);
    if (h == options.histories.end()) {
      errors.push_back("portfolio " + spec.id + ": risk history " + path + " was not loaded");
      continue;
    }
    for (const auto& a : spec.assets) {
      if (std::find(h->second.symbols.begin(), h->second.symbols.end(), a.symbol) == h->second.symbols.end()) {
        errors.push_back("portfolio " + spec.id + ": risk history " + path + " has no column for " + a.symbol);
      }
    }
  }
  return errors;
}

/// Replays the history rows strictly before `start` into the portfolio's estimate.
void warm_from_history(engine::Engine& engine, std::size_t index, const strategies::PortfolioSpec& spec,
                       const feeds::PriceTable& history, core::TimeNs start) {
  std::vector<std::size_t> column_of_asset;
  for (const auto& a : spec.assets) {
    const auto it = std::find(history.symbols.begin(), history.symbols.end(), a.symbol);
    column_of_asset.push_back(static_cast<std::size_t>(it - history.symbols.begin()));
  }
  const auto rows = static_cast<std::size_t>(std::lower_bound(history.times.begin(), history.times.end(), start) -
                                             history.times.begin());
  if (rows == 0) return;
  engine.warm_risk(index, std::span(history.times.data(), rows),
                   std::span(history.prices.data(), rows * history.cols()), history.cols(), column_of_asset);
}

/// The first point of a portfolio's series: the seed at this row's prices.
void start(PortfolioBacktest& res, Tracker& tr, std::size_t row) {
  const auto& spec = res.spec;
  const std::size_t n = spec.assets.size();
  tr.started = true;
  res.first_row = row;
  res.start_value = spec.cash;
  bool holds_any = false;
  for (std::size_t i = 0; i < n; ++i) {
    res.start_value += spec.assets[i].holding * tr.prices[i];
    holds_any = holds_any || spec.assets[i].holding > 0;
  }
  tr.bh_quantity.assign(n, 0.0);
  tr.bh_cash = spec.cash;
  if (holds_any) {
    for (std::size_t i = 0; i < n; ++i) tr.bh_quantity[i] = spec.assets[i].holding;
  } else {
    tr.bh_cash = res.start_value;
    for (std::size_t i = 0; i < n; ++i) {
      tr.bh_quantity[i] = spec.assets[i].target * res.start_value / tr.prices[i];
      tr.bh_cash -= tr.bh_quantity[i] * tr.prices[i];
    }
  }
  tr.cm_previous = tr.prices;
  tr.cm_value = res.start_value;
}

/// Appends this row's point to every series of one portfolio.
void record_row(PortfolioBacktest& res, Tracker& tr, const engine::PortfolioState& state, core::TimeNs t) {
  const auto& spec = res.spec;
  const std::size_t n = spec.assets.size();
  if (res.times.size() > 0) {
    double growth = spec.cash_target;
    for (std::size_t i = 0; i < n; ++i) growth += spec.assets[i].target * tr.prices[i] / tr.cm_previous[i];
    tr.cm_value *= growth;
    tr.cm_previous = tr.prices;
  }
  double value = state.cash;
  for (std::size_t i = 0; i < n; ++i) value += state.assets[i].quantity * tr.prices[i];
  double drift = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double w = value > 0 ? state.assets[i].quantity * tr.prices[i] / value : 0.0;
    res.weights.push_back(w);
    res.targets.push_back(state.assets[i].target);
    drift = std::max(drift, std::abs(w - state.assets[i].target));
  }
  double bh = tr.bh_cash;
  for (std::size_t i = 0; i < n; ++i) bh += tr.bh_quantity[i] * tr.prices[i];

  res.times.push_back(t);
  res.values.push_back(value);
  res.cash.push_back(state.cash);
  res.cash_targets.push_back(state.cash_target);
  res.drift.push_back(std::isnan(tr.drift_before) ? drift : tr.drift_before);
  res.buy_and_hold.push_back(bh);
  res.constant_mix.push_back(tr.cm_value);
}

void finish(PortfolioBacktest& res, const engine::PortfolioState& state, double risk_free_rate) {
  const std::size_t n = res.spec.assets.size();
  res.final_value = res.values.empty() ? res.start_value : res.values.back();
  for (const auto& rec : res.rebalances) {
    res.traded_value += rec.traded_value;
    res.costs += rec.cost;
    res.commission += rec.commission;
    res.spread += rec.spread;
    res.slippage += rec.slippage;
    res.impact += rec.impact;
  }
  double sum = 0;
  for (const double v : res.values) sum += v;
  res.average_value = res.values.empty() ? 0.0 : sum / static_cast<double>(res.values.size());
  res.turnover = res.average_value > 0 ? res.traded_value / res.average_value : 0.0;
  for (const double d : res.drift) res.max_abs_drift = std::max(res.max_abs_drift, d);

  const std::vector<double> measured = measured_values(res);
  res.stats = summarize(res.times, measured, risk_free_rate);
  res.buy_and_hold_stats = summarize(res.times, res.buy_and_hold, risk_free_rate);
  res.tracking_error = tracking_error(res.times, measured, res.constant_mix);

  for (std::size_t i = 0; i < n; ++i) {
    res.final_targets.push_back(state.assets[i].target);
    res.final_quantities.push_back(state.assets[i].quantity);
  }
  res.final_cash_target = state.cash_target;
  res.final_cash = state.cash;
  res.model_state = engine::model_state_text(state);
}

BacktestRun run(const std::vector<strategies::PortfolioSpec>& specs, const feeds::PriceTable& prices,
                const BacktestOptions& options) {
  BacktestRun result;
  result.rows = prices.rows();
  std::unordered_map<std::string, std::size_t> column;
  for (std::size_t c = 0; c < prices.cols(); ++c) column.emplace(prices.symbols[c], c);
  result.errors = check_inputs(specs, prices, options, column);
  if (!result.ok()) return result;

  const core::TimeNs first_time = prices.times.front();
  engine::Engine engine(specs, engine::EngineOptions{.book_on_send = true, .order_timeout = 0}, first_time - 1);
  for (std::size_t p = 0; p < specs.size(); ++p) {
    if (has_history(specs[p])) {
      warm_from_history(engine, p, specs[p], options.histories.at(specs[p].risk->history), first_time);
    }
  }

  std::vector<core::SymbolId> symbol_of_column(prices.cols());
  for (std::size_t c = 0; c < prices.cols(); ++c) symbol_of_column[c] = engine.find_symbol(prices.symbols[c]);

  result.portfolios.resize(specs.size());
  std::vector<Tracker> trackers(specs.size());
  for (std::size_t p = 0; p < specs.size(); ++p) {
    PortfolioBacktest& res = result.portfolios[p];
    res.spec = specs[p];
    for (const auto& a : specs[p].assets) res.symbols.push_back(a.symbol);
    const std::size_t n = specs[p].assets.size();
    res.weights.reserve(prices.rows() * n);
    res.targets.reserve(prices.rows() * n);
    for (auto* series : {&res.values, &res.cash, &res.cash_targets, &res.drift, &res.buy_and_hold, &res.constant_mix}) {
      series->reserve(prices.rows());
    }
    res.times.reserve(prices.rows());
    trackers[p].prices.assign(n, kNaN);
  }

  engine::Output out;
  std::vector<core::Tick> ticks;
  ticks.reserve(prices.cols());
  for (std::size_t r = 0; r < prices.rows(); ++r) {
    const core::TimeNs t = prices.times[r];
    out.clear();
    ticks.clear();
    for (std::size_t c = 0; c < prices.cols(); ++c) {
      const double px = prices.at(r, c);
      if (symbol_of_column[c] != core::kNoSymbol && core::finite_positive(px))
        ticks.push_back({symbol_of_column[c], px, t});
    }
    engine.on_ticks(ticks, t, out);
    engine.on_timer(t, out);

    for (auto& tr : trackers) tr.drift_before = kNaN;
    for (const auto& event : out.rebalances) {
      PortfolioBacktest& res = result.portfolios[event.portfolio];
      Tracker& tr = trackers[event.portfolio];
      if (std::isnan(tr.drift_before)) tr.drift_before = event.record.max_abs_drift;
      res.rebalances.push_back(event.record);
      for (std::size_t k = 0; k < event.record.orders; ++k) res.orders.push_back(out.orders[event.first_order + k]);
    }

    for (std::size_t p = 0; p < specs.size(); ++p) {
      const engine::PortfolioState& state = engine.portfolios()[p];
      Tracker& tr = trackers[p];
      bool priced = true;
      for (std::size_t i = 0; i < specs[p].assets.size(); ++i) {
        tr.prices[i] = engine.price(state.assets[i].symbol);
        priced = priced && tr.prices[i] > 0;
      }
      if (!tr.started) {
        if (!priced) continue;
        start(result.portfolios[p], tr, r);
      }
      record_row(result.portfolios[p], tr, state, t);
    }
  }
  for (std::size_t p = 0; p < specs.size(); ++p) finish(result.portfolios[p], engine.portfolios()[p], options.risk_free_rate);
  return result;
}

}  // namespace

std::vector<double> measured_values(const PortfolioBacktest& p) {
  std::vector<double> measured = p.values;
  if (!measured.empty()) measured.front() = p.start_value;
  return measured;
}

HistoryLoad load_histories(const std::vector<strategies::PortfolioSpec>& specs) {
  HistoryLoad load;
  for (const auto& spec : specs) {
    if (!has_history(spec)) continue;
    const std::string& path = spec.risk->history;
    if (load.tables.contains(path)) continue;
    feeds::PriceTableResult loaded = feeds::load_price_table(path);
    if (!loaded.ok()) {
      // The table's own messages name the file already.
      load.errors.push_back("portfolio " + spec.id + ": risk history: " + loaded.errors.front());
      continue;
    }
    load.tables.emplace(path, std::move(loaded.table));
  }
  return load;
}

BacktestRun run_backtest(const std::vector<strategies::PortfolioSpec>& specs, const feeds::PriceTable& prices,
                         const BacktestOptions& options) {
  try {
    return run(specs, prices, options);
  } catch (const std::exception& e) {
    // Only allocation can throw here: report it like any other failure.
    BacktestRun failed;
    failed.rows = prices.rows();
    failed.errors.push_back(std::string("backtest: ") + e.what());
    return failed;
  }
}

}  // namespace ballast::offline
