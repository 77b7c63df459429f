#pragma once
// Block orders: the trades of many accounts in one decision window, netted
// into one order per symbol and side with the list of what each account asked,
// and the fills of such an order allocated back to the accounts in whole lots.
// Pure: no I/O, no clock. Quantities are counted in lots (integers), so that
// allocation is exact; lots × lot_size is the quantity in units.
//
// Buys and sells of one symbol are not crossed against each other: each side
// is its own order (crossing accounts internally is a trade between clients).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/types.hpp"
#include "fleet/account_book.hpp"

namespace ballast::fleet {

/// Lot counts above this are refused: up to it a count and its quantity in
/// units are exact in a double, and products of two counts fit 128 bits.
inline constexpr std::uint64_t kMaxBlockLots = std::uint64_t{1} << 53;

/// One account's trade as it enters the window.
struct AccountTrade {
  AccountIndex account = 0;
  core::SymbolId symbol = core::kNoSymbol;
  core::Side side = core::Side::buy;
  std::uint64_t lots = 0;    ///< > 0, whole lots
  double reference_price = 0;  ///< finite, > 0
  double lot_size = 1;       ///< finite, > 0; the same for every trade of a symbol and side
  /// The tax lots a sell names on the wire: its allocation costs 1 + this of
  /// a block's budget (execution::allocation_cost).
  std::uint32_t named_lots = 0;
  /// The account's model's slicing, as the caller numbers them (0: none):
  /// trades of different slicings go in different blocks.
  std::uint16_t slicing = 0;

  double quantity() const;  ///< lots × lot_size, in units
  bool operator==(const AccountTrade&) const = default;
};

/// The whole number of lots in `quantity` units, when it is one (to a relative
/// 1e-9, the binary noise of 3 × 0.001); nullopt otherwise, for a quantity
/// that is not finite and > 0, a lot size that is not, or more than kMaxBlockLots.
std::optional<std::uint64_t> whole_lots(double quantity, double lot_size);

/// What one account asked of a block.
struct BlockAllocation {
  AccountIndex account = 0;
  std::uint64_t lots = 0;  ///< > 0

  bool operator==(const BlockAllocation&) const = default;
};

struct BlockOrder {
  core::SymbolId symbol = core::kNoSymbol;
  core::Side side = core::Side::buy;
  double lot_size = 1;
  std::uint64_t lots = 0;  ///< Σ allocations' lots
  /// The accounts' reference prices weighted by their lots.
  double reference_price = 0;
  std::vector<BlockAllocation> allocations;  ///< ascending account, one entry per account
  std::uint16_t slicing = 0;                 ///< its trades' AccountTrade::slicing

  double quantity() const;  ///< lots × lot_size, in units
  bool operator==(const BlockOrder&) const = default;
};

/// Why a trade was not taken into a block; the trade is left out, nothing else changes.
enum class BlockRefusal : std::uint8_t {
  no_symbol,         ///< symbol is kNoSymbol
  no_lots,           ///< lots is 0 or above kMaxBlockLots
  bad_price,         ///< reference price not finite and > 0
  bad_lot_size,      ///< lot size not finite and > 0
  lot_size_differs,  ///< another lot size than the trades already in its symbol and side
  block_too_large,   ///< the block's lots would pass kMaxBlockLots
};
std::string_view to_string(BlockRefusal r);

/// Collects the trades of one window, then nets them (take()). Within a window
/// an account's trades in one symbol and side are added up into one allocation.
class BlockCollector {
 public:
  /// `max_allocations_per_block` ≥ 1: the budget of one block, in which an
  /// allocation costs 1 plus the lots it names (AccountTrade::named_lots). A
  /// symbol and side whose allocations cost more is sent as several blocks of
  /// consecutive accounts, so that each order fits its frame
  /// (execution::kAllocationsPerFrame units fit any frame); a block holds at
  /// least one allocation, whatever it costs. 0 is taken as 1.
  explicit BlockCollector(std::size_t max_allocations_per_block);

  /// Takes `trade` into the window, or says why not.
  std::optional<BlockRefusal> add(const AccountTrade& trade);

  /// The window's blocks, and an empty window after it. Deterministic: every
  /// sell block before any buy block (sells raise the buys' cash), ascending
  /// symbol within a side, then ascending slicing, accounts ascending within
  /// and across the blocks of one symbol, side and slicing. The result does not depend on the order of add().
  std::vector<BlockOrder> take();

  std::size_t trade_count() const { return entries_.size(); }

 private:
  struct Entry {
    AccountIndex account;
    std::uint64_t lots;
    double reference_price;
    std::uint32_t named_lots;
  };
  struct Group {
    core::SymbolId symbol;
    core::Side side;
    std::uint16_t slicing;
    double lot_size;
    std::uint64_t lots;
    std::vector<std::uint32_t> entries;  ///< indices into entries_
  };

  std::size_t max_allocations_;
  std::unordered_map<std::uint64_t, std::uint32_t> group_of_key_;  ///< (slicing, symbol, side) → index into groups_
  std::vector<Group> groups_;
  std::vector<Entry> entries_;
};

/// The fill of a block allocated to its accounts.
struct FillAllocation {
  bool ok = false;
  std::string error;  ///< why nothing could be allocated, when !ok
  /// One count per block allocation, in the same order; each ≤ what it asked.
  std::vector<std::uint64_t> lots;
  std::uint64_t allocated_lots = 0;  ///< Σ lots: the fill in whole lots, at most the block's
  /// Filled but given to no account, in units: the part of the fill below one
  /// lot, and anything past the block's quantity. It stays unallocated (the
  /// caller reports it); a later, larger cumulative fill may complete the lot.
  double unallocated_quantity = 0;
  bool overfilled = false;  ///< the fill exceeds the block's quantity
};

/// Allocates a cumulative fill of `block` (units) by largest remainder: each
/// account's exact share is a_i·F/Q (asked a_i lots of Q, F = the fill in whole
/// lots, at most Q); it gets the floor of its share, and the lots left over go
/// one each to the largest fractional remainders (ties: lower account first).
/// No account gets more than it asked; the counts add up to F.
///
/// Incremental use: `previous` holds what the last call gave for a smaller
/// cumulative fill of the same block (empty for none). No account ever gets
/// less than before. Largest remainder alone can take a lot away when the fill
/// grows (the Alabama paradox: asks 6, 6, 2 give 4, 4, 2 at 10 lots and 5, 5, 1
/// at 11), so each account gets at least its previous count, and the lots this
/// puts over F are taken back from the accounts furthest above their exact
/// share (ties: higher account first) among those above their previous count.
/// Every count stays below its exact share + 1. It can fall more than one lot
/// below its share only where counts kept from earlier fills leave too few lots
/// (asks 1, 50, 1, 1, 50, 1: 1, 33, 1, 1, 33, 1 at 70 lots, then 1, 37, 1, 1,
/// 36, 1 at 77, where the shares are 0.74 and 37.02): no method can both keep
/// earlier counts and stay within a lot of every share.
///
/// Refused (!ok): a fill that is not finite and ≥ 0, a block whose lots are not
/// the sum of its allocations, a `previous` of another length, above an ask,
/// adding up to more than F (the cumulative fill went down), or that this
/// function cannot have given for a smaller fill of this block.
FillAllocation allocate_fill(const BlockOrder& block, double cumulative_filled_quantity,
                             std::span<const std::uint64_t> previous = {});

}  // namespace ballast::fleet
