// The pieces of the reports' charts: round axes, calendar ticks, thinning,
// labels that keep clear of each other, and charts over time with gaps.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "offline/svg_chart.hpp"
#include "tests/offline/html_checks.hpp"

namespace test_svg_chart {

using namespace ballast;
using namespace ballast::offline;
using ballast::offline::testing::count_of;
using ballast::offline::testing::svg_problems;

namespace {

core::TimeNs date(int y, unsigned m, unsigned d) { return core::days_from_civil(y, m, d) * core::kNanosPerDay; }

}  // namespace

TEST_CASE("an axis reaches out to round ticks 1, 2, 2.5 or 5 × 10^k apart") {
  const Scale a = nice_scale(0.998e6, 1.104e6, 5);
  CHECK(a.step == doctest::Approx(25'000));
  CHECK(a.lo == doctest::Approx(0.975e6));
  CHECK(a.hi == doctest::Approx(1.125e6));
  CHECK(a.ticks.size() == 7);
  const Scale b = nice_scale(-0.0062, 0.0033, 5);
  CHECK(b.step == doctest::Approx(0.002));
  CHECK(b.lo == doctest::Approx(-0.008));
  CHECK(b.hi == doctest::Approx(0.004));
  CHECK(std::find(b.ticks.begin(), b.ticks.end(), 0.0) != b.ticks.end());  // an exact 0, not 1e-18
  // A single value, or nothing usable, still gives an axis.
  const Scale flat = nice_scale(100, 100, 5);
  CHECK(flat.lo < 100);
  CHECK(flat.hi > 100);
  const Scale none = nice_scale(NAN, NAN, 5);
  CHECK(none.lo == 0);
  CHECK(none.hi == 1);
}

TEST_CASE("tick labels carry the decimals their step needs") {
  CHECK(decimals_for(1) == 0);
  CHECK(decimals_for(50) == 0);
  CHECK(decimals_for(0.5) == 1);
  CHECK(decimals_for(2.5) == 1);
  CHECK(decimals_for(0.25) == 2);
  CHECK(decimals_for(0.002) == 3);
}

TEST_CASE("calendar ticks fall on month and year starts, as many as fit") {
  // 2005-10-31 to 2007-04-11: 17 months; eight ticks at most → every 3 months.
  const auto t = calendar_ticks(date(2005, 10, 31), date(2007, 4, 11), 8);
  REQUIRE(t.size() == 6);
  CHECK(t.front().first == date(2006, 1, 1));
  CHECK(t.front().second == "2006-01");
  CHECK(t.back().second == "2007-04");
  // Room for three: every 6 months.
  const auto few = calendar_ticks(date(2005, 10, 31), date(2007, 4, 11), 3);
  REQUIRE(few.size() == 3);
  CHECK(few[0].second == "2006-01");
  CHECK(few[1].second == "2006-07");
  // Ten years: year starts.
  const auto years = calendar_ticks(date(2000, 3, 1), date(2010, 3, 1), 12);
  CHECK(years.front().second == "2001");
  CHECK(years.back().second == "2010");
  // A month: days.
  const auto days = calendar_ticks(date(2026, 2, 1), date(2026, 2, 28), 6);
  CHECK(days.front().second == "2026-02-01");
  CHECK(days.size() <= 6);
  // One instant: one tick.
  const auto one = calendar_ticks(date(2026, 2, 1), date(2026, 2, 1), 6);
  REQUIRE(one.size() == 1);
  CHECK(one[0].second == "2026-02-01");
}

TEST_CASE("decimation keeps the ends and every stretch's highs and lows") {
  const std::vector<double> few{1, 2, 3};
  CHECK(decimate(3, {few}, 1000) == std::vector<std::size_t>{0, 1, 2});

  std::vector<double> y(100'000);
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = std::sin(static_cast<double>(i) / 500);
  y[54'321] = 10;   // a spike
  y[77'777] = -10;  // and a crash
  const auto idx = decimate(y.size(), {y}, 1000);
  CHECK(idx.size() <= 1002);
  CHECK(idx.size() > 500);
  CHECK(idx.front() == 0);
  CHECK(idx.back() == y.size() - 1);
  CHECK(std::is_sorted(idx.begin(), idx.end()));
  CHECK(std::find(idx.begin(), idx.end(), 54'321) != idx.end());
  CHECK(std::find(idx.begin(), idx.end(), 77'777) != idx.end());
}


TEST_CASE("labels take a free place next to their point and never cover another label or point") {
  // Five points, three of them crowded into a corner, as a frontier chart can have them.
  const std::vector<std::pair<double, double>> points{{100, 280}, {105, 270}, {108, 276}, {112, 262}, {400, 50}};
  const std::vector<double> widths{60, 40, 70, 30, 50};
  const LabelBox bounds{72, 12, 480, 290};
  const auto labels = place_labels(points, widths, 5, bounds);
  REQUIRE(labels.size() == points.size());
  for (std::size_t i = 0; i < labels.size(); ++i) {
    CAPTURE(i);
    const LabelBox& b = labels[i].box;
    CHECK(b.x1 - b.x0 == doctest::Approx(widths[i]));
    CHECK(b.x0 >= bounds.x0);
    CHECK(b.x1 <= bounds.x1);
    CHECK(b.y0 >= bounds.y0);
    CHECK(b.y1 <= bounds.y1);
    for (std::size_t j = 0; j < labels.size(); ++j) {
      if (j != i) CHECK_FALSE(b.overlaps(labels[j].box));
      const LabelBox dot{points[j].first - 5, points[j].second - 5, points[j].first + 5, points[j].second + 5};
      CHECK_FALSE(b.overlaps(dot));
    }
  }
  // A point alone gets its label right beside it, with no leader line.
  CHECK_FALSE(labels[4].leader);
  CHECK(labels[4].box.x0 > 400);
  CHECK(labels[4].box.x0 < 412);
  CHECK(std::abs((labels[4].box.y0 + labels[4].box.y1) / 2 - 50) < 1);
}

TEST_CASE("a chart over time: legend, lines that break at NaN, and nothing drawn from NaN") {
  const std::vector<core::TimeNs> t{date(2026, 1, 5), date(2026, 2, 5), date(2026, 3, 5), date(2026, 4, 6)};
  TimeChart c;
  c.label = "test chart";
  c.format = ValueFormat::signed_percent;
  c.include_zero = true;
  c.levels.push_back({0, "zero"});
  c.lines.push_back({"one", "#123456", {0.01, NAN, 0.02, -0.01}});
  c.bands.push_back({"band", "#654321", {-0.01, -0.01, NAN, -0.01}, {0.03, 0.03, NAN, 0.03}});
  const std::string html = time_chart_html(t, c);
  CHECK(svg_problems(html) == "");
  CHECK(html.find("<div class=\"legend\">") == 0);
  CHECK(html.find("one</span>") != std::string::npos);
  CHECK(html.find("band</span>") != std::string::npos);
  // The line is two pieces; the band one polygon (a stretch of one point draws nothing).
  const std::size_t line = html.find("stroke=\"#123456\"");
  REQUIRE(line != std::string::npos);
  const std::size_t d = html.rfind("<path d=\"", line);
  CHECK(count_of(html.substr(d, line - d), "M") == 2);
  CHECK(count_of(html, " Z\"") == 1);
  // Signed percent labels, and the level at zero.
  CHECK(html.find(">+2%</text>") != std::string::npos);
  CHECK(html.find(">0%</text>") != std::string::npos);
  CHECK(html.find(">zero</text>") != std::string::npos);
  CHECK(html.find("aria-label=\"test chart\"") != std::string::npos);
  // No rows: a note, no chart.
  CHECK(time_chart_html({}, c).find("<svg") == std::string::npos);
}

TEST_CASE("the well-formedness check finds what would break a chart") {
  CHECK(svg_problems("<svg width=\"1\" height=\"1\" viewBox=\"0 0 1 1\"><line x1=\"0\"/></svg>").empty());
  CHECK_FALSE(svg_problems("<svg width=\"1\" height=\"1\" viewBox=\"0 0 1 1\"><g></svg>").empty());
  CHECK_FALSE(svg_problems("<svg width=\"1\" height=\"1\" viewBox=\"0 0 1 1\"></g></svg>").empty());
  CHECK_FALSE(svg_problems("<svg width=\"1\" height=\"1\" viewBox=\"0 0 1 1\"><path d=\"M0,-nan\"/></svg>").empty());
  CHECK_FALSE(svg_problems("<svg width=\"1\" height=\"1\" viewBox=\"0 0 1 1\"><line x1=\"inf\"/></svg>").empty());
  CHECK_FALSE(svg_problems("<svg viewBox=\"0 0 1 1\"></svg>").empty());
  CHECK_FALSE(svg_problems("<svg width=\"1\" height=\"1\" viewBox=\"0 0 1 1\"><text x=\"1>a</text></svg>").empty());
  CHECK_FALSE(svg_problems("<svg width=\"1\" height=\"1\" viewBox=\"0 0 1 1\">").empty());
  CHECK_FALSE(ballast::offline::testing::external_references("<a href=\"https://x\">").empty());
  CHECK(ballast::offline::testing::external_references("<a href=\"#p0\">").empty());
}

}  // namespace test_svg_chart
