// Limit orders in the engine (priced from the quote, cancelled or replaced when
// they outlive their time to live) and the gate on each child of a sliced
// order. Numbers worked out by hand in the comments.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "engine/engine.hpp"
#include "tests/engine/engine_test_support.hpp"

namespace test_engine_limit_orders {

using namespace ballast;
using engine::Engine;
using engine::Output;
using namespace engine::test;

namespace {

engine::EngineOptions with_fills() {
  engine::EngineOptions o;
  o.book_on_send = false;
  o.order_timeout = 300 * kSecond;
  return o;
}

strategies::PortfolioSpec limit_sixty_forty(execution::OnExpiry on_expiry, int max_replaces = 2) {
  auto spec = sixty_forty();
  execution::LimitOrderSpec l;
  l.from = execution::LimitFrom::mid;
  l.offset_bps = 10;
  l.ttl = 30 * kSecond;
  l.on_expiry = on_expiry;
  l.max_replaces = max_replaces;
  l.tick = 0.01;
  spec.limit = l;
  return spec;
}

/// A quoted tick: mid `px`, spread 2 × `half`.
void quote(Engine& e, std::string_view sym, double px, double half, core::TimeNs now, Output& out) {
  e.on_tick({e.find_symbol(sym), px, now, px - half, px + half}, now, out);
}

const core::OrderAmendment* amendment_for(const Output& out, const std::string& order_id) {
  for (const auto& a : out.amendments) {
    if (a.order_id == order_id) return &a;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("a limit order is priced offset_bps inside the mid, on the tick grid, and expires after its ttl") {
  Engine e({limit_sixty_forty(execution::OnExpiry::cancel)}, with_fills(), kNow);
  Output out;
  quote(e, "AGG", 100, 0.05, kNow, out);
  quote(e, "SPY", 300, 0.10, kNow, out);
  REQUIRE(out.orders.size() == 2);
  const auto& sell = out.orders[0];  // sell 56 AGG from mid 100 + 10 bps = 100.10
  const auto& buy = out.orders[1];   // buy 22 SPY from mid 300 − 10 bps = 299.70
  CHECK(sell.order_type == core::OrderType::limit);
  CHECK(sell.limit_price == doctest::Approx(100.10));
  CHECK(buy.limit_price == doctest::Approx(299.70));
  CHECK(sell.reference_price == 100);
  CHECK(sell.expire_at == kNow + 30 * kSecond);
  CHECK(e.open_orders().at(sell.order_id).expire_at == kNow + 30 * kSecond);
}

TEST_CASE("an expired limit order is cancelled; it holds its portfolio until the cancelled report comes") {
  Engine e({limit_sixty_forty(execution::OnExpiry::cancel)}, with_fills(), kNow);
  Output out;
  quote(e, "AGG", 100, 0.05, kNow, out);
  quote(e, "SPY", 300, 0.10, kNow, out);
  const std::string sell = out.orders[0].order_id, buy = out.orders[1].order_id;
  e.mark_sent(sell);
  e.mark_sent(buy);
  out.clear();
  e.on_fill({sell, core::FillStatus::filled, 56, 100.10, kNow + kSecond}, out);
  e.on_fill({buy, core::FillStatus::partially_filled, 10, 299.70, kNow + kSecond}, out);
  out.clear();
  e.on_timer(kNow + 29 * kSecond, out);
  CHECK(out.amendments.empty());
  e.on_timer(kNow + 30 * kSecond, out);
  REQUIRE(out.amendments.size() == 1);  // the filled sell is done; only the buy rests
  const auto& cancel = out.amendments[0];
  CHECK(cancel.action == core::AmendAction::cancel);
  CHECK(cancel.order_id == buy);
  CHECK(cancel.portfolio == "main");
  CHECK(cancel.symbol == "SPY");
  CHECK(cancel.side == core::Side::buy);
  CHECK(cancel.request_id != buy);
  CHECK(cancel.request_id.rfind("main-20261123-", 0) == 0);
  // Sent once: the next timer has nothing more to say about it.
  out.clear();
  e.on_timer(kNow + 31 * kSecond, out);
  CHECK(out.amendments.empty());
  CHECK(e.portfolios()[0].open_orders == 1);
  // The cancelled report finishes it with the 10 filled; the portfolio is free.
  e.on_fill({buy, core::FillStatus::cancelled, 10, 299.70, kNow + 32 * kSecond}, out);
  CHECK(e.portfolios()[0].open_orders == 0);
  CHECK(quantity(e, "SPY") == 110);
  CHECK(e.portfolios()[0].orders_cancelled == 1);
}

TEST_CASE("a cancel that gets no answer makes the order unknown one order_timeout after the cancel") {
  Engine e({limit_sixty_forty(execution::OnExpiry::cancel)}, with_fills(), kNow);
  Output out;
  breach(e, out);
  const std::string sell = out.orders[0].order_id;
  out.clear();
  e.on_timer(kNow + 30 * kSecond, out);
  REQUIRE(amendment_for(out, sell));
  out.clear();
  e.on_timer(kNow + 329 * kSecond, out);  // 299 s after the cancel: not yet
  CHECK(e.unknown_order_count() == 0);
  e.on_timer(kNow + 330 * kSecond, out);
  CHECK(e.open_orders().at(sell).state == core::OrderState::unknown);
}

TEST_CASE("with on_expiry = replace an order follows the quote max_replaces times, then is cancelled") {
  Engine e({limit_sixty_forty(execution::OnExpiry::replace, 2)}, with_fills(), kNow);
  Output out;
  quote(e, "AGG", 100, 0.05, kNow, out);
  quote(e, "SPY", 300, 0.10, kNow, out);
  const std::string buy = out.orders[1].order_id;
  std::set<std::string> request_ids;
  // The quote has not moved at the first expiry: no request, the order keeps its place (one replace used).
  out.clear();
  e.on_timer(kNow + 30 * kSecond, out);
  CHECK(amendment_for(out, buy) == nullptr);
  // SPY's mid moves to 302: the second expiry replaces the buy at 302 × 0.999 = 301.698 → 301.69.
  quote(e, "SPY", 302, 0.10, kNow + 40 * kSecond, out);
  out.clear();
  e.on_timer(kNow + 60 * kSecond, out);
  const auto* replace = amendment_for(out, buy);
  REQUIRE(replace);
  CHECK(replace->action == core::AmendAction::replace);
  CHECK(replace->quantity == 22);
  CHECK(replace->limit_price == doctest::Approx(301.69));
  CHECK(e.open_orders().at(buy).limit_price == doctest::Approx(301.69));
  request_ids.insert(replace->request_id);
  // Both replaces used: the next expiry cancels, whatever the quote.
  quote(e, "SPY", 303, 0.10, kNow + 70 * kSecond, out);
  out.clear();
  e.on_timer(kNow + 90 * kSecond, out);
  const auto* cancel = amendment_for(out, buy);
  REQUIRE(cancel);
  CHECK(cancel->action == core::AmendAction::cancel);
  request_ids.insert(cancel->request_id);
  CHECK(request_ids.size() == 2);
}

TEST_CASE("under the kill switch an expired order is cancelled, never replaced") {
  Engine e({limit_sixty_forty(execution::OnExpiry::replace, 5)}, with_fills(), kNow);
  Output out;
  breach(e, out);
  const std::string buy = out.orders[1].order_id;
  e.set_killed(true);
  out.clear();
  tick(e, "SPY", 310, kNow + kSecond, out);
  e.on_timer(kNow + 30 * kSecond, out);
  const auto* a = amendment_for(out, buy);
  REQUIRE(a);
  CHECK(a->action == core::AmendAction::cancel);
}

TEST_CASE("a limit order restored after a restart is cancelled once its ttl from creation has passed") {
  const auto spec = limit_sixty_forty(execution::OnExpiry::replace, 5);
  core::Order o;
  o.order_id = "main-20261123-000007";
  o.portfolio = "main";
  o.symbol = "SPY";
  o.side = core::Side::buy;
  o.quantity = 22;
  o.order_type = core::OrderType::limit;
  o.limit_price = 299.7;
  o.reference_price = 300;
  o.created_at = kNow;
  Engine e({spec}, with_fills(), kNow + 10 * kSecond);
  REQUIRE(e.restore_order(o, core::OrderState::sent, 0, 0));
  Output out;
  tick(e, "SPY", 305, kNow + 20 * kSecond, out);
  e.on_timer(kNow + 29 * kSecond, out);
  CHECK(out.amendments.empty());
  e.on_timer(kNow + 30 * kSecond, out);
  REQUIRE(out.amendments.size() == 1);
  CHECK(out.amendments[0].action == core::AmendAction::cancel);
}

TEST_CASE("booked when sent (no fills), a limit order carries its price but never rests") {
  Engine e({limit_sixty_forty(execution::OnExpiry::cancel)}, {}, kNow);
  Output out;
  breach(e, out);
  REQUIRE(out.orders.size() == 2);
  CHECK(out.orders[1].order_type == core::OrderType::limit);
  CHECK(out.orders[1].expire_at == 0);
  CHECK(e.open_orders().empty());
  e.on_timer(kNow + 60 * kSecond, out);
  CHECK(out.amendments.empty());
}

TEST_CASE("each child of a sliced order passes the gate as itself: a cap below the whole trade lets children through") {
  auto spec = sixty_forty();
  spec.slicing = strategies::Slicing{2000, 30 * kSecond};
  engine::EngineOptions opts;
  opts.limits.max_order_value = 2500;      // the 5600 and 6600 trades are over it; the children (≤ 2000) are not
  opts.limits.duplicate_window = 120 * kSecond;  // children alike in size are not duplicates of each other
  Engine e({spec}, opts, kNow);
  Output out;
  breach(e, out);
  REQUIRE(out.orders.size() == 2);  // the first children: 20 AGG, 6 SPY
  CHECK(out.denials.empty());
  for (int k = 1; k <= 4; ++k) e.on_timer(kNow + k * 30 * kSecond, out);
  CHECK(out.denials.empty());
  CHECK(quantity(e, "SPY") == 122);
  CHECK(quantity(e, "AGG") == 244);
}

TEST_CASE("a child the gate denies when it is due ends its sliced order, with the denial said") {
  auto spec = sixty_forty();
  spec.slicing = strategies::Slicing{2000, 30 * kSecond};
  engine::EngineOptions opts;
  opts.limits.price_collar = 0.05;
  Engine e({spec}, opts, kNow);
  Output out;
  breach(e, out);
  REQUIRE(out.orders.size() == 2);
  // AGG jumps 10 %: the next AGG child is beyond the collar; the SPY child is not.
  tick(e, "AGG", 110, kNow + 10 * kSecond, out);
  out.clear();
  e.on_timer(kNow + 30 * kSecond, out);
  REQUIRE(out.denials.size() == 1);
  CHECK(out.denials[0].reason == execution::DenyReason::price_collar);
  CHECK(out.denials[0].order.symbol == "AGG");
  CHECK(out.denials[0].order.quantity == 20);
  CHECK(out.denials[0].detail.find("the rest of the sliced order, 36, is not sent") != std::string::npos);
  REQUIRE(out.orders.size() == 1);
  CHECK(out.orders[0].symbol == "SPY");
  // AGG's plan is gone; SPY's goes on (6 of 22 sent twice so far: 10 left).
  CHECK(e.pending_children(0) == 2);
  CHECK(e.portfolios()[0].denied == 1);
}

}  // namespace test_engine_limit_orders
