#include "offline/simulate_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string_view>
#include <vector>

#include "core/json_writer.hpp"
#include "offline/report_html.hpp"
#include "offline/svg_chart.hpp"

namespace ballast::offline {
namespace {

std::string printf_string(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

/// "1,234,567" (rounded to whole units); "n/a" when not finite.
std::string money(double v) {
  if (!std::isfinite(v)) return "n/a";
  const std::string digits = printf_string("%.0f", std::abs(v));
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (v < 0 && digits != "0" ? "-" : "") + out;
}

std::string percent(double fraction, const char* format = "%.2f%%") {
  return std::isfinite(fraction) ? printf_string(format, 100 * fraction) : "n/a";
}

std::string fixed(double v, const char* format = "%.2f") { return std::isfinite(v) ? printf_string(format, v) : "n/a"; }

/// Short money for axis labels: 950, 12.5k, 1.2M.
std::string short_money(double v) {
  const double a = std::abs(v);
  if (a >= 1e9) return printf_string("%.4gB", v / 1e9);
  if (a >= 1e6) return printf_string("%.4gM", v / 1e6);
  if (a >= 1e3) return printf_string("%.4gk", v / 1e3);
  return printf_string("%.4g", v);
}

std::string svg_number(double v) { return printf_string("%.1f", v); }

std::string describe_model(const SimulationInfo& info) {
  if (info.prices_path.empty()) return "correlated geometric Brownian motion";
  return "block bootstrap of " + info.prices_path + " (blocks of " + std::to_string(info.block) + " rows)";
}

std::string describe_run(const SimulationResult& r, const SimulationInfo& info) {
  return std::to_string(r.paths) + " paths of " + info.horizon + " in " + std::to_string(r.clock.steps) +
         " steps of " + core::format_period(r.clock.step) + ", " + describe_model(info) + ", seed " +
         std::to_string(info.seed);
}

// --- charts -------------------------------------------------------------------------------------------------------

constexpr const char* kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e",
                                    "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"};

const char* color_of(std::size_t i) { return kPalette[i % (sizeof kPalette / sizeof kPalette[0])]; }

// Two charts side by side.
constexpr double kHalfWidth = (kReportContentWidth - 16) / 2.0;

std::vector<AxisTick> ticks_of(const Scale& s, std::string (*label)(double)) {
  std::vector<AxisTick> out;
  for (const double t : s.ticks) out.push_back({t, label(t)});
  return out;
}

/// Percent labels with the decimals the ticks' step needs (2.5%, not 2%).
std::vector<AxisTick> percent_ticks(const Scale& s) {
  std::vector<AxisTick> out;
  for (const double t : s.ticks) out.push_back({t, report_percent(t, decimals_for(100 * s.step))});
  return out;
}

std::string years_label(double t) { return printf_string("%g", t); }

/// One value scale for every fan chart, so that the policies compare at a
/// glance: from the lowest 5th to the highest 95th percentile, and the start.
Scale shared_fan_scale(const SimulationResult& r) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto& p : r.policies) {
    if (std::isfinite(p.start_value)) {
      lo = std::min(lo, p.start_value);
      hi = std::max(hi, p.start_value);
    }
    for (const auto& q : p.fan) {
      if (std::isfinite(q.p5)) lo = std::min(lo, q.p5);
      if (std::isfinite(q.p95)) hi = std::max(hi, q.p95);
    }
  }
  return nice_scale(lo, hi, 5);
}

std::string svg_line(double x1, double y1, double x2, double y2, std::string_view style) {
  return "<line x1=\"" + svg_number(x1) + "\" y1=\"" + svg_number(y1) + "\" x2=\"" + svg_number(x2) + "\" y2=\"" +
         svg_number(y2) + "\" " + std::string(style) + "/>";
}

std::string points(const PlotFrame& f, const std::vector<double>& xs, const std::vector<double>& ys) {
  std::string out;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    if (!std::isfinite(ys[i])) continue;
    out += svg_number(f.px(xs[i])) + "," + svg_number(f.py(ys[i])) + " ";
  }
  return out;
}

