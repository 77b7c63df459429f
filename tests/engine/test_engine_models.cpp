#include <doctest/doctest.h>

#include <cmath>

#include "engine/engine.hpp"

namespace test_engine_models {

using namespace ballast;
using engine::Engine;
using engine::Output;
using strategies::ModelKind;
using strategies::PortfolioSpec;

namespace {

const core::TimeNs kNow = *core::parse_iso8601("2026-11-23T14:30:00Z");

strategies::RiskSpec fixed_risk(std::vector<std::pair<std::string, double>> vols) {
  strategies::RiskSpec r;
  r.volatilities = std::move(vols);
  return r;
}

void tick(Engine& e, std::string_view sym, double px, core::TimeNs ts, Output& out) {
  e.on_tick({e.find_symbol(sym), px, ts}, ts, out);
}

double quantity(const Engine& e, std::string_view sym) {
  for (const auto& a : e.portfolios()[0].assets) {
    if (e.symbols().name(a.symbol) == sym) return a.quantity;
  }
  return -1;
}

}  // namespace

TEST_CASE("target-vol: a 20%-volatility sleeve at a 10% target holds half risky, half safe") {
  PortfolioSpec p;
  p.id = "tv";
  p.cash = 10000;
  p.assets = {{"AGG", 0.0, 0, 1}, {"SPY", 1.0, 0, 1}};
  p.risk = fixed_risk({{"SPY", 0.20}, {"AGG", 0.05}});
  p.model.kind = ModelKind::target_vol;
  p.model.target_vol = 0.10;
  p.model.safe = "AGG";
  Engine e({p}, {}, kNow);
  CHECK(e.portfolios()[0].assets[1].target == doctest::Approx(0.5));
  CHECK(e.portfolios()[0].assets[0].target == doctest::Approx(0.5));
  Output out;
  tick(e, "AGG", 100, kNow, out);
  tick(e, "SPY", 500, kNow, out);
  REQUIRE(e.rebalance_now("tv", kNow, out) == engine::Refusal::none);
  CHECK(quantity(e, "SPY") == 10);  // 5000 / 500
  CHECK(quantity(e, "AGG") == 50);  // 5000 / 100
  CHECK(*e.portfolio_volatility(0) == doctest::Approx(std::sqrt(0.25 * 0.04 + 0.25 * 0.0025)));
}

TEST_CASE("a risk-based model does not trade until its estimate is warm") {
  PortfolioSpec p;
  p.id = "rp";
  p.cash = 10000;
  p.assets = {{"A", 0.5, 0, 1}, {"B", 0.5, 0, 1}};
  strategies::RiskSpec r;
  r.min_samples = 3;
  r.sample_every = core::kNanosPerDay;
  p.risk = r;
  p.model.kind = ModelKind::risk_parity;
  Engine e({p}, {}, kNow);
  Output out;
  CHECK(!e.portfolios()[0].model_ready);
  // Day 0 anchors the grid and the first complete day sets the reference
  // prices; each later day is one sample. A moves ±2% a day, B ±1%.
  for (int d = 0; d < 7; ++d) {
    const core::TimeNs ts = kNow + d * core::kNanosPerDay;
    tick(e, "A", d % 2 == 0 ? 100 : 102, ts, out);
    tick(e, "B", d % 2 == 0 ? 100 : 99, ts, out);
    if (d < 3) CHECK(e.rebalance_now("rp", ts, out) == engine::Refusal::not_ready);
  }
  const auto& s = e.portfolios()[0];
  REQUIRE(s.model_ready);
  const double wa = s.assets[0].target, wb = s.assets[1].target;
  CHECK(wa + wb == doctest::Approx(1));
  // Equal risk contributions under the model's own estimate.
  const double va = s.cov(0, 0), vb = s.cov(1, 1), cab = s.cov(0, 1);
  const double total = wa * wa * va + wb * wb * vb + 2 * wa * wb * cab;
  CHECK((wa * (wa * va + wb * cab)) / total == doctest::Approx(0.5).epsilon(1e-8));
  CHECK(wa < wb);  // the calmer asset carries more weight
  CHECK(e.rebalance_now("rp", kNow + 6 * core::kNanosPerDay, out) == engine::Refusal::none);
}

TEST_CASE("CPPI follows Perold and Sharpe: floor 75, multiplier 2, value 100 → 50 risky; after -10% → 40") {
  PortfolioSpec p;
  p.id = "cppi";
  p.cash = 100;
  p.assets = {{"STK", 1.0, 0, 0.001}};
  p.model.kind = ModelKind::cppi;
  p.model.risky = "STK";
  p.model.floor_value = 75;
  p.model.multiplier = 2;
  Engine e({p}, {}, kNow);
  Output out;
  tick(e, "STK", 1.0, kNow, out);
  REQUIRE(e.rebalance_now("cppi", kNow, out) == engine::Refusal::none);
  CHECK(quantity(e, "STK") == doctest::Approx(50));  // 50 in stocks, 50 in bills (cash)
  tick(e, "STK", 0.9, kNow + 1, out);                // value 95, cushion 20, exposure 40
  CHECK(e.portfolios()[0].assets[0].target == doctest::Approx(40.0 / 95));
  out.clear();
  REQUIRE(e.rebalance_now("cppi", kNow + 1, out) == engine::Refusal::none);
  CHECK(quantity(e, "STK") * 0.9 == doctest::Approx(40).epsilon(1e-3));
}

TEST_CASE("buy-and-hold never trades, whatever the drift") {
  PortfolioSpec p;
  p.id = "bh";
  p.assets = {{"A", 0.5, 10, 1}, {"B", 0.5, 10, 1}};
  p.triggers = {strategies::ThresholdTrigger{0.01, std::nullopt, std::nullopt}};
  p.model.kind = ModelKind::buy_and_hold;
  Engine e({p}, {}, kNow);
  Output out;
  tick(e, "A", 100, kNow, out);
  tick(e, "B", 300, kNow, out);
  CHECK(out.empty());
  CHECK(e.rebalance_now("bh", kNow, out) == engine::Refusal::nothing_to_trade);
}

TEST_CASE("volatility trigger fires when the estimated volatility moves beyond its change") {
  PortfolioSpec p;
  p.id = "v";
  p.assets = {{"A", 0.5, 50, 1}, {"B", 0.5, 50, 1}};
  p.risk = fixed_risk({{"A", 0.30}, {"B", 0.05}});
  p.triggers = {strategies::VolatilityTrigger{0.25, std::nullopt, std::nullopt}};
  Engine e({p}, {}, kNow);
  Output out;
  tick(e, "A", 100, kNow, out);
  tick(e, "B", 100, kNow, out);  // σ = sqrt(.25·.09 + .25·.0025) = 0.1521: the reference
  CHECK(out.empty());
  tick(e, "A", 125, kNow, out);  // wA = 0.556: σ = 0.1675, +10%: inside
  CHECK(out.empty());
  tick(e, "A", 180, kNow, out);  // wA = 0.643: σ = 0.1937, +27%: beyond 25%
  REQUIRE(out.rebalances.size() == 1);
  CHECK(out.rebalances[0].record.reason == "volatility");
  CHECK(out.orders[0].reason == "volatility");
}

TEST_CASE("dynamic trigger: trades when λ/2·TE²·horizon·V beats the cost, hand-computed") {
  // σ = 0.2 and 0.1, uncorrelated; w = (0.7, 0.3), t = (0.6, 0.4):
  // TE² = 0.01·0.04 + 0.01·0.01 = 0.0005; λ = 4, one year: benefit = 0.001·V.
  // At 10 bps the trades cost 0.2·V·0.001 = 0.0002·V: fire. At 60 bps, 0.0012·V: hold.
  auto make = [](double bps, strategies::RebalanceTo to) {
    PortfolioSpec p;
    p.id = "d";
    p.assets = {{"A", 0.6, 70, 0.001}, {"B", 0.4, 30, 0.001}};
    p.risk = fixed_risk({{"A", 0.2}, {"B", 0.1}});
    strategies::DynamicTrigger d;
    d.risk_aversion = 4;
    d.horizon = static_cast<core::DurationNs>(365.25 * core::kNanosPerDay);
    d.cost_bps = bps;
    p.triggers = {d};
    p.rebalance_to = to;
    return p;
  };
  {
    Engine e({make(60, strategies::RebalanceTo::target)}, {}, kNow);
    Output out;
    tick(e, "B", 100, kNow, out);
    tick(e, "A", 100, kNow, out);
    CHECK(out.empty());
  }
  {
    Engine e({make(10, strategies::RebalanceTo::target)}, {}, kNow);
    Output out;
    tick(e, "B", 100, kNow, out);
    tick(e, "A", 100, kNow, out);
    REQUIRE(out.rebalances.size() == 1);
    CHECK(out.rebalances[0].record.reason == "dynamic");
    CHECK(quantity(e, "A") == doctest::Approx(60));
  }
  {
    // Band edge: trade until the rest sits on the no-trade boundary: x = 1 − C/B = 0.8,
    // so A goes from 0.70 to 0.62.
    Engine e({make(10, strategies::RebalanceTo::band_edge)}, {}, kNow);
    Output out;
    tick(e, "B", 100, kNow, out);
    tick(e, "A", 100, kNow, out);
    REQUIRE(out.rebalances.size() == 1);
    CHECK(quantity(e, "A") == doctest::Approx(62));
  }
}

TEST_CASE("dynamic trigger just inside and just outside its break-even cost") {
  // B = 0.001·V and C = 0.2·V·bps/10⁴: break-even at 50 bps.
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
    d.cost_bps = bps;
    p.triggers = {d};
    Engine e({p}, {}, kNow);
    Output out;
    tick(e, "B", 100, kNow, out);
    tick(e, "A", 100, kNow, out);
    CHECK_MESSAGE(out.rebalances.empty() != fires, "bps " << bps);
  }
}

