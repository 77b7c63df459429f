#pragma once
// `[daemon] shard = "i/n"`: which of n daemons owns a portfolio. One pure rule,
// the same on every machine and in every version: the FNV-1a 64-bit hash of
// the portfolio id's bytes, modulo n (README "Running n daemons").
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strategies/policy.hpp"

namespace ballast::config {

/// One shard of n. The default, 0 of 1, owns every portfolio.
struct Shard {
  std::uint32_t index = 0;  ///< 0 <= index < count
  std::uint32_t count = 1;  ///< 1 <= count <= kMaxShards
  bool operator==(const Shard&) const = default;
};

/// The most daemons one configuration may be split over. Far above what one
/// feed proxy serves; a larger count is more likely a typo than a plan.
inline constexpr std::uint32_t kMaxShards = 1024;

/// FNV-1a, 64 bits (offset basis 0xcbf29ce484222325, prime 0x100000001b3),
/// over the bytes of `bytes`. Fixed by its definition: never std::hash, whose
/// value may differ between libraries, versions and runs.
std::uint64_t fnv1a_64(std::string_view bytes);

/// The shard, of `count` (>= 1), that owns the portfolio `id`: fnv1a_64(id) % count.
std::uint32_t shard_of(std::string_view id, std::uint32_t count);

/// True when `shard` owns the portfolio `id`.
bool owns(const Shard& shard, std::string_view id);

struct ShardParseResult {
  std::optional<Shard> shard;
  std::string error;  ///< why `shard` is empty: what was expected
};

/// Reads "i/n": two decimal numbers without sign, spaces or leading zeros,
/// with 1 <= n <= kMaxShards and i < n. Never throws.
ShardParseResult parse_shard(std::string_view text);

/// "i/n".
std::string to_string(const Shard& shard);

/// The portfolios `shard` owns, in the order given.
std::vector<strategies::PortfolioSpec> owned_portfolios(const std::vector<strategies::PortfolioSpec>& all,
                                                        const Shard& shard);

}  // namespace ballast::config
