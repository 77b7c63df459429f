// Path generators: the generator is reproducible per (seed, path), GBM steps
// have the moments they should, the correlation factor is right on hand cases,
// and a bootstrap path is made of blocks of the history's own rows.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "offline/paths.hpp"

namespace ballast::offline {
namespace test_paths {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST_CASE("a path generator depends only on the seed and the path") {
  PathRng a(7, 3), b(7, 3), c(7, 4), d(8, 3);
  bool differs_by_path = false, differs_by_seed = false;
  for (int i = 0; i < 100; ++i) {
    const std::uint64_t x = a.next();
    CHECK(x == b.next());
    differs_by_path = differs_by_path || x != c.next();
    differs_by_seed = differs_by_seed || x != d.next();
  }
  CHECK(differs_by_path);
  CHECK(differs_by_seed);
}

TEST_CASE("uniform draws below n cover every value evenly") {
  PathRng rng(1, 0);
  std::vector<int> counts(7, 0);
  const int draws = 70'000;
  for (int i = 0; i < draws; ++i) ++counts.at(rng.below(7));
  // Each count is binomial(70000, 1/7): sd ≈ 92.6; 5 sd either side.
  for (const int c : counts) CHECK(std::abs(c - draws / 7) < 463);
}

TEST_CASE("normal draws have mean 0 and variance 1") {
  PathRng rng(42, 0);
  const int n = 200'000;
  double sum = 0, sum_sq = 0;
  for (int i = 0; i < n; ++i) {
    const double z = rng.normal();
    sum += z;
    sum_sq += z * z;
  }
  const double mean = sum / n;
  const double var = sum_sq / n - mean * mean;
  CHECK(std::abs(mean) < 4 / std::sqrt(n));             // sd of the mean: 1/√n
  CHECK(std::abs(var - 1) < 4 * std::sqrt(2.0 / n));    // sd of the variance: √(2/n)
}

TEST_CASE("the correlation factor is the Cholesky factor on hand cases") {
  SUBCASE("two assets") {
    Eigen::MatrixXd c(2, 2);
    c << 1, 0.6, 0.6, 1;
    const CorrelationFactor f = correlation_factor(c);
    REQUIRE(f.error.empty());
    CHECK(f.factor(0, 0) == doctest::Approx(1));
    CHECK(f.factor(0, 1) == doctest::Approx(0));
    CHECK(f.factor(1, 0) == doctest::Approx(0.6));
    CHECK(f.factor(1, 1) == doctest::Approx(0.8));
  }
  SUBCASE("three assets") {
    // L = [[1, 0, 0], [0.5, √0.75, 0], [0.2, (0.3 − 0.1)/√0.75, ...]]
    Eigen::MatrixXd c(3, 3);
    c << 1, 0.5, 0.2, 0.5, 1, 0.3, 0.2, 0.3, 1;
    const CorrelationFactor f = correlation_factor(c);
    REQUIRE(f.error.empty());
    const double l11 = std::sqrt(0.75);
    const double l21 = (0.3 - 0.5 * 0.2) / l11;
    CHECK(f.factor(1, 0) == doctest::Approx(0.5));
    CHECK(f.factor(1, 1) == doctest::Approx(l11));
    CHECK(f.factor(2, 0) == doctest::Approx(0.2));
    CHECK(f.factor(2, 1) == doctest::Approx(l21));
    CHECK(f.factor(2, 2) == doctest::Approx(std::sqrt(1 - 0.04 - l21 * l21)));
    CHECK((f.factor * f.factor.transpose() - c).cwiseAbs().maxCoeff() < 1e-14);
  }
  SUBCASE("perfectly correlated assets have a factor that is not triangular but exact") {
    Eigen::MatrixXd c(2, 2);
    c << 1, 1, 1, 1;
    const CorrelationFactor f = correlation_factor(c);
    REQUIRE(f.error.empty());
    CHECK((f.factor * f.factor.transpose() - c).cwiseAbs().maxCoeff() < 1e-12);
  }
}

TEST_CASE("correlations no assets can have are refused, saying why") {
  const std::vector<std::string> names{"A", "B", "C"};
  Eigen::MatrixXd c(3, 3);
  SUBCASE("not positive semi-definite") {
    c << 1, 0.9, 0.9, 0.9, 1, -0.9, 0.9, -0.9, 1;
    const CorrelationFactor f = correlation_factor(c, names);
    CHECK(f.error.find("correlations are jointly inconsistent: the matrix is not positive semi-definite (smallest "
                       "eigenvalue -0.") == 0);
  }
  SUBCASE("not symmetric") {
    c << 1, 0.2, 0, 0.3, 1, 0, 0, 0, 1;
    CHECK(correlation_factor(c, names).error ==
          "the correlation matrix is not symmetric: A~B is 0.2 but B~A is 0.3");
  }
  SUBCASE("a diagonal other than 1") {
    c << 1, 0, 0, 0, 2, 0, 0, 0, 1;
    CHECK(correlation_factor(c, names).error == "the correlation of B with itself is 2; the diagonal must be 1");
  }
  SUBCASE("outside [-1, 1]") {
    c << 1, 1.5, 0, 1.5, 1, 0, 0, 0, 1;
    CHECK(correlation_factor(c, names).error == "the correlation of A and B is 1.5, outside [-1, 1]");
  }
}

GbmMarket three_assets() {
  GbmMarket m;
  m.symbols = {"A", "B", "C"};
  m.start_prices = {100, 50, 20};
  m.drift = {0.08, 0.03, 0.05};
  m.volatility = {0.2, 0.1, 0.3};
  m.correlation.resize(3, 3);
  m.correlation << 1, 0.5, -0.3, 0.5, 1, 0.2, -0.3, 0.2, 1;
  return m;
}

TEST_CASE("GBM log returns have mean (mu - sigma^2/2) dt and covariance Sigma dt") {
  const GbmMarket m = three_assets();
  const double dt = 1.0 / 252;
  const auto made = GbmPaths::create(m, dt, 11);
  REQUIRE(made.error.empty());
  const GbmPaths& g = *made.paths;
  const std::size_t steps = 252, paths = 400, n = 3;
  std::vector<double> prices((steps + 1) * n);
  std::vector<std::vector<double>> r(n);
  for (std::size_t p = 0; p < paths; ++p) {
    g.fill(p, steps, prices);
    for (std::size_t i = 0; i < n; ++i) CHECK(prices[i] == m.start_prices[i]);
    for (std::size_t k = 1; k <= steps; ++k) {
      for (std::size_t i = 0; i < n; ++i) r[i].push_back(std::log(prices[k * n + i] / prices[(k - 1) * n + i]));
    }
  }
  const double count = static_cast<double>(r[0].size());
  std::vector<double> mean(n);
  for (std::size_t i = 0; i < n; ++i) mean[i] = std::accumulate(r[i].begin(), r[i].end(), 0.0) / count;
  for (std::size_t i = 0; i < n; ++i) {
    const double sigma = m.volatility[i];
    const double expected = (m.drift[i] - sigma * sigma / 2) * dt;
    const double se = sigma * std::sqrt(dt) / std::sqrt(count);
    CHECK(std::abs(mean[i] - expected) < 4 * se);
  }
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j <= i; ++j) {
      double cov = 0;
      for (std::size_t k = 0; k < r[i].size(); ++k) cov += (r[i][k] - mean[i]) * (r[j][k] - mean[j]);
      cov /= count - 1;
      const auto ii = static_cast<Eigen::Index>(i), jj = static_cast<Eigen::Index>(j);
      const double si = m.volatility[i] * std::sqrt(dt), sj = m.volatility[j] * std::sqrt(dt);
      const double expected = m.correlation(ii, jj) * si * sj;
      // The variance of a product of two jointly normal variables: σᵢ²σⱼ² + σᵢⱼ².
      const double se = std::sqrt((si * si * sj * sj + expected * expected) / count);
      INFO("i=", i, " j=", j);
      CHECK(std::abs(cov - expected) < 4 * se);
    }
  }
}

