#include "fleet/zone_sweep.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "fleet/safe_zone.hpp"

namespace ballast::fleet {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
}  // namespace

ZoneSweep::ZoneSweep(const AccountBook& book, std::span<const double> prices)
    : prices_(prices.begin(), prices.end()) {
  models_.reserve(book.models().size());
  for (const Model& m : book.models()) {
    Gathered g;
    g.first = static_cast<std::uint32_t>(price_.size());
    g.size = static_cast<std::uint32_t>(m.size());
    g.grouped = !m.group_of.empty();
    g.has_absolute = m.bands.absolute.has_value();
    g.has_relative = m.bands.relative.has_value();
    g.absolute = g.has_absolute ? *m.bands.absolute : 0;
    g.relative = g.has_relative ? *m.bands.relative : 0;
    for (std::size_t i = 0; i < m.size(); ++i) {
      price_.push_back(prices_[m.symbols[i]]);
      target_.push_back(m.targets[i]);
    }
    models_.push_back(g);
  }
}

double ZoneSweep::radius(const AccountBook& book, AccountIndex a) const {
  const Gathered& g = models_[book.model_index(a)];
  if (g.grouped) return account_zone_radius(book, a, prices_);
  const double* q = book.quantities(a).data();
  const double* p = price_.data() + g.first;
  const double* t = target_.data() + g.first;
  const double cash = book.cash(a);
  if (!(cash >= 0)) return -kInf;
  // Every product and comparison below is account_zone_radius's, in its order.
  double value = cash;
  for (std::uint32_t i = 0; i < g.size; ++i) value += q[i] * p[i];
  if (!(value > 0)) return -kInf;
  const double multiplier = book.band_multiplier(a);
  const double absolute = g.has_absolute ? g.absolute * multiplier : kInf;
  const double relative = g.has_relative ? g.relative * multiplier : 0;
  // The smallest factor as a fraction num / den (den = 0: +∞), kept apart
  // for the upper and the lower edges so that the two chains of compares
  // run side by side; an edge that bounds nothing offers (1, 0), never kept.
  bool inside = true;
  double num_up = 1, den_up = 0, num_down = 1, den_down = 0;
  for (std::uint32_t i = 0; i < g.size; ++i) {
    const double v = q[i] * p[i];
    const double h = g.has_relative ? std::min(absolute, relative * t[i]) : absolute;
    const double upper = t[i] + h - kZoneWeightMargin;
    const double lower = t[i] - h + kZoneWeightMargin;
    inside &= (v <= upper * value) & (v >= lower * value);
    const double rest = value - v;
    const bool bounds_up = (upper < 1) & (v > 0);
    const double n_up = bounds_up ? upper * rest : 1, d_up = bounds_up ? v * (1 - upper) : 0;
    const bool take_up = n_up * den_up < num_up * d_up;
    num_up = take_up ? n_up : num_up;
    den_up = take_up ? d_up : den_up;
    const bool bounds_down = (lower > 0) & (rest > 0);
    const double n_down = bounds_down ? v * (1 - lower) : 1, d_down = bounds_down ? lower * rest : 0;
    const bool take_down = n_down * den_down < num_down * d_down;
    num_down = take_down ? n_down : num_down;
    den_down = take_down ? d_down : den_down;
  }
  if (!inside) return -kInf;
  if (num_down * den_up < num_up * den_down) num_up = num_down, den_up = den_down;
  if (den_up == 0) return kInf;
  const double x = num_up / den_up;
  if (!(x >= 1)) return -kInf;
  return 0.5 * std::log(x) * (1 - 1e-12);
}

}  // namespace ballast::fleet
