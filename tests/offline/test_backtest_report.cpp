// The backtest's HTML report: every chart there and well-formed, nothing
// fetched, and the figures of its tables by hand. No pixels.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "feeds/price_table.hpp"
#include "offline/backtest.hpp"
#include "offline/backtest_report.hpp"
#include "offline/metrics.hpp"
#include "tests/offline/html_checks.hpp"

namespace test_backtest_report {

using namespace ballast;
using namespace ballast::offline;
using ballast::offline::testing::count_of;
using ballast::offline::testing::external_references;
using ballast::offline::testing::svg_problems;

namespace {

/// `ab` trades once, on the last row, and pays commission and half-spreads;
/// `hold` never trades.
constexpr const char* kTwoPortfolios = R"(
[[portfolios]]
id = "ab"
holdings = { A = 50, B = 50 }
targets = { A = 0.5, B = 0.5 }
costs = { commission_bps = 10, half_spread_bps = 50 }
[[portfolios.triggers]]
kind = "threshold"
absolute = 0.05

[[portfolios]]
id = "hold"
holdings = { A = 10 }
targets = { A = 1.0 }
)";

/// Three rows a month apart. `ab` sells 8 A at 130 and buys 11 B at 90 on the
/// last: traded 1040 + 990 = 2030; commission 1.04 + 0.99 = 2.03, spread
/// 8 · 0.65 + 11 · 0.45 = 10.15, so costs 12.18 and a final value of 10987.82
/// (the backtest tests work these out in full).
constexpr const char* kThreeRows = "date,A,B\n2026-01-05,100,100\n2026-02-05,110,100\n2026-03-05,130,90\n";

BacktestRun run_of(const std::string& toml, const std::string& csv) {
  auto loaded = config::parse_config(toml, "test.toml", config::Purpose::offline);
  REQUIRE(loaded.config);
  auto prices = feeds::parse_price_table(csv, "test.csv");
  REQUIRE(prices.ok());
  BacktestRun run = run_backtest(loaded.config->portfolios, prices.table);
  REQUIRE(run.ok());
  return run;
}

/// The SVG whose aria-label starts with `label`; empty when there is none.
std::string_view chart(std::string_view html, std::string_view label) {
  const std::size_t at = html.find("aria-label=\"" + std::string(label));
  if (at == std::string_view::npos) return {};
  const std::size_t from = html.rfind("<svg", at);
  return html.substr(from, html.find("</svg>", at) + 6 - from);
}

/// The cells after the first of the table row whose first cell reads `first` (after any swatch).
std::vector<std::string> row_cells(std::string_view html, std::string_view first) {
  std::vector<std::string> cells;
  const std::size_t at = html.find("</i>" + std::string(first) + "</td>");
  const std::size_t plain = html.find("<td>" + std::string(first) + "</td>");
  const std::size_t found = at != std::string_view::npos ? at : plain;
  if (found == std::string_view::npos) return cells;
  const std::size_t end = html.find("</tr>", found);
  for (std::size_t c = html.find("<td", found + 1); c < end; c = html.find("<td", c + 1)) {
    const std::size_t open = html.find('>', c) + 1;
    cells.emplace_back(html.substr(open, html.find("</td>", open) - open));
  }
  return cells;
}

}  // namespace

TEST_CASE("the report is one page of well-formed inline SVG, nothing fetched, text escaped") {
  const BacktestRun run = run_of(kTwoPortfolios, kThreeRows);
  const std::string html = backtest_report_html(run, {"conf<ig>&.toml", "prices.csv", 0});
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html.ends_with("</body></html>\n"));
  CHECK(svg_problems(html) == "");
  CHECK(external_references(html) == "");
  CHECK(html.find("conf&lt;ig&gt;&amp;.toml") != std::string::npos);
  CHECK(html.find("conf<ig>") == std::string::npos);
  CHECK(html.find("Portfolio ab") != std::string::npos);
  CHECK(html.find("Portfolio hold") != std::string::npos);
  // The rebalance, with its reason and why.
  CHECK(html.find("A drift +0.0909 beyond absolute limit 0.0500") != std::string::npos);
}

