#include "fleet/zone_sweep.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numbers>

#include "fleet/safe_zone.hpp"

namespace ballast::fleet {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Two doubles in one SSE register (the compiler's vector extension); a
// comparison gives a Mask of all ones or zeros per lane.
using Pair = double __attribute__((vector_size(16)));
using Mask = std::int64_t __attribute__((vector_size(16)));

Pair splat(double x) { return Pair{x, x}; }

}  // namespace

double log_below(double x) {
  if (!(x < std::numeric_limits<double>::max())) return std::log(x);
  std::uint64_t bits = 0;
  std::memcpy(&bits, &x, sizeof bits);
  const auto e = static_cast<int>(bits >> 52) - 1023;
  bits = (bits & ((std::uint64_t{1} << 52) - 1)) | (std::uint64_t{1023} << 52);
  double m = 0;
  std::memcpy(&m, &bits, sizeof m);
  const double s = (m - 1) / (m + 1), s2 = s * s;
  const double atanh = s * (1 + s2 * (1.0 / 3 + s2 * (1.0 / 5 + s2 * (1.0 / 7 + s2 * (1.0 / 9)))));
  return e * std::numbers::ln2 + 2 * atanh;
}

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
  if (!(cash >= 0) || g.size == 0) return -kInf;
  // Two assets at a time, one per lane; an odd last asset fills both lanes
  // (counted twice: the sum is then taken without its second lane).
  const std::uint32_t pairs = (g.size + 1) / 2;
  const auto lanes = [&](const double* x, std::uint32_t k) {
    return 2 * k + 1 < g.size ? Pair{x[2 * k], x[2 * k + 1]} : Pair{x[2 * k], x[2 * k]};
  };
  Pair sum{0, 0};
  for (std::uint32_t k = 0; k < pairs; ++k) {
    const Pair v = lanes(q, k) * lanes(p, k);
    sum += 2 * k + 1 < g.size ? v : Pair{v[0], 0};
  }
  const double value = cash + (sum[0] + sum[1]);
  if (!(value > 0)) return -kInf;
  const double multiplier = book.band_multiplier(a);
  const Pair absolute = splat(g.has_absolute ? g.absolute * multiplier : kInf);
  const Pair relative = splat(g.has_relative ? g.relative * multiplier : 0);
  const Pair whole = splat(value), one = splat(1), zero = splat(0), margin = splat(kZoneWeightMargin);
  // account_zone_radius's bounds per lane. The smallest factor as a
  // fraction num / den (den = 0: +∞), kept apart per lane and for the upper
  // and the lower edges, so that four chains of compares run side by side;
  // an edge that bounds nothing offers (1, 0), never kept.
  Mask outside = {0, 0};
  Pair num_up = one, den_up = zero, num_down = one, den_down = zero;
  for (std::uint32_t k = 0; k < pairs; ++k) {
    const Pair tk = lanes(t, k);
    const Pair v = lanes(q, k) * lanes(p, k);
    Pair h = absolute;
    if (g.has_relative) {
      const Pair by_target = relative * tk;
      h = by_target < absolute ? by_target : absolute;
    }
    const Pair upper = tk + h - margin;
    const Pair lower = tk - h + margin;
    outside |= ~((v <= upper * whole) & (v >= lower * whole));
    const Pair rest = whole - v;
    const Mask bounds_up = (upper < one) & (v > zero);
    const Pair n_up = bounds_up ? upper * rest : one, d_up = bounds_up ? v * (one - upper) : zero;
    const Mask take_up = n_up * den_up < num_up * d_up;
    num_up = take_up ? n_up : num_up;
    den_up = take_up ? d_up : den_up;
    const Mask bounds_down = (lower > zero) & (rest > zero);
    const Pair n_down = bounds_down ? v * (one - lower) : one, d_down = bounds_down ? lower * rest : zero;
    const Mask take_down = n_down * den_down < num_down * d_down;
    num_down = take_down ? n_down : num_down;
    den_down = take_down ? d_down : den_down;
  }
  if (outside[0] | outside[1]) return -kInf;
  double num = num_up[0], den = den_up[0];
  const auto keep = [&](double n, double d) {
    if (n * den < num * d) num = n, den = d;
  };
  keep(num_up[1], den_up[1]);
  keep(num_down[0], den_down[0]);
  keep(num_down[1], den_down[1]);
  if (den == 0) return kInf;
  const double x = num / den;
  if (!(x >= 1)) return -kInf;
  return 0.5 * log_below(x) * (1 - 1e-12);
}

}  // namespace ballast::fleet
