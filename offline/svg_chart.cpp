#include "offline/svg_chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace ballast::offline {
namespace {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string line_svg(double x1, double y1, double x2, double y2, std::string_view style) {
  return "<line x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) + "\" y2=\"" + num(y2) + "\" " +
         std::string(style) + "/>";
}

std::string text_svg(double x, double y, std::string_view anchor, std::string_view text, std::string_view extra = {}) {
  return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" text-anchor=\"" + std::string(anchor) + "\"" +
         std::string(extra) + ">" + html_escape(text) + "</text>";
}

/// Midnight UTC of the first day of `month` (may run past 12) of `year`.
core::TimeNs month_start(int year, int month) {
  year += (month - 1) / 12;
  month = (month - 1) % 12 + 1;
  return core::days_from_civil(year, static_cast<unsigned>(month), 1) * core::kNanosPerDay;
}

core::CivilDate civil_of(core::TimeNs t) {
  core::TimeNs days = t / core::kNanosPerDay;
  if (t % core::kNanosPerDay < 0) --days;
  return core::civil_from_days(days);
}

/// The labels of a value axis: money in thousands or millions when large.
std::vector<AxisTick> value_ticks(const Scale& s, ValueFormat format) {
  std::vector<AxisTick> out;
  const double largest = std::max(std::abs(s.lo), std::abs(s.hi));
  const double scale = format != ValueFormat::money ? 1 : largest >= 1e6 ? 1e6 : largest >= 1e4 ? 1e3 : 1;
  const char* suffix = scale == 1e6 ? "M" : scale == 1e3 ? "k" : "";
  for (const double t : s.ticks) {
    std::string label;
    switch (format) {
      case ValueFormat::money: label = report_fixed(t / scale, decimals_for(s.step / scale)) + suffix; break;
      case ValueFormat::percent: label = report_percent(t, decimals_for(100 * s.step)); break;
      case ValueFormat::signed_percent: label = report_signed_percent(t, decimals_for(100 * s.step)); break;
    }
    out.push_back({t, label});
  }
  return out;
}

/// A path through the chosen points; NaN lifts the pen.
std::string path_of(const PlotFrame& f, std::span<const core::TimeNs> t, std::span<const double> y,
                    const std::vector<std::size_t>& idx) {
  std::string d;
  bool pen_down = false;
  for (const std::size_t i : idx) {
    if (!std::isfinite(y[i])) {
      pen_down = false;
      continue;
    }
    d += pen_down ? " L" : (d.empty() ? "M" : " M");
    d += num(f.px(static_cast<double>(t[i]))) + "," + num(f.py(y[i]));
    pen_down = true;
  }
  return d;
}

/// The shaded area between lo and hi, one closed polygon per stretch without NaN.
std::string band_path(const PlotFrame& f, std::span<const core::TimeNs> t, const ChartBand& b,
                      const std::vector<std::size_t>& idx) {
  std::string d;
  std::vector<std::size_t> run;
  auto flush = [&] {
    if (run.size() >= 2) {
      for (std::size_t k = 0; k < run.size(); ++k) {
        d += (k == 0 ? (d.empty() ? "M" : " M") : " L") + num(f.px(static_cast<double>(t[run[k]]))) + "," +
             num(f.py(b.hi[run[k]]));
      }
      for (std::size_t k = run.size(); k-- > 0;) {
        d += " L" + num(f.px(static_cast<double>(t[run[k]]))) + "," + num(f.py(b.lo[run[k]]));
      }
      d += " Z";
    }
    run.clear();
  };
  for (const std::size_t i : idx) {
    if (std::isfinite(b.lo[i]) && std::isfinite(b.hi[i])) {
      run.push_back(i);
    } else {
      flush();
    }
  }
  flush();
  return d;
}

}  // namespace

