#include "fleet/harvest_index.hpp"

#include <cstdlib>

namespace ballast::fleet {

namespace {

template <class Heap>
void sift_up(Heap& heap, std::size_t i, double trigger, AccountIndex a) {
  while (i > 0) {
    const std::size_t parent = (i - 1) / 4;
    if (!(trigger > heap.triggers[parent])) break;
    heap.triggers[i] = heap.triggers[parent];
    heap.accounts[i] = heap.accounts[parent];
    i = parent;
  }
  heap.triggers[i] = trigger;
  heap.accounts[i] = a;
}

template <class Heap>
void sift_down(Heap& heap, std::size_t i, double trigger, AccountIndex a) {
  const std::size_t size = heap.triggers.size();
  for (;;) {
    const std::size_t first = 4 * i + 1;
    if (first >= size) break;
    const std::size_t last = first + 4 < size ? first + 4 : size;
    std::size_t highest = first;
    for (std::size_t c = first + 1; c < last; ++c) {
      if (heap.triggers[c] > heap.triggers[highest]) highest = c;
    }
    if (!(heap.triggers[highest] > trigger)) break;
    heap.triggers[i] = heap.triggers[highest];
    heap.accounts[i] = heap.accounts[highest];
    i = highest;
  }
  heap.triggers[i] = trigger;
  heap.accounts[i] = a;
}

}  // namespace

std::uint32_t* HarvestIndex::find(AccountIndex a, core::SymbolId symbol) {
  std::uint32_t* link = &heads_[a];
  while (*link != kNone && holdings_[*link].symbol != symbol) link = &holdings_[*link].next;
  return link;
}

const HarvestIndex::Holding* HarvestIndex::find_holding(AccountIndex a, core::SymbolId symbol) const {
  if (a >= heads_.size()) return nullptr;
  for (std::uint32_t h = heads_[a]; h != kNone; h = holdings_[h].next) {
    if (holdings_[h].symbol == symbol) return &holdings_[h];
  }
  return nullptr;
}

void HarvestIndex::erase(std::uint32_t* link) {
  const std::uint32_t h = *link;
  *link = holdings_[h].next;
  holdings_[h].next = free_;
  free_ = h;
  --heaps_[holdings_[h].symbol].live;
  --live_;
}

void HarvestIndex::push(Heap& heap, double trigger, AccountIndex a) {
  heap.triggers.push_back(trigger);
  heap.accounts.push_back(a);
  sift_up(heap, heap.triggers.size() - 1, trigger, a);
}

void HarvestIndex::pop(Heap& heap) {
  const double trigger = heap.triggers.back();
  const AccountIndex a = heap.accounts.back();
  heap.triggers.pop_back();
  heap.accounts.pop_back();
  if (!heap.triggers.empty()) sift_down(heap, 0, trigger, a);
}

void HarvestIndex::settle(core::SymbolId symbol) {
  Heap& heap = heaps_[symbol];
  if (heap.triggers.size() <= 2 * heap.live + kStaleSlack) return;
  // Keep the entries that match their holding's trigger, each holding once:
  // a kept entry's holding has its trigger negated until the end, so that a
  // duplicate of the entry (the trigger set back to an earlier value) no
  // longer matches. Every rebuild drops at least as many stale entries as it
  // keeps, each left by one set or remove: constant time per call, amortised.
  std::size_t kept = 0;
  for (std::size_t i = 0; i < heap.triggers.size(); ++i) {
    const std::uint32_t h = *find(heap.accounts[i], symbol);
    if (h == kNone || holdings_[h].trigger != heap.triggers[i]) continue;
    holdings_[h].trigger = -holdings_[h].trigger;
    heap.triggers[kept] = heap.triggers[i];
    heap.accounts[kept] = heap.accounts[i];
    ++kept;
  }
  heap.triggers.resize(kept);
  heap.accounts.resize(kept);
  for (std::size_t i = 0; i < kept; ++i) holdings_[*find(heap.accounts[i], symbol)].trigger = heap.triggers[i];
  if (kept > 1) {
    for (std::size_t i = (kept - 2) / 4 + 1; i-- > 0;) sift_down(heap, i, heap.triggers[i], heap.accounts[i]);
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
  if (const std::uint32_t h = *find(a, symbol); h != kNone) {
    if (holdings_[h].trigger == trigger) return;
    holdings_[h].trigger = trigger;
  } else {
    std::uint32_t fresh = free_;
    if (fresh != kNone) {
      free_ = holdings_[fresh].next;
    } else {
      if (holdings_.size() >= kNone) std::abort();  // 2³² − 1 holdings: ids would run out
      fresh = static_cast<std::uint32_t>(holdings_.size());
      holdings_.emplace_back();
    }
    holdings_[fresh] = {trigger, symbol, heads_[a]};
    heads_[a] = fresh;
    ++heap.live;
    ++live_;
  }
  push(heap, trigger, a);
  settle(symbol);
}

void HarvestIndex::remove(AccountIndex a, core::SymbolId symbol) {
  if (a >= heads_.size()) return;
  std::uint32_t* link = find(a, symbol);
  if (*link == kNone) return;
  erase(link);
  settle(symbol);
}

void HarvestIndex::due(core::SymbolId symbol, double price, std::vector<AccountIndex>& out) {
  if (symbol >= heaps_.size()) return;
  Heap& heap = heaps_[symbol];
  while (!heap.triggers.empty() && heap.triggers[0] >= price) {
    const double trigger = heap.triggers[0];
    const AccountIndex a = heap.accounts[0];
    pop(heap);
    std::uint32_t* link = find(a, symbol);
    if (*link == kNone || holdings_[*link].trigger != trigger) continue;  // stale, or a duplicate already taken
    out.push_back(a);
    erase(link);
  }
  settle(symbol);
}

std::optional<double> HarvestIndex::trigger(AccountIndex a, core::SymbolId symbol) const {
  const Holding* h = find_holding(a, symbol);
  if (!h) return std::nullopt;
  return h->trigger;
}

std::size_t HarvestIndex::entries() const {
  std::size_t n = 0;
  for (const Heap& heap : heaps_) n += heap.triggers.size();
  return n;
}

void HarvestIndex::reserve(std::size_t accounts, std::size_t holdings) {
  heads_.reserve(accounts);
  holdings_.reserve(holdings);
}

std::size_t HarvestIndex::memory_bytes() const {
  std::size_t bytes = heads_.capacity() * sizeof(std::uint32_t) + holdings_.capacity() * sizeof(Holding) +
                      heaps_.capacity() * sizeof(Heap);
  for (const Heap& heap : heaps_) {
    bytes += heap.triggers.capacity() * sizeof(double) + heap.accounts.capacity() * sizeof(AccountIndex);
  }
  return bytes;
}

}  // namespace ballast::fleet
