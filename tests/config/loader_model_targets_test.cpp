// The loader on what a model's fixed [models.risk] serves beside a dynamic
// trigger: a target model ([models.model]: target-vol, risk-parity and
// mean-variance) and a volatility trigger; what an account of
// a model cannot follow is refused at its line and column (short sales are,
// for anyone: min_weight is in [0, 1]).
#include <doctest/doctest.h>

#include <string>
#include <variant>

#include "config/config.hpp"
#include "tests/config/config_test_support.hpp"

namespace ballast::config {
namespace loader_model_targets_test {
namespace {

using test::contains;
using test::only_error;
using test::valid;

/// A banded model on lines 1-6; what a test appends starts at line 7.
constexpr std::string_view kModel = R"([[models]]
id = "robo"
targets = { VTI = 0.6, BND = 0.4 }
[[models.triggers]]
kind = "threshold"
absolute = 0.05
)";

/// A fixed risk model on lines 7-8.
constexpr std::string_view kRisk = R"([models.risk]
volatilities = { VTI = 0.16, BND = 0.05 }
)";

std::string model(std::string_view rest) { return std::string(kModel) + std::string(rest); }

TEST_CASE("a model takes a risk-based target model on a fixed [models.risk]") {
  const Config c = valid(model(std::string(kRisk) + "[models.model]\nkind = \"risk-parity\"\n"));
  CHECK(c.models.at(0).model.kind == strategies::ModelKind::risk_parity);
  const Config tv =
      valid(model(std::string(kRisk) + "[models.model]\nkind = \"target-vol\"\ntarget_vol = 0.08\nsafe = \"BND\"\n"));
  CHECK(tv.models.at(0).model.target_vol == 0.08);
  const Config mv = valid(model(std::string(kRisk) + "[models.model]\nkind = \"mean-variance\"\nrisk_aversion = 4\n"
                                                     "expected_returns = { VTI = 0.07, BND = 0.03 }\n"));
  CHECK(mv.models.at(0).model.kind == strategies::ModelKind::mean_variance);
  CHECK(valid(model("[models.model]\nkind = \"fixed\"\n")).models.at(0).model.kind == strategies::ModelKind::fixed);
}

TEST_CASE("a model's target model needs [models.risk], and that risk model needs volatilities") {
  const auto none = only_error(model("[models.model]\nkind = \"risk-parity\"\n"));
  CHECK_AT(none, 7, 1);
  CHECK(contains(none.message, "needs [models.risk]"));
}

TEST_CASE("CPPI, buy-and-hold and borrowing are refused for a model at their keys") {
  const auto cppi = only_error(model("[models.model]\nkind = \"cppi\"\nsafe = \"BND\"\nfloor = 0.8\n"));
  CHECK_AT(cppi, 8, 8);
  CHECK(contains(cppi.message, "\"cppi\" does not run on [[models]]"));
  const auto hold = only_error(model("[models.model]\nkind = \"buy-and-hold\"\n"));
  CHECK_AT(hold, 8, 8);
  const auto leverage =
      only_error(model(std::string(kRisk) + "[models.model]\nkind = \"target-vol\"\nmax_leverage = 1.5\n"));
  CHECK_AT(leverage, 11, 16);
  CHECK(contains(leverage.message, "does not borrow"));
}

TEST_CASE("a model takes a volatility trigger beside its bands, on a fixed [models.risk]") {
  const Config c = valid(model(std::string(kRisk) + "[[models.triggers]]\nkind = \"volatility\"\nmax = 0.12\n"));
  REQUIRE(c.models.at(0).triggers.size() == 2);
  CHECK(std::get<strategies::VolatilityTrigger>(c.models.at(0).triggers[1]).max == 0.12);
  // Without [models.risk]: needs one, at the trigger.
  const auto no_risk = only_error(model("[[models.triggers]]\nkind = \"volatility\"\nmax = 0.12\n"));
  CHECK_AT(no_risk, 7, 1);
  CHECK(contains(no_risk.message, "needs [models.risk]"));
  // Alone, without a band: refused at the trigger.
  std::string alone(kModel);
  alone.replace(alone.find("kind = \"threshold\"\nabsolute = 0.05\n"), 35, "kind = \"volatility\"\nmax = 0.12\n");
  const auto e = only_error(alone + std::string(kRisk));
  CHECK_AT(e, 4, 1);
  CHECK(contains(e.message, "a volatility trigger on a model runs beside its bands"));
}

}  // namespace
}  // namespace loader_model_targets_test
}  // namespace ballast::config
