// Target-model solvers: mean-variance with bounds against NLopt's SLSQP on the
// same problems, and the risk-budget Newton solve, at several universe sizes.
// Prints figures; never passes or fails.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include <nlopt.h>

#include <Eigen/Dense>

#include "bench/bench_common.hpp"
#include "strategies/qp_solver.hpp"
#include "strategies/target_models.hpp"

using namespace ballast;
using namespace std::chrono;

namespace {

struct Problem {
  Eigen::MatrixXd cov;
  Eigen::VectorXd mu;
  double lambda = 3;
  double budget = 1;
  double lo = 0;
  double hi = 1;
};

/// Three-factor covariance BBᵀ + D (vols about 15–40%, condition number in the
/// tens) and returns around 7% ± 5%: realistic and well conditioned.
Problem make_problem(int n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> z(0, 1);
  std::uniform_real_distribution<double> idio(0.01, 0.05);
  Eigen::MatrixXd b(n, 3);
  for (int i = 0; i < n; ++i) {
    for (int k = 0; k < 3; ++k) b(i, k) = 0.12 * z(rng);
  }
  Problem p;
  p.cov = b * b.transpose();
  for (int i = 0; i < n; ++i) p.cov(i, i) += idio(rng);
  p.mu.resize(n);
  for (int i = 0; i < n; ++i) p.mu(i) = 0.07 + 0.05 * z(rng);
  // A cap of 3/n (never below 5%) binds for the best assets; the long-only floor for the worst.
  p.hi = std::max(3.0 / n, 0.05);
  return p;
}

double utility(const Problem& p, const Eigen::VectorXd& w) { return p.mu.dot(w) - 0.5 * p.lambda * w.dot(p.cov * w); }

/// What NLopt's callbacks see: the problem and a count of objective evaluations.
struct Callback {
  const Problem* problem;
  int evaluations = 0;
};

double nlopt_objective(unsigned n, const double* x, double* grad, void* data) {
  auto& cb = *static_cast<Callback*>(data);
  ++cb.evaluations;
  const Problem& p = *cb.problem;
  const Eigen::Map<const Eigen::VectorXd> w(x, n);
  const Eigen::VectorXd sw = p.cov * w;
  if (grad) Eigen::Map<Eigen::VectorXd>(grad, n) = p.lambda * sw - p.mu;
  return 0.5 * p.lambda * w.dot(sw) - p.mu.dot(w);
}

double nlopt_budget(unsigned n, const double* x, double* grad, void* data) {
  const Problem& p = *static_cast<const Callback*>(data)->problem;
  if (grad) std::fill(grad, grad + n, 1.0);
  double s = 0;
  for (unsigned i = 0; i < n; ++i) s += x[i];
  return s - p.budget;
}

struct NloptRun {
  Eigen::VectorXd w;
  nlopt_result status = NLOPT_FAILURE;
  int evaluations = 0;
};

NloptRun solve_slsqp(const Problem& p) {
  const auto n = static_cast<unsigned>(p.mu.size());
  nlopt_opt opt = nlopt_create(NLOPT_LD_SLSQP, n);
  Callback cb{&p};
  nlopt_set_min_objective(opt, nlopt_objective, &cb);
  nlopt_add_equality_constraint(opt, nlopt_budget, &cb, 1e-12);
  std::vector<double> lb(n, p.lo), ub(n, p.hi);
  nlopt_set_lower_bounds(opt, lb.data());
  nlopt_set_upper_bounds(opt, ub.data());
  nlopt_set_xtol_rel(opt, 1e-10);
  nlopt_set_ftol_rel(opt, 1e-14);
  nlopt_set_maxeval(opt, 200000);
  std::vector<double> x(n, p.budget / n);
  double minf = 0;
  NloptRun run;
  run.status = nlopt_optimize(opt, x.data(), &minf);
  nlopt_destroy(opt);
  run.w = Eigen::Map<Eigen::VectorXd>(x.data(), n);
  run.evaluations = cb.evaluations;
  return run;
}

/// Median wall time of `reps` calls, in microseconds.
template <typename F>
double median_us(int reps, F&& f) {
  std::vector<double> t;
  t.reserve(static_cast<std::size_t>(reps));
  for (int r = 0; r < reps; ++r) {
    const auto t0 = steady_clock::now();
    f();
    t.push_back(duration<double, std::micro>(steady_clock::now() - t0).count());
  }
  return bench::percentile(t, 0.5);
}

}  // namespace

