// The real `ballast backtest` on files: what it prints, what it writes, and
// how it refuses bad input.
#include <doctest/doctest.h>
#include <simdjson.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/integration/support.hpp"

namespace test_backtest_cli {

using namespace ballast::testing;

namespace {

constexpr const char* kOnePortfolio = R"(
[[portfolios]]
id = "ab"
holdings = { A = 50, B = 50 }
targets = { A = 0.5, B = 0.5 }
[[portfolios.triggers]]
kind = "threshold"
absolute = 0.05
)";

constexpr const char* kTwoPortfolios = R"(
[[portfolios]]
id = "ab"
holdings = { A = 50, B = 50 }
targets = { A = 0.5, B = 0.5 }
[[portfolios.triggers]]
kind = "threshold"
absolute = 0.05

[[portfolios]]
id = "monthly"
cash = 1000.0
targets = { A = 0.3, B = 0.7 }
lot_sizes = { A = 0.01, B = 0.01 }
[[portfolios.triggers]]
kind = "calendar"
every = "1mo"
)";

constexpr const char* kPrices =
    "date,A,B\n2026-01-05,100,100\n2026-02-05,110,100\n2026-03-05,130,90\n2026-04-06,120,95\n";

RunResult backtest(const std::vector<std::string>& args) { return run_command(BALLAST_CLI_PATH, args); }

}  // namespace

TEST_CASE("backtest --json, one portfolio: the summary object") {
  TempDir dir;
  dir.write("b.toml", kOnePortfolio);
  dir.write("p.csv", kPrices);
  const auto r = backtest({"backtest", "--config", dir.file("b.toml"), "--prices", dir.file("p.csv"), "--json"});
  INFO(r.output);
  REQUIRE(r.code == 0);
  simdjson::dom::parser parser;
  const simdjson::dom::element doc = parser.parse(r.output);
  CHECK(std::string_view(doc["id"]) == "ab");
  // Rebalanced on 2026-03-05 to 42 A, 61 B and 50 cash (see the backtest tests): 42·120 + 61·95 + 50.
  CHECK(num(doc["final_value"]) == doctest::Approx(10885));
  CHECK(num(doc["buy_and_hold"]["final_value"]) == doctest::Approx(50 * 120 + 50 * 95));
  CHECK(num(doc["rebalances"]) == 1);
  CHECK(num(doc["orders"]) == 2);
  CHECK(num(doc["turnover"]) > 0);
  CHECK(num(doc["costs"]) == 0);
  CHECK(num(doc["max_abs_drift"]) == doctest::Approx(1.0 / 11));
  const simdjson::dom::array dates = doc["rebalance_dates"];
  REQUIRE(dates.size() == 1);
  CHECK(std::string_view(dates.at(0)) == "2026-03-05T00:00:00.000Z");
  for (const char* field : {"annualised_return", "annualised_volatility", "sharpe_ratio", "max_drawdown",
                            "tracking_error"}) {
    CHECK_MESSAGE(doc[field].is_number(), field);
  }
  CHECK(num(doc["final_targets"]["A"]) == 0.5);
}

TEST_CASE("backtest --json, several portfolios: {\"portfolios\": [...]}; --orders and --report write their files") {
  TempDir dir;
  dir.write("b.toml", kTwoPortfolios);
  dir.write("p.csv", kPrices);
  const auto r = backtest({"backtest", "--config", dir.file("b.toml"), "--prices", dir.file("p.csv"), "--json",
                           "--orders", dir.file("orders.csv"), "--report", dir.file("report.html"), "--risk-free",
                           "0.02"});
  INFO(r.output);
  REQUIRE(r.code == 0);
  simdjson::dom::parser parser;
  const simdjson::dom::element doc = parser.parse(r.output);
  const simdjson::dom::array list = doc["portfolios"];
  REQUIRE(list.size() == 2);
  CHECK(std::string_view(list.at(0)["id"]) == "ab");
  CHECK(std::string_view(list.at(1)["id"]) == "monthly");
  CHECK(num(list.at(1)["risk_free_rate"]) == 0.02);
  // The monthly portfolio starts in cash and buys on its first calendar date.
  CHECK(num(list.at(1)["rebalances"]) >= 1);
  const std::size_t orders = static_cast<std::size_t>(num(list.at(0)["orders"]) + num(list.at(1)["orders"]));

  const std::string csv = dir.read("orders.csv");
  CHECK(csv.rfind("order_id,portfolio,rebalance_id,time,symbol,side,quantity,price,reason\n", 0) == 0);
  CHECK(static_cast<std::size_t>(std::count(csv.begin(), csv.end(), '\n')) == orders + 1);
  CHECK(csv.find(",ab,") != std::string::npos);
  CHECK(csv.find(",monthly,") != std::string::npos);
  CHECK(csv.find(",calendar\n") != std::string::npos);

  const std::string html = dir.read("report.html");
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html.find("<svg") != std::string::npos);
  CHECK(html.find("<script") == std::string::npos);
}

