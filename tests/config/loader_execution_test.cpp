// The loader on the execution settings: [portfolios.costs], max_cost_bps,
// slicing, [execution.limits] and [daemon] durability. Valid tables land in
// exact typed values; every broken one is reported at its line and column.
#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "core/time.hpp"
#include "tests/config/config_test_support.hpp"

namespace ballast::config {
namespace loader_execution_test {
namespace {

using test::contains;
using test::only_error;
using test::with_head;
using test::valid;

TEST_CASE("costs, max_cost_bps and slicing are read into exact values; absent, there are none") {
  const Config none = valid(with_head(""));
  CHECK_FALSE(none.portfolios.at(0).costs.has_value());
  CHECK_FALSE(none.portfolios.at(0).max_cost_bps.has_value());
  CHECK_FALSE(none.portfolios.at(0).slicing.has_value());
  CHECK(none.daemon.durability == Durability::full);

  const Config c = valid(with_head(R"(max_cost_bps = 80
slicing = { max_child_value = 25000, interval = "45s" }
[portfolios.costs]
commission_per_share = 0.005
commission_bps = 1.5
commission_min = 1
half_spread_bps = 2
slippage_bps = 3
impact_eta = 0.7
adv = { SPY = 80000000, AGG = 6000000 }
)"));
  const auto& p = c.portfolios.at(0);
  REQUIRE(p.costs.has_value());
  // toml++ keeps a table's keys sorted.
  CHECK(p.costs->commission_per_share == 0.005);
  CHECK(p.costs->commission_bps == 1.5);
  CHECK(p.costs->commission_min == 1);
  CHECK(p.costs->half_spread_bps == 2);
  CHECK(p.costs->slippage_bps == 3);
  CHECK(p.costs->impact_eta == 0.7);
  CHECK(p.costs->adv == std::vector<std::pair<std::string, double>>{{"AGG", 6e6}, {"SPY", 80e6}});
  CHECK(p.max_cost_bps == 80);
  REQUIRE(p.slicing.has_value());
  CHECK(p.slicing->max_child_value == 25000);
  CHECK(p.slicing->interval == 45 * core::kNanosPerSecond);
}

TEST_CASE("an empty costs table is a cost model with every cost zero") {
  const Config c = valid(with_head("costs = {}\n"));
  REQUIRE(c.portfolios.at(0).costs.has_value());
  CHECK(c.portfolios.at(0).costs->commission_min == 0);
  CHECK(c.portfolios.at(0).costs->adv.empty());
}

TEST_CASE("limits and durability") {
  const Config c = valid(R"([daemon]
durability = "normal"
[execution.limits]
max_order_value = 50000
max_order_fraction = 0.25
price_collar = 0.05
max_orders_per_minute = 30
duplicate_window = "10s"
restricted_symbols = ["XYZ", "ABC"]
max_daily_turnover = 1.5
)");
  CHECK(c.daemon.durability == Durability::normal);
  const auto& l = c.execution.limits;
  CHECK(l.max_order_value == 50000);
  CHECK(l.max_order_fraction == 0.25);
  CHECK(l.price_collar == 0.05);
  CHECK(l.max_orders_per_minute == 30);
  CHECK(l.duplicate_window == 10 * core::kNanosPerSecond);
  CHECK(l.restricted_symbols == std::vector<std::string>{"XYZ", "ABC"});
  CHECK(l.max_daily_turnover == 1.5);
  CHECK(valid("[daemon]\ndurability = \"off\"\n").daemon.durability == Durability::off);
}

TEST_CASE("absent limits are safe: max_jump 0.5, max_future 5s, max_order_fraction 1; \"none\" switches each off") {
  const std::string feed = "[[feeds]]\nname = \"f\"\nendpoint = \"tcp://127.0.0.1:5556\"\n";
  const Config safe = valid(with_head(feed));
  CHECK(safe.feeds.at(0).max_jump == 0.5);
  CHECK(safe.feeds.at(0).max_future == 5 * core::kNanosPerSecond);
  CHECK(safe.execution.limits.max_order_fraction == 1.0);

  const Config off = valid(with_head(feed + "max_jump = \"none\"\nmax_future = \"none\"\n"
                                            "[execution.limits]\nmax_order_fraction = \"none\"\n"));
  CHECK_FALSE(off.feeds.at(0).max_jump.has_value());
  CHECK_FALSE(off.feeds.at(0).max_future.has_value());
  CHECK_FALSE(off.execution.limits.max_order_fraction.has_value());

  const Config set = valid(with_head(feed + "max_jump = 0.1\nmax_future = \"250ms\"\n"));
  CHECK(set.feeds.at(0).max_jump == 0.1);
  CHECK(set.feeds.at(0).max_future == 250 * core::kNanosPerSecond / 1000);
}

TEST_CASE("limits that take \"none\" refuse other words and bad values, located") {
  const std::string feed = "[[feeds]]\nname = \"f\"\nendpoint = \"tcp://127.0.0.1:5556\"\n";
  SUBCASE("max_jump as another word") {
    const auto e = only_error(with_head(feed + "max_jump = \"off\"\n"));
    CHECK_AT(e, 7, 12);
    CHECK(e.message == "max_jump: expected a number or \"none\", got \"off\"");
  }
  SUBCASE("max_jump not positive") {
    const auto e = only_error(with_head(feed + "max_jump = 0\n"));
    CHECK_AT(e, 7, 12);
    CHECK(e.message == "max_jump: must be > 0, got 0");
  }
  SUBCASE("max_future as a number") {
    const auto e = only_error(with_head(feed + "max_future = 5\n"));
    CHECK_AT(e, 7, 14);
    CHECK(contains(e.message, "max_future: expected a duration longer than 0"));
    CHECK(contains(e.message, "or \"none\", got an integer"));
  }
  SUBCASE("max_future of zero") {
    const auto e = only_error(with_head(feed + "max_future = \"0s\"\n"));
    CHECK_AT(e, 7, 14);
    CHECK(contains(e.message, "got \"0s\""));
  }
  SUBCASE("max_order_fraction as another word") {
    const auto e = only_error("[execution.limits]\nmax_order_fraction = \"unlimited\"\n");
    CHECK_AT(e, 2, 22);
    CHECK(e.message == "limits.max_order_fraction: expected a number or \"none\", got \"unlimited\"");
  }
}

TEST_CASE("cost errors") {
  SUBCASE("a negative commission") {
    const auto e = only_error(with_head("[portfolios.costs]\ncommission_min = -1\n"));
    CHECK_AT(e, 5, 18);
    CHECK(e.message == "costs.commission_min: must be >= 0, got -1");
  }
  SUBCASE("a cost of the wrong type") {
    const auto e = only_error(with_head("[portfolios.costs]\nslippage_bps = \"3\"\n"));
    CHECK_AT(e, 5, 16);
    CHECK(e.message == "costs.slippage_bps: expected a number, got a string");
  }
  SUBCASE("an ADV that is not positive") {
    const auto e = only_error(with_head("[portfolios.costs]\nadv = { SPY = 0 }\n"));
    CHECK_AT(e, 5, 15);
    CHECK(e.message == "costs.adv.SPY: must be > 0, got 0");
  }
  SUBCASE("an ADV for a symbol without a target") {
    const auto e = only_error(with_head("[portfolios.costs]\nadv = { TLT = 1000 }\n"));
    CHECK_AT(e, 5, 9);
    CHECK(e.message == "costs.adv.TLT: TLT has no target; costs.adv may only name symbols in targets");
  }
  SUBCASE("an unknown cost key") {
    const auto e = only_error(with_head("[portfolios.costs]\nspread_bps = 2\n"));
    CHECK_AT(e, 5, 1);
    CHECK(e.message ==
          "unknown key \"spread_bps\" in [portfolios.costs] (expected one of: commission_per_share, "
          "commission_bps, commission_min, half_spread_bps, slippage_bps, impact_eta, adv)");
  }
  SUBCASE("costs of the wrong type") {
    const auto e = only_error(with_head("costs = 5\n"));
    CHECK_AT(e, 4, 9);
  }
  SUBCASE("max_cost_bps must be positive") {
    const auto e = only_error(with_head("max_cost_bps = 0\n"));
    CHECK_AT(e, 4, 16);
    CHECK(e.message == "max_cost_bps: must be > 0, got 0");
  }
  SUBCASE("a dynamic trigger's cost_bps beside a cost model") {
    const auto e = only_error(with_head(R"(risk = {}
[portfolios.costs]
slippage_bps = 5
[[portfolios.triggers]]
kind = "dynamic"
cost_bps = 10
)"));
    CHECK_AT(e, 9, 12);
    CHECK(e.message ==
          "cost_bps: this portfolio has [portfolios.costs], which the dynamic trigger uses; remove cost_bps (it "
          "would price the same trades a second way)");
  }
}

TEST_CASE("slicing errors") {
  SUBCASE("max_child_value is required") {
    const auto e = only_error(with_head("slicing = { interval = \"30s\" }\n"));
    CHECK_AT(e, 4, 11);
    CHECK(e.message.find("max_child_value") != std::string::npos);
  }
  SUBCASE("max_child_value must be positive") {
    const auto e = only_error(with_head("slicing = { max_child_value = -5 }\n"));
    CHECK_AT(e, 4, 31);
    CHECK(e.message == "slicing.max_child_value: must be > 0, got -5");
  }
  SUBCASE("interval must be a duration") {
    const auto e = only_error(with_head("slicing = { max_child_value = 5, interval = \"soon\" }\n"));
    CHECK_AT(e, 4, 45);
    CHECK(e.message.rfind("slicing.interval: expected a duration", 0) == 0);
  }
  SUBCASE("an unknown slicing key") {
    const auto e = only_error(with_head("slicing = { max_child_value = 5, children = 3 }\n"));
    CHECK_AT(e, 4, 34);
    CHECK(e.message == "unknown key \"children\" in slicing (expected one of: max_child_value, interval)");
  }
}

TEST_CASE("limit and durability errors") {
  SUBCASE("a fraction beyond 1") {
    const auto e = only_error("[execution.limits]\nmax_order_fraction = 1.5\n");
    CHECK_AT(e, 2, 22);
    CHECK(e.message == "limits.max_order_fraction: must be in (0, 1], got 1.5 (a fraction, not percent)");
  }
  SUBCASE("a rate below 1") {
    const auto e = only_error("[execution.limits]\nmax_orders_per_minute = 0\n");
    CHECK_AT(e, 2, 25);
    CHECK(e.message == "limits.max_orders_per_minute: must be an integer in 1..2147483647, got 0");
  }
  SUBCASE("a duplicate window that is not a duration") {
    const auto e = only_error("[execution.limits]\nduplicate_window = 10\n");
    CHECK_AT(e, 2, 20);
    CHECK(e.message == "limits.duplicate_window: expected a string, got an integer");
  }
  SUBCASE("restricted symbols that are not an array") {
    const auto e = only_error("[execution.limits]\nrestricted_symbols = \"XYZ\"\n");
    CHECK_AT(e, 2, 22);
    CHECK(e.message == "limits.restricted_symbols: expected an array of symbols such as [\"XYZ\"], got a string");
  }
  SUBCASE("an empty restricted symbol") {
    const auto e = only_error("[execution.limits]\nrestricted_symbols = [\"\"]\n");
    CHECK_AT(e, 2, 23);
  }
  SUBCASE("an unknown limit") {
    const auto e = only_error("[execution.limits]\nmax_position = 3\n");
    CHECK_AT(e, 2, 1);
    CHECK(e.message.rfind("unknown key \"max_position\" in [execution.limits]", 0) == 0);
  }
  SUBCASE("an unknown durability") {
    const auto e = only_error("[daemon]\ndurability = \"paranoid\"\n");
    CHECK_AT(e, 2, 14);
    CHECK(e.message == "durability: expected \"full\", \"normal\", or \"off\", got \"paranoid\"");
  }
}

}  // namespace
}  // namespace loader_execution_test
}  // namespace ballast::config
