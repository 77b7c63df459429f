// Sizing: desired weights, trades, cost checks, the gate, slicing's first child.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "engine/trade_sizer.hpp"
#include "engine_test_support.hpp"

namespace test_trade_sizer {

using namespace ballast;
using namespace ballast::engine;
using namespace ballast::engine::test;

namespace {

struct Fixture {
  core::SymbolTable symbols;
  PortfolioState p;
  PriceTable prices;
  WeightSnapshot w;
  std::vector<double> desired;
  Output out;

  explicit Fixture(strategies::PortfolioSpec spec, double spy = 300, double agg = 100)
      : p(state_of(std::move(spec), symbols)) {
    prices = prices_of(symbols, {{"SPY", spy}, {"AGG", agg}});
    REQUIRE(w.take(p, prices));
  }
  execution::SizingResult size(TradeSizer& sizer, bool to_target = true) {
    const bool band_edge = desired_weights(p, w, to_target, std::nullopt, desired);
    return sizer.size(0, p, w, desired, band_edge, "main-20261123-000001", kNow, prices, symbols, out);
  }
};

const execution::SizedTrade* trade_in(const execution::SizingResult& r, std::uint32_t asset) {
  for (const auto& t : r.trades) {
    if (t.asset == asset) return &t;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("without a cost model a trade costs nothing") {
  Fixture f(sixty_forty());
  const auto c = estimate_cost(f.p, 0, 10, f.prices, f.symbols);
  CHECK(c.total() == 0);
  CHECK(c.price == 300);
  CHECK(c.quantity == 10);
}

TEST_CASE("with a cost model a trade pays its commission and slippage at the last price") {
  strategies::PortfolioSpec s = sixty_forty();
  core::CostParams c;
  c.commission_per_share = 0.01;
  c.slippage_bps = 10;
  s.costs = c;
  Fixture f(s);
  // 10 × 0.01 + 3000 × 10 / 1e4.
  CHECK(estimate_cost(f.p, 0, -10, f.prices, f.symbols).total() == doctest::Approx(0.1 + 3));
}

TEST_CASE("an unsliced trade goes whole; a sliced one starts with whole lots worth at most the child value") {
  strategies::PortfolioSpec s = sixty_forty();
  Fixture whole(s);
  CHECK(first_child(whole.p, whole.p.assets[0], 22, whole.prices) == 22);
  s.slicing = strategies::Slicing{2000, 30 * kSecond};
  Fixture sliced(s);
  // 2000 / 300 = 6.67 → 6 lots.
  CHECK(first_child(sliced.p, sliced.p.assets[0], 22, sliced.prices) == 6);
  // Worth less than a child: not sliced.
  CHECK(first_child(sliced.p, sliced.p.assets[0], 5, sliced.prices) == 5);
  s.slicing = strategies::Slicing{100, 30 * kSecond};
  Fixture tiny(s);
  // Never less than one lot.
  CHECK(first_child(tiny.p, tiny.p.assets[0], 22, tiny.prices) == 1);
}

TEST_CASE("desired weights are the targets, or band-edge the same fraction of the way for every asset") {
  Fixture to_target(sixty_forty());
  std::vector<double> desired;
  CHECK_FALSE(desired_weights(to_target.p, to_target.w, false, std::nullopt, desired));
  CHECK(desired[0] == doctest::Approx(0.6));
  CHECK(desired[1] == doctest::Approx(0.4));

  strategies::PortfolioSpec s = sixty_forty();
  s.rebalance_to = strategies::RebalanceTo::band_edge;
  Fixture edge(s);
  REQUIRE(desired_weights(edge.p, edge.w, false, std::nullopt, desired));
  // Just back inside the 5-point band: SPY at 0.55.
  CHECK(desired[0] == doctest::Approx(0.55));
  REQUIRE(desired_weights(edge.p, edge.w, false, 0.5, desired));
  CHECK(desired[0] == doctest::Approx((edge.w.weights[0] + 0.6) / 2));
  // An operator's rebalance goes all the way.
  CHECK_FALSE(desired_weights(edge.p, edge.w, true, std::nullopt, desired));
  CHECK(desired[0] == doctest::Approx(0.6));
}

TEST_CASE("the sizer trades to the desired weights in whole lots, sells first") {
  Fixture f(sixty_forty());
  TradeSizer sizer({});
  const auto r = f.size(sizer);
  // Sell 56 AGG (5600), buy 22 SPY (6600).
  REQUIRE(r.trades.size() == 2);
  CHECK(r.trades[0].side == core::Side::sell);
  CHECK(r.trades[0].quantity == 56);
  CHECK(r.trades[1].side == core::Side::buy);
  CHECK(r.trades[1].quantity == 22);
  CHECK(f.out.denials.empty());
}

TEST_CASE("a trade worth less than min_trade_value is not sized, nor a buy its proceeds would have paid for") {
  strategies::PortfolioSpec s = sixty_forty();
  s.min_trade_value = 5000;
  TradeSizer sizer({});
  Fixture both(s);
  CHECK(both.size(sizer).trades.size() == 2);
  // The 5600 sell is below 6000; without its proceeds the buy shrinks to what
  // the cash pays, 3 × 300 = 900, below the minimum too.
  s.min_trade_value = 6000;
  Fixture none(s);
  CHECK(none.size(sizer).trades.empty());
}

TEST_CASE("band-edge: an asset outside its band trades at least min_trade_value's worth, never past its target") {
  // Value 61,000: SPY 100 @ 300 (0.492, 0.108 under 0.6), AGG 300 @ 100
  // (0.492, 0.092 over 0.4); both outside 5 points. λ = 1 − 0.05 / 0.108:
  // SPY to 0.55, +11.8 shares → 12 ($3,600); AGG to 0.442, −30.1 → 31
  // ($3,100). Under min_trade_value 4,000 both were dropped and the
  // portfolio left outside; raised to ceil(4000 / 300) = 14 SPY and 40 AGG,
  // within the full trades (22 and 56).
  strategies::PortfolioSpec s = sixty_forty();
  s.rebalance_to = strategies::RebalanceTo::band_edge;
  s.min_trade_value = 4000;
  Fixture f(s);
  TradeSizer sizer({});
  const auto r = f.size(sizer, false);
  REQUIRE(trade_in(r, 0) != nullptr);
  CHECK(trade_in(r, 0)->side == core::Side::buy);
  CHECK(trade_in(r, 0)->quantity == 14);
  REQUIRE(trade_in(r, 1) != nullptr);
  CHECK(trade_in(r, 1)->side == core::Side::sell);
  CHECK(trade_in(r, 1)->quantity == 40);
  CHECK(r.cash_after == doctest::Approx(1000 + 4000 - 4200));
}

TEST_CASE("a trade that costs more than max_cost_bps of its value is frozen and the rest re-sized") {
  // 10000 cash: to target, sell 20 AGG (2000) and buy 40 SPY (12000).
  strategies::PortfolioSpec s = sixty_forty();
  s.cash = 10000;
  core::CostParams c;
  c.commission_min = 50;  // 250 bps of the sell
  s.costs = c;
  s.max_cost_bps = 80;
  Fixture f(s);
  TradeSizer sizer({});
  const auto r = f.size(sizer);
  CHECK(trade_in(r, 1) == nullptr);
  // Without the sale the cash pays for 33 (9900, its commission 51 bps).
  REQUIRE(trade_in(r, 0) != nullptr);
  CHECK(trade_in(r, 0)->quantity == 33);
  CHECK(f.out.denials.empty());
}

TEST_CASE("a sell the gate denies is frozen, the buys re-sized without its proceeds, and the denial counted") {
  execution::RiskLimits limits;
  limits.restricted_symbols = {"AGG"};
  Fixture f(sixty_forty());
  TradeSizer sizer(limits);
  const auto r = f.size(sizer);
  CHECK(trade_in(r, 1) == nullptr);
  REQUIRE(trade_in(r, 0) != nullptr);
  CHECK(trade_in(r, 0)->quantity == 3);
  REQUIRE(f.out.denials.size() == 1);
  CHECK(f.out.denials[0].reason == execution::DenyReason::restricted_symbol);
  CHECK(f.out.denials[0].order.symbol == "AGG");
  CHECK(f.out.denials[0].order.rebalance_id == "main-20261123-000001");
  CHECK(f.p.denied == 1);
  CHECK(sizer.denied(execution::DenyReason::restricted_symbol) == 1);
}

TEST_CASE("a buy the gate denies is dropped and the sells stay") {
  execution::RiskLimits limits;
  limits.max_order_value = 6000;
  Fixture f(sixty_forty());
  TradeSizer sizer(limits);
  const auto r = f.size(sizer);
  REQUIRE(r.trades.size() == 1);
  CHECK(r.trades[0].side == core::Side::sell);
  REQUIRE(f.out.denials.size() == 1);
  CHECK(f.out.denials[0].reason == execution::DenyReason::max_order_value);
  CHECK(sizer.denied(execution::DenyReason::max_order_value) == 1);
}

TEST_CASE("the gate judges new limits from the next order on") {
  Fixture f(sixty_forty());
  TradeSizer sizer({});
  CHECK_FALSE(sizer.pass_gate(0, f.p, 0, core::Side::buy, 10, f.w.value, "r1", kNow, f.prices, f.symbols));
  execution::RiskLimits limits;
  limits.max_order_value = 1000;
  sizer.set_limits(limits);
  const auto d = sizer.pass_gate(0, f.p, 0, core::Side::buy, 10, f.w.value, "r2", kNow, f.prices, f.symbols);
  REQUIRE(d);
  CHECK(d->portfolio == 0);
  CHECK(d->order.quantity == 10);
  CHECK(d->order.reference_price == 300);
}

}  // namespace test_trade_sizer
