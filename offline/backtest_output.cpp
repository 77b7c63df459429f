#include "offline/backtest_output.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <vector>

#include "core/json_writer.hpp"
#include "offline/orders_csv.hpp"
#include "offline/text_figures.hpp"

namespace ballast::offline {
namespace {

void write_stats(core::JsonWriter& w, const SeriesStats& s) {
  w.field("total_return", s.total_return)
      .field("annualised_return", s.annualised_return)
      .field("annualised_volatility", s.annualised_volatility)
      .field("sharpe_ratio", s.sharpe_ratio)
      .field("max_drawdown", s.drawdown.max);
}

void write_portfolio(core::JsonWriter& w, const PortfolioBacktest& p, double risk_free_rate) {
  const bool empty = p.times.empty();
  w.begin_object();
  w.field("id", p.spec.id);
  w.key("start");
  empty ? w.null() : w.value(core::format_iso8601(p.times.front()));
  w.key("end");
  empty ? w.null() : w.value(core::format_iso8601(p.times.back()));
  w.field("rows", p.times.size());
  w.field("start_value", p.start_value).field("final_value", p.final_value);
  w.field("rebalances", p.rebalances.size()).field("orders", p.orders.size());
  w.field("traded_value", p.traded_value).field("turnover", p.turnover).field("costs", p.costs);
  w.key("cost_breakdown").begin_object();
  w.field("commission", p.commission).field("spread", p.spread).field("slippage", p.slippage).field("impact", p.impact);
  w.end_object();
  w.field("max_abs_drift", p.max_abs_drift);
  w.key("rebalance_dates").begin_array();
  for (const auto& r : p.rebalances) w.value(core::format_iso8601(r.at));
  w.end_array();
  std::map<std::string, std::size_t> by_reason;
  for (const auto& r : p.rebalances) ++by_reason[r.reason];
  w.key("rebalances_by_reason").begin_object();
  for (const auto& [reason, count] : by_reason) w.field(reason, count);
  w.end_object();

  write_stats(w, p.stats);
  w.field("risk_free_rate", risk_free_rate);
  w.key("max_drawdown_peak");
  empty ? w.null() : w.value(core::format_iso8601(p.times[p.stats.drawdown.peak]));
  w.key("max_drawdown_trough");
  empty ? w.null() : w.value(core::format_iso8601(p.times[p.stats.drawdown.trough]));
  w.field("tracking_error", p.tracking_error);
  w.field("constant_mix_final_value", empty ? p.start_value : p.constant_mix.back());
  w.key("buy_and_hold").begin_object();
  w.field("final_value", empty ? p.start_value : p.buy_and_hold.back());
  write_stats(w, p.buy_and_hold_stats);
  w.end_object();

  w.key("final_targets").begin_object();
  for (std::size_t i = 0; i < p.symbols.size(); ++i) w.field(p.symbols[i], p.final_targets[i]);
  w.end_object();
  w.field("final_cash_target", p.final_cash_target);
  w.key("final_weights").begin_object();
  const std::size_t n = p.symbols.size();
  for (std::size_t i = 0; i < n; ++i) w.field(p.symbols[i], empty ? 0.0 : p.weights[(p.times.size() - 1) * n + i]);
  w.end_object();
  w.key("final_quantities").begin_object();
  for (std::size_t i = 0; i < n; ++i) w.field(p.symbols[i], p.final_quantities[i]);
  w.end_object();
  w.field("final_cash", p.final_cash);
  w.field("model_state", p.model_state);
  w.end_object();
}

std::string date(core::TimeNs t) {
  std::string s = core::format_iso8601(t);
  // Midnight rows are dates: say so without the time of day.
  if (s.size() > 10 && s.compare(10, std::string::npos, "T00:00:00.000Z") == 0) s.resize(10);
  return s;
}

}  // namespace

std::string backtest_json(const BacktestRun& run, double risk_free_rate) {
  std::string out;
  core::JsonWriter w(out);
  if (run.portfolios.size() == 1) {
    write_portfolio(w, run.portfolios.front(), risk_free_rate);
    return out;
  }
  w.begin_object().key("portfolios").begin_array();
  for (const auto& p : run.portfolios) write_portfolio(w, p, risk_free_rate);
  w.end_array().end_object();
  return out;
}

std::string backtest_json(const BacktestRun& run, const FleetBacktest& fleet, double risk_free_rate) {
  std::string out;
  core::JsonWriter w(out);
  w.begin_object().key("portfolios").begin_array();
  for (const auto& p : run.portfolios) write_portfolio(w, p, risk_free_rate);
  w.end_array();
  w.key("fleet");
  write_fleet_json(w, fleet, risk_free_rate);
  w.end_object();
  return out;
}

std::string orders_csv(const BacktestRun& run) {
  std::string out(orders_csv_header());
  for (const auto& p : run.portfolios) {
    for (const auto& o : p.orders) append_order_csv(out, o);
  }
  return out;
}

std::string orders_csv(const BacktestRun& run, const FleetBacktest* fleet) {
  std::string out = orders_csv(run);
  if (fleet) append_fleet_orders_csv(out, *fleet);
  return out;
}

std::string backtest_table(const BacktestRun& run) {
  std::vector<std::pair<std::string, std::vector<std::string>>> rows;
  auto add = [&](std::string label, auto cell) {
    std::vector<std::string> cells;
    for (const auto& p : run.portfolios) cells.push_back(cell(p));
    rows.emplace_back(std::move(label), std::move(cells));
  };
  using P = const PortfolioBacktest&;
  add("portfolio", [](P p) { return p.spec.id; });
  add("from", [](P p) { return p.times.empty() ? std::string("-") : date(p.times.front()); });
  add("to", [](P p) { return p.times.empty() ? std::string("-") : date(p.times.back()); });
  add("rows", [](P p) { return std::to_string(p.times.size()); });
  add("start value", [](P p) { return fixed_text(p.start_value, 2); });
  add("final value", [](P p) { return fixed_text(p.final_value, 2); });
  add("total return", [](P p) { return percent_text(p.stats.total_return); });
  add("annualised return", [](P p) { return percent_text(p.stats.annualised_return); });
  add("annualised volatility", [](P p) { return percent_text(p.stats.annualised_volatility); });
  add("Sharpe ratio", [](P p) { return fixed_text(p.stats.sharpe_ratio, 2); });
  add("max drawdown", [](P p) { return percent_text(p.stats.drawdown.max); });
  add("buy-and-hold return", [](P p) { return percent_text(p.buy_and_hold_stats.total_return); });
  add("tracking error", [](P p) { return percent_text(p.tracking_error); });
  add("rebalances", [](P p) { return std::to_string(p.rebalances.size()); });
  add("orders", [](P p) { return std::to_string(p.orders.size()); });
  add("turnover", [](P p) { return percent_text(p.turnover); });
  add("costs", [](P p) { return fixed_text(p.costs, 2); });
  add("max drift", [](P p) { return percent_text(p.max_abs_drift); });
  add("model", [](P p) { return p.model_state; });

  std::size_t label_width = 0;
  std::vector<std::size_t> widths(run.portfolios.size(), 0);
  for (const auto& [label, cells] : rows) {
    label_width = std::max(label_width, label.size());
    for (std::size_t c = 0; c < cells.size(); ++c) widths[c] = std::max(widths[c], cells[c].size());
  }
  std::string out;
  for (const auto& [label, cells] : rows) {
    out += label + std::string(label_width - label.size(), ' ');
    for (std::size_t c = 0; c < cells.size(); ++c) {
      out += "  " + std::string(widths[c] - cells[c].size(), ' ') + cells[c];
    }
    out += '\n';
  }
  return out;
}

}  // namespace ballast::offline
