#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "feeds/gbm_simulator.hpp"

namespace test_gbm_simulator {

using ballast::feeds::constant_correlation;
using ballast::feeds::GbmAsset;
using ballast::feeds::GbmParams;
using ballast::feeds::GbmSimulator;

namespace {

GbmSimulator make(GbmParams p) {
  auto r = GbmSimulator::create(std::move(p));
  REQUIRE_MESSAGE(r.simulator.has_value(), r.error);
  return std::move(*r.simulator);
}

GbmParams two_assets(double rho, std::uint64_t seed) {
  GbmParams p;
  p.assets = {{"SPY", 500.0, 0.10, 0.20}, {"AGG", 100.0, 0.03, 0.30}};
  p.common_correlation = rho;
  p.seed = seed;
  return p;
}

struct Moments {
  double mean = 0;
  double stddev = 0;
};

Moments moments(const std::vector<double>& xs) {
  double sum = 0;
  for (double x : xs) sum += x;
  const double mean = sum / static_cast<double>(xs.size());
  double ss = 0;
  for (double x : xs) ss += (x - mean) * (x - mean);
  return {mean, std::sqrt(ss / static_cast<double>(xs.size() - 1))};
}

double correlation(const std::vector<double>& a, const std::vector<double>& b) {
  const Moments ma = moments(a), mb = moments(b);
  double cov = 0;
  for (std::size_t i = 0; i < a.size(); ++i) cov += (a[i] - ma.mean) * (b[i] - mb.mean);
  cov /= static_cast<double>(a.size() - 1);
  return cov / (ma.stddev * mb.stddev);
}

}  // namespace

TEST_CASE("gbm simulator starts at the start prices") {
  GbmSimulator sim = make(two_assets(0.5, 7));
  REQUIRE(sim.size() == 2);
  CHECK(sim.symbols()[0] == "SPY");
  CHECK(sim.prices()[0] == doctest::Approx(500.0));
  CHECK(sim.prices()[1] == doctest::Approx(100.0));
}

TEST_CASE("gbm simulator gives the same path for the same seed") {
  GbmSimulator a = make(two_assets(0.5, 42));
  GbmSimulator b = make(two_assets(0.5, 42));
  GbmSimulator c = make(two_assets(0.5, 43));
  bool differs_from_other_seed = false;
  for (int i = 0; i < 1000; ++i) {
    a.step(1.0 / 252);
    b.step(1.0 / 252);
    c.step(1.0 / 252);
    REQUIRE(a.prices() == b.prices());
    differs_from_other_seed = differs_from_other_seed || a.prices() != c.prices();
  }
  CHECK(differs_from_other_seed);
}

TEST_CASE("gbm simulator ignores a non-positive or non-finite step") {
  GbmSimulator sim = make(two_assets(0.0, 1));
  const auto before = sim.prices();
  sim.step(0.0);
  sim.step(-1.0);
  sim.step(std::nan(""));
  CHECK(sim.prices() == before);
}

TEST_CASE("gbm standard normals have mean 0 and variance 1") {
  GbmSimulator sim = make(two_assets(0.0, 3));
  std::vector<double> z;
  for (int i = 0; i < 200000; ++i) z.push_back(sim.standard_normal());
  const Moments m = moments(z);
  CHECK(std::abs(m.mean) < 5.0 / std::sqrt(200000.0));
  CHECK(m.stddev == doctest::Approx(1.0).epsilon(0.01));
}

TEST_CASE("gbm log returns match drift, volatility and correlation") {
  const double rho = 0.6;
  GbmSimulator sim = make(two_assets(rho, 2024));
  const int n = 20000;
  // A one-year step makes the drift term large next to its sampling error.
  const double dt = 1.0;
  std::vector<double> r0, r1;
  for (int i = 0; i < n; ++i) {
    const auto before = sim.log_prices();
    sim.step(dt);
    r0.push_back(sim.log_prices()[0] - before[0]);
    r1.push_back(sim.log_prices()[1] - before[1]);
  }
  const Moments m0 = moments(r0), m1 = moments(r1);
  const double root_n = std::sqrt(static_cast<double>(n));
  // Tolerances are five standard errors of each estimator.
  CHECK(std::abs(m0.mean - (0.10 - 0.5 * 0.04) * dt) < 5 * 0.20 / root_n);
  CHECK(std::abs(m1.mean - (0.03 - 0.5 * 0.09) * dt) < 5 * 0.30 / root_n);
  CHECK(std::abs(m0.stddev - 0.20) < 5 * 0.20 / std::sqrt(2.0 * n));
  CHECK(std::abs(m1.stddev - 0.30) < 5 * 0.30 / std::sqrt(2.0 * n));
  CHECK(std::abs(correlation(r0, r1) - rho) < 5 * (1 - rho * rho) / root_n);
}

TEST_CASE("gbm expected log price at T matches the closed form") {
  // E[log S_T] = log S0 + (mu - sigma^2/2) T and Var[log S_T] = sigma^2 T,
  // estimated over independent seeds.
  const double s0 = 250.0, mu = 0.08, sigma = 0.25, t_years = 2.0;
  const int paths = 4000, steps = 40;
  std::vector<double> log_st;
  for (int k = 0; k < paths; ++k) {
    GbmParams p;
    p.assets = {{"X", s0, mu, sigma}};
    p.seed = 1000 + static_cast<std::uint64_t>(k);
    GbmSimulator sim = make(p);
    for (int i = 0; i < steps; ++i) sim.step(t_years / steps);
    log_st.push_back(sim.log_prices()[0]);
  }
  const Moments m = moments(log_st);
  const double expected_mean = std::log(s0) + (mu - 0.5 * sigma * sigma) * t_years;
  const double sd = sigma * std::sqrt(t_years);
  CHECK(std::abs(m.mean - expected_mean) < 5 * sd / std::sqrt(static_cast<double>(paths)));
  CHECK(std::abs(m.stddev - sd) < 5 * sd / std::sqrt(2.0 * paths));
}

TEST_CASE("gbm with zero volatility grows deterministically at the drift") {
  GbmParams p;
  p.assets = {{"CASH", 100.0, 0.05, 0.0}};
  GbmSimulator sim = make(p);
  for (int i = 0; i < 10; ++i) sim.step(0.1);
  CHECK(sim.prices()[0] == doctest::Approx(100.0 * std::exp(0.05)).epsilon(1e-12));
}

TEST_CASE("gbm cholesky factor reproduces a full correlation matrix") {
  GbmParams p;
  p.assets = {{"A", 1, 0, 0.1}, {"B", 1, 0, 0.2}, {"C", 1, 0, 0.3}};
  p.correlation.resize(3, 3);
  p.correlation << 1.0, 0.3, -0.2, 0.3, 1.0, 0.5, -0.2, 0.5, 1.0;
  GbmSimulator sim = make(p);
  const Eigen::MatrixXd& l = sim.cholesky_factor();
  CHECK((l * l.transpose() - p.correlation).cwiseAbs().maxCoeff() < 1e-12);
}

TEST_CASE("gbm rejects a correlation matrix that is not positive definite") {
  GbmParams p;
  p.assets = {{"A", 1, 0, 0.1}, {"B", 1, 0, 0.2}, {"C", 1, 0, 0.3}};
  p.correlation.resize(3, 3);
  p.correlation << 1.0, 0.9, -0.9, 0.9, 1.0, 0.9, -0.9, 0.9, 1.0;
  auto r = GbmSimulator::create(p);
  CHECK_FALSE(r.simulator.has_value());
  CHECK(r.error.find("positive definite") != std::string::npos);

  SUBCASE("a common correlation below -1/(n-1)") {
    GbmParams q;
    q.assets = p.assets;
    q.common_correlation = -0.6;
    auto rq = GbmSimulator::create(q);
    CHECK_FALSE(rq.simulator.has_value());
    CHECK(rq.error.find("positive definite") != std::string::npos);
  }
  SUBCASE("perfect correlation") {
    auto r1 = GbmSimulator::create(two_assets(1.0, 1));
    CHECK_FALSE(r1.simulator.has_value());
  }
}

TEST_CASE("gbm rejects malformed parameters with a reason") {
  GbmParams p = two_assets(0.0, 1);
  SUBCASE("no assets") {
    p.assets.clear();
    CHECK(GbmSimulator::create(p).error == "no symbols to simulate");
  }
  SUBCASE("non-positive start price") {
    p.assets[1].start_price = 0;
    CHECK(GbmSimulator::create(p).error.find("AGG: start price") == 0);
  }
  SUBCASE("negative volatility") {
    p.assets[0].volatility = -0.1;
    CHECK(GbmSimulator::create(p).error.find("SPY: volatility") == 0);
  }
  SUBCASE("duplicate symbol") {
    p.assets[1].symbol = "SPY";
    CHECK(GbmSimulator::create(p).error.find("twice") != std::string::npos);
  }
  SUBCASE("common correlation out of range") {
    p.common_correlation = 1.5;
    CHECK_FALSE(GbmSimulator::create(p).error.empty());
  }
  SUBCASE("matrix of the wrong size") {
    p.correlation = constant_correlation(3, 0.1);
    CHECK(GbmSimulator::create(p).error.find("3x3") != std::string::npos);
  }
  SUBCASE("asymmetric matrix") {
    p.correlation.resize(2, 2);
    p.correlation << 1.0, 0.2, 0.3, 1.0;
    CHECK(GbmSimulator::create(p).error.find("not symmetric") != std::string::npos);
  }
  SUBCASE("diagonal not one") {
    p.correlation.resize(2, 2);
    p.correlation << 2.0, 0.2, 0.2, 1.0;
    CHECK(GbmSimulator::create(p).error.find("diagonal") != std::string::npos);
  }
}

}  // namespace test_gbm_simulator
