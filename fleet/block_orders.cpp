#include "fleet/block_orders.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <queue>
#include <utility>

#include "core/numbers.hpp"
#include "execution/io/order_codec.hpp"
#include "execution/order_sizing.hpp"

namespace ballast::fleet {
namespace {

// Products of two lot counts (each ≤ 2⁵³) need 106 bits.
__extension__ typedef unsigned __int128 U128;
__extension__ typedef __int128 I128;

[[noreturn]] void broken(const char* what) {
  std::fprintf(stderr, "ballast: broken invariant: %s\n", what);
  std::abort();
}

// How far from a whole number a count of lots may be and still be one: a
// millionth of a lot, plus the relative noise of a division of doubles, never
// past a thousandth of a lot (so that no lot is ever made up).
double lot_tolerance(double lots) { return std::min(1e-6 + std::abs(lots) * 1e-15, 1e-3); }

std::uint64_t key_of(core::SymbolId symbol, core::Side side, std::uint16_t slicing) {
  return (std::uint64_t{slicing} << 33) | (std::uint64_t{symbol} << 1) | (side == core::Side::sell ? 1u : 0u);
}

}  // namespace

double AccountTrade::quantity() const { return execution::lots_to_quantity(static_cast<double>(lots), lot_size); }
double BlockOrder::quantity() const { return execution::lots_to_quantity(static_cast<double>(lots), lot_size); }

std::optional<std::uint64_t> whole_lots(double quantity, double lot_size) {
  if (!core::finite_positive(quantity) || !core::finite_positive(lot_size)) return std::nullopt;
  const double x = quantity / lot_size;
  if (!(x <= static_cast<double>(kMaxBlockLots))) return std::nullopt;
  const double n = std::round(x);
  if (n < 1 || std::abs(x - n) > lot_tolerance(x)) return std::nullopt;
  return static_cast<std::uint64_t>(n);
}

std::string_view to_string(BlockRefusal r) {
  switch (r) {
    case BlockRefusal::no_symbol: return "no_symbol";
    case BlockRefusal::no_lots: return "no_lots";
    case BlockRefusal::bad_price: return "bad_price";
    case BlockRefusal::bad_lot_size: return "bad_lot_size";
    case BlockRefusal::lot_size_differs: return "lot_size_differs";
    case BlockRefusal::block_too_large: return "block_too_large";
  }
  return "no_lots";
}

BlockCollector::BlockCollector(std::size_t max_allocations_per_block)
    : max_allocations_(std::max<std::size_t>(1, max_allocations_per_block)) {}

std::optional<BlockRefusal> BlockCollector::add(const AccountTrade& trade) {
  if (trade.symbol == core::kNoSymbol) return BlockRefusal::no_symbol;
  if (trade.lots == 0 || trade.lots > kMaxBlockLots) return BlockRefusal::no_lots;
  if (!core::finite_positive(trade.reference_price)) return BlockRefusal::bad_price;
  if (!core::finite_positive(trade.lot_size)) return BlockRefusal::bad_lot_size;
  if (entries_.size() >= 0xffffffffu) return BlockRefusal::block_too_large;

  const auto [it, inserted] = group_of_key_.try_emplace(key_of(trade.symbol, trade.side, trade.slicing),
                                                        static_cast<std::uint32_t>(groups_.size()));
  if (inserted) groups_.push_back(Group{trade.symbol, trade.side, trade.slicing, trade.lot_size, 0, {}});
  Group& g = groups_[it->second];
  if (g.lot_size != trade.lot_size) return BlockRefusal::lot_size_differs;
  if (g.lots + trade.lots > kMaxBlockLots) return BlockRefusal::block_too_large;
  g.lots += trade.lots;
  g.entries.push_back(static_cast<std::uint32_t>(entries_.size()));
  entries_.push_back(Entry{trade.account, trade.lots, trade.reference_price, trade.named_lots});
  return std::nullopt;
}

std::vector<BlockOrder> BlockCollector::take() {
  std::vector<Group> groups = std::move(groups_);
  std::vector<Entry> entries = std::move(entries_);
  groups_.clear();
  entries_.clear();
  group_of_key_.clear();

  std::sort(groups.begin(), groups.end(), [](const Group& a, const Group& b) {
    if (a.side != b.side) return a.side == core::Side::sell;
    if (a.symbol != b.symbol) return a.symbol < b.symbol;
    return a.slicing < b.slicing;
  });

  std::vector<BlockOrder> blocks;
  for (Group& g : groups) {
    // Sorted on everything an entry holds, so that the weighted price is
    // summed in one order whatever the order of add().
    std::sort(g.entries.begin(), g.entries.end(), [&](std::uint32_t a, std::uint32_t b) {
      const Entry& x = entries[a];
      const Entry& y = entries[b];
      if (x.account != y.account) return x.account < y.account;
      if (x.reference_price != y.reference_price) return x.reference_price < y.reference_price;
      if (x.lots != y.lots) return x.lots < y.lots;
      return x.named_lots < y.named_lots;
    });
    BlockOrder* block = nullptr;
    double value = 0;      // Σ lots × price of the current block
    std::size_t cost = 0;  // Σ allocation costs of the current block
    auto close = [&] {
      if (block) block->reference_price = value / static_cast<double>(block->lots);
    };
    for (std::uint32_t index : g.entries) {
      const Entry& e = entries[index];
      const bool same_account = block && block->allocations.back().account == e.account;
      // An account's trades merged into one allocation: each one's lots counted, an upper bound.
      const std::size_t adds = same_account ? e.named_lots : execution::allocation_cost(e.named_lots);
      if (!same_account && (!block || cost + adds > max_allocations_)) {
        close();
        block = &blocks.emplace_back();
        block->symbol = g.symbol;
        block->side = g.side;
        block->lot_size = g.lot_size;
        block->slicing = g.slicing;
        value = 0;
        cost = 0;
      }
      cost += adds;
      if (same_account) block->allocations.back().lots += e.lots;
      else block->allocations.push_back(BlockAllocation{e.account, e.lots});
      block->lots += e.lots;
      value += static_cast<double>(e.lots) * e.reference_price;
    }
    close();
  }
  return blocks;
}

FillAllocation allocate_fill(const BlockOrder& block, double cumulative_filled_quantity,
                             std::span<const std::uint64_t> previous) {
  FillAllocation r;
  auto refuse = [&](const char* why) {
    r = FillAllocation{};
    r.error = why;
    return r;
  };
  const std::size_t n = block.allocations.size();
  if (n == 0) return refuse("the block has no allocations");
  if (!core::finite_positive(block.lot_size)) return refuse("the block's lot size must be finite and > 0");
  std::uint64_t total = 0;
  for (const BlockAllocation& a : block.allocations) {
    if (a.lots == 0 || a.lots > kMaxBlockLots - total) return refuse("the block's allocations are out of range");
    total += a.lots;
  }
  if (total != block.lots) return refuse("the block's lots are not the sum of its allocations");
  const double fill = cumulative_filled_quantity;
  if (!std::isfinite(fill) || fill < 0) return refuse("the filled quantity must be finite and >= 0");
  if (!previous.empty() && previous.size() != n) return refuse("previous allocations of another block");

  // The fill in whole lots, at most the block's.
  const double fill_lots = fill / block.lot_size;
  const double tolerance = lot_tolerance(fill_lots);
  const std::uint64_t f = fill_lots + tolerance >= static_cast<double>(total)
                              ? total
                              : static_cast<std::uint64_t>(std::floor(fill_lots + tolerance));
  r.overfilled = fill_lots > static_cast<double>(total) + tolerance;
  const double allocated_quantity = execution::lots_to_quantity(static_cast<double>(f), block.lot_size);
  r.unallocated_quantity = fill - allocated_quantity;
  if (r.unallocated_quantity <= tolerance * block.lot_size) r.unallocated_quantity = 0;

  // Largest remainder: floors of a_i·f/Q, then one lot each to the largest
  // remainders. A remainder > 0 means the floor is below a_i (f ≤ Q), so the
  // extra lot never passes an ask.
  std::vector<std::uint64_t>& lots = r.lots;
  lots.resize(n);
  std::vector<U128> share(n);  // a_i·f, the exact share times Q
  std::uint64_t given = 0;
  for (std::size_t i = 0; i < n; ++i) {
    share[i] = U128{block.allocations[i].lots} * f;
    lots[i] = static_cast<std::uint64_t>(share[i] / total);
    given += lots[i];
  }
  const std::uint64_t left = f - given;  // < n: each floor loses less than one lot
  if (left > 0) {
    std::vector<std::uint32_t> order(n);
    std::iota(order.begin(), order.end(), 0u);
    const auto larger_remainder = [&](std::uint32_t a, std::uint32_t b) {
      const U128 ra = share[a] % total;
      const U128 rb = share[b] % total;
      return ra != rb ? ra > rb : a < b;
    };
    std::nth_element(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(left), order.end(),
                     larger_remainder);
    for (std::uint64_t k = 0; k < left; ++k) ++lots[order[k]];
  }

  if (!previous.empty()) {
    std::uint64_t previous_total = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (previous[i] > block.allocations[i].lots) return refuse("a previous allocation is above what its account asked");
      previous_total += previous[i];
    }
    if (previous_total > f) return refuse("the cumulative fill is below what is already allocated");
    // What this function gives for a fill ≤ f stays below the exact share at
    // f plus one lot (lots·Q < a_i·f + Q); anything else was not allocated by it.
    for (std::size_t i = 0; i < n; ++i) {
      if (U128{previous[i]} * total >= share[i] + total) return refuse("previous allocations not made by this block's fills");
    }

    // Never less than before; each account gains at most one lot over the
    // fresh count (previous < share + 1, fresh ≥ floor of share), so at most
    // n lots go back.
    std::uint64_t over = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (previous[i] > lots[i]) {
        over += previous[i] - lots[i];
        lots[i] = previous[i];
      }
    }
    // Take back from the accounts furthest above their exact share
    // (lots_i·Q − a_i·f largest; ties: the higher account), never below their
    // previous count.
    using Excess = std::pair<I128, std::uint32_t>;
    std::priority_queue<Excess> excess;  // largest excess, then largest index, on top
    for (std::size_t i = 0; i < n; ++i) {
      if (lots[i] > previous[i]) {
        excess.emplace(static_cast<I128>(U128{lots[i]} * total) - static_cast<I128>(share[i]),
                       static_cast<std::uint32_t>(i));
      }
    }
    for (; over > 0; --over) {
      if (excess.empty()) broken("allocate_fill: lots to take back but no account above its previous count");
      const auto [e, i] = excess.top();
      excess.pop();
      --lots[i];
      if (lots[i] > previous[i]) excess.emplace(e - static_cast<I128>(total), i);
    }
  }

  r.allocated_lots = f;
  r.ok = true;
  return r;
}

}  // namespace ballast::fleet