std::string fan_chart(const SimulationResult& r, const PolicyResult& p, const Scale& values, const char* color) {
  std::vector<double> years, p5, p25, p50, p75, p95;
  for (std::size_t j = 0; j < r.fan_steps.size() && j < p.fan.size(); ++j) {
    years.push_back(static_cast<double>(r.fan_steps[j]) / r.clock.steps_per_year);
    p5.push_back(p.fan[j].p5);
    p25.push_back(p.fan[j].p25);
    p50.push_back(p.fan[j].p50);
    p75.push_back(p.fan[j].p75);
    p95.push_back(p.fan[j].p95);
  }
  PlotFrame f;
  f.width = kHalfWidth;
  f.height = 250;
  f.bottom = 34;
  f.x = nice_scale(0, years.empty() ? 1 : years.back(), 5);
  f.y = values;
  std::string out = svg_begin(f.width, f.height, "Value of " + p.id + " over time, percentiles of the paths");
  out += svg_axes(f, ticks_of(f.x, years_label), ticks_of(f.y, short_money), "years", "value");
  auto band = [&](const std::vector<double>& upper, const std::vector<double>& lower, const char* opacity) {
    std::vector<double> xs = years, ys = upper;
    for (std::size_t j = years.size(); j-- > 0;) {
      xs.push_back(years[j]);
      ys.push_back(lower[j]);
    }
    return "<polygon points=\"" + points(f, xs, ys) + "\" fill=\"" + color + "\" fill-opacity=\"" + opacity +
           "\" stroke=\"none\"/>";
  };
  out += band(p95, p5, "0.18");
  out += band(p75, p25, "0.35");
  out += svg_line(f.left, f.py(p.start_value), f.plot_right(), f.py(p.start_value),
                  "stroke=\"#777\" stroke-dasharray=\"4 3\"");
  out += "<polyline points=\"" + points(f, years, p50) + "\" fill=\"none\" stroke=\"" + color +
         "\" stroke-width=\"2\"/>";
  return out + "</svg>";
}

/// Shared by every histogram, so that the portfolios compare at a glance: the
/// 0.5 and 99.5 percentiles of every portfolio's terminal values.
struct Bins {
  double lo = 0, hi = 1;
  std::size_t count = 40;
};

Bins shared_bins(const SimulationResult& r) {
  Bins b;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto& p : r.policies) {
    std::vector<double> v;
    for (const double x : p.terminal_wealth) {
      if (std::isfinite(x)) v.push_back(x);
    }
    if (v.empty()) continue;
    lo = std::min(lo, quantile(v, 0.005));
    hi = std::max(hi, quantile(v, 0.995));
  }
  if (!(hi > lo)) {
    const double mid = std::isfinite(lo) ? lo : 0;
    lo = mid - std::max(1.0, std::abs(mid) * 0.05);
    hi = mid + std::max(1.0, std::abs(mid) * 0.05);
  }
  // The bars span the axis, which ends on round values.
  const Scale axis = nice_scale(lo, hi, 5);
  b.lo = axis.lo;
  b.hi = axis.hi;
  return b;
}

/// The share of `p`'s paths in each bin.
std::vector<double> bin_shares(const PolicyResult& p, const Bins& bins) {
  std::vector<double> share(bins.count, 0.0);
  std::size_t counted = 0;
  const double width = (bins.hi - bins.lo) / static_cast<double>(bins.count);
  for (const double x : p.terminal_wealth) {
    if (!std::isfinite(x)) continue;
    // The few paths beyond the shared range fall in the end bins.
    const double at = std::clamp((x - bins.lo) / width, 0.0, static_cast<double>(bins.count) - 0.5);
    share[static_cast<std::size_t>(at)] += 1;
    ++counted;
  }
  for (double& s : share) s = counted > 0 ? s / static_cast<double>(counted) : 0;
  return share;
}

