#include "fleet/harvest_index.hpp"

#include <cstdlib>

namespace ballast::fleet {

namespace {

template <class Entry>
void sift_up(std::vector<Entry>& heap, std::size_t i, Entry moving) {
  while (i > 0) {
    const std::size_t parent = (i - 1) / 4;
    if (!(moving.trigger > heap[parent].trigger)) break;
    heap[i] = heap[parent];
    i = parent;
  }
  heap[i] = moving;
}

template <class Entry>
void sift_down(std::vector<Entry>& heap, std::size_t i, Entry moving) {
  const std::size_t size = heap.size();
  for (;;) {
    const std::size_t first = 4 * i + 1;
    if (first >= size) break;
    const std::size_t last = first + 4 < size ? first + 4 : size;
    std::size_t highest = first;
    for (std::size_t c = first + 1; c < last; ++c) {
      if (heap[c].trigger > heap[highest].trigger) highest = c;
    }
    if (!(heap[highest].trigger > moving.trigger)) break;
    heap[i] = heap[highest];
    i = highest;
  }
  heap[i] = moving;
}

}  // namespace

std::uint32_t HarvestIndex::find(AccountIndex a, core::SymbolId symbol) const {
  if (a >= heads_.size()) return kNone;
  for (std::uint32_t h = heads_[a]; h != kNone; h = holdings_[h].next) {
    if (holdings_[h].symbol == symbol && holdings_[h].trigger > 0) return h;
  }
  return kNone;
}

void HarvestIndex::take_out(Holding& h) {
  h.trigger = 0;
  --heaps_[h.symbol].live;
  --live_;
}

void HarvestIndex::settle(core::SymbolId symbol) {
  Heap& heap = heaps_[symbol];
  std::vector<Entry>& entries = heap.entries;
  if (entries.size() <= 2 * heap.live + kStaleSlack) return;
  // Keep the current entries, each holding's once: a kept entry's holding
  // has its trigger negated until the end, so that a duplicate of the entry
  // (the trigger set back to an earlier value) no longer matches. Every
  // rebuild drops at least as many stale entries as it keeps, each left by
  // one set or remove: constant time per call, amortised.
  std::size_t kept = 0;
  for (const Entry& e : entries) {
    if (!current(e, symbol)) continue;
    holdings_[e.holding].trigger = -e.trigger;
    entries[kept++] = e;
  }
  entries.resize(kept);
  for (const Entry& e : entries) holdings_[e.holding].trigger = e.trigger;
  if (kept > 1) {
    for (std::size_t i = (kept - 2) / 4 + 1; i-- > 0;) sift_down(entries, i, entries[i]);
  }
}

void HarvestIndex::set(AccountIndex a, core::SymbolId symbol, double trigger) {
  if (!(trigger > 0)) {
    remove(a, symbol);
    return;
  }
  if (symbol >= heaps_.size()) heaps_.resize(static_cast<std::size_t>(symbol) + 1);
  if (a >= heads_.size()) heads_.resize(static_cast<std::size_t>(a) + 1, kNone);
  Heap& heap = heaps_[symbol];
  std::uint32_t same = kNone, empty = kNone;
  for (std::uint32_t h = heads_[a]; h != kNone; h = holdings_[h].next) {
    if (holdings_[h].trigger == 0) {
      if (empty == kNone) empty = h;
    } else if (holdings_[h].symbol == symbol) {
      same = h;
      break;
    }
  }
  if (same != kNone) {
    if (holdings_[same].trigger == trigger) return;
    holdings_[same].trigger = trigger;
  } else {
    if (empty == kNone) {
      if (holdings_.size() >= kNone) std::abort();  // 2³² − 1 holdings: their indexes would run out
      empty = static_cast<std::uint32_t>(holdings_.size());
      holdings_.push_back({0, symbol, heads_[a]});
      heads_[a] = empty;
    }
    holdings_[empty].trigger = trigger;
    holdings_[empty].symbol = symbol;
    same = empty;
    ++heap.live;
    ++live_;
  }
  heap.entries.push_back({trigger, a, same});
  sift_up(heap.entries, heap.entries.size() - 1, heap.entries.back());
  settle(symbol);
}

void HarvestIndex::remove(AccountIndex a, core::SymbolId symbol) {
  const std::uint32_t h = find(a, symbol);
  if (h == kNone) return;
  take_out(holdings_[h]);
  settle(symbol);
}

void HarvestIndex::due(core::SymbolId symbol, double price, std::vector<AccountIndex>& out) {
  if (symbol >= heaps_.size()) return;
  std::vector<Entry>& entries = heaps_[symbol].entries;
  while (!entries.empty() && entries[0].trigger >= price) {
    const Entry top = entries[0];
    const Entry last = entries.back();
    entries.pop_back();
    if (!entries.empty()) sift_down(entries, 0, last);
    if (!current(top, symbol)) continue;  // stale, or a duplicate already taken
    out.push_back(top.account);
    take_out(holdings_[top.holding]);
  }
  settle(symbol);
}

std::optional<double> HarvestIndex::trigger(AccountIndex a, core::SymbolId symbol) const {
  const std::uint32_t h = find(a, symbol);
  if (h == kNone) return std::nullopt;
  return holdings_[h].trigger;
}

std::size_t HarvestIndex::entries() const {
  std::size_t n = 0;
  for (const Heap& heap : heaps_) n += heap.entries.size();
  return n;
}

void HarvestIndex::reserve(std::size_t accounts, std::size_t holdings) {
  heads_.reserve(accounts);
  holdings_.reserve(holdings);
}

std::size_t HarvestIndex::memory_bytes() const {
  std::size_t bytes = heads_.capacity() * sizeof(std::uint32_t) + holdings_.capacity() * sizeof(Holding) +
                      heaps_.capacity() * sizeof(Heap);
  for (const Heap& heap : heaps_) bytes += heap.entries.capacity() * sizeof(Entry);
  return bytes;
}

}  // namespace ballast::fleet
