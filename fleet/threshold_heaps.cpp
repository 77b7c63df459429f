#include "fleet/threshold_heaps.hpp"

#include <algorithm>

namespace ballast::fleet {

ThresholdHeaps::ThresholdHeaps(const AccountBook& book) : heaps_(book.symbol_count()) { grow(book, 0); }

void ThresholdHeaps::grow(const AccountBook& book, AccountIndex first_new_account) {
  std::vector<std::size_t> holders(heaps_.size(), 0);
  for (AccountIndex a = first_new_account; a < book.size(); ++a) {
    for (const core::SymbolId j : book.model(a).symbols) ++holders[j];
  }
  for (std::size_t j = 0; j < heaps_.size(); ++j) {
    if (holders[j] == 0) continue;
    // Exactly the room asked for at first; later growth doubles as vectors do.
    const std::size_t want = heaps_[j].size() + holders[j];
    if (first_new_account == 0) heaps_[j].reserve(want);
    else if (heaps_[j].capacity() < want) heaps_[j].reserve(std::max(want, 2 * heaps_[j].capacity()));
  }
  position_.resize(book.slot_count());
}

void ThresholdHeaps::sift_up(Entry* heap, std::uint32_t i, Entry moving) {
  while (i > 0) {
    const std::uint32_t parent = (i - 1) / 4;
    if (!(moving.key < heap[parent].key)) break;
    heap[i] = heap[parent];
    position_[heap[i].slot] = i;
    i = parent;
  }
  heap[i] = moving;
  position_[moving.slot] = i;
}

void ThresholdHeaps::sift_down(Entry* heap, std::uint32_t size, std::uint32_t i, Entry moving) {
  for (;;) {
    const std::uint32_t first = 4 * i + 1;
    if (first >= size) break;
    const std::uint32_t last = first + 4 < size ? first + 4 : size;
    std::uint32_t least = first;
    for (std::uint32_t c = first + 1; c < last; ++c) {
      if (heap[c].key < heap[least].key) least = c;
    }
    if (!(heap[least].key < moving.key)) break;
    heap[i] = heap[least];
    position_[heap[i].slot] = i;
    i = least;
  }
  heap[i] = moving;
  position_[moving.slot] = i;
}

void ThresholdHeaps::insert(core::SymbolId symbol, SlotIndex slot, float key) {
  std::vector<Entry>& heap = heaps_[symbol];
  heap.push_back({key, slot});
  ++entries_;
  sift_up(heap.data(), static_cast<std::uint32_t>(heap.size() - 1), {key, slot});
}

void ThresholdHeaps::update(core::SymbolId symbol, SlotIndex slot, float key) {
  std::vector<Entry>& heap = heaps_[symbol];
  const std::uint32_t i = position_[slot];
  const float old = heap[i].key;
  if (key < old) sift_up(heap.data(), i, {key, slot});
  else if (old < key) sift_down(heap.data(), static_cast<std::uint32_t>(heap.size()), i, {key, slot});
}

void ThresholdHeaps::erase(core::SymbolId symbol, SlotIndex slot) {
  std::vector<Entry>& heap = heaps_[symbol];
  const std::uint32_t i = position_[slot];
  const Entry last = heap.back();
  heap.pop_back();
  --entries_;
  if (i == heap.size()) return;
  // The last entry takes the hole and moves whichever way its key asks.
  const std::uint32_t parent = i > 0 ? (i - 1) / 4 : 0;
  if (i > 0 && last.key < heap[parent].key) sift_up(heap.data(), i, last);
  else sift_down(heap.data(), static_cast<std::uint32_t>(heap.size()), i, last);
}

void ThresholdHeaps::clear() {
  for (std::vector<Entry>& heap : heaps_) heap.clear();
  entries_ = 0;
}

void ThresholdHeaps::shift_slots(SlotIndex from, std::int64_t delta) {
  for (std::vector<Entry>& heap : heaps_) {
    for (Entry& e : heap) {
      if (e.slot >= from) e.slot = static_cast<SlotIndex>(e.slot + delta);
    }
  }
  if (delta > 0) {
    position_.insert(position_.begin() + from, static_cast<std::size_t>(delta), 0);
  } else if (delta < 0) {
    position_.erase(position_.begin() + (from + delta), position_.begin() + from);
  }
}

std::size_t ThresholdHeaps::memory_bytes() const {
  std::size_t bytes = position_.capacity() * sizeof(std::uint32_t) + heaps_.capacity() * sizeof(heaps_[0]);
  for (const std::vector<Entry>& heap : heaps_) bytes += heap.capacity() * sizeof(Entry);
  return bytes;
}

}  // namespace ballast::fleet
