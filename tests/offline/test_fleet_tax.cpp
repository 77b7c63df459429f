// Taxes of the offline fleet runs: the tax paid on realised gains, the tax a
// liquidation at the end would add, the after-tax values, and the tax alpha
// of harvesting against the same run without it, checked by hand; and the
// tax alpha of a Monte Carlo run against the published estimate.
#include <doctest/doctest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "feeds/price_table.hpp"
#include "fleet/account_import.hpp"
#include "offline/fleet_backtest.hpp"
#include "offline/fleet_simulate.hpp"
#include "offline/paths.hpp"
#include "offline/simulate.hpp"
#include "tests/offline/fleet_fixture.hpp"

namespace test_fleet_tax {

using namespace ballast;
using offline::FleetBacktest;
using offline::FleetSetup;

namespace {

std::unique_ptr<FleetSetup> setup(const std::string& toml, const std::string& csv) {
  auto loaded = config::parse_config(toml, "test.toml", config::Purpose::offline);
  for (const auto& e : loaded.errors) INFO(e.to_string());
  REQUIRE(loaded.config);
  const fleet::ImportResult accounts = fleet::parse_accounts(csv, fleet::AccountFormat::csv);
  for (const auto& e : accounts.errors) INFO(e.message);
  REQUIRE(accounts.errors.empty());
  offline::FleetSetupResult made =
      offline::make_fleet_setup(loaded.config->models, accounts.records, loaded.config->fleet.window);
  for (const auto& e : made.errors) INFO(e);
  REQUIRE(made.setup);
  return std::move(made.setup);
}

FleetBacktest run(const FleetSetup& s, const std::string& prices) {
  auto table = feeds::parse_price_table(prices, "test.csv");
  REQUIRE(table.ok());
  offline::FleetBacktestRun r = offline::run_fleet_backtest(s, table.table);
  for (const auto& e : r.errors) INFO(e);
  REQUIRE(r.fleet);
  return std::move(*r.fleet);
}

using offline::test::kHarvestModel;

}  // namespace

TEST_CASE("one harvest by hand: the loss's tax benefit, the liquidation tax and the tax alpha against no harvest") {
  const auto s = setup(kHarvestModel, offline::test::kHarvestAccounts);
  REQUIRE(s->without_harvest);
  // 2022-01-03 to 2026-01-03 is 365 + 365 + 366 + 365 = 1461 days: exactly 4 years of 365.25 days.
  // ITOT and VTI: 100 and 100, then 80 and 80 the next day, 150 and 150 at the end.
  const FleetBacktest bt = run(*s, offline::test::kHarvestPrices);
  // Row 1: the account buys 10000 / 100 = 100 VTI, one lot at 100.
  // Row 2: VTI at 80 is a loss of 20 a unit, at least 0.1 × 100: harvested.
  // 100 VTI sold at 80 (8000), a short-term loss of 100 × (80 − 100) = −2000;
  // 8000 / 80 = 100 ITOT bought at 80. Row 3: ITOT at 150 is far above its
  // switch-back price (below 80): it stays.
  REQUIRE(bt.orders.size() == 3);
  CHECK(bt.harvests == 1);
  CHECK(bt.switches_back == 0);
  CHECK(bt.compared);

  const offline::FleetGroup& m = bt.models.at(0);
  REQUIRE(m.tax.rates);
  CHECK(m.start_value == 10000);
  CHECK(m.final_value == 15000);  // 100 ITOT × 150
  CHECK(m.tax.realised_short_term == doctest::Approx(-2000));
  CHECK(m.tax.realised_long_term == 0);
  // −2000 × 0.35: a benefit against other income.
  CHECK(m.tax.tax_paid == doctest::Approx(-700));
  // The ITOT lot, bought 2022-01-04, is long-term on 2026-01-03: 100 × (150 − 80) = 7000, × 0.15.
  CHECK(m.tax.unrealised_short_term == 0);
  CHECK(m.tax.unrealised_long_term == doctest::Approx(7000));
  CHECK(m.tax.liquidation_tax == doctest::Approx(1050));
  CHECK(m.after_tax.value == doctest::Approx(15700));              // 15000 + 700
  CHECK(m.after_tax.liquidation_value == doctest::Approx(14650));  // 15700 − 1050

  // Without the harvest: 100 VTI × 150 = 15000, nothing realised; the VTI lot's
  // long-term gain 100 × (150 − 100) = 5000 would pay 750.
  REQUIRE(m.without_harvest);
  CHECK(m.without_harvest->final_value == 15000);
  CHECK(m.without_harvest->tax_paid == 0);
  CHECK(m.without_harvest->liquidation_tax == doctest::Approx(750));
  CHECK(m.without_harvest->value == doctest::Approx(15000));
  CHECK(m.without_harvest->liquidation_value == doctest::Approx(14250));

  // Over 4 years: 1.57^¼ − 1 = 11.9373 % against 1.5^¼ − 1 = 10.6682 %, an alpha
  // of 1.2691 % a year; liquidated, 1.465^¼ − 1 = 10.0169 % against
  // 1.425^¼ − 1 = 9.2580 %, 0.7589 % a year: the harvest turned a 35 % loss
  // into a gain taxed at 15 %, and deferred the rest.
  CHECK(m.after_tax.annualised_return == doctest::Approx(0.119373).epsilon(1e-5));
  CHECK(m.without_harvest->annualised_return == doctest::Approx(0.106682).epsilon(1e-5));
  CHECK(m.tax_alpha == doctest::Approx(0.012691).epsilon(1e-4));
  CHECK(m.tax_alpha_liquidated == doctest::Approx(0.007589).epsilon(1e-4));
  CHECK(m.tax_alpha == doctest::Approx(std::pow(1.57, 0.25) - std::pow(1.5, 0.25)));
  CHECK(m.tax_alpha_liquidated == doctest::Approx(std::pow(1.465, 0.25) - std::pow(1.425, 0.25)));

  // One model: the fleet's figures are its.
  CHECK_FALSE(bt.fleet.tax.rates);
  CHECK(bt.fleet.tax.tax_paid == doctest::Approx(-700));
  CHECK(bt.fleet.tax.liquidation_tax == doctest::Approx(1050));
  CHECK(bt.fleet.tax_alpha == doctest::Approx(m.tax_alpha));
  CHECK(bt.fleet.tax_alpha_liquidated == doctest::Approx(m.tax_alpha_liquidated));
}

TEST_CASE("an account's lots come from its record; a model without rates reports its gains and pays no tax") {
  // The index model without rates.
  std::string toml = kHarvestModel;
  toml.erase(toml.find("short_term_rate"), toml.find("substitutes") - toml.find("short_term_rate"));
  const auto s = setup(toml, "id,model,cash,VTI,lots\na1,index,0,100,VTI:100@120:2020-06-01\n");
  const FleetBacktest bt = run(*s, "date,ITOT,VTI\n2022-01-03,100,100\n2022-02-03,110,110\n");
  // At the start, the record's lot (basis 120, a loss of 20 ≥ 0.1 × 120) is
  // harvested: 100 VTI sold at 100, long-term (held since 2020-06-01), a loss
  // of 100 × (100 − 120) = −2000; 100 ITOT bought at 100, up 10 a unit at the
  // end, short-term: 1000.
  CHECK(bt.harvests == 1);
  const offline::FleetGroup& m = bt.models.at(0);
  CHECK_FALSE(m.tax.rates);
  CHECK(m.tax.realised_short_term == 0);
  CHECK(m.tax.realised_long_term == doctest::Approx(-2000));
  CHECK(m.tax.unrealised_short_term == doctest::Approx(1000));
  CHECK(m.tax.unrealised_long_term == 0);
  CHECK(m.tax.tax_paid == 0);
  CHECK(m.tax.liquidation_tax == 0);
  CHECK(m.final_value == 11000);
  CHECK(m.after_tax.value == 11000);
  CHECK(m.after_tax.liquidation_value == 11000);
  // Without the harvest the account ends with 100 VTI at 110, the same value: untaxed, no alpha.
  REQUIRE(m.without_harvest);
  CHECK(m.without_harvest->final_value == 11000);
  CHECK(m.tax_alpha == 0);
  CHECK(m.tax_alpha_liquidated == 0);
}

TEST_CASE("a record's lots that the book refuses are an error naming the account") {
  auto loaded = config::parse_config(kHarvestModel, "test.toml", config::Purpose::offline);
  REQUIRE(loaded.config);
  fleet::AccountRecord r;
  r.id = "a1";
  r.model = "index";
  r.holdings = {{"VTI", 10}};
  // A cost per unit of 0: no lot has one.
  r.lots = {fleet::RecordLot{.symbol = "VTI", .quantity = 10, .cost_per_unit = 0, .acquired = 1, .holding_from = 1}};
  const std::vector<fleet::AccountRecord> records{r};
  const offline::FleetSetupResult made =
      offline::make_fleet_setup(loaded.config->models, records, loaded.config->fleet.window);
  CHECK_FALSE(made.setup);
  REQUIRE(made.errors.size() == 1);
  CHECK(made.errors[0].rfind("account a1: ", 0) == 0);
}

TEST_CASE("no model harvests: no second run, and no tax alpha") {
  std::string toml = kHarvestModel;
  toml.erase(toml.find("[models.tax.harvest]"));
  const auto s = setup(toml, "id,model,cash\na1,index,10000\n");
  CHECK_FALSE(s->without_harvest);
  const FleetBacktest bt = run(*s, "date,ITOT,VTI\n2022-01-03,100,100\n2022-01-04,80,80\n");
  CHECK_FALSE(bt.compared);
  CHECK(bt.harvests == 0);
  const offline::FleetGroup& m = bt.models.at(0);
  CHECK_FALSE(m.without_harvest);
  CHECK(std::isnan(m.tax_alpha));
  CHECK(std::isnan(m.tax_alpha_liquidated));
  // 100 VTI at 80, bought at 100 the day before: −2000 short-term, a benefit of 700 if sold.
  CHECK(m.tax.tax_paid == 0);
  CHECK(m.tax.unrealised_short_term == doctest::Approx(-2000));
  CHECK(m.tax.liquidation_tax == doctest::Approx(-700));
  CHECK(m.after_tax.liquidation_value == doctest::Approx(8000 + 700));
}

TEST_CASE("a loss a wash sale disallows saves no tax: its units carry it into the replacement's basis") {
  // 50/50 with a 30-point band, so that one symbol's move at a time decides;
  // wash sales are not avoided (the buy is not held back).
  const auto s = setup(R"(
[[models]]
id = "ab"
targets = { A = 0.5, B = 0.5 }
[[models.triggers]]
kind = "threshold"
absolute = 0.3
[models.tax]
short_term_rate = 0.35
long_term_rate = 0.15
avoid_wash_sales = false
)",
                       "id,model,cash\na1,ab,10000\n");
  const FleetBacktest bt = run(*s, "date,A,B\n"
                                   "2026-01-05,100,100\n"
                                   "2026-01-06,100,80\n"
                                   "2026-01-07,16,80\n"
                                   "2026-01-08,240,80\n");
  // Row 1: 50 A and 50 B at 100. Row 2: A weighs 5000 / 9000 = 0.556, inside.
  // Row 3: A weighs 800 / 4800 = 0.167: to 2400 a side, 20 B sold at 80 (a
  // loss of 20 × (80 − 100) = −400) and 100 A bought at 16. Row 4: A weighs
  // 36000 / 38400 = 0.9375: to 19200 a side, 70 A sold at 240 (fifo: 50 of
  // the lot at 100, +7000, and 20 of the lot at 16, +4480) and 210 B bought
  // at 80, within 30 days of the B loss: 20 of them wash it.
  REQUIRE(bt.orders.size() == 6);  // two a rebalance
  CHECK(bt.compared == false);
  const offline::FleetGroup& m = bt.models.at(0);
  // −400 + 400 disallowed + 7000 + 4480.
  CHECK(m.tax.realised_short_term == doctest::Approx(11480));
  CHECK(m.tax.tax_paid == doctest::Approx(0.35 * 11480));
  // At 240 and 80: 80 A at 16, +17920; 30 B at 100, −600; the 20 replacement
  // B at 80 + 20 disallowed a unit, −400; 190 B at 80, 0.
  CHECK(m.tax.unrealised_short_term == doctest::Approx(16920));
  CHECK(m.tax.liquidation_tax == doctest::Approx(0.35 * 16920));
  CHECK(m.final_value == doctest::Approx(38400));
  CHECK(m.after_tax.value == doctest::Approx(38400 - 4018));
  CHECK(m.after_tax.liquidation_value == doctest::Approx(38400 - 4018 - 5922));
}

