// fleet::model_from_spec: a [[models]] spec as the fleet runs it, here its tax policy
// (avoid_short_term_gains, the substitute groups with their refusals, rates,
// wash-sale avoidance and the harvest rule).
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "fleet/model_from_spec.hpp"

namespace ballast::fleet {
namespace test_model_from_spec {
namespace {

strategies::PortfolioSpec balanced() {
  strategies::PortfolioSpec s;
  s.id = "balanced";
  s.assets = {{"VTI", 0.6}, {"BND", 0.4}};
  s.triggers.push_back(strategies::ThresholdTrigger{.absolute = 0.05});
  return s;
}

TEST_CASE("model_from_spec carries the spec's tax policy, off unless the spec turns it on") {
  core::SymbolTable symbols;
  strategies::PortfolioSpec spec = balanced();
  Model off;
  REQUIRE_FALSE(model_from_spec(spec, symbols, off));
  CHECK_FALSE(off.avoid_short_term_gains);

  spec.tax.avoid_short_term_gains = true;
  Model on;
  REQUIRE_FALSE(model_from_spec(spec, symbols, on));
  CHECK(on.avoid_short_term_gains);
  CHECK(on.targets == off.targets);  // the rest of the model is the same
}


namespace {

/// VTI 0.5, BND 0.4 and, at target 0, ITOT, SCHB and BNDX.
strategies::PortfolioSpec with_substitutes() {
  strategies::PortfolioSpec s = balanced();
  s.assets = {{"VTI", 0.5}, {"BND", 0.4}, {"ITOT", 0}, {"SCHB", 0}, {"BNDX", 0}};
  s.tax.substitutes = {{"VTI", {"ITOT", "SCHB"}}, {"BND", {"BNDX"}}};
  return s;
}

std::string refusal(const strategies::PortfolioSpec& spec) {
  core::SymbolTable symbols;
  Model m;
  return model_from_spec(spec, symbols, m).value_or("accepted");
}

}  // namespace

TEST_CASE("model_from_spec groups each primary with its substitutes") {
  core::SymbolTable symbols;
  Model m;
  REQUIRE_FALSE(model_from_spec(with_substitutes(), symbols, m));
  CHECK(m.group_of == std::vector<std::uint32_t>{0, 1, 0, 0, 1});
  // An asset in no group is a group of its own.
  strategies::PortfolioSpec spec = with_substitutes();
  spec.tax.substitutes = {{"VTI", {"SCHB"}}};
  REQUIRE_FALSE(model_from_spec(spec, symbols, m));
  CHECK(m.group_of == std::vector<std::uint32_t>{0, 1, 2, 0, 4});
  // No substitutes: no group_of at all.
  REQUIRE_FALSE(model_from_spec(balanced(), symbols, m));
  CHECK(m.group_of.empty());
}

TEST_CASE("model_from_spec refuses a primary or a substitute that is not an asset of the model") {
  strategies::PortfolioSpec spec = with_substitutes();
  spec.tax.substitutes = {{"VOO", {"ITOT"}}};
  CHECK(refusal(spec) == "substitutes: VOO is not an asset of the model");
  spec.tax.substitutes = {{"VTI", {"ITOT", "VOO"}}};
  CHECK(refusal(spec) == "substitutes: VOO (for VTI) is not an asset of the model");
}

TEST_CASE("model_from_spec refuses a substitute with a target other than 0") {
  strategies::PortfolioSpec spec = with_substitutes();
  spec.tax.substitutes = {{"VTI", {"BND"}}};
  CHECK(refusal(spec) == "substitutes: BND (for VTI) has a target other than 0");
}

TEST_CASE("model_from_spec refuses a symbol in two groups") {
  strategies::PortfolioSpec spec = with_substitutes();
  spec.tax.substitutes = {{"VTI", {"ITOT"}}, {"BND", {"ITOT"}}};
  CHECK(refusal(spec) == "substitutes: ITOT is in two substitute groups");
  spec.tax.substitutes = {{"VTI", {"ITOT", "ITOT"}}};
  CHECK(refusal(spec) == "substitutes: ITOT is in two substitute groups");
  spec.tax.substitutes = {{"VTI", {"ITOT"}}, {"VTI", {"SCHB"}}};
  CHECK(refusal(spec) == "substitutes: VTI is in two substitute groups");
}

TEST_CASE("model_from_spec refuses a primary that is also a substitute") {
  strategies::PortfolioSpec spec = with_substitutes();
  // ITOT named as a primary after it is a substitute, and before.
  spec.tax.substitutes = {{"VTI", {"ITOT"}}, {"ITOT", {"SCHB"}}};
  CHECK(refusal(spec) == "substitutes: ITOT is both a primary and a substitute");
  spec.tax.substitutes = {{"ITOT", {"SCHB"}}, {"VTI", {"ITOT"}}};
  CHECK(refusal(spec) == "substitutes: ITOT is both a primary and a substitute");
  spec.tax.substitutes = {{"VTI", {"VTI"}}};
  CHECK(refusal(spec) == "substitutes: VTI is both a primary and a substitute");
}

TEST_CASE("model_from_spec sets tax rates when either rate is given, the other then 0") {
  core::SymbolTable symbols;
  strategies::PortfolioSpec spec = balanced();
  Model none;
  REQUIRE_FALSE(model_from_spec(spec, symbols, none));
  CHECK_FALSE(none.tax_rates.has_value());

  spec.tax.short_term_rate = 0.37;
  spec.tax.long_term_rate = 0.2;
  Model both;
  REQUIRE_FALSE(model_from_spec(spec, symbols, both));
  CHECK(both.tax_rates == tax::TaxRates{0.37, 0.2});

  spec.tax.short_term_rate.reset();
  Model long_only;
  REQUIRE_FALSE(model_from_spec(spec, symbols, long_only));
  CHECK(long_only.tax_rates == tax::TaxRates{0, 0.2});

  spec.tax.short_term_rate = 0.24;
  spec.tax.long_term_rate.reset();
  Model short_only;
  REQUIRE_FALSE(model_from_spec(spec, symbols, short_only));
  CHECK(short_only.tax_rates == tax::TaxRates{0.24, 0});

  // A rate given as 0 is still a rate: the model weighs tax, at nothing.
  spec.tax.short_term_rate = 0;
  Model zero;
  REQUIRE_FALSE(model_from_spec(spec, symbols, zero));
  CHECK(zero.tax_rates == tax::TaxRates{0, 0});
}

TEST_CASE("model_from_spec carries wash-sale avoidance, on by default") {
  core::SymbolTable symbols;
  strategies::PortfolioSpec spec = balanced();
  Model on;
  REQUIRE_FALSE(model_from_spec(spec, symbols, on));
  CHECK(on.avoid_wash_sales);
  spec.tax.avoid_wash_sales = false;
  Model off;
  REQUIRE_FALSE(model_from_spec(spec, symbols, off));
  CHECK_FALSE(off.avoid_wash_sales);
}

TEST_CASE("model_from_spec turns the harvest table's cost in bps into a fraction of the value traded") {
  core::SymbolTable symbols;
  strategies::PortfolioSpec spec = balanced();
  Model none;
  REQUIRE_FALSE(model_from_spec(spec, symbols, none));
  CHECK_FALSE(none.harvest.has_value());

  spec.tax.harvest = strategies::TaxPolicy::Harvest{.min_loss = 200, .min_loss_fraction = 0.05, .cost_bps = 5};
  Model m;
  REQUIRE_FALSE(model_from_spec(spec, symbols, m));
  REQUIRE(m.harvest.has_value());
  CHECK(m.harvest->min_loss == 200);
  CHECK(m.harvest->min_loss_fraction == 0.05);
  CHECK(m.harvest->cost_fraction == doctest::Approx(0.0005));  // 5 bps
}

TEST_CASE("model_from_spec carries the identical groups as symbol ids") {
  core::SymbolTable symbols;
  strategies::PortfolioSpec spec = with_substitutes();
  spec.tax.identical = {{"VTI", "SCHB"}};
  Model m;
  REQUIRE_FALSE(model_from_spec(spec, symbols, m));
  REQUIRE(m.identical.size() == 1);
  CHECK(symbols.name(m.identical[0][0]) == "VTI");
  CHECK(symbols.name(m.identical[0][1]) == "SCHB");
  spec.tax.identical = {{"VTI", "VOO"}};
  CHECK(refusal(spec) == "identical: VOO is not an asset of the model");
}


TEST_CASE("model_from_spec carries a dynamic trigger with the Σ of its fixed risk and the model's costs") {
  core::SymbolTable symbols;
  strategies::PortfolioSpec spec = balanced();
  strategies::DynamicTrigger dyn;
  dyn.risk_aversion = 4;
  spec.triggers.push_back(dyn);
  SUBCASE("without [models.risk] it is refused") {
    Model m;
    const auto why = model_from_spec(spec, symbols, m);
    REQUIRE(why);
    CHECK(why->find("fixed [models.risk]") != std::string::npos);
  }
  SUBCASE("with it, Σ by slot: σ_VTI = 0.16, σ_BND = 0.05, ρ = 0.2") {
    strategies::RiskSpec risk;
    risk.volatilities = {{"BND", 0.05}, {"VTI", 0.16}};
    risk.correlations = {{"VTI", "BND", 0.2}};
    spec.risk = risk;
    spec.costs = core::CostParams{.commission_bps = 1};
    Model m;
    REQUIRE_FALSE(model_from_spec(spec, symbols, m));
    REQUIRE(m.dynamic);
    CHECK(m.dynamic->trigger.risk_aversion == 4);
    REQUIRE(m.dynamic->costs);
    CHECK(m.dynamic->costs->commission_bps == 1);
    const Eigen::MatrixXd& cov = m.dynamic->cov_annual;
    REQUIRE(cov.rows() == 2);
    CHECK(cov(0, 0) == doctest::Approx(0.0256));               // VTI: 0.16²
    CHECK(cov(1, 1) == doctest::Approx(0.0025));               // BND: 0.05²
    CHECK(cov(0, 1) == doctest::Approx(0.2 * 0.16 * 0.05));    // 0.0016
    CHECK(cov(1, 0) == cov(0, 1));
  }
  SUBCASE("a second dynamic trigger is refused") {
    spec.triggers.push_back(dyn);
    strategies::RiskSpec risk;
    risk.volatilities = {{"VTI", 0.16}, {"BND", 0.05}};
    spec.risk = risk;
    Model m;
    const auto why = model_from_spec(spec, symbols, m);
    REQUIRE(why);
    CHECK(*why == "a model takes one dynamic trigger");
  }
}

TEST_CASE("check_model refuses a dynamic trigger whose Σ does not fit the model or whose numbers are out of range") {
  core::SymbolTable symbols;
  strategies::PortfolioSpec spec = balanced();
  spec.triggers.push_back(strategies::DynamicTrigger{});
  strategies::RiskSpec risk;
  risk.volatilities = {{"VTI", 0.16}, {"BND", 0.05}};
  spec.risk = risk;
  Model m;
  REQUIRE_FALSE(model_from_spec(spec, symbols, m));
  CHECK_FALSE(check_model(m, symbols.size()));

  Model small = m;
  small.dynamic->cov_annual = Eigen::MatrixXd::Identity(1, 1);
  CHECK(check_model(small, symbols.size()));
  Model asymmetric = m;
  asymmetric.dynamic->cov_annual(0, 1) = 0.5;
  CHECK(check_model(asymmetric, symbols.size()));
  Model negative = m;
  negative.dynamic->cov_annual(1, 1) = -0.01;
  CHECK(check_model(negative, symbols.size()));
  Model lambda = m;
  lambda.dynamic->trigger.risk_aversion = 0;
  CHECK(check_model(lambda, symbols.size()));
  Model horizon = m;
  horizon.dynamic->trigger.horizon = 0;
  CHECK(check_model(horizon, symbols.size()));
  Model bps = m;
  bps.dynamic->trigger.cost_bps_by_symbol = {{"VTI", -1}};
  CHECK(check_model(bps, symbols.size()));
}

}  // namespace
}  // namespace test_model_from_spec
}  // namespace ballast::fleet
