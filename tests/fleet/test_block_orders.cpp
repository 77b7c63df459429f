#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "fleet/block_orders.hpp"

namespace test_block_orders {

using namespace ballast;
using namespace ballast::fleet;
using core::Side;

namespace {

AccountTrade trade(AccountIndex account, core::SymbolId symbol, Side side, std::uint64_t lots, double price = 100,
                   double lot_size = 1) {
  return AccountTrade{account, symbol, side, lots, price, lot_size};
}

BlockOrder block_of(const std::vector<std::uint64_t>& asks, double lot_size = 1) {
  BlockOrder b;
  b.symbol = 0;
  b.lot_size = lot_size;
  b.reference_price = 100;
  for (std::size_t i = 0; i < asks.size(); ++i) {
    b.allocations.push_back(BlockAllocation{static_cast<AccountIndex>(i), asks[i]});
    b.lots += asks[i];
  }
  return b;
}

using Lots = std::vector<std::uint64_t>;
__extension__ typedef unsigned __int128 U128;

Lots allocated(const BlockOrder& b, double fill, const Lots& previous = {}) {
  const FillAllocation a = allocate_fill(b, fill, previous);
  REQUIRE_MESSAGE(a.ok, a.error);
  return a.lots;
}

std::string refusal(const BlockOrder& b, double fill, const Lots& previous = {}) {
  const FillAllocation a = allocate_fill(b, fill, previous);
  CHECK_FALSE(a.ok);
  CHECK(a.lots.empty());
  CHECK(a.allocated_lots == 0);
  return a.error;
}

}  // namespace

// ---- netting ---------------------------------------------------------------

TEST_CASE("the trades of many accounts net into one order per symbol and side, sells first") {
  BlockCollector c(1000);
  CHECK_FALSE(c.add(trade(3, 0, Side::buy, 5)));
  CHECK_FALSE(c.add(trade(1, 1, Side::buy, 2)));
  CHECK_FALSE(c.add(trade(1, 0, Side::buy, 3)));
  CHECK_FALSE(c.add(trade(2, 0, Side::sell, 4)));
  CHECK_FALSE(c.add(trade(2, 0, Side::buy, 2)));
  CHECK(c.trade_count() == 5);

  const std::vector<BlockOrder> blocks = c.take();
  REQUIRE(blocks.size() == 3);
  CHECK(blocks[0].symbol == 0);
  CHECK(blocks[0].side == Side::sell);
  CHECK(blocks[0].allocations == std::vector<BlockAllocation>{{2, 4}});
  CHECK(blocks[1].symbol == 0);
  CHECK(blocks[1].side == Side::buy);
  CHECK(blocks[1].lots == 10);
  CHECK(blocks[1].quantity() == 10);
  CHECK(blocks[1].allocations == std::vector<BlockAllocation>{{1, 3}, {2, 2}, {3, 5}});
  CHECK(blocks[2].symbol == 1);
  CHECK(blocks[2].allocations == std::vector<BlockAllocation>{{1, 2}});

  CHECK(c.trade_count() == 0);
  CHECK(c.take().empty());
}

TEST_CASE("an account's trades in one symbol and side add up, and the price is weighted by lots") {
  BlockCollector c(1000);
  CHECK_FALSE(c.add(trade(7, 4, Side::buy, 1, 100, 0.5)));
  CHECK_FALSE(c.add(trade(9, 4, Side::buy, 2, 103, 0.5)));
  CHECK_FALSE(c.add(trade(7, 4, Side::buy, 3, 102, 0.5)));
  const std::vector<BlockOrder> blocks = c.take();
  REQUIRE(blocks.size() == 1);
  CHECK(blocks[0].allocations == std::vector<BlockAllocation>{{7, 4}, {9, 2}});
  CHECK(blocks[0].lots == 6);
  CHECK(blocks[0].lot_size == 0.5);
  CHECK(blocks[0].quantity() == 3);
  // (1·100 + 3·102 + 2·103) / 6 = 612 / 6
  CHECK(blocks[0].reference_price == doctest::Approx(102).epsilon(1e-15));
}

TEST_CASE("the blocks do not depend on the order the trades came in") {
  std::mt19937_64 rng(11);
  std::vector<AccountTrade> trades;
  for (AccountIndex a = 0; a < 300; ++a) {
    std::uniform_int_distribution<int> symbol(0, 6), lots(1, 40), side(0, 1), cents(9000, 11000);
    for (int k = 0; k < 3; ++k) {
      trades.push_back(trade(a, static_cast<core::SymbolId>(symbol(rng)), side(rng) ? Side::buy : Side::sell,
                             static_cast<std::uint64_t>(lots(rng)), cents(rng) / 100.0));
    }
  }
  auto net = [](const std::vector<AccountTrade>& ts) {
    BlockCollector c(50);
    for (const AccountTrade& t : ts) REQUIRE_FALSE(c.add(t));
    return c.take();
  };
  const std::vector<BlockOrder> first = net(trades);
  std::shuffle(trades.begin(), trades.end(), rng);
  CHECK(net(trades) == first);
  std::reverse(trades.begin(), trades.end());
  CHECK(net(trades) == first);
}

TEST_CASE("a symbol and side with more accounts than a block may carry goes out as several blocks") {
  BlockCollector c(2);
  for (AccountIndex a : {4u, 0u, 3u, 1u, 2u}) CHECK_FALSE(c.add(trade(a, 0, Side::buy, a + 1, 10.0 * (a + 1))));
  CHECK_FALSE(c.add(trade(1, 0, Side::buy, 8, 10)));  // one account is never split over two blocks
  const std::vector<BlockOrder> blocks = c.take();
  REQUIRE(blocks.size() == 3);
  CHECK(blocks[0].allocations == std::vector<BlockAllocation>{{0, 1}, {1, 10}});
  CHECK(blocks[0].lots == 11);
  CHECK(blocks[0].reference_price == doctest::Approx((1 * 10.0 + 8 * 10.0 + 2 * 20.0) / 11));
  CHECK(blocks[1].allocations == std::vector<BlockAllocation>{{2, 3}, {3, 4}});
  CHECK(blocks[1].reference_price == doctest::Approx((3 * 30.0 + 4 * 40.0) / 7));
  CHECK(blocks[2].allocations == std::vector<BlockAllocation>{{4, 5}});
  CHECK(blocks[2].reference_price == 50);
}

TEST_CASE("an allocation costs its block 1 plus the lots it names") {
  // A budget of 6: accounts 0 (2 lots named, cost 3), 1 (none, cost 1) and
  // 2 (1 named, cost 2) make 6; account 3 (cost 1) starts a new block, and
  // account 4 (7 named, cost 8, past the budget alone) still goes, alone.
  BlockCollector c(6);
  const std::uint32_t named[] = {2, 0, 1, 0, 7, 0};
  for (AccountIndex a = 0; a < 6; ++a) {
    AccountTrade t = trade(a, 0, Side::sell, 1);
    t.named_lots = named[a];
    CHECK_FALSE(c.add(t));
  }
  const std::vector<BlockOrder> blocks = c.take();
  REQUIRE(blocks.size() == 4);
  CHECK(blocks[0].allocations == std::vector<BlockAllocation>{{0, 1}, {1, 1}, {2, 1}});
  CHECK(blocks[1].allocations == std::vector<BlockAllocation>{{3, 1}});
  CHECK(blocks[2].allocations == std::vector<BlockAllocation>{{4, 1}});
  CHECK(blocks[3].allocations == std::vector<BlockAllocation>{{5, 1}});
}

TEST_CASE("a trade the collector cannot take is refused with a reason and leaves the window as it was") {
  BlockCollector c(0);  // taken as 1
  CHECK(c.add(trade(0, core::kNoSymbol, Side::buy, 1)) == BlockRefusal::no_symbol);
  CHECK(c.add(trade(0, 0, Side::buy, 0)) == BlockRefusal::no_lots);
  CHECK(c.add(trade(0, 0, Side::buy, kMaxBlockLots + 1)) == BlockRefusal::no_lots);
  CHECK(c.add(trade(0, 0, Side::buy, 1, 0)) == BlockRefusal::bad_price);
  CHECK(c.add(trade(0, 0, Side::buy, 1, -1)) == BlockRefusal::bad_price);
  CHECK(c.add(trade(0, 0, Side::buy, 1, NAN)) == BlockRefusal::bad_price);
  CHECK(c.add(trade(0, 0, Side::buy, 1, INFINITY)) == BlockRefusal::bad_price);
  CHECK(c.add(trade(0, 0, Side::buy, 1, 100, 0)) == BlockRefusal::bad_lot_size);
  CHECK(c.add(trade(0, 0, Side::buy, 1, 100, NAN)) == BlockRefusal::bad_lot_size);
  CHECK(c.trade_count() == 0);

  CHECK_FALSE(c.add(trade(0, 0, Side::buy, kMaxBlockLots - 1)));
  CHECK(c.add(trade(1, 0, Side::buy, 2)) == BlockRefusal::block_too_large);
  CHECK(c.add(trade(1, 0, Side::buy, 1, 100, 10)) == BlockRefusal::lot_size_differs);
  CHECK_FALSE(c.add(trade(1, 0, Side::sell, 1, 100, 10)));  // the other side is another block
  CHECK_FALSE(c.add(trade(1, 0, Side::buy, 1)));
  const std::vector<BlockOrder> blocks = c.take();
  REQUIRE(blocks.size() == 3);
  CHECK(blocks[1].lots == kMaxBlockLots - 1);
  CHECK(blocks[2].allocations == std::vector<BlockAllocation>{{1, 1}});
  CHECK(to_string(BlockRefusal::lot_size_differs) == "lot_size_differs");
}

TEST_CASE("whole_lots counts the lots of a quantity, through the binary noise of fractional lots") {
  CHECK(whole_lots(12, 1) == 12u);
  CHECK(whole_lots(0.003, 0.001) == 3u);
  CHECK(whole_lots(0.3, 0.1) == 3u);
  CHECK(whole_lots(250, 25) == 10u);
  CHECK(whole_lots(9007199254740992.0, 1) == kMaxBlockLots);
  CHECK_FALSE(whole_lots(0.0035, 0.001));
  CHECK_FALSE(whole_lots(12.5, 1));
  CHECK_FALSE(whole_lots(0, 1));
  CHECK_FALSE(whole_lots(-3, 1));
  CHECK_FALSE(whole_lots(NAN, 1));
  CHECK_FALSE(whole_lots(3, 0));
  CHECK_FALSE(whole_lots(3, INFINITY));
  CHECK_FALSE(whole_lots(1e300, 1));
  CHECK_FALSE(whole_lots(0.4, 1));
}

// ---- allocating fills ------------------------------------------------------

TEST_CASE("a fill of 7 lots over asks of 5, 3 and 2 gives 4, 2 and 1") {
  // Shares 3.5, 2.1, 1.4: floors 3, 2, 1 = 6; the lot left goes to the largest remainder, 0.5.
  const FillAllocation a = allocate_fill(block_of({5, 3, 2}), 7);
  REQUIRE(a.ok);
  CHECK(a.lots == Lots{4, 2, 1});
  CHECK(a.allocated_lots == 7);
  CHECK(a.unallocated_quantity == 0);
  CHECK_FALSE(a.overfilled);
}

TEST_CASE("no fill allocates nothing and a full fill gives every account what it asked") {
  const BlockOrder b = block_of({5, 3, 2});
  CHECK(allocated(b, 0) == Lots{0, 0, 0});
  CHECK(allocated(b, 10) == Lots{5, 3, 2});
  CHECK(allocated(block_of({9}), 4) == Lots{4});
  CHECK(allocated(block_of({9}), 9) == Lots{9});
}

TEST_CASE("equal remainders go to the lower account first") {
  const BlockOrder b = block_of({1, 1, 1});
  CHECK(allocated(b, 1) == Lots{1, 0, 0});
  CHECK(allocated(b, 2) == Lots{1, 1, 0});
  CHECK(allocated(block_of({2, 2}), 1) == Lots{1, 0});
}

TEST_CASE("a fill below a whole lot stays unallocated and is reported") {
  // Lots of 0.01: asks of 0.05, 0.03 and 0.02; 0.075 filled is 7 lots and half a lot.
  const FillAllocation a = allocate_fill(block_of({5, 3, 2}, 0.01), 0.075);
  REQUIRE(a.ok);
  CHECK(a.lots == Lots{4, 2, 1});
  CHECK(a.allocated_lots == 7);
  CHECK(a.unallocated_quantity == doctest::Approx(0.005));
  CHECK_FALSE(a.overfilled);

  const FillAllocation under = allocate_fill(block_of({5, 3, 2}), 0.6);
  REQUIRE(under.ok);
  CHECK(under.lots == Lots{0, 0, 0});
  CHECK(under.unallocated_quantity == doctest::Approx(0.6));
  // 0.7 / 0.1 is 6.999…: still 7 lots, with nothing left over.
  const FillAllocation noisy = allocate_fill(block_of({4, 3}, 0.1), 0.7);
  REQUIRE(noisy.ok);
  CHECK(noisy.allocated_lots == 7);
  CHECK(noisy.unallocated_quantity == 0);
}

TEST_CASE("a fill past the block gives every account what it asked and reports the rest") {
  const FillAllocation a = allocate_fill(block_of({5, 3, 2}), 12.5);
  REQUIRE(a.ok);
  CHECK(a.lots == Lots{5, 3, 2});
  CHECK(a.allocated_lots == 10);
  CHECK(a.overfilled);
  CHECK(a.unallocated_quantity == doctest::Approx(2.5));
}

TEST_CASE("lot counts up to 2^53 are allocated exactly") {
  const std::uint64_t half = std::uint64_t{1} << 52;
  // Shares 2^52 − 0.5 each: floors 2^52 − 1, the one lot left to the first.
  CHECK(allocated(block_of({half, half}), 9007199254740991.0) == Lots{half, half - 1});
  // 3·2^50 and 2^50 of 2^52, fill 2^52 − 1: remainders 0.25 and 0.75 (a product past 64 bits).
  const std::uint64_t q = std::uint64_t{1} << 50;
  CHECK(allocated(block_of({3 * q, q}), 4503599627370495.0) == Lots{3 * q - 1, q});
  CHECK(allocated(block_of({kMaxBlockLots}), 1e300) == Lots{kMaxBlockLots});
}

TEST_CASE("a growing fill never takes a lot away (the Alabama paradox of largest remainder)") {
  const BlockOrder b = block_of({6, 6, 2});
  // Alone, largest remainder gives 4, 4, 2 at 10 lots and 5, 5, 1 at 11.
  CHECK(allocated(b, 10) == Lots{4, 4, 2});
  CHECK(allocated(b, 11) == Lots{5, 5, 1});
  // From 4, 4, 2 the third account keeps its 2; the extra lot comes back from
  // the accounts above their share 4.714: both are at 5, the higher one gives it.
  CHECK(allocated(b, 11, {4, 4, 2}) == Lots{5, 4, 2});
  CHECK(allocated(b, 12, {5, 4, 2}) == Lots{5, 5, 2});
  CHECK(allocated(b, 14, {5, 5, 2}) == Lots{6, 6, 2});
  // Without a change, the previous counts come back.
  CHECK(allocated(b, 10, {4, 4, 2}) == Lots{4, 4, 2});
}

TEST_CASE("counts kept from earlier fills can hold another account more than a lot below its share") {
  // Asks 1, 50, 1, 1, 50, 1 (104 lots). At 77 lots the shares are 0.74 for the
  // small accounts and 37.02 for the large ones, but the four small accounts
  // already hold their lot: 73 lots remain for two shares of 37.02, so one of
  // the large accounts (the higher, on a tie) gets 36. Upper bounds hold.
  const BlockOrder b = block_of({1, 50, 1, 1, 50, 1});
  CHECK(allocated(b, 70) == Lots{1, 33, 1, 1, 33, 1});
  CHECK(allocated(b, 77, {1, 33, 1, 1, 33, 1}) == Lots{1, 37, 1, 1, 36, 1});
}

TEST_CASE("allocate_fill refuses what it cannot allocate, with a reason") {
  const BlockOrder b = block_of({5, 3, 2});
  CHECK(refusal(b, NAN) == "the filled quantity must be finite and >= 0");
  CHECK(refusal(b, -1) == "the filled quantity must be finite and >= 0");
  CHECK(refusal(b, INFINITY) == "the filled quantity must be finite and >= 0");
  CHECK(refusal(block_of({}), 1) == "the block has no allocations");
  CHECK(refusal(block_of({5, 3}, 0), 1) == "the block's lot size must be finite and > 0");
  CHECK(refusal(block_of({5, 0}), 1) == "the block's allocations are out of range");
  CHECK(refusal(block_of({kMaxBlockLots, 1}), 1) == "the block's allocations are out of range");
  BlockOrder inconsistent = b;
  inconsistent.lots = 11;
  CHECK(refusal(inconsistent, 1) == "the block's lots are not the sum of its allocations");

  CHECK(refusal(b, 7, {4, 2}) == "previous allocations of another block");
  CHECK(refusal(b, 7, {6, 0, 0}) == "a previous allocation is above what its account asked");
  CHECK(refusal(b, 5, {4, 2, 1}) == "the cumulative fill is below what is already allocated");
  // At 2 lots the shares are 1, 0.6 and 0.4: no fill of at most 2 lots gives the third account 2.
  CHECK(refusal(b, 2, {0, 0, 2}) == "previous allocations not made by this block's fills");
}

TEST_CASE("random blocks and growing fills: totals, caps, shares and monotone counts hold") {
  std::mt19937_64 rng(20261123);
  int kept = 0;
  for (int round = 0; round < 400; ++round) {
    CAPTURE(round);
    std::uniform_int_distribution<std::size_t> accounts(1, 40);
    std::uniform_int_distribution<std::uint64_t> small(1, 12), large(1, std::uint64_t{1} << 40);
    const bool huge = round % 4 == 0;
    Lots asks(accounts(rng));
    for (std::uint64_t& a : asks) a = huge ? large(rng) : small(rng);
    const double lot = round % 3 == 0 ? 0.001 : 1;
    const BlockOrder b = block_of(asks, lot);

    Lots previous;
    std::uint64_t filled = 0;
    while (filled < b.lots) {
      std::uniform_int_distribution<std::uint64_t> step(0, std::max<std::uint64_t>(1, b.lots / 3));
      filled = std::min(b.lots, filled + step(rng));
      const double fill = static_cast<double>(filled) * lot;
      const FillAllocation a = allocate_fill(b, fill, previous);
      REQUIRE_MESSAGE(a.ok, a.error);
      CHECK(a.allocated_lots == filled);
      std::uint64_t sum = 0;
      bool same_as_fresh = true;
      const Lots fresh = allocated(b, fill);
      for (std::size_t i = 0; i < asks.size(); ++i) {
        sum += a.lots[i];
        CHECK(a.lots[i] <= asks[i]);
        if (!previous.empty()) CHECK(a.lots[i] >= previous[i]);
        // Below the exact share plus one lot (exact, in integers: lots·Q < ask·F + Q).
        CHECK(static_cast<U128>(a.lots[i]) * b.lots <
              static_cast<U128>(asks[i]) * filled + b.lots);
        if (!previous.empty() && fresh[i] < previous[i]) same_as_fresh = false;
      }
      CHECK(sum == filled);
      // Where largest remainder alone takes nothing away, it is what comes out.
      if (same_as_fresh) CHECK(a.lots == fresh);
      else ++kept;
      previous = a.lots;
    }
    CHECK(previous == asks);
  }
  CHECK(kept > 0);  // the previous counts did bind in some of the cases
}

}  // namespace test_block_orders
