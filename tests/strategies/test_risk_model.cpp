#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "strategies/risk_model.hpp"

namespace test_risk_model {

using namespace ballast;
using namespace ballast::strategies;

namespace {

constexpr core::DurationNs day = kNanosPerDay;
constexpr core::DurationNs hour = 3'600 * core::kNanosPerSecond;
constexpr core::TimeNs t0 = 1'700'000'000 * core::kNanosPerSecond;
const double no_price = std::numeric_limits<double>::quiet_NaN();

/// Prices (rows × assets) of correlated random walks with different volatilities.
std::vector<std::vector<double>> random_prices(std::size_t rows, std::size_t assets, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> z(0.0, 1.0);
  std::vector<std::vector<double>> out(rows, std::vector<double>(assets));
  std::vector<double> log_p(assets, std::log(100.0));
  for (std::size_t r = 0; r < rows; ++r) {
    const double common = z(rng);
    for (std::size_t i = 0; i < assets; ++i) {
      const double sigma = 0.005 * static_cast<double>(i + 1);
      if (r > 0) log_p[i] += sigma * (0.6 * common + 0.8 * z(rng));
      out[r][i] = std::exp(log_p[i]);
    }
  }
  return out;
}

/// The textbook definition, written out: weights (1−λ)λ^(n−1−k) over all n
/// returns, divided by their sum 1 − λⁿ, times the periods per year.
Eigen::MatrixXd direct_ewma(const std::vector<std::vector<double>>& prices, std::size_t rows, double lambda,
                            double periods) {
  const std::size_t n_assets = prices[0].size();
  const std::size_t n = rows - 1;
  Eigen::MatrixXd cov = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(n_assets), static_cast<Eigen::Index>(n_assets));
  for (std::size_t k = 0; k < n; ++k) {
    const double w = (1 - lambda) * std::pow(lambda, static_cast<double>(n - 1 - k));
    for (std::size_t i = 0; i < n_assets; ++i) {
      for (std::size_t j = 0; j < n_assets; ++j) {
        const double ri = std::log(prices[k + 1][i]) - std::log(prices[k][i]);
        const double rj = std::log(prices[k + 1][j]) - std::log(prices[k][j]);
        cov(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) += w * ri * rj;
      }
    }
  }
  return cov * periods / (1 - std::pow(lambda, static_cast<double>(n)));
}

double max_abs_diff(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) { return (a - b).cwiseAbs().maxCoeff(); }

RiskModelParams daily(int halflife_days = 60, int min_samples = 20) {
  RiskModelParams p;
  p.halflife = halflife_days * day;
  p.sample_every = day;
  p.min_samples = min_samples;
  return p;
}

}  // namespace

TEST_CASE("EWMA covariance equals the direct weighted sum over all returns, bias-corrected") {
  const auto prices = random_prices(301, 4, 42);
  for (const int halflife : {10, 60}) {
    CAPTURE(halflife);
    EwmaRiskModel m(4, daily(halflife));
    const double lambda = std::pow(0.5, 1.0 / halflife);
    for (std::size_t r = 0; r < prices.size(); ++r) {
      m.observe(t0 + static_cast<core::TimeNs>(r) * day, prices[r]);
      if (r == 1 || r == 2 || r == 5 || r == 30 || r == 300) {
        CAPTURE(r);
        REQUIRE(m.samples() == r);
        CHECK(max_abs_diff(m.covariance_annual(), direct_ewma(prices, r + 1, lambda, 252.0)) < 1e-12);
      }
    }
  }
}

TEST_CASE("a constant daily move of ±σ gives annualised volatility σ·√252 from the first return on") {
  const double sigma_d = 0.0125;
  EwmaRiskModel m(1, daily());
  for (int k = 0; k <= 50; ++k) {
    const double log_p = std::log(80.0) + (k % 2 ? sigma_d : 0.0);
    const std::vector<double> p{std::exp(log_p)};
    m.observe(t0 + k * day, p);
    if (k >= 1) {
      CAPTURE(k);
      // Without the bias correction this would be σ√252·√(1−λᵏ): 9% of it at k = 1.
      CHECK(m.volatility_annual(0) == doctest::Approx(sigma_d * std::sqrt(252.0)).epsilon(1e-12));
    }
  }
}

