// Taxes of the offline fleet runs: the tax paid on realised gains, the tax a
// liquidation at the end would add, the after-tax values, and the tax alpha
// of harvesting against the same run without it, checked by hand.
#include <doctest/doctest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "feeds/price_table.hpp"
#include "fleet/account_import.hpp"
#include "offline/fleet_backtest.hpp"
#include "tests/offline/fleet_fixture.hpp"

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
