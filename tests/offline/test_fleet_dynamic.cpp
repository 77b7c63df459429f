// A model's dynamic trigger offline: the same desk as the daemon's holds a
// band rebalance whose tax outweighs its benefit, so the model trades less
// and pays less tax than the same model on bands alone. Worked by hand.
#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "config/config.hpp"
#include "feeds/price_table.hpp"
#include "fleet/account_import.hpp"
#include "offline/fleet_backtest.hpp"

namespace test_fleet_dynamic {

using namespace ballast;

namespace {

// Two models alike but for the dynamic trigger, taxed at 37 % / 20 %.
// λ = 10 over a year (365.25 days), Σ = diag(0.04, 0.04), a flat 5 bps.
constexpr const char* kModels = R"(
[[models]]
id = "banded"
targets = { A = 0.5, B = 0.5 }
[[models.triggers]]
kind = "threshold"
absolute = 0.05
[models.tax]
short_term_rate = 0.37
long_term_rate = 0.20

[[models]]
id = "dynamic"
targets = { A = 0.5, B = 0.5 }
[[models.triggers]]
kind = "threshold"
absolute = 0.05
[[models.triggers]]
kind = "dynamic"
risk_aversion = 10
horizon = "8766h"
cost_bps = 5
[models.risk]
volatilities = { A = 0.2, B = 0.2 }
[models.tax]
short_term_rate = 0.37
long_term_rate = 0.20
)";

// One account on each, alike: 50 A bought at 60 long ago, 50 B at 100, on target at 100.
constexpr const char* kAccounts =
    "id,model,cash,A,B,lots,lot_method\n"
    "a1,banded,0,50,50,A:50@60:2025-01-10;B:50@100:2026-01-05,min_tax\n"
    "a2,dynamic,0,50,50,A:50@60:2025-01-10;B:50@100:2026-01-05,min_tax\n";

// A rises 25 %: each account is 6,250 / 11,250 = 5/9 in A, 0.0556 past its target.
constexpr const char* kPrices = "date,A,B\n2026-03-13,100,100\n2026-03-16,125,100\n";

}  // namespace

TEST_CASE("a dynamic model holds the rebalance its tax outweighs: it trades less and pays less tax than on bands") {
  auto loaded = config::parse_config(kModels, "test.toml", config::Purpose::offline);
  for (const auto& e : loaded.errors) INFO(e.to_string());
  REQUIRE(loaded.config);
  const fleet::ImportResult accounts = fleet::parse_accounts(kAccounts, fleet::AccountFormat::csv);
  for (const auto& e : accounts.errors) INFO(e.message);
  REQUIRE(accounts.errors.empty());
  offline::FleetSetupResult made =
      offline::make_fleet_setup(loaded.config->models, accounts.records, loaded.config->fleet.window);
  for (const auto& e : made.errors) INFO(e);
  REQUIRE(made.setup);
  auto table = feeds::parse_price_table(kPrices, "test.csv");
  REQUIRE(table.ok());
  offline::FleetBacktestRun r = offline::run_fleet_backtest(*made.setup, table.table);
  for (const auto& e : r.errors) INFO(e);
  REQUIRE(r.fleet);
  const offline::FleetGroup& banded = r.fleet->models.at(0);
  const offline::FleetGroup& dynamic = r.fleet->models.at(1);

  // On bands alone: to target, y_A = 0.5 · 11,250 / 125 = 45, so 5 A are sold
  // (from the lot at 60, long-term: a gain of 5 · 65 = 325, taxed 20 % = 65.00)
  // and 6 B bought (6.25 rounded to a lot).
  CHECK(banded.tally.rebalances == 1);
  CHECK(banded.tally.traded_value == doctest::Approx(5 * 125 + 6 * 100));
  CHECK(banded.tax.realised_long_term == doctest::Approx(325));
  CHECK(banded.tax.tax_paid == doctest::Approx(65));

  // With the dynamic trigger: d = ±5/90 = ±0.0556, dᵀΣd = 2 · 0.0556² · 0.04 = 0.000247,
  // B = (10/2) · 0.000247 · 1 · 11,250 = 13.89; C = (625 + 600) · 5/10⁴ + 65.00 = 65.61.
  // Held: nothing traded, no tax.
  CHECK(dynamic.tally.rebalances == 0);
  CHECK(dynamic.tally.traded_value == 0);
  CHECK(dynamic.tax.realised_long_term == 0);
  CHECK(dynamic.tax.tax_paid == 0);
  // It stays where it drifted, outside its band, and the run says why.
  CHECK(dynamic.drift.breaching == 1);
  CHECK(r.fleet->rebalances_held == 1);
  CHECK(offline::fleet_table(*r.fleet).find("band rebalances held by a dynamic trigger (benefit below cost, tax "
                                             "included): 1\n") != std::string::npos);
}

}  // namespace test_fleet_dynamic
