#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

#include "execution/risk_gate.hpp"

namespace test_risk_gate {

using namespace ballast::execution;
using ballast::core::kNanosPerSecond;
using ballast::core::Order;
using ballast::core::Side;
using ballast::core::TimeNs;

namespace {

TimeNs at(const char* iso) { return ballast::core::parse_iso8601(iso).value(); }

const TimeNs t0 = at("2026-11-23T14:30:00Z");

TimeNs plus_s(TimeNs t, double s) { return t + ballast::core::seconds(s); }

Order order(const std::string& symbol, Side side, double quantity, double price, const std::string& portfolio = "main") {
  Order o;
  o.order_id = portfolio + "-" + symbol;
  o.portfolio = portfolio;
  o.symbol = symbol;
  o.side = side;
  o.quantity = quantity;
  o.reference_price = price;
  return o;
}

GateContext context(TimeNs now, double portfolio_value = 1'000'000, double last_good_price = 100) {
  return GateContext{portfolio_value, last_good_price, now};
}

RiskLimits every_limit() {
  RiskLimits l;
  l.max_order_value = 50'000;
  l.max_order_fraction = 0.1;
  l.price_collar = 0.02;
  l.max_orders_per_minute = 3;
  l.duplicate_window = 30 * kNanosPerSecond;
  l.restricted_symbols = {"GME"};
  l.max_daily_turnover = 0.5;
  return l;
}

}  // namespace

TEST_CASE("deny reasons have the snake_case names of the metrics") {
  CHECK(to_string(DenyReason::kill_switch) == "kill_switch");
  CHECK(to_string(DenyReason::max_order_value) == "max_order_value");
  CHECK(to_string(DenyReason::max_order_fraction) == "max_order_fraction");
  CHECK(to_string(DenyReason::price_collar) == "price_collar");
  CHECK(to_string(DenyReason::order_rate) == "order_rate");
  CHECK(to_string(DenyReason::duplicate) == "duplicate");
  CHECK(to_string(DenyReason::restricted_symbol) == "restricted_symbol");
  CHECK(to_string(DenyReason::daily_turnover) == "daily_turnover");
}

TEST_CASE("risk gate with no limits allows any order up to the portfolio's value") {
  RiskGate gate{RiskLimits{}};
  for (int i = 0; i < 100; ++i) {
    const auto d = gate.check_and_record(order("SPY", Side::buy, 1e6, 500), context(t0, 5e8, 0));
    CHECK(d.allowed());
    CHECK(d.detail.empty());
  }
  CHECK(gate.turnover_today("main", t0) == doctest::Approx(100 * 5e8));
}

TEST_CASE("risk gate allows an order that passes every limit") {
  RiskGate gate{every_limit()};
  const auto d = gate.check_and_record(order("SPY", Side::buy, 100, 100), context(t0));
  CHECK(d.allowed());
  CHECK(!d.denied);
  CHECK(d.detail.empty());
  CHECK(gate.turnover_today("main", t0) == doctest::Approx(10'000));
}

TEST_CASE("max_order_value allows up to the limit and denies just over it") {
  RiskLimits l;
  l.max_order_value = 50'000;
  RiskGate gate{l};
  CHECK(gate.check_and_record(order("SPY", Side::buy, 499, 100), context(t0)).allowed());
  CHECK(gate.check_and_record(order("SPY", Side::buy, 500, 100), context(t0)).allowed());
  // Decimal prices whose product is the limit only up to binary noise.
  CHECK(gate.check_and_record(order("SPY", Side::buy, 3, 16'666.666666666668), context(t0)).allowed());
  const auto d = gate.check_and_record(order("SPY", Side::sell, 500, 100.01), context(t0));
  REQUIRE(d.denied);
  CHECK(*d.denied == DenyReason::max_order_value);
  CHECK(!d.allowed());
  CHECK(d.detail == "order value 50005.00 beyond max_order_value 50000.00");
}

TEST_CASE("max_order_fraction compares the order value with the portfolio value") {
  RiskLimits l;
  l.max_order_fraction = 0.1;
  RiskGate gate{l};
  CHECK(gate.check_and_record(order("SPY", Side::buy, 99, 100), context(t0, 100'000)).allowed());
  CHECK(gate.check_and_record(order("SPY", Side::buy, 100, 100), context(t0, 100'000)).allowed());
  CHECK(gate.check_and_record(order("AGG", Side::buy, 3, 33.3), context(t0, 999)).allowed());  // 99.9 of 999
  const auto d = gate.check_and_record(order("SPY", Side::buy, 101, 100), context(t0, 100'000));
  REQUIRE(d.denied);
  CHECK(*d.denied == DenyReason::max_order_fraction);
  CHECK(d.detail == "order value 10100.00 is 0.1010 of portfolio value 100000.00, beyond max_order_fraction 0.1000");
}

TEST_CASE("max_order_fraction denies when there is no positive portfolio value to compare with") {
  RiskLimits l;
  l.max_order_fraction = 0.1;
  RiskGate gate{l};
  for (double value : {0.0, -5.0, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    const auto d = gate.check_and_record(order("SPY", Side::buy, 1, 100), context(t0, value));
    REQUIRE(d.denied);
    CHECK(*d.denied == DenyReason::max_order_fraction);
  }
}

TEST_CASE("without any limit an order worth more than the whole portfolio is still denied") {
  RiskGate gate{RiskLimits{}};
  CHECK(gate.check_and_record(order("SPY", Side::buy, 1000, 100), context(t0, 100'000)).allowed());  // exactly all of it
  const auto d = gate.check_and_record(order("SPY", Side::buy, 1001, 100), context(t0, 100'000));
  REQUIRE(d.denied);
  CHECK(*d.denied == DenyReason::max_order_fraction);
  CHECK(d.detail == "order value 100100.00 is more than the portfolio value 100000.00");
  // The absurd order a single bad tick once produced: 5.7e11 units.
  CHECK(*gate.check_and_record(order("AGG", Side::buy, 5.7e11, 99), context(t0, 1e8)).denied ==
        DenyReason::max_order_fraction);
  CHECK(*gate.check_and_record(order("SPY", Side::buy, 1, 100), context(t0, 0.0)).denied ==
        DenyReason::max_order_fraction);
}

TEST_CASE("price collar allows moves up to the collar either way and denies beyond it") {
  RiskLimits l;
  l.price_collar = 0.02;
  RiskGate gate{l};
  CHECK(gate.check_and_record(order("SPY", Side::buy, 1, 101.99), context(t0)).allowed());
  CHECK(gate.check_and_record(order("SPY", Side::buy, 1, 102), context(t0)).allowed());
  CHECK(gate.check_and_record(order("SPY", Side::buy, 1, 98), context(t0)).allowed());
  CHECK(gate.check_and_record(order("SPY", Side::buy, 1, 0.0102), context(t0, 1e6, 0.01)).allowed());
  const auto up = gate.check_and_record(order("SPY", Side::buy, 1, 102.01), context(t0));
  REQUIRE(up.denied);
  CHECK(*up.denied == DenyReason::price_collar);
  CHECK(up.detail == "reference price 102.01 moved 0.0201 from last good price 100, beyond price_collar 0.0200");
  const auto down = gate.check_and_record(order("SPY", Side::sell, 1, 97.99), context(t0));
  REQUIRE(down.denied);
  CHECK(*down.denied == DenyReason::price_collar);
}

TEST_CASE("price collar denies without a last good price and on a non-finite reference price") {
  RiskLimits l;
  l.price_collar = 0.02;
  RiskGate gate{l};
  const auto none = gate.check_and_record(order("SPY", Side::buy, 1, 100), context(t0, 1e6, 0));
  REQUIRE(none.denied);
  CHECK(*none.denied == DenyReason::price_collar);
  // A non-finite reference price makes a non-finite order value, which the
  // portfolio-value cap (always on) refuses before the collar looks at it.
  const auto nan = gate.check_and_record(order("SPY", Side::buy, 1, std::nan("")), context(t0));
  REQUIRE(nan.denied);
  CHECK(*nan.denied == DenyReason::max_order_fraction);
}

TEST_CASE("a non-finite order value fails the value limit") {
  RiskLimits l;
  l.max_order_value = 50'000;
  RiskGate gate{l};
  const auto d = gate.check_and_record(order("SPY", Side::buy, 1, std::numeric_limits<double>::infinity()), context(t0));
  REQUIRE(d.denied);
  CHECK(*d.denied == DenyReason::max_order_value);
  CHECK(!gate.check_and_record(order("SPY", Side::buy, 1, std::nan("")), context(t0)).allowed());
}

TEST_CASE("restricted symbols are denied, others pass") {
  RiskLimits l;
  l.restricted_symbols = {"GME", "AMC"};
  RiskGate gate{l};
  const auto d = gate.check_and_record(order("AMC", Side::sell, 1, 10), context(t0));
  REQUIRE(d.denied);
  CHECK(*d.denied == DenyReason::restricted_symbol);
  CHECK(d.detail == "symbol AMC is restricted");
  CHECK(gate.check_and_record(order("GMEX", Side::buy, 1, 10), context(t0)).allowed());
  CHECK(gate.check_and_record(order("gme", Side::buy, 1, 10), context(t0)).allowed());
}

TEST_CASE("duplicate window: the same order is denied inside it and allowed from its end") {
  RiskLimits l;
  l.duplicate_window = 30 * kNanosPerSecond;
  RiskGate gate{l};
  const auto spy = order("SPY", Side::buy, 10, 100);
  CHECK(gate.check_and_record(spy, context(t0)).allowed());
  const auto d = gate.check_and_record(spy, context(plus_s(t0, 29.999)));
  REQUIRE(d.denied);
  CHECK(*d.denied == DenyReason::duplicate);
  CHECK(d.detail == "same portfolio, symbol, side and quantity sent 29.999 s ago, within duplicate_window 30.000 s");
  // The denied one was not recorded: at 30 s the first is exactly a window old.
  CHECK(gate.check_and_record(spy, context(plus_s(t0, 30))).allowed());
  CHECK(gate.check_and_record(spy, context(plus_s(t0, 61))).allowed());
}

TEST_CASE("duplicate window: any difference in portfolio, symbol, side or quantity is a new order") {
  RiskLimits l;
  l.duplicate_window = 30 * kNanosPerSecond;
  RiskGate gate{l};
  CHECK(gate.check_and_record(order("SPY", Side::buy, 10, 100), context(t0)).allowed());
  const TimeNs t = plus_s(t0, 1);
  CHECK(gate.check_and_record(order("SPY", Side::buy, 10, 100, "other"), context(t)).allowed());
  CHECK(gate.check_and_record(order("AGG", Side::buy, 10, 100), context(t)).allowed());
  CHECK(gate.check_and_record(order("SPY", Side::sell, 10, 100), context(t)).allowed());
  CHECK(gate.check_and_record(order("SPY", Side::buy, 11, 100), context(t)).allowed());
  // A different price does not make it a different order.
  CHECK(!gate.check_and_record(order("SPY", Side::buy, 10, 101), context(t)).allowed());
  // Nor does binary noise in the quantity.
  CHECK(gate.check_and_record(order("BTC", Side::buy, 0.3, 100), context(t)).allowed());
  const auto noisy = gate.check_and_record(order("BTC", Side::buy, 0.1 + 0.2, 100), context(t));
  REQUIRE(noisy.denied);
  CHECK(*noisy.denied == DenyReason::duplicate);
}

TEST_CASE("duplicate window: orders of one rebalance (the children of a sliced order) are not duplicates") {
  RiskLimits l;
  l.duplicate_window = 30 * kNanosPerSecond;
  RiskGate gate{l};
  auto child = order("SPY", Side::buy, 10, 100);
  child.rebalance_id = "main-20261205-000001";
  CHECK(gate.check_and_record(child, context(t0)).allowed());
  CHECK(gate.check_and_record(child, context(plus_s(t0, 5))).allowed());
  // Another rebalance's identical order, or one without a rebalance, still is.
  auto other = child;
  other.rebalance_id = "main-20261205-000002";
  CHECK(!gate.check_and_record(other, context(plus_s(t0, 6))).allowed());
  CHECK(!gate.check_and_record(order("SPY", Side::buy, 10, 100), context(plus_s(t0, 6))).allowed());
}

TEST_CASE("order rate: a sliding 60 s window per portfolio") {
  RiskLimits l;
  l.max_orders_per_minute = 2;
  RiskGate gate{l};
  CHECK(gate.check_and_record(order("A", Side::buy, 1, 10), context(t0)).allowed());
  CHECK(gate.check_and_record(order("B", Side::buy, 1, 10), context(plus_s(t0, 30))).allowed());  // at the limit
  const auto d = gate.check_and_record(order("C", Side::buy, 1, 10), context(plus_s(t0, 59)));     // over it
  REQUIRE(d.denied);
  CHECK(*d.denied == DenyReason::order_rate);
  CHECK(d.detail == "3 orders in the last 60 s with this one, beyond max_orders_per_minute 2");
  // Another portfolio has its own window.
  CHECK(gate.check_and_record(order("C", Side::buy, 1, 10, "other"), context(plus_s(t0, 59))).allowed());
  // t has slid out; t+30 and this one make two.
  CHECK(gate.check_and_record(order("D", Side::buy, 1, 10), context(plus_s(t0, 61))).allowed());
  CHECK(!gate.check_and_record(order("E", Side::buy, 1, 10), context(plus_s(t0, 89))).allowed());
  // t+30 is exactly 60 s old: out of the window.
  CHECK(gate.check_and_record(order("E", Side::buy, 1, 10), context(plus_s(t0, 90))).allowed());
}

TEST_CASE("order rate under the limit leaves room") {
  RiskLimits l;
  l.max_orders_per_minute = 3;
  RiskGate gate{l};
  CHECK(gate.check_and_record(order("A", Side::buy, 1, 10), context(t0)).allowed());
  CHECK(gate.check_and_record(order("B", Side::buy, 1, 10), context(plus_s(t0, 1))).allowed());
  CHECK(gate.check_and_record(order("C", Side::buy, 1, 10), context(plus_s(t0, 2))).allowed());
  CHECK(!gate.check_and_record(order("D", Side::buy, 1, 10), context(plus_s(t0, 3))).allowed());
}

TEST_CASE("daily turnover: up to the limit per UTC day, reset at midnight") {
  RiskLimits l;
  l.max_daily_turnover = 0.5;
  RiskGate gate{l};
  const double pv = 100'000;  // 50000 a day
  CHECK(gate.check_and_record(order("SPY", Side::buy, 300, 100), context(at("2026-11-23T00:00:00Z"), pv)).allowed());
  CHECK(gate.check_and_record(order("AGG", Side::sell, 199, 100), context(at("2026-11-23T10:00:00Z"), pv)).allowed());
  CHECK(gate.turnover_today("main", at("2026-11-23T10:00:00Z")) == doctest::Approx(49'900));
  // 49900 + 100 is exactly the limit.
  CHECK(gate.check_and_record(order("AGG", Side::sell, 1, 100), context(at("2026-11-23T11:00:00Z"), pv)).allowed());
  const auto d = gate.check_and_record(order("AGG", Side::sell, 1, 0.01), context(at("2026-11-23T23:59:59.999Z"), pv));
  REQUIRE(d.denied);
  CHECK(*d.denied == DenyReason::daily_turnover);
  CHECK(d.detail ==
        "turnover 50000.01 today with this order is 0.5000 of portfolio value 100000.00, beyond max_daily_turnover 0.5000");
  CHECK(gate.turnover_today("main", at("2026-11-23T23:59:59.999Z")) == doctest::Approx(50'000));
  // Another portfolio has its own budget.
  CHECK(gate.check_and_record(order("SPY", Side::buy, 10, 100, "other"), context(at("2026-11-23T23:59:59.999Z"), pv))
            .allowed());
  // A new UTC day starts from nothing.
  CHECK(gate.turnover_today("main", at("2026-11-24T00:00:00Z")) == 0);
  CHECK(gate.check_and_record(order("SPY", Side::buy, 500, 100), context(at("2026-11-24T00:00:00Z"), pv)).allowed());
  CHECK(gate.turnover_today("main", at("2026-11-24T00:00:00Z")) == doctest::Approx(50'000));
  CHECK(!gate.check_and_record(order("SPY", Side::buy, 1, 100), context(at("2026-11-24T12:00:00Z"), pv)).allowed());
}

TEST_CASE("daily turnover is judged against the portfolio value of the moment") {
  RiskLimits l;
  l.max_daily_turnover = 0.5;
  RiskGate gate{l};
  CHECK(gate.check_and_record(order("SPY", Side::buy, 400, 100), context(t0, 100'000)).allowed());
  // The portfolio fell to 80000: 40000 + 1 is beyond 0.5 of it.
  CHECK(!gate.check_and_record(order("SPY", Side::buy, 1, 1), context(plus_s(t0, 60), 80'000)).allowed());
  CHECK(gate.check_and_record(order("SPY", Side::buy, 1, 1), context(plus_s(t0, 60), 100'000)).allowed());
  // Nothing trades against a portfolio worth nothing: the always-on value cap says so first.
  const auto d = gate.check_and_record(order("SPY", Side::buy, 1, 1), context(plus_s(t0, 60), 0));
  REQUIRE(d.denied);
  CHECK(*d.denied == DenyReason::max_order_fraction);
}

TEST_CASE("kill switch blocks an order that passes everything else, and releases") {
  RiskGate gate{every_limit()};
  const auto spy = order("SPY", Side::buy, 100, 100);
  CHECK(!gate.kill_switch());
  gate.set_kill_switch(true);
  CHECK(gate.kill_switch());
  const auto d = gate.check_and_record(spy, context(t0));
  REQUIRE(d.denied);
  CHECK(*d.denied == DenyReason::kill_switch);
  CHECK(d.detail == "kill switch is on");
  // It comes before every other check.
  const auto gme = gate.check_and_record(order("GME", Side::buy, 1e6, 1e3), context(t0));
  REQUIRE(gme.denied);
  CHECK(*gme.denied == DenyReason::kill_switch);
  CHECK(gate.turnover_today("main", t0) == 0);

  gate.set_kill_switch(false);
  CHECK(!gate.kill_switch());
  // Orders denied while it was on were not recorded: this is no duplicate.
  CHECK(gate.check_and_record(spy, context(plus_s(t0, 1))).allowed());
  CHECK(gate.denied(DenyReason::kill_switch) == 2);
}

TEST_CASE("the first failing check names the denial") {
  RiskGate gate{every_limit()};
  auto reason = [&](const Order& o, const GateContext& c) {
    const auto d = gate.check_and_record(o, c);
    return d.denied ? std::string(to_string(*d.denied)) : std::string("allowed");
  };
  // Restricted and too large.
  CHECK(reason(order("GME", Side::buy, 1e6, 100), context(t0)) == "restricted_symbol");
  // Too large in value and as a fraction.
  CHECK(reason(order("SPY", Side::buy, 1000, 100), context(t0, 100'000)) == "max_order_value");
  // Too large a fraction and off the collar.
  CHECK(reason(order("SPY", Side::buy, 200, 110), context(t0, 100'000)) == "max_order_fraction");
  CHECK(reason(order("SPY", Side::buy, 100, 100), context(t0)) == "allowed");
  // A duplicate off the collar.
  CHECK(reason(order("SPY", Side::buy, 100, 110), context(t0)) == "price_collar");
  CHECK(reason(order("AGG", Side::buy, 100, 100), context(t0)) == "allowed");
  CHECK(reason(order("IEF", Side::buy, 100, 100), context(t0)) == "allowed");
  // Three sent in the minute: a duplicate that would also break the rate.
  CHECK(reason(order("SPY", Side::buy, 100, 100), context(t0)) == "duplicate");
  // The rate, with a turnover that would also break the daily limit.
  CHECK(reason(order("TLT", Side::buy, 10, 100), context(t0, 60'000)) == "order_rate");
  CHECK(reason(order("TLT", Side::buy, 10, 100), context(plus_s(t0, 60), 60'000)) == "daily_turnover");
}

TEST_CASE("set_limits keeps the rate window, the duplicates and the turnover") {
  RiskLimits loose;
  RiskGate gate{loose};
  CHECK(gate.check_and_record(order("SPY", Side::buy, 100, 100), context(t0, 100'000)).allowed());
  CHECK(gate.check_and_record(order("AGG", Side::buy, 200, 100), context(plus_s(t0, 10), 100'000)).allowed());

  RiskLimits tight;
  tight.max_orders_per_minute = 2;
  tight.duplicate_window = 30 * kNanosPerSecond;
  tight.max_daily_turnover = 0.35;
  gate.set_limits(tight);
  CHECK(gate.limits().max_orders_per_minute == 2);
  CHECK(gate.turnover_today("main", plus_s(t0, 20)) == doctest::Approx(30'000));

  // Sent before the reload, still within the new window: a duplicate.
  auto d = gate.check_and_record(order("SPY", Side::buy, 100, 100), context(plus_s(t0, 20), 100'000));
  REQUIRE(d.denied);
  CHECK(*d.denied == DenyReason::duplicate);
  // Two already in the minute.
  d = gate.check_and_record(order("IEF", Side::buy, 1, 100), context(plus_s(t0, 20), 100'000));
  REQUIRE(d.denied);
  CHECK(*d.denied == DenyReason::order_rate);
  // Past the minute, the day's 30000 counts: 30000 + 5001 is beyond 35000.
  d = gate.check_and_record(order("IEF", Side::buy, 50.01, 100), context(plus_s(t0, 71), 100'000));
  REQUIRE(d.denied);
  CHECK(*d.denied == DenyReason::daily_turnover);
  CHECK(gate.check_and_record(order("IEF", Side::buy, 50, 100), context(plus_s(t0, 71), 100'000)).allowed());

  // Loosening again lets through what the history alone no longer blocks.
  gate.set_limits(loose);
  CHECK(gate.check_and_record(order("IEF", Side::buy, 50, 100), context(plus_s(t0, 72), 100'000)).allowed());
  CHECK(gate.turnover_today("main", plus_s(t0, 72)) == doctest::Approx(40'000));
}

TEST_CASE("deny counts add up per reason and survive a reload") {
  RiskGate gate{every_limit()};
  CHECK(gate.denied(DenyReason::max_order_value) == 0);
  CHECK(!gate.check_and_record(order("GME", Side::buy, 1, 10), context(t0)).allowed());
  CHECK(!gate.check_and_record(order("GME", Side::buy, 2, 10), context(t0)).allowed());
  CHECK(!gate.check_and_record(order("SPY", Side::buy, 1000, 100), context(t0)).allowed());
  CHECK(gate.check_and_record(order("SPY", Side::buy, 1, 100), context(t0)).allowed());
  CHECK(!gate.check_and_record(order("SPY", Side::buy, 1, 100), context(t0)).allowed());
  gate.set_limits(every_limit());
  CHECK(!gate.check_and_record(order("SPY", Side::buy, 1, 100), context(plus_s(t0, 1))).allowed());
  gate.set_kill_switch(true);
  CHECK(!gate.check_and_record(order("SPY", Side::buy, 1, 100), context(plus_s(t0, 2))).allowed());

  CHECK(gate.denied(DenyReason::restricted_symbol) == 2);
  CHECK(gate.denied(DenyReason::max_order_value) == 1);
  CHECK(gate.denied(DenyReason::duplicate) == 2);
  CHECK(gate.denied(DenyReason::kill_switch) == 1);
  CHECK(gate.denied(DenyReason::max_order_fraction) == 0);
  CHECK(gate.denied(DenyReason::price_collar) == 0);
  CHECK(gate.denied(DenyReason::order_rate) == 0);
  CHECK(gate.denied(DenyReason::daily_turnover) == 0);
}

TEST_CASE("history older than the windows stops counting after long quiet spells") {
  RiskLimits l;
  l.max_orders_per_minute = 1;
  l.duplicate_window = 3600 * kNanosPerSecond;
  RiskGate gate{l};
  TimeNs t = t0;
  for (int i = 0; i < 1000; ++i) {
    CHECK(gate.check_and_record(order("SPY", Side::buy, 1, 100), context(t)).allowed());
    t += 3600 * kNanosPerSecond;
  }
  CHECK(gate.denied(DenyReason::duplicate) == 0);
  CHECK(gate.denied(DenyReason::order_rate) == 0);
}

TEST_CASE("validate accepts sensible limits and lists every problem") {
  CHECK(validate(RiskLimits{}).empty());
  CHECK(validate(every_limit()).empty());

  RiskLimits bad;
  bad.max_order_value = 0;
  bad.max_order_fraction = 10;  // meant 10 %
  bad.price_collar = -0.01;
  bad.max_orders_per_minute = 0;
  bad.duplicate_window = 0;
  bad.restricted_symbols = {"GME", "", "GME", "GME"};
  bad.max_daily_turnover = std::numeric_limits<double>::infinity();
  const auto errors = validate(bad);
  REQUIRE(errors.size() == 8);
  CHECK(errors[0] == "max_order_value must be a positive number");
  CHECK(errors[1] == "max_order_fraction must be in (0, 1]: a fraction of the portfolio value");
  CHECK(errors[2] == "price_collar must be a positive number: a fraction of the last good price");
  CHECK(errors[3] == "max_orders_per_minute must be at least 1");
  CHECK(errors[4] == "duplicate_window must be a positive duration");
  CHECK(errors[5] == "restricted_symbols: entry 2 is empty");
  CHECK(errors[6] == "restricted_symbols: GME is listed more than once");
  CHECK(errors[7] == "max_daily_turnover must be a positive number: a fraction of the portfolio value");

  RiskLimits nan;
  nan.max_order_value = std::nan("");
  CHECK(validate(nan).size() == 1);
}

TEST_CASE("limits that validate rejects fail closed") {
  RiskLimits l;
  l.max_order_value = std::nan("");
  l.max_orders_per_minute = 0;
  RiskGate gate{l};
  const auto d = gate.check_and_record(order("SPY", Side::buy, 1, 1), context(t0));
  REQUIRE(d.denied);
  CHECK(*d.denied == DenyReason::max_order_value);
  l.max_order_value.reset();
  gate.set_limits(l);
  const auto r = gate.check_and_record(order("SPY", Side::buy, 1, 1), context(t0));
  REQUIRE(r.denied);
  CHECK(*r.denied == DenyReason::order_rate);
}

TEST_CASE("a rollback takes back every order recorded and every denial counted since the savepoint") {
  RiskLimits limits;
  limits.max_orders_per_minute = 2;
  limits.max_daily_turnover = 0.5;
  RiskGate gate{limits};
  auto reason = [&](const Order& o, const GateContext& c) {
    const auto d = gate.check_and_record(o, c);
    return d.denied ? std::string(to_string(*d.denied)) : std::string("allowed");
  };
  CHECK(gate.check_and_record(order("SPY", Side::buy, 100, 100), context(t0, 100'000)).allowed());
  const auto sp = gate.savepoint("main", t0);
  CHECK(gate.check_and_record(order("AGG", Side::buy, 100, 100), context(t0, 100'000)).allowed());
  CHECK(reason(order("IEF", Side::buy, 1, 100), context(t0, 100'000)) == "order_rate");
  CHECK(gate.turnover_today("main", t0) == doctest::Approx(20'000));
  gate.rollback(sp);
  CHECK(gate.denied(DenyReason::order_rate) == 0);
  CHECK(gate.turnover_today("main", t0) == doctest::Approx(10'000));
  // One order in the minute again: one more fits.
  CHECK(gate.check_and_record(order("IEF", Side::buy, 1, 100), context(t0, 100'000)).allowed());
  CHECK(reason(order("TLT", Side::buy, 1, 100), context(t0, 100'000)) == "order_rate");
  // A savepoint taken before a portfolio's first order forgets its day's turnover on rollback.
  const auto fresh = gate.savepoint("other", t0);
  auto o = order("SPY", Side::buy, 1, 100);
  o.portfolio = "other";
  CHECK(gate.check_and_record(o, context(t0, 100'000)).allowed());
  gate.rollback(fresh);
  CHECK(gate.turnover_today("other", t0) == 0);
}

}  // namespace test_risk_gate
