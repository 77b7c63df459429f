// The dynamic trigger's benefit and the fixed risk model read from a spec,
// shared by the portfolios' engine and the fleet's models. Worked by hand.
#include <doctest/doctest.h>

#include <vector>

#include "strategies/dynamic_benefit.hpp"

namespace test_dynamic_benefit {

using namespace ballast;
using namespace ballast::strategies;

TEST_CASE("the benefit is (λ/2)·dᵀΣd·(horizon/year)·V") {
  Eigen::MatrixXd cov(2, 2);
  cov << 0.04, 0.01, 0.01, 0.01;
  const std::vector<double> d = {0.10, -0.10};
  // dᵀΣd = 0.0004 + 0.0001 − 0.0002 = 0.0003.
  CHECK(quadratic_form(cov, d) == doctest::Approx(0.0003));
  DynamicTrigger dyn;
  dyn.risk_aversion = 10;
  dyn.horizon = 365 * core::kNanosPerDay + core::kNanosPerDay / 4;  // a year
  CHECK(dynamic_benefit(dyn, cov, d, 10'000) == doctest::Approx(15.0));
  // A quarter of the horizon, a quarter of the benefit.
  dyn.horizon /= 4;
  CHECK(dynamic_benefit(dyn, cov, d, 10'000) == doctest::Approx(3.75));
}

TEST_CASE("a spec's fixed risk model, by asset in the spec's order; pairs outside it are ignored") {
  RiskSpec risk;
  risk.volatilities = {{"BND", 0.05}, {"VTI", 0.16}};
  risk.correlations = {{"VTI", "BND", 0.2}, {"VTI", "GLD", 0.9}};
  const std::vector<AssetSpec> assets = {{"VTI", 0.6}, {"BND", 0.4}};
  const FixedRiskModelResult made = fixed_risk_of(risk, assets);
  REQUIRE(made.ok());
  const Eigen::MatrixXd& cov = made.model->covariance_annual();
  CHECK(cov(0, 0) == doctest::Approx(0.0256));
  CHECK(cov(1, 1) == doctest::Approx(0.0025));
  CHECK(cov(0, 1) == doctest::Approx(0.0016));

  risk.correlations = {{"VTI", "BND", 1.5}};
  CHECK_FALSE(fixed_risk_of(risk, assets).ok());
}

}  // namespace test_dynamic_benefit
