#pragma once
// Slicing of block orders: the blocks of one symbol, side and slicing (a
// model's `slicing = { max_child_value, interval }`) leave as child orders,
// one step per interval, the children of a step worth at most
// max_child_value together. Every account's share grows in step with the lots
// sent: after each step the lots sent so far are shared among the blocks, and
// within each block among its accounts, by largest remainder (allocate_fill,
// so no share ever shrinks). Pure: no I/O, no clock.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/types.hpp"
#include "fleet/block_orders.hpp"

namespace ballast::fleet {

/// Steps a sliced group takes at most: a group that would need more gets
/// larger steps (a block of a million lots with a one-lot step is not a
/// thousand hours of orders).
inline constexpr std::uint64_t kMaxSliceSteps = 1000;
/// Steps × accounts a sliced group takes at most: its children hold at most
/// that many allocations, all made (up to about 0.12 µs per account and step, so
/// about 6 ms of the loop at the cap) and written to the state file when the
/// window closes. A group of more accounts takes fewer, larger steps: 2,000
/// accounts take 25 at most (bench/bench_slicing.cpp).
inline constexpr std::uint64_t kMaxSliceAllocations = 50'000;

/// The lots of one step: max_child_value / (lot_size × price), floored, at
/// least 1; and at least what keeps the steps within kMaxSliceSteps and
/// within kMaxSliceAllocations / `accounts` (at least one step).
/// `lot_size`, `price` and `max_child_value` finite and > 0.
std::uint64_t step_lots(std::uint64_t total_lots, std::uint64_t accounts, double lot_size, double price,
                        double max_child_value);

/// One child order of a sliced block.
struct SlicedChild {
  std::size_t block = 0;  ///< the index of its block in the group
  /// The block's symbol, side, lot size, slicing and reference price; its
  /// allocations the accounts' lots in this step (> 0; accounts with none
  /// are left out), ascending account.
  BlockOrder order;
  /// Per allocation of `order`: its index in the block's allocations, and the
  /// lots the earlier steps asked of that account.
  std::vector<std::uint32_t> parent;
  std::vector<std::uint64_t> asked_before;
};

/// The children of `blocks` (one symbol, side and lot size; each block's lots
/// the sum of its allocations), by step: result[k] holds step k's children,
/// at most one per block, in the blocks' order. Step k brings the lots sent
/// by all blocks together to min(total, (k + 1) × step), `step` ≥ 1. Over all
/// steps every account is asked exactly what its block asked.
std::vector<std::vector<SlicedChild>> slice_blocks(std::span<const BlockOrder> blocks, std::uint64_t step);

/// The part of a sell's named lots (in the order they close) that covers the
/// units [from, from + quantity) of the sale; units past the named lots are
/// named by none (they close by the account's method).
std::vector<core::NamedLot> named_part(std::span<const core::NamedLot> named, double from, double quantity);

}  // namespace ballast::fleet
