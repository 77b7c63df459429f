// The real `ballast simulate --accounts` on files: the fleet on every path,
// and how it refuses what it cannot run.
#include <doctest/doctest.h>

#include "tests/offline/fleet_fixture.hpp"
#include <simdjson.h>

#include <string>
#include <vector>

#include "tests/integration/support.hpp"

namespace test_fleet_simulate_cli {

using namespace ballast::testing;

namespace {

/// 41 daily rows in which A and B zig-zag by ±10 % and ±2 %: every path moves enough to trade.
std::string zigzag_prices() {
  std::string csv = "ts,A,B\n";
  for (int i = 0; i <= 40; ++i) {
    csv += std::to_string(1'700'000'000 + i * 86'400) + "," + (i % 2 ? "110" : "100") + "," + (i % 2 ? "98" : "100") +
           "\n";
  }
  return csv;
}

RunResult simulate(const std::vector<std::string>& args) { return run_command(BALLAST_CLI_PATH, args); }

}  // namespace

TEST_CASE("simulate --accounts --prices: quantiles of the fleet's return, rebalances and block saving") {
  TempDir dir;
  dir.write("m.toml", ballast::offline::test::kFleetMinimumOnly);
  dir.write("p.csv", zigzag_prices());
  dir.write("accounts.csv", ballast::offline::test::kFleetAccounts);
  const std::vector<std::string> args{"simulate", "--config", dir.file("m.toml"), "--accounts", dir.file("accounts.csv"),
                                      "--prices", dir.file("p.csv"), "--block", "5", "--paths", "20", "--horizon", "1mo",
                                      "--json"};
  auto one = args, two = args;
  one.insert(one.end(), {"--threads", "1"});
  two.insert(two.end(), {"--threads", "2"});
  const auto r = simulate(one);
  INFO(r.output);
  REQUIRE(r.code == 0);
  CHECK(simulate(two).output == r.output);
  simdjson::dom::parser parser;
  const simdjson::dom::element doc = parser.parse(r.output);
  CHECK(simdjson::dom::array(doc["policies"]).size() == 0);
  const simdjson::dom::element fleet = doc["fleet"];
  CHECK(num(fleet["accounts"]) == 2);
  CHECK(num(fleet["start_value"]) == 24000);  // 40·100 + 40·100 + 80·100 + 80·100 at the start prices of 100
  for (const char* q : {"total_return", "rebalances", "block_saving", "costs_blocks", "costs_separate"}) {
    CHECK_MESSAGE(fleet[q]["p5"].is_number(), q);
    CHECK_MESSAGE(num(fleet[q]["p5"]) <= num(fleet[q]["p50"]), q);
    CHECK_MESSAGE(num(fleet[q]["p50"]) <= num(fleet[q]["p95"]), q);
  }
  // Two accounts of one model trade together: the blocks never cost more commission than the orders alone.
  CHECK(num(fleet["rebalances"]["p95"]) > 0);
  CHECK(num(fleet["block_saving"]["p5"]) >= 0);
  CHECK(num(fleet["block_saving"]["p95"]) > 0);
  // Nothing harvests: the paths run once, and there is no tax alpha.
  CHECK(num(fleet["mean_tax_paid"]) == 0);
  CHECK(num(fleet["harvests"]["p95"]) == 0);
  CHECK(fleet["tax_alpha"].is_null());
  CHECK(fleet["mean_tax_alpha"].is_null());
}

TEST_CASE("simulate --accounts with a harvesting model: quantiles of the tax paid and of the tax alpha") {
  TempDir dir;
  dir.write("h.toml", ballast::offline::test::kHarvestModel);
  // VTI and ITOT zig-zag together by ±10 %: a path that falls twice in a row is harvested.
  std::string csv = "ts,ITOT,VTI\n";
  for (int i = 0; i <= 40; ++i) {
    const char* p = i % 2 ? "110" : "100";
    csv += std::to_string(1'700'000'000 + i * 86'400) + "," + p + "," + p + "\n";
  }
  dir.write("p.csv", csv);
  dir.write("accounts.csv", ballast::offline::test::kHarvestAccounts);
  const std::vector<std::string> args{"simulate", "--config", dir.file("h.toml"), "--accounts",
                                      dir.file("accounts.csv"), "--prices", dir.file("p.csv"),
                                      "--block", "1", "--paths", "20", "--horizon", "1mo"};
  auto one = args, two = args;
  one.insert(one.end(), {"--json", "--threads", "1"});
  two.insert(two.end(), {"--json", "--threads", "2"});
  const auto r = simulate(one);
  INFO(r.output);
  REQUIRE(r.code == 0);
  CHECK(simulate(two).output == r.output);
  simdjson::dom::parser parser;
  const simdjson::dom::element fleet = parser.parse(r.output)["fleet"];
  for (const char* q :
       {"tax_paid", "liquidation_tax", "harvests", "switches_back", "tax_alpha", "tax_alpha_liquidated"}) {
    CHECK_MESSAGE(fleet[q]["p5"].is_number(), q);
    CHECK_MESSAGE(num(fleet[q]["p5"]) <= num(fleet[q]["p50"]), q);
    CHECK_MESSAGE(num(fleet[q]["p50"]) <= num(fleet[q]["p95"]), q);
  }
  CHECK(fleet["mean_tax_alpha"].is_number());
  CHECK(fleet["mean_tax_alpha_liquidated"].is_number());
  // Some path harvests a short-term loss: a negative tax, and an alpha over the same path without it.
  CHECK(num(fleet["harvests"]["p95"]) > 0);
  CHECK(num(fleet["tax_paid"]["p5"]) < 0);
  CHECK(num(fleet["tax_alpha"]["p95"]) > 0);

  const auto table = simulate(args);
  INFO(table.output);
  REQUIRE(table.code == 0);
  CHECK(table.output.find("tax alpha liquidated") != std::string::npos);
  CHECK(table.output.find("mean tax alpha") != std::string::npos);
}

TEST_CASE("simulate --accounts refuses what it cannot run") {
  TempDir dir;
  dir.write("m.toml", ballast::offline::test::kFleetMinimumOnly);
  dir.write("accounts.csv", ballast::offline::test::kFleetAccounts);
  SUBCASE("GBM without portfolios has no market for the models' symbols") {
    const auto r = simulate({"simulate", "--config", dir.file("m.toml"), "--accounts", dir.file("accounts.csv"),
                             "--paths", "2"});
    CHECK(r.code == 78);
    CHECK(r.output.find("--prices") != std::string::npos);
  }
  SUBCASE("--report with no portfolio") {
    dir.write("p.csv", zigzag_prices());
    const auto r = simulate({"simulate", "--config", dir.file("m.toml"), "--accounts", dir.file("accounts.csv"),
                             "--prices", dir.file("p.csv"), "--report", dir.file("r.html")});
    CHECK(r.code == 2);
  }
  SUBCASE("a bad accounts line, at its line and column") {
    dir.write("p.csv", zigzag_prices());
    dir.write("bad.csv", "id,model,cash\na1,growth,1\n");
    const auto r = simulate({"simulate", "--config", dir.file("m.toml"), "--accounts", dir.file("bad.csv"),
                             "--prices", dir.file("p.csv"), "--paths", "2"});
    CHECK(r.code == 1);
    CHECK(r.output.find(dir.file("bad.csv") + ":2:4: ") != std::string::npos);
  }
  SUBCASE("--accounts without [[models]]") {
    dir.write("plain.toml", "[[portfolios]]\nid = \"p\"\ncash = 100.0\ntargets = { A = 1.0 }\n"
                            "[[portfolios.triggers]]\nkind = \"threshold\"\nabsolute = 0.1\n");
    const auto r = simulate({"simulate", "--config", dir.file("plain.toml"), "--accounts", dir.file("accounts.csv")});
    CHECK(r.code == 78);
    CHECK(r.output.find("has none") != std::string::npos);
  }
}

}  // namespace test_fleet_simulate_cli
