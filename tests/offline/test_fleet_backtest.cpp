// offline::run_fleet_backtest: accounts on [[models]] through the daemon's
// FleetDesk over a table of prices, checked by hand.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "feeds/price_table.hpp"
#include "fleet/account_import.hpp"
#include "offline/fleet_backtest.hpp"
#include "tests/offline/fleet_fixture.hpp"

namespace test_fleet_backtest {

using namespace ballast;
using offline::FleetBacktest;
using offline::FleetSetup;

namespace {

config::Config load(const std::string& toml) {
  auto loaded = config::parse_config(toml, "test.toml", config::Purpose::offline);
  for (const auto& e : loaded.errors) INFO(e.to_string());
  REQUIRE(loaded.config);
  return *loaded.config;
}

std::vector<fleet::AccountRecord> accounts(const std::string& csv) {
  const fleet::ImportResult r = fleet::parse_accounts(csv, fleet::AccountFormat::csv);
  REQUIRE(r.errors.empty());
  return r.records;
}

std::unique_ptr<FleetSetup> setup(const std::string& toml, const std::string& csv) {
  const config::Config cfg = load(toml);
  offline::FleetSetupResult made = offline::make_fleet_setup(cfg.models, accounts(csv), cfg.fleet.window);
  for (const auto& e : made.errors) INFO(e);
  REQUIRE(made.setup);
  return std::move(made.setup);
}

feeds::PriceTable table(const std::string& csv) {
  auto r = feeds::parse_price_table(csv, "test.csv");
  REQUIRE(r.ok());
  return r.table;
}

FleetBacktest run(const FleetSetup& s, const std::string& prices) {
  offline::FleetBacktestRun r = offline::run_fleet_backtest(s, table(prices));
  for (const auto& e : r.errors) INFO(e);
  REQUIRE(r.fleet);
  return std::move(*r.fleet);
}

std::vector<fleet::BlockAllocation> allocs(std::initializer_list<std::pair<fleet::AccountIndex, std::uint64_t>> l) {
  std::vector<fleet::BlockAllocation> out;
  for (const auto& [a, lots] : l) out.push_back({a, lots});
  return out;
}

core::TimeNs day(int d) { return core::parse_iso8601("2026-01-0" + std::to_string(d) + "T00:00:00Z").value(); }

}  // namespace

TEST_CASE("two accounts past the band: one block per symbol and side, and only the commission minimum is saved") {
  const auto s = setup(ballast::offline::test::kFleetModel, ballast::offline::test::kFleetAccounts);
  const FleetBacktest bt = run(*s, ballast::offline::test::kFleetPrices);

  // a1 is worth 40·125 + 40·100 = 9000: 4500 a side is 36 A and 45 B, so it
  // sells 4 A and buys 5 B; a2, twice as large, sells 8 A and buys 10 B.
  REQUIRE(bt.orders.size() == 2);
  const fleet::BlockOrder& sell = bt.orders[0].block;
  CHECK(bt.symbols[sell.symbol] == "A");
  CHECK(sell.side == core::Side::sell);
  CHECK(sell.lots == 12);
  CHECK(sell.reference_price == 125);
  CHECK(sell.allocations == allocs({{0, 4}, {1, 8}}));
  const fleet::BlockOrder& buy = bt.orders[1].block;
  CHECK(bt.symbols[buy.symbol] == "B");
  CHECK(buy.side == core::Side::buy);
  CHECK(buy.lots == 15);
  CHECK(buy.reference_price == 100);
  CHECK(buy.allocations == allocs({{0, 5}, {1, 10}}));
  // The window of 1 s opened on 01-06 closes at its own time, before 01-07's prices.
  CHECK(bt.orders[0].created_at == day(6) + core::kNanosPerSecond);

  const offline::FleetTally& t = bt.fleet.tally;
  CHECK(t.rebalances == 2);
  CHECK(t.block_orders == 2);
  CHECK(t.allocations == 4);
  CHECK(t.traded_value == doctest::Approx(4 * 125 + 8 * 125 + 5 * 100 + 10 * 100));
  // Alone: 500 and 1000 of A, 500 and 1000 of B each pay max(10 bps, 1) = 1;
  // as blocks, 1500 of each pays 1.5. The spread (10 bps of 3000) is the same both ways.
  CHECK(t.separate.commission == doctest::Approx(4));
  CHECK(t.blocks.commission == doctest::Approx(3));
  CHECK(t.separate.spread == doctest::Approx(3));
  CHECK(t.blocks.spread == doctest::Approx(3));
  CHECK(t.separate.tickets == 4);
  CHECK(t.blocks.tickets == 2);
  const fleet::CostTally saved = t.saving();
  CHECK(saved.commission == doctest::Approx(1));
  CHECK(saved.spread == doctest::Approx(0));
  CHECK(saved.impact == 0);
  CHECK(saved.total() == doctest::Approx(1));
  CHECK(saved.tickets == 2);

  // Booked at the reference price, trades do not move the value: 8000 + 16000, then 9000 + 18000.
  CHECK(bt.fleet.values == std::vector<double>{24000, 27000, 27000});
  CHECK(bt.fleet.start_value == 24000);
  CHECK(bt.fleet.final_value == 27000);
  CHECK(bt.fleet.stats.total_return == doctest::Approx(0.125));
  CHECK(bt.fleet.stats.drawdown.max == 0);
  REQUIRE(bt.models.size() == 1);
  CHECK(bt.models[0].id == "ab");
  CHECK(bt.models[0].accounts == 2);
  CHECK(bt.models[0].values == bt.fleet.values);
  CHECK(bt.models[0].tally.block_orders == 2);
  CHECK(bt.models[0].tally.saving().total() == doctest::Approx(1));
  // Back at their targets exactly.
  CHECK(bt.fleet.drift.accounts == 2);
  CHECK(bt.fleet.drift.breaching == 0);
  CHECK(bt.fleet.drift.max_abs_drift == doctest::Approx(0).epsilon(1e-12));
  CHECK(bt.fleet.drift.histogram.counts[0] == 2);
  CHECK(bt.refusals == 0);
  CHECK(bt.stuck_accounts == 0);
}

TEST_CASE("a wider band keeps one account out: a block of one account saves nothing") {
  // a2's band is 2 × 5 points: 0.0556 is inside it.
  const auto s = setup(ballast::offline::test::kFleetModel, "id,model,cash,band_multiplier,A,B\na1,ab,0,1,40,40\na2,ab,0,2,80,80\n");
  const FleetBacktest bt = run(*s, ballast::offline::test::kFleetPrices);
  REQUIRE(bt.orders.size() == 2);
  CHECK(bt.orders[0].block.allocations == allocs({{0, 4}}));
  CHECK(bt.orders[1].block.allocations == allocs({{0, 5}}));
  const offline::FleetTally& t = bt.fleet.tally;
  CHECK(t.rebalances == 1);
  CHECK(t.separate.total() == doctest::Approx(t.blocks.total()));
  CHECK(t.saving().tickets == 0);
  // a2 is left 5/9 in A.
  CHECK(bt.fleet.drift.breaching == 0);
  CHECK(bt.fleet.drift.max_abs_drift == doctest::Approx(5.0 / 9 - 0.5));
}

TEST_CASE("with a window of 0 the blocks leave at the tick; one open after the last row closes at its time") {
  const std::string zero = std::string(ballast::offline::test::kFleetModel) + "\n[fleet]\nwindow = \"0s\"\n";
  const auto s0 = setup(zero, ballast::offline::test::kFleetAccounts);
  const FleetBacktest at_once = run(*s0, ballast::offline::test::kFleetPrices);
  REQUIRE(at_once.orders.size() == 2);
  CHECK(at_once.orders[0].created_at == day(6));

  const auto s1 = setup(ballast::offline::test::kFleetModel, ballast::offline::test::kFleetAccounts);
  const FleetBacktest ending = run(*s1, "date,A,B\n2026-01-05,100,100\n2026-01-06,125,100\n");
  REQUIRE(ending.orders.size() == 2);
  CHECK(ending.orders[1].created_at == day(6) + core::kNanosPerSecond);
  CHECK(ending.fleet.final_value == 27000);
  CHECK(ending.fleet.drift.breaching == 0);
}

TEST_CASE("the desk starts at the first row that prices every symbol, checking every account then") {
  // a1 starts at 30 A and 50 B: 3/8 in A, past the band as soon as both are priced.
  const auto s = setup(ballast::offline::test::kFleetModel, "id,model,cash,A,B\na1,ab,0,30,50\n");
  const FleetBacktest bt = run(*s, "date,A,B\n2026-01-05,100,\n2026-01-06,100,100\n2026-01-07,100,100\n");
  CHECK(bt.first_row == 1);
  CHECK(bt.times.size() == 2);
  CHECK(bt.fleet.tally.rebalances == 1);
  REQUIRE(bt.orders.size() == 2);
  CHECK(bt.orders[0].block.side == core::Side::sell);
  CHECK(bt.orders[0].block.lots == 10);  // 50 B down to 40
  CHECK(bt.orders[1].block.lots == 10);  // 30 A up to 40
}

TEST_CASE("accounts of two models in one block share its cost by lots, each under its own model's costs") {
  constexpr const char* kTwo = R"(
[[models]]
id = "paid"
targets = { A = 0.5, B = 0.5 }
[models.costs]
commission_min = 3.0
[[models.triggers]]
kind = "threshold"
absolute = 0.05

[[models]]
id = "free"
targets = { A = 0.5, B = 0.5 }
[[models.triggers]]
kind = "threshold"
absolute = 0.05
)";
  const auto s = setup(kTwo, "id,model,cash,A,B\na1,paid,0,40,40\na2,free,0,80,80\n");
  const FleetBacktest bt = run(*s, ballast::offline::test::kFleetPrices);
  REQUIRE(bt.models.size() == 2);
  const offline::FleetTally& paid = bt.models[0].tally;
  const offline::FleetTally& free = bt.models[1].tally;
  // Alone, a1's two orders pay the minimum of 3 each; its share of each block
  // (4 of 12 lots, 5 of 15) of a minimum of 3 is 1.
  CHECK(paid.separate.commission == doctest::Approx(6));
  CHECK(paid.blocks.commission == doctest::Approx(2));
  CHECK(paid.saving().total() == doctest::Approx(4));
  CHECK(paid.block_orders == 2);
  CHECK(free.blocks.total() == 0);
  CHECK(free.separate.total() == 0);
  CHECK(free.block_orders == 2);
  CHECK(bt.fleet.tally.block_orders == 2);
  CHECK(bt.fleet.tally.saving().total() == doctest::Approx(4));
  CHECK(bt.models[0].values == std::vector<double>{8000, 9000, 9000});
  CHECK(bt.models[1].values == std::vector<double>{16000, 18000, 18000});
}