TEST_CASE("every chart is there: the overview's and each portfolio's") {
  const BacktestRun run = run_of(kTwoPortfolios, kThreeRows);
  const std::string html = backtest_report_html(run, {"c.toml", "p.csv", 0});
  CHECK_FALSE(chart(html, "Value of every portfolio relative to buy-and-hold").empty());
  CHECK_FALSE(chart(html, "Costs by component, per portfolio").empty());
  for (const std::string id : {"ab", "hold"}) {
    CAPTURE(id);
    CHECK_FALSE(chart(html, "Value of " + id + " against buy-and-hold and the constant mix").empty());
    CHECK_FALSE(chart(html, "Value of " + id + " and of the constant mix relative to buy-and-hold").empty());
    CHECK_FALSE(chart(html, "Drawdown of " + id).empty());
    CHECK_FALSE(chart(html, "Weight of A in " + id).empty());
    CHECK_FALSE(chart(html, "Largest drift of " + id).empty());
  }
  CHECK_FALSE(chart(html, "Weight of B in ab").empty());
  CHECK_FALSE(chart(html, "Turnover and costs of each rebalance of ab").empty());
  CHECK(chart(html, "Turnover and costs of each rebalance of hold").empty());  // it never trades
  // 2 in the overview; value, relative, drawdown, 2 weights, drift and rebalances
  // for ab; value, relative, drawdown, 1 weight and drift for hold.
  CHECK(count_of(html, "<svg") == 2 + 7 + 5);
  CHECK(count_of(html, "</svg>") == 2 + 7 + 5);
  // The relative chart has a line per portfolio.
  CHECK(count_of(chart(html, "Value of every portfolio relative"), "<path d=\"M") == 2);
}

TEST_CASE("the overview compares each portfolio with its buy-and-hold and splits its costs") {
  const BacktestRun run = run_of(kTwoPortfolios, kThreeRows);
  const auto& ab = run.portfolios[0];
  // Relative to buy-and-hold, from the value before the first row's trades:
  // 10000 / 10000, 10500 / 10500, 10987.82 / 11000 → 0, 0, −0.0011073.
  const std::vector<double> rel = relative_to(measured_values(ab), ab.buy_and_hold);
  REQUIRE(rel.size() == 3);
  CHECK(rel[0] == 0);
  CHECK(rel[1] == 0);
  CHECK(rel[2] == doctest::Approx(10987.82 / 11000 - 1));

  const std::string html = backtest_report_html(run, {"c.toml", "p.csv", 0});
  // final value, return, vs buy-and-hold, ...
  const auto overview = row_cells(html, "<a href=\"#p0\">ab</a>");
  REQUIRE(overview.size() >= 3);
  CHECK(overview[0] == "10,987.82");
  CHECK(overview[1] == "9.88%");
  CHECK(overview[2] == "−0.11%");
  // Costs: commission 2.03, spread 10.15, nothing else; 12.18 of 2030 traded is 60 bps.
  const auto costs = row_cells(html, "ab");
  REQUIRE(costs.size() == 7);
  CHECK(costs[0] == "2.03");
  CHECK(costs[1] == "10.15");
  CHECK(costs[2] == "0.00");
  CHECK(costs[3] == "0.00");
  CHECK(costs[4] == "12.18");
  CHECK(costs[5] == "60.0 bps");
  CHECK(costs[6] == "2,030.00");
  // The bars: commission and spread for ab; hold paid nothing.
  const std::string_view bars = chart(html, "Costs by component");
  CHECK(bars.find("ab: commission 2.03") != std::string_view::npos);
  CHECK(bars.find("ab: spread 10.15") != std::string_view::npos);
  CHECK(bars.find("slippage") == std::string_view::npos);
  CHECK(bars.find("hold: ") == std::string_view::npos);
}

TEST_CASE("monthly and yearly returns, by hand") {
  const std::string html = backtest_report_html(run_of(kTwoPortfolios, kThreeRows), {"c.toml", "p.csv", 0});
  // ab: January 10000 → 10000, February → 10500 (+5.0%), March → 10987.82 (+4.6%);
  // 2026 +9.88%; its buy-and-hold 10000 → 11000, +10.00%.
  const std::size_t ab = html.find("<h2 id=\"p0\"");
  const std::size_t hold = html.find("<h2 id=\"p1\"");
  REQUIRE(ab != std::string::npos);
  REQUIRE(hold != std::string::npos);
  const auto ab_months = row_cells(std::string_view(html).substr(ab, hold - ab), "2026");
  REQUIRE(ab_months.size() == 14);  // 12 months, the year, buy-and-hold's year
  CHECK(ab_months[0] == "0.0%");
  CHECK(ab_months[1] == "+5.0%");
  CHECK(ab_months[2] == "+4.6%");
  for (std::size_t m = 3; m < 12; ++m) CHECK(ab_months[m].empty());
  CHECK(ab_months[12] == "+9.88%");
  CHECK(ab_months[13] == "+10.00%");
  // hold: 10 A at 100, 110, 130: +10.0%, then 1300 / 1100 = +18.2%; the year +30.00%.
  const auto hold_months = row_cells(std::string_view(html).substr(hold), "2026");
  REQUIRE(hold_months.size() == 14);
  CHECK(hold_months[1] == "+10.0%");
  CHECK(hold_months[2] == "+18.2%");
  CHECK(hold_months[12] == "+30.00%");
  // The overview's calendar-year table.
  const auto years = row_cells(html.substr(html.find("Calendar-year returns")), "hold");
  REQUIRE(years.size() == 2);
  CHECK(years[0] == "+30.00%");
  CHECK(years[1] == "+30.00%");
}

