#include "strategies/qp_solver.hpp"

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <limits>

#include "core/numbers.hpp"
#include "core/text_format.hpp"

namespace ballast::strategies {
namespace {

using core::kInf;

/// A step for the free variables (in the order of the free list). A ray is a
/// direction of zero curvature along which the objective falls linearly: its
/// length is set by the first bound it meets, or the problem is unbounded.
struct Step {
  Eigen::VectorXd p;
  bool ray = false;
  std::string error;
};

// Working set = the bounds held active; the equality is always active. At most
// n − 1 bounds are held, so the active constraints stay linearly independent
// (n bounds plus Σx = total would over-determine x).
class ActiveSet {
 public:
  ActiveSet(const Eigen::MatrixXd& h, const Eigen::VectorXd& g, double total, const Eigen::VectorXd& lo,
            const Eigen::VectorXd& up)
      : h_(h), g_(g), total_(total), lo_(lo), up_(up), n_(h.rows()) {
    h_scale_ = std::max(h_.diagonal().cwiseAbs().maxCoeff(), std::numeric_limits<double>::min());
    // A pivot below this is treated as zero: the free block is then singular
    // (for a PSD H) and the null-space path takes over.
    pd_tol_ = 1e-12 * h_scale_;
  }

  BoxQpResult run(int max_iterations);

 private:
  bool start(std::string& error);
  void refactor();
  void append_free(Eigen::Index j);
  void remove_free(std::size_t pos);
  Step step();
  Step null_space_step(const Eigen::VectorXd& g_free, double residual);
  double free_gradient_mean() const;
  void update_gradient() {
    grad_.noalias() = h_ * x_;
    grad_ += g_;
  }

  const Eigen::MatrixXd& h_;
  const Eigen::VectorXd& g_;
  double total_;
  const Eigen::VectorXd& lo_;
  const Eigen::VectorXd& up_;
  Eigen::Index n_;
  double h_scale_ = 0;
  double pd_tol_ = 0;

