// A model's policy in the real daemon beyond fixed per-asset bands: a total
// band and a volatility band, which an account passes though no asset leaves
// its own band, and a target model, whose targets the daemon sets from the
// fixed risk model.
#include <doctest/doctest.h>

#include <string>

#include "tests/integration/fleet_support.hpp"
#include "tests/integration/support.hpp"

namespace test_fleet_model_policy {

using namespace ballast::testing;
using namespace ballast::testing::fleet_test;

TEST_CASE("an account past its model's total band trades though each asset is inside its own band") {
  // kFleetModels with a total band of 1.5 points beside the 5-point bands.
  // a4 at 62/38: each asset 2 points off, inside its band; its total drift
  // (0.02 + 0.02) / 2 = 0.02 is past 0.015. a3 is on target.
  std::string models = kFleetModels;
  models.insert(models.find("absolute = 0.05"), "total = 0.015\n");
  DaemonHarness d(models);
  start_priced(d);
  // The start's check: a1 and a2 as ever, and a4 with them (booked as they
  // leave: no fill reports here).
  const auto [sell, buy] = first_blocks(d);
  CHECK(sell.symbol == "SPY");
  CHECK(sell.allocations == std::map<std::string, double>{{"a1", 4}, {"a2", 8}, {"a4", 2}});
  CHECK(buy.allocations == std::map<std::string, double>{{"a1", 4}, {"a2", 8}, {"a4", 2}});
  CHECK(eventually([&] { return !account(d, "a4").pending; }));
  const Account a4 = account(d, "a4");
  CHECK(a4.total_drift == doctest::Approx(0).epsilon(1e-9));
  REQUIRE(a4.total_band);
  CHECK(*a4.total_band == doctest::Approx(0.015));
  CHECK_FALSE(a4.breaching);
  CHECK(a4.quantity.at("SPY") == 60);
  // a3, on target, was never traded.
  CHECK(account(d, "a3").quantity["SPY"] == 6);
}

TEST_CASE("a model's risk-parity targets are set from its fixed risk model, and its accounts trade to them") {
  // SPY σ 20% and AGG σ 5%, uncorrelated: weights ∝ 1/σ, 5 and 20 of 25,
  // so 0.2 and 0.8. Every account is then far off: a1 (10 SPY) sells 8,
  // a2 (20 SPY) 16, a3 (6/4) 4 and a4 (62/38) 42, and buys as much AGG.
  std::string models = kFleetModels;
  models.insert(models.find("[[models.triggers]]"),
                "[models.model]\nkind = \"risk-parity\"\n[models.risk]\nvolatilities = { SPY = 0.2, AGG = 0.05 }\n\n");
  DaemonHarness d(models);
  start_priced(d);
  const auto [sell, buy] = first_blocks(d);
  CHECK(sell.symbol == "SPY");
  CHECK(sell.allocations == std::map<std::string, double>{{"a1", 8}, {"a2", 16}, {"a3", 4}, {"a4", 42}});
  CHECK(buy.allocations == std::map<std::string, double>{{"a1", 8}, {"a2", 16}, {"a3", 4}, {"a4", 42}});
  const Account a3 = account(d, "a3");
  CHECK(a3.target.at("SPY") == doctest::Approx(0.2).epsilon(1e-9));
  CHECK(a3.target.at("AGG") == doctest::Approx(0.8).epsilon(1e-9));
  // The model's symbols in its order (the configuration's table, by name).
  CHECK(d.log().find("model balanced: risk-parity targets AGG 0.8000, SPY 0.2000, cash 0.0000") != std::string::npos);
}

TEST_CASE("an account whose volatility passes its model's ceiling trades though each asset is inside its band") {
  // SPY σ 20%, AGG σ 5%, uncorrelated, σ at most 12.4%. a4 at 62/38:
  // σ = √(0.3844·0.04 + 0.1444·0.0025) = 0.1254, past it; a3 at 60/40:
  // √0.0148 = 0.1217, inside. As in the total band's case, a4 trades with a1 and a2.
  std::string models = kFleetModels;
  models.insert(models.find("[fleet]"), "[[models.triggers]]\nkind = \"volatility\"\nmax = 0.124\n\n");
  models.insert(models.find("[[models.triggers]]"), "[models.risk]\nvolatilities = { SPY = 0.2, AGG = 0.05 }\n\n");
  DaemonHarness d(models);
  start_priced(d);
  const auto [sell, buy] = first_blocks(d);
  CHECK(sell.allocations == std::map<std::string, double>{{"a1", 4}, {"a2", 8}, {"a4", 2}});
  CHECK(buy.allocations == std::map<std::string, double>{{"a1", 4}, {"a2", 8}, {"a4", 2}});
  CHECK(eventually([&] { return !account(d, "a4").pending; }));
  CHECK(account(d, "a4").quantity["SPY"] == 60);
  CHECK(account(d, "a3").quantity["SPY"] == 6);
}

}  // namespace test_fleet_model_policy
