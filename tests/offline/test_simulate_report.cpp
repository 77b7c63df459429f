// The Monte Carlo HTML report, from a result made by hand: the summary's
// short headings and their legend, frontier charts with axis titles and
// labels that do not overlap, every policy's charts, well-formed SVG and
// nothing fetched. No pixels.
#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "offline/simulate_report.hpp"
#include "offline/svg_chart.hpp"
#include "tests/offline/html_checks.hpp"

namespace test_simulate_report {

using namespace ballast;
using namespace ballast::offline;
using ballast::offline::testing::count_of;
using ballast::offline::testing::external_references;
using ballast::offline::testing::svg_problems;

namespace {

PolicyResult policy(const std::string& id, double tracking_error, double cost_per_year, double turnover) {
  PolicyResult p;
  p.id = id;
  p.start_value = 1'000'000;
  p.terminal_mean = 1'300'000;
  p.terminal = {900'000, 1'100'000, 1'260'000, 1'450'000, 1'850'000};
  p.annual_return = 0.05;
  p.annual_volatility = 0.1;
  p.sharpe = 0.3;
  p.max_drawdown = 0.17;
  p.tracking_error = tracking_error;
  p.turnover = turnover;
  p.cost_per_year = cost_per_year;
  p.costs = cost_per_year * 5 * 1e6;
  p.rebalances_per_year = 12;
  for (int k = 0; k < 200; ++k) p.terminal_wealth.push_back(800'000 + 6'000.0 * k);
  for (int j = 0; j <= 10; ++j) {
    const double g = 1 + 0.03 * j;
    p.fan.push_back({9e5 * g, 9.5e5 * g, 1e6 * g, 1.05e6 * g, 1.1e6 * g});
  }
  return p;
}

/// Five policies, four of them crowded near the origin of both frontiers, as in the example.
SimulationResult crowded() {
  SimulationResult r;
  r.paths = 200;
  r.clock.steps = 1260;
  for (int j = 0; j <= 10; ++j) r.fan_steps.push_back(static_cast<std::size_t>(126 * j));
  r.policies.push_back(policy("monthly", 0.0015, 0.00042, 0.267));
  r.policies.push_back(policy("bands", 0.0057, 0.00013, 0.03));
  r.policies.push_back(policy("hold", 0.0104, 0.0, 0.0));
  r.policies.push_back(policy("insured", 0.0431, 0.00171, 1.653));
  r.policies.push_back(policy("costaware", 0.0041, 0.00016, 0.045));
  r.policies[3].model = strategies::ModelKind::cppi;
  return r;
}

std::string_view chart(std::string_view html, std::string_view label) {
  const std::size_t at = html.find("aria-label=\"" + std::string(label));
  if (at == std::string_view::npos) return {};
  const std::size_t from = html.rfind("<svg", at);
  return html.substr(from, html.find("</svg>", at) + 6 - from);
}

struct Text {
  double x = 0, y = 0;
  std::string text;
};

/// The <text> elements of an SVG that have neither an anchor nor a transform: the point labels.
std::vector<Text> start_anchored_texts(std::string_view svg) {
  std::vector<Text> out;
  for (std::size_t at = svg.find("<text x=\""); at != std::string_view::npos; at = svg.find("<text x=\"", at + 1)) {
    const std::size_t end = svg.find('>', at);
    const std::string_view tag = svg.substr(at, end - at);
    if (tag.find("text-anchor") != std::string_view::npos || tag.find("transform") != std::string_view::npos) continue;
    Text t;
    t.x = std::stod(std::string(tag.substr(9)));
    t.y = std::stod(std::string(tag.substr(tag.find("y=\"") + 3)));
    t.text = std::string(svg.substr(end + 1, svg.find("</text>", end) - end - 1));
    out.push_back(t);
  }
  return out;
}

}  // namespace

TEST_CASE("the summary has short headings and a legend of what they mean") {
  const std::string html = simulation_report_html(crowded(), {"sim.toml", "", 0, 1, "5y", 0.02});
  for (const char* heading : {"<th>policy</th>", "<th>start</th>", "<th>mean</th>", "<th>p5</th>", "<th>p50</th>",
                              "<th>p95</th>", "<th>return</th>", "<th>vol</th>", "<th>Sharpe</th>",
                              "<th>max DD</th>", "<th>TE</th>", "<th>turnover</th>", "<th>costs</th>",
                              "<th>rebal.</th>"}) {
    CHECK(html.find(heading) != std::string::npos);
  }
  CHECK(html.find("value at the horizon</th>") != std::string::npos);
  for (const char* unit :
       {"<dt>max DD</dt>", "<dt>TE</dt>", "<dt>turnover</dt>", "<dt>costs</dt>", "<dt>rebal.</dt>"}) {
    CHECK(html.find(unit) != std::string::npos);
  }
  // A row: the model under the id, money whole, percentages as the headings say.
  CHECK(html.find("insured<small>cppi</small>") != std::string::npos);
  CHECK(html.find("<td>1,000,000</td><td>1,300,000</td><td>900,000</td>") != std::string::npos);
  CHECK(html.find("<td>0.171%</td>") != std::string::npos);
}

TEST_CASE("the frontier charts have axis titles and labels that keep clear of each other and the points") {
  const SimulationResult r = crowded();
  const std::string html = simulation_report_html(r, {"sim.toml", "", 0, 1, "5y", 0.02});
  for (const char* title : {"costs a year, share of value", "turnover a year, share of value"}) {
    CAPTURE(title);
    const std::string_view svg = chart(html, std::string("Tracking error against ") + title);
    REQUIRE_FALSE(svg.empty());
    CHECK(svg.find(std::string(">") + title + "</text>") != std::string_view::npos);
    CHECK(svg.find(">tracking error a year</text>") != std::string_view::npos);
    CHECK(count_of(svg, "<circle") == 5);
    const auto labels = start_anchored_texts(svg);
    REQUIRE(labels.size() == 5);
    for (std::size_t i = 0; i < labels.size(); ++i) {
      const LabelBox a{labels[i].x, labels[i].y - 10, labels[i].x + text_width(labels[i].text), labels[i].y + 3};
      CHECK(a.x1 <= (kReportContentWidth - 16) / 2.0);
      for (std::size_t j = i + 1; j < labels.size(); ++j) {
        const LabelBox b{labels[j].x, labels[j].y - 10, labels[j].x + text_width(labels[j].text), labels[j].y + 3};
        CAPTURE(labels[i].text);
        CAPTURE(labels[j].text);
        CHECK_FALSE(a.overlaps(b));
      }
    }
  }
}

TEST_CASE("every policy has its fan chart and histogram, all well-formed, nothing fetched") {
  const SimulationResult r = crowded();
  const std::string html = simulation_report_html(r, {"sim<1>.toml", "", 0, 1, "5y", 0.02});
  for (const auto& p : r.policies) {
    CAPTURE(p.id);
    CHECK_FALSE(chart(html, "Value of " + p.id + " over time").empty());
    CHECK_FALSE(chart(html, "Value of " + p.id + " at the horizon").empty());
  }
  CHECK(count_of(html, "<svg") == 2 + 2 * r.policies.size());
  CHECK(svg_problems(html) == "");
  CHECK(external_references(html) == "");
  CHECK(html.find("sim&lt;1&gt;.toml") != std::string::npos);
  // The histograms share one scale, and so do the fan charts: the same y labels in each.
  const auto y_labels = [](std::string_view svg) {
    std::vector<std::string> out;
    for (std::size_t at = svg.find("text-anchor=\"end\">"); at != std::string_view::npos;
         at = svg.find("text-anchor=\"end\">", at + 1)) {
      const std::size_t from = at + 18;
      out.emplace_back(svg.substr(from, svg.find("</text>", from) - from));
    }
    return out;
  };
  CHECK(y_labels(chart(html, "Value of monthly at the horizon")).size() >= 3);
  CHECK(y_labels(chart(html, "Value of monthly at the horizon")) ==
        y_labels(chart(html, "Value of insured at the horizon")));
  CHECK(y_labels(chart(html, "Value of monthly over time")) == y_labels(chart(html, "Value of insured over time")));
}

}  // namespace test_simulate_report