/// The tallest bar of any policy: the histograms' shared height.
double tallest_bar(const SimulationResult& r, const Bins& bins) {
  double top = 0;
  for (const auto& p : r.policies) {
    for (const double s : bin_shares(p, bins)) top = std::max(top, s);
  }
  return top;
}

std::string histogram(const PolicyResult& p, const Bins& bins, double top, const char* color) {
  const std::vector<double> share = bin_shares(p, bins);
  const double width = (bins.hi - bins.lo) / static_cast<double>(bins.count);
  PlotFrame f;
  f.width = kHalfWidth;
  f.height = 250;
  f.bottom = 34;
  f.top = 22;  // room for the percentile labels
  f.x = nice_scale(bins.lo, bins.hi, 5);
  f.y = nice_scale(0, top > 0 ? top : 1, 4);
  f.y.lo = 0;
  std::string out = svg_begin(f.width, f.height, "Value of " + p.id + " at the horizon: share of paths");
  out += svg_axes(f, ticks_of(f.x, short_money), percent_ticks(f.y), "value at the horizon", "share of paths");
  for (std::size_t b = 0; b < bins.count; ++b) {
    const double x0 = f.px(bins.lo + static_cast<double>(b) * width);
    const double x1 = f.px(bins.lo + static_cast<double>(b + 1) * width);
    const double y = f.py(share[b]);
    out += "<rect x=\"" + svg_number(x0) + "\" y=\"" + svg_number(y) + "\" width=\"" +
           svg_number(std::max(0.0, x1 - x0 - 1)) + "\" height=\"" + svg_number(f.py(0) - y) + "\" fill=\"" + color +
           "\" fill-opacity=\"0.7\"/>";
  }
  // The percentiles' labels sit above the plot, moved apart when they would touch.
  std::vector<std::pair<double, double>> marks;
  std::vector<double> widths;
  std::vector<const char*> names;
  for (const auto& [q, label] : {std::pair{p.terminal.p5, "p5"}, {p.terminal.p50, "p50"}, {p.terminal.p95, "p95"}}) {
    if (!std::isfinite(q) || q < f.x.lo || q > f.x.hi) continue;
    out += svg_line(f.px(q), f.top, f.px(q), f.py(0), "stroke=\"#333\" stroke-dasharray=\"2 2\"");
    marks.emplace_back(f.px(q), f.top - 8);
    widths.push_back(text_width(label));
    names.push_back(label);
  }
  double right_end = 0;
  for (std::size_t k = 0; k < marks.size(); ++k) {
    const double x = std::max(marks[k].first - widths[k] / 2, right_end + 4);
    right_end = x + widths[k];
    out += "<text x=\"" + svg_number(x) + "\" y=\"" + svg_number(f.top - 6) + "\">" + names[k] + "</text>";
  }
  return out + "</svg>";
}