TEST_CASE("volatility trigger bounds: just inside and just outside min and max") {
  // Two assets held 50/50 (targets 60/40, so a firing has something to trade):
  // σ at the current weights is 0.1521 (see above); bounds around it.
  const double sigma = std::sqrt(0.25 * 0.09 + 0.25 * 0.0025);
  struct Case {
    std::optional<double> min, max;
    bool fires;
  };
  for (const Case& c : {Case{sigma - 1e-4, std::nullopt, false}, Case{sigma + 1e-4, std::nullopt, true},
                        Case{std::nullopt, sigma + 1e-4, false}, Case{std::nullopt, sigma - 1e-4, true}}) {
    PortfolioSpec p;
    p.id = "v";
    p.assets = {{"A", 0.6, 50, 1}, {"B", 0.4, 50, 1}};
    p.risk = fixed_risk({{"A", 0.30}, {"B", 0.05}});
    p.triggers = {strategies::VolatilityTrigger{std::nullopt, c.min, c.max}};
    Engine e({p}, {}, kNow);
    Output out;
    tick(e, "A", 100, kNow, out);
    tick(e, "B", 100, kNow, out);  // the first σ becomes the reference
    tick(e, "B", 100, kNow, out);  // evaluated against the bounds
    CHECK(out.rebalances.empty() != c.fires);
  }
}

}  // namespace test_engine_models
