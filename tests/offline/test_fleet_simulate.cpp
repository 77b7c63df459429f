// offline::simulate_fleet: the fleet on every path of a Monte Carlo run, on
// paths given outright, checked by hand.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "fleet/account_import.hpp"
#include "offline/fleet_simulate.hpp"

using namespace ballast;

namespace {

// As in test_fleet_backtest.cpp: a 50/50 model with a 5-point band, 10 bps
// commission with a minimum of 1, and a half-spread of 10 bps.
constexpr const char* kModel = R"(
[[models]]
id = "ab"
targets = { A = 0.5, B = 0.5 }
[models.costs]
commission_bps = 10.0
commission_min = 1.0
half_spread_bps = 10.0
[[models.triggers]]
kind = "threshold"
absolute = 0.05
)";

std::unique_ptr<offline::FleetSetup> setup() {
  auto loaded = config::parse_config(kModel, "test.toml", config::Purpose::offline);
  REQUIRE(loaded.config);
  const fleet::ImportResult accounts =
      fleet::parse_accounts("id,model,cash,A,B\na1,ab,0,40,40\na2,ab,0,80,80\n", fleet::AccountFormat::csv);
  REQUIRE(accounts.errors.empty());
  auto made = offline::make_fleet_setup(loaded.config->models, accounts.records, loaded.config->fleet.window);
  REQUIRE(made.setup);
  return std::move(made.setup);
}

offline::SimulationClock clock_of(std::size_t steps) {
  offline::SimulationClock c;
  c.steps = steps;
  return c;
}

}  // namespace

TEST_CASE("each path runs the fleet: a path past the band trades and saves the commission minimum, a flat one not") {
  const auto s = setup();
  // Path 0: A rises 25 % (both accounts trade, see the backtest's test); path 1: nothing moves.
  const offline::ExplicitPaths paths({"A", "B"}, {{100, 100, 125, 100, 125, 100}, {100, 100, 100, 100, 100, 100}});
  for (const unsigned threads : {1u, 2u}) {
    const offline::FleetSimulation f = offline::simulate_fleet(*s, paths, clock_of(2), 2, threads);
    REQUIRE(f.error.empty());
    CHECK(f.paths == 2);
    CHECK(f.accounts == 2);
    CHECK(f.start_value == 24000);
    // Two values: the quantile q is 0 + q × (max − min).
    CHECK(f.total_return.p5 == doctest::Approx(0.05 * 0.125));
    CHECK(f.total_return.p50 == doctest::Approx(0.0625));
    CHECK(f.total_return.p95 == doctest::Approx(0.95 * 0.125));
    CHECK(f.mean_total_return == doctest::Approx(0.0625));
    CHECK(f.rebalances.p50 == doctest::Approx(1));
    CHECK(f.rebalances.p95 == doctest::Approx(0.95 * 2));
    CHECK(f.block_orders.p50 == doctest::Approx(1));
    CHECK(f.costs_blocks.p95 == doctest::Approx(0.95 * 6));
    CHECK(f.costs_separate.p95 == doctest::Approx(0.95 * 7));
    CHECK(f.block_saving.p5 == doctest::Approx(0.05));
    CHECK(f.block_saving.p50 == doctest::Approx(0.5));
    CHECK(f.mean_block_saving == doctest::Approx(0.5));
  }
}

TEST_CASE("paths that do not price a model's symbol are an error") {
  const auto s = setup();
  const offline::ExplicitPaths paths({"A"}, {{100, 110}});
  const offline::FleetSimulation f = offline::simulate_fleet(*s, paths, clock_of(1), 1, 1);
  CHECK(f.error == "symbol B of the models is not priced by the paths");
}
