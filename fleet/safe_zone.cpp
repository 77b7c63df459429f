#include "fleet/safe_zone.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ballast::fleet {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
}  // namespace

double asset_zone_factor(double weight, double target, double half_width) {
  const double upper = target + half_width - kZoneWeightMargin;
  const double lower = target - half_width + kZoneWeightMargin;
  if (!(weight <= upper && weight >= lower)) return 0;
  double x = kInf;
  if (upper < 1 && weight > 0) x = std::min(x, upper * (1 - weight) / (weight * (1 - upper)));
  if (lower > 0 && weight < 1) x = std::min(x, weight * (1 - lower) / (lower * (1 - weight)));
  return x;
}

double asset_zone_radius(double weight, double target, double half_width) {
  const double x = asset_zone_factor(weight, target, half_width);
  return x >= 1 ? 0.5 * std::log(x) : -kInf;
}

double account_zone_radius(const AccountBook& book, AccountIndex a, std::span<const double> prices) {
  const Model& m = book.model(a);
  const std::span<const double> q = book.quantities(a);
  const double cash = book.cash(a);
  if (!(cash >= 0)) return -kInf;
  double value = cash;
  for (std::size_t i = 0; i < q.size(); ++i) value += q[i] * prices[m.symbols[i]];
  if (!(value > 0)) return -kInf;
  const strategies::ThresholdTrigger bands = scaled_bands(m.bands, book.band_multiplier(a));
  // One log per account: the bound is monotone in x, so take the smallest x.
  double x = kInf;
  for (std::size_t i = 0; i < q.size(); ++i) {
    const double w = q[i] * prices[m.symbols[i]] / value;
    x = std::min(x, asset_zone_factor(w, m.targets[i], band_half_width(bands, m.targets[i])));
  }
  if (!(x >= 1)) return -kInf;
  if (x == kInf) return kInf;
  // Round down by a relative hair: the log is correct to an ulp or so, and the
  // zone may be smaller than the bound but never larger.
  return 0.5 * std::log(x) * (1 - 1e-12);
}

}  // namespace ballast::fleet
