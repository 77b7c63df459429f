#pragma once
// The engine's ids of orders, rebalances and order requests.
#include <cstdint>
#include <string>
#include <string_view>

namespace ballast::engine {

/// "<portfolio>-<yyyymmdd>-<seq>", seq zero-padded to six digits (more when larger).
std::string make_id(std::string_view portfolio, std::string_view yyyymmdd, std::uint64_t seq);

}  // namespace ballast::engine
