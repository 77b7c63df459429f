#pragma once
// Per symbol, an indexed 4-ary min-heap of thresholds, one per slot holding
// the symbol that is in it: a tick finds the slots whose threshold it passes
// by walking only the part of the heap below its price, and a slot's
// threshold moves in place in O(log n). The heaps hold only the slots of
// accounts zoned on their own since the last resync (fleet_monitor.hpp); they
// start empty and are emptied at once by clear(). Memory: 8 bytes per entry
// (each symbol's heap reserves room for all its holders, touched only when
// used) plus 4 bytes per slot for its position.
#include <cstdint>
#include <span>
#include <vector>

#include "core/types.hpp"
#include "fleet/account_book.hpp"

namespace ballast::fleet {

class ThresholdHeaps {
 public:
  struct Entry {
    float key;
    SlotIndex slot;
  };

  /// One empty heap per symbol of the book, with room for all its holders.
  explicit ThresholdHeaps(const AccountBook& book);

  /// Calls f(slot) for every slot of `symbol` whose key is < `query`
  /// (in no particular order). Visits only those and their direct children.
  template <class F>
  void for_each_below(core::SymbolId symbol, double query, F&& f) const {
    const std::vector<Entry>& heap = heaps_[symbol];
    if (!heap.empty() && static_cast<double>(heap[0].key) < query) visit(heap.data(), heap.size(), 0, query, f);
  }

  /// Puts `slot` (which holds `symbol` and is not in its heap) in with `key`.
  void insert(core::SymbolId symbol, SlotIndex slot, float key);
  /// Sets the key of `slot` (in `symbol`'s heap) and restores the heap.
  void update(core::SymbolId symbol, SlotIndex slot, float key);
  /// Takes `slot` (in `symbol`'s heap) out.
  void erase(core::SymbolId symbol, SlotIndex slot);
  /// Empties every heap, keeping the room reserved.
  void clear();

  /// After accounts were added to the book (their slots after every slot
  /// known so far): room for their slots and their symbols' heaps.
  void grow(const AccountBook& book, AccountIndex first_new_account);
  /// After the book moved every slot ≥ `from` by `delta` (an account's
  /// holdings changed in number): renames the slots held and their positions.
  void shift_slots(SlotIndex from, std::int64_t delta);

  std::size_t size(core::SymbolId symbol) const { return heaps_[symbol].size(); }
  /// Entries in all the heaps.
  std::size_t entries() const { return entries_; }
  float key_of(SlotIndex slot, core::SymbolId symbol) const { return heaps_[symbol][position_[slot]].key; }
  std::size_t memory_bytes() const;

 private:
  template <class F>
  static void visit(const Entry* heap, std::size_t size, std::size_t i, double query, F& f) {
    f(heap[i].slot);
    const std::size_t first = 4 * i + 1;
    const std::size_t last = first + 4 < size ? first + 4 : size;
    for (std::size_t c = first; c < last; ++c) {
      if (static_cast<double>(heap[c].key) < query) visit(heap, size, c, query, f);
    }
  }
  void sift_up(Entry* heap, std::uint32_t i, Entry moving);
  void sift_down(Entry* heap, std::uint32_t size, std::uint32_t i, Entry moving);

  std::vector<std::vector<Entry>> heaps_;  ///< one per symbol
  std::vector<std::uint32_t> position_;    ///< per slot: its index in its symbol's heap, when in it
  std::size_t entries_ = 0;
};

}  // namespace ballast::fleet
