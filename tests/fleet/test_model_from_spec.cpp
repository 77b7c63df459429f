// fleet::model_from_spec: a [[models]] spec as the fleet runs it, here its tax policy
// (avoid_short_term_gains and the substitute groups, with their refusals).
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "fleet/model_from_spec.hpp"

namespace ballast::fleet {
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

}  // namespace
}  // namespace ballast::fleet
