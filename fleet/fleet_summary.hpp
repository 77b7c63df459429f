#pragma once
// The fleet in a few numbers, for /status and `ballast status`: how many
// accounts, how many outside a band, and how far they drift, as a histogram
// of each account's largest |weight − target|. Never a row per account. Pure.
#include <array>
#include <cstdint>
#include <functional>
#include <span>

#include "fleet/account_book.hpp"

namespace ballast::fleet {

struct DriftHistogram {
  /// Upper edges of the buckets of max |weight − target|: [0, 0.5%), [0.5%,
  /// 1%), [1%, 2%), [2%, 5%), [5%, 10%), and the last bucket [10%, ∞).
  static constexpr std::array<double, 5> kEdges{0.005, 0.01, 0.02, 0.05, 0.10};
  std::array<std::uint64_t, kEdges.size() + 1> counts{};

  /// The bucket `drift` falls in (drift ≥ 0).
  static std::size_t bucket(double drift);
};

struct FleetSummary {
  std::uint64_t accounts = 0;
  std::uint64_t breaching = 0;  ///< outside a band now (Rebalancer::in_breach)
  std::uint64_t unvalued = 0;   ///< worth nothing at these prices: never traded
  DriftHistogram drift;         ///< accounts with a value only
};

/// Adds the accounts [begin, end) of `book` at `prices` (by symbol id,
/// usable) to `into`, but those `skip` names (none when it is empty). Taken in
/// parts, the accounts add up to what one call over them all gives.
void summarise(const AccountBook& book, std::span<const double> prices, AccountIndex begin, AccountIndex end,
               const std::function<bool(AccountIndex)>& skip, FleetSummary& into);
/// Every account of `book` at `prices` (by symbol id, usable). O(slots).
FleetSummary summarise(const AccountBook& book, std::span<const double> prices);

}  // namespace ballast::fleet
