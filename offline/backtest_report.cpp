#include "offline/backtest_report.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <utility>
#include <variant>
#include <vector>

#include "offline/fleet_report.hpp"
#include "offline/metrics.hpp"
#include "offline/report_html.hpp"
#include "offline/svg_chart.hpp"

namespace ballast::offline {
namespace {

// Rebalance rows listed in full up to this many; beyond it, the first and last halves.
constexpr std::size_t kMaxRebalanceRows = 300;
// Two charts side by side.
constexpr double kHalfWidth = (kReportContentWidth - 16) / 2.0;

constexpr const char* kBuyAndHoldColor = "#222";
constexpr const char* kConstantMixColor = "#999";

/// The cost model's components, in the order the tables and bars show them.
struct Component {
  const char* name;
  const char* color;
  double PortfolioBacktest::*total;
};
constexpr Component kComponents[] = {{"commission", "#4e79a7", &PortfolioBacktest::commission},
                                     {"spread", "#f28e2b", &PortfolioBacktest::spread},
                                     {"slippage", "#59a14f", &PortfolioBacktest::slippage},
                                     {"impact", "#b07aa1", &PortfolioBacktest::impact}};

constexpr const char* kExtraStyle =
    R"(.grid{display:grid;grid-template-columns:repeat(2,1fr);gap:4px 16px}
i.swatch{display:inline-block;width:10px;height:10px;margin-right:6px;border-radius:2px}
table.months td,table.months th{padding:3px 5px;min-width:44px}table.months td.year{font-weight:600}
table.months th.sep,table.months td.sep{border-left:2px solid #ddd})";

std::string swatch(const std::string& color) { return "<i class=\"swatch\" style=\"background:" + color + "\"></i>"; }

std::string row(std::initializer_list<std::string> cells, bool header = false) {
  std::string out = "<tr>";
  for (const auto& c : cells) out += (header ? "<th>" : "<td>") + c + (header ? "</th>" : "</td>");
  return out + "</tr>";
}

std::string anchor(std::size_t index) { return "p" + std::to_string(index); }

std::string note(std::string_view text) { return "<p class=\"note\">" + std::string(text) + "</p>"; }

// ------------------------------------------------------------ the policy in words

const strategies::ThresholdTrigger* first_threshold(const strategies::PortfolioSpec& spec) {
  for (const auto& t : spec.triggers) {
    if (const auto* th = std::get_if<strategies::ThresholdTrigger>(&t)) return th;
  }
  return nullptr;
}

std::string describe_triggers(const strategies::PortfolioSpec& spec) {
  std::string out;
  for (const auto& t : spec.triggers) {
    if (!out.empty()) out += "; ";
    if (const auto* th = std::get_if<strategies::ThresholdTrigger>(&t)) {
      out += "threshold";
      if (th->absolute) out += " absolute " + report_percent(*th->absolute);
      if (th->relative) out += " relative " + report_percent(*th->relative, 0) + " of target";
      if (th->total) out += " total " + report_percent(*th->total);
    } else if (const auto* cal = std::get_if<strategies::CalendarTrigger>(&t)) {
      out += "calendar every " + core::format_period(cal->every);
    } else if (const auto* vol = std::get_if<strategies::VolatilityTrigger>(&t)) {
      out += "volatility";
      if (vol->change) out += " change " + report_percent(*vol->change, 0);
      if (vol->min) out += " min " + report_percent(*vol->min);
      if (vol->max) out += " max " + report_percent(*vol->max);
    } else if (const auto* dyn = std::get_if<strategies::DynamicTrigger>(&t)) {
      out += "dynamic (risk aversion " + report_fixed(dyn->risk_aversion, 2) + ", " + report_fixed(dyn->cost_bps, 1) +
             " bps)";
    }
  }
  return out.empty() ? "none" : out;
}

/// "12.30 (commission 8.10, spread 4.20)": the components that are not zero.
std::string costs_in_words(const PortfolioBacktest& p) {
  std::string parts;
  for (const auto& c : kComponents) {
    if (p.*c.total == 0) continue;
    parts += (parts.empty() ? "" : ", ") + std::string(c.name) + " " + report_money(p.*c.total);
  }
  return report_money(p.costs) + (parts.empty() ? "" : " (" + parts + ")");
}

// ------------------------------------------------------------ overview

std::string overview_table(const BacktestRun& run) {
  std::string out = "<div class=\"scroll\"><table>" +
                    row({"portfolio", "final value", "return", "vs buy-and-hold", "annualised", "volatility", "Sharpe",
                         "max drawdown", "rebalances", "turnover", "costs"},
                        true);
  for (std::size_t i = 0; i < run.portfolios.size(); ++i) {
    const auto& p = run.portfolios[i];
    const double vs = p.buy_and_hold.empty() || !(p.buy_and_hold.back() > 0)
                          ? std::nan("")
                          : p.final_value / p.buy_and_hold.back() - 1;
    out += row({swatch(report_color(i)) + "<a href=\"#" + anchor(i) + "\">" + html_escape(p.spec.id) + "</a>",
                report_money(p.final_value), report_percent(p.stats.total_return), report_signed_percent(vs, 2),
                report_percent(p.stats.annualised_return), report_percent(p.stats.annualised_volatility),
                report_fixed(p.stats.sharpe_ratio, 2), report_percent(p.stats.drawdown.max),
                std::to_string(p.rebalances.size()), report_percent(p.turnover), report_money(p.costs)});
  }
  return out + "</table></div>";
}

/// Every portfolio's value relative to its own buy-and-hold: lines that a
/// chart of values would draw on top of each other come apart.
std::string relative_chart(const BacktestRun& run) {
  // Portfolios may start on different rows: the chart runs over the longest series.
  std::size_t longest = 0;
  for (std::size_t i = 1; i < run.portfolios.size(); ++i) {
    if (run.portfolios[i].times.size() > run.portfolios[longest].times.size()) longest = i;
  }
  const auto& times = run.portfolios[longest].times;
  TimeChart c;
  c.height = 280;
  c.format = ValueFormat::signed_percent;
  c.y_title = "value vs buy-and-hold";
  c.label = "Value of every portfolio relative to buy-and-hold of its starting portfolio";
  c.include_zero = true;
  c.levels.push_back({0, "buy and hold", "#555"});
  for (std::size_t i = 0; i < run.portfolios.size(); ++i) {
    const auto& p = run.portfolios[i];
    const std::vector<double> rel = relative_to(measured_values(p), p.buy_and_hold);
    // Aligned on the longest series' rows; NaN before this one starts.
    std::vector<double> y(times.size(), std::nan(""));
    const std::size_t offset = times.size() - rel.size();
    std::copy(rel.begin(), rel.end(), y.begin() + static_cast<std::ptrdiff_t>(offset));
    c.lines.push_back({p.spec.id, report_color(i), std::move(y), false, 1.6});
  }
  return time_chart_html(times, c) +
         note("Each portfolio's value divided by what its starting holdings would be worth untraded (buy-and-hold) "
              "over the same prices, less one: above zero it did better than never trading, costs included. "
              "Measured from the value before the first row's trades.");
}

/// One horizontal bar per portfolio, split by cost component, on one scale.
std::string cost_bars(const BacktestRun& run) {
  double top = 0, label_width = 0;
  for (const auto& p : run.portfolios) {
    top = std::max(top, p.costs);
    label_width = std::max(label_width, text_width(p.spec.id));
  }
  PlotFrame f;
  const double bar = 18, gap = 10;
  f.left = std::max(60.0, label_width + 16);
  f.right = 90;  // the totals go past the longest bar
  f.top = 8;
  f.bottom = 34;
  f.height = f.top + f.bottom + static_cast<double>(run.portfolios.size()) * (bar + gap);
  f.x = nice_scale(0, top, 6);
  f.x.lo = 0;
  f.y.lo = 0;
  f.y.hi = 1;
  std::vector<AxisTick> x_ticks;
  for (const double t : f.x.ticks) x_ticks.push_back({t, report_money(t, decimals_for(f.x.step))});
  std::string svg = svg_begin(f.width, f.height, "Costs by component, per portfolio");
  for (const double t : f.x.ticks) {
    svg += "<line x1=\"" + report_fixed(f.px(t), 1) + "\" x2=\"" + report_fixed(f.px(t), 1) + "\" y1=\"" +
           report_fixed(f.top, 1) + "\" y2=\"" + report_fixed(f.plot_bottom(), 1) + "\" stroke=\"#eee\"/>";
  }
  svg += svg_axes(f, x_ticks, {}, "cost, in the prices' currency", "");
  for (std::size_t i = 0; i < run.portfolios.size(); ++i) {
    const auto& p = run.portfolios[i];
    const double y = f.top + gap / 2 + static_cast<double>(i) * (bar + gap);
    svg += "<text x=\"" + report_fixed(f.left - 8, 1) + "\" y=\"" + report_fixed(y + bar / 2 + 4, 1) +
           "\" text-anchor=\"end\">" + html_escape(p.spec.id) + "</text>";
    double at = 0;
    for (const auto& c : kComponents) {
      const double v = p.*c.total;
      if (!(v > 0)) continue;
      svg += "<rect x=\"" + report_fixed(f.px(at), 1) + "\" y=\"" + report_fixed(y, 1) + "\" width=\"" +
             report_fixed(std::max(f.px(at + v) - f.px(at), 0.5), 1) + "\" height=\"" + report_fixed(bar, 1) +
             "\" fill=\"" + c.color + "\"><title>" + html_escape(p.spec.id) + ": " + c.name + " " +
             report_money(v) + "</title></rect>";
      at += v;
    }
    svg += "<text x=\"" + report_fixed(f.px(p.costs) + 6, 1) + "\" y=\"" + report_fixed(y + bar / 2 + 4, 1) + "\">" +
           report_money(p.costs) + "</text>";
  }
  svg += "</svg>";
  std::vector<LegendEntry> legend;
  for (const auto& c : kComponents) legend.push_back({c.name, c.color, Swatch::box});
  return legend_html(legend) + svg;
}

std::string cost_section(const BacktestRun& run) {
  std::string out = "<h3>Costs by component</h3>";
  out += "<div class=\"scroll\"><table>" +
         row({"portfolio", "commission", "spread", "slippage", "impact", "total", "of traded value", "traded value"},
             true);
  bool any = false;
  for (std::size_t i = 0; i < run.portfolios.size(); ++i) {
    const auto& p = run.portfolios[i];
    any = any || p.costs > 0;
    const double bps = p.traded_value > 0 ? p.costs / p.traded_value * 1e4 : std::nan("");
    out += row({swatch(report_color(i)) + html_escape(p.spec.id), report_money(p.commission), report_money(p.spread),
                report_money(p.slippage), report_money(p.impact), report_money(p.costs),
                std::isfinite(bps) ? report_fixed(bps, 1) + " bps" : "–", report_money(p.traded_value)});
  }
  out += "</table></div>";
  if (!any) return out + note("No portfolio paid costs: none has a cost model, or none traded.");
  return out + cost_bars(run) +
         note("What the engine's cost model estimated for each rebalance, summed: commission beside the price; half "
              "the spread, slippage and market impact in the fill price. Totals in the prices' currency.");
}

/// Calendar-year returns of every portfolio, side by side.
std::string yearly_table(const BacktestRun& run) {
  std::vector<std::map<int, double>> years(run.portfolios.size());
  std::set<int> all;
  for (std::size_t i = 0; i < run.portfolios.size(); ++i) {
    const auto& p = run.portfolios[i];
    for (const auto& y : calendar_returns(p.times, measured_values(p), CalendarPeriod::year)) {
      years[i][y.year] = y.value;
      all.insert(y.year);
    }
  }
  std::string out = "<h3>Calendar-year returns</h3><div class=\"scroll\"><table><tr><th>portfolio</th>";
  for (const int y : all) out += "<th>" + std::to_string(y) + "</th>";
  out += "<th>whole run</th></tr>";
  for (std::size_t i = 0; i < run.portfolios.size(); ++i) {
    const auto& p = run.portfolios[i];
    out += "<tr><td>" + swatch(report_color(i)) + html_escape(p.spec.id) + "</td>";
    for (const int y : all) {
      const auto it = years[i].find(y);
      out += "<td>" + (it == years[i].end() ? std::string() : report_signed_percent(it->second, 2)) + "</td>";
    }
    out += "<td>" + report_signed_percent(p.stats.total_return, 2) + "</td></tr>";
  }
  return out + "</table></div>" +
         note("From the last value of the year before (the value before the first row's trades, in the first "
              "year) to the last value in the year; the first and last years cover only the rows in the data.");
}

// ------------------------------------------------------------ one portfolio

std::string summary_table(const PortfolioBacktest& p, double risk_free_rate) {
  std::string out = "<table>";
  auto add = [&](const std::string& label, const std::string& value) {
    out += "<tr><td>" + html_escape(label) + "</td><td>" + html_escape(value) + "</td></tr>";
  };
  add("period", p.times.empty() ? "–" : report_date(p.times.front()) + " to " + report_date(p.times.back()));
  add("rows", std::to_string(p.times.size()));
  add("model", std::string(strategies::to_string(p.spec.model.kind)) + " (" + p.model_state + ")");
  add("triggers", describe_triggers(p.spec));
  add("rebalance to", p.spec.rebalance_to == strategies::RebalanceTo::target ? "target" : "band edge");
  add("start value", report_money(p.start_value));
  add("final value", report_money(p.final_value));
  add("total return", report_percent(p.stats.total_return));
  add("annualised return", report_percent(p.stats.annualised_return));
  add("annualised volatility", report_percent(p.stats.annualised_volatility));
  add("Sharpe ratio (risk-free " + report_percent(risk_free_rate) + ")", report_fixed(p.stats.sharpe_ratio, 2));
  add("max drawdown", report_percent(p.stats.drawdown.max) +
                          (p.times.empty() ? "" : " (" + report_date(p.times[p.stats.drawdown.peak]) + " to " +
                                                      report_date(p.times[p.stats.drawdown.trough]) + ")"));
  add("buy-and-hold: final value, return, max drawdown",
      p.buy_and_hold.empty() ? "–"
                             : report_money(p.buy_and_hold.back()) + ", " +
                                   report_percent(p.buy_and_hold_stats.total_return) + ", " +
                                   report_percent(p.buy_and_hold_stats.drawdown.max));
  add("constant mix: final value", p.constant_mix.empty() ? "–" : report_money(p.constant_mix.back()));
  add("tracking error against the constant mix", report_percent(p.tracking_error));
  add("rebalances / orders", std::to_string(p.rebalances.size()) + " / " + std::to_string(p.orders.size()));
  add("traded value", report_money(p.traded_value));
  add("turnover (traded / average value)", report_percent(p.turnover));
  add("costs", costs_in_words(p));
  add("largest drift", report_percent(p.max_abs_drift));
  out += "</table>";
  // Targets at the end against the configured ones.
  out += "<table>" + row({"symbol", "configured target", "final target", "final weight", "final quantity"}, true);
  const std::size_t n = p.symbols.size();
  for (std::size_t i = 0; i < n; ++i) {
    const double w = p.times.empty() ? 0.0 : p.weights[(p.times.size() - 1) * n + i];
    out += row({html_escape(p.symbols[i]), report_percent(p.spec.assets[i].target), report_percent(p.final_targets[i]),
                report_percent(w), report_fixed(p.final_quantities[i], 4)});
  }
  const double cash_w = p.times.empty() || !(p.final_value > 0) ? 0.0 : p.final_cash / p.final_value;
  out += row({"cash", report_percent(p.spec.cash_target), report_percent(p.final_cash_target), report_percent(cash_w),
              report_money(p.final_cash)});
  return out + "</table>";
}

std::string value_charts(const PortfolioBacktest& p, const std::string& color, const std::vector<core::TimeNs>& marks) {
  std::string out = "<h3>Value</h3>";
  TimeChart value;
  value.y_title = "value";
  value.label = "Value of " + p.spec.id + " against buy-and-hold and the constant mix";
  value.lines.push_back({"portfolio", color, p.values, false, 1.8});
  value.lines.push_back({"buy and hold", kBuyAndHoldColor, p.buy_and_hold, false, 1.0});
  value.lines.push_back({"constant mix of the targets (no costs)", kConstantMixColor, p.constant_mix, true, 1.2});
  value.marks = marks;
  out += time_chart_html(p.times, value);
  TimeChart rel;
  rel.height = 170;
  rel.format = ValueFormat::signed_percent;
  rel.y_title = "vs buy-and-hold";
  rel.label = "Value of " + p.spec.id + " and of the constant mix relative to buy-and-hold";
  rel.include_zero = true;
  rel.levels.push_back({0, "buy and hold", "#555"});
  rel.lines.push_back({"portfolio", color, relative_to(measured_values(p), p.buy_and_hold), false, 1.6});
  rel.lines.push_back({"constant mix", kConstantMixColor, relative_to(p.constant_mix, p.buy_and_hold), true, 1.2});
  out += time_chart_html(p.times, rel);
  if (!marks.empty() && marks.size() <= kMaxMarks) {
    out += note("Below: the same two relative to buy-and-hold (v / buy-and-hold − 1). Ticks on the time axis: "
                "rebalances.");
  } else {
    out += note("Below: the same two relative to buy-and-hold (v / buy-and-hold − 1).");
  }
  return out;
}

std::string drawdown_chart(const PortfolioBacktest& p, const std::string& color) {
  TimeChart c;
  c.height = 190;
  c.format = ValueFormat::percent;
  c.y_title = "below peak";
  c.label = "Drawdown of " + p.spec.id + " and of buy-and-hold";
  c.include_zero = true;
  std::vector<double> dd = drawdown_series(measured_values(p));
  std::vector<double> bh = drawdown_series(p.buy_and_hold);
  for (double& v : dd) v = -v;
  for (double& v : bh) v = -v;
  c.bands.push_back({"", color, dd, std::vector<double>(dd.size(), 0.0), 0.15});
  c.lines.push_back({"portfolio", color, std::move(dd), false, 1.4});
  c.lines.push_back({"buy and hold", kBuyAndHoldColor, std::move(bh), true, 1.0});
  return "<h3>Drawdown</h3>" + time_chart_html(p.times, c) +
         note("How far the value is below its highest point so far. Deepest: " + report_percent(p.stats.drawdown.max) +
              "; buy-and-hold's " + report_percent(p.buy_and_hold_stats.drawdown.max) + ".");
}

std::string weight_charts(const PortfolioBacktest& p) {
  const std::size_t n = p.symbols.size();
  const std::size_t rows = p.times.size();
  const strategies::ThresholdTrigger* bands = first_threshold(p.spec);
  std::string out = "<h3>Weights</h3>";
  out += note(std::string(bands ? "Shaded: target ± the band of the threshold trigger. "
                                 : "No threshold trigger: no bands. ") +
              "Each chart is zoomed to its target and band, or to the weights seen when they range wider.");
  out += "<div class=\"grid\">";
  for (std::size_t i = 0; i < n; ++i) {
    TimeChart c;
    c.width = kHalfWidth;
    c.height = 170;
    c.format = ValueFormat::percent;
    c.y_padding = 0.1;
    c.label = "Weight of " + p.symbols[i] + " in " + p.spec.id;
    ChartLine weight{p.symbols[i], report_color(i), {}, false, 1.5};
    ChartLine target{"target", "#444", {}, true, 1.0};
    ChartBand band{"band", report_color(i), {}, {}, 0.18};
    for (std::size_t r = 0; r < rows; ++r) {
      const double t = p.targets[r * n + i];
      weight.y.push_back(p.weights[r * n + i]);
      target.y.push_back(t);
      if (bands) {
        const auto h = band_half_width(*bands, t);
        band.lo.push_back(h ? std::max(0.0, t - *h) : std::nan(""));
        band.hi.push_back(h ? t + *h : std::nan(""));
      }
    }
    c.lines.push_back(std::move(weight));
    c.lines.push_back(std::move(target));
    if (bands) c.bands.push_back(std::move(band));
    out += "<div>" + time_chart_html(p.times, c) + "</div>";
  }
  return out + "</div>";
}

std::string drift_chart(const PortfolioBacktest& p, const std::string& color) {
  const strategies::ThresholdTrigger* bands = first_threshold(p.spec);
  TimeChart c;
  c.format = ValueFormat::percent;
  c.include_zero = true;
  c.height = 190;
  c.y_title = "max |w − t|";
  c.label = "Largest drift of " + p.spec.id;
  c.lines.push_back({"max |w − t|", color, p.drift, false, 1.2});
  if (bands && bands->absolute) {
    c.levels.push_back({*bands->absolute, "absolute band " + report_percent(*bands->absolute)});
  }
  c.legend = false;
  return "<h3>Drift</h3>" + time_chart_html(p.times, c) +
         note("Largest |weight − target| at each row's prices, before its trades: what the triggers saw.");
}

/// A background for a return: green above zero, red below, stronger the larger against `scale`.
std::string heat(double v, double scale) {
  if (!std::isfinite(v) || v == 0 || !(scale > 0)) return "";
  const double a = 0.06 + 0.34 * std::min(1.0, std::abs(v) / scale);
  return " style=\"background:rgba(" + std::string(v > 0 ? "44,160,44," : "214,39,40,") + report_fixed(a, 2) + ")\"";
}

std::string period_table(const PortfolioBacktest& p) {
  const std::vector<double> measured = measured_values(p);
  const auto months = calendar_returns(p.times, measured, CalendarPeriod::month);
  const auto years = calendar_returns(p.times, measured, CalendarPeriod::year);
  const auto bh_years = calendar_returns(p.times, p.buy_and_hold, CalendarPeriod::year);
  std::map<std::pair<int, unsigned>, double> by_month;
  double scale = 0;
  for (const auto& m : months) {
    by_month[{m.year, m.month}] = m.value;
    if (std::isfinite(m.value)) scale = std::max(scale, std::abs(m.value));
  }
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::string out =
      "<h3>Monthly and yearly returns</h3><div class=\"scroll\"><table class=\"months\"><tr><th>year</th>";
  for (const char* m : kMonths) out += std::string("<th>") + m + "</th>";
  out += "<th class=\"sep\">year</th><th>buy and hold</th></tr>";
  for (std::size_t k = 0; k < years.size(); ++k) {
    const auto& y = years[k];
    out += "<tr><td>" + std::to_string(y.year) + "</td>";
    for (unsigned m = 1; m <= 12; ++m) {
      const auto it = by_month.find({y.year, m});
      if (it == by_month.end()) {
        out += "<td></td>";
        continue;
      }
      out += "<td" + heat(it->second, scale) + ">" + report_signed_percent(it->second, 1) + "</td>";
    }
    const double bh = k < bh_years.size() ? bh_years[k].value : std::nan("");
    out += "<td class=\"sep year\">" + report_signed_percent(y.value, 2) + "</td><td>" + report_signed_percent(bh, 2) +
           "</td></tr>";
  }
  return out + "</table></div>" +
         note("Each month and year from the last value before it to its last value; the first runs from the value "
              "before the first row's trades, and the first and last cover only the rows in the data.");
}

/// Traded value and cost of each rebalance as a share of the portfolio value,
/// as bars on the time axis; rebalances that share a pixel column add up.
std::string rebalance_bars(const PortfolioBacktest& p) {
  if (p.rebalances.empty() || p.times.empty()) return note("No rebalances.");
  PlotFrame f;
  f.height = 180;
  f.x.lo = static_cast<double>(p.times.front());
  f.x.hi = static_cast<double>(std::max(p.times.back(), p.times.front() + core::kNanosPerDay));
  const double plot = f.plot_right() - f.left;
  const auto columns = static_cast<std::size_t>(plot / 3) + 1;
  std::vector<double> traded(columns, 0.0), cost(columns, 0.0);
  for (const auto& r : p.rebalances) {
    if (!(r.value > 0)) continue;
    const auto col = std::min(columns - 1, static_cast<std::size_t>((f.px(static_cast<double>(r.at)) - f.left) / 3));
    traded[col] += r.traded_value / r.value;
    cost[col] += r.cost / r.value;
  }
  const double top = *std::max_element(traded.begin(), traded.end());
  f.y = nice_scale(0, top > 0 ? top : 0.01, 4);
  f.y.lo = 0;
  std::vector<AxisTick> x_ticks, y_ticks;
  for (const auto& [t, label] : calendar_ticks(p.times.front(), p.times.back(), static_cast<int>(plot / 80))) {
    x_ticks.push_back({static_cast<double>(t), label});
  }
  for (const double t : f.y.ticks) y_ticks.push_back({t, report_percent(t, decimals_for(100 * f.y.step))});
  std::string svg = svg_begin(f.width, f.height, "Turnover and costs of each rebalance of " + p.spec.id);
  svg += svg_axes(f, x_ticks, y_ticks, "", "of value");
  const double base = f.py(0);
  for (std::size_t col = 0; col < columns; ++col) {
    if (traded[col] <= 0 && cost[col] <= 0) continue;
    const double x = f.left + 3.0 * static_cast<double>(col);
    svg += "<rect x=\"" + report_fixed(x, 1) + "\" y=\"" + report_fixed(f.py(traded[col]), 1) +
           "\" width=\"2.4\" height=\"" + report_fixed(base - f.py(traded[col]), 1) + "\" fill=\"#1f77b4\"/>";
    if (cost[col] > 0) {
      svg += "<rect x=\"" + report_fixed(x, 1) + "\" y=\"" + report_fixed(f.py(cost[col]), 1) +
             "\" width=\"2.4\" height=\"" + report_fixed(base - f.py(cost[col]), 1) + "\" fill=\"#d62728\"/>";
    }
  }
  svg += "</svg>";
  return legend_html({{"traded value / portfolio value", "#1f77b4", Swatch::box},
                      {"cost / portfolio value", "#d62728", Swatch::box}}) +
         svg;
}

std::string rebalance_table(const PortfolioBacktest& p) {
  if (p.rebalances.empty()) return "";
  std::string out = "<div class=\"scroll\"><table><tr><th>date</th><th class=\"text\">reason</th><th "
                    "class=\"text\">why</th><th>value</th><th>traded</th><th>turnover</th><th>cost</th><th>drift "
                    "before</th><th>orders</th></tr>";
  const std::size_t n = p.rebalances.size();
  const std::size_t half = kMaxRebalanceRows / 2;
  for (std::size_t k = 0; k < n; ++k) {
    if (n > kMaxRebalanceRows && k == half) {
      out += "<tr><td class=\"text\" colspan=\"9\">… " + std::to_string(n - 2 * half) +
             " more rebalances (every one is in the orders CSV) …</td></tr>";
      k = n - half - 1;
      continue;
    }
    const auto& r = p.rebalances[k];
    out += "<tr><td>" + html_escape(report_date(r.at)) + "</td><td class=\"text\">" + html_escape(r.reason) +
           "</td><td class=\"text\">" + html_escape(r.detail) + "</td><td>" + report_money(r.value) + "</td><td>" +
           report_money(r.traded_value) + "</td><td>" + report_percent(r.value > 0 ? r.traded_value / r.value : 0.0) +
           "</td><td>" + report_money(r.cost) + "</td><td>" + report_percent(r.max_abs_drift) + "</td><td>" +
           std::to_string(r.orders) + "</td></tr>";
  }
  return out + "</table></div>";
}

std::string portfolio_section(const PortfolioBacktest& p, std::size_t index, double risk_free_rate) {
  const std::string color = report_color(index);
  std::string out = "<h2 id=\"" + anchor(index) + "\">Portfolio " + html_escape(p.spec.id) + "</h2>";
  out += summary_table(p, risk_free_rate);
  std::vector<core::TimeNs> marks;
  for (const auto& r : p.rebalances) marks.push_back(r.at);
  out += value_charts(p, color, marks);
  out += drawdown_chart(p, color);
  out += weight_charts(p);
  out += drift_chart(p, color);
  out += period_table(p);
  out += "<h3>Turnover and costs per rebalance</h3>";
  out += rebalance_bars(p);
  out += rebalance_table(p);
  return out;
}

}  // namespace

std::optional<double> band_half_width(const strategies::ThresholdTrigger& trigger, double target) {
  std::optional<double> h;
  if (trigger.absolute) h = *trigger.absolute;
  if (trigger.relative) h = std::min(h.value_or(*trigger.relative * target), *trigger.relative * target);
  return h;
}

std::string backtest_report_html(const BacktestRun& run, const ReportInfo& info, const FleetBacktest* fleet) {
  std::string out = report_page_start("Ballast backtest", kExtraStyle);
  out += "<h1>Ballast backtest</h1>";
  out += "<p class=\"meta\">Configuration " + html_escape(info.config_path) + ", prices " +
         html_escape(info.prices_path) + ", " + std::to_string(run.rows) + " rows. Orders fill at the row's price as the "
         "engine books them; returns are measured from the value before the first row's trades.</p>";
  if (!run.portfolios.empty()) {
    out += "<h2>Overview</h2>";
    if (run.portfolios.size() > 1) out += overview_table(run);
    out += "<h3>Against buy-and-hold</h3>" + relative_chart(run);
    out += cost_section(run);
    out += yearly_table(run);
  }
  for (std::size_t i = 0; i < run.portfolios.size(); ++i) {
    out += "\n" + portfolio_section(run.portfolios[i], i, info.risk_free_rate);
  }
  if (fleet) out += "\n" + fleet_report_section(*fleet);
  out += report_page_end();
  return out;
}

}  // namespace ballast::offline
