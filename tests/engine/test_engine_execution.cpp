// The engine's execution side: costs booked and priced into decisions, the
// risk gate, sliced orders, order states and restored state. Every number is
// worked out by hand in the comments.
#include <doctest/doctest.h>

#include <utility>
#include <vector>

#include "engine/engine.hpp"
#include "tests/engine/engine_test_support.hpp"

namespace test_engine_execution {

using namespace ballast;
using engine::Engine;
using engine::Output;
using strategies::PortfolioSpec;
using namespace engine::test;

namespace {

strategies::RiskSpec fixed_risk(std::vector<std::pair<std::string, double>> vols) {
  strategies::RiskSpec r;
  r.volatilities = std::move(vols);
  return r;
}

}  // namespace

TEST_CASE("costs are booked with the order and the buys leave room for them") {
  auto spec = sixty_forty();
  execution::CostParams c;
  c.commission_bps = 10;  // 0.1 % of value, at least 1
  c.commission_min = 1;
  c.half_spread_bps = 5;  // half-spread 0.05 % of price
  spec.costs = c;
  Engine e({spec}, {}, kNow);
  Output out;
  breach(e, out);
  // Without costs: sell 56 AGG, buy 22 SPY, cash exactly 0 after. The costs of
  // that plan (commission 5.6 + 6.6, spread 2.8 + 3.3 = 18.3) do not fit, so
  // the buys are sized from 1000 − 18.3: SPY's 6600 is scaled to the 6581.7
  // there is and floored: 21.
  REQUIRE(out.orders.size() == 2);
  CHECK(out.orders[0].symbol == "AGG");
  CHECK(out.orders[0].quantity == 56);
  CHECK(out.orders[1].symbol == "SPY");
  CHECK(out.orders[1].quantity == 21);
  CHECK(out.orders[1].reference_price == 300);  // orders carry the mid, costs are the book's
  // Sell: 56 × (100 − 0.05) − 5.6 = 5591.6 in. Buy: 21 × (300 + 0.15) + 6.3 = 6309.45 out.
  const auto& p = e.portfolios()[0];
  CHECK(p.cash == doctest::Approx(1000 + 5591.6 - 6309.45));
  // Cost: 5.6 + 2.8 + 6.3 + 3.15.
  CHECK(out.rebalances[0].record.cost == doctest::Approx(17.85));
  CHECK(out.rebalances[0].record.traded_value == doctest::Approx(5600 + 6300));
  CHECK(p.costs_estimated == doctest::Approx(17.85));
  CHECK(p.costs_realized == doctest::Approx(17.85));
}

TEST_CASE("without a cost model nothing is charged") {
  Engine e({sixty_forty()}, {}, kNow);
  Output out;
  breach(e, out);
  CHECK(out.rebalances[0].record.cost == 0);
  CHECK(e.portfolios()[0].cash == doctest::Approx(0));
}

TEST_CASE("a leg that costs more than max_cost_bps is not traded, and the rest is sized without it") {
  auto spec = sixty_forty();
  execution::CostParams c;
  c.commission_min = 20;  // 20 on the 5600 sell = 35.7 bps; on the 6600 buy 30.3 bps
  spec.costs = c;
  spec.max_cost_bps = 33;
  Engine e({spec}, {}, kNow);
  Output out;
  breach(e, out);
  // The sell is dropped; the buy is then paid from cash alone: 1000 − 20 = 980
  // → 3 SPY (900). 3 SPY cost 20 on 900 = 222 bps: also dropped. Nothing trades.
  CHECK(out.orders.empty());
  spec.max_cost_bps = 40;  // both legs pass
  Engine e2({spec}, {}, kNow);
  breach(e2, out);
  CHECK(out.orders.size() == 2);
}

TEST_CASE("dynamic trigger priced by the cost model: break-even at 50 bps of commission") {
  // As the flat-cost case: TE² = 0.0005, λ = 4, one year → B = 0.001·V, and the
  // trades back to target move 0.2·V: C = 0.2·V·bps/10⁴.
  for (const auto& row : {std::pair{49.9, true}, std::pair{50.1, false}}) {
    const double bps = row.first;
    const bool fires = row.second;
    PortfolioSpec p;
    p.id = "d";
    p.assets = {{"A", 0.6, 70, 0.001}, {"B", 0.4, 30, 0.001}};
    p.risk = fixed_risk({{"A", 0.2}, {"B", 0.1}});
    strategies::DynamicTrigger d;
    d.risk_aversion = 4;
    d.horizon = static_cast<core::DurationNs>(365.25 * core::kNanosPerDay);
    d.cost_bps = 0;  // ignored: the cost model prices the trades
    p.triggers = {d};
    execution::CostParams c;
    c.commission_bps = bps;
    p.costs = c;
    Engine e({p}, {}, kNow);
    Output out;
    tick(e, "B", 100, kNow, out);
    tick(e, "A", 100, kNow, out);
    CHECK_MESSAGE(out.rebalances.empty() != fires, "bps " << bps);
  }
}

TEST_CASE("dynamic trigger: the half-spread comes from the live quote when the feed has one") {
  // Same portfolio; cost = Σ qᵢ·hᵢ with q = 10 units each side. A quote 0.2
  // wide (h = 0.1, 10 bps) costs 2 = 0.0002·V: fire. One 1.2 wide (h = 0.6,
  // 60 bps): 12 = 0.0012·V > B = 10: hold. The bps fallback would say 100 bps.
  for (const auto& row : {std::pair{0.1, true}, std::pair{0.6, false}}) {
    const double half = row.first;
    const bool fires = row.second;
    PortfolioSpec p;
    p.id = "d";
    p.assets = {{"A", 0.6, 70, 0.001}, {"B", 0.4, 30, 0.001}};
    p.risk = fixed_risk({{"A", 0.2}, {"B", 0.1}});
    strategies::DynamicTrigger d;
    d.risk_aversion = 4;
    d.horizon = static_cast<core::DurationNs>(365.25 * core::kNanosPerDay);
    p.triggers = {d};
    execution::CostParams c;
    c.half_spread_bps = 100;
    p.costs = c;
    Engine e({p}, {}, kNow);
    Output out;
    e.on_tick({e.find_symbol("B"), 100, kNow, 100 - half, 100 + half}, kNow, out);
    e.on_tick({e.find_symbol("A"), 100, kNow, 100 - half, 100 + half}, kNow, out);
    CHECK_MESSAGE(out.rebalances.empty() != fires, "half-spread " << half);
  }
}

TEST_CASE("a denied sell is not sent and the buys are re-sized without its proceeds") {
  engine::EngineOptions opts;
  opts.limits.restricted_symbols = {"AGG"};
  Engine e({sixty_forty()}, opts, kNow);
  Output out;
  breach(e, out);
  // AGG frozen: SPY still wants 22 (6600) but only the 1000 cash is there: 3.
  REQUIRE(out.orders.size() == 1);
  CHECK(out.orders[0].symbol == "SPY");
  CHECK(out.orders[0].quantity == 3);
  REQUIRE(out.denials.size() == 1);
  CHECK(out.denials[0].order.symbol == "AGG");
  CHECK(out.denials[0].order.side == core::Side::sell);
  CHECK(out.denials[0].order.quantity == 56);
  CHECK(out.denials[0].reason == execution::DenyReason::restricted_symbol);
  CHECK(e.portfolios()[0].denied == 1);
  CHECK(e.portfolios()[0].cash >= 0);
  CHECK(e.denied(execution::DenyReason::restricted_symbol) == 1);
}

TEST_CASE("a denied buy is dropped and the sells go") {
  engine::EngineOptions opts;
  opts.limits.max_order_value = 6000;  // the 5600 sell passes, the 6600 buy does not
  Engine e({sixty_forty()}, opts, kNow);
  Output out;
  breach(e, out);
  REQUIRE(out.orders.size() == 1);
  CHECK(out.orders[0].symbol == "AGG");
  REQUIRE(out.denials.size() == 1);
  CHECK(out.denials[0].reason == execution::DenyReason::max_order_value);
  CHECK(out.denials[0].detail == "order value 6600.00 beyond max_order_value 6000.00");
  CHECK(e.portfolios()[0].cash == doctest::Approx(6600));
}

TEST_CASE("an order just at the limit passes") {
  engine::EngineOptions opts;
  opts.limits.max_order_value = 6600;
  Engine e({sixty_forty()}, opts, kNow);
  Output out;
  breach(e, out);
  CHECK(out.orders.size() == 2);
  CHECK(out.denials.empty());
}

TEST_CASE("the price collar compares with the price before the tick that decided") {
  engine::EngineOptions opts;
  opts.limits.price_collar = 0.2;
  Engine e({sixty_forty()}, opts, kNow);
  Output out;
  tick(e, "AGG", 100, kNow, out);
  tick(e, "SPY", 400, kNow, out);  // inside the bands
  CHECK(out.empty());
  tick(e, "SPY", 300, kNow, out);  // −25 % from 400: beyond the 20 % collar
  CHECK(out.orders.size() == 1);   // the AGG sell; the SPY buy is denied
  REQUIRE(out.denials.size() == 1);
  CHECK(out.denials[0].reason == execution::DenyReason::price_collar);
}

TEST_CASE("a sliced order goes out as children, one per interval, and holds the portfolio meanwhile") {
  auto spec = sixty_forty();
  spec.slicing = strategies::Slicing{2000, 30 * kSecond};
  Engine e({spec}, {}, kNow);
  Output out;
  breach(e, out);
  // Sell 56 AGG in children of 20 (2000 / 100): 20, 20, 16. Buy 22 SPY in
  // children of 6 (2000 / 300, floored): 6, 6, 6, 4.
  REQUIRE(out.orders.size() == 2);
  CHECK(out.orders[0].quantity == 20);
  CHECK(out.orders[1].quantity == 6);
  CHECK(out.rebalances[0].record.orders == 2);
  CHECK(e.portfolios()[0].open_orders == 2);
  CHECK(e.pending_children(0) == 2 + 3);
  const std::string rebalance_id = out.orders[0].rebalance_id;
  out.clear();
  tick(e, "SPY", 290, kNow + kSecond, out);  // further drift; the plan holds the portfolio
  CHECK(out.orders.empty());
  tick(e, "SPY", 300, kNow + kSecond, out);
  e.on_timer(kNow + 10 * kSecond, out);
  CHECK(out.orders.empty());
  std::vector<double> sells, buys;
  for (int k = 1; k <= 4; ++k) {
    out.clear();
    e.on_timer(kNow + k * 30 * kSecond, out);
    for (const auto& o : out.orders) {
      CHECK(o.rebalance_id == rebalance_id);
      (o.side == core::Side::sell ? sells : buys).push_back(o.quantity);
    }
  }
  CHECK(sells == std::vector<double>{20, 16});
  CHECK(buys == std::vector<double>{6, 6, 4});
  CHECK(quantity(e, "SPY") == 122);
  CHECK(quantity(e, "AGG") == 244);
  CHECK(e.portfolios()[0].open_orders == 0);
  CHECK(e.portfolios()[0].orders == 7);
  CHECK(e.pending_children(0) == 0);
}

TEST_CASE("children wait while the kill switch is on") {
  auto spec = sixty_forty();
  spec.slicing = strategies::Slicing{2000, 30 * kSecond};
  Engine e({spec}, {}, kNow);
  Output out;
  breach(e, out);
  e.set_killed(true);
  out.clear();
  e.on_timer(kNow + 31 * kSecond, out);
  CHECK(out.orders.empty());
  e.set_killed(false);
  e.on_timer(kNow + 32 * kSecond, out);
  CHECK(out.orders.size() == 2);
}

TEST_CASE("order states follow the reports: created, sent, partially filled, filled; rejected") {
  engine::EngineOptions opts;
  opts.book_on_send = false;
  Engine e({sixty_forty()}, opts, kNow);
  Output out;
  breach(e, out);
  REQUIRE(out.orders.size() == 2);
  const std::string sell = out.orders[0].order_id, buy = out.orders[1].order_id;
  CHECK(e.open_orders().at(sell).state == core::OrderState::created);
  e.mark_sent(sell);
  e.mark_sent(buy);
  CHECK(e.open_orders().at(sell).state == core::OrderState::sent);
  out.clear();
  e.on_fill({sell, core::FillStatus::partially_filled, 30, 99.9, kNow}, out);
  CHECK(e.open_orders().at(sell).state == core::OrderState::partially_filled);
  CHECK(out.fills[0].state == core::OrderState::partially_filled);
  CHECK(out.fills[0].filled_quantity == 30);
  e.on_fill({sell, core::FillStatus::filled, 56, 99.95, kNow}, out);
  CHECK(out.fills[1].state == core::OrderState::filled);
  CHECK(out.fills[1].filled_value == doctest::Approx(56 * 99.95));
  CHECK_FALSE(e.open_orders().contains(sell));
  // Realised cost against the reference price: 56 × 0.05 = 2.8.
  CHECK(e.portfolios()[0].costs_realized == doctest::Approx(2.8));
  // The open buy still holds the portfolio: a bigger drift decides nothing.
  tick(e, "SPY", 200, kNow, out);
  CHECK(out.orders.empty());
  e.on_fill({buy, core::FillStatus::rejected, 0, 0, kNow}, out);
  CHECK(out.fills.back().state == core::OrderState::rejected);
  const auto& p = e.portfolios()[0];
  CHECK(p.orders_filled == 1);
  CHECK(p.orders_rejected == 1);
  CHECK(p.open_orders == 0);
  // Re-evaluated on the next tick from what actually happened: 100 SPY, 244 AGG, 6591.6 cash.
  CHECK(quantity(e, "AGG") == 244);
  CHECK(p.cash == doctest::Approx(1000 + 56 * 99.95));
  tick(e, "SPY", 300, kNow + 1, out);
  CHECK(out.orders.size() == 1);
  CHECK(out.orders.back().side == core::Side::buy);
}

TEST_CASE("restored positions and orders are the truth: an open order holds the portfolio and books when filled") {
  engine::EngineOptions opts;
  opts.book_on_send = false;
  Engine e({sixty_forty()}, opts, kNow);
  const std::vector<std::pair<std::string, double>> positions = {{"SPY", 122}, {"AGG", 200}, {"TLT", 5}};
  REQUIRE(e.restore_positions("main", 4400, positions));
  CHECK(quantity(e, "SPY") == 122);
  CHECK(quantity(e, "AGG") == 200);
  CHECK(quantity(e, "TLT") == 5);  // no longer targeted: kept, with target 0
  CHECK(e.portfolios()[0].cash == 4400);
  core::Order o;
  o.order_id = "main-20261122-000007";
  o.portfolio = "main";
  o.symbol = "AGG";
  o.side = core::Side::buy;
  o.quantity = 44;
  o.reference_price = 100;
  o.created_at = kNow - kSecond;
  REQUIRE(e.restore_order(o, core::OrderState::partially_filled, 4, 400));
  CHECK_FALSE(e.restore_order(o, core::OrderState::sent, 0, 0));  // the same id twice
  CHECK(e.portfolios()[0].open_orders == 1);
  Output out;
  breach(e, out);
  tick(e, "TLT", 50, kNow, out);
  CHECK(out.orders.empty());
  e.on_fill({o.order_id, core::FillStatus::filled, 44, 100, kNow}, out);
  CHECK(quantity(e, "AGG") == 240);  // 40 more: 4 were booked before the restart
  CHECK(e.portfolios()[0].cash == doctest::Approx(400));
}

TEST_CASE("a deposit buys the most underweight asset and sells nothing") {
  Engine e({sixty_forty()}, {}, kNow);
  Output out;
  tick(e, "AGG", 100, kNow, out);
  tick(e, "SPY", 400, kNow, out);  // inside the bands: 40000 SPY, 30000 AGG, 1000 cash
  REQUIRE(out.empty());
  // Deposit 5000: V' = 76000; SPY target 45600 (short 5600), AGG 30400 (short 400).
  // 6000 to invest: SPY first, 14 lots (5600), then AGG 4 lots (400). Cash 0.
  std::string detail;
  REQUIRE(e.cash_flow("main", 5000, kNow, out, detail) == engine::Refusal::none);
  CHECK(detail == "deposit 5000.00");
  REQUIRE(out.orders.size() == 2);
  CHECK(out.orders[0].symbol == "SPY");
  CHECK(out.orders[0].quantity == 14);
  CHECK(out.orders[1].symbol == "AGG");
  CHECK(out.orders[1].quantity == 4);
  for (const auto& o : out.orders) {
    CHECK(o.side == core::Side::buy);
    CHECK(o.reason == "cash_flow");
  }
  CHECK(out.rebalances[0].record.reason == "cash_flow");
  CHECK(out.rebalances[0].record.value == doctest::Approx(76000));
  CHECK(e.portfolios()[0].cash == doctest::Approx(0));
  CHECK(quantity(e, "SPY") == 114);
  CHECK(quantity(e, "AGG") == 304);
}

TEST_CASE("a withdrawal sells the most overweight asset, to the lot") {
  Engine e({sixty_forty()}, {}, kNow);
  Output out;
  tick(e, "AGG", 100, kNow, out);
  tick(e, "SPY", 400, kNow, out);  // 40000 SPY (0.563), 30000 AGG (0.423), 1000 cash
  // Withdraw 3000: V' = 68000; cash 1000 − 3000 = −2000: 2000 to raise. Excess:
  // SPY 40000 − 40800 < 0, AGG 30000 − 27200 = 2800: sell 20 AGG. Cash 0.
  std::string detail;
  REQUIRE(e.cash_flow("main", -3000, kNow, out, detail) == engine::Refusal::none);
  CHECK(detail == "withdrawal 3000.00");
  REQUIRE(out.orders.size() == 1);
  CHECK(out.orders[0].symbol == "AGG");
  CHECK(out.orders[0].side == core::Side::sell);
  CHECK(out.orders[0].quantity == 20);
  CHECK(e.portfolios()[0].cash == doctest::Approx(0));
}

TEST_CASE("a withdrawal covered by cash trades nothing") {
  Engine e({sixty_forty()}, {}, kNow);
  Output out;
  tick(e, "AGG", 100, kNow, out);
  tick(e, "SPY", 400, kNow, out);
  std::string detail;
  REQUIRE(e.cash_flow("main", -600, kNow, out, detail) == engine::Refusal::none);
  CHECK(out.orders.empty());
  CHECK(e.portfolios()[0].cash == doctest::Approx(400));
}

TEST_CASE("cash flows are refused when they cannot be booked") {
  engine::EngineOptions opts;
  opts.book_on_send = false;
  Engine e({sixty_forty()}, opts, kNow);
  Output out;
  std::string detail;
  CHECK(e.cash_flow("nope", 100, kNow, out, detail) == engine::Refusal::unknown_portfolio);
  CHECK(e.cash_flow("main", 0, kNow, out, detail) == engine::Refusal::invalid_amount);
  CHECK(e.cash_flow("main", 100, kNow, out, detail) == engine::Refusal::not_ready);  // no prices yet
  tick(e, "AGG", 100, kNow, out);
  tick(e, "SPY", 400, kNow, out);
  CHECK(e.cash_flow("main", -1e9, kNow, out, detail) == engine::Refusal::invalid_amount);  // more than it has
  CHECK(e.portfolios()[0].cash == 1000);
  e.set_killed(true);
  CHECK(e.cash_flow("main", 100, kNow, out, detail) == engine::Refusal::killed);
  e.set_killed(false);
  REQUIRE(e.cash_flow("main", 5000, kNow, out, detail) == engine::Refusal::none);
  CHECK(e.cash_flow("main", 100, kNow, out, detail) == engine::Refusal::orders_open);
}

TEST_CASE("a fully invested portfolio pays its costs from the sells, never from cash it does not have") {
  auto spec = sixty_forty();
  spec.cash = 0;
  execution::CostParams c;
  c.commission_bps = 10;
  spec.costs = c;
  Engine e({spec}, {}, kNow);
  Output out;
  breach(e, out);
  // 30000 SPY, 30000 AGG, no cash. Without costs: sell 60 AGG, buy 20 SPY, and
  // the 12 of commission would take the cash to −12. Sized from the value less
  // the costs: the 6000 of buys meet 5988 of money and become 19 SPY.
  REQUIRE(out.orders.size() == 2);
  CHECK(out.orders[0].quantity == 60);
  CHECK(out.orders[1].quantity == 19);
  // 6000 − 6 in, 5700 + 5.7 out.
  CHECK(e.portfolios()[0].cash == doctest::Approx(6000 - 6 - 5700 - 5.7));
}

}  // namespace test_engine_execution
