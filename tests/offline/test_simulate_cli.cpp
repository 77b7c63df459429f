// The real `ballast simulate` on files: what it prints, what it writes, and
// how it refuses bad input.
#include <doctest/doctest.h>
#include <simdjson.h>

#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

#include "tests/integration/support.hpp"

namespace test_simulate_cli {

using namespace ballast::testing;

namespace {

constexpr const char* kTwoPolicies = R"(
[[portfolios]]
id = "monthly"
cash = 100000
targets = { A = 0.6, B = 0.4 }
[[portfolios.triggers]]
kind = "calendar"
every = "1mo"

[[portfolios]]
id = "hold"
cash = 100000
targets = { A = 0.6, B = 0.4 }
[portfolios.model]
kind = "buy-and-hold"
)";

constexpr const char* kMarket = R"(
[simulation]
expected_returns = { A = 0.07, B = 0.03 }
volatilities = { A = 0.18, B = 0.05 }
correlations = { "A:B" = -0.2 }
paths = 40
horizon = "6mo"
)";

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

/// Writes `config` and runs `ballast simulate --config FILE ARGS...`.
RunResult simulate(const TempDir& dir, const std::string& config, std::vector<std::string> args) {
  dir.write("sim.toml", config);
  args.insert(args.begin(), {"simulate", "--config", dir.file("sim.toml")});
  return run_command(BALLAST_CLI_PATH, args);
}

TEST_CASE("simulate --json: one object per portfolio, with its id and figures") {
  TempDir dir;
  const RunResult r = simulate(dir, std::string(kTwoPolicies) + kMarket, {"--json", "--seed", "3"});
  INFO(r.output);
  REQUIRE(r.code == 0);
  simdjson::dom::parser parser;
  const simdjson::dom::element doc = parser.parse(r.output);
  CHECK(std::string_view(doc["model"]) == "gbm");
  CHECK(uint64_t(doc["seed"]) == 3);
  CHECK(uint64_t(doc["paths"]) == 40);
  CHECK(uint64_t(doc["steps"]) == 126);
  CHECK(std::string_view(doc["horizon"]) == "6mo");
  CHECK(std::string_view(doc["step"]) == "1d");
  const simdjson::dom::array policies = doc["policies"];
  REQUIRE(policies.size() == 2);
  CHECK(std::string_view(policies.at(0)["id"]) == "monthly");
  CHECK(std::string_view(policies.at(1)["id"]) == "hold");
  CHECK(std::string_view(policies.at(1)["model"]) == "buy-and-hold");
  for (const simdjson::dom::element p : policies) {
    CHECK(num(p["start_value"]) == doctest::Approx(100000).epsilon(1e-3));
    const simdjson::dom::element w = p["terminal_wealth"];
    CHECK(num(w["p5"]) <= num(w["p50"]));
    CHECK(num(w["p50"]) <= num(w["p95"]));
    for (const char* field : {"annual_return", "annual_volatility", "sharpe", "max_drawdown", "tracking_error",
                              "turnover", "costs", "cost_per_year", "rebalances_per_year", "mean_log_growth"}) {
      INFO(field);
      CHECK(p[field].error() == simdjson::SUCCESS);
    }
  }
  CHECK(num(policies.at(0)["rebalances_per_year"]) > 0);
  CHECK(num(policies.at(1)["rebalances_per_year"]) == 0);
}

TEST_CASE("simulate: the same seed prints the same numbers on one thread and on two") {
  TempDir dir;
  const std::string config = std::string(kTwoPolicies) + kMarket;
  const RunResult one = simulate(dir, config, {"--json", "--threads", "1", "--paths", "33"});
  const RunResult two = simulate(dir, config, {"--json", "--threads", "2", "--paths", "33"});
  REQUIRE(one.code == 0);
  REQUIRE(two.code == 0);
  CHECK(one.output == two.output);
  const RunResult other = simulate(dir, config, {"--json", "--threads", "2", "--paths", "33", "--seed", "2"});
  CHECK(other.output != one.output);
}

TEST_CASE("simulate without --json prints a table with a row per portfolio") {
  TempDir dir;
  const RunResult r = simulate(dir, std::string(kTwoPolicies) + kMarket, {});
  INFO(r.output);
  REQUIRE(r.code == 0);
  CHECK(contains(r.output, "40 paths of 6mo in 126 steps of 1d, correlated geometric Brownian motion, seed 1"));
  CHECK(contains(r.output, "\nmonthly "));
  CHECK(contains(r.output, "\nhold "));
}

TEST_CASE("simulate --report writes one self-contained page") {
  TempDir dir;
  const std::string report = dir.file("report.html");
  const RunResult r = simulate(dir, std::string(kTwoPolicies) + kMarket, {"--report", report});
  INFO(r.output);
  REQUIRE(r.code == 0);
  CHECK(contains(r.output, "report written to " + report));
  const std::string html = dir.read("report.html");
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(contains(html, "<svg"));
  CHECK(contains(html, "Cost against tracking error"));
  CHECK_FALSE(contains(html, "<script"));
  CHECK_FALSE(contains(html, "http"));
}

TEST_CASE("simulate --prices bootstraps the returns of a prices file") {
  TempDir dir;
  const std::string config = R"(
[[portfolios]]
id = "swiss"
cash = 1000000
targets = { SBI = 0.5, SPI = 0.3, MPI = 0.2 }
[[portfolios.triggers]]
kind = "threshold"
absolute = 0.02
)";
  const RunResult r = simulate(dir, config,
                               {"--prices", std::string(BALLAST_TEST_DATA) + "/lpp2005_first120.csv", "--block", "10",
                                "--paths", "20", "--horizon", "1y", "--json"});
  INFO(r.output);
  REQUIRE(r.code == 0);
  simdjson::dom::parser parser;
  const simdjson::dom::element doc = parser.parse(r.output);
  CHECK(std::string_view(doc["model"]) == "bootstrap");
  CHECK(uint64_t(doc["block"]) == 10);
  CHECK(uint64_t(doc["steps"]) == 252);
}

