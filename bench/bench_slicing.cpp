// What slicing costs when a window closes: fleet::slice_blocks over groups of
// blocks (500 accounts each, the most an order frame holds) into 10, 25, 100
// and 1,000 steps, against the baseline of allocating one whole fill of each
// block (what an unsliced window's blocks cost when their fills come back).
// The daemon caps steps × accounts at kMaxSliceAllocations, so some rows are
// past what it makes: they show why the cap is there. Pure: no daemon.
// Prints the median of five rounds and the allocations the children hold.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

#include "bench/bench_common.hpp"
#include "fleet/block_orders.hpp"
#include "fleet/block_slicing.hpp"

using namespace ballast;
using namespace ballast::fleet;
using Clock = std::chrono::steady_clock;

namespace {

std::vector<BlockOrder> group_of(std::size_t blocks, std::size_t per_block, std::mt19937_64& rng) {
  std::vector<BlockOrder> group;
  AccountIndex next = 0;
  for (std::size_t b = 0; b < blocks; ++b) {
    BlockOrder& block = group.emplace_back();
    block.symbol = 1;
    block.lot_size = 1;
    block.reference_price = 100;
    for (std::size_t i = 0; i < per_block; ++i) {
      const std::uint64_t lots = 1 + rng() % 200;
      block.allocations.push_back({next++, lots});
      block.lots += lots;
    }
  }
  return group;
}

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

int main() {
  std::mt19937_64 rng(11);
  std::printf("%-8s %-10s %-7s %14s %16s %8s %14s\n", "blocks", "accounts", "steps", "slice ms", "one fill ms", "ratio",
              "allocations");
  for (const std::size_t blocks : {1u, 4u, 20u}) {
    const std::vector<BlockOrder> group = group_of(blocks, 500, rng);
    std::uint64_t total = 0;
    for (const BlockOrder& b : group) total += b.lots;
    for (const std::uint64_t steps : {10u, 25u, 100u, 1000u}) {
      const std::uint64_t step = (total + steps - 1) / steps;
      std::vector<double> slice, fill;
      std::size_t allocations = 0;
      for (int round = 0; round < 5; ++round) {
        auto start = Clock::now();
        const auto sliced = slice_blocks(group, step);
        slice.push_back(ms_since(start));
        allocations = 0;
        for (const auto& children : sliced) {
          for (const SlicedChild& c : children) allocations += c.order.allocations.size();
        }
        start = Clock::now();
        std::uint64_t given = 0;
        for (const BlockOrder& b : group) given += allocate_fill(b, b.quantity()).allocated_lots;
        fill.push_back(ms_since(start));
        if (given != total) return 1;
      }
      const double s = bench::percentile(slice, 0.5), f = bench::percentile(fill, 0.5);
      std::printf("%-8zu %-10zu %-7llu %14.3f %16.4f %8.0f %14zu\n", blocks, blocks * 500,
                  static_cast<unsigned long long>(steps), s, f, s / f, allocations);
    }
  }
}
