#include "tax/harvest.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <limits>

namespace ballast::tax {

namespace {

/// Σ quantity × u(price) over the lots that qualify, in the lots' order,
/// calling on_lot(lot) for each. The one place the definition is
/// computed, so that harvest_price agrees with harvestable to the last bit.
/// In doubles as in reals it can only grow as the price falls: each u
/// does (a product and a difference round monotonically), and the sum adds
/// more non-negative terms in a fixed order.
template <class F>
double qualifying_loss(std::span<const Lot> lots, double price, const HarvestRule& rule, F&& on_lot) {
  const double round_trip = 1 + 2 * rule.cost_fraction;
  double loss = 0;
  for (const Lot& lot : lots) {
    const double basis = lot.basis_per_unit();
    const double u = basis - price * round_trip;
    if (u > 0 && u >= rule.min_loss_fraction * basis) {
      loss += lot.quantity * u;
      on_lot(lot);
    }
  }
  return loss;
}

/// The answer in real arithmetic. Lot i starts to qualify at
/// s_i = b_i(1 − f)/(1 + 2c) (below it when f = 0); between two consecutive
/// starts the qualifying set is fixed, and the sum is the line
/// A − p(1 + 2c)Q (A = Σ q_i b_i, Q = Σ q_i over the set), which reaches
/// min_loss at (A − min_loss)/((1 + 2c)Q). Walking the starts downward, the
/// first segment where that price (capped at the segment's top) is not
/// below the segment's bottom holds the answer. May be ≤ 0.
double walked_price(std::span<const Lot> lots, const HarvestRule& rule) {
  const double round_trip = 1 + 2 * rule.cost_fraction;
  struct Start {
    double price;
    const Lot* lot;
  };
  // A holding's few lots sort on the stack: this runs for every holding
  // whose lots change.
  constexpr std::size_t kOnStack = 16;
  std::array<Start, kOnStack> few;
  std::vector<Start> many(lots.size() > kOnStack ? lots.size() : 0);
  const std::span<Start> starts = many.empty() ? std::span<Start>(few.data(), lots.size()) : std::span<Start>(many);
  for (std::size_t i = 0; i < lots.size(); ++i) {
    starts[i] = {lots[i].basis_per_unit() * (1 - rule.min_loss_fraction) / round_trip, &lots[i]};
  }
  std::sort(starts.begin(), starts.end(), [](const Start& x, const Start& y) { return x.price > y.price; });
  double basis = 0, quantity = 0;
  for (std::size_t i = 0; i < starts.size();) {
    const double top = starts[i].price;
    for (; i < starts.size() && starts[i].price == top; ++i) {
      basis += starts[i].lot->quantity * starts[i].lot->basis_per_unit();
      quantity += starts[i].lot->quantity;
    }
    const double bottom = i < starts.size() ? starts[i].price : 0;
    const double p = std::min(top, (basis - rule.min_loss) / (round_trip * quantity));
    if (p >= bottom) return p;
  }
  return 0;
}

}  // namespace

bool is_harvestable(std::span<const Lot> lots, double price, const HarvestRule& rule) {
  bool any = false;
  const double loss = qualifying_loss(lots, price, rule, [&any](const Lot&) { any = true; });
  return any && loss >= rule.min_loss;
}

HarvestPlan harvestable(std::span<const Lot> lots, double price, const HarvestRule& rule) {
  // Asked first so that a holding not harvestable allocates nothing.
  if (!is_harvestable(lots, price, rule)) return {};
  HarvestPlan plan;
  plan.lots.reserve(lots.size());
  plan.loss = qualifying_loss(lots, price, rule, [&plan](const Lot& lot) {
    plan.lots.push_back(lot.id);
    plan.quantity += lot.quantity;
  });
  return plan;
}

double harvest_price(std::span<const Lot> lots, const HarvestRule& rule) {
  if (lots.empty()) return 0;
  // The walk's price is exact in reals; in doubles, its sums round otherwise
  // than is_harvestable's, a few units in the last place off. Since
  // is_harvestable is monotone in doubles too, the last double where it holds
  // is well defined: bracket it from the walk's price in steps of units in
  // the last place that double, then bisect. Positive doubles order as their
  // bit patterns, and +inf is never harvestable (every u is −inf there).
  using Bits = std::uint64_t;
  const Bits infinity = std::bit_cast<Bits>(std::numeric_limits<double>::infinity());
  const auto holds = [&](Bits b) { return b == 0 || is_harvestable(lots, std::bit_cast<double>(b), rule); };
  const double walked = walked_price(lots, rule);
  const Bits start = walked > 0 ? std::min(std::bit_cast<Bits>(walked), infinity - 1) : 1;  // 1: the least double > 0
  Bits good = 0, bad = infinity;  // holds(good) (0 stands for "no price"), !holds(bad)
  if (holds(start)) {
    good = start;
    for (Bits step = 1;; step *= 2) {
      const Bits next = infinity - good > step ? good + step : infinity;
      if (!holds(next)) {
        bad = next;
        break;
      }
      good = next;
    }
  } else {
    bad = start;
    for (Bits step = 1;; step *= 2) {
      const Bits next = bad > step ? bad - step : 0;
      if (holds(next)) {
        good = next;
        break;
      }
      bad = next;
    }
  }
  while (bad - good > 1) {
    const Bits mid = good + (bad - good) / 2;
    (holds(mid) ? good : bad) = mid;
  }
  return std::bit_cast<double>(good);
}

}  // namespace ballast::tax