TEST_CASE("the example configuration simulates its five policies") {
  const RunResult r = run_command(BALLAST_CLI_PATH, {"simulate", "--config", std::string(BALLAST_EXAMPLES) +
                                                                                   "/simulate.toml",
                                                     "--paths", "10", "--horizon", "1y", "--json"});
  INFO(r.output);
  REQUIRE(r.code == 0);
  simdjson::dom::parser parser;
  const simdjson::dom::array policies = parser.parse(r.output)["policies"];
  CHECK(policies.size() == 5);
}

TEST_CASE("simulate refuses bad input with a clear message and a nonzero exit") {
  TempDir dir;
  const std::string good = std::string(kTwoPolicies) + kMarket;
  SUBCASE("a horizon that is not a period") {
    const RunResult r = simulate(dir, good, {"--horizon", "soon"});
    CHECK(r.code == 2);
    CHECK(contains(r.output, "ballast simulate: --horizon: expected a period such as \"5y\", \"6mo\", \"30d\", "
                             "\"1w\" or \"1d\", got \"soon\""));
  }
  SUBCASE("a horizon shorter than a step") {
    const RunResult r = simulate(dir, good, {"--horizon", "1d", "--step", "1w"});
    CHECK(r.code == 2);
    CHECK(contains(r.output, "ballast simulate: the horizon 1d is shorter than one step of 1w"));
  }
  SUBCASE("no paths") {
    const RunResult r = simulate(dir, good, {"--paths", "0"});
    CHECK(r.code == 2);
    CHECK(contains(r.output, "--paths: expected a number of paths >= 1, got 0"));
  }
  SUBCASE("a block without prices") {
    const RunResult r = simulate(dir, good, {"--block", "5"});
    CHECK(r.code == 2);
    CHECK(contains(r.output, "--block is the block length of a bootstrap: give --prices too"));
  }
  SUBCASE("a flag value of the wrong type") {
    const RunResult r = simulate(dir, good, {"--seed", "abc"});
    CHECK(r.code == 2);
    CHECK(contains(r.output, "--seed"));
  }
  SUBCASE("an unknown flag") {
    const RunResult r = simulate(dir, good, {"--pathz", "5"});
    CHECK(r.code == 2);
  }
  SUBCASE("correlations no assets can have, in [simulation]") {
    const RunResult r = simulate(dir, R"([[portfolios]]
id = "p"
cash = 1
targets = { A = 0.4, B = 0.3, C = 0.3 }
[simulation]
expected_returns = { A = 0.05, B = 0.05, C = 0.05 }
volatilities = { A = 0.1, B = 0.1, C = 0.1 }
correlations = { "A:B" = 0.9, "A:C" = 0.9, "B:C" = -0.9 }
)",
                                 {});
    CHECK(r.code == 78);
    CHECK(contains(r.output, "sim.toml:8:16: [simulation] correlations are jointly inconsistent: the matrix is not "
                             "positive semi-definite"));
  }
  SUBCASE("correlations no assets can have, put together from the portfolios") {
    // Each pair is possible on its own; the three together are not.
    std::string config;
    for (const auto& [id, a, b, rho] : {std::tuple{"ab", "A", "B", "0.9"}, {"bc", "B", "C", "0.9"}, {"ac", "A", "C", "-0.9"}}) {
      config += std::string("[[portfolios]]\nid = \"") + id + "\"\ncash = 1\ntargets = { " + a + " = 0.5, " + b +
                " = 0.5 }\n[portfolios.risk]\nvolatilities = { " + a + " = 0.1, " + b + " = 0.1 }\ncorrelations = { \"" +
                a + ":" + b + "\" = " + rho + " }\n";
    }
    const RunResult r =
        simulate(dir, config + "[simulation]\nexpected_returns = { A = 0.05, B = 0.05, C = 0.05 }\n", {});
    INFO(r.output);
    CHECK(r.code == 78);
    CHECK(contains(r.output, "not positive semi-definite"));
    CHECK(contains(r.output, "put together from the portfolios' fixed risk models"));
  }
  SUBCASE("a symbol without a volatility") {
    const RunResult r =
        simulate(dir, std::string(kTwoPolicies) + "[simulation]\nexpected_returns = { A = 0.1, B = 0.1 }\n", {});
    CHECK(r.code == 78);
    CHECK(contains(r.output, "no volatility for A, B: give [simulation] volatilities for every symbol, or a fixed "
                             "[portfolios.risk] model (volatilities) that names it"));
  }
  SUBCASE("a configuration that does not validate") {
    const RunResult r = simulate(dir, good + "seed = -1\n", {});
    CHECK(r.code == 78);
    CHECK(contains(r.output, "sim.toml:23:8: seed: must be an integer >= 0, got -1"));
  }
  SUBCASE("a prices file without a portfolio's symbol") {
    const RunResult r = simulate(dir, good, {"--prices", std::string(BALLAST_TEST_DATA) + "/lpp2005_first120.csv"});
    CHECK(r.code == 1);
    CHECK(contains(r.output, "lpp2005_first120.csv: the prices file has no column for A"));
  }
}

}  // namespace

}  // namespace test_simulate_cli