Scale nice_scale(double lo, double hi, int ticks) {
  Scale s;
  if (!std::isfinite(lo) || !std::isfinite(hi) || lo > hi) {
    lo = 0;
    hi = 1;
  }
  if (hi - lo < 1e-12 * std::max(1.0, std::abs(hi))) {
    const double pad = hi != 0 ? std::abs(hi) * 0.01 : 1;
    lo -= pad;
    hi += pad;
  }
  const double raw = (hi - lo) / std::max(ticks, 1);
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  s.step = 10 * magnitude;
  for (const double m : {1.0, 2.0, 2.5, 5.0}) {
    if (m * magnitude >= raw * (1 - 1e-9)) {
      s.step = m * magnitude;
      break;
    }
  }
  s.lo = std::floor(lo / s.step + 1e-9) * s.step;
  s.hi = std::ceil(hi / s.step - 1e-9) * s.step;
  for (double t = s.lo; t <= s.hi + s.step * 1e-6; t += s.step) s.ticks.push_back(std::abs(t) < s.step * 1e-9 ? 0 : t);
  return s;
}

int decimals_for(double step) {
  if (!(step > 0)) return 0;
  // 2.5, 0.25, ... need one decimal more than their power of ten.
  for (int d = 0; d < 12; ++d) {
    const double scaled = step * std::pow(10.0, d);
    if (std::abs(scaled - std::round(scaled)) < 1e-6 * scaled) return d;
  }
  return 12;
}

double text_width(std::string_view text) {
  std::size_t chars = 0;
  for (const char c : text) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80;  // code points
  return 6.4 * static_cast<double>(chars);
}

std::string svg_begin(double width, double height, std::string_view label) {
  return "<svg width=\"" + num(width) + "\" height=\"" + num(height) + "\" viewBox=\"0 0 " + num(width) + " " +
         num(height) + "\" role=\"img\" aria-label=\"" + html_escape(label) +
         "\">";
}

std::string svg_axes(const PlotFrame& f, const std::vector<AxisTick>& x_ticks, const std::vector<AxisTick>& y_ticks,
                     std::string_view x_title, std::string_view y_title) {
  std::string out;
  for (const auto& t : y_ticks) {
    const double y = f.py(t.at);
    out += line_svg(f.left, y, f.plot_right(), y, "stroke=\"#e6e6e6\"");
    out += text_svg(f.left - 6, y + 4, "end", t.label);
  }
  for (const auto& t : x_ticks) {
    const double x = f.px(t.at);
    out += line_svg(x, f.plot_bottom(), x, f.plot_bottom() + 4, "stroke=\"#999\"");
    out += text_svg(x, f.plot_bottom() + 16, "middle", t.label);
  }
  out += line_svg(f.left, f.plot_bottom(), f.plot_right(), f.plot_bottom(), "stroke=\"#999\"");
  if (!x_title.empty()) out += text_svg(f.plot_right(), f.height - 2, "end", x_title, " class=\"title\"");
  if (!y_title.empty()) {
    const double cy = (f.top + f.plot_bottom()) / 2;
    out += "<text x=\"12\" y=\"" + num(cy) + "\" text-anchor=\"middle\" class=\"title\" transform=\"rotate(-90 12 " +
           num(cy) + ")\">" + html_escape(y_title) + "</text>";
  }
  return out;
}