  Eigen::VectorXd x_;
  Eigen::VectorXd grad_;  ///< H x + g
  std::vector<BoundState> state_;
  std::vector<Eigen::Index> free_;
  /// Lower Cholesky factor of H restricted to the free list, kept in step with
  /// it by O(k²) row/column updates; valid only while chol_ok_.
  Eigen::MatrixXd chol_;
  bool chol_ok_ = false;
};

bool ActiveSet::start(std::string& error) {
  double lo_sum = 0;
  double up_sum = 0;
  double bound_scale = std::max(1.0, std::abs(total_));
  for (Eigen::Index i = 0; i < n_; ++i) {
    lo_sum += lo_(i);
    up_sum += up_(i);
    if (std::isfinite(lo_(i))) bound_scale = std::max(bound_scale, std::abs(lo_(i)));
    if (std::isfinite(up_(i))) bound_scale = std::max(bound_scale, std::abs(up_(i)));
  }
  const double tol = 1e-12 * static_cast<double>(n_) * bound_scale;
  if (lo_sum > total_ + tol || up_sum < total_ - tol) {
    error = core::printf_string("infeasible: the bounds allow a sum in [%g, %g], not %g", lo_sum, up_sum, total_);
    return false;
  }
  // An even split clipped to the box, then the shortfall poured into whatever room is left.
  x_.resize(n_);
  for (Eigen::Index i = 0; i < n_; ++i) x_(i) = std::clamp(total_ / static_cast<double>(n_), lo_(i), up_(i));
  double residual = total_ - x_.sum();
  for (Eigen::Index i = 0; i < n_ && residual != 0; ++i) {
    const double room = residual > 0 ? up_(i) - x_(i) : lo_(i) - x_(i);
    const double delta = residual > 0 ? std::min(residual, room) : std::max(residual, room);
    x_(i) += delta;
    residual -= delta;
  }
  state_.assign(static_cast<std::size_t>(n_), BoundState::free);
  free_.clear();
  for (Eigen::Index i = 0; i < n_; ++i) {
    auto& s = state_[static_cast<std::size_t>(i)];
    if (x_(i) == lo_(i)) {
      s = BoundState::at_lower;
    } else if (x_(i) == up_(i)) {
      s = BoundState::at_upper;
    } else {
      free_.push_back(i);
    }
  }
  if (free_.empty()) {  // a vertex: free one variable so the working set stays independent
    state_[0] = BoundState::free;
    free_.push_back(0);
  }
  chol_.resize(n_, n_);
  refactor();
  update_gradient();
  return true;
}

void ActiveSet::refactor() {
  const auto k = static_cast<Eigen::Index>(free_.size());
  Eigen::LLT<Eigen::MatrixXd> llt(h_(free_, free_));
  chol_ok_ = llt.info() == Eigen::Success;
  if (!chol_ok_) return;
  const Eigen::MatrixXd& l = llt.matrixLLT();
  for (Eigen::Index i = 0; i < k; ++i) {
    if (l(i, i) * l(i, i) <= pd_tol_) {
      chol_ok_ = false;
      return;
    }
  }
  chol_.topLeftCorner(k, k).triangularView<Eigen::Lower>() = l.triangularView<Eigen::Lower>();
}

void ActiveSet::append_free(Eigen::Index j) {
  const auto k = static_cast<Eigen::Index>(free_.size());
  free_.push_back(j);
  if (!chol_ok_) return;
  Eigen::VectorXd col(k);
  for (Eigen::Index r = 0; r < k; ++r) col(r) = h_(free_[static_cast<std::size_t>(r)], j);
  chol_.topLeftCorner(k, k).triangularView<Eigen::Lower>().solveInPlace(col);
  const double d2 = h_(j, j) - col.squaredNorm();
  if (d2 <= pd_tol_) {
    chol_ok_ = false;
    return;
  }
  chol_.row(k).head(k) = col.transpose();
  chol_(k, k) = std::sqrt(d2);
}

void ActiveSet::remove_free(std::size_t pos) {
  const auto k = static_cast<Eigen::Index>(free_.size());
  const auto q = static_cast<Eigen::Index>(pos);
  free_.erase(free_.begin() + static_cast<std::ptrdiff_t>(pos));
  if (!chol_ok_) return;
  // Deleting row and column q of A = LLᵀ leaves the rows above untouched and
  // turns the trailing block into L₃₃L₃₃ᵀ + l₃₂l₃₂ᵀ: a rank-one update.
  const Eigen::Index m = k - 1 - q;
  Eigen::VectorXd v = chol_.col(q).segment(q + 1, m);
  for (Eigen::Index c = 0; c < q; ++c) {
    for (Eigen::Index r = q; r < k - 1; ++r) chol_(r, c) = chol_(r + 1, c);
  }
  for (Eigen::Index c = q; c < k - 1; ++c) {
    for (Eigen::Index r = c; r < k - 1; ++r) chol_(r, c) = chol_(r + 1, c + 1);
  }
  for (Eigen::Index i = 0; i < m; ++i) {
    const Eigen::Index a = q + i;
    const double lii = chol_(a, a);
    const double r = std::hypot(lii, v(i));
    const double c = r / lii;
    const double s = v(i) / lii;
    chol_(a, a) = r;
    for (Eigen::Index j = i + 1; j < m; ++j) {
      const Eigen::Index b = q + j;
      chol_(b, a) = (chol_(b, a) + s * v(j)) / c;
      v(j) = c * v(j) - s * chol_(b, a);
    }
  }
}

// The minimiser of the objective over the current face: free variables move,
// bound ones stay, and the step also repairs any rounding drift in Σx.
Step ActiveSet::step() {
  const auto k = static_cast<Eigen::Index>(free_.size());
  const double residual = total_ - x_.sum();
  Step s;
  if (k == 1) {  // the equality pins the only free variable
    s.p = Eigen::VectorXd::Constant(1, residual);
    return s;
  }
  const Eigen::VectorXd g_free = grad_(free_);
  if (!chol_ok_) refactor();
  if (!chol_ok_) return null_space_step(g_free, residual);
  // Range-space solution of [H_FF −1; 1ᵀ 0][p; ν] = [−g_F; r]:
  // p = ν·H⁻¹1 − H⁻¹g with ν fixed by 1ᵀp = r.
  const auto l = chol_.topLeftCorner(k, k).triangularView<Eigen::Lower>();
  Eigen::VectorXd a = l.solve(g_free);
  l.transpose().solveInPlace(a);
  Eigen::VectorXd c = l.solve(Eigen::VectorXd::Ones(k));
  l.transpose().solveInPlace(c);
  const double nu = (residual + a.sum()) / c.sum();
  s.p = nu * c - a;
  return s;
}

// For a singular free block: work in an orthonormal basis Z of {d : 1ᵀd = 0}
// and diagonalise the reduced Hessian ZᵀHZ. Curved directions get Newton
// steps; a flat direction with a slope is a ray; flat and level directions are
// left alone (any point along them is optimal).
Step ActiveSet::null_space_step(const Eigen::VectorXd& g_free, double residual) {
  const auto k = g_free.size();
  Step s;
  Eigen::VectorXd v = Eigen::VectorXd::Ones(k);
  v(0) += std::sqrt(static_cast<double>(k));
  Eigen::MatrixXd q = Eigen::MatrixXd::Identity(k, k) - (2 / v.squaredNorm()) * v * v.transpose();
  const Eigen::MatrixXd z = q.rightCols(k - 1);  // Householder reflector of 1: its other columns are ⟂ 1
  const Eigen::MatrixXd h_free = h_(free_, free_);
  const Eigen::VectorXd p0 = Eigen::VectorXd::Constant(k, residual / static_cast<double>(k));
  const Eigen::MatrixXd reduced = z.transpose() * h_free * z;
  const Eigen::VectorXd slope = z.transpose() * (g_free + h_free * p0);
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(reduced);
  const Eigen::VectorXd& theta = eig.eigenvalues();
  const Eigen::MatrixXd& basis = eig.eigenvectors();
  if (theta(0) < -1e-9 * h_scale_) {
    s.error = core::printf_string("the quadratic is not convex: curvature %g along a feasible direction", theta(0));
    return s;
  }
  const Eigen::VectorXd t = basis.transpose() * slope;
  const double curvature_tol = 1e-12 * h_scale_;
  const double slope_tol = 1e-12 * std::max(1.0, grad_.cwiseAbs().maxCoeff());
  Eigen::Index steepest = -1;
  for (Eigen::Index i = 0; i < t.size(); ++i) {
    if (theta(i) <= curvature_tol && std::abs(t(i)) > slope_tol &&
        (steepest < 0 || std::abs(t(i)) > std::abs(t(steepest)))) {
      steepest = i;
    }
  }
  if (steepest >= 0) {
    s.ray = true;
    s.p = (t(steepest) > 0 ? -1.0 : 1.0) * (z * basis.col(steepest));
    return s;
  }
  Eigen::VectorXd coef = Eigen::VectorXd::Zero(t.size());
  for (Eigen::Index i = 0; i < t.size(); ++i) {
    if (theta(i) > curvature_tol) coef(i) = -t(i) / theta(i);
  }
  s.p = p0 + z * (basis * coef);
  return s;
}

double ActiveSet::free_gradient_mean() const {
  double sum = 0;
  for (const auto i : free_) sum += grad_(i);
  return sum / static_cast<double>(free_.size());
}

BoxQpResult ActiveSet::run(int max_iterations) {
  BoxQpResult out;
  if (!start(out.error)) return out;

  int iterations = 0;
  bool at_face_minimum = false;  // after a full step the face's minimiser is reached exactly
  Eigen::Index just_freed = -1;
  BoundState freed_from = BoundState::free;
  for (;;) {
    if (iterations >= max_iterations) {
      out.error = core::printf_string("no optimum after %d active-set iterations", iterations);
      return out;
    }
    ++iterations;
    Step s;
    if (!at_face_minimum) {
      s = step();
      if (!s.error.empty()) {
        out.error = s.error;
        return out;
      }
    }
    const double step_tol = 1e-14 * std::max(1.0, x_.cwiseAbs().maxCoeff());
    if (at_face_minimum || (!s.ray && s.p.cwiseAbs().maxCoeff() <= step_tol)) {
      // Stationary on this face: a bound whose multiplier has the wrong sign
      // is holding the objective up; release the worst one.
      const double nu = free_gradient_mean();
      const double dual_tol = 1e-11 * std::max(1.0, grad_.cwiseAbs().maxCoeff());
      Eigen::Index worst = -1;
      double worst_z = -dual_tol;
      for (Eigen::Index i = 0; i < n_; ++i) {
        const auto st = state_[static_cast<std::size_t>(i)];
        if (st == BoundState::free) continue;
        const double z = st == BoundState::at_lower ? grad_(i) - nu : nu - grad_(i);
        if (z < worst_z) {
          worst_z = z;
          worst = i;
        }
      }
      if (worst < 0) break;
      freed_from = state_[static_cast<std::size_t>(worst)];
      state_[static_cast<std::size_t>(worst)] = BoundState::free;
      append_free(worst);
      just_freed = worst;
      at_face_minimum = false;
      continue;
    }

    // Ratio test: the longest step along p that stays inside the box.
    double alpha = s.ray ? kInf : 1.0;
    std::ptrdiff_t blocking = -1;
    BoundState blocking_state = BoundState::free;
    for (std::size_t pos = 0; pos < free_.size(); ++pos) {
      const Eigen::Index i = free_[pos];
      const double pi = s.p(static_cast<Eigen::Index>(pos));
      // A bound just released cannot block in exact arithmetic (its multiplier
      // had the wrong sign); a rounding-level step back towards it would only
      // re-add it and cycle, so it is clamped afterwards instead.
      if (i == just_freed &&
          ((freed_from == BoundState::at_lower && pi < 0) || (freed_from == BoundState::at_upper && pi > 0))) {
        continue;
      }
      if (pi < 0 && std::isfinite(lo_(i))) {
        const double a = std::max(0.0, (lo_(i) - x_(i)) / pi);
        if (a < alpha) {
          alpha = a;
          blocking = static_cast<std::ptrdiff_t>(pos);
          blocking_state = BoundState::at_lower;
        }
      } else if (pi > 0 && std::isfinite(up_(i))) {
        const double a = std::max(0.0, (up_(i) - x_(i)) / pi);
        if (a < alpha) {
          alpha = a;
          blocking = static_cast<std::ptrdiff_t>(pos);
          blocking_state = BoundState::at_upper;
        }
      }
    }
    if (!std::isfinite(alpha)) {
      out.error = "unbounded: the objective falls without limit along a feasible direction";
      return out;
    }
    Eigen::VectorXd moved(static_cast<Eigen::Index>(free_.size()));
    for (std::size_t pos = 0; pos < free_.size(); ++pos) {
      const Eigen::Index i = free_[pos];
      const auto k = static_cast<Eigen::Index>(pos);
      double next = std::clamp(x_(i) + alpha * s.p(k), lo_(i), up_(i));
      if (static_cast<std::ptrdiff_t>(pos) == blocking) {
        next = blocking_state == BoundState::at_lower ? lo_(i) : up_(i);
      }
      moved(k) = next - x_(i);
      x_(i) = next;
    }
    // Only free variables moved: O(n·k) instead of recomputing Hx, with a full
    // refresh now and then so rounding cannot accumulate.
    if (iterations % 32 == 0) {
      update_gradient();
    } else {
      for (std::size_t pos = 0; pos < free_.size(); ++pos) {
        const double d = moved(static_cast<Eigen::Index>(pos));
        if (d != 0) grad_.noalias() += d * h_.col(free_[pos]);
      }
    }
    if (blocking >= 0) {
      const Eigen::Index i = free_[static_cast<std::size_t>(blocking)];
      state_[static_cast<std::size_t>(i)] = blocking_state;
      remove_free(static_cast<std::size_t>(blocking));
    }
    at_face_minimum = blocking < 0 && !s.ray;
    just_freed = -1;
  }

  // Polish: one step from a fresh factorisation of the final face removes the
  // rounding the incremental updates accumulated, then the certificate.
  refactor();
  const Step polish = step();
  if (polish.error.empty() && !polish.ray) {
    for (std::size_t pos = 0; pos < free_.size(); ++pos) {
      const Eigen::Index i = free_[pos];
      x_(i) = std::clamp(x_(i) + polish.p(static_cast<Eigen::Index>(pos)), lo_(i), up_(i));
    }
    update_gradient();
  }
  const double nu = free_gradient_mean();
  out.lower_multipliers = Eigen::VectorXd::Zero(n_);
  out.upper_multipliers = Eigen::VectorXd::Zero(n_);
  for (Eigen::Index i = 0; i < n_; ++i) {
    const auto st = state_[static_cast<std::size_t>(i)];
    if (st == BoundState::at_lower) out.lower_multipliers(i) = grad_(i) - nu;
    if (st == BoundState::at_upper) out.upper_multipliers(i) = nu - grad_(i);
  }
  out.equality_multiplier = nu;
  out.objective = 0.5 * x_.dot(h_ * x_) + g_.dot(x_);
  out.iterations = iterations;
  out.state = state_;
  out.x = x_;
  out.ok = true;
  return out;
}

}  // namespace

BoxQpResult solve_box_qp(const Eigen::MatrixXd& hessian, const Eigen::VectorXd& linear, double total,
                         const Eigen::VectorXd& lower, const Eigen::VectorXd& upper, const BoxQpOptions& options) {
  BoxQpResult out;
  const Eigen::Index n = hessian.rows();
  if (n == 0) {
    out.error = "no variables";
    return out;
  }
  if (hessian.cols() != n || linear.size() != n || lower.size() != n || upper.size() != n) {
    out.error =
        core::printf_string("size mismatch: hessian %ldx%ld, linear %ld, lower %ld, upper %ld", static_cast<long>(n),
                            static_cast<long>(hessian.cols()), static_cast<long>(linear.size()),
                            static_cast<long>(lower.size()), static_cast<long>(upper.size()));
    return out;
  }
  if (!hessian.allFinite() || !linear.allFinite() || !std::isfinite(total)) {
    out.error = "hessian, linear term and total must be finite";
    return out;
  }
  const double h_scale = std::max(hessian.cwiseAbs().maxCoeff(), std::numeric_limits<double>::min());
  if ((hessian - hessian.transpose()).cwiseAbs().maxCoeff() > 1e-12 * h_scale) {
    out.error = "hessian is not symmetric";
    return out;
  }
  for (Eigen::Index i = 0; i < n; ++i) {
    if (std::isnan(lower(i)) || std::isnan(upper(i)) || lower(i) > upper(i) || lower(i) == kInf ||
        upper(i) == -kInf) {
      out.error =
          core::printf_string("variable %ld: bounds [%g, %g] are empty", static_cast<long>(i), lower(i), upper(i));
      return out;
    }
  }
  const int cap = options.max_iterations > 0 ? options.max_iterations : static_cast<int>(10 * n + 100);
  ActiveSet solver(hessian, linear, total, lower, upper);
  return solver.run(cap);
}

}  // namespace ballast::strategies
