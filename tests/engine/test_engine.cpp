#include <doctest/doctest.h>

#include "engine/engine.hpp"
#include "tests/engine/engine_test_support.hpp"

namespace test_engine {

using namespace ballast;
using engine::Engine;
using engine::Output;
using strategies::CalendarTrigger;
using strategies::PortfolioSpec;
using strategies::ThresholdTrigger;
using namespace engine::test;

TEST_CASE("engine does nothing until every asset has a price") {
  Engine e({sixty_forty()}, {}, kNow);
  Output out;
  tick(e, "SPY", 300, kNow, out);
  CHECK(out.empty());
  CHECK(e.rebalance_now("main", kNow, out) == engine::Refusal::not_ready);
}

TEST_CASE("threshold breach rebalances to target with hand-computed quantities") {
  Engine e({sixty_forty()}, {}, kNow);
  Output out;
  tick(e, "AGG", 100, kNow, out);
  tick(e, "SPY", 400, kNow, out);  // 40000 / 71000 = 0.563: inside the 5% band
  CHECK(out.empty());
  tick(e, "SPY", 300, kNow + 1, out);  // 30000 / 61000 = 0.492: drift −0.108
  REQUIRE(out.rebalances.size() == 1);
  REQUIRE(out.orders.size() == 2);
  const auto& sell = out.orders[0];
  CHECK(sell.symbol == "AGG");
  CHECK(sell.side == core::Side::sell);
  CHECK(sell.quantity == 56);
  CHECK(sell.reference_price == 100);
  CHECK(sell.reason == "threshold");
  CHECK(sell.order_id == "main-20261123-000001");
  CHECK(sell.rebalance_id == "main-20261123-000001");
  const auto& buy = out.orders[1];
  CHECK(buy.symbol == "SPY");
  CHECK(buy.side == core::Side::buy);
  CHECK(buy.quantity == 22);
  CHECK(buy.order_id == "main-20261123-000002");
  CHECK(buy.rebalance_id == sell.rebalance_id);
  const auto& rec = out.rebalances[0].record;
  CHECK(rec.value == doctest::Approx(61000));
  CHECK(rec.max_abs_drift == doctest::Approx(0.6 - 30000.0 / 61000));
  CHECK(rec.detail.find("SPY") != std::string::npos);
  // Booked at the reference price: SPY 122, AGG 244, cash 0.
  const auto& p = e.portfolios()[0];
  CHECK(p.assets[0].quantity == 122);
  CHECK(p.assets[1].quantity == 244);
  CHECK(p.cash == doctest::Approx(0));
  CHECK(p.rebalances == 1);
  CHECK(p.orders == 2);
  out.clear();
  tick(e, "SPY", 301, kNow + 2, out);
  CHECK(out.empty());
}

TEST_CASE("a threshold breach names the drifting symbol in the rebalance detail, however long its name") {
  // Longer than any short-string buffer: the name lives on the heap.
  const std::string long_name = "A-SYMBOL-NAME-LONGER-THAN-SIXTEEN";
  PortfolioSpec p = sixty_forty();
  p.assets = {{long_name, 0.6, 100, 1}, {"AGG", 0.4, 300, 1}};
  Engine e({p}, {}, kNow);
  Output out;
  tick(e, "AGG", 100, kNow, out);
  tick(e, long_name, 400, kNow, out);
  tick(e, long_name, 300, kNow + 1, out);
  REQUIRE(out.rebalances.size() == 1);
  CAPTURE(out.rebalances[0].record.detail);
  CHECK(out.rebalances[0].record.detail.rfind(long_name + " drift", 0) == 0);
}

TEST_CASE("a tick touches only the portfolios that hold its symbol") {
  auto a = sixty_forty();
  auto b = sixty_forty();
  b.id = "crypto";
  b.assets = {{"BTC", 1.0, 1, 0.001}};
  b.cash = 0;
  Engine e({a, b}, {}, kNow);
  Output out;
  tick(e, "BTC", 30000, kNow, out);
  tick(e, "AGG", 100, kNow, out);
  tick(e, "SPY", 300, kNow, out);
  REQUIRE(out.rebalances.size() == 1);
  CHECK(out.rebalances[0].portfolio == 0);
}

TEST_CASE("stale symbols and pause block triggers; manual works while paused") {
  Engine e({sixty_forty()}, {}, kNow);
  Output out;
  tick(e, "AGG", 100, kNow, out);
  e.set_stale(e.find_symbol("AGG"), true);
  tick(e, "SPY", 300, kNow, out);
  CHECK(out.empty());
  e.set_stale(e.find_symbol("AGG"), false);
  e.set_paused(true);
  tick(e, "SPY", 300, kNow, out);
  CHECK(out.empty());
  CHECK(e.rebalance_now("main", kNow, out) == engine::Refusal::none);
  CHECK(out.orders.size() == 2);
  CHECK(out.orders[0].reason == "manual");
  CHECK(e.rebalance_now("nope", kNow, out) == engine::Refusal::unknown_portfolio);
}

TEST_CASE("calendar trigger fires at each due time and waits for prices") {
  auto spec = sixty_forty();
  spec.triggers = {CalendarTrigger{*core::parse_period("1mo"), std::nullopt}};
  Engine e({spec}, {}, kNow);
  Output out;
  e.on_timer(*core::parse_iso8601("2026-11-30T23:59:59Z"), out);
  CHECK(out.empty());
  const core::TimeNs due = *core::parse_iso8601("2026-12-01T00:00:00Z");
  e.on_timer(due, out);  // due, but no prices yet: pending
  CHECK(out.empty());
  CHECK(e.portfolios()[0].pending.has_value());
  tick(e, "AGG", 100, due + 5, out);
  CHECK(out.empty());
  tick(e, "SPY", 400, due + 6, out);  // priced: the pending calendar rebalance runs
  REQUIRE(out.rebalances.size() == 1);
  CHECK(out.rebalances[0].record.reason == "calendar");
  CHECK(out.orders[0].reason == "calendar");
  // 71000: SPY to 42600 → buy 6.5 → 7 (nearest lot); AGG to 28400 → sell 16.
  REQUIRE(out.orders.size() == 2);
  CHECK(out.orders[0].symbol == "AGG");
  CHECK(out.orders[0].quantity == 16);
  CHECK(out.orders[1].quantity == 6);  // 7 × 400 = 2800 > 1000 + 1600 of cash: floored to 6
  CHECK(!e.portfolios()[0].pending.has_value());
  out.clear();
  e.on_timer(due + 86400 * core::kNanosPerSecond, out);
  CHECK(out.empty());
  const core::TimeNs jan1 = *core::parse_iso8601("2027-01-01T00:00:01Z");
  e.on_timer(jan1, out);  // due, but within a lot of target: nothing to trade, no rebalance
  CHECK(out.empty());
  CHECK(!e.portfolios()[0].pending.has_value());
  tick(e, "SPY", 500, jan1, out);  // calendar-only: a move alone does not trade
  CHECK(out.empty());
  e.on_timer(*core::parse_iso8601("2027-02-01T00:00:00Z"), out);
  REQUIRE(out.rebalances.size() == 1);
  CHECK(out.rebalances[0].record.detail.find("2027-02-01") != std::string::npos);
}

TEST_CASE("restarting the calendars schedules them from the time given, as a new engine would") {
  auto spec = sixty_forty();
  spec.triggers = {CalendarTrigger{*core::parse_period("1mo"), std::nullopt}};
  Engine e({spec}, {}, kNow);  // next date 2026-12-01
  const core::TimeNs data_start = *core::parse_iso8601("2005-10-31T00:00:00Z");
  e.restart_calendars(data_start - 1);
  Output out;
  tick(e, "AGG", 100, data_start, out);
  tick(e, "SPY", 400, data_start, out);
  e.on_timer(data_start, out);
  CHECK(out.empty());
  e.on_timer(*core::parse_iso8601("2005-11-01T00:00:00Z"), out);  // the data's first of the month
  REQUIRE(out.rebalances.size() == 1);
  CHECK(out.rebalances[0].record.detail.find("due 2005-11-01") != std::string::npos);
}

TEST_CASE("band-edge rebalance lands inside the band, not at the target") {
  auto spec = sixty_forty();
  spec.cash = 0;
  spec.assets = {{"A", 0.6, 70, 1}, {"B", 0.4, 30, 1}};
  spec.rebalance_to = strategies::RebalanceTo::band_edge;
  Engine e({spec}, {}, kNow);
  Output out;
  tick(e, "B", 100, kNow, out);
  tick(e, "A", 100, kNow, out);  // 0.70 vs 0.60: λ = 0.5, edge at 0.65
  REQUIRE(out.orders.size() == 2);
  CHECK(out.orders[0].symbol == "A");
  CHECK(out.orders[0].quantity == 5);
  CHECK(out.orders[1].quantity == 5);
  const auto v = e.valuation(0);
  CHECK(v.weights[0] == doctest::Approx(0.65));
}

TEST_CASE("with fill reports, open orders block new decisions until they finish") {
  Engine e({sixty_forty()}, {.book_on_send = false}, kNow);
  Output out;
  tick(e, "AGG", 100, kNow, out);
  tick(e, "SPY", 300, kNow, out);
  REQUIRE(out.orders.size() == 2);
  const std::string sell_id = out.orders[0].order_id;
  const std::string buy_id = out.orders[1].order_id;
  CHECK(e.portfolios()[0].open_orders == 2);
  out.clear();
  tick(e, "SPY", 250, kNow, out);
  CHECK(out.orders.empty());

  e.on_fill({sell_id, core::FillStatus::partially_filled, 20, 100.5, kNow}, out);
  e.on_fill({sell_id, core::FillStatus::filled, 56, 100.25, kNow}, out);
  REQUIRE(out.fills.size() == 2);
  CHECK(out.fills[0].quantity_delta == 20);
  CHECK(out.fills[1].quantity_delta == 36);
  CHECK(out.fills[1].price == doctest::Approx((56 * 100.25 - 20 * 100.5) / 36));
  CHECK(out.fills[1].finished);
  CHECK(e.portfolios()[0].assets[1].quantity == 244);
  CHECK(e.portfolios()[0].cash == doctest::Approx(1000 + 56 * 100.25));

  e.on_fill({"nope", core::FillStatus::filled, 1, 1, kNow}, out);
  CHECK(out.fills.back().kind == engine::FillOutcome::Kind::unknown_order);
  e.on_fill({buy_id, core::FillStatus::filled, 23, 300, kNow}, out);  // more than ordered
  CHECK(out.fills.back().kind == engine::FillOutcome::Kind::inconsistent);
  CHECK(e.portfolios()[0].assets[0].quantity == 100);
  e.on_fill({buy_id, core::FillStatus::rejected, 0, 0, kNow}, out);
  CHECK(out.fills.back().finished);
  CHECK(e.portfolios()[0].open_orders == 0);
  CHECK(e.portfolios()[0].assets[0].quantity == 100);
}

TEST_CASE("reconfigure keeps positions and sells out what the new policy drops") {
  Engine e({sixty_forty()}, {}, kNow);
  auto next = sixty_forty();
  next.assets = {{"SPY", 0.5, 0, 1}, {"QQQ", 0.5, 0, 1}};
  next.cash = 99999;
  e.reconfigure({next}, kNow);
  const auto& p = e.portfolios()[0];
  REQUIRE(p.assets.size() == 3);
  CHECK(p.assets[0].quantity == 100);  // SPY kept
  CHECK(p.assets[1].quantity == 0);    // QQQ new
  CHECK(p.assets[2].quantity == 300);  // AGG kept, target 0
  CHECK(p.assets[2].target == 0);
  CHECK(p.cash == 1000);
}

TEST_CASE("order ids continue from restored sequences") {
  Engine e({sixty_forty()}, {}, kNow);
  e.set_sequences({42, 7});
  Output out;
  tick(e, "AGG", 100, kNow, out);
  tick(e, "SPY", 300, kNow, out);
  REQUIRE(out.orders.size() == 2);
  CHECK(out.orders[0].order_id == "main-20261123-000042");
  CHECK(out.orders[0].rebalance_id == "main-20261123-000007");
  CHECK(e.sequences().next_order == 44);
}

TEST_CASE("the kill switch blocks even a large drift and a manual rebalance until released") {
  Engine e({sixty_forty()}, {}, kNow);
  e.set_killed(true);
  Output out;
  tick(e, "AGG", 100, kNow, out);
  tick(e, "SPY", 100, kNow, out);  // SPY at 10000 of 41000: drift −0.36
  CHECK(out.empty());
  CHECK(e.rebalance_now("main", kNow, out) == engine::Refusal::killed);
  CHECK(out.empty());
  e.set_killed(false);
  tick(e, "SPY", 100, kNow, out);
  CHECK(out.orders.size() == 2);
}

}  // namespace test_engine
