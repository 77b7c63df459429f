#pragma once
// Per symbol, an indexed 4-ary min-heap of one threshold per slot holding the
// symbol, all in one arena: a tick finds the slots whose threshold it passes
// by walking only the part of the heap below its price, and a slot's
// threshold moves in place in O(log n). Memory: 8 bytes per entry plus 4 for
// the slot's position.
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

  /// One heap per symbol of the book, every slot in its symbol's heap with
  /// the key −∞ (so every slot passes any query until its key is set).
  explicit ThresholdHeaps(const AccountBook& book);

  /// Calls f(slot) for every slot of `symbol` whose key is < `query`
  /// (in no particular order). Visits only those and their direct children.
  template <class F>
  void for_each_below(core::SymbolId symbol, double query, F&& f) const {
    const Entry* heap = entries_.data() + begin_[symbol];
    const std::uint32_t size = begin_[symbol + 1] - begin_[symbol];
    if (size != 0 && static_cast<double>(heap[0].key) < query) visit(heap, size, 0, query, f);
  }

  /// Sets the key of `slot` (which holds `symbol`) and restores the heap.
  void update(core::SymbolId symbol, SlotIndex slot, float key);

  /// Replaces every heap at once. `order`: every account, by ascending
  /// radius; key(account, slot, symbol) must be non-decreasing along `order`
  /// for each symbol, so each heap comes out sorted (a valid heap) without
  /// any sifting.
  template <class Key>
  void rebuild_sorted(const AccountBook& book, std::span<const AccountIndex> order, Key&& key) {
    cursor_.assign(begin_.begin(), begin_.end() - 1);
    for (const AccountIndex a : order) {
      const Model& m = book.model(a);
      const SlotIndex first = book.first_slot(a);
      for (std::uint32_t i = 0; i < m.size(); ++i) {
        const core::SymbolId j = m.symbols[i];
        const std::uint32_t at = cursor_[j]++;
        entries_[at] = {key(a, first + i, j), first + i};
        position_[first + i] = at - begin_[j];
      }
    }
  }

  float key_of(SlotIndex slot, core::SymbolId symbol) const { return entries_[begin_[symbol] + position_[slot]].key; }
  std::size_t memory_bytes() const;

 private:
  template <class F>
  static void visit(const Entry* heap, std::uint32_t size, std::uint32_t i, double query, F& f) {
    f(heap[i].slot);
    const std::uint32_t first = 4 * i + 1;
    const std::uint32_t last = first + 4 < size ? first + 4 : size;
    for (std::uint32_t c = first; c < last; ++c) {
      if (static_cast<double>(heap[c].key) < query) visit(heap, size, c, query, f);
    }
  }

  std::vector<std::uint32_t> begin_;     ///< symbol j's heap is entries_[begin_[j], begin_[j+1])
  std::vector<Entry> entries_;
  std::vector<std::uint32_t> position_;  ///< per slot: its index in its symbol's heap
  std::vector<std::uint32_t> cursor_;    ///< scratch for rebuild_sorted
};

}  // namespace ballast::fleet
