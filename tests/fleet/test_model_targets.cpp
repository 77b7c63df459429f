// A model's target model: fleet::model_from_spec sets the targets once from
// the model's fixed [models.risk], as a portfolio with the same spec sets
// them; checked against the closed forms worked out by hand.
#include <doctest/doctest.h>

#include <string>

#include "fleet/model_from_spec.hpp"
#include "fleet_test_support.hpp"

namespace ballast::fleet {
namespace test_model_targets {
namespace {

using doctest::Approx;
using test::model_of;

/// VTI (σ 16%) and BND (σ 5%), uncorrelated, banded at 5 points.
strategies::PortfolioSpec robo(strategies::ModelKind kind) {
  strategies::PortfolioSpec s;
  s.id = "robo";
  s.assets = {{"VTI", 0.6}, {"BND", 0.4}};
  s.triggers.push_back(strategies::ThresholdTrigger{.absolute = 0.05});
  strategies::RiskSpec risk;
  risk.volatilities = {{"VTI", 0.16}, {"BND", 0.05}};
  s.risk = risk;
  s.model.kind = kind;
  return s;
}

std::string refusal(const strategies::PortfolioSpec& spec) {
  core::SymbolTable symbols;
  Model m;
  return model_from_spec(spec, symbols, m).value_or("accepted");
}

TEST_CASE("risk parity: uncorrelated assets weigh 1/σ, scaled to leave the cash target") {
  // w ∝ 1/σ: 6.25 and 20 of 26.25, times 1 − 0.1.
  strategies::PortfolioSpec spec = robo(strategies::ModelKind::risk_parity);
  spec.cash_target = 0.1;
  const Model m = model_of(spec);
  CHECK(m.targets[0] == Approx(0.9 * 6.25 / 26.25).epsilon(1e-9));
  CHECK(m.targets[1] == Approx(0.9 * 20 / 26.25).epsilon(1e-9));
  CHECK(m.cash_target() == Approx(0.1).epsilon(1e-9));
}

TEST_CASE("target-vol: VTI alone at σ 16% aimed at 8% takes half, the safe asset the rest") {
  strategies::PortfolioSpec spec = robo(strategies::ModelKind::target_vol);
  spec.model.target_vol = 0.08;
  spec.model.safe = "BND";
  const Model m = model_of(spec);
  CHECK(m.targets[0] == Approx(0.5).epsilon(1e-12));
  CHECK(m.targets[1] == Approx(0.5).epsilon(1e-12));
}

TEST_CASE("mean-variance: the unconstrained optimum of wᵀμ − (λ/2)wᵀΣw with Σw = 1") {
  // λ = 4, μ = (7%, 3%), Σ = diag(0.0256, 0.0025): wᵢ = (μᵢ − ν)/(λσᵢ²) with
  // (0.07 − ν)/0.1024 + (0.03 − ν)/0.01 = 1, so ν = 2.68359375/109.765625.
  strategies::PortfolioSpec spec = robo(strategies::ModelKind::mean_variance);
  spec.model.risk_aversion = 4;
  spec.model.expected_returns = {{"VTI", 0.07}, {"BND", 0.03}};
  const Model m = model_of(spec);
  const double nu = 2.68359375 / 109.765625;
  CHECK(m.targets[0] == Approx((0.07 - nu) / 0.1024).epsilon(1e-9));
  CHECK(m.targets[1] == Approx((0.03 - nu) / 0.01).epsilon(1e-9));
  CHECK(m.targets[0] + m.targets[1] == Approx(1).epsilon(1e-12));
}

TEST_CASE("a target model without a fixed risk model, one that borrows, and CPPI are refused") {
  strategies::PortfolioSpec spec = robo(strategies::ModelKind::risk_parity);
  spec.risk.reset();
  CHECK(refusal(spec) == "a target model on a model needs a fixed [models.risk]");
  spec = robo(strategies::ModelKind::target_vol);
  spec.model.target_vol = 0.32;  // f = 2 with max_leverage 2: BND at −1
  spec.model.max_leverage = 2;
  spec.model.safe = "BND";
  CHECK(refusal(spec) != "accepted");
  spec.model.safe = "cash";  // the same on cash: borrowed
  CHECK(refusal(spec).find("borrow") != std::string::npos);
  spec = robo(strategies::ModelKind::cppi);
  CHECK(refusal(spec).find("a cppi model does not run on [[models]]") == 0);
}

}  // namespace
}  // namespace test_model_targets
}  // namespace ballast::fleet
