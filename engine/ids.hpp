#pragma once
// The engine's ids of orders, rebalances and order requests.
#include <cstdint>
#include <string>
#include <string_view>

namespace ballast::engine {

/// Id counters; persisted by the shell so ids are never reused across restarts.
struct Sequences {
  std::uint64_t next_order = 1;
  std::uint64_t next_rebalance = 1;
};

/// "<portfolio>-<yyyymmdd>-<seq>", seq zero-padded to six digits (more when larger).
std::string make_id(std::string_view portfolio, std::string_view yyyymmdd, std::uint64_t seq);

}  // namespace ballast::engine