TEST_CASE("a rebalance that sells at a loss and buys an identical symbol records no wash sale when avoiding them") {
  // A and A2 declared identical, 50/50 with a 30-point band. Row 1: 50 A and
  // 50 A2 at 100. Row 2, 35 days on (the buys of row 1 replace nothing of a
  // sale then), A first: A at 80 weighs 4000 / 9000 = 0.444,
  // inside; then A2 at 16: A weighs 4000 / 4800 = 0.833. To 2400 a side, 20 A
  // sold at 80 (a loss of 20 × (80 − 100) = −400) and 100 A2 bought at 16.
  std::string toml = R"(
[[models]]
id = "aa"
targets = { A = 0.5, A2 = 0.5 }
[[models.triggers]]
kind = "threshold"
absolute = 0.3
[models.tax]
short_term_rate = 0.35
long_term_rate = 0.15
identical = [["A", "A2"]]
avoid_wash_sales = AVOID
)";
  const std::string prices = "date,A,A2\n2026-01-05,100,100\n2026-02-09,80,16\n";
  const auto with = [&](const char* avoid) {
    std::string t = toml;
    t.replace(t.find("AVOID"), 5, avoid);
    return setup(t, "id,model,cash\na1,aa,10000\n");
  };

  // Not avoided: the buy of A2 washes the loss on 20 units; −400 + 400 disallowed
  // counts 0. The 20 replacement A2 carry 20 a unit: at 16, 30 A −600, 50 A2
  // at 100 −4200, 20 at 36 −400, 80 at 16 0.
  const auto washed = with("false");
  const FleetBacktest before = run(*washed, prices);
  REQUIRE(before.orders.size() == 4);
  CHECK(before.models.at(0).tax.realised_short_term == doctest::Approx(0));
  CHECK(before.models.at(0).tax.unrealised_short_term == doctest::Approx(-5200));

  // Avoided: the buy of A2 would wash the sale of the same rebalance, and no
  // substitute takes it: held back, its 1600 stays cash. The ledger records
  // no wash: the −400 counts, and no lot carries an adjustment (30 A −600,
  // 50 A2 −4200). The value is the same: 2400 + 800 + 1600.
  const auto avoided = with("true");
  const FleetBacktest after = run(*avoided, prices);
  REQUIRE(after.orders.size() == 3);
  CHECK(after.orders.back().block.side == core::Side::sell);
  CHECK(after.orders.back().block.quantity() == 20);
  CHECK(after.models.at(0).tax.realised_short_term == doctest::Approx(-400));
  CHECK(after.models.at(0).tax.unrealised_short_term == doctest::Approx(-4800));
  CHECK(after.models.at(0).final_value == doctest::Approx(4800));
  CHECK(before.models.at(0).final_value == doctest::Approx(4800));
}