TEST_CASE("a weight chart zooms to its target and band, not 0 to 100%") {
  const std::string html = backtest_report_html(run_of(kTwoPortfolios, kThreeRows), {"c.toml", "p.csv", 0});
  // A's target 50% ± 5%; its weights 50%, 52.4%, 49.x% lie inside the band.
  const std::string_view a = chart(html, "Weight of A in ab");
  REQUIRE_FALSE(a.empty());
  CHECK(a.find(">45%</text>") != std::string_view::npos);
  CHECK(a.find(">55%</text>") != std::string_view::npos);
  CHECK(a.find(">0%</text>") == std::string_view::npos);
  CHECK(a.find(">100%</text>") == std::string_view::npos);
  CHECK(a.find(">40%</text>") == std::string_view::npos);
  // hold has no band: 100% of A all along, so the chart is a close-up around it.
  const std::string_view h = chart(html, "Weight of A in hold");
  CHECK(h.find(">0%</text>") == std::string_view::npos);
}

TEST_CASE("a backtest of one row makes a page whose charts are still well-formed") {
  // And a portfolio that starts in cash, so that it trades on that row.
  const BacktestRun run = run_of(std::string(kTwoPortfolios) + R"(
[[portfolios]]
id = "cash"
cash = 10000.0
targets = { A = 0.5, B = 0.5 }
[[portfolios.triggers]]
kind = "threshold"
absolute = 0.05
)",
                                 "date,A,B\n2026-01-05,100,100\n");
  REQUIRE(run.portfolios[2].rebalances.size() == 1);
  const std::string html = backtest_report_html(run, {"c.toml", "p.csv", 0});
  CHECK_FALSE(chart(html, "Turnover and costs of each rebalance of cash").empty());
  CHECK(svg_problems(html) == "");
  CHECK(external_references(html) == "");
}

TEST_CASE("an asset's band is the narrower of the absolute and relative limits") {
  using strategies::ThresholdTrigger;
  CHECK(band_half_width(ThresholdTrigger{0.05, std::nullopt, std::nullopt}, 0.6) == 0.05);
  CHECK(band_half_width(ThresholdTrigger{std::nullopt, 0.25, std::nullopt}, 0.6) == doctest::Approx(0.15));
  CHECK(band_half_width(ThresholdTrigger{0.05, 0.25, std::nullopt}, 0.6) == 0.05);
  CHECK(band_half_width(ThresholdTrigger{0.05, 0.25, std::nullopt}, 0.1) == doctest::Approx(0.025));
  CHECK_FALSE(band_half_width(ThresholdTrigger{std::nullopt, std::nullopt, 0.05}, 0.6).has_value());
}

TEST_CASE("a long backtest still makes a small page") {
  // 20,000 hourly rows of two independent random walks, a 1% band: many rebalances.
  std::string csv = "ts,A,B\n";
  std::mt19937 rng(7);
  auto step = [&] { return 1 + 0.02 * (static_cast<double>(rng()) / 4294967296.0 - 0.5); };
  double a = 100, b = 100;
  for (int r = 0; r < 20'000; ++r) {
    a *= step();
    b *= step();
    csv += std::to_string(1'700'000'000 + r * 3600) + "," + std::to_string(a) + "," + std::to_string(b) + "\n";
  }
  const BacktestRun run = run_of(R"(
[[portfolios]]
id = "ab"
holdings = { A = 50, B = 50 }
targets = { A = 0.5, B = 0.5 }
lot_sizes = { A = 0.01, B = 0.01 }
[[portfolios.triggers]]
kind = "threshold"
absolute = 0.01
)",
                                 csv);
  REQUIRE(run.portfolios[0].rebalances.size() > 300);
  const std::string html = backtest_report_html(run, {"c.toml", "p.csv", 0});
  MESSAGE("report of 20,000 rows and " << run.portfolios[0].rebalances.size() << " rebalances: " << html.size()
                                       << " bytes");
  CHECK(html.size() < 400'000);
  CHECK(svg_problems(html) == "");
  CHECK(html.find("more rebalances") != std::string::npos);
}

}  // namespace test_backtest_report
