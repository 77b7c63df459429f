#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include <Eigen/Dense>

#include "strategies/target_models.hpp"

namespace test_target_models {

using namespace ballast::strategies;

namespace {

Eigen::MatrixXd covariance_from(const std::vector<double>& vols, const Eigen::MatrixXd& corr) {
  const Eigen::VectorXd s = Eigen::Map<const Eigen::VectorXd>(vols.data(), static_cast<Eigen::Index>(vols.size()));
  return s.asDiagonal() * corr * s.asDiagonal();
}

Eigen::MatrixXd diagonal_covariance(const std::vector<double>& vols) {
  const auto n = static_cast<Eigen::Index>(vols.size());
  return covariance_from(vols, Eigen::MatrixXd::Identity(n, n));
}

/// A factor model BBᵀ + D: well conditioned, realistic vols (roughly 15–40%).
Eigen::MatrixXd random_covariance(int n, std::mt19937_64& rng) {
  std::normal_distribution<double> z(0, 1);
  std::uniform_real_distribution<double> u(0.01, 0.05);
  Eigen::MatrixXd b(n, 3);
  for (int i = 0; i < n; ++i) {
    for (int k = 0; k < 3; ++k) b(i, k) = 0.12 * z(rng);
  }
  Eigen::MatrixXd cov = b * b.transpose();
  for (int i = 0; i < n; ++i) cov(i, i) += u(rng);
  return cov;
}

std::vector<double> to_std(const Eigen::VectorXd& v) { return {v.data(), v.data() + v.size()}; }

double sum(const std::vector<double>& v) {
  double s = 0;
  for (const double x : v) s += x;
  return s;
}

struct Reference {
  Eigen::VectorXd w;
  double utility = -std::numeric_limits<double>::infinity();
};

// Every face of the box: each asset free, at its lower or at its upper bound
// (3ⁿ faces). On a face the optimum of the equality-constrained problem solves
//   [λΣ_FF  −1] [w_F]   [μ_F − λΣ_FB w_B]
//   [1ᵀ      0] [ν  ] = [budget − Σ w_B  ]
// The global optimum is the stationary point of one face, so the best feasible
// stationary point over all faces is the answer.
Reference enumerate_active_sets(const Eigen::VectorXd& mu, const Eigen::MatrixXd& cov, double lambda, double budget,
                                double lo, double hi) {
  const int n = static_cast<int>(mu.size());
  int faces = 1;
  for (int i = 0; i < n; ++i) faces *= 3;
  Reference best;
  for (int code = 0; code < faces; ++code) {
    Eigen::VectorXd w = Eigen::VectorXd::Zero(n);
    std::vector<int> free;
    int c = code;
    for (int i = 0; i < n; ++i, c /= 3) {
      if (c % 3 == 0) {
        free.push_back(i);
      } else {
        w(i) = c % 3 == 1 ? lo : hi;
      }
    }
    const int k = static_cast<int>(free.size());
    if (k == 0) {
      if (std::abs(w.sum() - budget) > 1e-12) continue;
    } else {
      Eigen::MatrixXd kkt = Eigen::MatrixXd::Zero(k + 1, k + 1);
      Eigen::VectorXd rhs(k + 1);
      const Eigen::VectorXd fixed_grad = lambda * cov * w;  // w holds only the bound assets here
      for (int a = 0; a < k; ++a) {
        for (int b = 0; b < k; ++b) kkt(a, b) = lambda * cov(free[a], free[b]);
        kkt(a, k) = -1;
        kkt(k, a) = 1;
        rhs(a) = mu(free[a]) - fixed_grad(free[a]);
      }
      rhs(k) = budget - w.sum();
      Eigen::FullPivLU<Eigen::MatrixXd> lu(kkt);
      if (!lu.isInvertible()) continue;
      const Eigen::VectorXd sol = lu.solve(rhs);
      bool feasible = true;
      for (int a = 0; a < k; ++a) {
        w(free[a]) = sol(a);
        feasible = feasible && sol(a) >= lo - 1e-12 && sol(a) <= hi + 1e-12;
      }
      if (!feasible) continue;
    }
    const double utility = mu.dot(w) - 0.5 * lambda * w.dot(cov * w);
    if (utility > best.utility) {
      best.utility = utility;
      best.w = w;
    }
  }
  return best;
}

/// KKT conditions of min (λ/2)wᵀΣw − μᵀw s.t. Σw = budget, lo ≤ w ≤ hi, from the result's multipliers.
void check_kkt(const TargetModelResult& r, const Eigen::VectorXd& mu, const Eigen::MatrixXd& cov, double lambda,
               double budget, double lo, double hi) {
  const auto n = mu.size();
  const Eigen::VectorXd w = Eigen::Map<const Eigen::VectorXd>(r.weights.data(), n);
  const Eigen::VectorXd zl = Eigen::Map<const Eigen::VectorXd>(r.lower_multipliers.data(), n);
  const Eigen::VectorXd zu = Eigen::Map<const Eigen::VectorXd>(r.upper_multipliers.data(), n);
  const Eigen::VectorXd stationarity =
      lambda * cov * w - mu - r.budget_multiplier * Eigen::VectorXd::Ones(n) - zl + zu;
  CHECK(stationarity.cwiseAbs().maxCoeff() <= 1e-9);
  CHECK(std::abs(w.sum() - budget) <= 1e-9);
  CHECK(w.minCoeff() >= lo - 1e-9);
  CHECK(w.maxCoeff() <= hi + 1e-9);
  CHECK(zl.minCoeff() >= -1e-9);
  CHECK(zu.minCoeff() >= -1e-9);
  for (Eigen::Index i = 0; i < n; ++i) {
    CHECK(std::abs(zl(i) * (w(i) - lo)) <= 1e-9);
    CHECK(std::abs(zu(i) * (hi - w(i))) <= 1e-9);
  }
}

}  // namespace

// --- target volatility ------------------------------------------------------

TEST_CASE("target-vol puts half in a 20%-vol asset to reach 10%") {
  const auto cov = diagonal_covariance({0.20, 0.05});
  const std::vector<double> mix{1, 0};
  const auto r = target_vol_weights(mix, cov, {.target_vol = 0.10, .max_leverage = 1, .safe_asset = 1});
  REQUIRE(r.ok);
  CHECK(r.sleeve_vol == doctest::Approx(0.20));
  CHECK(r.risky_fraction == doctest::Approx(0.5));
  CHECK(r.weights[0] == doctest::Approx(0.5));
  CHECK(r.weights[1] == doctest::Approx(0.5));
  CHECK(r.cash_weight == 0);
  CHECK(r.borrowed == 0);
}

TEST_CASE("target-vol scales a correlated two-asset sleeve by target / sigma") {
  // σ² = 0.6²·0.04 + 0.4²·0.01 + 2·0.6·0.4·0.5·0.2·0.1 = 0.0208
  Eigen::MatrixXd corr(2, 2);
  corr << 1, 0.5, 0.5, 1;
  const auto cov = covariance_from({0.20, 0.10}, corr);
  const std::vector<double> mix{0.6, 0.4};
  const auto r = target_vol_weights(mix, cov, {.target_vol = 0.10});
  REQUIRE(r.ok);
  const double f = 0.10 / std::sqrt(0.0208);
  CHECK(r.sleeve_vol == doctest::Approx(std::sqrt(0.0208)).epsilon(1e-12));
  CHECK(r.risky_fraction == doctest::Approx(f).epsilon(1e-12));
  CHECK(r.weights[0] == doctest::Approx(0.6 * f).epsilon(1e-12));
  CHECK(r.weights[1] == doctest::Approx(0.4 * f).epsilon(1e-12));
  CHECK(r.cash_weight == doctest::Approx(1 - f).epsilon(1e-12));
}

TEST_CASE("target-vol caps the risky fraction at max_leverage and reports the borrowing") {
  const auto cov = diagonal_covariance({0.05, 0.01});
  const std::vector<double> mix{1, 0};
  const auto capped = target_vol_weights(mix, cov, {.target_vol = 0.10});
  REQUIRE(capped.ok);
  CHECK(capped.risky_fraction == doctest::Approx(1.0));
  CHECK(capped.cash_weight == doctest::Approx(0.0));
  CHECK(capped.borrowed == 0);

  const auto levered = target_vol_weights(mix, cov, {.target_vol = 0.10, .max_leverage = 1.5});
  REQUIRE(levered.ok);
  CHECK(levered.risky_fraction == doctest::Approx(1.5));
  CHECK(levered.weights[0] == doctest::Approx(1.5));
  CHECK(levered.cash_weight == doctest::Approx(-0.5));
  CHECK(levered.borrowed == doctest::Approx(0.5));

  const auto into_bond = target_vol_weights(mix, cov, {.target_vol = 0.10, .max_leverage = 1.5, .safe_asset = 1});
  REQUIRE(into_bond.ok);
  CHECK(into_bond.weights[1] == doctest::Approx(-0.5));
  CHECK(into_bond.borrowed == doctest::Approx(0.5));

  // Below the cap the leverage allowance is unused.
  const auto loose = target_vol_weights(mix, cov, {.target_vol = 0.04, .max_leverage = 3});
  REQUIRE(loose.ok);
  CHECK(loose.risky_fraction == doctest::Approx(0.8));
  CHECK(loose.borrowed == 0);
}

TEST_CASE("target-vol with a riskless sleeve takes the full leverage allowance") {
  const Eigen::MatrixXd cov = Eigen::MatrixXd::Zero(2, 2);
  const std::vector<double> mix{1, 0};
  const auto r = target_vol_weights(mix, cov, {.target_vol = 0.10, .max_leverage = 1.25});
  REQUIRE(r.ok);
  CHECK(r.sleeve_vol == 0);
  CHECK(r.risky_fraction == doctest::Approx(1.25));
  CHECK(r.borrowed == doctest::Approx(0.25));
}

TEST_CASE("target-vol rejects a mix that does not sum to 1 or that holds the safe asset") {
  const auto cov = diagonal_covariance({0.2, 0.1, 0.05});
  const std::vector<double> short_mix{0.5, 0.4, 0};
  CHECK_FALSE(target_vol_weights(short_mix, cov, {}).ok);
  const std::vector<double> mix{0.5, 0.5, 0};
  const auto r = target_vol_weights(mix, cov, {.safe_asset = 1});
  CHECK_FALSE(r.ok);
  CHECK(r.error.find("safe asset 1") != std::string::npos);
  CHECK_FALSE(target_vol_weights(mix, cov, {.safe_asset = 3}).ok);
  CHECK_FALSE(target_vol_weights(mix, cov, {.target_vol = 0}).ok);
  CHECK_FALSE(target_vol_weights(std::vector<double>{0.5, 0.5}, cov, {}).ok);
}

// --- risk parity / risk budgets --------------------------------------------

TEST_CASE("equal risk budgets on a diagonal covariance weight each asset by 1/sigma") {
  // RCᵢ ∝ wᵢ²σᵢ² equal ⇔ wᵢσᵢ equal.
  const auto r = risk_budget_weights(diagonal_covariance({0.1, 0.2, 0.4}));
  REQUIRE(r.ok);
  CHECK(r.weights[0] == doctest::Approx(4.0 / 7).epsilon(1e-10));
  CHECK(r.weights[1] == doctest::Approx(2.0 / 7).epsilon(1e-10));
  CHECK(r.weights[2] == doctest::Approx(1.0 / 7).epsilon(1e-10));
  CHECK(r.cash_weight == 0);
  CHECK(r.max_budget_error <= 1e-10);
}

TEST_CASE("risk budgets on a diagonal covariance weight each asset by sqrt(b)/sigma") {
  // RCᵢ = wᵢ²σᵢ² / Σⱼwⱼ²σⱼ² = bᵢ ⇔ wᵢσᵢ ∝ √bᵢ.
  const std::vector<double> vols{0.15, 0.05, 0.30, 0.22};
  const std::vector<double> b{0.4, 0.3, 0.2, 0.1};
  const auto r = risk_budget_weights(diagonal_covariance(vols), b);
  REQUIRE(r.ok);
  double norm = 0;
  for (std::size_t i = 0; i < b.size(); ++i) norm += std::sqrt(b[i]) / vols[i];
  for (std::size_t i = 0; i < b.size(); ++i) {
    CHECK(r.weights[i] == doctest::Approx(std::sqrt(b[i]) / vols[i] / norm).epsilon(1e-10));
    CHECK(std::abs(r.risk_contributions[i] - b[i]) <= 1e-10);
  }
}

TEST_CASE("equal risk contributions under a constant correlation are inverse-volatility weights") {
  // With ρᵢⱼ = ρ, wᵢσᵢ = c makes (Σw)ᵢ = σᵢc(1 + (n−1)ρ) and all contributions
  // equal. Maillard, Roncalli & Teiletche's vols 10/20/30/40%, ρ = 50%: 48/24/16/12%.
  Eigen::MatrixXd corr = Eigen::MatrixXd::Constant(4, 4, 0.5);
  corr.diagonal().setOnes();
  const auto r = risk_budget_weights(covariance_from({0.1, 0.2, 0.3, 0.4}, corr));
  REQUIRE(r.ok);
  CHECK(r.weights[0] == doctest::Approx(0.48).epsilon(1e-10));
  CHECK(r.weights[1] == doctest::Approx(0.24).epsilon(1e-10));
  CHECK(r.weights[2] == doctest::Approx(0.16).epsilon(1e-10));
  CHECK(r.weights[3] == doctest::Approx(0.12).epsilon(1e-10));
}

TEST_CASE("two correlated assets with budgets match the quadratic closed form") {
  // x = w₁σ₁, y = w₂σ₂: b₂x(x + ρy) = b₁y(y + ρx), so t = x/y solves
  // b₂t² + ρ(b₂ − b₁)t − b₁ = 0.
  const double s1 = 0.25, s2 = 0.08, rho = -0.3, b1 = 0.7, b2 = 0.3;
  Eigen::MatrixXd corr(2, 2);
  corr << 1, rho, rho, 1;
  const std::vector<double> b{b1, b2};
  const auto r = risk_budget_weights(covariance_from({s1, s2}, corr), b);
  REQUIRE(r.ok);
  const double t = (rho * (b1 - b2) + std::sqrt(rho * rho * (b1 - b2) * (b1 - b2) + 4 * b1 * b2)) / (2 * b2);
  const double w1 = (t / s1) / (t / s1 + 1 / s2);
  // Contributions are met to 1e-10 (the default tolerance), so the weights to about that.
  CHECK(r.weights[0] == doctest::Approx(w1).epsilon(1e-10));
  CHECK(r.weights[1] == doctest::Approx(1 - w1).epsilon(1e-10));
}

TEST_CASE("risk budgets on a correlated three-asset covariance are met to 1e-8") {
  Eigen::MatrixXd corr(3, 3);
  corr << 1, 0.8, 0.5,  //
      0.8, 1, 0.3,      //
      0.5, 0.3, 1;
  const auto cov = covariance_from({0.30, 0.20, 0.15}, corr);
  const std::vector<double> b{0.5, 0.25, 0.25};
  const auto r = risk_budget_weights(cov, b);
  REQUIRE(r.ok);
  CHECK(sum(r.weights) == doctest::Approx(1.0).epsilon(1e-14));
  const Eigen::VectorXd w = Eigen::Map<const Eigen::VectorXd>(r.weights.data(), 3);
  const Eigen::VectorXd sw = cov * w;
  for (int i = 0; i < 3; ++i) {
    CHECK(w(i) > 0);
    CHECK(std::abs(w(i) * sw(i) / w.dot(sw) - b[static_cast<std::size_t>(i)]) <= 1e-8);
  }
  CHECK(r.iterations < 20);
}

TEST_CASE("risk parity converges for 500 assets") {
  std::mt19937_64 rng(11);
  const auto cov = random_covariance(500, rng);
  const auto r = risk_budget_weights(cov);
  REQUIRE(r.ok);
  CHECK(r.max_budget_error <= 1e-10);
  CHECK(sum(r.weights) == doctest::Approx(1.0).epsilon(1e-12));
}

TEST_CASE("risk budgets reject bad budgets and degenerate covariances") {
  const auto cov = diagonal_covariance({0.1, 0.2, 0.3});
  const auto not_one = risk_budget_weights(cov, std::vector<double>{0.5, 0.3, 0.1});
  CHECK_FALSE(not_one.ok);
  CHECK(not_one.error.find("sum") != std::string::npos);
  CHECK_FALSE(risk_budget_weights(cov, std::vector<double>{0.5, 0.5, 0.0}).ok);
  CHECK_FALSE(risk_budget_weights(cov, std::vector<double>{0.5, 0.5}).ok);
  CHECK_FALSE(risk_budget_weights(diagonal_covariance({0.1, 0.0})).ok);
}

// --- mean-variance ----------------------------------------------------------

TEST_CASE("mean-variance equals the unconstrained closed form when no bound binds") {
  Eigen::MatrixXd corr(4, 4);
  corr << 1, 0.3, 0.2, 0.1,  //
      0.3, 1, 0.4, 0.2,      //
      0.2, 0.4, 1, 0.3,      //
      0.1, 0.2, 0.3, 1;
  const auto cov = covariance_from({0.15, 0.20, 0.25, 0.18}, corr);
  const std::vector<double> mu{0.06, 0.08, 0.09, 0.07};
  const double lambda = 8;
  const auto closed = mean_variance_unconstrained(mu, cov, lambda, 0.9);
  REQUIRE(closed.ok);
  for (const double w : closed.weights) REQUIRE((w > 0.01 && w < 0.99));  // interior: the bounds are slack
  const auto r = mean_variance_weights(mu, cov, {.risk_aversion = lambda, .cash_target = 0.1});
  REQUIRE(r.ok);
  for (std::size_t i = 0; i < mu.size(); ++i) {
    CHECK(std::abs(r.weights[i] - closed.weights[i]) <= 1e-12);
    CHECK(r.bounds[i] == BoundState::free);
  }
  CHECK(r.cash_weight == doctest::Approx(0.1).epsilon(1e-12));
  CHECK(r.objective == doctest::Approx(closed.objective).epsilon(1e-12));
  CHECK(r.budget_multiplier == doctest::Approx(closed.budget_multiplier).epsilon(1e-10));
}

TEST_CASE("the unconstrained closed form matches a hand calculation") {
  const auto cov = diagonal_covariance({0.1, 0.2});
  const std::vector<double> mu{0.05, 0.10};
  // By hand: w = Σ⁻¹(μ − γ1)/λ with λ = 2 and budget 1:
  // Σ⁻¹μ = (5, 2.5), Σ⁻¹1 = (100, 25), γ = (7.5 − 2)/125 = 0.044,
  // w = ((5 − 4.4), (2.5 − 1.1))/2 = (0.3, 0.7).
  const auto r = mean_variance_unconstrained(mu, cov, 2, 1);
  REQUIRE(r.ok);
  CHECK(r.weights[0] == doctest::Approx(0.3).epsilon(1e-12));
  CHECK(r.weights[1] == doctest::Approx(0.7).epsilon(1e-12));
  CHECK(r.budget_multiplier == doctest::Approx(-0.044).epsilon(1e-12));
}

TEST_CASE("mean-variance with binding bounds matches brute-force enumeration of active sets") {
  std::mt19937_64 rng(2024);
  std::normal_distribution<double> ret(0.07, 0.05);
  struct Case {
    int n;
    double lambda, cash, lo, hi;
  };
  const Case cases[] = {
      {3, 2, 0, 0, 1},      {4, 1, 0, 0, 0.4},    {5, 3, 0.05, 0, 0.3}, {6, 0.5, 0, 0, 0.25},
      {6, 4, 0.2, 0, 0.2},  {5, 2, 0, -0.2, 0.5}, {6, 1, 0, -0.1, 0.35}, {4, 10, 0.5, 0, 0.5},
      {6, 0.2, 0, 0, 1},    {2, 1, 0, 0.3, 0.7},
  };
  int solved = 0, with_binding_bound = 0;
  for (const auto& c : cases) {
    for (int trial = 0; trial < 5; ++trial) {
      CAPTURE(c.n);
      CAPTURE(trial);
      const Eigen::MatrixXd cov = random_covariance(c.n, rng);
      Eigen::VectorXd mu(c.n);
      for (int i = 0; i < c.n; ++i) mu(i) = ret(rng);
      const auto mu_std = to_std(mu);
      const double budget = 1 - c.cash;
      const auto r = mean_variance_weights(
          mu_std, cov, {.risk_aversion = c.lambda, .cash_target = c.cash, .min_weight = c.lo, .max_weight = c.hi});
      REQUIRE(r.ok);
      const auto ref = enumerate_active_sets(mu, cov, c.lambda, budget, c.lo, c.hi);
      REQUIRE(std::isfinite(ref.utility));
      CHECK(std::abs(r.objective - ref.utility) <= 1e-12);
      for (int i = 0; i < c.n; ++i) CHECK(std::abs(r.weights[static_cast<std::size_t>(i)] - ref.w(i)) <= 1e-9);
      check_kkt(r, mu, cov, c.lambda, budget, c.lo, c.hi);
      ++solved;
      with_binding_bound +=
          std::any_of(r.bounds.begin(), r.bounds.end(), [](BoundState s) { return s != BoundState::free; });
    }
  }
  // The cases are meant to exercise the active set, not the interior.
  CHECK(with_binding_bound >= solved * 3 / 4);
}

TEST_CASE("mean-variance KKT conditions hold at 200 assets with many bounds active") {
  std::mt19937_64 rng(99);
  const int n = 200;
  const Eigen::MatrixXd cov = random_covariance(n, rng);
  std::normal_distribution<double> ret(0.07, 0.05);
  Eigen::VectorXd mu(n);
  for (int i = 0; i < n; ++i) mu(i) = ret(rng);
  const auto r = mean_variance_weights(to_std(mu), cov, {.risk_aversion = 3, .min_weight = 0, .max_weight = 0.02});
  REQUIRE(r.ok);
  int lower = 0, upper = 0;
  for (const auto s : r.bounds) {
    lower += s == BoundState::at_lower;
    upper += s == BoundState::at_upper;
  }
  CHECK(lower > 0);
  CHECK(upper > 0);
  check_kkt(r, mu, cov, 3, 1, 0, 0.02);
}

TEST_CASE("mean-variance over perfectly correlated twins invests by expected return alone") {
  // Σ = σ²11ᵀ is singular: with Σw fixed the risk term is constant and the
  // problem is linear, so the bounds decide: fill the best assets first.
  const Eigen::MatrixXd cov = Eigen::MatrixXd::Constant(3, 3, 0.04);
  const std::vector<double> mu{0.05, 0.08, 0.06};
  const auto r = mean_variance_weights(mu, cov, {.risk_aversion = 2, .max_weight = 0.5});
  REQUIRE(r.ok);
  CHECK(r.weights[0] == doctest::Approx(0.0));
  CHECK(r.weights[1] == doctest::Approx(0.5));
  CHECK(r.weights[2] == doctest::Approx(0.5));
}

TEST_CASE("mean-variance rejects infeasible bounds, a non-PSD covariance and bad inputs") {
  const auto cov = diagonal_covariance({0.1, 0.2, 0.3});
  const std::vector<double> mu{0.05, 0.06, 0.07};
  const auto too_tight = mean_variance_weights(mu, cov, {.max_weight = 0.3});
  CHECK_FALSE(too_tight.ok);
  CHECK(too_tight.error.find("infeasible") != std::string::npos);
  CHECK_FALSE(mean_variance_weights(mu, cov, {.cash_target = 0.5, .min_weight = 0.2}).ok);
  CHECK_FALSE(mean_variance_weights(mu, cov, {.min_weight = 0.5, .max_weight = 0.4}).ok);
  CHECK_FALSE(mean_variance_weights(mu, cov, {.risk_aversion = 0}).ok);
  CHECK_FALSE(mean_variance_weights(std::vector<double>{0.05, 0.06}, cov, {}).ok);
  // Exactly at the edge is feasible: 3 × 1/3 sums to the budget.
  const auto edge = mean_variance_weights(mu, cov, {.max_weight = 1.0 / 3});
  REQUIRE(edge.ok);
  for (const double w : edge.weights) CHECK(w == doctest::Approx(1.0 / 3));
  Eigen::MatrixXd singular = Eigen::MatrixXd::Constant(3, 3, 0.04);
  CHECK_FALSE(mean_variance_unconstrained(mu, singular, 1, 1).ok);
}

// --- CPPI -------------------------------------------------------------------

TEST_CASE("CPPI follows Perold and Sharpe's example: floor 75, multiplier 2") {
  const std::vector<double> mix{1, 0};  // stocks, bills
  const CppiParams start{.value = 100, .floor = cppi_floor(100, 0.75), .multiplier = 2, .safe_asset = 1};
  const auto r0 = cppi_weights(mix, start);
  REQUIRE(r0.ok);
  CHECK(r0.cushion == doctest::Approx(25));
  CHECK(r0.exposure == doctest::Approx(50));
  CHECK(r0.weights[0] == doctest::Approx(0.5));
  CHECK(r0.weights[1] == doctest::Approx(0.5));

  // Stocks fall 10%: 50 → 45, bills stay 50, so V = 95 and the cushion is 20.
  const double value = 0.9 * r0.exposure + (start.value - r0.exposure);
  CHECK(value == doctest::Approx(95));
  auto after = start;
  after.value = value;
  const auto r1 = cppi_weights(mix, after);
  REQUIRE(r1.ok);
  CHECK(r1.cushion == doctest::Approx(20));
  CHECK(r1.exposure == doctest::Approx(40));
  CHECK(r1.weights[0] * value == doctest::Approx(40));
  CHECK(r1.weights[1] * value == doctest::Approx(55));
}

TEST_CASE("CPPI spreads the exposure over a risky mix and caps it at the value") {
  const std::vector<double> mix{0.6, 0.4, 0};
  const auto r = cppi_weights(mix, {.value = 100, .floor = 80, .multiplier = 3});
  REQUIRE(r.ok);
  CHECK(r.risky_fraction == doctest::Approx(0.6));
  CHECK(r.weights[0] == doctest::Approx(0.36));
  CHECK(r.weights[1] == doctest::Approx(0.24));
  CHECK(r.weights[2] == 0);
  CHECK(r.cash_weight == doctest::Approx(0.4));

  const auto capped = cppi_weights(mix, {.value = 100, .floor = 50, .multiplier = 4});
  REQUIRE(capped.ok);
  CHECK(capped.exposure == doctest::Approx(100));
  CHECK(capped.borrowed == 0);
  CHECK(capped.cash_weight == doctest::Approx(0.0));

  const auto levered = cppi_weights(mix, {.value = 100, .floor = 50, .multiplier = 4, .max_leverage = 1.5});
  REQUIRE(levered.ok);
  CHECK(levered.exposure == doctest::Approx(150));
  CHECK(levered.borrowed == doctest::Approx(0.5));
  CHECK(levered.cash_weight == doctest::Approx(-0.5));
}

TEST_CASE("CPPI below its floor holds nothing risky") {
  const std::vector<double> mix{1, 0};
  const auto r = cppi_weights(mix, {.value = 70, .floor = 75, .multiplier = 2, .safe_asset = 1});
  REQUIRE(r.ok);
  CHECK(r.cushion == doctest::Approx(-5));
  CHECK(r.exposure == 0);
  CHECK(r.weights[0] == 0);
  CHECK(r.weights[1] == doctest::Approx(1));
}

TEST_CASE("CPPI rejects a bad mix or parameters") {
  CHECK_FALSE(cppi_weights(std::vector<double>{0.5, 0.4}, {.value = 100, .floor = 75, .multiplier = 2}).ok);
  CHECK_FALSE(cppi_weights(std::vector<double>{1.0}, {.value = 0, .floor = 75, .multiplier = 2}).ok);
  CHECK_FALSE(cppi_weights(std::vector<double>{1.0}, {.value = 100, .floor = 75, .multiplier = -1}).ok);
  const CppiParams safe_in_mix{.value = 100, .floor = 75, .multiplier = 2, .safe_asset = 0};
  CHECK_FALSE(cppi_weights(std::vector<double>{1.0, 0}, safe_in_mix).ok);
}

// --- buy-and-hold -----------------------------------------------------------

TEST_CASE("buy-and-hold reports never trade and targets what is held") {
  const std::vector<double> held{0.55, 0.40};
  const auto r = buy_and_hold(held, 0.05);
  REQUIRE(r.ok);
  CHECK(r.never_trade);
  CHECK(r.weights == held);
  CHECK(r.cash_weight == 0.05);
}

// --- covariance checks ------------------------------------------------------

TEST_CASE("every covariance-based model rejects a non-PSD covariance") {
  Eigen::MatrixXd bad(2, 2);
  bad << 0.04, 0.05, 0.05, 0.04;  // eigenvalues 0.09 and −0.01
  const auto e = covariance_error(bad);
  CHECK(e.find("not positive semidefinite") != std::string::npos);
  const std::vector<double> mix{0.5, 0.5};
  CHECK_FALSE(target_vol_weights(mix, bad, {}).ok);
  CHECK_FALSE(risk_budget_weights(bad).ok);
  CHECK_FALSE(mean_variance_weights(mix, bad, {}).ok);
  CHECK_FALSE(mean_variance_unconstrained(mix, bad, 1, 1).ok);

  Eigen::MatrixXd asym(2, 2);
  asym << 0.04, 0.01, 0.0, 0.04;
  CHECK(covariance_error(asym).find("symmetric") != std::string::npos);
  CHECK_FALSE(covariance_error(Eigen::MatrixXd(2, 3)).empty());
  CHECK_FALSE(covariance_error(Eigen::MatrixXd()).empty());
  Eigen::MatrixXd nan = Eigen::MatrixXd::Identity(2, 2);
  nan(0, 1) = nan(1, 0) = std::nan("");
  CHECK_FALSE(covariance_error(nan).empty());
  // Singular but PSD is fine.
  CHECK(covariance_error(Eigen::MatrixXd::Constant(3, 3, 0.04)).empty());
}

}  // namespace test_target_models
