// A portfolio's model: its risk estimate and the targets it sets.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "engine/portfolio_model.hpp"
#include "engine_test_support.hpp"

namespace test_portfolio_model {

using namespace ballast;
using namespace ballast::engine;
using namespace ballast::engine::test;

namespace {

/// 60/40 with a fixed risk model: σ 20% and 5%, uncorrelated.
strategies::PortfolioSpec with_fixed_risk(strategies::ModelKind kind) {
  strategies::PortfolioSpec s = sixty_forty();
  strategies::RiskSpec r;
  r.volatilities = {{"SPY", 0.2}, {"AGG", 0.05}};
  s.risk = r;
  s.model.kind = kind;
  return s;
}

}  // namespace

TEST_CASE("a fixed model takes the spec's targets and is ready; buy-and-hold says it never trades") {
  core::SymbolTable symbols;
  PortfolioState p = state_of(sixty_forty(), symbols);
  p.assets[0].target = 0;
  refresh_model(p, prices_of(symbols, {}));
  CHECK(p.model_ready);
  CHECK(p.assets[0].target == 0.6);
  CHECK(model_state_text(p) == "ready");
  strategies::PortfolioSpec hold = sixty_forty();
  hold.model.kind = strategies::ModelKind::buy_and_hold;
  PortfolioState h = state_of(hold, symbols);
  refresh_model(h, prices_of(symbols, {}));
  CHECK(model_state_text(h) == "never trades");
}

TEST_CASE("a risk-based model is not ready while its estimate warms") {
  core::SymbolTable symbols;
  strategies::PortfolioSpec s = sixty_forty();
  s.risk = strategies::RiskSpec{};
  s.model.kind = strategies::ModelKind::risk_parity;
  PortfolioState p = state_of(s, symbols);
  build_risk(p);
  REQUIRE(p.risk);
  refresh_model(p, prices_of(symbols, {}));
  CHECK_FALSE(p.model_ready);
  CHECK(model_state_text(p).rfind("warming: 0 samples", 0) == 0);
}

TEST_CASE("an EWMA estimate samples the prices once per sample period on the data's clock") {
  core::SymbolTable symbols;
  strategies::PortfolioSpec s = sixty_forty();
  s.risk = strategies::RiskSpec{};
  s.risk->min_samples = 2;
  s.model.kind = strategies::ModelKind::risk_parity;
  PortfolioState p = state_of(s, symbols);
  build_risk(p);
  std::vector<double> scratch;
  const double spy[] = {300, 303, 297, 306};
  const double agg[] = {100, 100.2, 99.9, 100.1};
  for (int d = 0; d < 4; ++d) {
    const core::TimeNs t = kNow + d * core::kNanosPerDay;
    PriceTable prices = prices_of(symbols, {{"SPY", spy[d]}, {"AGG", agg[d]}});
    sample_risk(p, t, prices, scratch);
    sample_risk(p, t + kSecond, prices, scratch);  // not due again within the day
  }
  CHECK(p.risk_warm);
  CHECK(p.model_ready);
  REQUIRE(p.cov.rows() == 2);
  // Risk parity: the calmer AGG gets the larger weight.
  CHECK(p.assets[1].target > p.assets[0].target);
}

TEST_CASE("a fixed risk model is warm at once, and the quadratic form reads its covariance") {
  core::SymbolTable symbols;
  PortfolioState p = state_of(with_fixed_risk(strategies::ModelKind::risk_parity), symbols);
  build_risk(p);
  refresh_model(p, prices_of(symbols, {}));
  CHECK(p.risk_warm);
  CHECK(p.model_ready);
  const std::vector<double> w = {0.5, 0.5};
  CHECK(quadratic(p, w) == doctest::Approx(0.25 * 0.04 + 0.25 * 0.0025));
  // Risk parity at 20% and 5%: weights 1/0.2 : 1/0.05 = 1 : 4.
  CHECK(p.assets[0].target == doctest::Approx(0.2));
  CHECK(p.assets[1].target == doctest::Approx(0.8));
}

TEST_CASE("without an estimate the quadratic form is 0") {
  core::SymbolTable symbols;
  const PortfolioState p = state_of(sixty_forty(), symbols);
  const std::vector<double> w = {0.5, 0.5};
  CHECK(quadratic(p, w) == 0);
}

TEST_CASE("a fixed risk model that cannot be made leaves its error as the model state") {
  core::SymbolTable symbols;
  strategies::PortfolioSpec s = with_fixed_risk(strategies::ModelKind::risk_parity);
  s.risk->volatilities = {{"SPY", -0.2}, {"AGG", 0.05}};
  PortfolioState p = state_of(s, symbols);
  build_risk(p);
  CHECK_FALSE(p.risk);
  CHECK(model_state_text(p).rfind("error: ", 0) == 0);
}

TEST_CASE("CPPI waits for prices, then sets its exposure from the cushion and says so") {
  core::SymbolTable symbols;
  strategies::PortfolioSpec s = sixty_forty();
  s.model.kind = strategies::ModelKind::cppi;
  s.model.safe = "AGG";
  s.model.floor = 0.8;
  s.model.multiplier = 3;
  PortfolioState p = state_of(s, symbols);
  refresh_value_model(p, prices_of(symbols, {{"SPY", 300}}));
  CHECK_FALSE(p.model_ready);
  CHECK(model_state_text(p) == "waiting for prices");
  refresh_value_model(p, prices_of(symbols, {{"SPY", 300}, {"AGG", 100}}));
  CHECK(p.model_ready);
  CHECK(p.start_value == 61000);
  // Cushion 61000 − 0.8 × 61000 = 12200; exposure 3 × 12200 = 36600, 0.6 of the value.
  CHECK(p.cppi_cushion == doctest::Approx(12200));
  CHECK(p.cppi_exposure == doctest::Approx(36600));
  CHECK(model_state_text(p) == "exposure 36600.00, cushion 12200.00");
  CHECK(p.assets[0].target == doctest::Approx(0.6));
}

TEST_CASE("risk settings are the same only when every setting is") {
  strategies::RiskSpec a;
  CHECK(same_risk(std::nullopt, std::nullopt));
  CHECK_FALSE(same_risk(a, std::nullopt));
  CHECK(same_risk(a, a));
  strategies::RiskSpec b = a;
  b.min_samples = 5;
  CHECK_FALSE(same_risk(a, b));
  b = a;
  b.correlations = {{"SPY", "AGG", 0.3}};
  CHECK_FALSE(same_risk(a, b));
}

}  // namespace test_portfolio_model
