#pragma once
// Figures as the offline commands' tables print them: a fixed number of
// decimals, percentages with two, "-" for what cannot be computed.
#include <cmath>
#include <cstdio>
#include <string>

namespace ballast::offline {

inline std::string fixed_text(double d, int decimals) {
  if (!std::isfinite(d)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, d);
  return buf;
}

/// 0.1234 → "12.34%".
inline std::string percent_text(double d) { return std::isfinite(d) ? fixed_text(100 * d, 2) + "%" : "-"; }

}  // namespace ballast::offline
