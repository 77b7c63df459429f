#include "offline/fleet_backtest.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <unordered_map>

#include "core/numbers.hpp"
#include "offline/orders_csv.hpp"
#include "offline/text_figures.hpp"

namespace ballast::offline {
namespace {

std::vector<std::string> check_inputs(const FleetSetup& setup, const feeds::PriceTable& prices,
                                      std::vector<std::size_t>& column_of_symbol) {
  std::vector<std::string> errors;
  if (prices.rows() == 0) errors.push_back("the prices have no rows");
  std::unordered_map<std::string_view, std::size_t> column;
  for (std::size_t c = 0; c < prices.cols(); ++c) column.emplace(prices.symbols[c], c);
  column_of_symbol.assign(setup.symbols.size(), 0);
  for (core::SymbolId s = 0; s < setup.symbols.size(); ++s) {
    const std::string& name = setup.symbols.name(s);
    const auto it = column.find(name);
    if (it == column.end()) {
      errors.push_back("symbol " + name + " of the models has no column in the prices");
      continue;
    }
    column_of_symbol[s] = it->second;
    bool priced = false;
    for (std::size_t r = 0; r < prices.rows() && !priced; ++r) priced = core::finite_positive(prices.at(r, it->second));
    if (!priced) errors.push_back("symbol " + name + " of the models has no price in any row");
  }
  return errors;
}

void finish_group(FleetGroup& g, const std::vector<core::TimeNs>& times, double risk_free_rate) {
  g.start_value = g.values.empty() ? 0.0 : g.values.front();
  g.final_value = g.values.empty() ? 0.0 : g.values.back();
  g.stats = summarize(times, g.values, risk_free_rate);
  g.after_tax = after_tax(g.start_value, g.final_value, g.tax, times.empty() ? 0 : times.front(),
                          times.empty() ? 0 : times.back());
}

/// The rows of `prices` through a run of `setup`, every figure but the comparison.
FleetBacktest run_rows(const FleetSetup& setup, const feeds::PriceTable& prices,
                       const std::vector<std::size_t>& column_of_symbol, double risk_free_rate, bool keep_orders) {
  FleetBacktest bt;
  bt.window = setup.window;
  bt.models.resize(setup.model_ids.size());
  for (std::size_t m = 0; m < bt.models.size(); ++m) {
    bt.models[m].id = setup.model_ids[m];
    bt.models[m].accounts = setup.accounts_of_model[m];
    bt.models[m].values.reserve(prices.rows());
  }
  bt.fleet.id = "fleet";
  bt.fleet.accounts = setup.book->size();

  FleetRun run(setup, keep_orders);
  std::vector<double> row(setup.symbols.size());
  std::vector<double> per_model;
  for (std::size_t r = 0; r < prices.rows(); ++r) {
    for (std::size_t s = 0; s < row.size(); ++s) row[s] = prices.at(r, column_of_symbol[s]);
    run.row(row, prices.times[r]);
    if (!run.started()) continue;
    if (bt.times.empty()) bt.first_row = r;
    bt.times.push_back(prices.times[r]);
    run.values(per_model);
    double total = 0;
    for (std::size_t m = 0; m < per_model.size(); ++m) {
      bt.models[m].values.push_back(per_model[m]);
      total += per_model[m];
    }
    bt.fleet.values.push_back(total);
  }
  run.finish();
  if (!bt.times.empty()) {
    // A window closed after the last row moved holdings at its own prices, which are the last row's.
    run.values(per_model);
    for (std::size_t m = 0; m < per_model.size(); ++m) bt.models[m].values.back() = per_model[m];
  }
  const std::optional<std::vector<FleetDrift>> drift = run.drift();
  std::vector<FleetTax> taxes;
  run.taxes(taxes);
  for (std::size_t m = 0; m < bt.models.size(); ++m) {
    bt.models[m].tally = run.models()[m];
    if (drift) bt.models[m].drift = (*drift)[m];
    bt.models[m].tax = taxes[m];
    finish_group(bt.models[m], bt.times, risk_free_rate);
  }
  bt.fleet.tally = run.fleet();
  if (drift) bt.fleet.drift = FleetRun::total(*drift);
  bt.fleet.tax = FleetRun::total(taxes);
  finish_group(bt.fleet, bt.times, risk_free_rate);
  bt.orders = run.orders();
  for (core::SymbolId s = 0; s < setup.symbols.size(); ++s) bt.symbols.push_back(setup.symbols.name(s));
  bt.refusals = run.refusals();
  bt.stuck_accounts = run.stuck_accounts();
  const fleet::DeskCounters counters = run.counters();
  bt.harvests = counters.harvests;
  bt.switches_back = counters.switches_back;
  bt.rebalances_held = counters.rebalances_held;
  return bt;
}

void compare(FleetGroup& with, const FleetGroup& without) {
  with.without_harvest = without.after_tax;
  with.tax_alpha = with.after_tax.annualised_return - without.after_tax.annualised_return;
  with.tax_alpha_liquidated =
      with.after_tax.liquidation_annualised_return - without.after_tax.liquidation_annualised_return;
}

FleetBacktestRun run(const FleetSetup& setup, const feeds::PriceTable& prices, double risk_free_rate) {
  FleetBacktestRun result;
  std::vector<std::size_t> column_of_symbol;
  result.errors = check_inputs(setup, prices, column_of_symbol);
  if (!result.errors.empty()) return result;
  FleetBacktest bt = run_rows(setup, prices, column_of_symbol, risk_free_rate, true);
  if (setup.without_harvest) {
    // The same models interned in the same order: the same symbol ids, so the same columns.
    const FleetBacktest plain = run_rows(*setup.without_harvest, prices, column_of_symbol, risk_free_rate, false);
    for (std::size_t m = 0; m < bt.models.size(); ++m) compare(bt.models[m], plain.models[m]);
    compare(bt.fleet, plain.fleet);
    bt.compared = true;
  }
  result.fleet = std::move(bt);
  return result;
}

void write_costs(core::JsonWriter& w, const fleet::CostTally& c, long long orders) {
  w.begin_object();
  w.field("commission", c.commission).field("spread", c.spread).field("slippage", c.slippage);
  w.field("impact", c.impact).field("total", c.total());
  w.field("orders", orders);
  w.end_object();
}

void write_terms(core::JsonWriter& w, std::string_view key, double short_term, double long_term) {
  w.key(key).begin_object().field("short_term", short_term).field("long_term", long_term).end_object();
}

void write_after_tax(core::JsonWriter& w, const AfterTax& a) {
  w.field("after_tax_value", a.value).field("after_tax_liquidation_value", a.liquidation_value);
  w.field("after_tax_annualised_return", a.annualised_return);
  w.field("after_tax_liquidation_annualised_return", a.liquidation_annualised_return);
}

void write_taxes(core::JsonWriter& w, const FleetGroup& g) {
  const FleetTax& t = g.tax;
  w.key("tax_rates");
  if (t.rates) {
    w.begin_object().field("short_term", t.rates->short_term).field("long_term", t.rates->long_term).end_object();
  } else {
    w.null();
  }
  write_terms(w, "realised_gains", t.realised_short_term, t.realised_long_term);
  w.field("tax_paid", t.tax_paid);
  write_terms(w, "unrealised_gains", t.unrealised_short_term, t.unrealised_long_term);
  w.field("liquidation_tax", t.liquidation_tax);
  write_after_tax(w, g.after_tax);
  w.key("without_harvesting");
  if (g.without_harvest) {
    const AfterTax& b = *g.without_harvest;
    w.begin_object().field("final_value", b.final_value).field("tax_paid", b.tax_paid);
    w.field("liquidation_tax", b.liquidation_tax);
    write_after_tax(w, b);
    w.end_object();
  } else {
    w.null();
  }
  w.field("tax_alpha", g.tax_alpha).field("tax_alpha_liquidated", g.tax_alpha_liquidated);
}

void write_group(core::JsonWriter& w, const FleetGroup& g) {
  w.field("id", g.id).field("accounts", g.accounts);
  const FleetTally& t = g.tally;
  w.field("rebalances", t.rebalances).field("block_orders", t.block_orders).field("allocations", t.allocations);
  w.field("traded_value", t.traded_value);
  w.key("costs").begin_object();
  const auto blocks = static_cast<long long>(t.blocks.tickets);
  const auto separate = static_cast<long long>(t.separate.tickets);
  w.key("blocks");
  write_costs(w, t.blocks, blocks);
  w.key("separate");
  write_costs(w, t.separate, separate);
  w.key("saving");
  write_costs(w, t.saving(), separate - blocks);
  w.end_object();
  w.field("start_value", g.start_value).field("final_value", g.final_value);
  w.field("final_value_after_costs", g.final_value - t.blocks.total());
  w.field("total_return", g.stats.total_return)
      .field("annualised_return", g.stats.annualised_return)
      .field("annualised_volatility", g.stats.annualised_volatility)
      .field("sharpe_ratio", g.stats.sharpe_ratio)
      .field("max_drawdown", g.stats.drawdown.max);
  write_taxes(w, g);
  const FleetDrift& d = g.drift;
  w.key("drift").begin_object();
  w.field("accounts", d.accounts).field("breaching", d.breaching);
  w.field("max_abs_drift", d.max_abs_drift).field("mean_abs_drift", d.mean_abs_drift);
  w.key("histogram").begin_array();
  for (std::size_t b = 0; b < d.histogram.counts.size(); ++b) {
    w.begin_object();
    w.field("from", b == 0 ? 0.0 : fleet::DriftHistogram::kEdges[b - 1]);
    w.key("to");
    if (b < fleet::DriftHistogram::kEdges.size()) w.value(fleet::DriftHistogram::kEdges[b]);
    else w.null();
    w.field("accounts", d.histogram.counts[b]).end_object();
  }
  w.end_array();
  w.end_object();
}

}  // namespace

FleetBacktestRun run_fleet_backtest(const FleetSetup& setup, const feeds::PriceTable& prices, double risk_free_rate) {
  try {
    return run(setup, prices, risk_free_rate);
  } catch (const std::exception& e) {
    // Only allocation can throw here.
    FleetBacktestRun failed;
    failed.errors.push_back(std::string("fleet backtest: ") + e.what());
    return failed;
  }
}

void write_fleet_json(core::JsonWriter& w, const FleetBacktest& f, double risk_free_rate) {
  const bool empty = f.times.empty();
  w.begin_object();
  w.key("start");
  empty ? w.null() : w.value(core::format_iso8601(f.times.front()));
  w.key("end");
  empty ? w.null() : w.value(core::format_iso8601(f.times.back()));
  w.field("rows", f.times.size());
  w.field("window_seconds", static_cast<double>(f.window) / static_cast<double>(core::kNanosPerSecond));
  w.field("risk_free_rate", risk_free_rate);
  write_group(w, f.fleet);
  w.field("refused_trades", f.refusals).field("stuck_accounts", f.stuck_accounts);
  w.field("harvests", f.harvests).field("switches_back", f.switches_back);
  w.field("rebalances_held", f.rebalances_held);
  w.key("value_series").begin_array();
  for (std::size_t i = 0; i < f.times.size(); ++i) {
    w.begin_object().field("time", core::format_iso8601(f.times[i])).field("value", f.fleet.values[i]).end_object();
  }
  w.end_array();
  w.key("models").begin_array();
  for (const FleetGroup& g : f.models) {
    w.begin_object();
    write_group(w, g);
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

void append_fleet_orders_csv(std::string& out, const FleetBacktest& f) {
  for (const fleet::DeskOrder& o : f.orders) {
    core::Order order;
    order.order_id = o.order_id;
    order.portfolio = core::kBlockOrderPortfolio;
    order.symbol = f.symbols[o.block.symbol];
    order.side = o.block.side;
    order.quantity = o.block.quantity();
    order.reference_price = o.block.reference_price;
    order.reason = "threshold";
    order.created_at = o.created_at;
    append_order_csv(out, order);
  }
}

std::string fleet_table(const FleetBacktest& f) {
  std::vector<const FleetGroup*> groups;
  for (const FleetGroup& g : f.models) groups.push_back(&g);
  groups.push_back(&f.fleet);
  std::vector<std::pair<std::string, std::vector<std::string>>> rows;
  auto add = [&](std::string label, auto cell) {
    std::vector<std::string> cells;
    for (const FleetGroup* g : groups) cells.push_back(cell(*g));
    rows.emplace_back(std::move(label), std::move(cells));
  };
  using G = const FleetGroup&;
  add("model", [](G g) { return g.id; });
  add("accounts", [](G g) { return std::to_string(g.accounts); });
  add("start value", [](G g) { return fixed_text(g.start_value, 2); });
  add("final value", [](G g) { return fixed_text(g.final_value, 2); });
  add("total return", [](G g) { return percent_text(g.stats.total_return); });
  add("annualised volatility", [](G g) { return percent_text(g.stats.annualised_volatility); });
  add("max drawdown", [](G g) { return percent_text(g.stats.drawdown.max); });
  add("rebalances", [](G g) { return std::to_string(g.tally.rebalances); });
  add("block orders", [](G g) { return std::to_string(g.tally.block_orders); });
  add("allocations", [](G g) { return std::to_string(g.tally.allocations); });
  add("traded value", [](G g) { return fixed_text(g.tally.traded_value, 2); });
  add("costs as blocks", [](G g) { return fixed_text(g.tally.blocks.total(), 2); });
  add("costs alone", [](G g) { return fixed_text(g.tally.separate.total(), 2); });
  add("block saving", [](G g) { return fixed_text(g.tally.saving().total(), 2); });
  add("breaching at the end", [](G g) { return std::to_string(g.drift.breaching); });
  add("max drift at the end", [](G g) { return percent_text(g.drift.max_abs_drift); });
  add("tax rates short/long", [&f](G g) {
    if (&g == &f.fleet) return std::string("each model's");
    return g.tax.rates ? percent_text(g.tax.rates->short_term) + " / " + percent_text(g.tax.rates->long_term)
                       : std::string("none: no tax");
  });
  add("realised short-term", [](G g) { return fixed_text(g.tax.realised_short_term, 2); });
  add("realised long-term", [](G g) { return fixed_text(g.tax.realised_long_term, 2); });
  add("tax paid", [](G g) { return fixed_text(g.tax.tax_paid, 2); });
  add("liquidation tax", [](G g) { return fixed_text(g.tax.liquidation_tax, 2); });
  add("after-tax value", [](G g) { return fixed_text(g.after_tax.value, 2); });
  add("after-tax liquidation value", [](G g) { return fixed_text(g.after_tax.liquidation_value, 2); });
  if (f.compared) {
    add("tax alpha", [](G g) { return percent_text(g.tax_alpha); });
    add("tax alpha liquidated", [](G g) { return percent_text(g.tax_alpha_liquidated); });
  }

  std::size_t label_width = 0;
  std::vector<std::size_t> widths(groups.size(), 0);
  for (const auto& [label, cells] : rows) {
    label_width = std::max(label_width, label.size());
    for (std::size_t c = 0; c < cells.size(); ++c) widths[c] = std::max(widths[c], cells[c].size());
  }
  std::string out;
  for (const auto& [label, cells] : rows) {
    out += label + std::string(label_width - label.size(), ' ');
    for (std::size_t c = 0; c < cells.size(); ++c) out += "  " + std::string(widths[c] - cells[c].size(), ' ') + cells[c];
    out += '\n';
  }
  if (f.refusals > 0 || f.stuck_accounts > 0) {
    out += std::to_string(f.refusals) + " trades left out of a block, " + std::to_string(f.stuck_accounts) +
           " accounts stuck\n";
  }
  out += "taxes are reported, not taken from the values; a net loss's tax is negative (a benefit against other "
         "income)\n";
  if (f.rebalances_held > 0) {
    out += "band rebalances held by a dynamic trigger (benefit below cost, tax included): " +
           std::to_string(f.rebalances_held) + "\n";
  }
  if (f.compared) {
    out += std::to_string(f.harvests) + " harvests, " + std::to_string(f.switches_back) +
           " switches back; tax alpha: annualised after-tax return minus that of the same run without harvesting\n";
  }
  return out;
}

}  // namespace ballast::offline
