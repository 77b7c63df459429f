#include "offline/backtest_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <variant>

namespace ballast::offline {
namespace {

// About this many points per chart: smooth at page width, small on disk.
constexpr std::size_t kMaxPoints = 1000;
// Rebalance rows listed in full up to this many; beyond it, the first and last halves.
constexpr std::size_t kMaxRebalanceRows = 300;
// Rebalance dates drawn as marks on the value chart up to this many.
constexpr std::size_t kMaxMarks = 300;

constexpr const char* kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e",
                                    "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"};
constexpr std::size_t kPaletteSize = sizeof kPalette / sizeof kPalette[0];

constexpr const char* kStyle = R"(body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;max-width:960px;margin:24px auto;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:36px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:15px;margin:22px 0 4px}p.meta{color:#555;margin:0 0 12px}
table{border-collapse:collapse;margin:6px 0 12px;font-variant-numeric:tabular-nums}
th,td{padding:3px 10px;border-bottom:1px solid #eee;text-align:right;vertical-align:top}
th:first-child,td:first-child{text-align:left}td.text{text-align:left}th{background:#f6f6f6}
.legend{font-size:12px;color:#444;margin:2px 0}.legend span{margin-right:14px;white-space:nowrap}
.legend i{display:inline-block;width:14px;height:3px;vertical-align:middle;margin-right:4px}
.legend i.area{height:10px;opacity:.35}.grid{display:grid;grid-template-columns:repeat(2,1fr);gap:4px 16px}
svg{display:block;width:100%;height:auto}svg text{font:11px system-ui,sans-serif;fill:#555}
.note{color:#666;font-size:12px})";

// ------------------------------------------------------------ numbers

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string fixed(double v, int decimals) {
  if (!std::isfinite(v)) return "–";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

/// 1234567.8 → "1,234,567.80".
std::string money(double v) {
  if (!std::isfinite(v)) return "–";
  std::string digits = fixed(std::abs(v), 2);
  const std::size_t dot = digits.find('.');
  std::string grouped;
  for (std::size_t i = 0; i < dot; ++i) {
    if (i > 0 && (dot - i) % 3 == 0) grouped += ',';
    grouped += digits[i];
  }
  return (v < 0 ? "−" : "") + grouped + digits.substr(dot);
}

std::string percent(double v, int decimals = 2) { return std::isfinite(v) ? fixed(100 * v, decimals) + "%" : "–"; }

std::string date_of(core::TimeNs t) {
  std::string s = core::format_iso8601(t);
  if (s.compare(10, std::string::npos, "T00:00:00.000Z") == 0) return s.substr(0, 10);
  return s.substr(0, 10) + " " + s.substr(11, 8);
}

/// 1, 2 or 5 × 10^k, the smallest at or above `raw`.
double nice_step(double raw) {
  if (!(raw > 0)) return 1;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / magnitude;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * magnitude;
}

/// Decimals that tell apart ticks `step` apart.
int decimals_for(double step) { return std::max(0, static_cast<int>(std::ceil(-std::log10(step) - 1e-9))); }

// ------------------------------------------------------------ charts

enum class Axis { money, percent };

struct Line {
  std::string label;
  std::string color;
  std::vector<double> y;
  bool dashed = false;
  double width = 1.5;
};

struct Area {
  std::string label;
  std::string color;
  std::vector<double> lo;
  std::vector<double> hi;
};

struct Level {
  double y = 0;
  std::string label;
};

struct Chart {
  int width = 900;
  int height = 260;
  Axis axis = Axis::money;
  bool from_zero = false;  ///< the y axis includes 0
  std::vector<Line> lines;
  std::vector<Area> areas;
  std::vector<Level> levels;         ///< dashed horizontal reference lines
  std::vector<core::TimeNs> marks;   ///< faint vertical lines (rebalances)
};

struct Frame {
  double left = 64, right = 12, top = 10, bottom = 24;
  double width = 0, height = 0;
  core::TimeNs t0 = 0, t1 = 1;
  double y0 = 0, y1 = 1;
  double x(core::TimeNs t) const {
    const double span = static_cast<double>(t1 - t0);
    return left + (span > 0 ? static_cast<double>(t - t0) / span : 0.5) * (width - left - right);
  }
  double y(double v) const { return top + (y1 - v) / (y1 - y0) * (height - top - bottom); }
};

std::string xy(double x, double y) { return fmt("%.1f", x) + "," + fmt("%.1f", y); }

/// Ticks on the calendar: years, months or days, at most about eight.
std::vector<std::pair<core::TimeNs, std::string>> time_ticks(core::TimeNs t0, core::TimeNs t1) {
  std::vector<std::pair<core::TimeNs, std::string>> ticks;
  const double days = static_cast<double>(t1 - t0) / static_cast<double>(core::kNanosPerDay);
  const core::CivilDate start = core::civil_from_days(t0 / core::kNanosPerDay);
  auto month_start = [](int year, int month) {
    year += (month - 1) / 12;
    month = (month - 1) % 12 + 1;
    return core::days_from_civil(year, static_cast<unsigned>(month), 1) * core::kNanosPerDay;
  };
  char label[32];
  if (days > 60) {
    const double months = days / 30.44;
    int step = 1;
    for (const int s : {1, 2, 3, 6, 12, 24, 60, 120}) {
      step = s;
      if (months / s <= 8) break;
    }
    int y = start.year;
    int m = static_cast<int>(start.month);
    if (step >= 12) {
      m = 1;
      ++y;
    } else {
      ++m;  // the first month start after t0
      while ((m - 1) % step != 0) ++m;
    }
    for (core::TimeNs t = month_start(y, m); t <= t1; m += step, t = month_start(y, m)) {
      const core::CivilDate d = core::civil_from_days(t / core::kNanosPerDay);
      if (step >= 12) std::snprintf(label, sizeof label, "%d", d.year);
      else std::snprintf(label, sizeof label, "%d-%02u", d.year, d.month);
      ticks.emplace_back(t, label);
    }
  } else {
    const core::DurationNs span = std::max<core::DurationNs>(t1 - t0, 1);
    for (int k = 0; k <= 5; ++k) {
      const core::TimeNs t = t0 + span * k / 5;
      ticks.emplace_back(t, date_of(t));
    }
  }
  return ticks;
}

std::string y_label(double v, double step, Axis axis, double scale, const char* suffix) {
  if (axis == Axis::percent) return fixed(100 * v, decimals_for(100 * step)) + "%";
  return fixed(v / scale, decimals_for(step / scale)) + suffix;
}

/// A path through the chosen points; NaN breaks the line.
std::string path_of(const Frame& f, std::span<const core::TimeNs> t, std::span<const double> y,
                    const std::vector<std::size_t>& idx) {
  std::string d;
  bool pen_down = false;
  for (const std::size_t i : idx) {
    if (!std::isfinite(y[i])) {
      pen_down = false;
      continue;
    }
    d += pen_down ? " L" : " M";
    d += xy(f.x(t[i]), f.y(y[i]));
    pen_down = true;
  }
  return d;
}

std::string legend(const Chart& c) {
  std::string out = "<div class=\"legend\">";
  for (const auto& l : c.lines) {
    out += "<span><i style=\"background:" + l.color + "\"></i>" + html_escape(l.label) + "</span>";
  }
  for (const auto& a : c.areas) {
    out += "<span><i class=\"area\" style=\"background:" + a.color + "\"></i>" + html_escape(a.label) + "</span>";
  }
  return out + "</div>";
}

std::string render_chart(std::span<const core::TimeNs> times, const Chart& c) {
  Frame f;
  f.width = c.width;
  f.height = c.height;
  if (times.empty()) return "<p class=\"note\">No rows.</p>";
  f.t0 = times.front();
  f.t1 = times.back();

  std::vector<std::span<const double>> all;
  for (const auto& l : c.lines) all.emplace_back(l.y);
  for (const auto& a : c.areas) {
    all.emplace_back(a.lo);
    all.emplace_back(a.hi);
  }
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  for (const auto& s : all) {
    for (const double v : s) {
      if (!std::isfinite(v)) continue;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  for (const auto& l : c.levels) {
    lo = std::min(lo, l.y);
    hi = std::max(hi, l.y);
  }
  if (c.from_zero) lo = std::min(lo, 0.0);
  if (!std::isfinite(lo)) {
    lo = 0;
    hi = 1;
  }
  if (hi - lo < 1e-12 * std::max(1.0, std::abs(hi))) {
    const double pad = hi != 0 ? std::abs(hi) * 0.01 : 1;
    lo -= pad;
    hi += pad;
  }
  const double step = nice_step((hi - lo) / 5);
  f.y0 = std::floor(lo / step) * step;
  f.y1 = std::ceil(hi / step) * step;
  if (c.from_zero && lo >= 0) f.y0 = std::max(f.y0, 0.0);

  // Money in thousands or millions, so the labels stay short.
  const double largest = std::max(std::abs(f.y0), std::abs(f.y1));
  const bool millions = c.axis == Axis::money && largest >= 1e6;
  const bool thousands = c.axis == Axis::money && !millions && largest >= 1e4;
  const double scale = millions ? 1e6 : thousands ? 1e3 : 1;
  const char* suffix = millions ? "M" : thousands ? "k" : "";

  std::string svg = "<svg viewBox=\"0 0 " + std::to_string(c.width) + " " + std::to_string(c.height) +
                    "\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\">";
  // Grid and y labels.
  for (double v = f.y0; v <= f.y1 + step / 2; v += step) {
    const double y = f.y(v);
    svg += "<line x1=\"" + fmt("%.1f", f.left) + "\" x2=\"" + fmt("%.1f", f.width - f.right) + "\" y1=\"" +
           fmt("%.1f", y) + "\" y2=\"" + fmt("%.1f", y) + "\" stroke=\"#eee\"/>";
    svg += "<text x=\"" + fmt("%.1f", f.left - 6) + "\" y=\"" + fmt("%.1f", y + 4) + "\" text-anchor=\"end\">" +
           html_escape(y_label(v, step, c.axis, scale, suffix)) + "</text>";
  }
  // Time labels.
  for (const auto& [t, label] : time_ticks(f.t0, f.t1)) {
    const double x = f.x(t);
    svg += "<line x1=\"" + fmt("%.1f", x) + "\" x2=\"" + fmt("%.1f", x) + "\" y1=\"" + fmt("%.1f", f.top) + "\" y2=\"" +
           fmt("%.1f", f.height - f.bottom) + "\" stroke=\"#f2f2f2\"/>";
    svg += "<text x=\"" + fmt("%.1f", x) + "\" y=\"" + fmt("%.1f", f.height - 8) + "\" text-anchor=\"middle\">" +
           html_escape(label) + "</text>";
  }
  if (c.marks.size() <= kMaxMarks) {
    for (const core::TimeNs t : c.marks) {
      const double x = f.x(t);
      svg += "<line x1=\"" + fmt("%.1f", x) + "\" x2=\"" + fmt("%.1f", x) + "\" y1=\"" +
             fmt("%.1f", f.height - f.bottom - 6) + "\" y2=\"" + fmt("%.1f", f.height - f.bottom) +
             "\" stroke=\"#999\"/>";
    }
  }
  const std::vector<std::size_t> idx = decimate(times.size(), all, kMaxPoints);
  for (const auto& a : c.areas) {
    std::string d;
    for (const std::size_t i : idx) {
      if (std::isfinite(a.hi[i])) d += (d.empty() ? "M" : " L") + xy(f.x(times[i]), f.y(a.hi[i]));
    }
    for (auto it = idx.rbegin(); it != idx.rend(); ++it) {
      if (std::isfinite(a.lo[*it])) d += " L" + xy(f.x(times[*it]), f.y(a.lo[*it]));
    }
    if (!d.empty()) svg += "<path d=\"" + d + " Z\" fill=\"" + a.color + "\" fill-opacity=\"0.18\" stroke=\"none\"/>";
  }
  for (const auto& l : c.levels) {
    const double y = f.y(l.y);
    svg += "<line x1=\"" + fmt("%.1f", f.left) + "\" x2=\"" + fmt("%.1f", f.width - f.right) + "\" y1=\"" +
           fmt("%.1f", y) + "\" y2=\"" + fmt("%.1f", y) + "\" stroke=\"#c00\" stroke-dasharray=\"4 3\"/>";
    svg += "<text x=\"" + fmt("%.1f", f.width - f.right - 4) + "\" y=\"" + fmt("%.1f", y - 4) +
           "\" text-anchor=\"end\" style=\"fill:#c00\">" + html_escape(l.label) + "</text>";
  }
  for (const auto& l : c.lines) {
    svg += "<path d=\"" + path_of(f, times, l.y, idx) + "\" fill=\"none\" stroke=\"" + l.color + "\" stroke-width=\"" +
           fmt("%.1f", l.width) + "\"" + (l.dashed ? " stroke-dasharray=\"5 3\"" : "") + "/>";
  }
  svg += "</svg>";
  return legend(c) + svg;
}

/// Traded value and cost of each rebalance as a share of the portfolio value,
/// as bars on the time axis; rebalances that share a pixel column add up.
std::string rebalance_bars(const PortfolioBacktest& p) {
  if (p.rebalances.empty() || p.times.empty()) return "<p class=\"note\">No rebalances.</p>";
  Frame f;
  f.width = 900;
  f.height = 180;
  f.t0 = p.times.front();
  f.t1 = p.times.back();
  const double plot = f.width - f.left - f.right;
  const auto columns = static_cast<std::size_t>(plot / 3) + 1;
  std::vector<double> traded(columns, 0.0), cost(columns, 0.0);
  for (const auto& r : p.rebalances) {
    if (!(r.value > 0)) continue;
    const auto col = std::min(columns - 1, static_cast<std::size_t>((f.x(r.at) - f.left) / 3));
    traded[col] += r.traded_value / r.value;
    cost[col] += r.cost / r.value;
  }
  const double top = *std::max_element(traded.begin(), traded.end());
  const double step = nice_step(top / 4);
  f.y0 = 0;
  f.y1 = std::max(step, std::ceil(top / step) * step);
  std::string svg = "<svg viewBox=\"0 0 900 180\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\">";
  for (double v = 0; v <= f.y1 + step / 2; v += step) {
    const double y = f.y(v);
    svg += "<line x1=\"" + fmt("%.1f", f.left) + "\" x2=\"" + fmt("%.1f", f.width - f.right) + "\" y1=\"" +
           fmt("%.1f", y) + "\" y2=\"" + fmt("%.1f", y) + "\" stroke=\"#eee\"/>";
    svg += "<text x=\"" + fmt("%.1f", f.left - 6) + "\" y=\"" + fmt("%.1f", y + 4) + "\" text-anchor=\"end\">" +
           fixed(100 * v, decimals_for(100 * step)) + "%</text>";
  }
  for (const auto& [t, label] : time_ticks(f.t0, f.t1)) {
    svg += "<text x=\"" + fmt("%.1f", f.x(t)) + "\" y=\"" + fmt("%.1f", f.height - 8) +
           "\" text-anchor=\"middle\">" + html_escape(label) + "</text>";
  }
  const double base = f.y(0);
  for (std::size_t col = 0; col < columns; ++col) {
    if (traded[col] <= 0 && cost[col] <= 0) continue;
    const double x = f.left + 3.0 * static_cast<double>(col);
    svg += "<rect x=\"" + fmt("%.1f", x) + "\" y=\"" + fmt("%.1f", f.y(traded[col])) + "\" width=\"2.4\" height=\"" +
           fmt("%.1f", base - f.y(traded[col])) + "\" fill=\"#1f77b4\"/>";
    if (cost[col] > 0) {
      svg += "<rect x=\"" + fmt("%.1f", x) + "\" y=\"" + fmt("%.1f", f.y(cost[col])) + "\" width=\"2.4\" height=\"" +
             fmt("%.1f", base - f.y(cost[col])) + "\" fill=\"#d62728\"/>";
    }
  }
  svg += "</svg>";
  return "<div class=\"legend\"><span><i class=\"area\" style=\"background:#1f77b4;opacity:1\"></i>traded value / "
         "portfolio value</span><span><i class=\"area\" style=\"background:#d62728;opacity:1\"></i>cost / portfolio "
         "value</span></div>" +
         svg;
}

// ------------------------------------------------------------ tables

std::string row(std::initializer_list<std::string> cells, bool header = false) {
  std::string out = "<tr>";
  for (const auto& c : cells) out += (header ? "<th>" : "<td>") + c + (header ? "</th>" : "</td>");
  return out + "</tr>";
}

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
      if (th->absolute) out += " absolute " + percent(*th->absolute);
      if (th->relative) out += " relative " + percent(*th->relative, 0) + " of target";
      if (th->total) out += " total " + percent(*th->total);
    } else if (const auto* cal = std::get_if<strategies::CalendarTrigger>(&t)) {
      out += "calendar every " + core::format_period(cal->every);
    } else if (const auto* vol = std::get_if<strategies::VolatilityTrigger>(&t)) {
      out += "volatility";
      if (vol->change) out += " change " + percent(*vol->change, 0);
      if (vol->min) out += " min " + percent(*vol->min);
      if (vol->max) out += " max " + percent(*vol->max);
    } else if (const auto* dyn = std::get_if<strategies::DynamicTrigger>(&t)) {
      out += "dynamic (risk aversion " + fixed(dyn->risk_aversion, 2) + ", " + fixed(dyn->cost_bps, 1) + " bps)";
    }
  }
  return out.empty() ? "none" : out;
}

std::string summary_table(const PortfolioBacktest& p, double risk_free_rate) {
  std::string out = "<table>";
  auto add = [&](const std::string& label, const std::string& value) {
    out += "<tr><td>" + html_escape(label) + "</td><td>" + html_escape(value) + "</td></tr>";
  };
  add("period", p.times.empty() ? "–" : date_of(p.times.front()) + " to " + date_of(p.times.back()));
  add("rows", std::to_string(p.times.size()));
  add("model", std::string(strategies::to_string(p.spec.model.kind)) + " (" + p.model_state + ")");
  add("triggers", describe_triggers(p.spec));
  add("rebalance to", p.spec.rebalance_to == strategies::RebalanceTo::target ? "target" : "band edge");
  add("start value", money(p.start_value));
  add("final value", money(p.final_value));
  add("total return", percent(p.stats.total_return));
  add("annualised return", percent(p.stats.annualised_return));
  add("annualised volatility", percent(p.stats.annualised_volatility));
  add("Sharpe ratio (risk-free " + percent(risk_free_rate) + ")", fixed(p.stats.sharpe_ratio, 2));
  add("max drawdown", percent(p.stats.drawdown.max) +
                          (p.times.empty() ? "" : " (" + date_of(p.times[p.stats.drawdown.peak]) + " to " +
                                                      date_of(p.times[p.stats.drawdown.trough]) + ")"));
  add("buy-and-hold: final value, return", p.buy_and_hold.empty() ? "–"
                                                                  : money(p.buy_and_hold.back()) + ", " +
                                                                        percent(p.buy_and_hold_stats.total_return));
  add("constant mix: final value", p.constant_mix.empty() ? "–" : money(p.constant_mix.back()));
  add("tracking error against the constant mix", percent(p.tracking_error));
  add("rebalances / orders", std::to_string(p.rebalances.size()) + " / " + std::to_string(p.orders.size()));
  add("traded value", money(p.traded_value));
  add("turnover (traded / average value)", percent(p.turnover));
  add("costs", money(p.costs));
  add("largest drift", percent(p.max_abs_drift));
  out += "</table>";
  // Targets at the end against the configured ones.
  out += "<table>" + row({"symbol", "configured target", "final target", "final weight", "final quantity"}, true);
  const std::size_t n = p.symbols.size();
  for (std::size_t i = 0; i < n; ++i) {
    const double w = p.times.empty() ? 0.0 : p.weights[(p.times.size() - 1) * n + i];
    out += row({html_escape(p.symbols[i]), percent(p.spec.assets[i].target), percent(p.final_targets[i]), percent(w),
                fixed(p.final_quantities[i], 4)});
  }
  const double cash_w = p.times.empty() || !(p.final_value > 0) ? 0.0 : p.final_cash / p.final_value;
  out += row({"cash", percent(p.spec.cash_target), percent(p.final_cash_target), percent(cash_w), money(p.final_cash)});
  return out + "</table>";
}

std::string rebalance_table(const PortfolioBacktest& p) {
  if (p.rebalances.empty()) return "";
  std::string out = "<table>" + row({"date", "reason", "why", "value", "traded", "turnover", "cost", "drift before",
                                     "orders"},
                                    true);
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
    out += "<tr><td>" + html_escape(date_of(r.at)) + "</td><td class=\"text\">" + html_escape(r.reason) +
           "</td><td class=\"text\">" + html_escape(r.detail) + "</td><td>" + money(r.value) + "</td><td>" +
           money(r.traded_value) + "</td><td>" + percent(r.value > 0 ? r.traded_value / r.value : 0.0) + "</td><td>" +
           money(r.cost) + "</td><td>" + percent(r.max_abs_drift) + "</td><td>" + std::to_string(r.orders) +
           "</td></tr>";
  }
  return out + "</table>";
}

// ------------------------------------------------------------ sections

std::string anchor(std::size_t index) { return "p" + std::to_string(index); }

std::string portfolio_section(const PortfolioBacktest& p, std::size_t index, double risk_free_rate) {
  std::string out = "<h2 id=\"" + anchor(index) + "\">Portfolio " + html_escape(p.spec.id) + "</h2>";
  out += summary_table(p, risk_free_rate);
  std::vector<core::TimeNs> marks;
  for (const auto& r : p.rebalances) marks.push_back(r.at);

  out += "<h3>Value</h3>";
  Chart value;
  value.lines.push_back({"portfolio", kPalette[0], p.values, false, 1.8});
  value.lines.push_back({"buy and hold", kPalette[1], p.buy_and_hold, false, 1.2});
  value.lines.push_back({"constant mix of the targets (no costs)", "#888", p.constant_mix, true, 1.2});
  value.marks = marks;
  out += render_chart(p.times, value);
  if (!marks.empty() && marks.size() <= kMaxMarks) out += "<p class=\"note\">Ticks on the time axis: rebalances.</p>";

  const std::size_t n = p.symbols.size();
  const std::size_t rows = p.times.size();
  const strategies::ThresholdTrigger* bands = first_threshold(p.spec);
  out += "<h3>Weights</h3>";
  out += bands ? "<p class=\"note\">Shaded: target ± the band of the threshold trigger.</p>"
               : "<p class=\"note\">No threshold trigger: no bands.</p>";
  out += "<div class=\"grid\">";
  for (std::size_t i = 0; i < n; ++i) {
    Chart c;
    c.width = 440;
    c.height = 170;
    c.axis = Axis::percent;
    c.from_zero = true;
    Line weight{p.symbols[i], kPalette[i % kPaletteSize], {}, false, 1.5};
    Line target{"target", "#444", {}, true, 1.0};
    Area band{"band", kPalette[i % kPaletteSize], {}, {}};
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
    if (bands) c.areas.push_back(std::move(band));
    out += "<div>" + render_chart(p.times, c) + "</div>";
  }
  out += "</div>";

  out += "<h3>Drift</h3><p class=\"note\">Largest |weight − target| at each row's prices, before its trades: what "
         "the triggers saw.</p>";
  Chart drift;
  drift.axis = Axis::percent;
  drift.from_zero = true;
  drift.height = 200;
  drift.lines.push_back({"max |w − t|", kPalette[3], p.drift, false, 1.2});
  if (bands && bands->absolute) drift.levels.push_back({*bands->absolute, "absolute band " + percent(*bands->absolute)});
  out += render_chart(p.times, drift);

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

std::vector<std::size_t> decimate(std::size_t n, const std::vector<std::span<const double>>& series,
                                  std::size_t max_points) {
  std::vector<std::size_t> idx;
  if (n <= max_points || n < 3) {
    idx.resize(n);
    for (std::size_t i = 0; i < n; ++i) idx[i] = i;
    return idx;
  }
  const std::size_t per_bucket = 2 * std::max<std::size_t>(series.size(), 1);
  const std::size_t buckets = std::max<std::size_t>(max_points / per_bucket, 1);
  idx.push_back(0);
  for (std::size_t b = 0; b < buckets; ++b) {
    const std::size_t from = 1 + (n - 2) * b / buckets;
    const std::size_t to = 1 + (n - 2) * (b + 1) / buckets;
    if (from >= to) continue;
    for (const auto& s : series) {
      std::size_t lo = from, hi = from;
      for (std::size_t i = from; i < to; ++i) {
        if (s[i] < s[lo]) lo = i;
        if (s[i] > s[hi]) hi = i;
      }
      idx.push_back(lo);
      idx.push_back(hi);
    }
    if (series.empty()) idx.push_back(from);
  }
  idx.push_back(n - 1);
  std::sort(idx.begin(), idx.end());
  idx.erase(std::unique(idx.begin(), idx.end()), idx.end());
  return idx;
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string backtest_report_html(const BacktestRun& run, const ReportInfo& info) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                    "<title>Ballast backtest</title><style>";
  out += kStyle;
  out += "</style></head><body>\n<h1>Ballast backtest</h1>";
  out += "<p class=\"meta\">Configuration " + html_escape(info.config_path) + ", prices " +
         html_escape(info.prices_path) + ", " + std::to_string(run.rows) + " rows. Orders fill at the row's price as the "
         "engine books them; returns are measured from the value before the first row's trades.</p>";
  if (run.portfolios.size() > 1) {
    out += "<table>" + row({"portfolio", "final value", "return", "annualised", "volatility", "Sharpe", "max drawdown",
                            "rebalances", "turnover", "costs"},
                           true);
    for (std::size_t i = 0; i < run.portfolios.size(); ++i) {
      const auto& p = run.portfolios[i];
      out += row({"<a href=\"#" + anchor(i) + "\">" + html_escape(p.spec.id) + "</a>", money(p.final_value),
                  percent(p.stats.total_return), percent(p.stats.annualised_return),
                  percent(p.stats.annualised_volatility), fixed(p.stats.sharpe_ratio, 2),
                  percent(p.stats.drawdown.max), std::to_string(p.rebalances.size()), percent(p.turnover),
                  money(p.costs)});
    }
    out += "</table>";
  }
  for (std::size_t i = 0; i < run.portfolios.size(); ++i) {
    out += "\n" + portfolio_section(run.portfolios[i], i, info.risk_free_rate);
  }
  out += "\n</body></html>\n";
  return out;
}

}  // namespace ballast::offline
