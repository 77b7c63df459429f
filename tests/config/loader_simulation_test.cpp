// The loader on [simulation], the market model of `ballast simulate`: a valid
// table lands in exact typed values, in the order the portfolios name their
// symbols, and every broken one is reported at its line and column.
#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "tests/config/config_test_support.hpp"

namespace ballast::config {
namespace loader_simulation_test {
namespace {

using test::describe;
using test::only_error;
using test::valid;

using Pairs = std::vector<std::pair<std::string, double>>;

/// Lines 1-4; what a test appends starts at line 5.
constexpr std::string_view kHead = R"([[portfolios]]
id = "p"
targets = { SPY = 0.6, AGG = 0.4 }
[simulation]
)";

std::string with_head(std::string_view rest) { return std::string(kHead) + std::string(rest); }

TEST_CASE("a file without [simulation] has none") {
  const Config c = valid("[[portfolios]]\nid = \"p\"\ntargets = { SPY = 1 }\n");
  CHECK_FALSE(c.simulation.has_value());
}

TEST_CASE("an empty [simulation] has every default") {
  const Config c = valid(with_head(""));
  REQUIRE(c.simulation.has_value());
  const SimulationConfig& s = *c.simulation;
  CHECK(s.expected_returns.empty());
  CHECK(s.volatilities.empty());
  CHECK(s.correlations.empty());
  CHECK(s.start_prices.empty());
  CHECK(s.paths == 1000);
  CHECK(s.horizon == core::Period{0, 12});
  CHECK(s.step == core::Period{core::kNanosPerDay, 0});
  CHECK(s.seed == 1);
  CHECK(s.risk_free == 0);
  CHECK(s.start_at_targets);
}

TEST_CASE("a full [simulation] table, its symbols in the order of the portfolios' assets") {
  const Config c = valid(R"([[portfolios]]
id = "a"
targets = { SPY = 0.6, AGG = 0.4 }

[[portfolios]]
id = "b"
targets = { SPY = 0.5, GLD = 0.5 }

[simulation]
expected_returns = { GLD = 0.04, SPY = 0.07, AGG = 0.03 }
volatilities = { SPY = 0.18, AGG = 0.05, GLD = 0.15 }
correlations = { "SPY:AGG" = -0.2, "GLD:SPY" = 0.1 }
start_prices = { SPY = 400 }
paths = 500
horizon = "5y"
step = "1w"
seed = 42
risk_free = 0.02
start = "holdings"
)");
  REQUIRE(c.simulation.has_value());
  const SimulationConfig& s = *c.simulation;
  // A portfolio's assets are its targets' keys in sorted order: AGG, SPY; then GLD of the second.
  CHECK(s.expected_returns == Pairs{{"AGG", 0.03}, {"SPY", 0.07}, {"GLD", 0.04}});
  CHECK(s.volatilities == Pairs{{"AGG", 0.05}, {"SPY", 0.18}, {"GLD", 0.15}});
  REQUIRE(s.correlations.size() == 2);
  CHECK(s.correlations[0].a == "GLD");
  CHECK(s.correlations[0].b == "SPY");
  CHECK(s.correlations[0].rho == 0.1);
  CHECK(s.correlations[1].a == "SPY");
  CHECK(s.correlations[1].b == "AGG");
  CHECK(s.correlations[1].rho == -0.2);
  CHECK(s.start_prices == Pairs{{"SPY", 400}});
  CHECK(s.paths == 500);
  CHECK(s.horizon == core::Period{0, 60});
  CHECK(s.step == core::Period{7 * core::kNanosPerDay, 0});
  CHECK(s.seed == 42);
  CHECK(s.risk_free == 0.02);
  CHECK_FALSE(s.start_at_targets);
}

TEST_CASE("the daemon accepts [simulation] and ignores it") {
  const Config c = valid(R"([[feeds]]
name = "f"
endpoint = "tcp://127.0.0.1:5556"

[[portfolios]]
id = "p"
targets = { SPY = 1 }

[simulation]
volatilities = { SPY = 0.2 }
)",
                         Purpose::daemon);
  REQUIRE(c.simulation.has_value());
  CHECK(c.simulation->volatilities == Pairs{{"SPY", 0.2}});
}

TEST_CASE("[simulation] errors") {
  SUBCASE("an unknown key lists the known ones") {
    const auto e = only_error(with_head("path = 10\n"));
    CHECK_AT(e, 5, 1);
    CHECK(e.message ==
          "unknown key \"path\" in [simulation] (expected one of: expected_returns, volatilities, correlations, "
          "start_prices, paths, horizon, step, seed, risk_free, start)");
  }
  SUBCASE("simulation of the wrong type") {
    const auto e = only_error("simulation = 1\n");
    CHECK_AT(e, 1, 14);
    CHECK(e.message == "simulation: expected a table, got an integer");
  }
  SUBCASE("expected returns that miss a symbol") {
    const auto e = only_error(with_head("expected_returns = { SPY = 0.07 }\n"));
    CHECK_AT(e, 5, 20);
    CHECK(e.message ==
          "expected_returns: missing AGG; [simulation] expected_returns, when given, needs every symbol the "
          "portfolios name");
  }
  SUBCASE("a volatility for a symbol no portfolio names") {
    const auto e = only_error(with_head("volatilities = { SPY = 0.18, AGG = 0.05, TLT = 0.1 }\n"));
    CHECK_AT(e, 5, 42);
    CHECK(e.message ==
          "volatilities.TLT: no portfolio names TLT; volatilities may only name symbols in the portfolios' targets");
  }
  SUBCASE("a negative volatility") {
    const auto e = only_error(with_head("volatilities = { SPY = -0.18, AGG = 0.05 }\n"));
    CHECK_AT(e, 5, 24);
    CHECK(e.message == "volatilities.SPY: must be >= 0, got -0.18");
  }
  SUBCASE("an expected return that is not a number") {
    const auto e = only_error(with_head("expected_returns = { SPY = \"7%\", AGG = 0.03 }\n"));
    CHECK_AT(e, 5, 28);
    CHECK(e.message == "expected_returns.SPY: expected a number, got a string");
  }
  SUBCASE("a start price of zero") {
    const auto e = only_error(with_head("start_prices = { AGG = 0 }\n"));
    CHECK_AT(e, 5, 24);
    CHECK(e.message == "start_prices.AGG: must be > 0, got 0");
  }
  SUBCASE("correlations without volatilities") {
    const auto e = only_error(with_head("correlations = { \"SPY:AGG\" = 0.2 }\n"));
    CHECK_AT(e, 5, 16);
    CHECK(e.message ==
          "correlations: [simulation] correlations need [simulation] volatilities for every symbol too; without "
          "both, the portfolios' fixed risk models are used");
  }
  SUBCASE("a correlation outside [-1, 1]") {
    const auto e = only_error(with_head(R"(volatilities = { SPY = 0.18, AGG = 0.05 }
correlations = { "SPY:AGG" = 1.5 }
)"));
    CHECK_AT(e, 6, 30);
    CHECK(e.message == "correlations.\"SPY:AGG\": must be in [-1, 1], got 1.5");
  }
  SUBCASE("a correlation key that is not two symbols") {
    const auto e = only_error(with_head(R"(volatilities = { SPY = 0.18, AGG = 0.05 }
correlations = { "SPY-AGG" = 0.5 }
)"));
    CHECK_AT(e, 6, 18);
    CHECK(e.message == "correlations.SPY-AGG: expected two symbols written \"A:B\", such as \"SPY:AGG\"");
  }
  SUBCASE("a pair given twice") {
    const auto e = only_error(with_head(R"(volatilities = { SPY = 0.18, AGG = 0.05 }
[simulation.correlations]
"SPY:AGG" = 0.5
"AGG:SPY" = 0.5
)"));
    CHECK_AT(e, 8, 1);
    CHECK(e.message == "correlations.\"AGG:SPY\": duplicate pair (first given as \"SPY:AGG\" at line 7)");
  }
  SUBCASE("correlations that are not jointly possible") {
    const auto e = only_error(R"([[portfolios]]
id = "p"
targets = { A = 0.4, B = 0.3, C = 0.3 }
[simulation]
volatilities = { A = 0.1, B = 0.1, C = 0.1 }
correlations = { "A:B" = 0.9, "A:C" = 0.9, "B:C" = -0.9 }
)");
    CHECK_AT(e, 6, 16);
    CHECK(test::contains(e.message,
                         "[simulation] correlations are jointly inconsistent: the matrix is not positive "
                         "semi-definite (smallest eigenvalue -0."));
  }
  SUBCASE("a horizon that is not a period") {
    const auto e = only_error(with_head("horizon = \"5 years\"\n"));
    CHECK_AT(e, 5, 11);
    CHECK(e.message ==
          "horizon: expected a period, a duration such as \"30s\", \"15m\", \"1h\", \"1d\" or \"1w\", or whole "
          "calendar months such as \"1mo\", \"3mo\" or \"1y\", got \"5 years\"");
  }
  SUBCASE("a step that is not a string") {
    const auto e = only_error(with_head("step = 1\n"));
    CHECK_AT(e, 5, 8);
    CHECK(e.message == "step: expected a string, got an integer");
  }
  SUBCASE("no paths") {
    const auto e = only_error(with_head("paths = 0\n"));
    CHECK_AT(e, 5, 9);
    CHECK(e.message == "paths: must be an integer >= 1, got 0");
  }
  SUBCASE("a negative seed") {
    const auto e = only_error(with_head("seed = -3\n"));
    CHECK_AT(e, 5, 8);
    CHECK(e.message == "seed: must be an integer >= 0, got -3");
  }
  SUBCASE("an unknown start") {
    const auto e = only_error(with_head("start = \"cash\"\n"));
    CHECK_AT(e, 5, 9);
    CHECK(e.message == "start: expected \"targets\" or \"holdings\", got \"cash\"");
  }
}

TEST_CASE("a broken targets table is not reported again by [simulation]") {
  const LoadResult r = parse_config(R"([[portfolios]]
id = "p"
targets = 1
[simulation]
volatilities = { SPY = 0.2 }
)",
                                    "test.toml", Purpose::offline);
  INFO(describe(r));
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].line == 3);
}

TEST_CASE("every [simulation] problem is reported, in file order") {
  const LoadResult r = parse_config(with_head(R"(paths = -1
horizon = "soon"
volatilities = { SPY = 0.18 }
seed = 1.5
)"),
                                    "test.toml", Purpose::offline);
  INFO(describe(r));
  REQUIRE(r.errors.size() == 4);
  CHECK(r.errors[0].line == 5);
  CHECK(r.errors[1].line == 6);
  CHECK(r.errors[2].line == 7);
  CHECK(r.errors[3].line == 8);
}

}  // namespace
}  // namespace loader_simulation_test
}  // namespace ballast::config
