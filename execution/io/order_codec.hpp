#pragma once
// Frames of the order queue (SPEC §3, README "Orders out"): one JSON object per
// ZeroMQ frame. A new order has no "action" (or "action":"new"); a cancel or a
// replace of an order already sent has "action":"cancel" or "replace".
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/types.hpp"

namespace ballast::execution {

/// An order carrying more allocations is refused. A frame is also capped at
/// 64 KiB, which holds at least kAllocationsPerFrame allocations and about
/// 2,000 with short account ids.
inline constexpr std::size_t kMaxAllocations = 100'000;
/// The budget of one frame, in allocation units: an allocation costs 1 plus
/// the lots it names (a named lot is shorter on the wire than an allocation).
/// This many units always fit one frame, whatever the account ids, lot ids,
/// quantities and days, with 6 KiB left for the rest of the order: a block
/// whose allocations cost more is sent as several orders.
inline constexpr std::size_t kAllocationsPerFrame = 500;
/// An allocation names at most this many lots (a frame holding more is
/// refused); the units of a sale past its named lots close by the account's
/// method. So one allocation costs at most 1 + kLotsPerAllocation units and
/// always fits a frame alone.
inline constexpr std::size_t kLotsPerAllocation = 50;
/// What an allocation costs of a frame's kAllocationsPerFrame units.
inline constexpr std::size_t allocation_cost(std::size_t named_lots) { return 1 + named_lots; }

/// Appends the SPEC §3 JSON object for `order` to `out` (with expire_at when
/// set, allocations when there are any, an allocation's lots when it names
/// any: {"id", "quantity", "acquired":"YYYY-MM-DD"}).
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
