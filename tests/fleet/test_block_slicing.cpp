// Slicing block orders into children: the lots of a step, the children of one
// block and of a group of blocks, and the named lots of a sell's child, with
// expectations worked out by hand.
#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "fleet/block_slicing.hpp"

namespace test_block_slicing {

using namespace ballast;
using namespace ballast::fleet;

namespace {

BlockOrder block_of(std::vector<BlockAllocation> allocations, double lot_size = 1, double price = 100) {
  BlockOrder b;
  b.symbol = 3;
  b.side = core::Side::buy;
  b.lot_size = lot_size;
  b.reference_price = price;
  b.slicing = 1;
  for (const BlockAllocation& a : allocations) b.lots += a.lots;
  b.allocations = std::move(allocations);
  return b;
}

std::vector<BlockAllocation> allocations(const SlicedChild& c) { return c.order.allocations; }

}  // namespace

TEST_CASE("a step is max_child_value's whole lots at the price, at least one, within the caps on steps") {
  CHECK(step_lots(100, 2, 1, 30, 1000) == 33);            // 1000 / 30 = 33.3
  CHECK(step_lots(100, 2, 10, 30, 1000) == 3);            // 1000 / 300 = 3.3
  CHECK(step_lots(100, 2, 1, 2000, 1000) == 1);           // a lot worth more than a child: one lot a step
  CHECK(step_lots(100'000, 2, 1, 30, 1000) == 100);       // 100,000 / 1,000 steps beats 33
  CHECK(step_lots(100'001, 2, 1, 30, 1000) == 101);       // ⌈100,001 / 1,000⌉
  CHECK(step_lots(10, 2, 1, 1, 1e300) == kMaxBlockLots);  // no overflow from a child worth more than any block
  // 2,000 accounts: 50,000 / 2,000 = 25 steps at most, so 10,000 lots go 400 a step, not 33.
  CHECK(step_lots(10'000, 2'000, 1, 30, 1000) == 400);
  CHECK(step_lots(10'001, 2'000, 1, 30, 1000) == 401);
  // More accounts than the allocations' cap: one step, the whole group.
  CHECK(step_lots(10'000, 200'000, 1, 30, 1000) == 10'000);
}

TEST_CASE("one block: after each step every account holds its largest-remainder share of the lots sent") {
  // Asks 6, 6, 2 (14 lots) in steps of 5. After 5 lots: shares 2.14, 2.14,
  // 0.71 → 2, 2, 1. After 10: 4.29, 4.29, 1.43 → 4, 4, 2. After 14: 6, 6, 2.
  const BlockOrder block = block_of({{10, 6}, {11, 6}, {12, 2}});
  const auto steps = slice_blocks(std::span(&block, 1), 5);
  REQUIRE(steps.size() == 3);
  for (const auto& s : steps) REQUIRE(s.size() == 1);
  CHECK(allocations(steps[0][0]) == std::vector<BlockAllocation>{{10, 2}, {11, 2}, {12, 1}});
  CHECK(allocations(steps[1][0]) == std::vector<BlockAllocation>{{10, 2}, {11, 2}, {12, 1}});
  // The last step leaves out account 12, which has all it asked.
  CHECK(allocations(steps[2][0]) == std::vector<BlockAllocation>{{10, 2}, {11, 2}});
  CHECK(steps[2][0].parent == std::vector<std::uint32_t>{0, 1});
  CHECK(steps[2][0].asked_before == std::vector<std::uint64_t>{4, 4});
  CHECK(steps[1][0].asked_before == std::vector<std::uint64_t>{2, 2, 1});
  for (const auto& s : steps) {
    const BlockOrder& c = s[0].order;
    CHECK(c.symbol == 3);
    CHECK(c.side == core::Side::buy);
    CHECK(c.reference_price == 100);
    CHECK(c.slicing == 1);
  }
  CHECK(steps[0][0].order.lots == 5);
  CHECK(steps[1][0].order.lots == 5);
  CHECK(steps[2][0].order.lots == 4);
}

TEST_CASE("a group of blocks: each step is shared among the blocks first, then within each") {
  // X asks 3 (account 1) and 1 (account 2); Y asks 4 (account 3); steps of 3.
  // After 3 lots the blocks' shares are 1.5 and 1.5 → 2, 1 (tie: the first
  // block); within X 2 of 4 are 1.5 and 0.5 → 2, 0 (tie: the lower account).
  // After 6: 3, 3; X's 3 of 4 are 2.25 and 0.75 → 2, 1. After 8: all.
  const std::vector<BlockOrder> group = {block_of({{1, 3}, {2, 1}}), block_of({{3, 4}})};
  const auto steps = slice_blocks(group, 3);
  REQUIRE(steps.size() == 3);
  REQUIRE(steps[0].size() == 2);
  CHECK(steps[0][0].block == 0);
  CHECK(allocations(steps[0][0]) == std::vector<BlockAllocation>{{1, 2}});
  CHECK(allocations(steps[0][1]) == std::vector<BlockAllocation>{{3, 1}});
  REQUIRE(steps[1].size() == 2);
  CHECK(allocations(steps[1][0]) == std::vector<BlockAllocation>{{2, 1}});
  CHECK(steps[1][0].parent == std::vector<std::uint32_t>{1});
  CHECK(allocations(steps[1][1]) == std::vector<BlockAllocation>{{3, 2}});
  REQUIRE(steps[2].size() == 2);
  CHECK(allocations(steps[2][0]) == std::vector<BlockAllocation>{{1, 1}});
  CHECK(steps[2][0].asked_before == std::vector<std::uint64_t>{2});
  CHECK(allocations(steps[2][1]) == std::vector<BlockAllocation>{{3, 1}});
}

TEST_CASE("a block within one step is one child, the block itself") {
  const BlockOrder block = block_of({{1, 3}, {2, 1}});
  const auto steps = slice_blocks(std::span(&block, 1), 4);
  REQUIRE(steps.size() == 1);
  REQUIRE(steps[0].size() == 1);
  CHECK(steps[0][0].order == block);
  CHECK(slice_blocks({}, 4).empty());
}

TEST_CASE("random groups: every step sends the step's lots, every account gets what it asked, never more") {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 200; ++round) {
    std::vector<BlockOrder> group;
    const std::size_t blocks = 1 + rng() % 4;
    AccountIndex next = 0;
    for (std::size_t b = 0; b < blocks; ++b) {
      std::vector<BlockAllocation> asks;
      const std::size_t n = 1 + rng() % 6;
      for (std::size_t i = 0; i < n; ++i) asks.push_back({next++, 1 + rng() % 40});
      group.push_back(block_of(asks));
    }
    std::uint64_t total = 0;
    for (const BlockOrder& b : group) total += b.lots;
    const std::uint64_t step = 1 + rng() % 30;
    const auto steps = slice_blocks(group, step);
    REQUIRE(steps.size() == (total + step - 1) / step);
    std::vector<std::uint64_t> got(next, 0);
    std::uint64_t sent = 0;
    for (const auto& children : steps) {
      std::uint64_t in_step = 0;
      for (const SlicedChild& c : children) {
        std::uint64_t lots = 0;
        for (std::size_t i = 0; i < c.order.allocations.size(); ++i) {
          const BlockAllocation& a = c.order.allocations[i];
          REQUIRE(a.lots > 0);
          CHECK(c.asked_before[i] == got[a.account]);
          CHECK(group[c.block].allocations[c.parent[i]].account == a.account);
          got[a.account] += a.lots;
          lots += a.lots;
        }
        CHECK(lots == c.order.lots);
        in_step += lots;
      }
      sent += in_step;
      CHECK(sent == std::min(total, (&children - steps.data() + 1) * step));
    }
    for (const BlockOrder& b : group) {
      for (const BlockAllocation& a : b.allocations) CHECK(got[a.account] == a.lots);
    }
  }
}

TEST_CASE("a sell's child names its part of the account's named lots, in the order they close") {
  const std::vector<core::NamedLot> named = {{1, 10, 100}, {2, 5, 200}};
  CHECK(named_part(named, 0, 4) == std::vector<core::NamedLot>{{1, 4, 100}});
  CHECK(named_part(named, 8, 5) == std::vector<core::NamedLot>{{1, 2, 100}, {2, 3, 200}});
  CHECK(named_part(named, 10, 5) == std::vector<core::NamedLot>{{2, 5, 200}});
  // Units past the named lots are named by none.
  CHECK(named_part(named, 12, 10) == std::vector<core::NamedLot>{{2, 3, 200}});
  CHECK(named_part(named, 15, 3).empty());
  CHECK(named_part({}, 0, 3).empty());
}

}  // namespace test_block_slicing
