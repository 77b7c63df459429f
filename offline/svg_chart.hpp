#pragma once
// Charts for the HTML reports as inline SVG: axes on round ticks, a calendar
// time axis, axis titles, lines that break at gaps, shaded bands, reference
// levels, and the thinning of long series. Pure string building.
//
// Every chart is drawn at its own size in CSS pixels (width and height
// attributes) and scales down only on screens narrower than that, so its text
// stays the page's size.
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/time.hpp"
#include "offline/report_html.hpp"

namespace ballast::offline {

/// An axis over [lo, hi] widened to ticks 1, 2, 2.5 or 5 × 10^k apart, about
/// `ticks` of them. A range of one value is widened around it.
struct Scale {
  double lo = 0, hi = 1, step = 1;
  std::vector<double> ticks;
};
Scale nice_scale(double lo, double hi, int ticks = 5);

/// Decimals that tell apart values `step` apart.
int decimals_for(double step);

/// About how wide `text` is in the charts' 11 px font, in pixels.
double text_width(std::string_view text);

/// A plot area inside an SVG of width × height: data to pixels.
struct PlotFrame {
  double width = kReportContentWidth, height = 240;
  double left = 72, right = 16, top = 12, bottom = 30;
  Scale x, y;
  double px(double v) const { return left + (v - x.lo) / (x.hi - x.lo) * (width - left - right); }
  double py(double v) const { return height - bottom - (v - y.lo) / (y.hi - y.lo) * (height - top - bottom); }
  double plot_right() const { return width - right; }
  double plot_bottom() const { return height - bottom; }
};

struct AxisTick {
  double at = 0;
  std::string label;
};

/// `<svg width height viewBox xmlns role aria-label>`; close it with "</svg>".
std::string svg_begin(double width, double height, std::string_view label);
/// Horizontal grid lines with the y labels at the left; x labels under the
/// plot; the x axis; and the titles — x under its labels at the right end, y
/// turned along the left edge. An empty title is left out.
std::string svg_axes(const PlotFrame& f, const std::vector<AxisTick>& x_ticks, const std::vector<AxisTick>& y_ticks,
                     std::string_view x_title, std::string_view y_title);

/// Tick marks of the calendar in [t0, t1]: years, months or days, as many as
/// fit `max_ticks`, each labelled ("2006", "2006-04", "2006-04-03").
std::vector<std::pair<core::TimeNs, std::string>> calendar_ticks(core::TimeNs t0, core::TimeNs t1, int max_ticks);

/// Indices into series of length `n` to draw, in increasing order: the first
/// and last, and in each of about max_points / (2 × series) equal stretches
/// the lowest and highest point of every series. All indices when n ≤ max_points.
std::vector<std::size_t> decimate(std::size_t n, const std::vector<std::span<const double>>& series,
                                  std::size_t max_points);

/// Where to write the labels of points so that no label covers another label
/// or a point, and each stays inside `bounds` when it can.
struct LabelBox {
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;  ///< pixels; y grows downwards
  bool overlaps(const LabelBox& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
};
struct PlacedLabel {
  LabelBox box;         ///< the text's box; write it at (box.x0, box.y1 − 3), anchored at the start
  bool leader = false;  ///< set when the label sits away from its point: draw a line to it
};
/// One label per point, in the points' order. Each tries the places next to
/// its point (right, left, above, below, then the corners); when all are
/// taken, the nearest free place further up or down, with a leader line.
/// `widths` are the texts' widths in pixels; `radius` the points' size.
std::vector<PlacedLabel> place_labels(const std::vector<std::pair<double, double>>& points,
                                      const std::vector<double>& widths, double radius, const LabelBox& bounds);

// ------------------------------------------------------------ charts over time

enum class ValueFormat {
  money,           ///< 950, 12.5k, 1.2M
  percent,         ///< 12%
  signed_percent,  ///< +1.5%, −2%
};

/// A series to draw as a line; NaN breaks it.
struct ChartLine {
  std::string label;
  std::string color;
  std::vector<double> y;
  bool dashed = false;
  double width = 1.5;
};

/// A shaded area between two series; NaN in either leaves a gap.
struct ChartBand {
  std::string label;
  std::string color;
  std::vector<double> lo;
  std::vector<double> hi;
  double opacity = 0.18;
};

/// A dashed horizontal reference line, labelled at its right end.
struct ChartLevel {
  double y = 0;
  std::string label;
  std::string color = "#c00";
};

struct TimeChart {
  double width = kReportContentWidth;
  double height = 240;
  ValueFormat format = ValueFormat::money;
  std::string y_title;
  std::string label;          ///< what the chart shows, for screen readers
  bool include_zero = false;  ///< the y axis reaches 0
  /// When > 0, the y axis spans the data's range widened by this fraction of
  /// itself at each end, with round ticks inside, instead of reaching out to
  /// round ticks: a close-up in which what lies on the edges stays clear of the frame.
  double y_padding = 0;
  std::vector<ChartLine> lines;
  std::vector<ChartBand> bands;
  std::vector<ChartLevel> levels;
  std::vector<core::TimeNs> marks;  ///< short ticks above the time axis (rebalances); none past kMaxMarks
  bool legend = true;
};

/// Rebalance marks are drawn up to this many; beyond, they would be a smear.
inline constexpr std::size_t kMaxMarks = 300;
/// About this many points per chart: smooth at page width, small on disk.
inline constexpr std::size_t kMaxChartPoints = 1000;

/// The legend (an HTML line, when asked for) and the SVG of `c` over `times`;
/// every series has times.size() values. Series are thinned to about
/// kMaxChartPoints, keeping each stretch's highs and lows.
std::string time_chart_html(std::span<const core::TimeNs> times, const TimeChart& c);

/// How a legend entry's swatch looks: as the chart draws the series.
enum class Swatch { line, dashed, band, box };
/// An HTML legend: a swatch and a label per entry.
struct LegendEntry {
  std::string label;
  std::string color;
  Swatch swatch = Swatch::line;
};
std::string legend_html(const std::vector<LegendEntry>& entries);

}  // namespace ballast::offline