TEST_CASE("bias correction divides by the weight the samples carry, 1 − λⁿ") {
  EwmaRiskModel m(1, daily(60));
  const double lambda = std::pow(0.5, 1.0 / 60);
  m.observe(t0, std::vector<double>{100.0});
  m.observe(t0 + day, std::vector<double>{100.0 * std::exp(0.01)});
  // One return: the raw accumulator holds (1−λ)r², the estimate is r².
  CHECK(m.covariance_annual()(0, 0) == doctest::Approx(252 * 0.01 * 0.01).epsilon(1e-12));
  m.observe(t0 + 2 * day, std::vector<double>{100.0 * std::exp(0.04)});
  // Two returns: ((1−λ)λ r1² + (1−λ) r2²) / (1 − λ²) = (λ r1² + r2²) / (1 + λ).
  const double expected = 252 * (lambda * 0.01 * 0.01 + 0.03 * 0.03) / (1 + lambda);
  CHECK(m.covariance_annual()(0, 0) == doctest::Approx(expected).epsilon(1e-12));
}

TEST_CASE("perfectly correlated and anti-correlated prices give correlation +1 and −1") {
  const auto base = random_prices(120, 1, 7);
  EwmaRiskModel m(3, daily());
  for (std::size_t r = 0; r < base.size(); ++r) {
    const double p = base[r][0];
    m.observe(t0 + static_cast<core::TimeNs>(r) * day, std::vector<double>{p, 3 * p, 1000 / p});
  }
  const auto e = m.estimate();
  CHECK(e.correlation(0, 1) == doctest::Approx(1.0).epsilon(1e-12));
  CHECK(e.correlation(0, 2) == doctest::Approx(-1.0).epsilon(1e-12));
  CHECK(e.correlation(1, 2) == doctest::Approx(-1.0).epsilon(1e-12));
  CHECK(e.volatility(2) == doctest::Approx(e.volatility(0)).epsilon(1e-12));
  CHECK(e.volatility(0) > 0);
}

TEST_CASE("samples follow the data's clock: the first tick at or after each grid time, a gap is one return") {
  EwmaRiskModel m(2, daily());
  const double lambda = std::pow(0.5, 1.0 / 60);
  CHECK(m.sample_due(t0));
  m.observe(t0, std::vector<double>{100, 50});  // anchors the grid, sets the reference
  CHECK(m.next_sample_at() == t0 + day);
  m.observe(t0 + 3 * hour, std::vector<double>{120, 60});
  m.observe(t0 + 20 * hour, std::vector<double>{130, 70});
  CHECK(m.samples() == 0);
  CHECK(!m.sample_due(t0 + day - 1));
  CHECK(m.sample_due(t0 + day));

  m.observe(t0 + day + 5 * 60 * core::kNanosPerSecond, std::vector<double>{101, 49});
  CHECK(m.samples() == 1);
  CHECK(m.next_sample_at() == t0 + 2 * day);  // the grid, not the tick, sets the next time
  m.observe(t0 + day + 6 * hour, std::vector<double>{200, 200});
  CHECK(m.samples() == 1);

  // Three grid times pass with no tick (a weekend): one sample, from the last one's prices.
  m.observe(t0 + 4 * day + hour, std::vector<double>{103, 52});
  CHECK(m.samples() == 2);
  CHECK(m.gap_samples() == 1);
  CHECK(m.next_sample_at() == t0 + 5 * day);

  const Eigen::Vector2d r1(std::log(101.0 / 100), std::log(49.0 / 50));
  const Eigen::Vector2d r2(std::log(103.0 / 101), std::log(52.0 / 49));  // unscaled over the gap
  const Eigen::MatrixXd expected = 252 * (lambda * r1 * r1.transpose() + r2 * r2.transpose()) / (1 + lambda);
  CHECK(max_abs_diff(m.covariance_annual(), expected) < 1e-12);

  // Late or repeated times change nothing; exactly on a grid time samples.
  m.observe(t0 + 2 * day, std::vector<double>{1, 1});
  CHECK(m.samples() == 2);
  m.observe(t0 + 5 * day, std::vector<double>{104, 53});
  CHECK(m.samples() == 3);
  CHECK(m.gap_samples() == 1);
}

