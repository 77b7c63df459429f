#include "offline/simulate_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string_view>
#include <vector>

#include "core/json_writer.hpp"
#include "offline/report_html.hpp"

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

/// An axis over [lo, hi] widened to round ticks.
struct Axis {
  double lo = 0, hi = 1;
  std::vector<double> ticks;
};

Axis nice_axis(double lo, double hi, int target = 5) {
  Axis a;
  if (!std::isfinite(lo) || !std::isfinite(hi)) lo = 0, hi = 1;
  if (hi - lo < 1e-12 * std::max(1.0, std::abs(hi))) {
    const double pad = std::abs(hi) > 0 ? std::abs(hi) * 0.05 : 1;
    lo -= pad;
    hi += pad;
  }
  const double raw = (hi - lo) / target;
  const double magnitude = std::pow(10, std::floor(std::log10(raw)));
  double step = magnitude;
  for (const double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    step = m * magnitude;
    if (step >= raw) break;
  }
  a.lo = std::floor(lo / step) * step;
  a.hi = std::ceil(hi / step) * step;
  for (double t = a.lo; t <= a.hi + step * 1e-9; t += step) a.ticks.push_back(std::abs(t) < step * 1e-9 ? 0 : t);
  return a;
}

/// A plot area inside an SVG of width × height, mapping data to pixels.
struct Frame {
  double width = 640, height = 220;
  double left = 64, right = 14, top = 10, bottom = 34;
  Axis x, y;
  double px(double v) const { return left + (v - x.lo) / (x.hi - x.lo) * (width - left - right); }
  double py(double v) const { return height - bottom - (v - y.lo) / (y.hi - y.lo) * (height - top - bottom); }
};

template <class LabelX, class LabelY>
std::string frame_svg(const Frame& f, LabelX label_x, LabelY label_y, std::string_view x_title) {
  std::string out = "<svg viewBox=\"0 0 " + svg_number(f.width) + " " + svg_number(f.height) + "\" role=\"img\">";
  for (const double t : f.y.ticks) {
    out += "<line x1=\"" + svg_number(f.left) + "\" x2=\"" + svg_number(f.width - f.right) + "\" y1=\"" +
           svg_number(f.py(t)) + "\" y2=\"" + svg_number(f.py(t)) + "\" class=\"grid\"/>";
    out += "<text x=\"" + svg_number(f.left - 6) + "\" y=\"" + svg_number(f.py(t) + 4) + "\" text-anchor=\"end\">" +
           html_escape(label_y(t)) + "</text>";
  }
  for (const double t : f.x.ticks) {
    out += "<line x1=\"" + svg_number(f.px(t)) + "\" x2=\"" + svg_number(f.px(t)) + "\" y1=\"" +
           svg_number(f.height - f.bottom) + "\" y2=\"" + svg_number(f.height - f.bottom + 4) + "\" class=\"axis\"/>";
    out += "<text x=\"" + svg_number(f.px(t)) + "\" y=\"" + svg_number(f.height - f.bottom + 16) +
           "\" text-anchor=\"middle\">" + html_escape(label_x(t)) + "</text>";
  }
  out += "<line x1=\"" + svg_number(f.left) + "\" x2=\"" + svg_number(f.width - f.right) + "\" y1=\"" +
         svg_number(f.height - f.bottom) + "\" y2=\"" + svg_number(f.height - f.bottom) + "\" class=\"axis\"/>";
  if (!x_title.empty()) {
    out += "<text x=\"" + svg_number(f.width - f.right) + "\" y=\"" + svg_number(f.height - 3) +
           "\" text-anchor=\"end\">" + html_escape(x_title) + "</text>";
  }
  return out;
}

std::string points(const Frame& f, const std::vector<double>& xs, const std::vector<double>& ys) {
  std::string out;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    if (!std::isfinite(ys[i])) continue;
    out += svg_number(f.px(xs[i])) + "," + svg_number(f.py(ys[i])) + " ";
  }
  return out;
}

std::string fan_chart(const SimulationResult& r, const PolicyResult& p, const char* color) {
  std::vector<double> years, p5, p25, p50, p75, p95;
  for (std::size_t j = 0; j < r.fan_steps.size() && j < p.fan.size(); ++j) {
    years.push_back(static_cast<double>(r.fan_steps[j]) / r.clock.steps_per_year);
    p5.push_back(p.fan[j].p5);
    p25.push_back(p.fan[j].p25);
    p50.push_back(p.fan[j].p50);
    p75.push_back(p.fan[j].p75);
    p95.push_back(p.fan[j].p95);
  }
  double lo = p.start_value, hi = p.start_value;
  for (std::size_t j = 0; j < years.size(); ++j) {
    if (std::isfinite(p5[j])) lo = std::min(lo, p5[j]);
    if (std::isfinite(p95[j])) hi = std::max(hi, p95[j]);
  }
  Frame f;
  f.x = nice_axis(0, years.empty() ? 1 : years.back(), 6);
  f.y = nice_axis(lo, hi, 5);
  std::string out = frame_svg(
      f, [](double t) { return printf_string("%g", t); }, short_money, "years");
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
  out += "<line x1=\"" + svg_number(f.left) + "\" x2=\"" + svg_number(f.width - f.right) + "\" y1=\"" +
         svg_number(f.py(p.start_value)) + "\" y2=\"" + svg_number(f.py(p.start_value)) + "\" class=\"start\"/>";
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
  const Axis axis = nice_axis(lo, hi, 6);
  b.lo = axis.lo;
  b.hi = axis.hi;
  return b;
}

