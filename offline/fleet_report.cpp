#include "offline/fleet_report.hpp"

#include <vector>

#include "offline/metrics.hpp"
#include "offline/report_html.hpp"
#include "offline/svg_chart.hpp"

namespace ballast::offline {
namespace {

constexpr const char* kFleetColor = "#222";

std::string cell(const std::string& text) { return "<td>" + text + "</td>"; }

std::string group_row(const FleetGroup& g) {
  const FleetTally& t = g.tally;
  return "<tr><td>" + html_escape(g.id) + "</td>" + cell(std::to_string(g.accounts)) +
         cell(report_money(g.start_value)) + cell(report_money(g.final_value)) +
         cell(report_percent(g.stats.total_return)) + cell(report_percent(g.stats.annualised_volatility)) +
         cell(report_percent(g.stats.drawdown.max)) + cell(std::to_string(t.rebalances)) +
         cell(std::to_string(t.block_orders)) + cell(std::to_string(t.allocations)) +
         cell(report_money(t.traded_value)) + cell(report_money(t.blocks.total())) +
         cell(report_money(t.separate.total())) + cell(report_money(t.saving().total())) +
         cell(std::to_string(g.drift.breaching)) + cell(report_percent(g.drift.max_abs_drift)) + "</tr>";
}

std::string rates_cell(const FleetTax& t) {
  if (!t.rates) return cell("none");
  return cell(report_percent(t.rates->short_term, 1) + " / " + report_percent(t.rates->long_term, 1));
}

std::string tax_row(const FleetGroup& g, bool is_fleet) {
  const FleetTax& t = g.tax;
  std::string row = "<tr><td>" + html_escape(g.id) + "</td>" + (is_fleet ? cell("each model's") : rates_cell(t)) +
                    cell(report_money(t.realised_short_term)) + cell(report_money(t.realised_long_term)) +
                    cell(report_money(t.tax_paid)) + cell(report_money(t.liquidation_tax)) +
                    cell(report_money(g.after_tax.value)) + cell(report_money(g.after_tax.liquidation_value));
  if (g.without_harvest) {
    row += cell(report_signed_percent(g.tax_alpha, 2)) + cell(report_signed_percent(g.tax_alpha_liquidated, 2));
  }
  return row + "</tr>";
}

}  // namespace

std::string fleet_report_section(const FleetBacktest& f) {
  std::string out = "<h2 id=\"fleet\">Fleet</h2>";
  out += "<p class=\"note\">" + std::to_string(f.fleet.accounts) + " accounts on " + std::to_string(f.models.size()) +
         " models, decided by the daemon's fleet desk with a decision window of " +
         report_fixed(static_cast<double>(f.window) / static_cast<double>(core::kNanosPerSecond), 3) +
         " s; block orders booked at their reference price. Costs are the cost model's estimates for the same "
         "trades sent as block orders and as one order per account; they are not booked into the values.</p>";
  out += "<div class=\"scroll\"><table><tr><th>model</th><th>accounts</th><th>start</th><th>final</th>"
         "<th>return</th><th>vol.</th><th>max DD</th><th>rebal.</th><th>blocks</th><th>alloc.</th><th>traded</th>"
         "<th>costs as blocks</th><th>costs alone</th><th>saving</th><th>breaching</th><th>max drift</th></tr>";
  for (const FleetGroup& g : f.models) out += group_row(g);
  out += group_row(f.fleet) + "</table></div>";
  out += "<h3>Taxes</h3><p class=\"note\">Realised gains as reported (a loss a wash sale disallows counts for "
         "nothing), taxed at each model's short- and long-term rates; a net loss is a negative tax, a benefit "
         "against other income. The liquidation tax is that of every lot at the last prices. Taxes are not taken "
         "out of the values above.";
  if (f.compared) {
    out += " Tax alpha: the annual after-tax return minus that of the same run without harvesting (" +
           std::to_string(f.harvests) + " harvests, " + std::to_string(f.switches_back) + " switches back).";
  }
  out += "</p><div class=\"scroll\"><table><tr><th>model</th><th>rates short / long</th><th>realised short</th>"
         "<th>realised long</th><th>tax paid</th><th>liquidation tax</th><th>after tax</th>"
         "<th>after tax, liquidated</th>";
  if (f.compared) out += "<th>tax alpha</th><th>tax alpha, liquidated</th>";
  out += "</tr>";
  for (const FleetGroup& g : f.models) out += tax_row(g, false);
  out += tax_row(f.fleet, true) + "</table></div>";
  if (f.times.empty()) return out + "<p class=\"note\">The desk never started: no row priced every symbol.</p>";

  TimeChart value;
  value.y_title = "value";
  value.label = "Value of the fleet and of each model's accounts";
  value.lines.push_back({"fleet", kFleetColor, f.fleet.values, false, 1.8});
  for (std::size_t m = 0; m < f.models.size(); ++m) {
    value.lines.push_back({f.models[m].id, report_color(m), f.models[m].values, false, 1.2});
  }
  out += "<h3>Value</h3>" + time_chart_html(f.times, value);
  TimeChart dd;
  dd.height = 170;
  dd.format = ValueFormat::percent;
  dd.y_title = "drawdown";
  dd.label = "Drawdown of the fleet's value";
  dd.include_zero = true;
  std::vector<double> falls = drawdown_series(f.fleet.values);
  for (double& d : falls) d = -d;
  dd.lines.push_back({"fleet", kFleetColor, std::move(falls), false, 1.4});
  out += "<h3>Drawdown</h3>" + time_chart_html(f.times, dd);
  return out;
}

}  // namespace ballast::offline
