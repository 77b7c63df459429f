#pragma once
// Frames of the order queue (SPEC §3, README "Orders out"): one JSON object per
// ZeroMQ frame. A new order has no "action" (or "action":"new"); a cancel or a
// replace of an order already sent has "action":"cancel" or "replace".
#include <cstdint>
#include <string>
#include <string_view>

#include "core/types.hpp"

namespace ballast::execution {

/// Appends the SPEC §3 JSON object for `order` to `out` (with expire_at when set).
void encode_order(const core::Order& order, std::string& out);
/// Appends the JSON object of a cancel or replace request to `out`.
void encode_amendment(const core::OrderAmendment& amendment, std::string& out);

struct DecodedOrder {
  bool ok = false;
  std::string error;  ///< why the bytes are not an order, when !ok
  core::Order order;
};
/// Parses a new-order frame; a cancel or replace frame is refused. Never throws.
DecodedOrder decode_order(std::string_view json);

enum class FrameKind : std::uint8_t { order, amendment };

struct DecodedFrame {
  bool ok = false;
  std::string error;  ///< why the bytes are not a frame of the queue, when !ok
  FrameKind kind = FrameKind::order;
  core::Order order;               ///< when kind == order
  core::OrderAmendment amendment;  ///< when kind == amendment
};
/// Parses any frame of the order queue (what a gateway receives): a new order,
/// a cancel or a replace. Never throws.
DecodedFrame decode_order_frame(std::string_view json);

}  // namespace ballast::execution