TEST_CASE("GBM with no volatility compounds its drift exactly") {
  GbmMarket m;
  m.symbols = {"A"};
  m.start_prices = {100};
  m.drift = {0.05};
  m.volatility = {0};
  const auto made = GbmPaths::create(m, 0.5, 1);
  REQUIRE(made.error.empty());
  std::vector<double> prices(5);
  made.paths->fill(0, 4, prices);
  for (std::size_t k = 0; k <= 4; ++k) CHECK(prices[k] == doctest::Approx(100 * std::exp(0.05 * 0.5 * k)));
}

TEST_CASE("a GBM path is the same whichever order paths are drawn in") {
  const auto made = GbmPaths::create(three_assets(), 1.0 / 252, 5);
  REQUIRE(made.error.empty());
  std::vector<double> p3(11 * 3), p5(11 * 3), again3(11 * 3), again5(11 * 3);
  made.paths->fill(3, 10, p3);
  made.paths->fill(5, 10, p5);
  made.paths->fill(5, 10, again5);
  made.paths->fill(3, 10, again3);
  CHECK(p3 == again3);
  CHECK(p5 == again5);
  CHECK(p3 != p5);
}

TEST_CASE("GBM parameters that cannot be simulated are refused") {
  GbmMarket m = three_assets();
  SUBCASE("a start price of 0") {
    m.start_prices[1] = 0;
    CHECK(GbmPaths::create(m, 0.1, 1).error == "the start price of B is 0; expected a number > 0");
  }
  SUBCASE("a negative volatility") {
    m.volatility[2] = -0.1;
    CHECK(GbmPaths::create(m, 0.1, 1).error == "the volatility of C is -0.1; expected a number >= 0");
  }
  SUBCASE("inconsistent correlations") {
    m.correlation << 1, 0.9, 0.9, 0.9, 1, -0.9, 0.9, -0.9, 1;
    CHECK(GbmPaths::create(m, 0.1, 1).error.find("not positive semi-definite") != std::string::npos);
  }
  SUBCASE("a step of no time") { CHECK(GbmPaths::create(m, 0, 1).error == "the step must be a positive number of years, got 0"); }
}