std::vector<std::pair<core::TimeNs, std::string>> calendar_ticks(core::TimeNs t0, core::TimeNs t1, int max_ticks) {
  std::vector<std::pair<core::TimeNs, std::string>> ticks;
  max_ticks = std::max(max_ticks, 2);
  const double days = static_cast<double>(t1 - t0) / static_cast<double>(core::kNanosPerDay);
  const core::CivilDate start = civil_of(t0);
  char label[32];
  if (days > 62) {
    const double months = days / 30.44;
    int step = 120;
    for (const int s : {1, 2, 3, 6, 12, 24, 60, 120}) {
      if (months / s <= max_ticks) {
        step = s;
        break;
      }
    }
    int year = start.year;
    int month = static_cast<int>(start.month);
    if (step >= 12) {
      month = 1;
      year += 1;
      while (year % (step / 12) != 0) ++year;
    } else {
      ++month;  // the first month start after t0
      while ((month - 1) % step != 0) ++month;
    }
    for (core::TimeNs t = month_start(year, month); t <= t1; month += step, t = month_start(year, month)) {
      const core::CivilDate d = civil_of(t);
      if (step >= 12) std::snprintf(label, sizeof label, "%d", d.year);
      else std::snprintf(label, sizeof label, "%d-%02u", d.year, d.month);
      ticks.emplace_back(t, label);
    }
  } else if (days >= 2) {
    int step = 30;
    for (const int s : {1, 2, 5, 7, 14, 30}) {
      if (days / s <= max_ticks) {
        step = s;
        break;
      }
    }
    core::TimeNs day = t0 / core::kNanosPerDay + (t0 % core::kNanosPerDay > 0 ? 1 : 0);
    for (core::TimeNs t = day * core::kNanosPerDay; t <= t1; t += step * core::kNanosPerDay) {
      const core::CivilDate d = civil_of(t);
      std::snprintf(label, sizeof label, "%d-%02u-%02u", d.year, d.month, d.day);
      ticks.emplace_back(t, label);
    }
  } else if (t1 <= t0) {
    ticks.emplace_back(t0, report_date(t0));
  } else {
    const core::DurationNs span = t1 - t0;
    const int n = std::min(max_ticks, 4);
    for (int k = 0; k <= n; ++k) {
      const core::TimeNs t = t0 + span * k / n;
      ticks.emplace_back(t, report_date(t));
    }
  }
  return ticks;
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

std::vector<PlacedLabel> place_labels(const std::vector<std::pair<double, double>>& points,
                                      const std::vector<double>& widths, double radius, const LabelBox& bounds) {
  constexpr double kHeight = 13;  // the 11 px font's box
  constexpr double kGap = 4;
  std::vector<LabelBox> taken;
  for (const auto& [x, y] : points) taken.push_back({x - radius, y - radius, x + radius, y + radius});
  const auto inside = [&](const LabelBox& b) {
    return b.x0 >= bounds.x0 && b.x1 <= bounds.x1 && b.y0 >= bounds.y0 && b.y1 <= bounds.y1;
  };
  const auto free = [&](const LabelBox& b) {
    return std::none_of(taken.begin(), taken.end(), [&](const LabelBox& t) { return t.overlaps(b); });
  };
  std::vector<PlacedLabel> out;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const auto [x, y] = points[i];
    const double w = i < widths.size() ? widths[i] : 0;
    const double r = radius + kGap;
    // Top-left corners of the candidate boxes, nearest first.
    const std::pair<double, double> near[] = {
        {x + r, y - kHeight / 2},      {x - r - w, y - kHeight / 2}, {x - w / 2, y - r - kHeight},
        {x - w / 2, y + r},            {x + r, y - r - kHeight},     {x + r, y + r},
        {x - r - w, y - r - kHeight},  {x - r - w, y + r}};
    PlacedLabel placed;
    bool done = false;
    for (const auto& [bx, by] : near) {
      const LabelBox b{bx, by, bx + w, by + kHeight};
      if (inside(b) && free(b)) {
        placed.box = b;
        done = true;
        break;
      }
    }
    // Further away, up or down, on either side, with a leader line.
    for (int k = 1; !done && k < 60; ++k) {
      for (const double side : {x + r + 6, x - r - 6 - w}) {
        for (const double dy : {-k * (kHeight + 1), k * (kHeight + 1)}) {
          const LabelBox b{side, y - kHeight / 2 + dy, side + w, y + kHeight / 2 + dy};
          if (!done && inside(b) && free(b)) {
            placed.box = b;
            placed.leader = true;
            done = true;
          }
        }
      }
    }
    // Nowhere free: to the right, over whatever is there.
    if (!done) placed.box = {x + r, y - kHeight / 2, x + r + w, y + kHeight / 2};
    taken.push_back(placed.box);
    out.push_back(placed);
  }
  return out;
}

std::string legend_html(const std::vector<LegendEntry>& entries) {
  std::string out = "<div class=\"legend\">";
  for (const auto& e : entries) {
    std::string style = "background:" + e.color;
    if (e.swatch == Swatch::dashed) {
      style = "background:repeating-linear-gradient(90deg," + e.color + " 0 4px,transparent 4px 6px)";
    }
    const char* kind = e.swatch == Swatch::band ? " class=\"area\"" : e.swatch == Swatch::box ? " class=\"box\"" : "";
    out += "<span><i" + std::string(kind) + " style=\"" + style + "\"></i>" + html_escape(e.label) + "</span>";
  }
  return out + "</div>";
}