TEST_CASE("backtest without --json prints a table") {
  TempDir dir;
  dir.write("b.toml", kTwoPortfolios);
  dir.write("p.csv", kPrices);
  const auto r = backtest({"backtest", "--config", dir.file("b.toml"), "--prices", dir.file("p.csv")});
  INFO(r.output);
  REQUIRE(r.code == 0);
  CHECK(r.output.find("4 rows") != std::string::npos);
  CHECK(r.output.find("final value") != std::string::npos);
  CHECK(r.output.find("monthly") != std::string::npos);
}

TEST_CASE("backtest runs the daemon's own example configuration") {
  const std::string examples = BALLAST_EXAMPLES;
  const auto r = backtest({"backtest", "--config", examples + "/strategies.toml", "--prices",
                           examples + "/lpp2005_prices.csv", "--json"});
  INFO(r.output.substr(0, 2000));
  REQUIRE(r.code == 0);
  simdjson::dom::parser parser;
  const simdjson::dom::element doc = parser.parse(r.output);
  const simdjson::dom::array list = doc["portfolios"];
  CHECK(list.size() == 6);
  for (const auto p : list) CHECK(num(p["final_value"]) > 0);
}

TEST_CASE("backtest refuses bad input with a message and a nonzero exit, never a crash") {
  TempDir dir;
  dir.write("b.toml", kOnePortfolio);
  dir.write("p.csv", kPrices);
  const std::string config = dir.file("b.toml");
  const std::string prices = dir.file("p.csv");

  SUBCASE("a configuration that does not validate: 78, located") {
    dir.write("bad.toml", "[[portfolios]]\nid = \"x\"\ntargets = { A = 0.5, B = 0.6 }\ncolour = 1\n");
    const auto r = backtest({"backtest", "--config", dir.file("bad.toml"), "--prices", prices});
    CHECK(r.code == 78);
    CHECK(r.output.find(dir.file("bad.toml") + ":4:1:") != std::string::npos);
    CHECK(r.output.find("colour") != std::string::npos);
    CHECK(r.output.find("2 problems") != std::string::npos);
  }
  SUBCASE("a configuration file that is not there: 78") {
    const auto r = backtest({"backtest", "--config", dir.file("none.toml"), "--prices", prices});
    CHECK(r.code == 78);
    CHECK(r.output.find("none.toml") != std::string::npos);
  }
  SUBCASE("a configuration without portfolios: 78") {
    dir.write("empty.toml", "[daemon]\nlog_level = \"info\"\n");
    const auto r = backtest({"backtest", "--config", dir.file("empty.toml"), "--prices", prices});
    CHECK(r.code == 78);
    CHECK(r.output.find("no [[portfolios]]") != std::string::npos);
  }
  SUBCASE("a prices file that is not there: 1") {
    const auto r = backtest({"backtest", "--config", config, "--prices", dir.file("none.csv")});
    CHECK(r.code == 1);
    CHECK(r.output.find(dir.file("none.csv") + ": cannot open") != std::string::npos);
  }
  SUBCASE("a malformed prices file: 1, with the line") {
    dir.write("bad.csv", "date,A,B\n2026-01-05,100,100\n2026-01-06,abc,100\n");
    const auto r = backtest({"backtest", "--config", config, "--prices", dir.file("bad.csv")});
    CHECK(r.code == 1);
    CHECK(r.output.find(dir.file("bad.csv") + ":3: column 2 (A): unparseable number 'abc'") != std::string::npos);
  }
  SUBCASE("a portfolio symbol missing from the prices: 1") {
    dir.write("a_only.csv", "date,A,C\n2026-01-05,100,100\n2026-01-06,101,100\n");
    const auto r = backtest({"backtest", "--config", config, "--prices", dir.file("a_only.csv"), "--json"});
    CHECK(r.code == 1);
    CHECK(r.output.find("portfolio ab: symbol B has no column in the prices") != std::string::npos);
  }
  SUBCASE("a risk history that cannot be read: 1") {
    dir.write("risk.toml", std::string(kOnePortfolio) + "[portfolios.risk]\nhistory = \"missing.csv\"\n");
    const auto r = backtest({"backtest", "--config", dir.file("risk.toml"), "--prices", prices});
    CHECK(r.code == 1);
    CHECK(r.output.find("portfolio ab: risk history") != std::string::npos);
    CHECK(r.output.find("missing.csv") != std::string::npos);
  }
  SUBCASE("an orders file that cannot be written: 1") {
    const auto r = backtest({"backtest", "--config", config, "--prices", prices, "--orders",
                             dir.file("no/such/dir/orders.csv")});
    CHECK(r.code == 1);
    CHECK(r.output.find("cannot open for writing") != std::string::npos);
  }
  SUBCASE("a missing flag or a bad value: usage, 2") {
    CHECK(backtest({"backtest", "--config", config}).code == 2);
    CHECK(backtest({"backtest", "--config", config, "--prices", prices, "--risk-free", "lots"}).code == 2);
  }
}

}  // namespace test_backtest_cli