/// Ten rows: X and Y with distinct, known log returns; Z is never drawn.
feeds::PriceTable history() {
  feeds::PriceTable t;
  t.symbols = {"X", "Y", "Z"};
  double x = 100, y = 50;
  for (int r = 0; r < 10; ++r) {
    t.times.push_back(r * core::kNanosPerDay);
    t.prices.insert(t.prices.end(), {x, y, 1.0});
    x *= std::exp(0.01 * (r + 1));
    y *= std::exp(-0.02 * (r + 1));
  }
  return t;
}

TEST_CASE("a bootstrap path is made of blocks of the history's rows, wrapping at the end") {
  const auto made = BootstrapPaths::create(history(), {"Y", "X"}, {10, 20}, 4, 3);
  REQUIRE(made.error.empty());
  const BootstrapPaths& b = *made.paths;
  REQUIRE(b.rows() == 9);
  CHECK(b.log_return(0, 1) == doctest::Approx(0.01));
  CHECK(b.log_return(8, 0) == doctest::Approx(-0.18));
  const std::size_t steps = 30;
  bool wrapped = false;
  for (std::size_t path = 0; path < 20; ++path) {
    std::vector<std::size_t> rows(steps);
    b.draw_rows(path, steps, rows);
    for (std::size_t k = 0; k < steps; ++k) {
      CHECK(rows[k] < 9);
      if (k % 4 != 0) CHECK(rows[k] == (rows[k - 1] + 1) % 9);
      wrapped = wrapped || (k % 4 != 0 && rows[k] == 0);
    }
    std::vector<double> prices((steps + 1) * 2);
    b.fill(path, steps, prices);
    CHECK(prices[0] == 10);
    CHECK(prices[1] == 20);
    for (std::size_t k = 1; k <= steps; ++k) {
      for (std::size_t i = 0; i < 2; ++i) {
        CHECK(std::log(prices[k * 2 + i] / prices[(k - 1) * 2 + i]) ==
              doctest::Approx(b.log_return(rows[k - 1], i)).epsilon(1e-9));
      }
    }
  }
  CHECK(wrapped);
}

TEST_CASE("the bootstrap forward-fills missing prices and drops rows before every symbol has one") {
  feeds::PriceTable t;
  t.symbols = {"X", "Y"};
  t.times = {0, 1, 2, 3, 4};
  t.prices = {100, kNaN,  // dropped: no Y yet
              110, 50,    //
              kNaN, 55,   // X filled with 110
              121, kNaN,  // Y filled with 55
              121, 60};
  const auto made = BootstrapPaths::create(t, {"X", "Y"}, {1, 1}, 1, 1);
  REQUIRE(made.error.empty());
  const BootstrapPaths& b = *made.paths;
  CHECK(b.dropped_rows() == 1);
  CHECK(b.filled_prices() == 2);
  REQUIRE(b.rows() == 3);
  CHECK(b.log_return(0, 0) == 0);
  CHECK(b.log_return(0, 1) == doctest::Approx(std::log(1.1)));
  CHECK(b.log_return(1, 0) == doctest::Approx(std::log(1.1)));
  CHECK(b.log_return(1, 1) == 0);
  CHECK(b.log_return(2, 1) == doctest::Approx(std::log(60.0 / 55)));
}

TEST_CASE("bootstrap inputs that cannot be used are refused") {
  CHECK(BootstrapPaths::create(history(), {"X", "W"}, {1, 1}, 2, 1).error == "the prices file has no column for W");
  CHECK(BootstrapPaths::create(history(), {"X"}, {1}, 10, 1).error ==
        "the block length 10 is longer than the 9 returns in the prices file");
  CHECK(BootstrapPaths::create(history(), {"X"}, {1}, 0, 1).error == "the block length must be at least 1");
}

}  // namespace
}  // namespace test_paths
}  // namespace ballast::offline
