#pragma once
// The resync's first look at every account: its zone radius
// (account_zone_radius) with each model's prices, targets and bands gathered
// once per sweep into flat arrays, and with no branch on the account's
// figures, so that a million accounts cost one pass over their quantities.
// Only a radius of at least kSweepSure is taken from it; below that the
// account is checked the full way (no-trade bounds, the exact rebalance
// check), as before.
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "fleet/account_book.hpp"

namespace ballast::fleet {

/// A sweep radius at least this large is the account's radius: the full
/// check (account_quiet_radius) looks no further than account_zone_radius
/// there, and makes no rebalance check.
inline constexpr double kSweepSure = 1e-3;

/// quantise_radius of the largest float ≤ r (r ≥ 0, +∞ included), as the
/// resync stores a radius, without a call: clearing the low 16 bits of a
/// positive float rounds it towards zero, after stepping it down one ulp when
/// the conversion rounded it up.
inline float list_radius(double r) {
  const float f = static_cast<float>(r);
  std::uint32_t bits = 0;
  std::memcpy(&bits, &f, sizeof bits);
  if (static_cast<double>(f) > r) bits -= 1;
  bits &= 0xffff0000u;
  float out = 0;
  std::memcpy(&out, &bits, sizeof out);
  return out;
}

/// A lower bound of ln x for 1 ≤ x (+∞ included), at most 4e-7 below it
/// in relative terms, but for the rounding of its own arithmetic (a few
/// ulps: callers shave a relative 1e-12 off, as they do off std::log), with
/// no division. x = 2^e·m with m ∈ [1, 2); m₀ = 1 + i/1024 ≤ m is m cut to
/// its first ten bits, whose ln m₀ (rounded down) is looked up, and
/// ln m = ln m₀ + ln(1 + u), u = m/m₀ − 1 ∈ [0, 1/1024), taken as u − u²/2:
/// the series' next term, u³/3 ≤ 3.2e-10, and all after it alternate and
/// shrink, so the cut only lowers it (by at most 3.2e-7 of ln m, 1e-3 or more
/// when i ≥ 1; when i = 0, ln m ≈ u and the cut is u²/3 of it).
double log_below(double x);

class ZoneSweep {
 public:
  /// What runs the sweep: four assets at a time in an AVX2 register where the
  /// processor has it (`best`), or two at a time in an SSE register, which
  /// any x86-64 processor has (`portable`). The same bounds; the value summed
  /// and the smallest factor taken in another order, so the radii may differ
  /// by roundings.
  enum class Kernel { best, portable };

  /// For the models of `book` at `prices` (one per symbol id). Holds its own
  /// copies: valid while the book's models and the prices stay as they were.
  ZoneSweep(const AccountBook& book, std::span<const double> prices, Kernel kernel = Kernel::best);

  /// Whether the AVX2 kernel runs.
  bool wide() const { return wide_; }

  /// account_zone_radius(book, a, prices), four or two assets at a time:
  /// the same bounds, with the account's value summed in another order, the
  /// narrowed band edges added up in another order and the smallest factor
  /// taken in interleaved chains (two per lane) instead of one (the
  /// differences are roundings, of order 1e-16, far inside kZoneWeightMargin:
  /// the verdict on the narrowed bands can differ only where the radius is
  /// about 0), and the logarithm by log_below (up to 4e-7 lower). No test of
  /// an asset's band and no mask: with each target inside
  /// (2·kZoneWeightMargin, 1 − 2·kZoneWeightMargin), an asset outside its
  /// narrowed band offers a factor below 1 and an edge that bounds nothing a
  /// fraction never kept (zone_sweep.cpp). A total band's bound is
  /// account_zone_radius's, its sums taken lane by lane. Accounts of models with
  /// substitute groups, a volatility band or a target outside that range, and accounts
  /// worth 1e150 or more (whose products could overflow), get
  /// account_zone_radius itself.
  double radius(const AccountBook& book, AccountIndex a) const;

 private:
  struct Gathered {
    std::uint32_t first = 0;  ///< into slots_
    std::uint32_t size = 0;   ///< assets; (size + 3) / 4 quads
    bool exact = false;       ///< account_zone_radius itself (see radius)
    double absolute = 0;      ///< the absolute band, +∞ without one
    double relative = 0;      ///< the relative band, the largest double without one
    double total = 0;         ///< the total band, 0 without one
    double cash_target = 0;   ///< the model's, for the total band
  };
  std::vector<double> prices_;  ///< per symbol id: for the exact models
  std::vector<Gathered> models_;
  /// Four model slots at a time, one per lane, as 16 doubles: their prices,
  /// targets, targets − kZoneWeightMargin (the upper edges less h) and
  /// targets + kZoneWeightMargin (the lower edges plus h). The lanes past a
  /// model's last asset bound nothing: price 0 (no value), target 0, edges
  /// 0.5 and −1.
  std::vector<double> slots_;
  bool wide_ = false;  ///< the four lanes in one AVX2 register
};

}  // namespace ballast::fleet
