#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>

#include <Eigen/Dense>

#include "strategies/qp_solver.hpp"

namespace test_qp_solver {

using namespace ballast::strategies;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

Eigen::VectorXd vec(std::initializer_list<double> v) {
  Eigen::VectorXd out(static_cast<Eigen::Index>(v.size()));
  Eigen::Index i = 0;
  for (const double x : v) out(i++) = x;
  return out;
}

/// A KKT point of a convex QP is a global optimum, so these checks certify the answer.
void check_certificate(const BoxQpResult& r, const Eigen::MatrixXd& h, const Eigen::VectorXd& g, double total,
                       const Eigen::VectorXd& lo, const Eigen::VectorXd& up) {
  const auto n = g.size();
  const Eigen::VectorXd residual = h * r.x + g - r.equality_multiplier * Eigen::VectorXd::Ones(n) -
                                   r.lower_multipliers + r.upper_multipliers;
  CHECK(residual.cwiseAbs().maxCoeff() <= 1e-9);
  CHECK(std::abs(r.x.sum() - total) <= 1e-9);
  for (Eigen::Index i = 0; i < n; ++i) {
    CHECK(r.x(i) >= lo(i) - 1e-12);
    CHECK(r.x(i) <= up(i) + 1e-12);
    CHECK(r.lower_multipliers(i) >= -1e-9);
    CHECK(r.upper_multipliers(i) >= -1e-9);
    if (std::isfinite(lo(i))) CHECK(std::abs(r.lower_multipliers(i) * (r.x(i) - lo(i))) <= 1e-9);
    if (std::isfinite(up(i))) CHECK(std::abs(r.upper_multipliers(i) * (up(i) - r.x(i))) <= 1e-9);
  }
  CHECK(r.objective == doctest::Approx(0.5 * r.x.dot(h * r.x) + g.dot(r.x)));
}

}  // namespace

TEST_CASE("box QP: projection of a point onto the simplex") {
  // min ½|x − c|² on the simplex is x = max(c − τ, 0) with Σx = 1; for c = (1, 0.6, −1)
  // that is (1 − τ) + (0.6 − τ) = 1, τ = 0.3, x = (0.7, 0.3, 0), and ν = −τ.
  const Eigen::MatrixXd h = Eigen::MatrixXd::Identity(3, 3);
  const Eigen::VectorXd c = vec({1, 0.6, -1});
  const Eigen::VectorXd lo = Eigen::VectorXd::Zero(3);
  const Eigen::VectorXd up = Eigen::VectorXd::Constant(3, kInf);
  const auto r = solve_box_qp(h, -c, 1, lo, up);
  REQUIRE(r.ok);
  CHECK(r.x(0) == doctest::Approx(0.7));
  CHECK(r.x(1) == doctest::Approx(0.3));
  CHECK(r.x(2) == 0);
  CHECK(r.state[2] == BoundState::at_lower);
  CHECK(r.equality_multiplier == doctest::Approx(-0.3));
  check_certificate(r, h, -c, 1, lo, up);
}

TEST_CASE("box QP: random per-variable bounds give a KKT certificate") {
  std::mt19937_64 rng(5);
  std::normal_distribution<double> z(0, 1);
  std::uniform_real_distribution<double> u(0, 1);
  for (int trial = 0; trial < 200; ++trial) {
    CAPTURE(trial);
    const int n = 2 + trial % 40;
    Eigen::MatrixXd a(n, n);
    for (int i = 0; i < n; ++i) {
      for (int j = 0; j < n; ++j) a(i, j) = z(rng);
    }
    // Every fifth case is rank-deficient: the null-space path must cope.
    const int rank = trial % 5 == 0 ? std::max(1, n / 2) : n;
    const Eigen::MatrixXd f = a.leftCols(rank);
    const Eigen::MatrixXd h = f * f.transpose() / n + (rank == n ? 0.1 : 0.0) * Eigen::MatrixXd::Identity(n, n);
    Eigen::VectorXd g(n), lo(n), up(n);
    for (int i = 0; i < n; ++i) {
      g(i) = z(rng);
      lo(i) = u(rng) < 0.2 ? -kInf : -u(rng);
      up(i) = u(rng) < 0.2 ? kInf : u(rng);
    }
    // Keep it feasible and bounded: a total inside [Σlo, Σup] and finite bounds when H is singular.
    if (rank < n) {
      for (int i = 0; i < n; ++i) {
        if (!std::isfinite(lo(i))) lo(i) = -1;
        if (!std::isfinite(up(i))) up(i) = 1;
      }
    }
    const double total = 0.3 * (lo.array().isFinite().select(lo, 0).sum() + up.array().isFinite().select(up, 0).sum());
    const auto r = solve_box_qp(h, g, total, lo, up);
    REQUIRE(r.ok);
    check_certificate(r, h, g, total, lo, up);
  }
}

TEST_CASE("box QP: a linear objective goes to the best vertex") {
  const Eigen::MatrixXd h = Eigen::MatrixXd::Zero(3, 3);
  const Eigen::VectorXd g = vec({1, -1, 0});
  const Eigen::VectorXd lo = Eigen::VectorXd::Zero(3);
  const Eigen::VectorXd up = Eigen::VectorXd::Ones(3);
  const auto r = solve_box_qp(h, g, 1, lo, up);
  REQUIRE(r.ok);
  CHECK(r.x(0) == doctest::Approx(0));
  CHECK(r.x(1) == doctest::Approx(1));
  CHECK(r.x(2) == doctest::Approx(0));
  check_certificate(r, h, g, 1, lo, up);
}

