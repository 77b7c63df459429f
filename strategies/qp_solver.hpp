#pragma once
// The quadratic programme behind mean-variance targets: a convex quadratic over
// a box, with the weights summing to a budget. A primal active-set method that
// solves the KKT system of each working set exactly, so it stops at a true KKT
// point rather than "close enough". Pure: no I/O, no exceptions.
#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

namespace ballast::strategies {

/// Where a variable sits at the solution: strictly inside its box or held at a bound.
enum class BoundState : std::uint8_t { free, at_lower, at_upper };

struct BoxQpOptions {
  int max_iterations = 0;  ///< 0: 10·n + 100; hitting the cap is an error, never a silent stop
};

/// The solution and its certificate. At the optimum
///   H x + g = ν·1 + z_lower − z_upper,  z ≥ 0,  z_lower·(x − lower) = 0,  z_upper·(upper − x) = 0.
struct BoxQpResult {
  Eigen::VectorXd x;
  bool ok = false;
  std::string error;  ///< why not ok; empty when ok
  int iterations = 0;
  double objective = 0;            ///< ½xᵀHx + gᵀx
  double equality_multiplier = 0;  ///< ν above
  Eigen::VectorXd lower_multipliers;
  Eigen::VectorXd upper_multipliers;
  std::vector<BoundState> state;  ///< the final working set
};

/// minimise ½xᵀHx + gᵀx  subject to  Σx = total  and  lower ≤ x ≤ upper.
/// `hessian` must be symmetric positive semidefinite (checked by the callers
/// that own the data; a direction of negative curvature met here is an error).
/// Bounds may be ±infinity. Errors: mismatched sizes, non-finite data, lower >
/// upper, no point of the box sums to `total`, unbounded below, iteration cap.
BoxQpResult solve_box_qp(const Eigen::MatrixXd& hessian, const Eigen::VectorXd& linear, double total,
                         const Eigen::VectorXd& lower, const Eigen::VectorXd& upper, const BoxQpOptions& options = {});

}  // namespace ballast::strategies