TEST_CASE("a missing price skips the whole sample; the next return spans from the last good one") {
  EwmaRiskModel m(2, daily());
  m.observe(t0, std::vector<double>{100, 100});
  m.observe(t0 + day, std::vector<double>{101, no_price});
  CHECK(m.skipped() == 1);
  m.observe(t0 + 2 * day, std::vector<double>{102, 0.0});
  m.observe(t0 + 3 * day, std::vector<double>{-1.0, 101});
  m.observe(t0 + 4 * day, std::vector<double>{std::numeric_limits<double>::infinity(), 101});
  CHECK(m.skipped() == 4);
  CHECK(m.samples() == 0);
  CHECK(m.covariance_annual().isZero(0));

  m.observe(t0 + 5 * day, std::vector<double>{103, 104});
  CHECK(m.samples() == 1);
  CHECK(m.gap_samples() == 1);
  const Eigen::Vector2d r(std::log(1.03), std::log(1.04));
  CHECK(max_abs_diff(m.covariance_annual(), 252 * r * r.transpose()) < 1e-12);
}

TEST_CASE("a first observation without every price anchors the grid but sets no reference") {
  EwmaRiskModel m(2, daily());
  m.observe(t0, std::vector<double>{100, no_price});
  CHECK(m.skipped() == 1);
  CHECK(m.next_sample_at() == t0 + day);
  m.observe(t0 + day + hour, std::vector<double>{100, 100});
  CHECK(m.samples() == 0);
  m.observe(t0 + 2 * day, std::vector<double>{110, 90});
  CHECK(m.samples() == 1);
  CHECK(m.gap_samples() == 0);
  CHECK(m.volatility_annual(0) == doctest::Approx(std::log(1.1) * std::sqrt(252.0)).epsilon(1e-12));
}

TEST_CASE("warm-up counts return samples and caps warmth at 1") {
  EwmaRiskModel m(1, daily(60, 3));
  const auto est = m.estimate();
  CHECK(est.samples == 0);
  CHECK(!est.warm);
  CHECK(est.warmth == 0);
  CHECK(m.volatility_annual(0) == 0);
  const std::vector<double> expected_warmth{0, 1.0 / 3, 2.0 / 3, 1, 1, 1};
  for (int k = 0; k < 6; ++k) {
    m.observe(t0 + k * day, std::vector<double>{100.0 + k});
    CAPTURE(k);
    CHECK(m.samples() == static_cast<std::size_t>(k));
    CHECK(m.warmth() == doctest::Approx(expected_warmth[static_cast<std::size_t>(k)]));
    CHECK(m.warm() == (k >= 3));
  }
}

TEST_CASE("warm_from replays a row-major history through the caller's column mapping") {
  // Columns X, A, Y, B; the universe is (B, A). Intraday rows between the
  // daily grid times must not be sampled.
  const auto daily_prices = random_prices(41, 2, 11);
  std::vector<core::TimeNs> times;
  std::vector<double> table;
  for (std::size_t r = 0; r < daily_prices.size(); ++r) {
    const auto at = t0 + static_cast<core::TimeNs>(r) * day;
    times.push_back(at);
    table.insert(table.end(), {1.0, daily_prices[r][1], no_price, daily_prices[r][0]});
    times.push_back(at + 6 * hour);
    table.insert(table.end(), {1.0, 500.0, no_price, 500.0});
  }
  const std::vector<std::size_t> columns{3, 1};
  const auto m = EwmaRiskModel::warm_from(daily(20, 20), times, table, 4, columns);
  CHECK(m.samples() == 40);
  CHECK(m.warm());
  CHECK(m.skipped() == 0);
  CHECK(m.next_sample_at() == t0 + 41 * day);
  const double lambda = std::pow(0.5, 1.0 / 20);
  CHECK(max_abs_diff(m.covariance_annual(), direct_ewma(daily_prices, 41, lambda, 252.0)) < 1e-12);

  // Live observations continue the same grid and the same estimate.
  auto live = m;
  live.observe(t0 + 41 * day + hour, std::vector<double>{daily_prices[40][0] * 1.01, daily_prices[40][1]});
  CHECK(live.samples() == 41);
  CHECK(live.gap_samples() == 0);
}

