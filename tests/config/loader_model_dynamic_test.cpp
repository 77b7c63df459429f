// The loader on a model's dynamic trigger: beside its threshold bands, with a
// fixed [models.risk] read as a portfolio's fixed risk model is; every refusal
// at its line and column.
#include <doctest/doctest.h>

#include <string>
#include <variant>

#include "config/config.hpp"
#include "tests/config/config_test_support.hpp"

namespace ballast::config {
namespace loader_model_dynamic_test {
namespace {

using test::contains;
using test::only_error;
using test::valid;

/// A banded model on lines 1-7; what a test appends starts at line 8.
constexpr std::string_view kModel = R"([[models]]
id = "balanced"
targets = { VTI = 0.6, BND = 0.4 }
[[models.triggers]]
kind = "threshold"
absolute = 0.05
# the rest
)";

/// A dynamic trigger on lines 8-11.
constexpr std::string_view kDynamic = R"([[models.triggers]]
kind = "dynamic"
risk_aversion = 4
horizon = "90d"
)";

/// A fixed risk model on lines 12-14 (after kDynamic).
constexpr std::string_view kRisk = R"([models.risk]
volatilities = { VTI = 0.16, BND = 0.05 }
correlations = { "VTI:BND" = 0.2 }
)";

std::string model(std::string_view rest) { return std::string(kModel) + std::string(rest); }

TEST_CASE("a model's dynamic trigger sits beside its bands with a fixed [models.risk]") {
  const Config c = valid(model(std::string(kDynamic) + std::string(kRisk)));
  REQUIRE(c.models.size() == 1);
  const strategies::PortfolioSpec& m = c.models[0];
  REQUIRE(m.triggers.size() == 2);
  CHECK(std::holds_alternative<strategies::ThresholdTrigger>(m.triggers[0]));
  const auto& dyn = std::get<strategies::DynamicTrigger>(m.triggers[1]);
  CHECK(dyn.risk_aversion == doctest::Approx(4));
  CHECK(dyn.horizon == 90 * core::kNanosPerDay);
  CHECK(dyn.cost_bps == doctest::Approx(10));  // the portfolios' default
  REQUIRE(m.risk.has_value());
  REQUIRE(m.risk->volatilities.size() == 2);
  REQUIRE(m.risk->correlations.size() == 1);
  CHECK(m.risk->correlations[0].rho == doctest::Approx(0.2));
}

TEST_CASE("a model's dynamic trigger takes cost_bps, or the model's [models.costs], not both") {
  const Config flat =
      valid(model(std::string(kDynamic) + "cost_bps = { default = 8, BND = 3 }\n" + std::string(kRisk)));
  const auto& dyn = std::get<strategies::DynamicTrigger>(flat.models[0].triggers[1]);
  CHECK(dyn.cost_bps == doctest::Approx(8));
  REQUIRE(dyn.cost_bps_by_symbol.size() == 1);

  const auto both = only_error(model(std::string(kDynamic) + "cost_bps = 5\n" + std::string(kRisk) +
                                     "[models.costs]\ncommission_bps = 1\n"));
  CHECK_AT(both, 12, 12);
  CHECK(contains(both.message, "cost_bps: this model has [models.costs]"));
}

TEST_CASE("a dynamic trigger without bands is refused at the trigger") {
  const auto e = only_error(R"([[models]]
id = "m"
targets = { VTI = 0.6, BND = 0.4 }
[[models.triggers]]
kind = "dynamic"
)" + std::string(kRisk));
  CHECK_AT(e, 4, 1);
  CHECK(contains(e.message, "a dynamic trigger on a model weighs the rebalances its bands fire"));
}

TEST_CASE("a dynamic trigger without [models.risk] is refused at the trigger") {
  const auto e = only_error(model(kDynamic));
  CHECK_AT(e, 8, 1);
  CHECK(contains(e.message, "kind = \"dynamic\" needs [models.risk]"));
}

TEST_CASE("a model's [models.risk] must be fixed: volatilities, no estimate from prices") {
  const auto no_vols = only_error(model(std::string(kDynamic) + "[models.risk]\n"));
  CHECK_AT(no_vols, 12, 1);
  CHECK(contains(no_vols.message, "[models.risk] needs volatilities for every symbol"));

  const auto halflife = only_error(model(std::string(kDynamic) + std::string(kRisk) + "halflife = \"30d\"\n"));
  CHECK_AT(halflife, 15, 12);
  CHECK(contains(halflife.message, "halflife: [models.risk] is a fixed risk model"));

  const auto history = only_error(model(std::string(kDynamic) + std::string(kRisk) + "history = \"p.csv\"\n"));
  CHECK_AT(history, 15, 11);
  CHECK(contains(history.message, "history: a fixed risk model (volatilities) needs no history"));
}

TEST_CASE("a model's fixed risk is checked as a portfolio's: every symbol, correlations in range, PSD") {
  const auto missing = only_error(model(std::string(kDynamic) + "[models.risk]\nvolatilities = { VTI = 0.16 }\n"));
  CHECK_AT(missing, 13, 16);
  CHECK(contains(missing.message, "needs a volatility for every symbol"));

  const auto rho = only_error(model(std::string(kDynamic) +
                                    "[models.risk]\nvolatilities = { VTI = 0.16, BND = 0.05 }\n"
                                    "correlations = { \"VTI:BND\" = 1.5 }\n"));
  CHECK(rho.line == 14);

  const std::string three = R"([[models]]
id = "m"
targets = { A = 0.3, B = 0.3, C = 0.4 }
[[models.triggers]]
kind = "threshold"
absolute = 0.05
[[models.triggers]]
kind = "dynamic"
[models.risk]
volatilities = { A = 0.2, B = 0.2, C = 0.2 }
correlations = { "A:B" = 0.9, "A:C" = 0.9, "B:C" = -0.9 }
)";
  const auto psd = only_error(three);
  CHECK_AT(psd, 9, 1);
  CHECK(contains(psd.message, "positive semi-definite"));
}

TEST_CASE("a model's [models.risk] without a dynamic trigger is refused at the table") {
  const auto e = only_error(model(kRisk));
  CHECK_AT(e, 8, 1);
  CHECK(contains(e.message, "[models.risk] serves a dynamic or volatility trigger or a target model only"));
}

TEST_CASE("a model takes one dynamic trigger") {
  const auto e = only_error(model(std::string(kDynamic) + std::string(kDynamic) + std::string(kRisk)));
  CHECK_AT(e, 12, 1);
  CHECK(contains(e.message, "a model takes one dynamic trigger"));
}

}  // namespace
}  // namespace loader_model_dynamic_test
}  // namespace ballast::config
