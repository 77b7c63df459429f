#include "fleet/fleet_summary.hpp"

#include <algorithm>

#include "fleet/account_view.hpp"
#include "fleet/rebalancer.hpp"

namespace ballast::fleet {

std::size_t DriftHistogram::bucket(double drift) {
  return static_cast<std::size_t>(std::upper_bound(kEdges.begin(), kEdges.end(), drift) - kEdges.begin());
}

FleetSummary summarise(const AccountBook& book, std::span<const double> prices) {
  FleetSummary s;
  summarise(book, prices, 0, static_cast<AccountIndex>(book.size()), {}, s);
  return s;
}

void summarise(const AccountBook& book, std::span<const double> prices, AccountIndex begin, AccountIndex end,
               const std::function<bool(AccountIndex)>& skip, FleetSummary& s) {
  Rebalancer decide;
  for (AccountIndex a = begin; a < end && a < book.size(); ++a) {
    if (skip && skip(a)) continue;
    ++s.accounts;
    double value = book.cash(a);
    const Model& m = book.model(a);
    const std::span<const double> q = book.quantities(a);
    for (std::size_t i = 0; i < q.size(); ++i) value += q[i] * prices[m.symbols[i]];
    if (!(value > 0)) {
      ++s.unvalued;
      continue;
    }
    ++s.drift.counts[DriftHistogram::bucket(max_abs_drift(book, a, prices))];
    if (decide.in_breach(book, a, prices)) ++s.breaching;
  }
}

}  // namespace ballast::fleet