TEST_CASE("periods per year: 252 for daily samples, calendar time otherwise, or as given") {
  RiskModelParams p;
  CHECK(periods_per_year(p) == 252);
  p.sample_every = hour;
  CHECK(periods_per_year(p) == doctest::Approx(8766));
  p.sample_every = 7 * day;
  CHECK(periods_per_year(p) == doctest::Approx(365.25 / 7));
  p.periods_per_year = 52;
  CHECK(periods_per_year(p) == 52);

  // Hourly samples annualise with 8766: a constant hourly move σ gives σ·√8766.
  RiskModelParams hourly;
  hourly.sample_every = hour;
  EwmaRiskModel m(1, hourly);
  for (int k = 0; k <= 10; ++k) m.observe(t0 + k * hour, std::vector<double>{std::exp(0.002 * (k % 2))});
  CHECK(m.volatility_annual(0) == doctest::Approx(0.002 * std::sqrt(8766.0)).epsilon(1e-10));
}

TEST_CASE("parameters are validated with every problem listed") {
  CHECK(validate(RiskModelParams{}).empty());
  RiskModelParams bad;
  bad.halflife = 0;
  bad.sample_every = -day;
  bad.min_samples = 0;
  bad.periods_per_year = -1;
  CHECK(validate(bad).size() == 4);
  bad = RiskModelParams{};
  bad.periods_per_year = std::numeric_limits<double>::infinity();
  CHECK(validate(bad).size() == 1);
}

TEST_CASE("fixed model: covariance from volatilities and correlations, missing pairs 0, always warm") {
  const std::vector<CorrelationPair> pairs{{1, 0, -0.2}};
  auto r = FixedRiskModel::make({0.18, 0.05, 0.30}, pairs);
  REQUIRE(r.ok());
  const auto& m = *r.model;
  const auto& cov = m.covariance_annual();
  CHECK(cov(0, 0) == doctest::Approx(0.0324));
  CHECK(cov(1, 1) == doctest::Approx(0.0025));
  CHECK(cov(0, 1) == doctest::Approx(-0.0018));
  CHECK(cov(1, 0) == doctest::Approx(-0.0018));
  CHECK(cov(0, 2) == 0);
  CHECK(cov(1, 2) == 0);
  CHECK(m.volatility_annual(2) == doctest::Approx(0.30));
  const auto e = m.estimate();
  CHECK(e.warm);
  CHECK(e.warmth == 1);
  CHECK(e.correlation(0, 1) == doctest::Approx(-0.2));
}

TEST_CASE("fixed model rejects correlations that no market could produce together") {
  // Each pair is plausible; together they are not: A~B and A~C strongly
  // positive cannot coexist with B~C strongly negative.
  const std::vector<CorrelationPair> pairs{{0, 1, 0.9}, {0, 2, 0.9}, {1, 2, -0.9}};
  const std::vector<std::string> names{"SPY", "QQQ", "SH"};
  const auto r = FixedRiskModel::make({0.2, 0.2, 0.2}, pairs, names);
  CHECK(!r.ok());
  CHECK(!r.model);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].find("positive semi-definite") != std::string::npos);

  // Perfect correlation is singular but valid.
  const std::vector<CorrelationPair> perfect{{0, 1, 1.0}, {0, 2, -1.0}, {1, 2, -1.0}};
  CHECK(FixedRiskModel::make({0.2, 0.1, 0.3}, perfect).ok());
}

