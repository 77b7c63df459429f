#pragma once
// The special doubles and the finite-and-positive check that many files use:
// defined once here, not in each file.
#include <cmath>
#include <limits>

namespace ballast::core {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
inline constexpr double kInf = std::numeric_limits<double>::infinity();

/// Finite and > 0: a usable price, quantity or rate.
inline bool finite_positive(double x) { return std::isfinite(x) && x > 0; }

}  // namespace ballast::core
