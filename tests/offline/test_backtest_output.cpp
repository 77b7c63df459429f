// What `ballast backtest` prints and writes: the JSON summary, the orders CSV
// and the table.
#include <doctest/doctest.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "feeds/price_table.hpp"
#include "offline/backtest.hpp"
#include "offline/backtest_output.hpp"

namespace test_backtest_output {

using namespace ballast;
using namespace ballast::offline;

namespace {

constexpr const char* kTwoPortfolios = R"(
[[portfolios]]
id = "ab"
holdings = { A = 50, B = 50 }
targets = { A = 0.5, B = 0.5 }
[[portfolios.triggers]]
kind = "threshold"
absolute = 0.05

[[portfolios]]
id = "hold"
holdings = { A = 10 }
targets = { A = 1.0 }
)";

/// The prices of the three-row case of the backtest tests, a month apart so
/// that the annualised figures stay ordinary numbers: one rebalance of `ab`,
/// on the last row.
constexpr const char* kThreeRows = "date,A,B\n2026-01-05,100,100\n2026-02-05,110,100\n2026-03-05,130,90\n";

BacktestRun run_of(const std::string& toml, const std::string& csv, std::size_t keep = 99) {
  auto loaded = config::parse_config(toml, "test.toml", config::Purpose::offline);
  REQUIRE(loaded.config);
  auto specs = loaded.config->portfolios;
  if (specs.size() > keep) specs.resize(keep);
  auto prices = feeds::parse_price_table(csv, "test.csv");
  REQUIRE(prices.ok());
  BacktestRun run = run_backtest(specs, prices.table);
  REQUIRE(run.ok());
  return run;
}

double number(simdjson::dom::element e) {
  if (e.is_int64()) return static_cast<double>(int64_t(e));
  if (e.is_uint64()) return static_cast<double>(uint64_t(e));
  return double(e);
}

}  // namespace

TEST_CASE("one portfolio: the JSON summary is its object, with the SPEC fields") {
  const std::string json = backtest_json(run_of(kTwoPortfolios, kThreeRows, 1), 0.0);
  simdjson::dom::parser parser;
  const simdjson::dom::element doc = parser.parse(json);
  CHECK(std::string_view(doc["id"]) == "ab");
  CHECK(number(doc["final_value"]) == 11000);
  CHECK(number(doc["start_value"]) == 10000);
  CHECK(number(doc["rebalances"]) == 1);
  CHECK(number(doc["orders"]) == 2);
  CHECK(number(doc["turnover"]) == doctest::Approx(2030.0 / 10500));
  CHECK(number(doc["costs"]) == 0);
  for (const char* part : {"commission", "spread", "slippage", "impact"}) CHECK(number(doc["cost_breakdown"][part]) == 0);
  CHECK(number(doc["max_abs_drift"]) == doctest::Approx(1.0 / 11));
  const simdjson::dom::array dates = doc["rebalance_dates"];
  REQUIRE(dates.size() == 1);
  CHECK(std::string_view(dates.at(0)) == "2026-03-05T00:00:00.000Z");
  CHECK(number(doc["rebalances_by_reason"]["threshold"]) == 1);
  CHECK(number(doc["total_return"]) == doctest::Approx(0.10));
  // 59 days: 1.1^(365.25/59) − 1 = 0.8049. The standard deviation of two
  // returns is their difference / √2, annualised by √(2 · 365.25/59) = 3.5187.
  CHECK(number(doc["annualised_return"]) == doctest::Approx(std::pow(1.1, 365.25 / 59) - 1));
  CHECK(number(doc["annualised_volatility"]) ==
        doctest::Approx(std::abs(std::log(1.05) - std::log(11000.0 / 10500)) / std::sqrt(2) * std::sqrt(2 * 365.25 / 59)));
  CHECK(number(doc["sharpe_ratio"]) ==
        doctest::Approx(number(doc["annualised_return"]) / number(doc["annualised_volatility"])));
  CHECK(number(doc["tracking_error"]) ==
        doctest::Approx(std::abs(std::log(11000.0 / 10500) - std::log(0.5 * 1.3 / 1.1 + 0.45)) / std::sqrt(2) *
                        std::sqrt(2 * 365.25 / 59)));
  CHECK(number(doc["max_drawdown"]) == 0);
  CHECK(number(doc["buy_and_hold"]["final_value"]) == 11000);
  CHECK(number(doc["final_targets"]["A"]) == 0.5);
  CHECK(number(doc["final_weights"]["B"]) == doctest::Approx(5490.0 / 11000));
  CHECK(number(doc["final_quantities"]["A"]) == 42);
  CHECK(number(doc["final_cash"]) == 50);
  CHECK(std::string_view(doc["start"]) == "2026-01-05T00:00:00.000Z");
  CHECK(std::string_view(doc["end"]) == "2026-03-05T00:00:00.000Z");
  CHECK(doc["portfolios"].error() == simdjson::NO_SUCH_FIELD);
}

