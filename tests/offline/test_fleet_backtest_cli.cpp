// The real `ballast backtest --accounts` on files: the fleet's figures, beside
// the portfolios', and how it refuses bad accounts files.
#include <doctest/doctest.h>

#include "tests/offline/fleet_fixture.hpp"
#include <simdjson.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/integration/support.hpp"

namespace test_fleet_backtest_cli {

using namespace ballast::testing;

namespace {

// The model of tests/offline/test_fleet_backtest.cpp, beside one portfolio.
const std::string kConfig = R"(
[[portfolios]]
id = "solo"
holdings = { A = 50, B = 50 }
targets = { A = 0.5, B = 0.5 }
[[portfolios.triggers]]
kind = "threshold"
absolute = 0.05
)" + std::string(ballast::offline::test::kFleetModel);

RunResult backtest(const std::vector<std::string>& args) { return run_command(BALLAST_CLI_PATH, args); }

}  // namespace

TEST_CASE("backtest --accounts --json: the portfolios and the fleet, with the block saving") {
  TempDir dir;
  dir.write("b.toml", kConfig);
  dir.write("p.csv", ballast::offline::test::kFleetPrices);
  dir.write("accounts.csv", ballast::offline::test::kFleetAccounts);
  const auto r = backtest({"backtest", "--config", dir.file("b.toml"), "--prices", dir.file("p.csv"), "--accounts",
                           dir.file("accounts.csv"), "--json"});
  INFO(r.output);
  REQUIRE(r.code == 0);
  simdjson::dom::parser parser;
  const simdjson::dom::element doc = parser.parse(r.output);
  const simdjson::dom::array portfolios = doc["portfolios"];
  REQUIRE(portfolios.size() == 1);
  CHECK(std::string_view(portfolios.at(0)["id"]) == "solo");

  const simdjson::dom::element fleet = doc["fleet"];
  CHECK(std::string_view(fleet["id"]) == "fleet");
  CHECK(num(fleet["accounts"]) == 2);
  CHECK(num(fleet["rows"]) == 3);
  CHECK(num(fleet["window_seconds"]) == 1);
  CHECK(num(fleet["rebalances"]) == 2);
  CHECK(num(fleet["block_orders"]) == 2);
  CHECK(num(fleet["allocations"]) == 4);
  CHECK(num(fleet["traded_value"]) == doctest::Approx(3000));
  CHECK(num(fleet["costs"]["blocks"]["commission"]) == doctest::Approx(3));
  CHECK(num(fleet["costs"]["blocks"]["orders"]) == 2);
  CHECK(num(fleet["costs"]["separate"]["commission"]) == doctest::Approx(4));
  CHECK(num(fleet["costs"]["separate"]["orders"]) == 4);
  CHECK(num(fleet["costs"]["saving"]["commission"]) == doctest::Approx(1));
  CHECK(num(fleet["costs"]["saving"]["total"]) == doctest::Approx(1));
  CHECK(num(fleet["costs"]["saving"]["orders"]) == 2);
  CHECK(num(fleet["start_value"]) == 24000);
  CHECK(num(fleet["final_value"]) == 27000);
  CHECK(num(fleet["final_value_after_costs"]) == doctest::Approx(27000 - 6));
  CHECK(num(fleet["total_return"]) == doctest::Approx(0.125));
  CHECK(num(fleet["max_drawdown"]) == 0);
  CHECK(fleet["annualised_volatility"].is_number());
  CHECK(num(fleet["drift"]["breaching"]) == 0);
  CHECK(simdjson::dom::array(fleet["drift"]["histogram"]).size() == 6);
  const simdjson::dom::array series = fleet["value_series"];
  REQUIRE(series.size() == 3);
  CHECK(std::string_view(series.at(1)["time"]) == "2026-01-06T00:00:00.000Z");
  CHECK(num(series.at(1)["value"]) == 27000);
  const simdjson::dom::array models = fleet["models"];
  REQUIRE(models.size() == 1);
  CHECK(std::string_view(models.at(0)["id"]) == "ab");
  CHECK(num(models.at(0)["accounts"]) == 2);
  CHECK(num(models.at(0)["costs"]["saving"]["total"]) == doctest::Approx(1));
  // No rates, no lots in the records, no harvesting: nothing taxed, nothing compared.
  CHECK(models.at(0)["tax_rates"].is_null());
  CHECK(num(models.at(0)["tax_paid"]) == 0);
  CHECK(num(fleet["after_tax_value"]) == 27000);
  CHECK(num(fleet["harvests"]) == 0);
  CHECK(fleet["without_harvesting"].is_null());
  CHECK(fleet["tax_alpha"].is_null());
  CHECK(fleet["tax_alpha_liquidated"].is_null());
}

