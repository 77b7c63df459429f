#pragma once
// Orders on the wire (SPEC §3): one JSON object per ZeroMQ frame.
#include <string>
#include <string_view>

#include "core/types.hpp"

namespace ballast::execution {

/// Appends the SPEC §3 JSON object for `order` to `out`.
void encode_order(const core::Order& order, std::string& out);

struct DecodedOrder {
  bool ok = false;
  std::string error;  ///< why the bytes are not an order, when !ok
  core::Order order;
};
/// Parses an order frame (what a gateway receives); never throws.
DecodedOrder decode_order(std::string_view json);

}  // namespace ballast::execution
