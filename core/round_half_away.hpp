#pragma once
// std::round without the library call: rounds half away from zero, the same
// result for every double (NaN and ±∞ included). std::trunc compiles to one
// instruction on the targets the build selects (SSE4.1 and up); std::round
// has no such instruction and stays a call, which hot sizing loops feel.
#include <cmath>

namespace ballast::core {

inline double round_half_away(double x) {
  const double t = std::trunc(x);
  // x − t is exact (both share x's exponent or t is 0), so the half is too.
  return std::abs(x - t) >= 0.5 ? t + std::copysign(1.0, x) : t;
}

}  // namespace ballast::core
