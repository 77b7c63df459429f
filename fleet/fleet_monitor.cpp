#include "fleet/fleet_monitor.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "fleet/safe_zone.hpp"

namespace ballast::fleet {

namespace {

[[noreturn]] void broken(const char* what) {
  std::fprintf(stderr, "ballast: broken invariant: %s\n", what);
  std::abort();
}

/// The largest float ≤ x: thresholds rounded so that zones only shrink.
float round_down(double x) {
  float f = static_cast<float>(x);
  if (static_cast<double>(f) > x) f = std::nextafter(f, -std::numeric_limits<float>::infinity());
  return f;
}

/// Floats as unsigned integers in the same order (−∞ first).
std::uint32_t sortable_bits(float f) {
  std::uint32_t u = 0;
  std::memcpy(&u, &f, sizeof u);
  return (u & 0x80000000u) ? ~u : u | 0x80000000u;
}

/// Accounts by ascending radius: an LSD radix sort, three passes of 11 bits.
void sort_by_radius(std::span<const float> radius, std::vector<AccountIndex>& order) {
  const std::size_t n = radius.size();
  std::vector<std::uint32_t> keys(n);
  for (std::size_t a = 0; a < n; ++a) keys[a] = sortable_bits(radius[a]);
  std::vector<AccountIndex> from(n);
  for (std::size_t a = 0; a < n; ++a) from[a] = static_cast<AccountIndex>(a);
  order.resize(n);
  for (int pass = 0; pass < 3; ++pass) {
    const int shift = 11 * pass;
    std::array<std::size_t, 2049> count{};
    for (const AccountIndex a : from) ++count[((keys[a] >> shift) & 0x7ff) + 1];
    for (std::size_t b = 1; b < count.size(); ++b) count[b] += count[b - 1];
    for (const AccountIndex a : from) order[count[(keys[a] >> shift) & 0x7ff]++] = a;
    from.swap(order);
  }
  order.swap(from);
}

}  // namespace

FleetMonitor::FleetMonitor(AccountBook book, std::vector<double> prices)
    : book_(std::move(book)), prices_(std::move(prices)), upper_(book_), lower_(book_) {
  if (prices_.size() != book_.symbol_count()) broken("fleet: one price per symbol expected");
  ln_prices_.resize(prices_.size());
  radius_.assign(book_.size(), -std::numeric_limits<float>::infinity());
  for (std::size_t j = 0; j < prices_.size(); ++j) {
    if (!usable_price(prices_[j])) broken("fleet: every starting price must be finite and positive");
    ln_prices_[j] = std::log(prices_[j]);
  }
}

float FleetMonitor::check(AccountIndex a, FleetOutput& out) {
  double r = account_zone_radius(book_, a, prices_);
  // Not certified safe: decide exactly, as the brute force does.
  if (r == -std::numeric_limits<double>::infinity()) {
    if (rebalancer_.check_and_rebalance(book_, a, prices_, out)) {
      ++counters_.rebalances;
      r = account_zone_radius(book_, a, prices_);
    }
  }
  return round_down(r);
}

void FleetMonitor::set_zone(AccountIndex a, float radius) {
  const Model& m = book_.model(a);
  const SlotIndex first = book_.first_slot(a);
  radius_[a] = radius;
  for (std::uint32_t i = 0; i < m.size(); ++i) {
    const core::SymbolId j = m.symbols[i];
    upper_.update(j, first + i, round_down(ln_prices_[j] + radius));
    lower_.update(j, first + i, round_down(radius - ln_prices_[j]));
  }
}

void FleetMonitor::resync(FleetOutput& out) {
  std::vector<float>& radius = radius_;
  for (AccountIndex a = 0; a < book_.size(); ++a) radius[a] = check(a, out);
  // Every zone is centred on the same prices now, so within a symbol the
  // thresholds are ordered as the radii are: one sort serves every heap.
  std::vector<AccountIndex> order;
  sort_by_radius(radius, order);
  upper_.rebuild_sorted(book_, order, [&](AccountIndex a, SlotIndex, core::SymbolId j) {
    return round_down(ln_prices_[j] + radius[a]);
  });
  lower_.rebuild_sorted(book_, order, [&](AccountIndex a, SlotIndex, core::SymbolId j) {
    return round_down(radius[a] - ln_prices_[j]);
  });
}

bool FleetMonitor::on_tick(core::SymbolId symbol, double price, FleetOutput& out) {
  if (symbol >= prices_.size() || !usable_price(price)) return false;
  ++counters_.ticks;
  prices_[symbol] = price;
  const double ln_price = std::log(price);
  ln_prices_[symbol] = ln_price;
  candidates_.clear();
  const auto add = [&](SlotIndex s) { candidates_.push_back(book_.account_of_slot(s)); };
  upper_.for_each_below(symbol, ln_price, add);
  lower_.for_each_below(symbol, -ln_price, add);
  if (candidates_.empty()) return true;
  std::sort(candidates_.begin(), candidates_.end());
  candidates_.erase(std::unique(candidates_.begin(), candidates_.end()), candidates_.end());
  counters_.evaluations += candidates_.size();
  for (const AccountIndex a : candidates_) set_zone(a, check(a, out));
  return true;
}

std::size_t FleetMonitor::memory_bytes() const {
  return book_.memory_bytes() + (prices_.capacity() + ln_prices_.capacity()) * sizeof(double) +
         upper_.memory_bytes() + lower_.memory_bytes() + radius_.capacity() * sizeof(float) +
         candidates_.capacity() * sizeof(AccountIndex);
}

}  // namespace ballast::fleet
