// The fleet in the real daemon: accounts imported into a real state file with
// the real `ballast accounts import`, followed on [[models]]; a breach sends
// one block order per symbol and side with the accounts' allocations, fill
// reports are allocated back in whole lots, and /accounts and /status show it
// — across a restart with a block half filled.
#include <doctest/doctest.h>
#include <sched.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "core/time.hpp"
#include "execution/io/order_codec.hpp"
#include "tests/integration/fleet_support.hpp"
#include "tests/integration/support.hpp"

namespace test_fleet {

using namespace ballast::testing;
using namespace ballast::testing::fleet_test;

TEST_CASE("a breach of many accounts leaves as one block order per symbol and side, and fills come back to them") {
  DaemonHarness d(kFleetModels, "", "", "", /*with_fills=*/true);
  import_accounts(d, kAccounts);
  d.start();
  // Before every symbol has a price the fleet waits, and says so.
  CHECK(d.get("/accounts/a1").status == 404);
  price(d);

  const auto [sell, buy] = first_blocks(d);
  // Sells leave first: their proceeds pay for the buys.
  CHECK(sell.symbol == "SPY");
  CHECK(sell.side == "sell");
  CHECK(sell.quantity == 12);
  CHECK(sell.allocations == std::map<std::string, double>{{"a1", 4}, {"a2", 8}});
  CHECK(buy.symbol == "AGG");
  CHECK(buy.side == "buy");
  CHECK(buy.quantity == 12);
  CHECK(buy.allocations == std::map<std::string, double>{{"a1", 4}, {"a2", 8}});
  CHECK(d.orders(3, 300ms).size() == 2);  // a3 and a4 trade nothing

  auto fleet = d.status()["fleet"];
  CHECK(num(fleet["accounts"]) == 4);
  CHECK(num(fleet["block_orders"]) == 2);
  CHECK(num(fleet["allocations"]) == 4);
  CHECK(num(fleet["states"]["pending"]) == 2);
  CHECK(num(fleet["summary_age_s"]) >= 0);
  CHECK(num(fleet["summary_age_s"]) < 1);  // taken again once a second old
  CHECK(account(d, "a1").pending);
  CHECK(account(d, "a1").open_orders == 2);

  // Half the sell: 6 of 12 lots, pro rata 2 and 4.
  d.send_fill(fill(sell.order_id, "partially_filled", 6, 100));
  CHECK(eventually([&] { return account(d, "a2").quantity["SPY"] == 16; }));
  CHECK(account(d, "a1").quantity["SPY"] == 8);
  CHECK(account(d, "a1").cash == doctest::Approx(200));
  d.send_fill(fill(sell.order_id, "filled", 12, 100));
  d.send_fill(fill(buy.order_id, "filled", 12, 100));
  CHECK(eventually([&] { return !account(d, "a1").pending && !account(d, "a2").pending; }));
  const Account a1 = account(d, "a1");
  CHECK(a1.quantity.at("SPY") == 6);
  CHECK(a1.quantity.at("AGG") == 4);
  CHECK(a1.cash == doctest::Approx(0).epsilon(1e-9));
  CHECK(a1.open_orders == 0);
  CHECK_FALSE(a1.breaching);
  const Account a2 = account(d, "a2");
  CHECK(a2.quantity.at("SPY") == 12);
  CHECK(a2.quantity.at("AGG") == 8);

  fleet = d.status()["fleet"];
  CHECK(num(fleet["states"]["pending"]) == 0);
  CHECK(num(fleet["fills_applied"]) == 3);
  CHECK(num(fleet["open_block_orders"]) == 0);
}

TEST_CASE("the start's check sweeps on the CPUs the daemon may run on, as its affinity narrows them") {
  cpu_set_t own;
  REQUIRE(sched_getaffinity(0, sizeof own, &own) == 0);
  const int allowed = CPU_COUNT(&own);
  int first = 0;
  while (!CPU_ISSET(first, &own)) ++first;
  for (const bool narrowed : {false, true}) {
    CAPTURE(narrowed);
    DaemonHarness d(kFleetModels);
    import_accounts(d, kAccounts);
    // The daemon inherits the affinity it is started with (as under taskset).
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(first, &one);
    if (narrowed) REQUIRE(sched_setaffinity(0, sizeof one, &one) == 0);
    d.start();
    REQUIRE(sched_setaffinity(0, sizeof own, &own) == 0);
    price(d);
    REQUIRE(d.orders(2).size() == 2);
    const int threads = narrowed ? 1 : std::min(allowed, 8);
    INFO(d.log());
    CHECK(d.log().find("accounts checked (sweep threads: " + std::to_string(threads) + ")") != std::string::npos);
  }
}

TEST_CASE("a book larger than a slice is summarised in slices between ticks, and counts every account") {
  // 10,000 accounts: three slices of FleetFlow::kSummarySlice. 9,000 on
  // target (drift 0), 1,000 at 62/38 (drift 0.02: the [2%, 5%) bucket), none
  // outside its band, so nothing trades.
  std::string csv = "id,model,cash,household,SPY,AGG\n";
  for (int i = 0; i < 10'000; ++i) csv += "s" + std::to_string(i) + ",balanced,0,," + (i % 10 ? "6,4\n" : "62,38\n");
  DaemonHarness d(kFleetModels);
  import_accounts(d, csv);
  d.start();
  price(d);
  const auto counts_right = [&](simdjson::dom::element fleet) {
    if (num(fleet["accounts"]) != 10'000 || num(fleet["states"]["breaching"]) != 0 ||
        num(fleet["states"]["unvalued"]) != 0) {
      return false;
    }
    std::vector<double> histogram;
    for (auto b : fleet["drift_histogram"].get_array()) histogram.push_back(num(b["accounts"]));
    return histogram == std::vector<double>{9'000, 0, 0, 1'000, 0, 0};
  };
  CHECK(eventually([&] { return d.status()["fleet"]["started"].get_bool().value(); }));
  CHECK(counts_right(d.status()["fleet"]));
  // Once it is a second old, a /status starts a new pass and answers with the
  // last one; a later one has the new pass, younger than a second.
  std::this_thread::sleep_for(1100ms);
  const double old_age = num(d.status()["fleet"]["summary_age_s"]);
  CHECK(old_age >= 1);
  CHECK(eventually([&] { return num(d.status()["fleet"]["summary_age_s"]) < 1; }));
  CHECK(counts_right(d.status()["fleet"]));
  CHECK(d.orders(1, 200ms).empty());
}

TEST_CASE("/accounts pages through the book and refuses what it cannot answer") {
  DaemonHarness d(kFleetModels, "", "", "", /*with_fills=*/true);
  import_accounts(d, kAccounts);
  d.start();
  CHECK(d.get("/accounts?limit=10").status == 200);  // the fleet has not started: an empty page
  price(d);
  REQUIRE(d.orders(2).size() == 2);

  simdjson::dom::parser parser;
  auto page = d.get("/accounts?limit=2");
  REQUIRE(page.status == 200);
  simdjson::dom::element body = parser.parse(page.body);
  REQUIRE(body["accounts"].get_array().size() == 2);
  CHECK(std::string_view(body["accounts"].at(0)["id"]) == "a1");
  CHECK(std::string_view(body["next_after"]) == "a2");
  page = d.get("/accounts?limit=2&after=a2");
  body = parser.parse(page.body);
  REQUIRE(body["accounts"].get_array().size() == 2);
  CHECK(std::string_view(body["accounts"].at(1)["id"]) == "a4");
  CHECK(body["next_after"].is_null());
  // Breaching: a1 and a2 still are (their orders are open), a3 and a4 are not.
  page = d.get("/accounts?breaching=true");
  body = parser.parse(page.body);
  CHECK(body["accounts"].get_array().size() == 2);

  CHECK(d.get("/accounts/nobody").status == 404);
  CHECK(d.get("/accounts?after=nobody").status == 404);
  CHECK(d.get("/accounts?limit=0").status == 400);
  CHECK(d.get("/accounts?limit=5000").status == 400);
  CHECK(d.get("/accounts?breaching=maybe").status == 400);
  CHECK(d.get("/accounts?colour=red").status == 400);
  CHECK(d.get("/accounts/a1/lots").status == 404);
}

TEST_CASE("a block half filled when the daemon stops is sent again and finished after the restart") {
  DaemonHarness d(kFleetModels, "", "", "", /*with_fills=*/true);
  import_accounts(d, kAccounts);
  d.start();
  price(d);
  const auto [sell, buy] = first_blocks(d);
  d.send_fill(fill(sell.order_id, "partially_filled", 6, 100));
  CHECK(eventually([&] { return account(d, "a1").quantity["SPY"] == 8; }));

  d.process->signal(SIGTERM);
  REQUIRE(d.process->wait_exit() == 0);
  d.start();
  // Both blocks are sent again under their ids, with their allocations.
  const auto again = d.orders(4);
  REQUIRE(again.size() == 4);
  CHECK(parse_block(again[2]).order_id == sell.order_id);
  CHECK(parse_block(again[2]).allocations == sell.allocations);
  CHECK(parse_block(again[3]).order_id == buy.order_id);
  price(d);
  // The fills booked before the stop are kept; the accounts wait for the rest.
  CHECK(eventually([&] { return d.get("/accounts/a1").status == 200; }));
  CHECK(account(d, "a1").quantity["SPY"] == 8);
  CHECK(account(d, "a1").pending);
  CHECK(d.orders(5, 300ms).size() == 4);  // no new decision while they wait

  d.send_fill(fill(sell.order_id, "filled", 12, 100));
  d.send_fill(fill(buy.order_id, "filled", 12, 100));
  CHECK(eventually([&] { return !account(d, "a1").pending && !account(d, "a2").pending; }));
  CHECK(account(d, "a1").quantity["SPY"] == 6);
  CHECK(account(d, "a1").quantity["AGG"] == 4);
  CHECK(account(d, "a2").quantity["SPY"] == 12);
  CHECK(account(d, "a2").quantity["AGG"] == 8);
}

TEST_CASE("without fill reports a block is booked for its accounts when it leaves") {
  DaemonHarness d(kFleetModels);
  import_accounts(d, kAccounts);
  d.start();
  price(d);
  REQUIRE(d.orders(2).size() == 2);
  CHECK(eventually([&] { return !account(d, "a1").pending; }));
  CHECK(account(d, "a1").quantity["SPY"] == 6);
  CHECK(account(d, "a1").quantity["AGG"] == 4);
  CHECK(account(d, "a2").quantity["AGG"] == 8);
  // The first blocks came from the start's check of every account, not from
  // a tick: no tick-to-order latency yet. A tick that moves the accounts out
  // of their bands has its latency to the first block order sent recorded.
  CHECK(num(d.status()["fleet"]["tick_to_order_us"]["count"]) == 0);
  CHECK(eventually([&] { return !account(d, "a2").pending; }));
  d.prime("SPY", 150);
  REQUIRE(d.orders(4).size() == 4);
  const auto latency = d.status()["fleet"]["tick_to_order_us"];
  CHECK(num(latency["count"]) == 1);
  CHECK(num(latency["p50"]) > 0);
  // Both changes carrying block orders (the start's and the tick's) had
  // their commit timed; each order left after it.
  const auto commit = d.status()["fleet"]["order_commit_us"];
  CHECK(num(commit["count"]) >= 2);
  CHECK(num(commit["p50"]) > 0);
  CHECK(num(commit["p99"]) >= num(commit["p50"]));
  // Two accounts never fill the threshold heaps enough to rezone.
  CHECK(num(d.status()["fleet"]["rezones"]) == 0);
  const auto memory = d.status()["fleet"]["memory_mb"];
  CHECK(num(memory["book"]) > 0);
  CHECK(num(memory["zones"]) > 0);
  CHECK(num(memory["ids"]) > 0);
  CHECK(num(memory["lots"]) > 0);  // the fills' buys made lots
}

TEST_CASE("an account's restricted symbols and cash target of its own are what it trades to") {
  DaemonHarness d(kFleetModels);
  // At 100 and 100: a5 may not hold SPY (its 0.6 goes to cash): sells its 10
  // SPY and buys 4 AGG; a6 keeps half in cash (0.3 SPY, 0.2 AGG): sells 3 SPY and 2 AGG.
  import_accounts(d,
                  "id,model,cash,restricted,cash_target,SPY,AGG\n"
                  "a5,balanced,0,SPY,,10,\n"
                  "a6,balanced,0,,0.5,6,4\n");
  d.start();
  price(d);
  const auto orders = d.orders(3);
  REQUIRE(orders.size() == 3);
  std::map<std::string, Block> by_leg;
  for (const auto& o : orders) {
    const Block b = parse_block(o);
    by_leg[b.side + " " + b.symbol] = b;
  }
  CHECK(parse_block(orders[2]).side == "buy");
  CHECK(by_leg["sell SPY"].allocations == std::map<std::string, double>{{"a5", 10}, {"a6", 3}});
  CHECK(by_leg["sell AGG"].allocations == std::map<std::string, double>{{"a6", 2}});
  CHECK(by_leg["buy AGG"].allocations == std::map<std::string, double>{{"a5", 4}});

  CHECK(eventually([&] { return !account(d, "a5").pending && !account(d, "a6").pending; }));
  const Account a5 = account(d, "a5");
  CHECK(a5.quantity.at("SPY") == 0);
  CHECK(a5.quantity.at("AGG") == 4);
  CHECK(a5.cash == doctest::Approx(600));
  const Account a6 = account(d, "a6");
  CHECK(a6.quantity.at("SPY") == 3);
  CHECK(a6.quantity.at("AGG") == 2);
  CHECK(a6.cash == doctest::Approx(500));
  simdjson::dom::parser parser;
  const simdjson::dom::element body = parser.parse(d.get("/accounts/a6").body);
  CHECK(std::string_view(body["model"]) == "balanced");
  CHECK(num(body["cash_target"]) == doctest::Approx(0.5));
  CHECK(num(d.status()["fleet"]["model_variants"]) == 2);
}

TEST_CASE("each account's share passes [execution.limits]; what is denied is counted and not sent") {
  // a1 sells 4 SPY and buys 4 AGG (400 each); a2's 800 each way is beyond 500.
  DaemonHarness d(kFleetModels, "", "\n[execution.limits]\nmax_order_value = 500\n");
  import_accounts(d, kAccounts);
  d.start();
  price(d);
  const auto [sell, buy] = first_blocks(d);
  CHECK(sell.allocations == std::map<std::string, double>{{"a1", 4}});
  CHECK(buy.allocations == std::map<std::string, double>{{"a1", 4}});
  CHECK(eventually([&] { return num(d.status()["fleet"]["denied"]["max_order_value"]) >= 2; }));
  CHECK(account(d, "a2").quantity.at("SPY") == 20);
  CHECK(d.get("/metrics").body.find("ballast_fleet_denied_total{reason=\"max_order_value\"}") != std::string::npos);
}

TEST_CASE("paused or killed, the fleet decides nothing; released, it decides at the prices of then") {
  DaemonHarness d(kFleetModels);
  import_accounts(d, kAccounts);
  d.start();
  REQUIRE(d.post("/control/pause").status == 200);
  price(d);
  CHECK(eventually([&] { return d.get("/accounts/a1").status == 200; }));
  CHECK(d.orders(1, 300ms).empty());
  REQUIRE(d.post("/control/kill").status == 200);
  REQUIRE(d.post("/control/resume").status == 200);
  CHECK(d.orders(1, 300ms).empty());  // the kill switch still holds
  REQUIRE(d.post("/control/release").status == 200);
  CHECK(first_blocks(d).sell.allocations == std::map<std::string, double>{{"a1", 4}, {"a2", 8}});
  CHECK(d.orders(3, 300ms).size() == 2);  // once

  // Paused once started: a move while paused is decided on resume.
  CHECK(eventually([&] { return !account(d, "a1").pending && !account(d, "a2").pending; }));
  REQUIRE(d.post("/control/pause").status == 200);
  d.prime("SPY", 150);  // every account is now SPY-heavy: 0.69 and more against 0.6
  CHECK(d.orders(3, 300ms).size() == 2);
  REQUIRE(d.post("/control/resume").status == 200);
  const auto after = d.orders(4);
  REQUIRE(after.size() == 4);
  CHECK(parse_block(after[2]).side == "sell");
  CHECK(parse_block(after[2]).symbol == "SPY");
}

TEST_CASE("a block with no final report within order_timeout is unknown, holds its accounts, and is resolved") {
  DaemonHarness d(kFleetModels, "", "order_timeout = \"1s\"\n", "", /*with_fills=*/true);
  import_accounts(d, kAccounts);
  d.start();
  price(d);
  const auto [sell, buy] = first_blocks(d);
  CHECK(eventually([&] { return d.status()["fleet"]["unknown_block_orders"].get_array().size() == 2; }));
  const auto health = d.get("/healthz");
  CHECK(health.status == 503);
  CHECK(health.body.find("2 block orders unknown (" + sell.order_id) != std::string::npos);
  CHECK(account(d, "a1").pending);

  // The broker says: the sell filled in full, the buy never reached the market.
  CHECK(d.post("/control/orders/resolve?order_id=" + sell.order_id + "&filled=13&price=100").status == 422);
  auto r = d.post("/control/orders/resolve?order_id=" + sell.order_id + "&filled=12&price=101");
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.body.find("\"state\":\"filled\"") != std::string::npos);
  CHECK(account(d, "a1").pending);  // its buy is still open
  r = d.post("/control/orders/resolve?order_id=" + buy.order_id + "&cancelled=true");
  REQUIRE(r.status == 200);
  CHECK(r.body.find("\"state\":\"cancelled\"") != std::string::npos);
  CHECK(eventually([&] { return !account(d, "a1").pending; }));
  const Account a1 = account(d, "a1");
  CHECK(a1.quantity.at("SPY") == 6);
  CHECK(a1.quantity.at("AGG") == 0);
  CHECK(a1.cash == doctest::Approx(404));
  CHECK(d.status()["fleet"]["unknown_block_orders"].get_array().size() == 0);
  CHECK(d.post("/control/orders/resolve?order_id=" + buy.order_id + "&cancelled=true").status == 404);
}

TEST_CASE("a sell's fills close the account's tax lots by its method, a buy's open one, and both outlive a restart") {
  DaemonHarness d(kFleetModels, "", "", "", /*with_fills=*/true);
  // a1's 10 SPY in two long-term lots; hifo sells from the one at 120 first.
  // a2's 20 SPY have no known basis.
  import_accounts(d,
                  "id,model,cash,SPY,AGG,lots,lot_method\n"
                  "a1,balanced,0,10,,SPY:6@80:2020-01-10;SPY:4@120:2021-06-01,hifo\n"
                  "a2,balanced,0,20,,,\n");
  d.start();
  price(d);
  const auto [sell, buy] = first_blocks(d);
  d.send_fill(fill(sell.order_id, "filled", 12, 105));
  d.send_fill(fill(buy.order_id, "filled", 12, 100));
  CHECK(eventually([&] { return !account(d, "a1").pending && !account(d, "a2").pending; }));

  // a1 sold 4 of the lot at 120 for 105: 420 − 480 = −60, long-term. Its
  // buy of 4 AGG at 100 is a lot of today, short-term.
  const auto check_a1 = [&] {
    const auto res = d.get("/accounts/a1");
    INFO(res.body);
    REQUIRE(res.status == 200);
    simdjson::dom::parser parser;
    const simdjson::dom::element a = parser.parse(res.body);
    CHECK(std::string_view(a["lot_method"]) == "hifo");
    std::map<std::string, std::vector<std::pair<double, double>>> lots;  // symbol → (quantity, basis per unit)
    for (auto lot : a["lots"].get_array()) {
      lots[std::string(std::string_view(lot["symbol"]))].emplace_back(num(lot["quantity"]), num(lot["basis_per_unit"]));
    }
    CHECK(lots["SPY"] == std::vector<std::pair<double, double>>{{6, 80}});
    CHECK(lots["AGG"] == std::vector<std::pair<double, double>>{{4, 100}});
    // At SPY 100 and AGG 100: 6·(100 − 80) = +120 long-term, 4·0 short-term.
    CHECK(num(a["unrealised"]["long_term"]) == doctest::Approx(120));
    CHECK(num(a["unrealised"]["short_term"]) == doctest::Approx(0));
    // The model has no tax rates: no tax is estimated.
    CHECK(a["unrealised"]["estimated_tax"].error() == simdjson::NO_SUCH_FIELD);
    const auto realised = a["realised"].get_array();
    REQUIRE(realised.size() == 1);
    CHECK(realised.at(0)["estimated_tax"].error() == simdjson::NO_SUCH_FIELD);
    CHECK(num(realised.at(0)["long_term"]["gain"]) == doctest::Approx(-60));
    CHECK(num(realised.at(0)["long_term"]["proceeds"]) == doctest::Approx(420));
    CHECK(num(realised.at(0)["short_term"]["gain"]) == 0);
  };
  check_a1();
  {
    // a2 sold units of unknown basis (no line) and bought a lot of 8 AGG.
    const auto res = d.get("/accounts/a2");
    simdjson::dom::parser parser;
    const simdjson::dom::element a = parser.parse(res.body);
    REQUIRE(a["lots"].get_array().size() == 1);
    CHECK(num(a["lots"].at(0)["quantity"]) == 8);
    CHECK(a["realised"].get_array().size() == 0);
  }

  d.process->signal(SIGTERM);
  REQUIRE(d.process->wait_exit() == 0);
  d.start();
  price(d);
  CHECK(eventually([&] { return d.get("/accounts/a1").status == 200; }));
  check_a1();
}

TEST_CASE("with its model's tax rates an account's gains show their estimated tax, realised and unrealised") {
  std::string config = kFleetModels;
  config.replace(config.find("[fleet]"), 7,
                 "[models.tax]\nshort_term_rate = 0.37\nlong_term_rate = 0.2\n\n[fleet]");
  DaemonHarness d(config, "", "", "", /*with_fills=*/true);
  // a1's 10 SPY: 6 at 80 and 2 at 120 long-term, 2 at 110 bought 100 days
  // ago (short-term, and outside any wash-sale window). hifo sells the 2 at
  // 120, then the 2 at 110.
  const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  const std::string bought = ballast::core::format_iso8601(now - 100 * ballast::core::kNanosPerDay).substr(0, 10);
  import_accounts(d, "id,model,cash,SPY,AGG,lots,lot_method\n"
                     "a1,balanced,0,10,,SPY:6@80:2020-01-10;SPY:2@120:2021-06-01;SPY:2@110:" + bought + ",hifo\n");
  d.start();
  price(d);
  const auto [sell, buy] = first_blocks(d);
  REQUIRE(sell.allocations == std::map<std::string, double>{{"a1", 4}});
  d.send_fill(fill(sell.order_id, "filled", 4, 105));
  d.send_fill(fill(buy.order_id, "filled", 4, 98));
  CHECK(eventually([&] { return !account(d, "a1").pending; }));

  const auto res = d.get("/accounts/a1");
  INFO(res.body);
  REQUIRE(res.status == 200);
  simdjson::dom::parser parser;
  const simdjson::dom::element a = parser.parse(res.body);
  // Unrealised at SPY 100 and AGG 100: 6·(100 − 80) = +120 long-term and
  // 4·(100 − 98) = +8 short-term: 8 × 0.37 + 120 × 0.2 = 2.96 + 24 = 26.96.
  CHECK(num(a["unrealised"]["long_term"]) == doctest::Approx(120));
  CHECK(num(a["unrealised"]["short_term"]) == doctest::Approx(8));
  CHECK(num(a["unrealised"]["estimated_tax"]) == doctest::Approx(26.96));
  // Realised at 105: 2·105 − 2·120 = −30 long-term and 2·105 − 2·110 = −10
  // short-term: −10 × 0.37 − 30 × 0.2 = −3.70 − 6 = −9.70, a saving.
  const auto realised = a["realised"].get_array();
  REQUIRE(realised.size() == 1);
  CHECK(num(realised.at(0)["long_term"]["gain"]) == doctest::Approx(-30));
  CHECK(num(realised.at(0)["short_term"]["gain"]) == doctest::Approx(-10));
  CHECK(num(realised.at(0)["estimated_tax"]) == doctest::Approx(-9.7));
}

TEST_CASE("a loss sale and a buy of the same symbol in the household wash: the loss moves into the buy's lot") {
  // The model does not avoid wash sales: a5's buy, decided after a1's loss
  // sale, would be held back. This is the rule applied to what is booked.
  std::string config = kFleetModels;
  config.replace(config.find("[fleet]"), 7, "[models.tax]\navoid_wash_sales = false\n\n[fleet]");
  DaemonHarness d(config, "", "", "", /*with_fills=*/true);
  // a1 sells 4 SPY from a lot at 120 (a loss of 4 × 20 = 80) and buys 4 AGG;
  // a5, in the same household, buys 6 SPY and sells 6 AGG.
  import_accounts(d,
                  "id,model,cash,household,SPY,AGG,lots\n"
                  "a1,balanced,0,h1,10,,SPY:10@120:2026-01-05\n"
                  "a5,balanced,0,h1,,10,\n");
  d.start();
  price(d);
  const auto orders = d.orders(4);
  REQUIRE(orders.size() == 4);
  std::map<std::string, Block> blocks;  // "sell SPY" → its block
  for (const std::string& o : orders) {
    Block b = parse_block(o);
    blocks[b.side + " " + b.symbol] = b;
  }
  REQUIRE(blocks.size() == 4);
  CHECK(blocks["buy SPY"].allocations == std::map<std::string, double>{{"a5", 6}});
  d.send_fill(fill(blocks["sell SPY"].order_id, "filled", 4, 100));
  d.send_fill(fill(blocks["buy SPY"].order_id, "filled", 6, 100));
  d.send_fill(fill(blocks["sell AGG"].order_id, "filled", 6, 100));
  d.send_fill(fill(blocks["buy AGG"].order_id, "filled", 4, 100));
  CHECK(eventually([&] { return !account(d, "a1").pending && !account(d, "a5").pending; }));

  const auto check = [&] {
    simdjson::dom::parser parser;
    // a1's loss of 80 is disallowed in full: its reported gain is 0.
    const simdjson::dom::element a1 = parser.parse(d.get("/accounts/a1").body);
    const auto realised = a1["realised"].get_array();
    REQUIRE(realised.size() == 1);
    const auto year = realised.at(0);
    CHECK(num(year["short_term"]["wash_disallowed"]) + num(year["long_term"]["wash_disallowed"]) ==
          doctest::Approx(80));
    CHECK(num(year["short_term"]["gain"]) + num(year["long_term"]["gain"]) == doctest::Approx(0));
    // a5's 6 SPY: 2 at 100, and the 4 that replaced the units sold, at 100 + 20.
    simdjson::dom::parser parser5;
    const simdjson::dom::element a5 = parser5.parse(d.get("/accounts/a5").body);
    std::vector<std::pair<double, double>> spy;
    for (auto lot : a5["lots"].get_array()) {
      if (std::string_view(lot["symbol"]) == "SPY") spy.emplace_back(num(lot["quantity"]), num(lot["basis_per_unit"]));
    }
    CHECK(spy == std::vector<std::pair<double, double>>{{2, 100}, {4, 120}});
  };
  check();
  d.process->signal(SIGTERM);
  REQUIRE(d.process->wait_exit() == 0);
  d.start();
  price(d);
  CHECK(eventually([&] { return d.get("/accounts/a5").status == 200; }));
  check();
}

TEST_CASE("a loss sale that a household buy of the last 30 days would wash is held back, and counted") {
  // The model avoids washed losses. a5, in a1's household, bought its SPY
  // five days ago; a1's band rebalance would sell 4 SPY from a lot at 120, a
  // loss of 4 × 20 = 80 at 100 that a5's buy would wash. The sale is cut to
  // the lots before the first at a loss: none, so a1 sends nothing.
  std::string config = kFleetModels;
  config.replace(config.find("[fleet]"), 7, "[models.tax]\navoid_washed_losses = true\n\n[fleet]");
  DaemonHarness d(config, "", "", "", /*with_fills=*/true);
  const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  const std::string bought = ballast::core::format_iso8601(now - 5 * ballast::core::kNanosPerDay).substr(0, 10);
  import_accounts(d,
                  "id,model,cash,household,SPY,AGG,lots\n"
                  "a1,balanced,0,h1,10,,SPY:10@120:2026-01-05\n"
                  "a5,balanced,0,h1,6,4,SPY:6@100:" + bought + "\n");
  d.start();
  price(d);
  REQUIRE(eventually([&] { return num(d.status()["fleet"]["tax"]["sells_held_back"]) >= 1; }));
  CHECK(d.orders(1, std::chrono::milliseconds(500)).empty());
  CHECK(d.log().find("account a1: sell SPY cut from 4 to 0: the rest would realise a loss of 80 on 4 units that a "
                     "buy in the household within 30 days would wash; held back") != std::string::npos);
  CHECK(d.get("/metrics").body.find("ballast_fleet_tax_decisions_total{decision=\"sell_held_back\"}") !=
        std::string::npos);
  // a1 keeps what it held, outside its band, waiting for nothing.
  Account a1 = account(d, "a1");
  CHECK(a1.quantity["SPY"] == 10);
  CHECK(a1.breaching);
  CHECK_FALSE(a1.pending);
  CHECK(a1.open_orders == 0);
}

TEST_CASE("a model that avoids short-term gains holds back the sells that would realise them") {
  std::string config = kFleetModels;
  config.replace(config.find("[fleet]"), 7, "[models.tax]\navoid_short_term_gains = true\n\n[fleet]");
  DaemonHarness d(config, "", "", "", /*with_fills=*/true);
  // Bought ten days ago: a1's SPY at 80 is a short-term gain at 100, a2's at 150 a loss.
  const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  const std::string bought = ballast::core::format_iso8601(now - 10 * ballast::core::kNanosPerDay).substr(0, 10);
  import_accounts(d, "id,model,cash,SPY,AGG,lots\n"
                     "a1,balanced,0,10,,SPY:10@80:" + bought + "\n"
                     "a2,balanced,0,20,,SPY:20@150:" + bought + "\n");
  d.start();
  price(d);
  const auto [sell, buy] = first_blocks(d);
  CHECK(sell.allocations == std::map<std::string, double>{{"a2", 8}});
  CHECK(buy.allocations == std::map<std::string, double>{{"a2", 8}});
  CHECK(d.orders(3, 300ms).size() == 2);
}

}  // namespace test_fleet
