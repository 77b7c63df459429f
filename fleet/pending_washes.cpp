#include "fleet/pending_washes.hpp"

#include <algorithm>

namespace ballast::fleet {

void PendingWashes::add(tax::HouseholdIndex household, core::SymbolId group, AccountIndex a, core::SymbolId symbol,
                        core::Side side, double units) {
  if (!(units > 0)) return;
  const std::uint64_t k = key(household, group);
  std::vector<Trade>& trades = by_group_[k];
  const auto same = std::find_if(trades.begin(), trades.end(), [&](const Trade& t) {
    return t.account == a && t.symbol == symbol && t.side == side;
  });
  if (same != trades.end()) {
    same->units += units;
    return;
  }
  trades.push_back({a, symbol, side, units});
  std::vector<std::uint64_t>& keys = keys_of_[a];
  if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
}

void PendingWashes::drop(AccountIndex a, core::SymbolId symbol, core::Side side) {
  const auto of = keys_of_.find(a);
  if (of == keys_of_.end()) return;
  std::vector<std::uint64_t>& keys = of->second;
  for (auto k = keys.begin(); k != keys.end();) {
    const auto it = by_group_.find(*k);
    std::vector<Trade>& trades = it->second;
    std::erase_if(trades, [&](const Trade& t) { return t.account == a && t.symbol == symbol && t.side == side; });
    const bool account_left = std::any_of(trades.begin(), trades.end(), [a](const Trade& t) { return t.account == a; });
    if (trades.empty()) by_group_.erase(it);
    k = account_left ? std::next(k) : keys.erase(k);
  }
  if (keys.empty()) keys_of_.erase(of);
}

void PendingWashes::drop_all(AccountIndex a) {
  const auto of = keys_of_.find(a);
  if (of == keys_of_.end()) return;
  for (const std::uint64_t k : of->second) {
    const auto it = by_group_.find(k);
    std::erase_if(it->second, [a](const Trade& t) { return t.account == a; });
    if (it->second.empty()) by_group_.erase(it);
  }
  keys_of_.erase(of);
}

double PendingWashes::units(tax::HouseholdIndex household, core::SymbolId group, core::Side side) const {
  const auto it = by_group_.find(key(household, group));
  if (it == by_group_.end()) return 0;
  double sum = 0;
  for (const Trade& t : it->second) {
    if (t.side == side) sum += t.units;
  }
  return sum;
}

double PendingWashes::loss_units(tax::HouseholdIndex household, core::SymbolId group) const {
  return units(household, group, core::Side::sell);
}

double PendingWashes::buy_units(tax::HouseholdIndex household, core::SymbolId group) const {
  return units(household, group, core::Side::buy);
}

std::size_t PendingWashes::size() const {
  std::size_t n = 0;
  for (const auto& [k, trades] : by_group_) n += trades.size();
  return n;
}

}  // namespace ballast::fleet
