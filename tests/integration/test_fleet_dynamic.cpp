// A model's dynamic trigger in the real daemon: two accounts alike but for
// their lots breach the same band; the one whose sell would realise a large
// short-term gain is held (nothing sent for it, /status, the metrics and the
// log say so), the other trades.
#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <string>

#include "core/time.hpp"
#include "tests/integration/support.hpp"

namespace test_fleet_dynamic {

using namespace ballast::testing;

namespace {

/// 50/50 with a 5-point band; λ = 10 over a year, σ 0.20 and 0.10 with ρ = 0.5,
/// a flat 5 bps, rates 37 % and 20 %. At 60 SPY / 40 AGG, all at 100:
/// B = (10/2) · 0.0003 · 10,000 = 15.00 (tests/fleet/dynamic_test_support.hpp).
const std::string kDynamicModel = R"(
[[models]]
id = "dyn"
targets = { SPY = 0.5, AGG = 0.5 }

[[models.triggers]]
kind = "threshold"
absolute = 0.05

[[models.triggers]]
kind = "dynamic"
risk_aversion = 10
horizon = "8766h"
cost_bps = 5

[models.risk]
volatilities = { SPY = 0.2, AGG = 0.1 }
correlations = { "SPY:AGG" = 0.5 }

[models.tax]
short_term_rate = 0.37
long_term_rate = 0.2

[fleet]
window = "0s"
)";

}  // namespace

TEST_CASE("a rebalance whose tax outweighs its benefit is held; the same without the gain trades") {
  DaemonHarness d(kDynamicModel, "", "", "", /*with_fills=*/true);
  const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  const std::string bought = ballast::core::format_iso8601(now - 10 * ballast::core::kNanosPerDay).substr(0, 10);
  // a1's SPY was bought at 50 ten days ago: selling 10 realises 500 short-term,
  // 185.00 of tax, so C = 1.00 + 185.00 > 15.00. a2's has no known basis: C = 1.00.
  import_accounts(d, "id,model,cash,SPY,AGG,lots\n"
                     "a1,dyn,0,60,40,SPY:60@50:" + bought + "\n"
                     "a2,dyn,0,60,40,\n");
  d.start();
  d.prime("SPY", 100);
  d.prime("AGG", 100);

  const auto orders = d.orders(2);
  REQUIRE(orders.size() == 2);
  for (const std::string& json : orders) {
    simdjson::dom::parser parser;
    const simdjson::dom::element o = parser.parse(json);
    const auto allocations = o["allocations"].get_array();
    REQUIRE(allocations.size() == 1);
    CHECK(std::string_view(allocations.at(0)["account"]) == "a2");
    CHECK(num(o["quantity"]) == 10);
  }
  REQUIRE(eventually([&] { return num(d.status()["fleet"]["tax"]["rebalances_held"]) == 1; }));
  CHECK(num(d.status()["fleet"]["rebalances"]) == 1);
  CHECK(d.get("/metrics").body.find("ballast_fleet_tax_decisions_total{decision=\"rebalance_held\"} 1") !=
        std::string::npos);
  CHECK(d.log().find("account a1: rebalance held: benefit 15.00 does not pass its cost 186.00 (trading 1.00, tax "
                     "185.00)") != std::string::npos);
  // a1 is not pending: it waits for nothing, holding what it held.
  const auto res = d.get("/accounts/a1");
  REQUIRE(res.status == 200);
  simdjson::dom::parser parser;
  const simdjson::dom::element a = parser.parse(res.body);
  CHECK_FALSE(bool(a["pending"]));
  CHECK(bool(a["breaching"]));
  // Nothing more is sent for it on later ticks at the same prices.
  d.prime("SPY", 100);
  CHECK(d.orders(3, 300ms).size() == 2);
  CHECK(num(d.status()["fleet"]["tax"]["rebalances_held"]) == 1);
}

}  // namespace test_fleet_dynamic