std::string time_chart_html(std::span<const core::TimeNs> times, const TimeChart& c) {
  if (times.empty()) return "<p class=\"note\">No rows.</p>";
  PlotFrame f;
  f.width = c.width;
  f.height = c.height;
  f.x.lo = static_cast<double>(times.front());
  f.x.hi = static_cast<double>(times.back());
  // One row: a day wide (a nanosecond would vanish in a double of epoch nanoseconds).
  if (!(f.x.hi > f.x.lo)) f.x.hi = f.x.lo + static_cast<double>(core::kNanosPerDay);

  std::vector<std::span<const double>> all;
  for (const auto& l : c.lines) all.emplace_back(l.y);
  for (const auto& b : c.bands) {
    all.emplace_back(b.lo);
    all.emplace_back(b.hi);
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
  if (c.include_zero) {
    lo = std::min(lo, 0.0);
    hi = std::max(hi, 0.0);
  }
  const int y_ticks = std::clamp(static_cast<int>((c.height - f.top - f.bottom) / 40), 2, 6);
  f.y = nice_scale(lo, hi, y_ticks);
  if (c.y_padding > 0 && hi > lo) {
    const double pad = (hi - lo) * c.y_padding;
    f.y.lo = lo - pad;
    f.y.hi = hi + pad;
    std::erase_if(f.y.ticks, [&](double t) { return t < f.y.lo || t > f.y.hi; });
  }

  std::vector<AxisTick> x_ticks;
  const int max_x = std::max(2, static_cast<int>((f.plot_right() - f.left) / 80));
  for (const auto& [t, label] : calendar_ticks(times.front(), times.back(), max_x)) {
    x_ticks.push_back({static_cast<double>(t), label});
  }

  std::string svg = svg_begin(c.width, c.height, c.label);
  svg += svg_axes(f, x_ticks, value_ticks(f.y, c.format), "", c.y_title);
  if (c.marks.size() <= kMaxMarks) {
    for (const core::TimeNs t : c.marks) {
      const double x = f.px(static_cast<double>(t));
      svg += line_svg(x, f.plot_bottom() - 6, x, f.plot_bottom(), "stroke=\"#888\"");
    }
  }
  const std::vector<std::size_t> idx = decimate(times.size(), all, kMaxChartPoints);
  for (const auto& b : c.bands) {
    const std::string d = band_path(f, times, b, idx);
    if (!d.empty()) {
      svg += "<path d=\"" + d + "\" fill=\"" + b.color + "\" fill-opacity=\"" + num(b.opacity) + "\" stroke=\"none\"/>";
    }
  }
  for (const auto& l : c.levels) {
    const double y = f.py(l.y);
    svg += line_svg(f.left, y, f.plot_right(), y, "stroke=\"" + l.color + "\" stroke-dasharray=\"4 3\"");
    if (!l.label.empty()) {
      svg += text_svg(f.plot_right() - 4, y - 4, "end", l.label, " style=\"fill:" + l.color + "\"");
    }
  }
  for (const auto& l : c.lines) {
    const std::string d = path_of(f, times, l.y, idx);
    if (d.empty()) continue;
    svg += "<path d=\"" + d + "\" fill=\"none\" stroke=\"" + l.color + "\" stroke-width=\"" + num(l.width) + "\"" +
           (l.dashed ? " stroke-dasharray=\"5 3\"" : "") + " stroke-linejoin=\"round\"/>";
  }
  svg += "</svg>";
  if (!c.legend) return svg;
  std::vector<LegendEntry> entries;
  for (const auto& l : c.lines) entries.push_back({l.label, l.color, l.dashed ? Swatch::dashed : Swatch::line});
  for (const auto& b : c.bands) {
    if (!b.label.empty()) entries.push_back({b.label, b.color, Swatch::band});
  }
  return legend_html(entries) + svg;
}

}  // namespace ballast::offline