TEST_CASE("fixed model lists every malformed input, naming the assets") {
  const std::vector<CorrelationPair> pairs{
      {0, 1, 1.2}, {0, 0, 0.5}, {0, 5, 0.1}, {1, 2, 0.3}, {2, 1, 0.3}, {0, 2, no_price}};
  const std::vector<std::string> names{"SPY", "AGG", "GLD"};
  const auto r = FixedRiskModel::make({0.18, -0.05, no_price}, pairs, names);
  CHECK(!r.ok());
  REQUIRE(r.errors.size() == 7);
  CHECK(r.errors[0].find("AGG") != std::string::npos);  // negative volatility
  CHECK(r.errors[1].find("GLD") != std::string::npos);  // NaN volatility
  CHECK(r.errors[2].find("SPY and AGG is 1.2") != std::string::npos);
  CHECK(r.errors[3].find("itself") != std::string::npos);
  CHECK(r.errors[4].find("index 5") != std::string::npos);
  CHECK(r.errors[5].find("twice") != std::string::npos);
  CHECK(r.errors[6].find("SPY and GLD") != std::string::npos);
}

TEST_CASE("risk contributions match a hand-computed two-asset case and sum to 1") {
  const std::vector<CorrelationPair> pairs{{0, 1, -0.2}};
  const auto r = FixedRiskModel::make({0.18, 0.05}, pairs);
  REQUIRE(r.ok());
  const std::vector<double> w{0.6, 0.4};
  // Σw = (0.6·0.0324 − 0.4·0.0018, −0.6·0.0018 + 0.4·0.0025) = (0.01872, −0.00008);
  // wᵀΣw = 0.6·0.01872 − 0.4·0.00008 = 0.0112.
  CHECK(r.model->portfolio_volatility(w) == doctest::Approx(std::sqrt(0.0112)).epsilon(1e-12));
  const auto rc = r.model->risk_contributions(w);
  REQUIRE(rc.size() == 2);
  CHECK(rc[0] == doctest::Approx(0.011232 / 0.0112).epsilon(1e-12));
  CHECK(rc[1] == doctest::Approx(-0.000032 / 0.0112).epsilon(1e-12));

  const auto prices = random_prices(200, 5, 3);
  EwmaRiskModel m(5, daily());
  for (std::size_t k = 0; k < prices.size(); ++k) m.observe(t0 + static_cast<core::TimeNs>(k) * day, prices[k]);
  const std::vector<double> w5{0.3, 0.25, 0.2, 0.15, 0.1};
  const auto rc5 = m.risk_contributions(w5);
  CHECK(std::accumulate(rc5.begin(), rc5.end(), 0.0) == doctest::Approx(1.0).epsilon(1e-12));
  const Eigen::Map<const Eigen::VectorXd> wv(w5.data(), 5);
  const Eigen::MatrixXd cov = m.covariance_annual();
  CHECK(m.portfolio_volatility(w5) == doctest::Approx(std::sqrt(wv.dot(cov * wv))).epsilon(1e-12));
  CHECK(portfolio_volatility(cov, w5) == doctest::Approx(m.portfolio_volatility(w5)).epsilon(1e-12));

  // No variance, nothing to apportion.
  const auto none = m.risk_contributions(std::vector<double>(5, 0.0));
  CHECK(std::all_of(none.begin(), none.end(), [](double x) { return x == 0; }));
}

TEST_CASE("either model yields the same snapshot type") {
  const std::vector<CorrelationPair> no_pairs;
  std::vector<RiskModel> models;
  models.emplace_back(EwmaRiskModel(2, daily()));
  models.emplace_back(*FixedRiskModel::make({0.1, 0.2}, no_pairs).model);
  const auto ewma = estimate(models[0]);
  const auto fixed = estimate(models[1]);
  CHECK(ewma.assets() == 2);
  CHECK(!ewma.warm);
  CHECK(fixed.assets() == 2);
  CHECK(fixed.warm);
  CHECK(fixed.volatility(1) == doctest::Approx(0.2));
}

}  // namespace test_risk_model
