// A model's slicing in the real daemon: a breach's blocks leave as child
// orders one interval apart, each with its accounts' share of the step;
// children not yet sent are in the state file and leave when they are due,
// across a restart too, and are never sent before their time; without fill
// reports each child is booked as it leaves.
#include <doctest/doctest.h>

#include <csignal>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/ids.hpp"
#include "tests/integration/fleet_support.hpp"
#include "tests/integration/support.hpp"

namespace test_fleet_slicing {

using namespace ballast::testing;
using namespace ballast::testing::fleet_test;

namespace {

/// kFleetModels with slicing: at 100 a child is at most 5 lots. a1 sells 4
/// SPY and buys 4 AGG, a2 8 and 8: blocks of 12 lots in steps of 5, 10, 12.
/// Asks 4 and 8: after 5 lots 1.67, 3.33 → 2, 3; after 10 3.33, 6.67 → 3, 7;
/// then 4, 8. The children ask {2, 3}, {1, 4}, {1, 1}.
std::string sliced_models(const std::string& interval) {
  std::string models = kFleetModels;
  const std::string targets = "targets = { SPY = 0.6, AGG = 0.4 }\n";
  models.insert(models.find(targets) + targets.size(),
                "slicing = { max_child_value = 500, interval = \"" + interval + "\" }\n");
  return models;
}

using Asks = std::map<std::string, double>;
const Asks kSteps[] = {{{"a1", 2}, {"a2", 3}}, {{"a1", 1}, {"a2", 4}}, {{"a1", 1}, {"a2", 1}}};

}  // namespace

TEST_CASE("sliced blocks leave one interval apart; children not sent wait in the state file across a restart") {
  DaemonHarness d(sliced_models("3s"), "", "", "", /*with_fills=*/true);
  import_accounts(d, kAccounts);
  d.start();
  price(d);
  // The first step at once, sell first.
  const auto [sell, buy] = first_blocks(d);
  CHECK(sell.side == "sell");
  CHECK(sell.quantity == 5);
  CHECK(sell.allocations == kSteps[0]);
  CHECK(buy.side == "buy");
  CHECK(buy.allocations == kSteps[0]);
  auto fleet = d.status()["fleet"];
  CHECK(num(fleet["sliced_blocks"]) == 2);
  CHECK(num(fleet["children_scheduled"]) == 4);
  CHECK(num(fleet["block_orders"]) == 2);
  CHECK(num(fleet["open_block_orders"]) == 6);
  CHECK(account(d, "a1").open_orders == 6);
  CHECK(account(d, "a1").pending);

  // Stopped before the next step: its children are in the state file only.
  d.process->signal(SIGTERM);
  REQUIRE(d.process->wait_exit() == 0);
  d.start();
  // The two sent are sent again under their ids; the four scheduled are not
  // (and the fleet, waiting for prices, sends nothing else).
  auto orders = d.orders(4);
  REQUIRE(orders.size() == 4);
  CHECK(parse_block(orders[2]).order_id == sell.order_id);
  CHECK(parse_block(orders[3]).order_id == buy.order_id);
  CHECK(d.orders(5, 500ms).size() == 4);

  price(d);
  // Each later step when it is due: 3 s, then 6 s after the first.
  orders = d.orders(8, 15s);
  REQUIRE(orders.size() == 8);
  std::set<std::string> ids = {sell.order_id, buy.order_id};
  for (std::size_t k = 1; k < 3; ++k) {
    const Block s = parse_block(orders[2 + 2 * k]);
    const Block b = parse_block(orders[3 + 2 * k]);
    CHECK(s.side == "sell");
    CHECK(s.allocations == kSteps[k]);
    CHECK(b.side == "buy");
    CHECK(b.allocations == kSteps[k]);
    ids.insert(s.order_id);
    ids.insert(b.order_id);
  }
  CHECK(ids.size() == 6);  // no child twice, none lost
  CHECK(d.orders(9, 500ms).size() == 8);
  CHECK(eventually([&] { return num(d.status()["fleet"]["children_scheduled"]) == 0; }));

  // Every child filled at 100 (the first two, sent twice, once): the accounts settle on target.
  std::set<std::string> filled;
  for (const std::string& o : orders) {
    const Block b = parse_block(o);
    if (filled.insert(b.order_id).second) d.send_fill(fill(b.order_id, "filled", b.quantity, 100));
  }
  CHECK(eventually([&] { return !account(d, "a1").pending && !account(d, "a2").pending; }));
  const Account a1 = account(d, "a1");
  CHECK(a1.quantity.at("SPY") == 6);
  CHECK(a1.quantity.at("AGG") == 4);
  CHECK(a1.cash == doctest::Approx(0).epsilon(1e-9));
  CHECK(account(d, "a2").quantity.at("SPY") == 12);
  CHECK(account(d, "a2").quantity.at("AGG") == 8);
  CHECK(num(d.status()["fleet"]["open_block_orders"]) == 0);
}

TEST_CASE("a scheduled child resolved before its time is never sent") {
  DaemonHarness d(sliced_models("2s"), "", "", "", /*with_fills=*/true);
  import_accounts(d, kAccounts);
  d.start();
  price(d);
  const auto [sell, buy] = first_blocks(d);
  CHECK(account(d, "a1").pending);
  // The ids follow the steps, sell and buy in each: the last step's sell is the first's + 4.
  const std::string last_sell = ballast::engine::make_id(
      "fleet", sell.order_id.substr(6, 8), std::stoull(sell.order_id.substr(sell.order_id.rfind('-') + 1)) + 4);
  const auto r = d.post("/control/orders/resolve?order_id=" + last_sell + "&cancelled=true");
  INFO(r.body);
  REQUIRE(r.status == 200);
  const auto orders = d.orders(6, 8s);
  REQUIRE(orders.size() == 5);
  for (const std::string& o : orders) CHECK(parse_block(o).order_id != last_sell);
}

TEST_CASE("without fill reports each child is booked as it leaves, at the price of its time") {
  DaemonHarness d(sliced_models("3s"));
  import_accounts(d, kAccounts);
  d.start();
  price(d);
  REQUIRE(d.orders(2).size() == 2);
  // After the first step: a1 sold 2 SPY and bought 2 AGG, at 100.
  CHECK(account(d, "a1").quantity["SPY"] == 8);
  CHECK(account(d, "a1").quantity["AGG"] == 2);
  CHECK(account(d, "a1").pending);
  // SPY rises to 101 before the next step (a3 and a4 stay inside their bands,
  // a1 and a2 wait for their blocks): its later children leave at 101.
  const auto before = d.ticks();
  d.publish("SPY", R"({"price": 101})");
  REQUIRE(eventually([&] { return d.ticks() == before + 1; }));
  const auto orders = d.orders(6, 10s);
  REQUIRE(orders.size() == 6);
  simdjson::dom::parser parser;
  for (std::size_t i = 2; i < orders.size(); ++i) {
    INFO(orders[i]);
    const simdjson::dom::element o = parser.parse(orders[i]);
    CHECK(num(o["reference_price"]) == (std::string_view(o["symbol"]) == "SPY" ? 101 : 100));
  }
  CHECK(eventually([&] { return !account(d, "a1").pending; }));
  // Then 1 and 1 more SPY sold at 101, AGG bought at 100.
  const Account a1 = account(d, "a1");
  CHECK(a1.quantity.at("SPY") == 6);
  CHECK(a1.quantity.at("AGG") == 4);
  CHECK(a1.cash == doctest::Approx(2 * 101 - 2 * 100));
  CHECK(account(d, "a2").quantity["AGG"] == 8);
}

TEST_CASE("killed, scheduled children wait past their time and leave on release") {
  DaemonHarness d(sliced_models("1s"), "", "", "", /*with_fills=*/true);
  import_accounts(d, kAccounts);
  d.start();
  price(d);
  REQUIRE(d.orders(2).size() == 2);
  REQUIRE(d.post("/control/kill").status == 200);
  CHECK(d.orders(3, 2500ms).size() == 2);  // the second step was due a second after the first
  CHECK(num(d.status()["fleet"]["children_scheduled"]) == 4);
  REQUIRE(d.post("/control/release").status == 200);
  // Released: the step whose time passed leaves at once, and the last one
  // interval after it (not with it: fleet/test_fleet_desk_slicing.cpp times it).
  const auto orders = d.orders(6, 5s);
  REQUIRE(orders.size() == 6);
  CHECK(parse_block(orders[2]).allocations == kSteps[1]);
  CHECK(parse_block(orders[4]).allocations == kSteps[2]);
}

}  // namespace test_fleet_slicing