TEST_CASE("backtest --accounts with a harvesting model: the taxes, the run without harvesting and the tax alpha") {
  TempDir dir;
  dir.write("h.toml", ballast::offline::test::kHarvestModel);
  dir.write("p.csv", ballast::offline::test::kHarvestPrices);
  dir.write("accounts.csv", ballast::offline::test::kHarvestAccounts);
  const std::vector<std::string> args{"backtest", "--config", dir.file("h.toml"), "--prices", dir.file("p.csv"),
                                      "--accounts", dir.file("accounts.csv")};
  auto json_args = args;
  json_args.push_back("--json");
  const auto r = backtest(json_args);
  INFO(r.output);
  REQUIRE(r.code == 0);
  simdjson::dom::parser parser;
  const simdjson::dom::element fleet = parser.parse(r.output)["fleet"];
  // The figures of tests/offline/test_fleet_tax.cpp, worked by hand there.
  CHECK(num(fleet["harvests"]) == 1);
  CHECK(num(fleet["switches_back"]) == 0);
  CHECK(fleet["tax_rates"].is_null());
  const simdjson::dom::element m = simdjson::dom::array(fleet["models"]).at(0);
  CHECK(num(m["tax_rates"]["short_term"]) == 0.35);
  CHECK(num(m["tax_rates"]["long_term"]) == 0.15);
  CHECK(num(m["realised_gains"]["short_term"]) == doctest::Approx(-2000));
  CHECK(num(m["realised_gains"]["long_term"]) == 0);
  CHECK(num(m["tax_paid"]) == doctest::Approx(-700));
  CHECK(num(m["unrealised_gains"]["long_term"]) == doctest::Approx(7000));
  CHECK(num(m["liquidation_tax"]) == doctest::Approx(1050));
  CHECK(num(m["after_tax_value"]) == doctest::Approx(15700));
  CHECK(num(m["after_tax_liquidation_value"]) == doctest::Approx(14650));
  CHECK(num(m["after_tax_annualised_return"]) == doctest::Approx(std::pow(1.57, 0.25) - 1));
  CHECK(num(m["after_tax_liquidation_annualised_return"]) == doctest::Approx(std::pow(1.465, 0.25) - 1));
  CHECK(num(m["without_harvesting"]["final_value"]) == 15000);
  CHECK(num(m["without_harvesting"]["tax_paid"]) == 0);
  CHECK(num(m["without_harvesting"]["liquidation_tax"]) == doctest::Approx(750));
  CHECK(num(m["without_harvesting"]["after_tax_liquidation_value"]) == doctest::Approx(14250));
  CHECK(num(m["tax_alpha"]) == doctest::Approx(std::pow(1.57, 0.25) - std::pow(1.5, 0.25)));
  CHECK(num(m["tax_alpha_liquidated"]) == doctest::Approx(std::pow(1.465, 0.25) - std::pow(1.425, 0.25)));
  CHECK(num(fleet["tax_alpha"]) == doctest::Approx(num(m["tax_alpha"])));

  auto report_args = args;
  report_args.insert(report_args.end(), {"--report", dir.file("report.html")});
  const auto table = backtest(report_args);
  INFO(table.output);
  REQUIRE(table.code == 0);
  CHECK(table.output.find("tax paid") != std::string::npos);
  CHECK(table.output.find("tax alpha liquidated") != std::string::npos);
  CHECK(table.output.find("1.27%") != std::string::npos);  // the tax alpha
  CHECK(table.output.find("1 harvests, 0 switches back") != std::string::npos);
  const std::string html = dir.read("report.html");
  CHECK(html.find("<h3>Taxes</h3>") != std::string::npos);
  CHECK(html.find("+1.27%") != std::string::npos);
}

