// fleet::model_from_spec: a [[models]] spec as the fleet runs it, here its tax policy.
#include <doctest/doctest.h>

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

}  // namespace
}  // namespace ballast::fleet