/// Tracking error (y) against `x_of` for every portfolio, each point labelled
/// with its id where the label covers no other label or point.
/// `x_of` falls back to this range when every policy is at 0 (no costs recorded).
template <class X>
std::string frontier(const SimulationResult& r, X x_of, std::string_view x_title, double empty_range) {
  double x_hi = 0, y_hi = 0;
  for (const auto& p : r.policies) {
    if (std::isfinite(x_of(p))) x_hi = std::max(x_hi, x_of(p));
    if (std::isfinite(p.tracking_error)) y_hi = std::max(y_hi, p.tracking_error);
  }
  PlotFrame f;
  f.width = kHalfWidth;
  f.height = 300;
  f.bottom = 34;
  f.right = 20;
  f.x = nice_scale(0, x_hi > 0 ? x_hi * 1.05 : empty_range, 5);
  f.y = nice_scale(0, y_hi > 0 ? y_hi * 1.05 : 0.01, 5);
  f.x.lo = f.y.lo = 0;
  std::string out = svg_begin(f.width, f.height, "Tracking error against " + std::string(x_title));
  out += svg_axes(f, percent_ticks(f.x), percent_ticks(f.y), x_title, "tracking error a year");
  std::vector<std::pair<double, double>> at;
  std::vector<double> widths;
  std::vector<std::size_t> which;
  for (std::size_t i = 0; i < r.policies.size(); ++i) {
    const PolicyResult& p = r.policies[i];
    const double x = x_of(p), y = p.tracking_error;
    if (!std::isfinite(x) || !std::isfinite(y)) continue;
    at.emplace_back(f.px(x), f.py(y));
    widths.push_back(text_width(p.id));
    which.push_back(i);
  }
  const LabelBox bounds{f.left + 2, f.top, f.width - 2, f.plot_bottom() - 2};
  const std::vector<PlacedLabel> labels = place_labels(at, widths, 5, bounds);
  for (std::size_t k = 0; k < at.size(); ++k) {
    const auto [cx, cy] = at[k];
    const LabelBox& b = labels[k].box;
    if (labels[k].leader) {
      const double lx = b.x0 > cx ? b.x0 - 2 : b.x1 + 2;
      out += svg_line(cx, cy, lx, (b.y0 + b.y1) / 2, "stroke=\"#999\"");
    }
    out += "<circle cx=\"" + svg_number(cx) + "\" cy=\"" + svg_number(cy) + "\" r=\"5\" fill=\"" +
           color_of(which[k]) + "\"/>";
  }
  for (std::size_t k = 0; k < at.size(); ++k) {
    const LabelBox& b = labels[k].box;
    out += "<text x=\"" + svg_number(b.x0) + "\" y=\"" + svg_number(b.y1 - 3) + "\">" +
           html_escape(r.policies[which[k]].id) + "</text>";
  }
  return out + "</svg>";
}

constexpr const char* kExtraStyle =
    R"(i.swatch{display:inline-block;width:10px;height:10px;margin-right:6px;border-radius:2px}