std::string histogram(const PolicyResult& p, const Bins& bins, const char* color) {
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
  double top = 0;
  for (double& s : share) {
    s = counted > 0 ? s / static_cast<double>(counted) : 0;
    top = std::max(top, s);
  }
  Frame f;
  f.height = 170;
  f.x = nice_axis(bins.lo, bins.hi, 6);
  f.y = nice_axis(0, top > 0 ? top : 1, 3);
  f.y.lo = 0;
  std::string out = frame_svg(
      f, short_money, [](double t) { return percent(t, "%.0f%%"); }, "terminal value");
  for (std::size_t b = 0; b < bins.count; ++b) {
    const double x0 = f.px(bins.lo + static_cast<double>(b) * width);
    const double x1 = f.px(bins.lo + static_cast<double>(b + 1) * width);
    const double y = f.py(share[b]);
    out += "<rect x=\"" + svg_number(x0) + "\" y=\"" + svg_number(y) + "\" width=\"" +
           svg_number(std::max(0.0, x1 - x0 - 1)) + "\" height=\"" + svg_number(f.py(0) - y) + "\" fill=\"" + color +
           "\" fill-opacity=\"0.7\"/>";
  }
  for (const auto& [q, label] : {std::pair{p.terminal.p5, "p5"}, {p.terminal.p50, "p50"}, {p.terminal.p95, "p95"}}) {
    if (!std::isfinite(q) || q < f.x.lo || q > f.x.hi) continue;
    out += "<line x1=\"" + svg_number(f.px(q)) + "\" x2=\"" + svg_number(f.px(q)) + "\" y1=\"" + svg_number(f.top) +
           "\" y2=\"" + svg_number(f.py(0)) + "\" class=\"mark\"/><text x=\"" + svg_number(f.px(q) + 3) + "\" y=\"" +
           svg_number(f.top + 10) + "\">" + label + "</text>";
  }
  return out + "</svg>";
}

/// Tracking error (y) against `x_of` for every portfolio, labelled by id.
/// `x_of` falls back to this range when every policy is at 0 (no costs recorded).
template <class X>
std::string frontier(const SimulationResult& r, X x_of, std::string_view x_title, double empty_range) {
  double x_hi = 0, y_hi = 0;
  for (const auto& p : r.policies) {
    if (std::isfinite(x_of(p))) x_hi = std::max(x_hi, x_of(p));
    if (std::isfinite(p.tracking_error)) y_hi = std::max(y_hi, p.tracking_error);
  }
  Frame f;
  f.width = 460;
  f.height = 260;
  f.right = 70;
  f.x = nice_axis(0, x_hi > 0 ? x_hi * 1.05 : empty_range, 5);
  f.y = nice_axis(0, y_hi > 0 ? y_hi * 1.05 : 0.01, 5);
  f.x.lo = f.y.lo = 0;
  const auto label = [](double t) { return percent(t, "%.3g%%"); };
  std::string out = frame_svg(f, label, label, x_title);
  // Labels go right of their point.
  std::vector<std::pair<double, double>> placed;
  for (std::size_t i = 0; i < r.policies.size(); ++i) {
    const PolicyResult& p = r.policies[i];
    const double x = x_of(p), y = p.tracking_error;
    if (!std::isfinite(x) || !std::isfinite(y)) continue;
    const double cx = f.px(x), cy = f.py(y);
    // Down past a label in the way, or up when that would leave the plot.
    const auto clash = [&](double y) {
      for (const auto& [px, py] : placed) {
        if (std::abs(px - cx) < 60 && std::abs(py - y) < 12) return true;
      }
      return false;
    };
    double ly = cy + 4;
    while (clash(ly)) ly += 12;
    if (ly > f.height - f.bottom - 2) {
      ly = cy + 4;
      while (clash(ly)) ly -= 12;
    }
    placed.emplace_back(cx, ly);
    if (std::abs(ly - (cy + 4)) > 6) {  // a label moved off its point gets a leader line
      out += "<line x1=\"" + svg_number(cx + 4) + "\" y1=\"" + svg_number(cy) + "\" x2=\"" + svg_number(cx + 7) +
             "\" y2=\"" + svg_number(ly - 4) + "\" class=\"axis\"/>";
    }
    out += "<circle cx=\"" + svg_number(cx) + "\" cy=\"" + svg_number(cy) + "\" r=\"5\" fill=\"" + color_of(i) +
           "\"/><text x=\"" + svg_number(cx + 8) + "\" y=\"" + svg_number(ly) + "\">" + html_escape(p.id) + "</text>";
  }
  return out + "</svg>";
}

