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

/// A lower bound of ln x for 1 ≤ x (+∞ included), at most 2e-6 below it
/// in relative terms, but for the rounding of its own arithmetic (a few
/// ulps: callers shave a relative 1e-12 off, as they do off std::log).
/// x = 2^e·m with m ∈ [1, 2): ln m = 2 atanh s, s = (m − 1)/(m + 1) ∈ [0, 1/3),
/// whose series s + s³/3 + s⁵/5 + … is cut after s⁹/9: every term left out
/// is positive, so the cut only lowers it (by s¹⁰/11 / (1 − s²) ≤ 1.9e-6 of it).
double log_below(double x);

class ZoneSweep {
 public:
  /// For the models of `book` at `prices` (one per symbol id). Holds its own
  /// copies: valid while the book's models and the prices stay as they were.
  ZoneSweep(const AccountBook& book, std::span<const double> prices);

  /// account_zone_radius(book, a, prices), two assets at a time: the same
  /// bounds, with the account's value summed in another order and the
  /// smallest factor taken in four interleaved chains instead of one (the
  /// differences are roundings, of order 1e-16, far inside kZoneWeightMargin:
  /// the verdict on the narrowed bands can differ only where the radius is
  /// about 0), and the logarithm by log_below (up to 2e-6 lower). Accounts of
  /// models with substitute groups get account_zone_radius itself.
  double radius(const AccountBook& book, AccountIndex a) const;

 private:
  struct Gathered {
    std::uint32_t first = 0;   ///< into price_ and target_
    std::uint32_t size = 0;
    bool grouped = false;      ///< group_of set: account_zone_radius itself
    bool has_absolute = false;
    bool has_relative = false;
    double absolute = 0;
    double relative = 0;
  };
  std::vector<double> prices_;  ///< per symbol id: for the grouped models
  std::vector<Gathered> models_;
  std::vector<double> price_;   ///< per model slot: its symbol's price
  std::vector<double> target_;  ///< per model slot
};

}  // namespace ballast::fleet