TEST_CASE("an account of an unknown model, no model, or a model symbol without prices is an error") {
  const config::Config cfg = load(ballast::offline::test::kFleetModel);
  const auto unknown = offline::make_fleet_setup(cfg.models, accounts("id,model,cash\na1,growth,100\n"), 0);
  CHECK_FALSE(unknown.setup);
  REQUIRE(unknown.errors.size() == 1);
  CHECK(unknown.errors[0].find("a1 follows model growth") != std::string::npos);

  const auto none = offline::make_fleet_setup({}, accounts("id,model,cash\na1,ab,100\n"), 0);
  CHECK_FALSE(none.setup);

  const auto s = setup(ballast::offline::test::kFleetModel, "id,model,cash\na1,ab,100\n");
  const auto missing = offline::run_fleet_backtest(*s, table("date,A\n2026-01-05,100\n"));
  CHECK_FALSE(missing.fleet);
  REQUIRE(missing.errors.size() == 1);
  CHECK(missing.errors[0].find("symbol B") != std::string::npos);
  const auto unpriced = offline::run_fleet_backtest(*s, table("date,A,B\n2026-01-05,100,\n"));
  CHECK_FALSE(unpriced.fleet);
}

TEST_CASE("a sliced model's children leave on the first row at or after their time, each booked as it leaves") {
  // Children of at most 1000: the sell of 12 A at 125 goes in steps of 8
  // lots, the buy of 15 B at 100 in steps of 10. Asks 4 and 8 of A: 2.67 and
  // 5.33 after 8 lots → 3, 5; then 1, 3. Asks 5 and 10 of B: 3.33 and 6.67
  // after 10 → 3, 7; then 2, 3.
  std::string sliced = std::string(ballast::offline::test::kFleetModel) + "\n[fleet]\nwindow = \"0s\"\n";
  sliced.insert(sliced.find("[models.costs]"), "slicing = { max_child_value = 1000, interval = \"1h\" }\n");
  const auto s = setup(sliced, ballast::offline::test::kFleetAccounts);
  const FleetBacktest bt = run(*s, std::string(ballast::offline::test::kFleetPrices) + "2026-01-08,125,100\n");
  REQUIRE(bt.orders.size() == 4);
  CHECK(bt.orders[0].block.allocations == allocs({{0, 3}, {1, 5}}));
  CHECK(bt.orders[0].created_at == day(6));
  CHECK(bt.orders[1].block.allocations == allocs({{0, 3}, {1, 7}}));
  // The second step, due an hour later, leaves with the next row.
  CHECK(bt.orders[2].block.side == core::Side::sell);
  CHECK(bt.orders[2].block.allocations == allocs({{0, 1}, {1, 3}}));
  CHECK(bt.orders[2].created_at == day(6) + 3600 * core::kNanosPerSecond);
  CHECK(bt.orders[3].block.allocations == allocs({{0, 2}, {1, 3}}));
  const offline::FleetTally& t = bt.fleet.tally;
  CHECK(t.rebalances == 2);  // a child leaving is not a rebalance
  CHECK(t.block_orders == 4);
  CHECK(bt.fleet.values == std::vector<double>{24000, 27000, 27000, 27000});
  CHECK(bt.fleet.drift.breaching == 0);
  CHECK(bt.fleet.drift.max_abs_drift == doctest::Approx(0).epsilon(1e-12));
}

}  // namespace test_fleet_backtest
