// Engine::on_ticks: a row of prices at one instant, as a backtest feeds it.
#include <doctest/doctest.h>

#include <vector>

#include "engine/engine.hpp"

namespace test_engine_rows {

using namespace ballast;
using engine::Engine;
using engine::Output;
using strategies::PortfolioSpec;
using strategies::ThresholdTrigger;

namespace {

const core::TimeNs kStart = *core::parse_iso8601("2026-01-05T00:00:00Z");
constexpr core::DurationNs kDay = core::kNanosPerDay;

/// 50/50 of A and B, 50 units each, on a 5-point band.
PortfolioSpec half_half() {
  PortfolioSpec p;
  p.id = "half";
  p.assets = {{"A", 0.5, 50, 1}, {"B", 0.5, 50, 1}};
  p.triggers = {ThresholdTrigger{0.05, std::nullopt, std::nullopt}};
  return p;
}

std::vector<core::Tick> row(const Engine& e, double a, double b, core::TimeNs t) {
  return {{e.find_symbol("A"), a, t}, {e.find_symbol("B"), b, t}};
}

}  // namespace

TEST_CASE("a row of ticks is judged at the row's prices, not half of it") {
  Engine e({half_half()}, {}, kStart);
  Output out;
  e.on_ticks(row(e, 100, 100, kStart), kStart, out);
  CHECK(out.empty());
  // Both up 30%: the weights stay 0.5. Fed one tick at a time, A at 130 with B
  // still at 100 would read 6500 / 11500 = 0.565, beyond the band.
  e.on_ticks(row(e, 130, 130, kStart + kDay), kStart + kDay, out);
  CHECK(out.empty());
  CHECK(e.price(e.find_symbol("A")) == 130);
  CHECK(e.price(e.find_symbol("B")) == 130);
  CHECK(e.price_time(e.find_symbol("B")) == kStart + kDay);

  Engine one_by_one({half_half()}, {}, kStart);
  one_by_one.on_ticks(row(one_by_one, 100, 100, kStart), kStart, out);
  for (const auto& t : row(one_by_one, 130, 130, kStart + kDay)) one_by_one.on_tick(t, kStart + kDay, out);
  // Once on A's tick, against B's old price, and again on B's, to undo it.
  CHECK(out.rebalances.size() == 2);
}

TEST_CASE("a row that breaches rebalances once, at the row's prices") {
  Engine e({half_half()}, {}, kStart);
  Output out;
  e.on_ticks(row(e, 100, 100, kStart), kStart, out);
  // Value 50·120 + 50·80 = 10000; A weighs 0.6, drift 0.1. A: (5000 − 6000) / 120
  // = −8.33 → sell 8 for 960. B: (5000 − 4000) / 80 = 12.5 → 13 lots, 1040, more
  // than the 960 the sale raised → scaled and floored to 12.
  e.on_ticks(row(e, 120, 80, kStart + kDay), kStart + kDay, out);
  REQUIRE(out.rebalances.size() == 1);
  REQUIRE(out.orders.size() == 2);
  CHECK(out.orders[0].symbol == "A");
  CHECK(out.orders[0].reference_price == 120);
  CHECK(out.orders[0].quantity == 8);
  CHECK(out.orders[1].symbol == "B");
  CHECK(out.orders[1].reference_price == 80);
  CHECK(out.orders[1].quantity == 12);
  CHECK(out.rebalances[0].record.value == doctest::Approx(10000));
}

TEST_CASE("a risk sample taken on a row sees every price of the row") {
  PortfolioSpec p = half_half();
  p.triggers.clear();
  strategies::RiskSpec risk;
  risk.min_samples = 3;
  p.risk = risk;
  Engine e({p}, {}, kStart);
  Output out;
  // A and B move together, so their returns are equal and their correlation is 1.
  // One tick at a time, the first symbol's return would land a sample before the other's.
  double px = 100;
  for (int d = 0; d < 10; ++d) {
    px *= d % 2 == 0 ? 1.01 : 0.985;
    const core::TimeNs t = kStart + d * kDay;
    e.on_ticks(row(e, px, px, t), t, out);
  }
  const auto& state = e.portfolios()[0];
  REQUIRE(state.risk_warm);
  CHECK(state.cov(0, 0) > 0);
  CHECK(state.cov(0, 1) == doctest::Approx(state.cov(0, 0)));
  CHECK(state.cov(1, 1) == doctest::Approx(state.cov(0, 0)));
}

}  // namespace test_engine_rows
