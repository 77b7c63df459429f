// Monte Carlo runs on the engine: the same seed gives the same numbers on any
// thread count, a constant mix grows at the rate theory says, and Perold &
// Sharpe's comparisons of constant mix, buy-and-hold and CPPI hold on
// designed paths.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "offline/market.hpp"
#include "offline/simulate.hpp"

namespace ballast::offline {
namespace test_simulate {
namespace {

config::Config parse(const std::string& text) {
  config::LoadResult r = config::parse_config(text, "test.toml", config::Purpose::offline);
  std::string errors;
  for (const auto& e : r.errors) errors += e.to_string() + "\n";
  INFO(errors);
  REQUIRE(r.config.has_value());
  return std::move(*r.config);
}

SimulationClock clock_of(const std::string& horizon, const std::string& step = "1d") {
  const ClockResult c = make_clock(*core::parse_period(horizon), *core::parse_period(step));
  REQUIRE(c.error.empty());
  return *c.clock;
}

GbmPaths gbm(const config::Config& c, const SimulationClock& clock, std::uint64_t seed) {
  MarketResult m = gbm_market(c);
  REQUIRE(m.error.empty());
  auto made = GbmPaths::create(std::move(*m.market), 1 / clock.steps_per_year, seed);
  REQUIRE(made.error.empty());
  return std::move(*made.paths);
}

/// Equal, or both NaN: bit-identical runs have the same NaNs in the same places.
bool same(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

bool same(const Quantiles& a, const Quantiles& b) {
  return same(a.p5, b.p5) && same(a.p25, b.p25) && same(a.p50, b.p50) && same(a.p75, b.p75) && same(a.p95, b.p95);
}

bool same(const PolicyResult& a, const PolicyResult& b) {
  bool ok = a.id == b.id && same(a.start_value, b.start_value) && same(a.terminal_mean, b.terminal_mean) &&
            same(a.terminal, b.terminal) && same(a.annual_return, b.annual_return) &&
            same(a.annual_volatility, b.annual_volatility) && same(a.sharpe, b.sharpe) &&
            same(a.max_drawdown, b.max_drawdown) && same(a.tracking_error, b.tracking_error) &&
            same(a.turnover, b.turnover) && same(a.costs, b.costs) && same(a.cost_per_year, b.cost_per_year) &&
            same(a.rebalances_per_year, b.rebalances_per_year) && same(a.mean_log_growth, b.mean_log_growth) &&
            same(a.mean_log_growth_stderr, b.mean_log_growth_stderr) && a.terminal_wealth == b.terminal_wealth &&
            a.fan.size() == b.fan.size();
  for (std::size_t j = 0; ok && j < a.fan.size(); ++j) ok = same(a.fan[j], b.fan[j]);
  return ok;
}

constexpr const char* kThreePolicies = R"(
[[portfolios]]
id = "monthly"
cash = 100000
targets = { A = 0.5, B = 0.3, C = 0.2 }
lot_sizes = { A = 0.01, B = 0.01, C = 0.01 }
[[portfolios.triggers]]
kind = "calendar"
every = "1mo"

[[portfolios]]
id = "band"
cash = 100000
targets = { A = 0.6, B = 0.4 }
[[portfolios.triggers]]
kind = "threshold"
absolute = 0.03

[[portfolios]]
id = "insured"
cash = 100000
targets = { A = 1.0 }
lot_sizes = { A = 0.01 }
[portfolios.model]
kind = "cppi"
risky = "A"
floor = 0.8
multiplier = 3
[[portfolios.triggers]]
kind = "threshold"
absolute = 0.02

[simulation]
expected_returns = { A = 0.08, B = 0.03, C = 0.05 }
volatilities = { A = 0.2, B = 0.06, C = 0.15 }
correlations = { "A:B" = -0.2, "A:C" = 0.5 }
)";

TEST_CASE("the same seed gives bit-identical results on one thread and on two") {
  const config::Config c = parse(kThreePolicies);
  SimulationOptions o;
  o.clock = clock_of("6mo");
  o.paths = 37;  // not a multiple of the chunk, so the threads share the tail unevenly
  const GbmPaths paths = gbm(c, o.clock, 9);
  o.threads = 1;
  const SimulationResult one = simulate(c.portfolios, paths, o);
  o.threads = 2;
  const SimulationResult two = simulate(c.portfolios, paths, o);
  REQUIRE(one.error.empty());
  REQUIRE(two.error.empty());
  CHECK(one.threads == 1);
  CHECK(two.threads == 2);
  REQUIRE(one.policies.size() == 3);
  REQUIRE(two.policies.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    INFO(one.policies[i].id);
    CHECK(same(one.policies[i], two.policies[i]));
    CHECK(one.policies[i].rebalances_per_year > 0);
  }

  const GbmPaths other = gbm(c, o.clock, 10);
  const SimulationResult reseeded = simulate(c.portfolios, other, o);
  CHECK(reseeded.policies[0].terminal_mean != one.policies[0].terminal_mean);
}

TEST_CASE("a constant mix rebalanced daily grows at w'mu - w'Sigma w / 2") {
  const config::Config c = parse(R"(
[[portfolios]]
id = "mix"
cash = 1000000
targets = { A = 0.5, B = 0.3, C = 0.2 }
lot_sizes = { A = 0.000001, B = 0.000001, C = 0.000001 }
[[portfolios.triggers]]
kind = "calendar"
every = "1d"

[simulation]
expected_returns = { A = 0.10, B = 0.02, C = 0.06 }
volatilities = { A = 0.30, B = 0.08, C = 0.20 }
correlations = { "A:B" = 0.1, "A:C" = 0.4, "B:C" = -0.2 }
)");
  SimulationOptions o;
  o.clock = clock_of("1y");
  o.paths = 300;
  const GbmPaths paths = gbm(c, o.clock, 2024);
  const SimulationResult r = simulate(c.portfolios, paths, o);
  REQUIRE(r.error.empty());
  const PolicyResult& mix = r.policies.at(0);

  const double w[3] = {0.5, 0.3, 0.2}, mu[3] = {0.10, 0.02, 0.06}, sigma[3] = {0.30, 0.08, 0.20};
  const double rho[3][3] = {{1, 0.1, 0.4}, {0.1, 1, -0.2}, {0.4, -0.2, 1}};
  double drift = 0, variance = 0;
  for (int i = 0; i < 3; ++i) {
    drift += w[i] * mu[i];
    for (int j = 0; j < 3; ++j) variance += w[i] * w[j] * rho[i][j] * sigma[i] * sigma[j];
  }
  const double expected = drift - variance / 2;
  INFO("mean log growth ", mix.mean_log_growth, " ± ", mix.mean_log_growth_stderr, ", theory ", expected);
  CHECK(std::abs(mix.mean_log_growth - expected) < 4 * mix.mean_log_growth_stderr);
  // A daily rebalance on the calendar is the every-step constant mix it is measured against.
  CHECK(mix.tracking_error < 1e-4);
  CHECK(mix.rebalances_per_year == doctest::Approx(252).epsilon(0.01));
}

/// One risky asset S, on designed paths; the rest is cash, which earns nothing.
constexpr const char* kPeroldSharpe = R"(
[[portfolios]]
id = "mix"
cash = 100000
targets = { S = 0.5 }
cash_target = 0.5
lot_sizes = { S = 0.0001 }
[[portfolios.triggers]]
kind = "calendar"
every = "1d"

[[portfolios]]
id = "hold"
cash = 100000
targets = { S = 0.5 }
cash_target = 0.5
[portfolios.model]
kind = "buy-and-hold"

# E = 2 × (V − 0.75 V₀): half in S at the start, like the other two.
[[portfolios]]
id = "cppi"
cash = 100000
targets = { S = 1 }
lot_sizes = { S = 0.0001 }
[portfolios.model]
kind = "cppi"
risky = "S"
floor = 0.75
multiplier = 2
[[portfolios.triggers]]
kind = "calendar"
every = "1d"
)";

struct Outcome {
  double mix, hold, cppi;
};

Outcome run_designed(const std::vector<double>& s) {
  const config::Config c = parse(kPeroldSharpe);
  const ExplicitPaths paths({"S"}, {s});
  SimulationOptions o;
  o.clock.steps = paths.steps();
  o.paths = 1;
  const SimulationResult r = simulate(c.portfolios, paths, o);
  REQUIRE(r.error.empty());
  for (const auto& p : r.policies) CHECK(p.start_value == doctest::Approx(100000));
  return {r.policies[0].terminal_mean, r.policies[1].terminal_mean, r.policies[2].terminal_mean};
}

TEST_CASE("Perold and Sharpe: constant mix gains in a flat but volatile market, where CPPI loses") {
  std::vector<double> s;
  for (int cycle = 0; cycle < 10; ++cycle) s.insert(s.end(), {100, 130, 100, 70});
  s.push_back(100);
  const Outcome o = run_designed(s);
  INFO("mix ", o.mix, ", hold ", o.hold, ", cppi ", o.cppi);
  CHECK(o.hold == doctest::Approx(100000));  // S ends where it started
  CHECK(o.mix > o.hold * 1.01);
  CHECK(o.cppi < o.hold * 0.99);
}

TEST_CASE("Perold and Sharpe: in a steady trend buy-and-hold beats constant mix, and CPPI beats both") {
  for (const double move : {1.03, 0.97}) {
    std::vector<double> s{100};
    for (int k = 0; k < 40; ++k) s.push_back(s.back() * move);
    const Outcome o = run_designed(s);
    INFO("step ", move, ": mix ", o.mix, ", hold ", o.hold, ", cppi ", o.cppi);
    CHECK(o.hold > o.mix * 1.005);
    CHECK(o.cppi > o.hold * 1.005);
  }
}

TEST_CASE("portfolios start invested at their targets, or from their holdings as written") {
  const std::string text = R"(
[[portfolios]]
id = "hold"
cash = 100000
targets = { S = 0.6 }
cash_target = 0.4
[portfolios.model]
kind = "buy-and-hold"
)";
  const config::Config c = parse(text);
  const ExplicitPaths paths({"S"}, {{100, 150, 200}});
  SimulationOptions o;
  o.clock.steps = 2;
  o.paths = 1;
  const SimulationResult invested = simulate(c.portfolios, paths, o);
  REQUIRE(invested.error.empty());
  CHECK(invested.policies[0].start_value == doctest::Approx(100000));
  CHECK(invested.policies[0].terminal_mean == doctest::Approx(40000 + 600 * 200));
  o.start_at_targets = false;
  const SimulationResult as_written = simulate(c.portfolios, paths, o);
  CHECK(as_written.policies[0].terminal_mean == doctest::Approx(100000));
  CHECK(as_written.policies[0].rebalances_per_year == 0);
}

TEST_CASE("the fan chart keeps the start, the end and evenly spaced steps between") {
  const config::Config c = parse(kThreePolicies);
  SimulationOptions o;
  o.clock = clock_of("1y");
  o.paths = 8;
  const GbmPaths paths = gbm(c, o.clock, 1);
  const SimulationResult r = simulate(c.portfolios, paths, o);
  REQUIRE(r.error.empty());
  REQUIRE(r.fan_steps.size() == 101);
  CHECK(r.fan_steps.front() == 0);
  CHECK(r.fan_steps.back() == 252);
  for (const auto& p : r.policies) {
    REQUIRE(p.fan.size() == 101);
    CHECK(p.fan[0].p5 == doctest::Approx(p.start_value).epsilon(1e-6));
    CHECK(p.fan[0].p95 == doctest::Approx(p.start_value).epsilon(1e-6));
    CHECK(p.fan.back().p50 == doctest::Approx(p.terminal.p50).epsilon(1e-6));
    CHECK(p.terminal.p5 <= p.terminal.p50);
    CHECK(p.terminal.p50 <= p.terminal.p95);
  }
}

TEST_CASE("a run that cannot start says why") {
  SimulationOptions o;
  o.clock.steps = 2;
  o.paths = 1;
  const ExplicitPaths paths({"S"}, {{100, 101, 102}});
  SUBCASE("a symbol the paths do not price") {
    const config::Config c = parse("[[portfolios]]\nid = \"p\"\ncash = 1\ntargets = { T = 1 }\n");
    CHECK(simulate(c.portfolios, paths, o).error == "portfolio p holds T, which the paths do not price");
  }
  SUBCASE("nothing to invest") {
    const config::Config c = parse("[[portfolios]]\nid = \"p\"\ntargets = { S = 1 }\n");
    CHECK(simulate(c.portfolios, paths, o).error == "portfolio p has no starting value: give it cash or holdings");
  }
  SUBCASE("a risk history that was not read") {
    const config::Config c = parse(R"([[portfolios]]
id = "p"
cash = 1
targets = { S = 1 }
[portfolios.risk]
history = "h.csv"
)");
    CHECK(simulate(c.portfolios, paths, o).error == "portfolio p: risk history h.csv was not read");
  }
}

TEST_CASE("a risk history warms the estimate before the first step") {
  const config::Config c = parse(R"([[portfolios]]
id = "rp"
cash = 100000
targets = { S = 0.5, T = 0.5 }
lot_sizes = { S = 0.0001, T = 0.0001 }
[portfolios.risk]
history = "h.csv"
min_samples = 5
[portfolios.model]
kind = "risk-parity"
)");
  // S moves four times as much as T: risk parity holds four times as much T.
  feeds::PriceTable h;
  h.symbols = {"T", "S"};
  double s = 80, t = 40;
  for (int r = 0; r < 30; ++r) {
    h.times.push_back(r * core::kNanosPerDay);
    h.prices.insert(h.prices.end(), {t, s});
    // For two assets, equal risk contributions mean weights ∝ 1/σ whatever the correlation.
    s *= std::exp(r % 2 == 0 ? 0.04 : -0.04);
    t *= std::exp(r % 3 == 0 ? 0.01 : -0.01);
  }
  SimulationOptions o;
  o.clock.steps = 2;
  o.paths = 1;
  o.histories.emplace("h.csv", h);
  // S doubles: the portfolio gains 20% if it holds 0.2 in S, 50% if it holds the written 0.5.
  const ExplicitPaths paths({"S", "T"}, {{100, 100, 200, 100, 200, 100}});
  const SimulationResult r = simulate(c.portfolios, paths, o);
  REQUIRE(r.error.empty());
  CHECK(r.policies[0].fan[1].p50 == doctest::Approx(120000).epsilon(1e-3));
}

TEST_CASE("the simulated clock: trading days, plain durations and calendar months") {
  const SimulationClock days = clock_of("1y");
  CHECK(days.steps == 252);
  CHECK(days.at(0) == kSimulationStart);
  CHECK(days.at(252) - days.at(0) == 365 * core::kNanosPerDay + core::kNanosPerDay / 4);
  CHECK(clock_of("5y").steps == 1260);
  const SimulationClock weeks = clock_of("1y", "1w");
  CHECK(weeks.steps == 52);
  CHECK(weeks.at(1) - weeks.at(0) == 7 * core::kNanosPerDay);
  const SimulationClock months = clock_of("2y", "1mo");
  CHECK(months.steps == 24);
  CHECK(core::format_iso8601(months.at(1)) == "2000-02-03T00:00:00.000Z");
  CHECK(make_clock(*core::parse_period("1d"), *core::parse_period("1w")).error ==
        "the horizon 1d is shorter than one step of 1w");
  CHECK(make_clock(*core::parse_period("100y"), *core::parse_period("1m")).error ==
        "the horizon 100y in steps of 1m is more than 100000 steps; take longer steps");
}

TEST_CASE("quantiles interpolate between order statistics") {
  std::vector<double> v{5, 1, 4, 2, 3};
  CHECK(quantile(v, 0) == 1);
  CHECK(quantile(v, 0.5) == 3);
  CHECK(quantile(v, 1) == 5);
  CHECK(quantile(v, 0.3) == doctest::Approx(2.2));
}

}  // namespace
}  // namespace test_simulate
}  // namespace ballast::offline
