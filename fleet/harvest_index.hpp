#pragma once
// The fleet's holdings worth watching for a tax-loss harvest, per symbol,
// each with its trigger (the price at or below which it is harvestable,
// tax::harvest_price): a tick of `symbol` at `price` finds the holdings whose
// trigger is ≥ price by touching only those, not the symbol's other holders.
//
// Per symbol, a 4-ary max-heap of entries (trigger, account, holding) with
// lazy deletion: replacing or removing a trigger leaves the old entry in the
// heap, and an entry counts only while its holding still has that symbol and
// that trigger. A symbol's heap is rebuilt from its live entries once stale
// ones outnumber them. The current triggers are kept per account as a short
// chain of holdings, walked to find one by symbol. A holding taken out stays
// in its account's chain, empty, for the account's next trigger of any
// symbol: a holding belongs to one account for good (so an entry's holding
// can be checked without walking the chain), and an account's holdings, made
// together when its triggers are first set, stay together in memory.
//
// Memory: 16 bytes per heap entry, 16 per holding (the most an account has
// had with a trigger at once), 4 per account; stale entries add at most as
// many again as live ones (plus 64 per symbol).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/types.hpp"
#include "fleet/account_book.hpp"

namespace ballast::fleet {

class HarvestIndex {
 public:
  /// Sets account `a`'s trigger for `symbol`, replacing any it had. A
  /// trigger not > 0 (NaN too) removes it: the holding is never harvestable.
  void set(AccountIndex a, core::SymbolId symbol, double trigger);
  /// Removes account `a`'s trigger for `symbol`, if any.
  void remove(AccountIndex a, core::SymbolId symbol);
  /// Appends to `out` every account whose trigger for `symbol` is ≥ `price`,
  /// highest trigger first, and removes those triggers: the caller handles
  /// the holdings and sets each one's next trigger.
  void due(core::SymbolId symbol, double price, std::vector<AccountIndex>& out);

  /// Account `a`'s trigger for `symbol`, if it has one.
  std::optional<double> trigger(AccountIndex a, core::SymbolId symbol) const;
  /// Holdings with a trigger.
  std::size_t size() const { return live_; }
  /// Heap entries, stale ones included: at most 2 × size() + 64 per symbol.
  std::size_t entries() const;
  /// Room for this many accounts and holdings with a trigger, so that
  /// loading a fleet does not leave half-empty capacity behind (the heaps
  /// still grow as vectors do: up to twice their entries).
  void reserve(std::size_t accounts, std::size_t holdings);
  /// Bytes held by the arrays (their capacity).
  std::size_t memory_bytes() const;

 private:
  static constexpr std::uint32_t kNone = 0xFFFF'FFFFu;
  /// A stale entry per symbol beyond this many, and beyond the live ones, rebuilds its heap.
  static constexpr std::size_t kStaleSlack = 64;

  struct Holding {
    /// > 0; 0 when empty (no trigger); negated for a moment while its heap is rebuilt.
    double trigger;
    core::SymbolId symbol;  ///< of the trigger, or of the last one when empty
    std::uint32_t next;     ///< the account's next holding; kNone ends the chain
  };
  struct Entry {
    double trigger;
    AccountIndex account;
    std::uint32_t holding;  ///< the account's holding it was set on
  };
  struct Heap {
    std::vector<Entry> entries;  ///< max-heap order by trigger
    std::size_t live = 0;        ///< holdings of the symbol with a trigger
  };

  /// Account `a`'s holding of `symbol` with a trigger, or kNone.
  std::uint32_t find(AccountIndex a, core::SymbolId symbol) const;
  /// Whether `e`, in `symbol`'s heap, is its holding's current trigger.
  bool current(const Entry& e, core::SymbolId symbol) const {
    return holdings_[e.holding].symbol == symbol && holdings_[e.holding].trigger == e.trigger;
  }
  /// Empties a holding with a trigger.
  void take_out(Holding& h);
  /// Rebuilds `symbol`'s heap from its live entries when stale ones outnumber them (by kStaleSlack).
  void settle(core::SymbolId symbol);

  std::vector<std::uint32_t> heads_;  ///< per account: its first holding, or kNone
  std::vector<Holding> holdings_;
  std::vector<Heap> heaps_;           ///< per symbol id
  std::size_t live_ = 0;
};

}  // namespace ballast::fleet
