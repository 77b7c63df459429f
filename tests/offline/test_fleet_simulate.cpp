// offline::simulate_fleet: the fleet on every path of a Monte Carlo run, on
// paths given outright, checked by hand.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "fleet/account_import.hpp"
#include "offline/fleet_simulate.hpp"
#include "tests/offline/fleet_fixture.hpp"

namespace test_fleet_simulate {

using namespace ballast;

namespace {

std::unique_ptr<offline::FleetSetup> setup() {
  auto loaded = config::parse_config(ballast::offline::test::kFleetModel, "test.toml", config::Purpose::offline);
  REQUIRE(loaded.config);
  const fleet::ImportResult accounts =
      fleet::parse_accounts(ballast::offline::test::kFleetAccounts, fleet::AccountFormat::csv);
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

}  // namespace test_fleet_simulate
