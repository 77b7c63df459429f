// A model's volatility trigger: its band from min, max and change around the
// σ of the targets (model_from_spec), the rebalance it makes (the whole way
// to target), and its safe zone (account_zone_radius), worked out by hand
// and checked at the zone's corners.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "fleet/model_from_spec.hpp"
#include "fleet/rebalancer.hpp"
#include "fleet/safe_zone.hpp"
#include "fleet_test_support.hpp"

namespace test_model_volatility {

using namespace ballast;
using namespace ballast::fleet;
using ballast::fleet::test::breached;
using ballast::fleet::test::breaches_in_box;
using ballast::fleet::test::model_of;
using ballast::fleet::test::one_account;
using ballast::fleet::test::random_targets;
using doctest::Approx;

namespace {

/// 60/40 of VTI (σ 16%) and BND (σ 5%), uncorrelated: σ at the targets is
/// √(0.36·0.0256 + 0.16·0.0025) = √0.009616.
strategies::PortfolioSpec robo(strategies::VolatilityTrigger vol, double band = 0.15) {
  strategies::PortfolioSpec s;
  s.id = "robo";
  s.assets = {{"VTI", 0.6}, {"BND", 0.4}};
  s.triggers.push_back(strategies::ThresholdTrigger{.absolute = band});
  s.triggers.push_back(vol);
  strategies::RiskSpec risk;
  risk.volatilities = {{"VTI", 0.16}, {"BND", 0.05}};
  s.risk = risk;
  return s;
}

const double kSigmaTargets = std::sqrt(0.009616);

}  // namespace

TEST_CASE("volatility band: min, max and change around the σ of the targets, the tightest") {
  const Model change = model_of(robo({.change = 0.1}));
  REQUIRE(change.volatility);
  CHECK(change.volatility->low == Approx(0.9 * kSigmaTargets));
  CHECK(change.volatility->high == Approx(1.1 * kSigmaTargets));
  CHECK(change.volatility->root_largest_eigenvalue == Approx(0.16));  // √ of Σ's largest eigenvalue, 0.0256
  const Model both = model_of(robo({.change = 0.1, .max = 0.105}));
  CHECK(both.volatility->high == 0.105);
  CHECK(both.volatility->low == Approx(0.9 * kSigmaTargets));
  const Model floor_only = model_of(robo({.min = 0.05}));
  CHECK(floor_only.volatility->low == 0.05);
  CHECK(std::isinf(floor_only.volatility->high));
  // Without a fixed risk model: refused.
  strategies::PortfolioSpec none = robo({.max = 0.12});
  none.risk.reset();
  core::SymbolTable symbols;
  Model m;
  CHECK(model_from_spec(none, symbols, m) ==
        std::optional<std::string>("a volatility trigger on a model needs a fixed [models.risk]"));
}

TEST_CASE("outside its volatility band an account goes the whole way to target, band-edge too") {
  // 70/30 of 100 shares at 100: σ = √(0.49·0.0256 + 0.09·0.0025) = 0.1130,
  // above 0.11; each asset 10 points off, inside its 15-point band.
  for (const auto to : {strategies::RebalanceTo::target, strategies::RebalanceTo::band_edge}) {
    strategies::PortfolioSpec spec = robo({.max = 0.11});
    spec.rebalance_to = to;
    AccountBook book = one_account(model_of(spec), 0, {70, 30});
    const std::vector<double> prices{100, 100};
    CHECK(breached(book, prices));
    Rebalancer rb;
    FleetOutput out;
    REQUIRE(rb.check(book, 0, prices, out) == Rebalancer::Outcome::traded);
    REQUIRE(out.trades.size() == 2);
    CHECK(out.trades[0].side == core::Side::sell);
    CHECK(out.trades[0].quantity == Approx(10));
    CHECK(out.trades[1].quantity == Approx(10));
    CHECK_FALSE(breached(book, prices));  // 60/40: σ 0.0981
  }
}

TEST_CASE("volatility band: the zone of a 60/40 account worked out by hand") {
  // σ = 0.098061 against a ceiling of 0.105: slack 0.006939, √λ_max = 0.16,
  // S₂ = √(0.24² + 0.24²) = 0.33941 (below ½): x = 1 + 0.006939 / (0.16 ·
  // 0.33941) = 1.1278. The 15-point bands' least factor,
  // 0.6·0.55 / (0.45·0.4) = 1.833, is larger.
  const AccountBook book = one_account(model_of(robo({.max = 0.105})), 0, {60, 40});
  const std::vector<double> prices{100, 100};
  const double expected = 0.5 * std::log(1 + (0.105 - kSigmaTargets) / (0.16 * 0.24 * std::sqrt(2.0)));
  const double r = account_zone_radius(book, 0, prices);
  CHECK(r == Approx(expected).epsilon(1e-9));
  CHECK(r <= expected);
  CHECK_FALSE(breaches_in_box(book, prices, r));
  // VTI alone up breaches where 60p / (60p + 4,000) weighs w with
  // σ(w) = 0.105: w² 0.0256 + (1 − w)² 0.0025 = 0.011025.
  const double a = 0.0281, b = -0.005, c = 0.0025 - 0.011025;  // a w² + b w + c = 0
  const double w = (-b + std::sqrt(b * b - 4 * a * c)) / (2 * a);
  const double p = 4000 * w / (60 * (1 - w));
  CHECK_FALSE(breached(book, {p * (1 - 1e-9), 100}));
  CHECK(breached(book, {p * (1 + 1e-9), 100}));
  CHECK(std::log(p / 100) > 2 * r);
}

TEST_CASE("volatility band: random correlated accounts with cash: every corner of the zone stays inside") {
  std::mt19937_64 rng(13);
  std::uniform_real_distribution<double> unit(0, 1);
  int checked = 0;
  for (int trial = 0; trial < 200; ++trial) {
    const std::size_t n = 2 + trial % 5;
    strategies::PortfolioSpec spec;
    spec.id = "m";
    double invested = 0;
    const std::vector<double> targets = random_targets(rng, n, invested);
    strategies::RiskSpec risk;
    for (std::size_t i = 0; i < n; ++i) {
      const std::string symbol = "S" + std::to_string(i);
      spec.assets.push_back({symbol, targets[i]});
      risk.volatilities.push_back({symbol, 0.03 + 0.3 * unit(rng)});
      if (i > 0) risk.correlations.push_back({"S0", symbol, 0.4 * unit(rng) - 0.1});  // Σρ² < 1: PSD
    }
    spec.risk = risk;
    spec.triggers.push_back(strategies::ThresholdTrigger{.absolute = 0.5});
    spec.triggers.push_back(strategies::VolatilityTrigger{.change = 0.05 + 0.2 * unit(rng)});
    const Model m = model_of(spec);
    std::vector<double> q(n), prices(n);
    for (std::size_t i = 0; i < n; ++i) {
      prices[i] = 10 + 90 * unit(rng);
      q[i] = 1000 * m.targets[i] * (1 + 0.2 * (unit(rng) - 0.5)) / prices[i];
    }
    const AccountBook book = one_account(m, 1000 * (1 - invested) * 2 * unit(rng), q);
    const double r = account_zone_radius(book, 0, prices);
    if (!(r > 0) || std::isinf(r)) continue;
    ++checked;
    CHECK_FALSE(breaches_in_box(book, prices, r));
  }
  CHECK(checked > 100);
}

}  // namespace test_model_volatility