TEST_CASE("box QP: without bounds it is the equality-constrained closed form") {
  Eigen::MatrixXd h(3, 3);
  h << 4, 1, 0, 1, 3, 1, 0, 1, 2;
  const Eigen::VectorXd g = vec({-1, 0.5, 0.2});
  const Eigen::VectorXd lo = Eigen::VectorXd::Constant(3, -kInf);
  const Eigen::VectorXd up = Eigen::VectorXd::Constant(3, kInf);
  const auto r = solve_box_qp(h, g, 2, lo, up);
  REQUIRE(r.ok);
  Eigen::MatrixXd kkt = Eigen::MatrixXd::Zero(4, 4);
  kkt.topLeftCorner(3, 3) = h;
  kkt.block(0, 3, 3, 1).setConstant(-1);
  kkt.block(3, 0, 1, 3).setConstant(1);
  Eigen::VectorXd rhs(4);
  rhs << -g, 2;
  const Eigen::VectorXd sol = kkt.fullPivLu().solve(rhs);
  CHECK((r.x - sol.head(3)).cwiseAbs().maxCoeff() <= 1e-12);
  CHECK(r.equality_multiplier == doctest::Approx(sol(3)));
}

TEST_CASE("box QP: an optimum exactly on a bound with a zero multiplier") {
  // Unconstrained optimum of ½|x − c|² with Σx = 1 is c itself when Σc = 1; c₂ = 0 sits on its bound.
  const Eigen::MatrixXd h = Eigen::MatrixXd::Identity(3, 3);
  const Eigen::VectorXd c = vec({0.6, 0.4, 0});
  const Eigen::VectorXd lo = Eigen::VectorXd::Zero(3);
  const Eigen::VectorXd up = Eigen::VectorXd::Ones(3);
  const auto r = solve_box_qp(h, -c, 1, lo, up);
  REQUIRE(r.ok);
  CHECK((r.x - c).cwiseAbs().maxCoeff() <= 1e-12);
  check_certificate(r, h, -c, 1, lo, up);
}

TEST_CASE("box QP: fixed variables and a vertex start") {
  const Eigen::MatrixXd h = Eigen::MatrixXd::Identity(3, 3);
  const Eigen::VectorXd g = vec({0, -1, 1});
  const Eigen::VectorXd lo = vec({0.2, 0, 0});
  const Eigen::VectorXd up = vec({0.2, 1, 1});
  const auto r = solve_box_qp(h, g, 0.5, lo, up);
  REQUIRE(r.ok);
  CHECK(r.x(0) == 0.2);
  CHECK(r.x(1) == doctest::Approx(0.3));
  CHECK(r.x(2) == doctest::Approx(0));
  check_certificate(r, h, g, 0.5, lo, up);

  // Σlo = total: the only feasible point.
  const auto vertex = solve_box_qp(h, g, 0.2, lo, up);
  REQUIRE(vertex.ok);
  CHECK(vertex.x(0) == 0.2);
  CHECK(vertex.x(1) == 0);
  CHECK(vertex.x(2) == 0);
  check_certificate(vertex, h, g, 0.2, lo, up);
}

TEST_CASE("box QP: errors are values") {
  const Eigen::MatrixXd h = Eigen::MatrixXd::Identity(2, 2);
  const Eigen::VectorXd g = Eigen::VectorXd::Zero(2);
  const Eigen::VectorXd lo = Eigen::VectorXd::Zero(2);
  const Eigen::VectorXd up = Eigen::VectorXd::Constant(2, 0.4);
  const auto infeasible = solve_box_qp(h, g, 1, lo, up);
  CHECK_FALSE(infeasible.ok);
  CHECK(infeasible.error.find("infeasible") != std::string::npos);

  const Eigen::VectorXd free_lo = Eigen::VectorXd::Constant(2, -kInf);
  const Eigen::VectorXd free_up = Eigen::VectorXd::Constant(2, kInf);
  const auto unbounded = solve_box_qp(Eigen::MatrixXd::Zero(2, 2), vec({1, -1}), 0, free_lo, free_up);
  CHECK_FALSE(unbounded.ok);
  CHECK(unbounded.error.find("unbounded") != std::string::npos);

  CHECK_FALSE(solve_box_qp(h, Eigen::VectorXd::Zero(3), 1, lo, up).ok);
  const auto empty_box = solve_box_qp(h, g, 0.2, up, lo);  // lower 0.4 > upper 0
  CHECK_FALSE(empty_box.ok);
  CHECK(empty_box.error.find("empty") != std::string::npos);

  // d = (1, −2, 1) keeps the sum and has dᵀHd = −2.
  const Eigen::MatrixXd indefinite = vec({1, -1, 1}).asDiagonal();
  const auto concave = solve_box_qp(indefinite, Eigen::VectorXd::Zero(3), 0.5, Eigen::VectorXd::Zero(3),
                                    Eigen::VectorXd::Ones(3));
  CHECK_FALSE(concave.ok);
  CHECK(concave.error.find("not convex") != std::string::npos);

  // A problem that needs several iterations cannot finish in one.
  std::mt19937_64 rng(3);
  std::normal_distribution<double> z(0, 1);
  Eigen::MatrixXd a(30, 30);
  for (int i = 0; i < 30; ++i) {
    for (int j = 0; j < 30; ++j) a(i, j) = z(rng);
  }
  Eigen::VectorXd g30(30);
  for (int i = 0; i < 30; ++i) g30(i) = z(rng);
  const auto capped = solve_box_qp(a * a.transpose(), g30, 1, Eigen::VectorXd::Zero(30), Eigen::VectorXd::Ones(30),
                                   {.max_iterations = 1});
  CHECK_FALSE(capped.ok);
  CHECK(capped.error.find("iterations") != std::string::npos);
}

}  // namespace test_qp_solver
