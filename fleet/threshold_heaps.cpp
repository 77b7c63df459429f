#include "fleet/threshold_heaps.hpp"

#include <limits>

namespace ballast::fleet {

ThresholdHeaps::ThresholdHeaps(const AccountBook& book)
    : begin_(book.symbol_count() + 1, 0), entries_(book.slot_count()), position_(book.slot_count()) {
  for (AccountIndex a = 0; a < book.size(); ++a) {
    for (const core::SymbolId j : book.model(a).symbols) ++begin_[j + 1];
  }
  for (std::size_t j = 0; j < book.symbol_count(); ++j) begin_[j + 1] += begin_[j];
  cursor_.assign(begin_.begin(), begin_.end() - 1);
  constexpr float kMinus = -std::numeric_limits<float>::infinity();
  for (AccountIndex a = 0; a < book.size(); ++a) {
    const Model& m = book.model(a);
    for (std::uint32_t i = 0; i < m.size(); ++i) {
      const SlotIndex s = book.first_slot(a) + i;
      const std::uint32_t at = cursor_[m.symbols[i]]++;
      entries_[at] = {kMinus, s};
      position_[s] = at - begin_[m.symbols[i]];
    }
  }
}

void ThresholdHeaps::update(core::SymbolId symbol, SlotIndex slot, float key) {
  Entry* heap = entries_.data() + begin_[symbol];
  const std::uint32_t size = begin_[symbol + 1] - begin_[symbol];
  std::uint32_t i = position_[slot];
  const float old = heap[i].key;
  const Entry moving{key, slot};
  if (key < old) {
    while (i > 0) {
      const std::uint32_t parent = (i - 1) / 4;
      if (!(key < heap[parent].key)) break;
      heap[i] = heap[parent];
      position_[heap[i].slot] = i;
      i = parent;
    }
  } else {
    for (;;) {
      const std::uint32_t first = 4 * i + 1;
      if (first >= size) break;
      const std::uint32_t last = first + 4 < size ? first + 4 : size;
      std::uint32_t least = first;
      for (std::uint32_t c = first + 1; c < last; ++c) {
        if (heap[c].key < heap[least].key) least = c;
      }
      if (!(heap[least].key < key)) break;
      heap[i] = heap[least];
      position_[heap[i].slot] = i;
      i = least;
    }
  }
  heap[i] = moving;
  position_[slot] = i;
}

std::size_t ThresholdHeaps::memory_bytes() const {
  return begin_.capacity() * sizeof(std::uint32_t) + entries_.capacity() * sizeof(Entry) +
         position_.capacity() * sizeof(std::uint32_t) + cursor_.capacity() * sizeof(std::uint32_t);
}

}  // namespace ballast::fleet
