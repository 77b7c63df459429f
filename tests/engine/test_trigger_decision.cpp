// The decision per trigger: threshold, volatility and dynamic on the weights,
// calendar schedules on the clock.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "engine/trigger_decision.hpp"
#include "engine_test_support.hpp"

namespace test_trigger_decision {

using namespace ballast;
using namespace ballast::engine;
using namespace ballast::engine::test;

namespace {

/// A 2×2 annualised covariance: σ 20% and 10%, uncorrelated.
Eigen::MatrixXd two_vols() {
  Eigen::MatrixXd c(2, 2);
  c << 0.04, 0, 0, 0.01;
  return c;
}

struct Fixture {
  core::SymbolTable symbols;
  PortfolioState p;
  PriceTable prices;
  WeightSnapshot w;
  std::vector<double> scratch;

  Fixture(strategies::PortfolioSpec spec, double spy, double agg) : p(state_of(std::move(spec), symbols)) {
    prices = prices_of(symbols, {{"SPY", spy}, {"AGG", agg}});
    REQUIRE(w.take(p, prices));
  }
  std::optional<Decision> decide() { return engine::decide(p, w, prices, symbols, scratch); }
};

strategies::PortfolioSpec with_trigger(strategies::Trigger t) {
  strategies::PortfolioSpec s = sixty_forty();
  s.triggers = {std::move(t)};
  return s;
}

}  // namespace

TEST_CASE("a threshold trigger decides a rebalance on a breach, naming the asset") {
  // SPY weighs 0.492 against 0.6: beyond the 5-point band.
  Fixture f(sixty_forty(), 300, 100);
  const auto d = f.decide();
  REQUIRE(d);
  CHECK(d->reason == "threshold");
  CHECK(d->detail.find("SPY") != std::string::npos);
  CHECK_FALSE(d->fraction);
}

TEST_CASE("no trigger fires while the weights sit inside the bands") {
  // 40000 of 71000: SPY weighs 0.563, AGG 0.423, both inside their bands.
  Fixture f(sixty_forty(), 400, 100);
  CHECK_FALSE(f.decide());
}

TEST_CASE("only calendar triggers read no weights") {
  CHECK(reads_weights(sixty_forty()));
  CHECK_FALSE(reads_weights(with_trigger(strategies::CalendarTrigger{core::Period{}, std::nullopt})));
  CHECK(reads_weights(with_trigger(strategies::VolatilityTrigger{0.2, std::nullopt, std::nullopt})));
  CHECK_FALSE(reads_weights(strategies::PortfolioSpec{}));
}

TEST_CASE("the volatility and dynamic triggers wait for a warm risk estimate") {
  Fixture vol(with_trigger(strategies::VolatilityTrigger{0.01, std::nullopt, std::nullopt}), 300, 100);
  vol.p.cov = two_vols();
  CHECK_FALSE(vol.decide());
  CHECK(vol.p.vol_reference == 0);
  Fixture dyn(with_trigger(strategies::DynamicTrigger{1e6, core::kNanosPerDay * 365, 0, {}}), 300, 100);
  dyn.p.cov = two_vols();
  CHECK_FALSE(dyn.decide());
}

TEST_CASE("the volatility trigger takes its first sigma as the reference, then fires when it moves past change") {
  Fixture f(with_trigger(strategies::VolatilityTrigger{0.10, std::nullopt, std::nullopt}), 300, 100);
  f.p.cov = two_vols();
  f.p.risk_warm = true;
  CHECK_FALSE(f.decide());
  const double sigma = std::sqrt(0.04 * f.w.weights[0] * f.w.weights[0] + 0.01 * f.w.weights[1] * f.w.weights[1]);
  CHECK(f.p.vol_reference == doctest::Approx(sigma));
  CHECK_FALSE(f.decide());
  // σ doubled: a 100% move.
  f.p.cov *= 4;
  const auto d = f.decide();
  REQUIRE(d);
  CHECK(d->reason == "volatility");
  CHECK(d->detail.find("moved +100.0%") != std::string::npos);
}

TEST_CASE("the volatility trigger fires outside its min and max") {
  Fixture low(with_trigger(strategies::VolatilityTrigger{std::nullopt, 0.5, std::nullopt}), 300, 100);
  low.p.cov = two_vols();
  low.p.risk_warm = true;
  low.p.vol_reference = 0.1;
  REQUIRE(low.decide());
  CHECK(low.decide()->detail.find("below min") != std::string::npos);
  Fixture high(with_trigger(strategies::VolatilityTrigger{std::nullopt, std::nullopt, 0.01}), 300, 100);
  high.p.cov = two_vols();
  high.p.risk_warm = true;
  high.p.vol_reference = 0.1;
  REQUIRE(high.decide());
  CHECK(high.decide()->detail.find("above max") != std::string::npos);
}

TEST_CASE("the dynamic trigger fires when the benefit beats the flat cost, and not when the cost is higher") {
  // Deviation ±0.108; tracking-error variance 0.04·0.0117 + 0.01·0.0117 ≈ 0.000585.
  Fixture cheap(with_trigger(strategies::DynamicTrigger{100, core::kNanosPerDay * 365, 1, {}}), 300, 100);
  cheap.p.cov = two_vols();
  cheap.p.risk_warm = true;
  const auto d = cheap.decide();
  REQUIRE(d);
  CHECK(d->reason == "dynamic");
  CHECK_FALSE(d->fraction);  // rebalance_to = target
  Fixture dear(with_trigger(strategies::DynamicTrigger{100, core::kNanosPerDay * 365, 10000, {}}), 300, 100);
  dear.p.cov = two_vols();
  dear.p.risk_warm = true;
  CHECK_FALSE(dear.decide());
}

TEST_CASE("the dynamic trigger trades to band edge by the share of the benefit the cost leaves") {
  strategies::PortfolioSpec s = with_trigger(strategies::DynamicTrigger{100, core::kNanosPerDay * 365, 1, {}});
  s.rebalance_to = strategies::RebalanceTo::band_edge;
  Fixture f(s, 300, 100);
  f.p.cov = two_vols();
  f.p.risk_warm = true;
  const auto d = f.decide();
  REQUIRE(d);
  REQUIRE(d->fraction);
  CHECK(*d->fraction > 0);
  CHECK(*d->fraction < 1);
}

TEST_CASE("calendar dates fall on the schedule after now, and are 0 for other triggers") {
  const core::Period day = *core::parse_period("1d");
  const std::vector<strategies::Trigger> ts = {strategies::ThresholdTrigger{0.05, std::nullopt, std::nullopt},
                                               strategies::CalendarTrigger{day, std::nullopt}};
  const auto dates = calendar_dates(ts, kNow);
  CHECK(dates[0] == 0);
  CHECK(dates[1] == *core::parse_iso8601("2026-11-24T00:00:00Z"));
}

TEST_CASE("a calendar that comes due leaves a pending rebalance and moves to its next date") {
  strategies::PortfolioSpec s = with_trigger(strategies::CalendarTrigger{*core::parse_period("1d"), std::nullopt});
  core::SymbolTable symbols;
  PortfolioState p = state_of(s, symbols);
  mark_due_calendars(p, kNow);
  CHECK_FALSE(p.pending);
  const core::TimeNs due = *core::parse_iso8601("2026-11-24T00:00:00Z");
  mark_due_calendars(p, due);
  REQUIRE(p.pending);
  CHECK(p.pending->find("every 1d") != std::string::npos);
  CHECK(p.next_due[0] == due + core::kNanosPerDay);
}

TEST_CASE("schedules are the same when the calendars are, whatever the other triggers' settings") {
  const core::Period day = *core::parse_period("1d"), week = *core::parse_period("1w");
  using strategies::CalendarTrigger;
  using strategies::ThresholdTrigger;
  CHECK(same_schedules({ThresholdTrigger{0.05, {}, {}}, CalendarTrigger{day, {}}},
                       {ThresholdTrigger{0.10, {}, {}}, CalendarTrigger{day, {}}}));
  CHECK_FALSE(same_schedules({CalendarTrigger{day, {}}}, {CalendarTrigger{week, {}}}));
  CHECK_FALSE(same_schedules({CalendarTrigger{day, {}}}, {CalendarTrigger{day, kNow}}));
  CHECK_FALSE(same_schedules({CalendarTrigger{day, {}}}, {ThresholdTrigger{0.05, {}, {}}}));
  CHECK_FALSE(same_schedules({CalendarTrigger{day, {}}}, {}));
}

}  // namespace test_trigger_decision