table.summary{font-size:13px}table.summary th,table.summary td{padding:3px 6px}
table.summary th.group{text-align:center;border-bottom:1px solid #ccc;font-weight:600}
table.summary tr.groups th{background:#fff}
table.summary small{color:#777;font-size:11px;display:block;margin-left:16px}
.pair{display:flex;gap:16px;flex-wrap:wrap}.pair>div{flex:1 1 460px;min-width:0}
dl.units{font-size:12px;color:#555;margin:4px 0 12px;display:grid;grid-template-columns:max-content 1fr;gap:1px 10px}
dl.units dt{font-weight:600}dl.units dd{margin:0})";

}  // namespace

std::string simulation_json(const SimulationResult& r, const SimulationInfo& info, const FleetSimulation* fleet) {
  std::string out;
  core::JsonWriter w(out);
  w.begin_object();
  w.field("config", info.config_path);
  if (info.prices_path.empty()) {
    w.field("model", "gbm");
  } else {
    w.field("model", "bootstrap");
    w.field("prices", info.prices_path);
    w.field("block", static_cast<unsigned long long>(info.block));
  }
  w.field("seed", static_cast<unsigned long long>(info.seed));
  w.field("paths", static_cast<unsigned long long>(r.paths));
  w.field("horizon", info.horizon);
  w.field("step", core::format_period(r.clock.step));
  w.field("steps", static_cast<unsigned long long>(r.clock.steps));
  w.field("years", r.clock.years());
  w.field("steps_per_year", r.clock.steps_per_year);
  w.field("start", core::format_iso8601(r.clock.start));
  w.field("risk_free", info.risk_free);
  w.key("policies").begin_array();
  for (const PolicyResult& p : r.policies) {
    w.begin_object();
    w.field("id", p.id);
    w.field("model", strategies::to_string(p.model));
    w.field("start_value", p.start_value);
    w.key("terminal_wealth").begin_object();
    w.field("mean", p.terminal_mean);
    w.field("p5", p.terminal.p5);
    w.field("p50", p.terminal.p50);
    w.field("p95", p.terminal.p95);
    w.end_object();
    w.field("annual_return", p.annual_return);
    w.field("annual_volatility", p.annual_volatility);
    w.field("sharpe", p.sharpe);
    w.field("max_drawdown", p.max_drawdown);
    w.field("tracking_error", p.tracking_error);
    w.field("turnover", p.turnover);
    w.field("costs", p.costs);
    w.field("cost_per_year", p.cost_per_year);
    w.field("rebalances_per_year", p.rebalances_per_year);
    w.field("mean_log_growth", p.mean_log_growth);
    w.field("mean_log_growth_stderr", p.mean_log_growth_stderr);
    w.end_object();
  }
  w.end_array();
  if (fleet) {
    w.key("fleet");
    write_fleet_simulation_json(w, *fleet);
  }
  w.end_object();
  out += "\n";
  return out;
}

std::string simulation_table(const SimulationResult& r, const SimulationInfo& info) {
  std::string out = describe_run(r, info) + "\n\n";
  std::size_t id_width = 6;
  for (const auto& p : r.policies) id_width = std::max(id_width, p.id.size());
  char line[512];
  std::snprintf(line, sizeof line, "%-*s %12s %12s %12s %12s %12s %8s %7s %6s %7s %7s %9s %12s %7s\n",
                static_cast<int>(id_width), "policy", "start", "mean", "p5", "p50", "p95", "return", "vol", "sharpe",
                "max dd", "TE", "turnover", "costs", "rebal/y");
  out += line;
  for (const auto& p : r.policies) {
    std::snprintf(line, sizeof line, "%-*s %12s %12s %12s %12s %12s %8s %7s %6s %7s %7s %9s %12s %7s\n",
                  static_cast<int>(id_width), p.id.c_str(), money(p.start_value).c_str(),
                  money(p.terminal_mean).c_str(), money(p.terminal.p5).c_str(), money(p.terminal.p50).c_str(),
                  money(p.terminal.p95).c_str(), percent(p.annual_return).c_str(),
                  percent(p.annual_volatility).c_str(), fixed(p.sharpe).c_str(), percent(p.max_drawdown).c_str(),
                  percent(p.tracking_error).c_str(), percent(p.turnover, "%.1f%%").c_str(), money(p.costs).c_str(),
                  fixed(p.rebalances_per_year, "%.1f").c_str());
    out += line;
  }
  out += "\nmean, p5, p50, p95: value at the horizon; the rest are each path's figures averaged over the paths:\n"
         "return the compound annual rate, vol that of the step log returns annualised, TE the tracking error\n"
         "against the constant mix of the starting targets, turnover buys plus sells a year, costs over the horizon\n";
  return out;
}

std::string simulation_report_html(const SimulationResult& r, const SimulationInfo& info) {
  std::string out = report_page_start("Ballast simulation", kExtraStyle);
  out += "<h1>Monte Carlo simulation</h1><p class=\"meta\">" + html_escape(info.config_path) + ": " +
         html_escape(describe_run(r, info)) + ". Simulated clock from " +
         html_escape(core::format_iso8601(r.clock.start)) + ", " + fixed(r.clock.steps_per_year, "%g") +
         " steps a year; risk-free rate " + percent(info.risk_free) + ".</p>";

  out += "<h2>Summary</h2><div class=\"scroll\"><table class=\"summary\"><tr class=\"groups\"><th></th><th></th>"
         "<th class=\"group\" colspan=\"4\">value at the horizon</th>"
         "<th class=\"group\" colspan=\"8\">each path's, averaged over the paths</th></tr>"
         "<tr><th>policy</th><th>start</th><th>mean</th><th>p5</th><th>p50</th><th>p95</th><th>return</th>"
         "<th>vol</th><th>Sharpe</th><th>max DD</th><th>TE</th><th>turnover</th><th>costs</th><th>rebal.</th></tr>";
  for (std::size_t i = 0; i < r.policies.size(); ++i) {
    const PolicyResult& p = r.policies[i];
    out += "<tr><td><i class=\"swatch\" style=\"background:" + std::string(color_of(i)) + "\"></i>" +
           html_escape(p.id) + "<small>" + html_escape(strategies::to_string(p.model)) + "</small></td><td>" +
           money(p.start_value) + "</td><td>" + money(p.terminal_mean) + "</td><td>" + money(p.terminal.p5) +
           "</td><td>" + money(p.terminal.p50) + "</td><td>" + money(p.terminal.p95) + "</td><td>" +
           percent(p.annual_return) + "</td><td>" + percent(p.annual_volatility) + "</td><td>" + fixed(p.sharpe) +
           "</td><td>" + percent(p.max_drawdown) + "</td><td>" + percent(p.tracking_error) + "</td><td>" +
           percent(p.turnover, "%.1f%%") + "</td><td>" + percent(p.cost_per_year, "%.3f%%") + "</td><td>" +
           fixed(p.rebalances_per_year, "%.1f") + "</td></tr>";
  }
  out += "</table></div><dl class=\"units\">"
         "<dt>start, mean, p5, p50, p95</dt><dd>value in the portfolio's currency: at the start, and the mean and "
         "5th, 50th and 95th percentiles over the paths at the horizon</dd>"
         "<dt>return</dt><dd>compound annual growth rate</dd>"
         "<dt>vol</dt><dd>volatility of the step log returns, annualised</dd>"
         "<dt>Sharpe</dt><dd>(return − risk-free rate) / vol</dd>"
         "<dt>max DD</dt><dd>largest fall from a running peak, as a share of the peak</dd>"
         "<dt>TE</dt><dd>tracking error a year against the constant mix of the targets the policy had at the start, "
         "rebalanced every step at no cost, on the same path</dd>"
         "<dt>turnover</dt><dd>buys plus sells a year, as a share of the value</dd>"
         "<dt>costs</dt><dd>costs a year, as a share of the value</dd>"
         "<dt>rebal.</dt><dd>rebalances a year</dd></dl>";

  bool any_cost = false;
  for (const auto& p : r.policies) any_cost = any_cost || (std::isfinite(p.costs) && p.costs != 0);
  out += "<h2>Cost against tracking error</h2><div class=\"pair\"><div><h3>Costs a year</h3>" +
         frontier(r, [](const PolicyResult& p) { return p.cost_per_year; }, "costs a year, share of value", 0.001) +
         "</div><div><h3>Turnover a year</h3>" +
         frontier(r, [](const PolicyResult& p) { return p.turnover; }, "turnover a year, share of value", 0.1) +
         "</div></div>";
  out += "<p class=\"note\">Lower and further left is better: each point is a policy, coloured as in the summary. ";
  out += any_cost ? std::string("Costs are what the engine recorded for each rebalance.")
                  : std::string("The engine recorded no costs for these policies, so every point sits at zero "
                                "cost; turnover shows how much each trades.");
  out += "</p>";
  out += "<p class=\"note\">Per policy below: its value over time and at the horizon, on scales every policy shares, "
         "so that they compare at a glance.</p>";

  const Bins bins = shared_bins(r);
  const Scale values = shared_fan_scale(r);
  const double top = tallest_bar(r, bins);
  for (std::size_t i = 0; i < r.policies.size(); ++i) {
    const PolicyResult& p = r.policies[i];
    out += "<h2>" + html_escape(p.id) + "</h2><p class=\"meta\">" + html_escape(strategies::to_string(p.model)) +
           " model; start " + money(p.start_value) + ", median at the horizon " + money(p.terminal.p50) +
           ", 5–95% " + money(p.terminal.p5) + " to " + money(p.terminal.p95) + ".</p>";
    out += "<div class=\"pair\"><div><h3>Value over time</h3>" + fan_chart(r, p, values, color_of(i)) +
           "<p class=\"note\">The median value, 25–75% and 5–95% of paths shaded; dashed, the start.</p>"
           "</div><div><h3>Value at the horizon</h3>" +
           histogram(p, bins, top, color_of(i)) +
           "<p class=\"note\">Share of paths in each bar.</p></div></div>";
  }
  out += report_page_end();
  return out;
}

}  // namespace ballast::offline
