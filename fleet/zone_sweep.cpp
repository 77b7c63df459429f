#include "fleet/zone_sweep.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <numbers>

#include "core/numbers.hpp"
#include "fleet/safe_zone.hpp"

namespace ballast::fleet {

namespace {

using core::kInf;

// Two or four doubles, one per lane (the compiler's vector extension): the
// portable kernel runs two lanes in an SSE register, the wide one four in an
// AVX2 register. Every function below that passes a vector by value is
// always inlined, in unoptimised builds too: a call between the AVX2 kernel
// and a function compiled without AVX would pass it by two different ABIs
// (a wrong result or a crash), the case of the compilers' note, silenced here.
using Pair = double __attribute__((vector_size(16)));
using Quad = double __attribute__((vector_size(32)));
#pragma GCC diagnostic ignored "-Wpsabi"

template <class V>
inline constexpr std::uint32_t kLanes = sizeof(V) / sizeof(double);

template <class V>
[[gnu::always_inline]] inline V splat(double x) {
  V v;
  for (std::uint32_t lane = 0; lane < kLanes<V>; ++lane) v[lane] = x;
  return v;
}

template <class V>
[[gnu::always_inline]] inline V load(const double* at) {
  V x;
  std::memcpy(&x, at, sizeof x);
  return x;
}

/// The first `count` of the quantities at `at` (the rest of the lanes 0),
/// read without going past them; built in registers (a copy through memory
/// would stall the wider load that reads it back).
template <class V>
[[gnu::always_inline]] inline V load_first(const double* at, std::uint32_t count) {
  if constexpr (kLanes<V> == 2) {
    return count == 1 ? V{at[0], 0} : load<V>(at);
  } else {
    switch (count) {
      case 1:
        return V{at[0], 0, 0, 0};
      case 2:
        return V{at[0], at[1], 0, 0};
      case 3:
        return V{at[0], at[1], at[2], 0};
      default:
        return load<V>(at);
    }
  }
}

/// Row `r` of a model's four-lane slots (0 prices, 1 targets, 2 upper and
/// 3 lower edges, see ZoneSweep::slots_) for the lanes of chunk `c`, the
/// chunk's assets being c·lanes to c·lanes + lanes − 1.
template <class V>
[[gnu::always_inline]] inline V slot_row(const double* slots, std::uint32_t c, std::uint32_t r) {
  constexpr std::uint32_t kWidth = kLanes<V>;
  return load<V>(slots + 16 * (c * kWidth / 4) + 4 * r + c * kWidth % 4);
}

/// The values of chunk `c`'s assets of an account of `size` with quantities `q`.
template <class V>
[[gnu::always_inline]] inline V chunk_values(const double* slots, const double* q, std::uint32_t size,
                                             std::uint32_t c) {
  constexpr std::uint32_t kWidth = kLanes<V>;
  return load_first<V>(q + c * kWidth, size - c * kWidth) * slot_row<V>(slots, c, 0);
}

/// Keeps n / d in (num, den), lane by lane, where it is smaller: n·den < num·d.
template <class V>
[[gnu::always_inline]] inline void keep_smaller(V& num, V& den, V n, V d) {
  const auto take = n * den < num * d;
  num = take ? n : num;
  den = take ? d : den;
}

/// The result of a kernel that leaves the account to account_zone_radius.
constexpr double kExact = -1;

/// ZoneSweep::radius's arithmetic for one account of `size` assets with
/// quantities `q`, its model's `slots` (ZoneSweep::slots_) and its bands
/// scaled by its multiplier; kExact for an account worth 1e150 or more.
///
/// Why no asset needs a test of its band, nor a mask per edge. The smallest
/// factor is kept as a fraction N / D, starting at 1 / 0 (+∞); a candidate
/// n / d is kept when n·D < N·d. Every candidate has n ≥ 0: the quantities
/// and prices are ≥ 0, so v ≥ 0 and rest = V − v ≥ 0 (a sum of non-negative
/// terms rounded is never below one of them); the upper edge U = t + h − m is
/// > 0 and the lower edge L = t − h + m < 1 because every target is inside
/// (2m, 1 − 2m) and h ≥ 0. Then only candidates with d > 0 are ever kept
/// (with N ≥ 0 and D ≥ 0, n·D ≥ 0 ≥ N·d when d ≤ 0), and these are exactly
/// account_zone_radius's: the upper edge's U·rest / (v·(1 − U)) has d > 0
/// when U < 1 and v > 0, the lower edge's v·(1 − L) / (L·rest) when L > 0 and
/// rest > 0. An asset above its narrowed band (v > U·V, so U < 1 and v > 0)
/// offers an upper factor below 1, one below it (v < L·V, so L > 0 and
/// rest > 0) a lower factor below 1: the account's factor is then below 1
/// and its radius −∞, as account_zone_radius says, but for roundings where
/// the factor is about 1 (a radius of about 0, below kSweepSure either way).
/// The total band, when the model has one: its width scaled by the
/// account's multiplier and the model's cash target.
struct TotalBand {
  double width = 0;
  double cash_target = 0;
};

template <class V, bool kTotal>
[[gnu::always_inline]] inline double sweep(const double* slots, std::uint32_t size, const double* q, double cash,
                                           double absolute_band, double relative_band, TotalBand total) {
  // No lambda here: one would be a function of its own in a build that does
  // not inline it, compiled without AVX, and the vectors it returned would
  // cross between two ABIs.
  constexpr std::uint32_t kWidth = kLanes<V>;
  const std::uint32_t chunks = (size + kWidth - 1) / kWidth;
  V sum = splat<V>(0);
  for (std::uint32_t c = 0; c < chunks; ++c) sum += chunk_values<V>(slots, q, size, c);
  double value = cash;
  if constexpr (kWidth == 2) {
    value += sum[0] + sum[1];
  } else {
    value += (sum[0] + sum[1]) + (sum[2] + sum[3]);
  }
  if (!(value > 0)) return -kInf;
  if (!(value < 1e150)) return kExact;
  const V absolute = splat<V>(absolute_band), relative = splat<V>(relative_band);
  const V whole = splat<V>(value), one = splat<V>(1);
  // Per lane, a chain for the upper edges and one for the lower edges; with
  // a total band, Σ|v − t·V| and Σ v·(V − v) (the lanes past the last asset
  // add 0 to both: no value, target 0).
  V num_up = one, den_up = splat<V>(0), num_down = one, den_down = splat<V>(0);
  V spread = splat<V>(0), spread_rate = splat<V>(0);
  for (std::uint32_t c = 0; c < chunks; ++c) {
    const V v = chunk_values<V>(slots, q, size, c);
    // As band_half_width(scaled_bands(...)): the same products.
    const V target = slot_row<V>(slots, c, 1);
    const V by_target = relative * target;
    const V h = by_target < absolute ? by_target : absolute;
    const V upper = slot_row<V>(slots, c, 2) + h, lower = slot_row<V>(slots, c, 3) - h;
    const V rest = whole - v;
    keep_smaller(num_up, den_up, upper * rest, v * (one - upper));
    keep_smaller(num_down, den_down, v * (one - lower), lower * rest);
    if constexpr (kTotal) {
      const V off = v - target * whole;
      spread += off < 0 ? -off : off;
      spread_rate += v * rest;
    }
  }
  // The lower edges' chains into the upper's, then the lanes into the first.
  keep_smaller(num_up, den_up, num_down, den_down);
  if constexpr (kTotal) {
    // As account_zone_radius: x ≤ 1 + (2(T − margin)·V − Σ|v − t·V|)·V / min(Σ v·(V − v), V²/2),
    // the sums over the assets and the cash, here in lane order.
    double off = std::abs(cash - total.cash_target * value), rate = cash * (value - cash);
    for (std::uint32_t lane = 0; lane < kWidth; ++lane) {
      off += spread[lane];
      rate += spread_rate[lane];
    }
    const double slack = 2 * (total.width - kZoneWeightMargin) * value - off;
    if (!(slack >= 0)) return -kInf;
    rate = std::min(rate, 0.5 * value * value);
    if (rate > 0) {
      V n = splat<V>(0), d = splat<V>(0);
      n[0] = rate + slack * value;
      d[0] = rate;
      keep_smaller(num_up, den_up, n, d);
    }
  }
  if constexpr (kWidth == 4) {
    keep_smaller(num_up, den_up, __builtin_shufflevector(num_up, num_up, 2, 3, 0, 1),
                 __builtin_shufflevector(den_up, den_up, 2, 3, 0, 1));
    keep_smaller(num_up, den_up, __builtin_shufflevector(num_up, num_up, 1, 0, 3, 2),
                 __builtin_shufflevector(den_up, den_up, 1, 0, 3, 2));
  } else {
    keep_smaller(num_up, den_up, __builtin_shufflevector(num_up, num_up, 1, 0),
                 __builtin_shufflevector(den_up, den_up, 1, 0));
  }
  const double num = num_up[0], den = den_up[0];
  if (den == 0) return kInf;
  const double x = num / den;
  if (!(x >= 1)) return -kInf;
  return 0.5 * log_below(x) * (1 - 1e-12);
}

double sweep_portable(const double* slots, std::uint32_t size, const double* q, double cash, double absolute,
                      double relative, const TotalBand* total) {
  return total ? sweep<Pair, true>(slots, size, q, cash, absolute, relative, *total)
               : sweep<Pair, false>(slots, size, q, cash, absolute, relative, {});
}

#if defined(__x86_64__)
#define BALLAST_SWEEP_WIDE 1
__attribute__((target("avx2"))) double sweep_wide(const double* slots, std::uint32_t size, const double* q, double cash,
                                                  double absolute, double relative, const TotalBand* total) {
  return total ? sweep<Quad, true>(slots, size, q, cash, absolute, relative, *total)
               : sweep<Quad, false>(slots, size, q, cash, absolute, relative, {});
}
#endif

/// Per first ten bits of a mantissa, m₀ = 1 + i/1024: ln m₀ rounded down
/// and 1/m₀ rounded down (so that u is never above m/m₀ − 1 by more than
/// the rounding of one product).
struct LogStep {
  double ln;
  double inverse;
};

std::array<LogStep, 1024> log_steps() {
  std::array<LogStep, 1024> steps{};
  steps[0] = {0, 1};
  for (std::size_t i = 1; i < steps.size(); ++i) {
    const double m0 = 1 + static_cast<double>(i) / 1024;
    steps[i] = {std::nextafter(std::log(m0), 0.0), std::nextafter(1 / m0, 0.0)};
  }
  return steps;
}

const std::array<LogStep, 1024> kLogSteps = log_steps();

}  // namespace

double log_below(double x) {
  if (!(x < std::numeric_limits<double>::max())) return std::log(x);
  std::uint64_t bits = 0;
  std::memcpy(&bits, &x, sizeof bits);
  const auto e = static_cast<int>(bits >> 52) - 1023;
  const LogStep& step = kLogSteps[(bits >> 42) & 1023];
  bits = (bits & ((std::uint64_t{1} << 52) - 1)) | (std::uint64_t{1023} << 52);
  double m = 0;
  std::memcpy(&m, &bits, sizeof m);
  const double u = m * step.inverse - 1;
  return e * std::numbers::ln2 + (step.ln + u * (1 - 0.5 * u));
}

ZoneSweep::ZoneSweep(const AccountBook& book, std::span<const double> prices, Kernel kernel)
    : prices_(prices.begin(), prices.end()) {
#ifdef BALLAST_SWEEP_WIDE
  wide_ = kernel == Kernel::best && __builtin_cpu_supports("avx2");
#else
  (void)kernel;
#endif
  models_.reserve(book.models().size());
  for (const Model& m : book.models()) {
    Gathered g;
    g.first = static_cast<std::uint32_t>(slots_.size());
    g.size = static_cast<std::uint32_t>(m.size());
    // A volatility band's bound needs σ, a quadratic form: account_zone_radius computes it.
    g.exact = !m.group_of.empty() || m.size() == 0 || m.volatility.has_value();
    g.total = m.bands.total.value_or(0);
    g.cash_target = m.cash_target();
    g.absolute = m.bands.absolute ? *m.bands.absolute : kInf;
    g.relative = m.bands.relative ? *m.bands.relative : std::numeric_limits<double>::max();
    for (std::size_t first = 0; first < m.size(); first += 4) {
      // Price, target, upper edge less h, lower edge plus h; four lanes each.
      double quad[4][4] = {{0, 0, 0, 0}, {0, 0, 0, 0}, {0.5, 0.5, 0.5, 0.5}, {-1, -1, -1, -1}};
      for (std::size_t lane = 0; lane < 4 && first + lane < m.size(); ++lane) {
        const double t = m.targets[first + lane];
        quad[0][lane] = prices_[m.symbols[first + lane]];
        quad[1][lane] = t;
        quad[2][lane] = t - kZoneWeightMargin;
        quad[3][lane] = t + kZoneWeightMargin;
      }
      for (const auto& row : quad) slots_.insert(slots_.end(), std::begin(row), std::end(row));
    }
    for (const double t : m.targets) g.exact |= !(t > 2 * kZoneWeightMargin && t < 1 - 2 * kZoneWeightMargin);
    models_.push_back(g);
  }
}

double ZoneSweep::radius(const AccountBook& book, AccountIndex a) const {
  const Gathered& g = models_[book.model_index(a)];
  if (g.exact) return account_zone_radius(book, a, prices_);
  const double cash = book.cash(a);
  if (!(cash >= 0)) return -kInf;
  const double* q = book.quantities(a).data();
  const double multiplier = book.band_multiplier(a);
  const double* slots = slots_.data() + g.first;
  const double absolute = g.absolute * multiplier, relative = g.relative * multiplier;
  // As scaled_bands: the same product.
  const TotalBand total{g.total * multiplier, g.cash_target};
  const TotalBand* with_total = g.total > 0 ? &total : nullptr;
#ifdef BALLAST_SWEEP_WIDE
  const double r = wide_ ? sweep_wide(slots, g.size, q, cash, absolute, relative, with_total)
                         : sweep_portable(slots, g.size, q, cash, absolute, relative, with_total);
#else
  const double r = sweep_portable(slots, g.size, q, cash, absolute, relative, with_total);
#endif
  return r == kExact ? account_zone_radius(book, a, prices_) : r;
}

}  // namespace ballast::fleet