TEST_CASE("Monte Carlo: the tax alpha of harvesting an index lies in a band around the published estimate") {
  // Chaudhuri, Burnham and Lo, "An Empirical Evaluation of Tax-Loss-Harvesting
  // Alpha", Financial Analysts Journal 76(3), 2020: the 500 largest US stocks,
  // harvested monthly over 1926–2018 at 35 % short-term and 15 % long-term,
  // gave a tax alpha of 1.08 % a year before costs (0.82 % under the wash-sale
  // rule), larger in a portfolio's first years.
  //
  // Here one index and a substitute correlated 0.98 with it (GBM, μ = 7 %,
  // σ = 16 % each), daily steps over 10 years, lots harvested once they have
  // lost 5 % of their basis, at the same rates, on 256 paths. Expect less
  // than the paper: one index has none of the dispersion of 500 stocks to
  // harvest, the tax saved is not reinvested, and a switch back decided on
  // ITOT's tick buys VTI at its price of the step before (a row's ticks go in
  // one at a time), which after a fall costs what VTI fell that step. The
  // band is loose: 0.2 % to 3 % a year. Measured: 0.30 % a year (0.13 %
  // liquidated); over the first 3 years of the same paths 1.00 % a year.
  std::string toml = kHarvestModel;
  toml.replace(toml.find("min_loss_fraction = 0.1"), 23, "min_loss_fraction = 0.05");
  const auto s = setup(toml, "id,model,cash\na1,index,100000\n");
  offline::GbmMarket market;
  market.symbols = {"ITOT", "VTI"};
  market.start_prices = {100, 100};
  market.drift = {0.07, 0.07};
  market.volatility = {0.16, 0.16};
  market.correlation.resize(2, 2);
  market.correlation << 1, 0.98, 0.98, 1;
  const core::Period day{core::kNanosPerDay, 0};
  const offline::ClockResult ten = offline::make_clock(core::Period{0, 120}, day);
  const offline::ClockResult three = offline::make_clock(core::Period{0, 36}, day);
  REQUIRE(ten.clock);
  REQUIRE(three.clock);
  // A path's first 3 years are the same whatever its length: its draws come in step order.
  auto gbm = offline::GbmPaths::create(market, 1 / ten.clock->steps_per_year, 2020);
  REQUIRE(gbm.paths);
  constexpr std::size_t kPaths = 256;

  const offline::FleetSimulation f = offline::simulate_fleet(*s, *gbm.paths, *ten.clock, kPaths, 2);
  REQUIRE(f.error.empty());
  REQUIRE(f.compared);
  INFO("10 years: mean tax alpha " << 100 * f.mean_tax_alpha << " % a year (p5 " << 100 * f.tax_alpha.p5 << ", p50 "
                                   << 100 * f.tax_alpha.p50 << ", p95 " << 100 * f.tax_alpha.p95 << "), liquidated "
                                   << 100 * f.mean_tax_alpha_liquidated << " %; mean tax paid " << f.mean_tax_paid
                                   << "; harvests p50 " << f.harvests.p50 << ", switches back p50 "
                                   << f.switches_back.p50);
  CHECK(f.harvests.p95 > 0);
  // Harvested losses are short-term and nothing else is sold: the tax paid is a benefit.
  CHECK(f.mean_tax_paid < 0);
  CHECK(f.mean_tax_alpha > 0.002);
  CHECK(f.mean_tax_alpha < 0.03);
  // A deferred tax counted as owed: the liquidated alpha is smaller, but what
  // the harvest turned from a 35 % loss into a 15 % gain remains.
  CHECK(f.mean_tax_alpha_liquidated < f.mean_tax_alpha);
  CHECK(f.mean_tax_alpha_liquidated > 0);

  const offline::FleetSimulation early = offline::simulate_fleet(*s, *gbm.paths, *three.clock, kPaths, 2);
  REQUIRE(early.error.empty());
  INFO("3 years: mean tax alpha " << 100 * early.mean_tax_alpha << " % a year");
  CHECK(early.mean_tax_alpha > f.mean_tax_alpha);
  CHECK(early.mean_tax_alpha > 0.002);
  CHECK(early.mean_tax_alpha < 0.03);
}

}  // namespace test_fleet_tax
