// The book of open orders: fills booked, timeouts, operator resolutions,
// limit-order expiry, sliced orders, reindexing after a reload.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engine/order_book.hpp"
#include "engine_test_support.hpp"

namespace test_order_book {

using namespace ballast;
using namespace ballast::engine;
using namespace ballast::engine::test;

namespace {

struct Fixture {
  core::SymbolTable symbols;
  std::vector<PortfolioState> portfolios;
  PriceTable prices;
  Monitor monitor;
  ChangeSet changed;
  Output out;
  OrderBook book{0.2};

  explicit Fixture(strategies::PortfolioSpec spec = sixty_forty()) {
    portfolios.push_back(state_of(std::move(spec), symbols));
    prices = prices_of(symbols, {{"SPY", 300}, {"AGG", 100}});
    monitor.rebuild(portfolios, symbols.size());
  }
  PortfolioState& p() { return portfolios[0]; }
  /// A buy of 10 SPY at 300, sent at kNow.
  OpenOrder buy_spy() const {
    OpenOrder o;
    o.symbol = symbols.find("SPY");
    o.side = core::Side::buy;
    o.quantity = 10;
    o.reference_price = 300;
    o.sent_at = kNow;
    o.state = core::OrderState::sent;
    return o;
  }
  void fill(const std::string& id, core::FillStatus status, double quantity, double price) {
    book.on_fill({id, status, quantity, price, kNow}, portfolios, changed, out);
  }
  std::vector<std::size_t> take_changed() {
    std::vector<std::size_t> v;
    changed.take(v);
    return v;
  }
};

}  // namespace

TEST_CASE("an open order holds its portfolio until a final report books it") {
  Fixture f;
  REQUIRE(f.book.add("o1", f.buy_spy(), f.p()));
  CHECK_FALSE(f.book.add("o1", f.buy_spy(), f.p()));
  CHECK(f.p().open_orders == 1);
  f.fill("o1", core::FillStatus::filled, 10, 301);
  REQUIRE(f.out.fills.size() == 1);
  const FillOutcome& o = f.out.fills[0];
  CHECK(o.kind == FillOutcome::Kind::applied);
  CHECK(o.finished);
  CHECK(o.quantity_delta == 10);
  CHECK(o.price == 301);
  CHECK(f.book.open().empty());
  CHECK(f.p().open_orders == 0);
  CHECK(f.p().orders_filled == 1);
  CHECK(f.p().assets[0].quantity == 110);
  CHECK(f.p().cash == 1000 - 3010);
  // Paid 10 above the reference: realized cost.
  CHECK(f.p().costs_realized == doctest::Approx(10));
  CHECK(f.take_changed() == std::vector<std::size_t>{0});
}

TEST_CASE("cumulative partial fills book only what is new, and the order stays open") {
  Fixture f;
  f.book.add("o1", f.buy_spy(), f.p());
  f.fill("o1", core::FillStatus::partially_filled, 4, 300);
  f.fill("o1", core::FillStatus::partially_filled, 6, 300);
  CHECK(f.out.fills[1].quantity_delta == doctest::Approx(2));
  CHECK(f.book.open().at("o1").state == core::OrderState::partially_filled);
  CHECK(f.p().assets[0].quantity == 106);
  f.fill("o1", core::FillStatus::cancelled, 6, 300);
  CHECK(f.p().orders_cancelled == 1);
  CHECK(f.p().open_orders == 0);
}

TEST_CASE("a report beyond the fill price collar, going backwards or past the order books nothing") {
  Fixture f;
  f.book.add("o1", f.buy_spy(), f.p());
  f.fill("o1", core::FillStatus::filled, 10, 400);
  f.fill("o1", core::FillStatus::filled, 11, 300);
  f.fill("o1", core::FillStatus::partially_filled, 5, 300);
  f.fill("o1", core::FillStatus::partially_filled, 4, 300);
  REQUIRE(f.out.fills.size() == 4);
  CHECK(f.out.fills[0].kind == FillOutcome::Kind::inconsistent);
  CHECK(f.out.fills[1].kind == FillOutcome::Kind::inconsistent);
  CHECK(f.out.fills[2].kind == FillOutcome::Kind::applied);
  CHECK(f.out.fills[3].kind == FillOutcome::Kind::inconsistent);
  CHECK(f.p().assets[0].quantity == 105);
  CHECK(f.p().open_orders == 1);
}

TEST_CASE("a report for an order not in the book is an unknown order") {
  Fixture f;
  f.fill("nope", core::FillStatus::filled, 1, 300);
  REQUIRE(f.out.fills.size() == 1);
  CHECK(f.out.fills[0].kind == FillOutcome::Kind::unknown_order);
  CHECK(f.take_changed().empty());
}

TEST_CASE("an order without a final report past the timeout becomes unknown, once, and still holds its portfolio") {
  Fixture f;
  f.book.add("o1", f.buy_spy(), f.p());
  f.book.time_out(kNow + 5 * kSecond, 10 * kSecond, f.portfolios, f.out);
  CHECK(f.out.fills.empty());
  f.book.time_out(kNow + 10 * kSecond, 10 * kSecond, f.portfolios, f.out);
  f.book.time_out(kNow + 20 * kSecond, 10 * kSecond, f.portfolios, f.out);
  REQUIRE(f.out.fills.size() == 1);
  CHECK(f.out.fills[0].kind == FillOutcome::Kind::timed_out);
  CHECK(f.book.unknown() == 1);
  CHECK(f.p().unknown_orders == 1);
  CHECK(f.p().open_orders == 1);
  // A final report still finishes it.
  f.fill("o1", core::FillStatus::rejected, 0, 0);
  CHECK(f.book.unknown() == 0);
  CHECK(f.p().unknown_orders == 0);
  CHECK(f.p().orders_rejected == 1);
}

TEST_CASE("an operator resolves an order from the broker's figures, and is refused figures that cannot be") {
  Fixture f;
  f.book.add("o1", f.buy_spy(), f.p());
  std::string error;
  CHECK_FALSE(f.book.resolve("o2", 10, 300, f.portfolios, f.changed, f.out, error));
  CHECK(error.find("no unfinished order o2") != std::string::npos);
  CHECK_FALSE(f.book.resolve("o1", 11, 300, f.portfolios, f.changed, f.out, error));
  CHECK_FALSE(f.book.resolve("o1", 5, 0, f.portfolios, f.changed, f.out, error));
  CHECK(f.out.fills.empty());
  // Beyond the collar, but an operator's figures are not collared.
  REQUIRE(f.book.resolve("o1", 4, 400, f.portfolios, f.changed, f.out, error));
  REQUIRE(f.out.fills.size() == 1);
  CHECK(f.out.fills[0].by_operator);
  CHECK(f.out.fills[0].state == core::OrderState::cancelled);
  CHECK(f.p().assets[0].quantity == 104);
  CHECK(f.book.open().empty());
}

TEST_CASE("without figures an operator's resolution cancels the order with what is booked") {
  Fixture f;
  f.book.add("o1", f.buy_spy(), f.p());
  f.fill("o1", core::FillStatus::partially_filled, 3, 300);
  std::string error;
  REQUIRE(f.book.resolve("o1", std::nullopt, 0, f.portfolios, f.changed, f.out, error));
  CHECK(f.out.fills.back().state == core::OrderState::cancelled);
  CHECK(f.out.fills.back().quantity_delta == 0);
  CHECK(f.p().assets[0].quantity == 103);
}

TEST_CASE("a limit order is priced from the quote, and expires only when it can rest") {
  core::LimitOrderSpec spec;
  spec.offset_bps = 10;
  spec.ttl = 60 * kSecond;
  PriceTable prices;
  prices.resize(1);
  prices.update({0, 100, kNow, 99, 101});
  core::Order o;
  o.side = core::Side::buy;
  o.reference_price = 100;
  price_limit(spec, 0, prices, false, kNow, o);
  CHECK(o.order_type == core::OrderType::limit);
  CHECK(o.limit_price == doctest::Approx(100 * (1 - 0.001)));
  CHECK(o.expire_at == kNow + 60 * kSecond);
  price_limit(spec, 0, prices, true, kNow, o);
  CHECK(o.expire_at == 0);
}

TEST_CASE("a limit order past its time to live is cancelled, or replaced at a fresh price until max_replaces") {
  strategies::PortfolioSpec s = sixty_forty();
  core::LimitOrderSpec spec;
  spec.on_expiry = core::OnExpiry::replace;
  spec.max_replaces = 1;
  spec.ttl = 60 * kSecond;
  s.limit = spec;
  Fixture f(s);
  OpenOrder o = f.buy_spy();
  o.order_type = core::OrderType::limit;
  o.limit_price = 290;
  o.expire_at = kNow + 60 * kSecond;
  f.book.add("o1", o, f.p());
  Sequences seq;
  f.book.expire_limit_orders(kNow + 30 * kSecond, f.portfolios, f.prices, f.monitor, f.symbols, false, seq, f.out);
  CHECK(f.out.amendments.empty());
  const core::TimeNs t1 = kNow + 60 * kSecond;
  f.book.expire_limit_orders(t1, f.portfolios, f.prices, f.monitor, f.symbols, false, seq, f.out);
  REQUIRE(f.out.amendments.size() == 1);
  CHECK(f.out.amendments[0].action == core::AmendAction::replace);
  CHECK(f.out.amendments[0].limit_price == 300);
  CHECK(f.out.amendments[0].request_id == "main-20261123-000001");
  CHECK(seq.next_order == 2);
  CHECK(f.book.open().at("o1").expire_at == t1 + 60 * kSecond);
  // The one replace is used: the next expiry cancels.
  f.prices.update({f.symbols.find("SPY"), 310, t1});
  f.book.expire_limit_orders(t1 + 60 * kSecond, f.portfolios, f.prices, f.monitor, f.symbols, false, seq, f.out);
  REQUIRE(f.out.amendments.size() == 2);
  CHECK(f.out.amendments[1].action == core::AmendAction::cancel);
  CHECK(f.book.open().at("o1").expire_at == 0);
}

TEST_CASE("under the kill switch or on a stale price an expired limit order is cancelled, not replaced") {
  strategies::PortfolioSpec s = sixty_forty();
  core::LimitOrderSpec spec;
  spec.on_expiry = core::OnExpiry::replace;
  s.limit = spec;
  for (const bool killed : {true, false}) {
    Fixture f(s);
    if (!killed) f.monitor.set_stale(f.symbols.find("SPY"), true);
    OpenOrder o = f.buy_spy();
    o.order_type = core::OrderType::limit;
    o.limit_price = 290;
    o.expire_at = kNow;
    f.book.add("o1", o, f.p());
    Sequences seq;
    f.book.expire_limit_orders(kNow, f.portfolios, f.prices, f.monitor, f.symbols, killed, seq, f.out);
    REQUIRE(f.out.amendments.size() == 1);
    CHECK(f.out.amendments[0].action == core::AmendAction::cancel);
  }
}

TEST_CASE("sliced orders hold their portfolio, count their children, and end") {
  Fixture f;
  SlicePlan plan;
  plan.symbol = f.symbols.find("AGG");
  plan.asset = 1;
  plan.side = core::Side::sell;
  plan.remaining = 25;
  plan.child = 10;
  f.book.add_plan(plan, f.p());
  CHECK(f.p().open_orders == 1);
  CHECK(f.book.pending_children(0) == 3);
  CHECK(f.book.pending_children(1) == 0);
  CHECK(f.book.sells_pending(0));
  f.book.end_plan(0, f.p());
  CHECK(f.p().open_orders == 0);
  CHECK_FALSE(f.book.sells_pending(0));
  OpenOrder sell = f.buy_spy();
  sell.side = core::Side::sell;
  f.book.add("o1", sell, f.p());
  CHECK(f.book.sells_pending(0));
}

TEST_CASE("after a reload orders and slices follow their portfolio, and those of a removed one are forgotten") {
  Fixture f;
  strategies::PortfolioSpec other = sixty_forty();
  other.id = "other";
  f.portfolios.push_back(state_of(other, f.symbols));
  OpenOrder o = f.buy_spy();
  f.book.add("kept", o, f.portfolios[0]);
  o.portfolio = 1;
  f.book.add("gone", o, f.portfolios[1]);
  f.book.time_out(kNow, kSecond / 2, f.portfolios, f.out);
  f.book.time_out(kNow + kSecond, kSecond / 2, f.portfolios, f.out);
  CHECK(f.book.unknown() == 2);
  SlicePlan plan;
  plan.symbol = f.symbols.find("AGG");
  plan.asset = 1;
  plan.remaining = 20;
  plan.child = 10;
  f.book.add_plan(plan, f.portfolios[0]);
  plan.portfolio = 1;
  f.book.add_plan(plan, f.portfolios[1]);

  // "main" becomes index 1 of the new list with AGG first; "other" is removed.
  strategies::PortfolioSpec moved = sixty_forty();
  moved.assets = {{"AGG", 0.4, 300, 1}, {"SPY", 0.6, 100, 1}};
  std::vector<PortfolioState> next;
  next.push_back(state_of(other, f.symbols));
  next[0].spec.id = "new";
  next.push_back(state_of(moved, f.symbols));
  const std::vector<std::size_t> old_to_new = {1, SIZE_MAX};
  f.book.reindex(old_to_new, next);
  REQUIRE(f.book.open().size() == 1);
  CHECK(f.book.open().at("kept").portfolio == 1);
  CHECK(f.book.unknown() == 1);
  REQUIRE(f.book.plans().size() == 1);
  CHECK(f.book.plans()[0].portfolio == 1);
  CHECK(f.book.plans()[0].asset == 0);
}

}  // namespace test_order_book
