#include "strategies/target_models.hpp"

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <limits>

#include "core/text_format.hpp"

namespace ballast::strategies {
namespace {

TargetModelResult failure(std::string error) {
  TargetModelResult r;
  r.error = std::move(error);
  return r;
}

/// Mixes and budgets are typed by hand or computed upstream; allow for decimal rounding.
constexpr double kSumTolerance = 1e-9;

std::string mix_error(std::span<const double> mix, std::size_t n) {
  if (mix.size() != n) return core::printf_string("risky mix has %zu entries for %zu assets", mix.size(), n);
  double sum = 0;
  for (std::size_t i = 0; i < mix.size(); ++i) {
    if (!std::isfinite(mix[i]) || mix[i] < 0) {
      return core::printf_string("risky mix entry %zu is %g; entries must be >= 0", i, mix[i]);
    }
    sum += mix[i];
  }
  if (std::abs(sum - 1) > kSumTolerance) return core::printf_string("risky mix sums to %.12g, not 1", sum);
  return {};
}

std::string safe_asset_error(const std::optional<std::size_t>& safe, std::span<const double> mix) {
  if (!safe) return {};
  if (*safe >= mix.size()) return core::printf_string("safe asset %zu is not one of the %zu assets", *safe, mix.size());
  if (mix[*safe] != 0) return core::printf_string("safe asset %zu is part of the risky mix", *safe);
  return {};
}

/// Risky weights f·mix; the remainder 1 − f goes to the safe asset or to cash.
void split(TargetModelResult& r, std::span<const double> mix, double f, const std::optional<std::size_t>& safe) {
  r.weights.resize(mix.size());
  for (std::size_t i = 0; i < mix.size(); ++i) r.weights[i] = f * mix[i];
  if (safe) r.weights[*safe] += 1 - f;
  r.cash_weight = safe ? 0.0 : 1 - f;
  r.risky_fraction = f;
  r.borrowed = std::max(0.0, f - 1);
}

Eigen::Map<const Eigen::VectorXd> as_vector(std::span<const double> s) {
  return {s.data(), static_cast<Eigen::Index>(s.size())};
}

}  // namespace

std::string covariance_error(const Eigen::MatrixXd& covariance) {
  const Eigen::Index n = covariance.rows();
  if (n == 0) return "covariance is empty";
  if (covariance.cols() != n) {
    return core::printf_string("covariance is %ldx%ld, not square", static_cast<long>(n),
                               static_cast<long>(covariance.cols()));
  }
  if (!covariance.allFinite()) return "covariance has a non-finite entry";
  for (Eigen::Index i = 0; i < n; ++i) {
    if (covariance(i, i) < 0) {
      return core::printf_string("asset %ld has a negative variance %g", static_cast<long>(i), covariance(i, i));
    }
  }
  const double scale = covariance.diagonal().maxCoeff();
  const double asymmetry = (covariance - covariance.transpose()).cwiseAbs().maxCoeff();
  if (asymmetry > 1e-10 * std::max(scale, std::numeric_limits<double>::min())) {
    return core::printf_string("covariance is not symmetric (largest |Σij − Σji| = %g)", asymmetry);
  }
  if (scale == 0) {  // with every variance zero, PSD leaves room only for the zero matrix
    if (covariance.cwiseAbs().maxCoeff() == 0) return {};
    return "covariance is not positive semidefinite (nonzero covariance between zero-variance assets)";
  }
  // Σ + εI is positive definite exactly when Σ's smallest eigenvalue exceeds −ε,
  // and a Cholesky factorisation decides that in n³/3 flops.
  const double eps = 1e-10 * scale;
  Eigen::LLT<Eigen::MatrixXd> llt(covariance + eps * Eigen::MatrixXd::Identity(n, n));
  if (llt.info() != Eigen::Success) {
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(covariance, Eigen::EigenvaluesOnly);
    return core::printf_string("covariance is not positive semidefinite (smallest eigenvalue %g)",
                               eig.eigenvalues()(0));
  }
  return {};
}

TargetModelResult target_vol_weights(std::span<const double> risky_mix, const Eigen::MatrixXd& covariance,
                                     const TargetVolParams& params) {
  if (auto e = covariance_error(covariance); !e.empty()) return failure(std::move(e));
  const auto n = static_cast<std::size_t>(covariance.rows());
  if (auto e = mix_error(risky_mix, n); !e.empty()) return failure(std::move(e));
  if (auto e = safe_asset_error(params.safe_asset, risky_mix); !e.empty()) return failure(std::move(e));
  if (!(params.target_vol > 0) || !std::isfinite(params.target_vol)) {
    return failure(core::printf_string("target_vol %g must be > 0", params.target_vol));
  }
  if (!(params.max_leverage > 0) || !std::isfinite(params.max_leverage)) {
    return failure(core::printf_string("max_leverage %g must be > 0", params.max_leverage));
  }
  const auto m = as_vector(risky_mix);
  // Rounding can leave a tiny negative variance for a PSD Σ.
  const double sigma = std::sqrt(std::max(0.0, m.dot(covariance * m)));
  const double f = sigma > 0 ? std::min(params.max_leverage, params.target_vol / sigma) : params.max_leverage;
  TargetModelResult r;
  split(r, risky_mix, f, params.safe_asset);
  r.sleeve_vol = sigma;
  r.ok = true;
  return r;
}

// Spinu (2013): the budgets are the first-order conditions of the strictly
// convex F(y) = ½yᵀΣy − Σ bᵢ ln yᵢ on y > 0, since ∇F = 0 ⇔ yᵢ(Σy)ᵢ = bᵢ, and
// then yᵀΣy = Σb = 1 so w = y/Σy has contributions exactly b.
TargetModelResult risk_budget_weights(const Eigen::MatrixXd& covariance, std::span<const double> budgets,
                                      const RiskBudgetParams& params) {
  if (auto e = covariance_error(covariance); !e.empty()) return failure(std::move(e));
  const Eigen::Index n = covariance.rows();
  Eigen::VectorXd b;
  if (budgets.empty()) {
    b = Eigen::VectorXd::Constant(n, 1.0 / static_cast<double>(n));
  } else {
    if (static_cast<Eigen::Index>(budgets.size()) != n) {
      return failure(core::printf_string("%zu budgets for %ld assets", budgets.size(), static_cast<long>(n)));
    }
    b = as_vector(budgets);
    for (Eigen::Index i = 0; i < n; ++i) {
      if (!std::isfinite(b(i)) || b(i) <= 0) {
        return failure(core::printf_string("budget %ld is %g; budgets must be > 0", static_cast<long>(i), b(i)));
      }
    }
    if (std::abs(b.sum() - 1) > kSumTolerance)
      return failure(core::printf_string("budgets sum to %.12g, not 1", b.sum()));
  }
  for (Eigen::Index i = 0; i < n; ++i) {
    if (!(covariance(i, i) > 0)) {
      return failure(core::printf_string("asset %ld has zero variance: no weight gives it a risk contribution",
                                         static_cast<long>(i)));
    }
  }

  // Start from the diagonal-Σ solution yᵢ = √bᵢ/σᵢ, scaled to the best point on its ray (yᵀΣy = Σb = 1).
  Eigen::VectorXd y = b.cwiseSqrt().cwiseQuotient(covariance.diagonal().cwiseSqrt());
  y /= std::sqrt(y.dot(covariance * y));
  const auto objective = [&](const Eigen::VectorXd& v) {
    return 0.5 * v.dot(covariance * v) - b.dot(v.array().log().matrix());
  };
  // F/min(b) is self-concordant (each log term has weight ≥ 1), so a Newton
  // decrement below 1/4 on that scale puts the full step in the region of
  // quadratic convergence; larger ones get a backtracking line search.
  const double b_min = b.minCoeff();

  TargetModelResult r;
  Eigen::VectorXd sy(n);
  Eigen::LLT<Eigen::MatrixXd> llt(n);
  int it = 0;
  double error = 0;
  for (;; ++it) {
    sy.noalias() = covariance * y;
    const Eigen::VectorXd rc = y.cwiseProduct(sy) / y.dot(sy);
    error = (rc - b).cwiseAbs().maxCoeff();
    if (error <= params.tolerance || it >= params.max_iterations) break;
    const Eigen::VectorXd grad = sy - b.cwiseQuotient(y);
    Eigen::MatrixXd hess = covariance;
    hess.diagonal() += b.cwiseQuotient(y.cwiseProduct(y));
    llt.compute(hess);
    if (llt.info() != Eigen::Success) return failure("risk budgets: the Newton system is not positive definite");
    const Eigen::VectorXd d = -llt.solve(grad);
    const double decrement2 = -grad.dot(d);
    if (!(decrement2 > 0)) break;  // no descent left at double precision
    double alpha = 1;
    if (std::sqrt(decrement2 / b_min) >= 0.25) {
      for (Eigen::Index i = 0; i < n; ++i) {
        if (d(i) < 0) alpha = std::min(alpha, -0.99 * y(i) / d(i));  // keep y > 0
      }
      const double f0 = objective(y);
      int halvings = 0;
      while (objective(y + alpha * d) > f0 - 1e-4 * alpha * decrement2 && halvings < 60) {
        alpha /= 2;
        ++halvings;
      }
    }
    y += alpha * d;
  }
  if (error > params.tolerance) {
    return failure(core::printf_string("risk budgets: contributions off by %g after %d Newton steps", error, it));
  }
  const Eigen::VectorXd w = y / y.sum();
  const Eigen::VectorXd sw = covariance * w;
  const Eigen::VectorXd rc = w.cwiseProduct(sw) / w.dot(sw);
  r.weights.assign(w.data(), w.data() + n);
  r.cash_weight = 0;
  r.risk_contributions.assign(rc.data(), rc.data() + n);
  r.max_budget_error = (rc - b).cwiseAbs().maxCoeff();
  r.iterations = it;
  r.ok = true;
  return r;
}

namespace {
// What both mean-variance forms refuse alike; empty when the inputs are usable.
std::string mean_variance_input_error(std::span<const double> expected_returns, const Eigen::MatrixXd& covariance,
                                      double risk_aversion) {
  if (auto e = covariance_error(covariance); !e.empty()) return e;
  const Eigen::Index n = covariance.rows();
  if (static_cast<Eigen::Index>(expected_returns.size()) != n) {
    return core::printf_string("%zu expected returns for %ld assets", expected_returns.size(), static_cast<long>(n));
  }
  if (!as_vector(expected_returns).allFinite()) return "expected returns must be finite";
  if (!(risk_aversion > 0) || !std::isfinite(risk_aversion))
    return core::printf_string("risk_aversion %g must be > 0", risk_aversion);
  return {};
}
}  // namespace

TargetModelResult mean_variance_weights(std::span<const double> expected_returns, const Eigen::MatrixXd& covariance,
                                        const MeanVarianceParams& params) {
  if (auto e = mean_variance_input_error(expected_returns, covariance, params.risk_aversion); !e.empty())
    return failure(std::move(e));
  const Eigen::Index n = covariance.rows();
  const auto mu = as_vector(expected_returns);
  if (!std::isfinite(params.cash_target)) return failure("cash_target must be finite");
  const double lo = params.min_weight;
  const double hi = params.max_weight;
  if (std::isnan(lo) || std::isnan(hi) || lo > hi || lo == INFINITY || hi == -INFINITY) {
    return failure(core::printf_string("weight bounds [%g, %g] are empty", lo, hi));
  }
  const double budget = 1 - params.cash_target;
  const double count = static_cast<double>(n);
  const double tol = 1e-12 * count * std::max({1.0, std::abs(budget), std::isfinite(lo) ? std::abs(lo) : 0.0,
                                               std::isfinite(hi) ? std::abs(hi) : 0.0});
  if (count * hi < budget - tol) {
    return failure(core::printf_string("infeasible bounds: %ld assets x max_weight %g = %g < budget %g",
                                       static_cast<long>(n), hi, count * hi, budget));
  }
  if (count * lo > budget + tol) {
    return failure(core::printf_string("infeasible bounds: %ld assets x min_weight %g = %g > budget %g",
                                       static_cast<long>(n), lo, count * lo, budget));
  }

  const Eigen::MatrixXd hessian = params.risk_aversion * covariance;
  const Eigen::VectorXd linear = -mu;
  const BoxQpResult qp = solve_box_qp(hessian, linear, budget, Eigen::VectorXd::Constant(n, lo),
                                      Eigen::VectorXd::Constant(n, hi), {params.max_iterations});
  if (!qp.ok) return failure("mean-variance: " + qp.error);
  TargetModelResult r;
  r.weights.assign(qp.x.data(), qp.x.data() + n);
  r.cash_weight = 1 - qp.x.sum();
  r.iterations = qp.iterations;
  r.bounds = qp.state;
  r.budget_multiplier = qp.equality_multiplier;
  r.lower_multipliers.assign(qp.lower_multipliers.data(), qp.lower_multipliers.data() + n);
  r.upper_multipliers.assign(qp.upper_multipliers.data(), qp.upper_multipliers.data() + n);
  r.objective = -qp.objective;
  r.ok = true;
  return r;
}

TargetModelResult mean_variance_unconstrained(std::span<const double> expected_returns,
                                              const Eigen::MatrixXd& covariance, double risk_aversion,
                                              double budget) {
  if (auto e = mean_variance_input_error(expected_returns, covariance, risk_aversion); !e.empty())
    return failure(std::move(e));
  const Eigen::Index n = covariance.rows();
  const auto mu = as_vector(expected_returns);
  if (!std::isfinite(budget)) return failure("budget must be finite");
  Eigen::LLT<Eigen::MatrixXd> llt(covariance);
  if (llt.info() != Eigen::Success) {
    return failure("covariance is singular: the closed form needs it positive definite");
  }
  const Eigen::VectorXd a = llt.solve(mu);
  const Eigen::VectorXd c = llt.solve(Eigen::VectorXd::Ones(n));
  const double gamma = (a.sum() - risk_aversion * budget) / c.sum();
  const Eigen::VectorXd w = (a - gamma * c) / risk_aversion;
  TargetModelResult r;
  r.weights.assign(w.data(), w.data() + n);
  r.cash_weight = 1 - w.sum();
  r.budget_multiplier = -gamma;  // λΣw − μ = −γ·1
  r.objective = mu.dot(w) - 0.5 * risk_aversion * w.dot(covariance * w);
  r.ok = true;
  return r;
}

TargetModelResult cppi_weights(std::span<const double> risky_mix, const CppiParams& params) {
  if (risky_mix.empty()) return failure("risky mix is empty");
  if (auto e = mix_error(risky_mix, risky_mix.size()); !e.empty()) return failure(std::move(e));
  if (auto e = safe_asset_error(params.safe_asset, risky_mix); !e.empty()) return failure(std::move(e));
  if (!(params.value > 0) || !std::isfinite(params.value))
    return failure(core::printf_string("value %g must be > 0", params.value));
  if (!(params.floor >= 0) || !std::isfinite(params.floor)) {
    return failure(core::printf_string("floor %g must be >= 0", params.floor));
  }
  if (!(params.multiplier >= 0) || !std::isfinite(params.multiplier)) {
    return failure(core::printf_string("multiplier %g must be >= 0", params.multiplier));
  }
  if (!(params.max_leverage > 0) || !std::isfinite(params.max_leverage)) {
    return failure(core::printf_string("max_leverage %g must be > 0", params.max_leverage));
  }
  const double cushion = params.value - params.floor;
  const double exposure =
      std::min(params.max_leverage * params.value, params.multiplier * std::max(0.0, cushion));
  TargetModelResult r;
  split(r, risky_mix, exposure / params.value, params.safe_asset);
  r.exposure = exposure;
  r.cushion = cushion;
  r.ok = true;
  return r;
}

TargetModelResult buy_and_hold(std::span<const double> current_weights, double current_cash_weight) {
  TargetModelResult r;
  r.weights.assign(current_weights.begin(), current_weights.end());
  r.cash_weight = current_cash_weight;
  r.never_trade = true;
  r.ok = true;
  return r;
}

}  // namespace ballast::strategies
