// An order whose fate is unknown: no final report within the order timeout.
// The engine never decides again on positions that may have moved; a late
// report or an operator's resolution finishes the order. And fills that do
// not fit their order are refused, never booked.
#include <doctest/doctest.h>

#include <string>

#include "engine/engine.hpp"
#include "tests/engine/engine_test_support.hpp"

namespace test_engine_orders {

using namespace ballast;
using engine::Engine;
using engine::FillOutcome;
using engine::Output;
using engine::Refusal;
using namespace engine::test;

namespace {

engine::EngineOptions with_fills(core::DurationNs timeout = 60 * kSecond) {
  engine::EngineOptions o;
  o.book_on_send = false;
  o.order_timeout = timeout;
  return o;
}

}  // namespace

TEST_CASE("no final report within the timeout: the orders are unknown and the portfolio decides nothing") {
  Engine e({sixty_forty()}, with_fills(), kNow);
  Output out;
  breach(e, out);
  REQUIRE(out.orders.size() == 2);  // sell 56 AGG, buy 22 SPY
  out.clear();
  e.on_timer(kNow + 59 * kSecond, out);
  CHECK(out.empty());
  e.on_timer(kNow + 60 * kSecond, out);
  REQUIRE(out.fills.size() == 2);
  for (const auto& f : out.fills) {
    CHECK(f.kind == FillOutcome::Kind::timed_out);
    CHECK(f.state == core::OrderState::unknown);
  }
  // Once, this sent the same rebalance again under new ids, and the late fills
  // of both booked twice the trade. Now nothing is decided.
  CHECK(out.orders.empty());
  const auto& p = e.portfolios()[0];
  CHECK(p.open_orders == 2);
  CHECK(p.unknown_orders == 2);
  CHECK(e.unknown_order_count() == 2);
  out.clear();
  e.on_timer(kNow + 120 * kSecond, out);  // reported once, not again
  CHECK(out.empty());
  tick(e, "SPY", 250, kNow + 121 * kSecond, out);  // a larger breach still
  CHECK(out.orders.empty());
  CHECK(e.rebalance_now("main", kNow, out) == Refusal::orders_unknown);
  std::string detail;
  CHECK(e.cash_flow("main", 1000, kNow, out, detail) == Refusal::orders_unknown);
  CHECK(out.orders.empty());
}

TEST_CASE("late reports finish unknown orders; the portfolio decides again only when none is left") {
  Engine e({sixty_forty()}, with_fills(), kNow);
  Output out;
  breach(e, out);
  const std::string sell = out.orders[0].order_id, buy = out.orders[1].order_id;
  out.clear();
  e.on_timer(kNow + 60 * kSecond, out);
  out.clear();
  // A partial report is still not final: the buy stays unknown.
  e.on_fill({buy, core::FillStatus::partially_filled, 10, 300, kNow}, out);
  REQUIRE(out.fills.size() == 1);
  CHECK(out.fills[0].kind == FillOutcome::Kind::applied);
  CHECK(out.fills[0].state == core::OrderState::unknown);
  CHECK(quantity(e, "SPY") == 110);
  CHECK(e.portfolios()[0].unknown_orders == 2);
  e.on_fill({sell, core::FillStatus::filled, 56, 100, kNow}, out);
  CHECK(out.fills.back().state == core::OrderState::filled);
  CHECK(quantity(e, "AGG") == 244);
  CHECK(e.portfolios()[0].unknown_orders == 1);
  out.clear();
  tick(e, "SPY", 300, kNow + 61 * kSecond, out);
  CHECK(out.orders.empty());  // the buy is still unknown
  e.on_fill({buy, core::FillStatus::filled, 22, 300, kNow}, out);
  CHECK(quantity(e, "SPY") == 122);
  CHECK(e.portfolios()[0].unknown_orders == 0);
  CHECK(e.portfolios()[0].open_orders == 0);
  CHECK(e.unknown_order_count() == 0);
  CHECK(e.portfolios()[0].orders_filled == 2);
  // 122 SPY, 244 AGG, 1000 + 5600 − 6600 = 0 cash at 300/100: on target; nothing to do.
  out.clear();
  tick(e, "SPY", 300, kNow + 62 * kSecond, out);
  CHECK(out.orders.empty());
  tick(e, "SPY", 240, kNow + 63 * kSecond, out);  // 29280 / 53680 = 0.545: a breach, and free to act
  CHECK(out.orders.size() == 2);
}

TEST_CASE("an operator resolves an unknown order from what the broker says") {
  Engine e({sixty_forty()}, with_fills(), kNow);
  Output out;
  breach(e, out);
  const std::string sell = out.orders[0].order_id, buy = out.orders[1].order_id;
  out.clear();
  e.on_timer(kNow + 60 * kSecond, out);
  out.clear();
  std::string error;
  SUBCASE("filled in whole at a price far from the reference: booked, no collar for the operator") {
    REQUIRE(e.resolve_order(sell, 56.0, 80.0, out, error));
    REQUIRE(out.fills.size() == 1);
    CHECK(out.fills[0].by_operator);
    CHECK(out.fills[0].state == core::OrderState::filled);
    CHECK(quantity(e, "AGG") == 244);
    CHECK(e.portfolios()[0].cash == doctest::Approx(1000 + 56 * 80.0));
    CHECK(e.portfolios()[0].unknown_orders == 1);
  }
  SUBCASE("filled in part: cancelled with that much filled") {
    REQUIRE(e.resolve_order(buy, 12.0, 301.0, out, error));
    CHECK(out.fills[0].state == core::OrderState::cancelled);
    CHECK(out.fills[0].filled_quantity == 12);
    CHECK(quantity(e, "SPY") == 112);
    CHECK(e.portfolios()[0].cash == doctest::Approx(1000 - 12 * 301.0));
    CHECK(e.portfolios()[0].orders_cancelled == 1);
  }
  SUBCASE("cancelled: what is booked is what happened") {
    e.on_fill({buy, core::FillStatus::partially_filled, 5, 300, kNow}, out);
    REQUIRE(e.resolve_order(buy, std::nullopt, 0, out, error));
    CHECK(out.fills.back().state == core::OrderState::cancelled);
    CHECK(quantity(e, "SPY") == 105);
    CHECK(e.portfolios()[0].unknown_orders == 1);
  }
  SUBCASE("figures that cannot be are refused and change nothing") {
    e.on_fill({buy, core::FillStatus::partially_filled, 5, 300, kNow}, out);
    out.clear();
    CHECK_FALSE(e.resolve_order(buy, 4.0, 300, out, error));
    CHECK(error == "filled quantity 4 is less than the 5 already booked");
    CHECK_FALSE(e.resolve_order(buy, 23.0, 300, out, error));
    CHECK(error == "filled quantity 23 is more than the 22 ordered");
    CHECK_FALSE(e.resolve_order(buy, 10.0, 0, out, error));
    CHECK(error == "price 0: a filled quantity needs a positive average price");
    CHECK_FALSE(e.resolve_order(buy, -1.0, 300, out, error));
    CHECK_FALSE(e.resolve_order("main-20261123-999999", 1.0, 300, out, error));
    CHECK(error == "no unfinished order main-20261123-999999");
    CHECK(out.fills.empty());
    CHECK(quantity(e, "SPY") == 105);
    CHECK(e.portfolios()[0].unknown_orders == 2);
  }
  SUBCASE("a finished order cannot be resolved again") {
    REQUIRE(e.resolve_order(sell, std::nullopt, 0, out, error));
    CHECK_FALSE(e.resolve_order(sell, std::nullopt, 0, out, error));
  }
}

TEST_CASE("an operator may resolve an order before it times out") {
  Engine e({sixty_forty()}, with_fills(), kNow);
  Output out;
  breach(e, out);
  const std::string buy = out.orders[1].order_id;
  std::string error;
  REQUIRE(e.resolve_order(buy, std::nullopt, 0, out, error));
  CHECK(e.portfolios()[0].open_orders == 1);
  CHECK(e.portfolios()[0].unknown_orders == 0);
}

TEST_CASE("a fill that does not fit its order is refused and never booked") {
  Engine e({sixty_forty()}, with_fills(), kNow);
  Output out;
  breach(e, out);
  const std::string sell = out.orders[0].order_id, buy = out.orders[1].order_id;
  out.clear();
  auto last = [&] { return out.fills.back(); };
  // The forged fill that once drove cash to −2e11.
  e.on_fill({buy, core::FillStatus::filled, 22, 1e9, kNow}, out);
  CHECK(last().kind == FillOutcome::Kind::inconsistent);
  CHECK(last().detail == "average price 1e+09 is beyond the fill price collar of 0.2 around 300");
  e.on_fill({buy, core::FillStatus::filled, 23, 300, kNow}, out);
  CHECK(last().detail == "filled quantity 23 is more than the 22 ordered");
  e.on_fill({sell, core::FillStatus::filled, 56, 79.9, kNow}, out);  // 20.1% below 100
  CHECK(last().kind == FillOutcome::Kind::inconsistent);
  e.on_fill({buy, core::FillStatus::filled, 22, -300, kNow}, out);
  CHECK(last().kind == FillOutcome::Kind::inconsistent);
  CHECK(e.portfolios()[0].cash == 1000);
  CHECK(quantity(e, "SPY") == 100);
  CHECK(e.portfolios()[0].open_orders == 2);
  // Within the collar: booked.
  e.on_fill({sell, core::FillStatus::filled, 56, 80.5, kNow}, out);
  CHECK(last().kind == FillOutcome::Kind::applied);
  CHECK(quantity(e, "AGG") == 244);
}

TEST_CASE("without a fill price collar any positive price books") {
  auto opts = with_fills();
  opts.fill_price_collar.reset();
  Engine e({sixty_forty()}, opts, kNow);
  Output out;
  breach(e, out);
  const std::string buy = out.orders[1].order_id;
  out.clear();
  e.on_fill({buy, core::FillStatus::filled, 22, 600, kNow}, out);
  CHECK(out.fills.back().kind == FillOutcome::Kind::applied);
  CHECK(quantity(e, "SPY") == 122);
}

}  // namespace test_engine_orders
