#include "fleet/block_slicing.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace ballast::fleet {
namespace {

[[noreturn]] void broken(const std::string& what) {
  std::fprintf(stderr, "ballast: broken invariant: slice_blocks: %s\n", what.c_str());
  std::abort();
}

/// `block` counted in lots: a lot size of 1, so that allocate_fill takes lot
/// counts, exact in a double up to kMaxBlockLots.
BlockOrder in_lots(const BlockOrder& block) {
  BlockOrder b = block;
  b.lot_size = 1;
  return b;
}

/// allocate_fill of `lots` lots of `block` (in lots), after `previous`.
std::vector<std::uint64_t> shares(const BlockOrder& block, std::uint64_t lots,
                                  std::span<const std::uint64_t> previous) {
  FillAllocation a = allocate_fill(block, static_cast<double>(lots), previous);
  if (!a.ok) broken(a.error);
  return std::move(a.lots);
}

}  // namespace

std::uint64_t step_lots(std::uint64_t total_lots, std::uint64_t accounts, double lot_size, double price,
                        double max_child_value) {
  const double per_step = std::floor(max_child_value / (lot_size * price));
  std::uint64_t step = 1;
  if (per_step >= static_cast<double>(kMaxBlockLots)) {
    step = kMaxBlockLots;
  } else if (per_step > 1) {
    step = static_cast<std::uint64_t>(per_step);
  }
  const std::uint64_t most_steps =
      std::clamp<std::uint64_t>(kMaxSliceAllocations / std::max<std::uint64_t>(accounts, 1), 1, kMaxSliceSteps);
  const std::uint64_t fewest = total_lots / most_steps + (total_lots % most_steps != 0);
  return std::max(step, fewest);
}

std::vector<std::vector<SlicedChild>> slice_blocks(std::span<const BlockOrder> blocks, std::uint64_t step) {
  std::vector<std::vector<SlicedChild>> steps;
  if (blocks.empty()) return steps;
  step = std::max<std::uint64_t>(step, 1);
  // The group as one block whose "accounts" are its blocks.
  BlockOrder group;
  std::vector<BlockOrder> counted;
  counted.reserve(blocks.size());
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    group.allocations.push_back({static_cast<AccountIndex>(b), blocks[b].lots});
    group.lots += blocks[b].lots;
    counted.push_back(in_lots(blocks[b]));
  }
  std::vector<std::uint64_t> group_sent;                        // per block, lots sent so far
  std::vector<std::vector<std::uint64_t>> sent(blocks.size());  // per block and allocation
  for (std::uint64_t done = 0; done < group.lots;) {
    done = group.lots - done <= step ? group.lots : done + step;
    std::vector<std::uint64_t> group_now = shares(group, done, group_sent);
    std::vector<SlicedChild>& children = steps.emplace_back();
    for (std::size_t b = 0; b < blocks.size(); ++b) {
      if (!group_sent.empty() && group_now[b] == group_sent[b]) continue;
      std::vector<std::uint64_t> now = shares(counted[b], group_now[b], sent[b]);
      SlicedChild child;
      child.block = b;
      child.order.symbol = blocks[b].symbol;
      child.order.side = blocks[b].side;
      child.order.lot_size = blocks[b].lot_size;
      child.order.reference_price = blocks[b].reference_price;
      child.order.slicing = blocks[b].slicing;
      for (std::size_t i = 0; i < now.size(); ++i) {
        const std::uint64_t before = sent[b].empty() ? 0 : sent[b][i];
        if (now[i] == before) continue;
        child.order.allocations.push_back({blocks[b].allocations[i].account, now[i] - before});
        child.order.lots += now[i] - before;
        child.parent.push_back(static_cast<std::uint32_t>(i));
        child.asked_before.push_back(before);
      }
      sent[b] = std::move(now);
      children.push_back(std::move(child));
    }
    group_sent = std::move(group_now);
  }
  return steps;
}

std::vector<core::NamedLot> named_part(std::span<const core::NamedLot> named, double from, double quantity) {
  std::vector<core::NamedLot> part;
  const double to = from + quantity;
  double at = 0;  // the first unit of the lot looked at
  for (const core::NamedLot& lot : named) {
    const double begin = std::max(at, from);
    const double end = std::min(at + lot.quantity, to);
    // A sliver left by the sums' rounding names nothing.
    if (end - begin > quantity * 1e-12) part.push_back({lot.id, end - begin, lot.acquired});
    at += lot.quantity;
    if (at >= to) break;
  }
  return part;
}

}  // namespace ballast::fleet
