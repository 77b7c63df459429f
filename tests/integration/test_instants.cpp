// Instants and the data clock in the real daemon: ticks of one timestamp are
// decided together, once; with clock = "data" the engine runs on the ticks'
// time; a pending instant is decided, never dropped, at a reload or a stop.
#include <doctest/doctest.h>

#include <string>

#include "tests/integration/support.hpp"

namespace test_instants {

using namespace ballast::testing;

namespace {

/// 100 SPY, 300 AGG and 1000 cash, 60/40 in 5-point bands: at SPY 400 and
/// AGG 100 the weights are 0.563 and 0.423, inside them.
std::string sixty_forty(const std::string& trigger = "kind = \"threshold\"\nabsolute = 0.05\n") {
  return R"(
[[portfolios]]
id = "main"
cash = 1000.0
holdings = { SPY = 100, AGG = 300 }
targets = { SPY = 0.6, AGG = 0.4 }

[[portfolios.triggers]]
)" + trigger;
}

std::string tick(double price, const std::string& ts) {
  return "{\"price\": " + std::to_string(price) + ", \"ts\": \"" + ts + "\"}";
}

double pending(DaemonHarness& d) { return num(d.status()["feeds"].at(0)["pending_ticks"]); }

/// Prices inside the band at `ts`, decided (the window of the feed, if any, ended).
void price_inside_band(DaemonHarness& d, const std::string& ts) {
  d.prime_frames({"AGG", tick(100, ts)});
  d.prime_frames({"SPY", tick(400, ts)});
  d.settle();
  REQUIRE(eventually([&] { return pending(d) == 0; }));
}

/// Both down a quarter: the whole row keeps the weights inside the band
/// (SPY 30000 of 53500 is 0.561), while SPY alone at 300 with AGG still at
/// 100 would read 30000 / 61000 = 0.49, a breach.
void publish_row_down_a_quarter(DaemonHarness& d, const std::string& ts) {
  d.publish("SPY", tick(300, ts));
  d.publish("AGG", tick(75, ts));
}

const std::string kDay0 = "2026-01-05T00:00:00Z";
const std::string kDay1 = "2026-01-06T00:00:00Z";

}  // namespace

TEST_CASE("a row's ticks are decided together, once: half a row that would breach is never acted on") {
  DaemonHarness d(sixty_forty(), "coalesce = \"300ms\"");
  d.start();
  CHECK(std::string_view(d.status()["feeds"].at(0)["coalesce"]) == "300ms");
  price_inside_band(d, kDay0);
  const double before = d.ticks();
  publish_row_down_a_quarter(d, kDay1);
  REQUIRE(eventually([&] { return d.ticks() == before + 2 && pending(d) == 0; }));
  CHECK(d.orders(1, 300ms).empty());
  CHECK(num(d.status()["portfolios"].at(0)["rebalances"]) == 0);
  CHECK(num(asset(d.status(), 0, "AGG")["price"]) == 75);
}

TEST_CASE("with coalesce off every tick is decided alone, as it arrives") {
  DaemonHarness d(sixty_forty(), "coalesce = \"off\"");
  d.start();
  price_inside_band(d, kDay0);
  publish_row_down_a_quarter(d, kDay1);
  REQUIRE(d.orders(1).size() >= 1);  // SPY at 300 with AGG at 100: the half row breached
  CHECK(num(d.status()["portfolios"].at(0)["rebalances"]) >= 1);
}

TEST_CASE("with the data clock the calendar, the order ids and the rebalance times follow the ticks' time") {
  DaemonHarness d(sixty_forty("kind = \"calendar\"\nevery = \"1mo\"\n"));
  d.add_daemon_keys("clock = \"data\"");
  d.start();
  auto s = d.status();
  CHECK(std::string_view(s["clock"]["kind"]) == "data");
  CHECK(s["clock"]["now"].is_null());  // no time before the first tick
  // The last day of May 2006, then the first of June: the month's date falls on it.
  price_inside_band(d, "2006-05-31T00:00:00Z");
  CHECK(d.orders(1, 300ms).empty());
  CHECK(std::string_view(d.status()["clock"]["now"]) == "2006-05-31T00:00:00.000Z");
  d.publish("SPY", tick(401, "2006-06-01T00:00:00Z"));
  const auto orders = d.orders(2);
  REQUIRE(orders.size() == 2);
  for (const auto& o : orders) {
    CHECK(o.find("\"reason\":\"calendar\"") != std::string::npos);
    CHECK(o.find("\"created_at\":\"2006-06-01T00:00:00.000Z\"") != std::string::npos);
    CHECK(o.find("\"order_id\":\"main-20060601-") != std::string::npos);
  }
  s = d.status();
  CHECK(std::string_view(s["clock"]["now"]) == "2006-06-01T00:00:00.000Z");
  CHECK(std::string_view(s["portfolios"].at(0)["last_rebalance"]["at"]) == "2006-06-01T00:00:00.000Z");
  // The clock never goes back: a tick stamped earlier is decided at the clock's time.
  const double before = d.ticks();
  d.publish("AGG", tick(100, "2006-05-31T12:00:00Z"));
  REQUIRE(eventually([&] { return d.ticks() == before + 1 && pending(d) == 0; }));
  CHECK(std::string_view(d.status()["clock"]["now"]) == "2006-06-01T00:00:00.000Z");
}

TEST_CASE("a reload decides the pending instant under the configuration it arrived in") {
  DaemonHarness d(sixty_forty(), "coalesce = \"10s\"");
  d.start();
  d.prime_frames({"AGG", tick(100, kDay0)});
  d.prime_frames({"SPY", tick(400, kDay0)});
  d.settle();
  d.publish("SPY", tick(300, kDay1));  // half a row, held: the next tick or the window ends it
  REQUIRE(eventually([&] { return pending(d) == 1; }));
  CHECK(d.orders(1, 200ms).empty());
  REQUIRE(d.post("/control/reload").status == 200);
  CHECK(d.orders(1).size() >= 1);
  CHECK(pending(d) == 0);
}

TEST_CASE("a stop decides the pending instant and sends its orders before exiting") {
  DaemonHarness d(sixty_forty(), "coalesce = \"10s\"");
  d.start();
  d.prime_frames({"AGG", tick(100, kDay0)});
  d.prime_frames({"SPY", tick(400, kDay0)});
  d.settle();
  d.publish("SPY", tick(300, kDay1));
  REQUIRE(eventually([&] { return pending(d) == 1; }));
  d.process->signal(SIGTERM);
  CHECK(d.orders(1).size() >= 1);
  CHECK(d.process->wait_exit() == 0);
}

}  // namespace test_instants