TEST_CASE("backtest --accounts with a models-only config: a table, block orders in --orders, a fleet section in --report") {
  TempDir dir;
  dir.write("b.toml", ballast::offline::test::kFleetMinimumOnly);
  dir.write("p.csv", ballast::offline::test::kFleetPrices);
  dir.write("accounts.jsonl",
            "{\"id\":\"a1\",\"model\":\"ab\",\"cash\":0,\"holdings\":{\"A\":40,\"B\":40}}\n"
            "{\"id\":\"a2\",\"model\":\"ab\",\"cash\":0,\"holdings\":{\"A\":80,\"B\":80}}\n");
  const auto r = backtest({"backtest", "--config", dir.file("b.toml"), "--prices", dir.file("p.csv"), "--accounts",
                           dir.file("accounts.jsonl"), "--orders", dir.file("orders.csv"), "--report",
                           dir.file("report.html")});
  INFO(r.output);
  REQUIRE(r.code == 0);
  CHECK(r.output.find("fleet: 2 accounts") != std::string::npos);
  CHECK(r.output.find("block saving") != std::string::npos);
  const std::string orders = dir.read("orders.csv");
  CHECK(orders.find(",fleet,,2026-01-06T00:00:01.000Z,A,sell,12,125,threshold") != std::string::npos);
  CHECK(orders.find(",fleet,,2026-01-06T00:00:01.000Z,B,buy,15,100,threshold") != std::string::npos);
  const std::string html = dir.read("report.html");
  CHECK(html.find("<h2 id=\"fleet\">Fleet</h2>") != std::string::npos);
  CHECK(html.find("<svg") != std::string::npos);
}

TEST_CASE("backtest --accounts refuses bad accounts files and a config without models") {
  TempDir dir;
  dir.write("b.toml", kConfig);
  dir.write("p.csv", ballast::offline::test::kFleetPrices);

  SUBCASE("an account of an unknown model and a bad id, each at its line and column") {
    dir.write("bad.csv", "id,model,cash,A,B\na1,ab,0,40,40\na2,growth,0,80,80\nbad id,ab,0,1,1\n");
    const auto r = backtest({"backtest", "--config", dir.file("b.toml"), "--prices", dir.file("p.csv"),
                             "--accounts", dir.file("bad.csv")});
    CHECK(r.code == 1);
    CHECK(r.output.find(dir.file("bad.csv") + ":3:4: model \"growth\" is not in the configuration") !=
          std::string::npos);
    CHECK(r.output.find(dir.file("bad.csv") + ":4:1: ") != std::string::npos);
    CHECK(r.output.find("2 problems") != std::string::npos);
  }
  SUBCASE("a bad JSON line, at its line") {
    dir.write("bad.jsonl", "{\"id\":\"a1\",\"model\":\"ab\",\"cash\":0}\n{\"id\":\"a2\",\"model\":\"ab\",\"cash\":-1}\n");
    const auto r = backtest({"backtest", "--config", dir.file("b.toml"), "--prices", dir.file("p.csv"),
                             "--accounts", dir.file("bad.jsonl")});
    CHECK(r.code == 1);
    CHECK(r.output.find(dir.file("bad.jsonl") + ":2: ") != std::string::npos);
  }
  SUBCASE("an accounts file that cannot be read") {
    const auto r = backtest({"backtest", "--config", dir.file("b.toml"), "--prices", dir.file("p.csv"),
                             "--accounts", dir.file("none.csv")});
    CHECK(r.code == 1);
    CHECK(r.output.find("cannot read " + dir.file("none.csv")) != std::string::npos);
  }
  SUBCASE("--accounts with a configuration that has no [[models]]") {
    dir.write("plain.toml", "[[portfolios]]\nid = \"p\"\ncash = 100.0\ntargets = { A = 1.0 }\n"
                            "[[portfolios.triggers]]\nkind = \"threshold\"\nabsolute = 0.1\n");
    dir.write("accounts.csv", ballast::offline::test::kFleetAccounts);
    const auto r = backtest({"backtest", "--config", dir.file("plain.toml"), "--prices", dir.file("p.csv"),
                             "--accounts", dir.file("accounts.csv")});
    CHECK(r.code == 78);
    CHECK(r.output.find("has none") != std::string::npos);
  }
  SUBCASE("a model symbol the prices do not have") {
    dir.write("a.csv", "date,A\n2026-01-05,100\n");
    dir.write("accounts.csv", ballast::offline::test::kFleetAccounts);
    dir.write("m.toml", ballast::offline::test::kFleetMinimumOnly);
    const auto r = backtest({"backtest", "--config", dir.file("m.toml"), "--prices", dir.file("a.csv"),
                             "--accounts", dir.file("accounts.csv")});
    CHECK(r.code == 1);
    CHECK(r.output.find("symbol B of the models has no column in the prices") != std::string::npos);
  }
  SUBCASE("without --accounts, a models-only configuration is refused as before, with a hint") {
    dir.write("m.toml", ballast::offline::test::kFleetMinimumOnly);
    const auto r = backtest({"backtest", "--config", dir.file("m.toml"), "--prices", dir.file("p.csv")});
    CHECK(r.code == 78);
    CHECK(r.output.find("no [[portfolios]]") != std::string::npos);
    CHECK(r.output.find("--accounts") != std::string::npos);
  }
}

}  // namespace test_fleet_backtest_cli
