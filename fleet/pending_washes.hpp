#pragma once
// The trades a desk has decided but not yet booked — in its decision window,
// or in blocks not yet final — as the wash-sale checks before a buy and
// before a harvest must see them: per household and group of substantially
// identical symbols, the units decided to be sold at a loss and the units
// decided to be bought. The wash-sale ledger (tax/wash_sale.hpp) sees a
// trade once its block is final and its fills are lots; until then it is
// here, and the checks read both. Pure; touched only when a trade is decided
// or its block is final, never per tick.
#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "core/types.hpp"
#include "fleet/account_book.hpp"
#include "tax/wash_sale.hpp"

namespace ballast::fleet {

class PendingWashes {
 public:
  /// Account `a` of `household` decided a trade of `symbol` (of the ledger's
  /// group `group`): a sell of which `units` realise a loss, or a buy of
  /// `units`. Nothing when `units` is not > 0 (a sell at a gain washes
  /// nothing). A second trade of the same account, symbol and side adds to the first.
  void add(tax::HouseholdIndex household, core::SymbolId group, AccountIndex a, core::SymbolId symbol, core::Side side,
           double units);
  /// Drops `a`'s trade of `symbol` on `side`: its block is final, and what it
  /// did is in the ledger (or, not filled, did nothing).
  void drop(AccountIndex a, core::SymbolId symbol, core::Side side);
  /// Drops every trade of `a`.
  void drop_all(AccountIndex a);

  /// Units `household` decided to sell at a loss in `group`, not yet final.
  double loss_units(tax::HouseholdIndex household, core::SymbolId group) const;
  /// Units `household` decided to buy in `group`, not yet final.
  double buy_units(tax::HouseholdIndex household, core::SymbolId group) const;

  /// Trades kept.
  std::size_t size() const;
  bool empty() const { return by_group_.empty(); }

 private:
  struct Trade {
    AccountIndex account = 0;
    core::SymbolId symbol = core::kNoSymbol;
    core::Side side = core::Side::buy;
    double units = 0;
  };
  static std::uint64_t key(tax::HouseholdIndex household, core::SymbolId group) {
    return (std::uint64_t{household} << 32) | group;
  }
  double units(tax::HouseholdIndex household, core::SymbolId group, core::Side side) const;

  std::unordered_map<std::uint64_t, std::vector<Trade>> by_group_;
  /// The keys under which each account has trades: a drop finds them without
  /// the household or group, which may have changed since (a model added).
  std::unordered_map<AccountIndex, std::vector<std::uint64_t>> keys_of_;
};

}  // namespace ballast::fleet