TEST_CASE("several portfolios: {\"portfolios\": [...]}, each with its id") {
  const std::string json = backtest_json(run_of(kTwoPortfolios, kThreeRows), 0.01);
  simdjson::dom::parser parser;
  const simdjson::dom::element doc = parser.parse(json);
  const simdjson::dom::array list = doc["portfolios"];
  REQUIRE(list.size() == 2);
  CHECK(std::string_view(list.at(0)["id"]) == "ab");
  CHECK(std::string_view(list.at(1)["id"]) == "hold");
  CHECK(number(list.at(1)["rebalances"]) == 0);
  CHECK(simdjson::dom::array(list.at(1)["rebalance_dates"]).size() == 0);
  CHECK(number(list.at(1)["final_value"]) == 1300);
  CHECK(number(list.at(1)["risk_free_rate"]) == 0.01);
}

TEST_CASE("figures that cannot be computed are null in the JSON") {
  // Two rows: one return, so no volatility and no Sharpe ratio.
  const std::string json = backtest_json(run_of(kTwoPortfolios, "date,A,B\n2026-01-05,100,100\n2026-01-06,101,99\n", 1), 0);
  simdjson::dom::parser parser;
  const simdjson::dom::element doc = parser.parse(json);
  CHECK(doc["annualised_volatility"].is_null());
  CHECK(doc["sharpe_ratio"].is_null());
  CHECK(doc["tracking_error"].is_null());
  CHECK_FALSE(doc["total_return"].is_null());
}

TEST_CASE("the orders CSV: one line per order with the price it was booked at") {
  const std::string csv = orders_csv(run_of(kTwoPortfolios, kThreeRows));
  CHECK(csv ==
        "order_id,portfolio,rebalance_id,time,symbol,side,quantity,price,reason\n"
        "ab-20260305-000001,ab,ab-20260305-000001,2026-03-05T00:00:00.000Z,A,sell,8,130,threshold\n"
        "ab-20260305-000002,ab,ab-20260305-000001,2026-03-05T00:00:00.000Z,B,buy,11,90,threshold\n");
}

TEST_CASE("the table has a column per portfolio") {
  const std::string text = backtest_table(run_of(kTwoPortfolios, kThreeRows));
  // The cells of the line that starts with `label`, split at runs of two or more spaces.
  auto cells = [&](const std::string& label) {
    const std::size_t at = text.find("\n" + label + " ");
    REQUIRE(at != std::string::npos);
    std::string line = text.substr(at + 1 + label.size(), text.find('\n', at + 1) - at - 1 - label.size());
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && line[i] == ' ') ++i;
      const std::size_t end = line.find("  ", i);
      if (i < line.size()) out.push_back(line.substr(i, end == std::string::npos ? std::string::npos : end - i));
      i = end == std::string::npos ? line.size() : end;
    }
    return out;
  };
  CHECK(text.rfind("portfolio ", 0) == 0);
  CHECK(cells("final value") == std::vector<std::string>{"11000.00", "1300.00"});
  CHECK(cells("rebalances") == std::vector<std::string>{"1", "0"});
  CHECK(cells("total return") == std::vector<std::string>{"10.00%", "30.00%"});
  CHECK(cells("turnover") == std::vector<std::string>{"19.33%", "0.00%"});
  CHECK(cells("max drift") == std::vector<std::string>{"9.09%", "0.00%"});
}

}  // namespace test_backtest_output