int main() {
  std::printf("mean-variance: max w'mu - (lambda/2) w'Sigma w, sum w = 1, 0 <= w <= max(3/n, 5%%), lambda = 3\n");
  std::printf("  median solve time per problem; gap = utility(ballast) - utility(SLSQP), > 0 when ballast is better\n");
  std::printf("  slsqp_viol = SLSQP's largest violation of the budget or a bound; a gap of that order is noise\n");
  std::printf("%6s %6s %6s %12s %12s %12s %8s %7s %8s %12s %10s %11s\n", "n", "lower", "upper", "ballast_us",
              "qp_only_us", "slsqp_us", "speedup", "iters", "evals", "gap", "max|dw|", "slsqp_viol");
  for (const int n : {10, 50, 200}) {
    const Problem p = make_problem(n, 42 + static_cast<std::uint64_t>(n));
    const strategies::MeanVarianceParams params{.risk_aversion = p.lambda, .cash_target = 1 - p.budget,
                                                .min_weight = p.lo, .max_weight = p.hi};
    const std::vector<double> mu(p.mu.data(), p.mu.data() + n);
    const auto ours = strategies::mean_variance_weights(mu, p.cov, params);
    if (!ours.ok) {
      std::printf("%6d ballast failed: %s\n", n, ours.error.c_str());
      continue;
    }
    const NloptRun ref = solve_slsqp(p);
    const Eigen::VectorXd w = Eigen::Map<const Eigen::VectorXd>(ours.weights.data(), n);
    int lower = 0, upper = 0;
    for (const auto s : ours.bounds) {
      lower += s == strategies::BoundState::at_lower;
      upper += s == strategies::BoundState::at_upper;
    }
    const int reps = n <= 10 ? 2000 : n <= 50 ? 200 : 20;
    const double t_ours = median_us(reps, [&] { (void)strategies::mean_variance_weights(mu, p.cov, params); });
    const Eigen::MatrixXd h = p.lambda * p.cov;
    const Eigen::VectorXd g = -p.mu;
    const Eigen::VectorXd lo = Eigen::VectorXd::Constant(n, p.lo);
    const Eigen::VectorXd hi = Eigen::VectorXd::Constant(n, p.hi);
    const double t_qp = median_us(reps, [&] { (void)strategies::solve_box_qp(h, g, p.budget, lo, hi); });
    const double t_ref = median_us(n <= 50 ? reps / 10 : 3, [&] { (void)solve_slsqp(p); });
    const double violation =
        std::max({std::abs(ref.w.sum() - p.budget), p.lo - ref.w.minCoeff(), ref.w.maxCoeff() - p.hi, 0.0});
    std::printf("%6d %6d %6d %12.1f %12.1f %12.1f %7.1fx %7d %8d %12.3e %10.2e %11.2e  (nlopt status %d)\n", n, lower,
                upper, t_ours, t_qp, t_ref, t_ref / t_ours, ours.iterations, ref.evaluations,
                utility(p, w) - utility(p, ref.w), (w - ref.w).cwiseAbs().maxCoeff(), violation,
                static_cast<int>(ref.status));
  }

  std::printf("\nrisk parity: equal risk budgets, Newton on the Spinu convex form, contributions to 1e-10\n");
  std::printf("%6s %12s %8s %14s\n", "n", "solve_us", "newton", "max_rc_error");
  for (const int n : {10, 50, 200, 500}) {
    const Problem p = make_problem(n, 7 + static_cast<std::uint64_t>(n));
    const auto r = strategies::risk_budget_weights(p.cov);
    if (!r.ok) {
      std::printf("%6d failed: %s\n", n, r.error.c_str());
      continue;
    }
    const int reps = n <= 10 ? 2000 : n <= 50 ? 200 : n <= 200 ? 20 : 5;
    const double t = median_us(reps, [&] { (void)strategies::risk_budget_weights(p.cov); });
    std::printf("%6d %12.1f %8d %14.3e\n", n, t, r.iterations, r.max_budget_error);
  }
  return 0;
}
