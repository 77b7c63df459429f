// strategies::spec_targets: a spec's target model given its covariance, the
// one place the engine (for a portfolio, at every sample of its estimate)
// and the fleet (for a model, once) set risk-based targets; and the
// per-symbol tables it reads.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "strategies/spec_targets.hpp"

namespace test_spec_targets {

using namespace ballast::strategies;
using doctest::Approx;

namespace {

/// A 60/40 spec over two uncorrelated assets, σ 16% and 5%.
PortfolioSpec two_assets(ModelKind kind) {
  PortfolioSpec s;
  s.assets = {{"VTI", 0.6}, {"BND", 0.4}};
  s.model.kind = kind;
  return s;
}

Eigen::MatrixXd diagonal_cov() {
  Eigen::MatrixXd cov(2, 2);
  cov << 0.0256, 0, 0, 0.0025;
  return cov;
}

}  // namespace

TEST_CASE("a per-symbol table falls back for a symbol it does not name") {
  const std::vector<std::pair<std::string, double>> t = {{"SPY", 5}};
  CHECK(lookup(t, "SPY", 1) == 5);
  CHECK(lookup(t, "AGG", 1) == 1);
}

TEST_CASE("target-vol: the non-safe targets are the risky mix, the safe asset takes the rest") {
  // Mix VTI alone (BND is safe): σ = 16%, aimed at 8%: f = 0.5.
  PortfolioSpec s = two_assets(ModelKind::target_vol);
  s.model.target_vol = 0.08;
  s.model.safe = "BND";
  const TargetModelResult r = spec_targets(s, diagonal_cov());
  REQUIRE(r.ok);
  CHECK(r.weights[0] == Approx(0.5));
  CHECK(r.weights[1] == Approx(0.5));
  // On cash: the mix is 60/40 of both, σ = √(0.36·0.0256 + 0.16·0.0025) = 0.0980.
  s.model.safe = "cash";
  const TargetModelResult c = spec_targets(s, diagonal_cov());
  const double f = 0.08 / std::sqrt(0.36 * 0.0256 + 0.16 * 0.0025);
  CHECK(c.weights[0] == Approx(0.6 * f));
  CHECK(c.cash_weight == Approx(1 - f));
}

TEST_CASE("risk parity follows the budgets by symbol and leaves the cash target") {
  // Budgets 1/3 and 2/3, uncorrelated: wᵢσᵢ² ∝ bᵢ·(wᵀΣw) gives wᵢ ∝ √bᵢ/σᵢ.
  PortfolioSpec s = two_assets(ModelKind::risk_parity);
  s.model.budgets = {{"BND", 2.0 / 3}, {"VTI", 1.0 / 3}};
  s.cash_target = 0.2;
  const TargetModelResult r = spec_targets(s, diagonal_cov());
  REQUIRE(r.ok);
  const double a = std::sqrt(1.0 / 3) / 0.16, b = std::sqrt(2.0 / 3) / 0.05;
  CHECK(r.weights[0] == Approx(0.8 * a / (a + b)).epsilon(1e-9));
  CHECK(r.weights[1] == Approx(0.8 * b / (a + b)).epsilon(1e-9));
  CHECK(r.cash_weight == 0.2);
}

TEST_CASE("kinds that set no targets from Σ say so") {
  for (const ModelKind kind : {ModelKind::fixed, ModelKind::cppi, ModelKind::buy_and_hold}) {
    const TargetModelResult r = spec_targets(two_assets(kind), diagonal_cov());
    CHECK_FALSE(r.ok);
    CHECK(r.error.find("sets no targets from a covariance") != std::string::npos);
  }
}

}  // namespace test_spec_targets
