// A model's calendar dates in the real daemon: on each date every account of
// the model is rebalanced to target when a trade is worth it, inside its
// bands too, in block orders whose reason is "calendar".
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>

#include "tests/integration/fleet_support.hpp"
#include "tests/integration/support.hpp"

namespace test_fleet_calendar {

using namespace ballast::testing;
using namespace ballast::testing::fleet_test;

TEST_CASE("on a model's calendar date an account inside its band is rebalanced to target") {
  // kFleetModels with a date every 2 s. a4 holds 62 SPY and 38 AGG: 0.62
  // against 0.6 is inside the 5-point band, so only a date trades it.
  std::string models = kFleetModels;
  models.insert(models.find("[fleet]"), "[[models.triggers]]\nkind = \"calendar\"\nevery = \"2s\"\n\n");
  DaemonHarness d(models);
  start_priced(d);
  // The start's check: a1 and a2, outside their bands (booked as they leave: no fill reports here).
  const auto [sell, buy] = first_blocks(d);
  CHECK(sell.allocations == std::map<std::string, double>{{"a1", 4}, {"a2", 8}});
  // Then a date: a4 sells 2 SPY and buys 2 AGG; a1, a2 and a3 are on target.
  const auto orders = d.orders(4, 8s);
  REQUIRE(orders.size() == 4);
  const Block date_sell = parse_block(orders[2]);
  CHECK(date_sell.side == "sell");
  CHECK(date_sell.symbol == "SPY");
  CHECK(date_sell.allocations == std::map<std::string, double>{{"a4", 2}});
  CHECK(parse_block(orders[3]).allocations == std::map<std::string, double>{{"a4", 2}});
  CHECK(orders[2].find("\"reason\":\"calendar\"") != std::string::npos);
  CHECK(orders[0].find("\"reason\":\"threshold\"") != std::string::npos);
  CHECK(eventually([&] { return !account(d, "a4").pending; }));
  CHECK(account(d, "a4").quantity["SPY"] == 60);
  CHECK(num(d.status()["fleet"]["calendar_rebalances"]) == 1);
  // Later dates find every account on target: nothing more.
  CHECK(d.orders(5, 2500ms).size() == 4);
}

TEST_CASE("a date that trades more accounts than one part runs through the whole book") {
  // 700 accounts at 62/38, inside their bands: the date trades every one,
  // in parts of at most 256 accounts traded, each part posted to the loop
  // after the one before it (Daemon::drive_calendar), not one per timer tick.
  constexpr int kCount = 700;
  std::string models = kFleetModels;
  models.insert(models.find("[fleet]"), "[[models.triggers]]\nkind = \"calendar\"\nevery = \"2s\"\n\n");
  std::string csv = "id,model,cash,household,SPY,AGG\n";
  char id[16];
  for (int i = 0; i < kCount; ++i) {
    std::snprintf(id, sizeof id, "c%04d", i);
    csv += std::string(id) + ",balanced,0,,62,38\n";
  }
  DaemonHarness d(models);
  import_accounts(d, csv);
  d.start();
  price(d);
  REQUIRE(eventually([&] { return num(d.status()["fleet"]["calendar_rebalances"]) == kCount; }, 20s));
  for (const char* a : {"c0000", "c0255", "c0256", "c0511", "c0512", "c0699"}) {
    INFO(a);
    const Account acc = account(d, a);
    CHECK(acc.quantity.at("SPY") == 60);
    CHECK(acc.quantity.at("AGG") == 40);
    CHECK(acc.cash == doctest::Approx(0));
  }
  // The blocks of the date, and of the next one 2 s later, which finds the
  // book on target: every account sold 2 SPY and bought 2 AGG, once.
  std::map<std::string, double> sold, bought;
  for (const std::string& o : d.orders(1000, 3s)) {
    const Block b = parse_block(o);
    for (const auto& [account_id, q] : b.allocations) {
      const bool spy_sold = b.side == "sell" && b.symbol == "SPY";
      const bool agg_bought = b.side == "buy" && b.symbol == "AGG";
      REQUIRE_MESSAGE((spy_sold || agg_bought), o);
      (spy_sold ? sold : bought)[account_id] += q;
    }
  }
  CHECK(sold.size() == kCount);
  CHECK(bought.size() == kCount);
  CHECK(std::all_of(sold.begin(), sold.end(), [](const auto& e) { return e.second == 2; }));
  CHECK(std::all_of(bought.begin(), bought.end(), [](const auto& e) { return e.second == 2; }));
}

}  // namespace test_fleet_calendar