constexpr const char* kStyle =
    R"(body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;max-width:960px;margin:24px auto;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:36px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 4px}p.meta{color:#555;margin:0 0 12px}
table{border-collapse:collapse;margin:6px 0 12px;font-variant-numeric:tabular-nums}
th,td{padding:3px 8px;border-bottom:1px solid #eee;text-align:right;white-space:nowrap}th{font-weight:600;color:#444}
td.text,th.text{text-align:left}i.swatch{display:inline-block;width:10px;height:10px;margin-right:6px;border-radius:2px}
svg{display:block;width:100%;height:auto}svg text{font:11px system-ui,sans-serif;fill:#555}
.grid{stroke:#eee}.axis{stroke:#999}.start{stroke:#777;stroke-dasharray:4 3}.mark{stroke:#333;stroke-dasharray:2 2}
.pair{display:flex;gap:16px;flex-wrap:wrap}.pair>div{flex:1 1 420px}.note{color:#666;font-size:12px})";

}  // namespace

std::string simulation_json(const SimulationResult& r, const SimulationInfo& info) {
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
  std::string out = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                    "<title>Ballast simulation</title><style>";
  out += kStyle;
  out += "</style></head><body><h1>Monte Carlo simulation</h1><p class=\"meta\">" +
         html_escape(info.config_path) + ": " + html_escape(describe_run(r, info)) + ". Simulated clock from " +
         html_escape(core::format_iso8601(r.clock.start)) + ", " + fixed(r.clock.steps_per_year, "%g") +
         " steps a year; risk-free rate " + percent(info.risk_free) + ".</p>";

  out += "<h2>Summary</h2><table><tr><th class=\"text\">policy</th><th class=\"text\">model</th><th>start</th>"
         "<th>mean</th><th>p5</th><th>p50</th><th>p95</th><th>return</th><th>vol</th><th>Sharpe</th>"
         "<th>max drawdown</th><th>tracking error</th><th>turnover / yr</th><th>costs / yr</th>"
         "<th>rebalances / yr</th></tr>";
  for (std::size_t i = 0; i < r.policies.size(); ++i) {
    const PolicyResult& p = r.policies[i];
    out += "<tr><td class=\"text\"><i class=\"swatch\" style=\"background:" + std::string(color_of(i)) + "\"></i>" +
           html_escape(p.id) + "</td><td class=\"text\">" + html_escape(strategies::to_string(p.model)) + "</td><td>" +
           money(p.start_value) + "</td><td>" + money(p.terminal_mean) + "</td><td>" + money(p.terminal.p5) +
           "</td><td>" + money(p.terminal.p50) + "</td><td>" + money(p.terminal.p95) + "</td><td>" +
           percent(p.annual_return) + "</td><td>" + percent(p.annual_volatility) + "</td><td>" + fixed(p.sharpe) +
           "</td><td>" + percent(p.max_drawdown) + "</td><td>" + percent(p.tracking_error) + "</td><td>" +
           percent(p.turnover, "%.1f%%") + "</td><td>" + percent(p.cost_per_year, "%.3f%%") + "</td><td>" +
           fixed(p.rebalances_per_year, "%.1f") + "</td></tr>";
  }
  out += "</table><p class=\"note\">Terminal values at the horizon over every path; the other figures are each "
         "path's, averaged over the paths. Tracking error is against the constant mix of the targets each policy "
         "had at the start, rebalanced every step at no cost, on the same path.</p>";

  bool any_cost = false;
  for (const auto& p : r.policies) any_cost = any_cost || (std::isfinite(p.costs) && p.costs != 0);
  out += "<h2>Cost against tracking error</h2><div class=\"pair\"><div><h3>costs a year</h3>" +
         frontier(r, [](const PolicyResult& p) { return p.cost_per_year; }, "costs a year, % of value", 0.001) +
         "</div><div><h3>turnover a year</h3>" +
         frontier(r, [](const PolicyResult& p) { return p.turnover; }, "turnover a year", 0.1) + "</div></div>";
  out += "<p class=\"note\">Lower and further left is better: each point is a policy. ";
  out += any_cost ? std::string("Costs are what the engine recorded for each rebalance.")
                  : std::string("The engine recorded no costs for these policies, so every point sits at zero "
                                "cost; turnover shows how much each trades.");
  out += "</p>";

  const Bins bins = shared_bins(r);
  for (std::size_t i = 0; i < r.policies.size(); ++i) {
    const PolicyResult& p = r.policies[i];
    out += "<h2>" + html_escape(p.id) + "</h2><p class=\"meta\">" + html_escape(strategies::to_string(p.model)) +
           " model; start " + money(p.start_value) + ", median at the horizon " + money(p.terminal.p50) +
           ", 5–95% " + money(p.terminal.p5) + " to " + money(p.terminal.p95) + ".</p>";
    out += "<h3>Value over time: median, 25–75% and 5–95% of paths; dashed, the start</h3>" +
           fan_chart(r, p, color_of(i));
    out += "<h3>Terminal value: share of paths (same scale for every policy)</h3>" +
           histogram(p, bins, color_of(i));
  }
  out += "</body></html>\n";
  return out;
}

}  // namespace ballast::offline
