#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "tax/harvest.hpp"

namespace test_harvest {

using namespace ballast::tax;
using doctest::Approx;

namespace {

Lot lot(LotId id, double quantity, double cost_per_unit, double wash_adjustment_per_unit = 0) {
  Lot l;
  l.id = id;
  l.purchase = id;
  l.quantity = quantity;
  l.cost_per_unit = cost_per_unit;
  l.wash_adjustment_per_unit = wash_adjustment_per_unit;
  return l;
}

double up(double p) { return std::nextafter(p, std::numeric_limits<double>::infinity()); }

/// The definition in long double, written out again: the highest price at
/// which it holds, by bisection over [0, the highest basis].
long double reference_price(const std::vector<Lot>& lots, const HarvestRule& rule) {
  const auto holds = [&](long double p) {
    const long double round_trip = 1 + 2 * static_cast<long double>(rule.cost_fraction);
    long double loss = 0;
    bool any = false;
    for (const Lot& l : lots) {
      const long double b = static_cast<long double>(l.cost_per_unit) + l.wash_adjustment_per_unit;
      const long double u = b - p * round_trip;
      if (u > 0 && u >= rule.min_loss_fraction * b) {
        loss += l.quantity * u;
        any = true;
      }
    }
    return any && loss >= rule.min_loss;
  };
  long double lo = 0, hi = 0;
  for (const Lot& l : lots) hi = std::max<long double>(hi, l.basis_per_unit());
  if (!holds(lo)) return 0;
  for (int i = 0; i < 200; ++i) {
    const long double mid = (lo + hi) / 2;
    (holds(mid) ? lo : hi) = mid;
  }
  return lo;
}

}  // namespace

TEST_CASE("a lot at a loss net of both trades' costs is harvested, a lot whose loss the costs eat is not") {
  // c = 1%: a round trip costs 2% of the price, so u(p) = b − 1.02p.
  // At p = 100: lot 0 (b = 100) has u = 100 − 102 = −2 (the costs turn its
  // break-even into a loss); lot 1 (b = 120) has u = 120 − 102 = 18.
  const std::vector<Lot> lots{lot(0, 10, 100), lot(1, 10, 120)};
  const HarvestRule rule{.min_loss = 0, .min_loss_fraction = 0, .cost_fraction = 0.01};
  const HarvestPlan plan = harvestable(lots, 100, rule);
  REQUIRE(plan.lots == std::vector<LotId>{1});
  CHECK(plan.quantity == Approx(10));
  CHECK(plan.loss == Approx(180));  // 10 × 18
}

TEST_CASE("a lot whose net loss is below the fraction of its basis does not qualify") {
  // As above with f = 20%: lot 1's u = 18 is below 0.2 × 120 = 24.
  const std::vector<Lot> lots{lot(0, 10, 100), lot(1, 10, 120)};
  CHECK(harvestable(lots, 100, HarvestRule{.min_loss = 0, .min_loss_fraction = 0.2, .cost_fraction = 0.01}).empty());
  // With f = 15%: 18 ≥ 0.15 × 120 = 18, so it qualifies (the bound is inclusive).
  CHECK(harvestable(lots, 100, HarvestRule{.min_loss = 0, .min_loss_fraction = 0.15, .cost_fraction = 0.01}).lots ==
        std::vector<LotId>{1});
}

TEST_CASE("the wash-sale adjustment counts in the basis a harvest would lose") {
  // b = 95 + 10 = 105 at p = 100, c = 0: u = 5; 4 units lose 20.
  const std::vector<Lot> lots{lot(3, 4, 95, 10)};
  const HarvestPlan plan = harvestable(lots, 100, HarvestRule{});
  REQUIRE(plan.lots == std::vector<LotId>{3});
  CHECK(plan.loss == Approx(20));
}

TEST_CASE("the holding's qualifying losses must reach min_loss together") {
  // c = 1% (round trip ×1.02), f = 0, min_loss = 300.
  // At p = 80: u0 = 100 − 81.6 = 18.4, u1 = 90 − 81.6 = 8.4;
  //   loss = 10 × 18.4 + 20 × 8.4 = 184 + 168 = 352 ≥ 300.
  // At p = 85: u0 = 100 − 86.7 = 13.3, u1 = 90 − 86.7 = 3.3;
  //   loss = 133 + 66 = 199 < 300.
  const std::vector<Lot> lots{lot(0, 10, 100), lot(1, 20, 90)};
  const HarvestRule rule{.min_loss = 300, .min_loss_fraction = 0, .cost_fraction = 0.01};
  const HarvestPlan plan = harvestable(lots, 80, rule);
  CHECK(plan.lots == std::vector<LotId>{0, 1});
  CHECK(plan.quantity == Approx(30));
  CHECK(plan.loss == Approx(352));
  const HarvestPlan none = harvestable(lots, 85, rule);
  CHECK(none.empty());
  CHECK(none.quantity == 0);
  CHECK(none.loss == 0);

  // Lot 0 starts to qualify at 100/1.02 = 98.04, lot 1 at 90/1.02 = 88.24.
  // With lot 0 alone: 10 × (100 − 1.02p) = 300 at p = 700/10.2 = 68.63,
  //   below 88.24, so lot 1 is in by then.
  // Both: 1000 + 1800 − 1.02 × 30p = 300 at p = 2500/30.6 = 81.699346…,
  //   within (0, 88.24]: the answer.
  const double p = harvest_price(lots, rule);
  CHECK(p == Approx(2500.0 / 30.6).epsilon(1e-12));
  CHECK_FALSE(harvestable(lots, p, rule).empty());
  CHECK(harvestable(lots, up(p), rule).empty());
}

TEST_CASE("the harvest price of one lot is where its loss reaches the fraction of its basis") {
  // b = 100, c = 0.5% (×1.01), f = 5%: qualifies when 100 − 1.01p ≥ 5,
  // p ≤ 95/1.01 = 94.0594…; min_loss 0 binds nothing more.
  // At p = 94: u = 100 − 94.94 = 5.06 ≥ 5; 10 units lose 50.6.
  const std::vector<Lot> lots{lot(7, 10, 100)};
  const HarvestRule rule{.min_loss = 0, .min_loss_fraction = 0.05, .cost_fraction = 0.005};
  const double p = harvest_price(lots, rule);
  CHECK(p == Approx(95 / 1.01).epsilon(1e-12));
  CHECK(harvestable(lots, 94, rule).loss == Approx(50.6));
  CHECK(harvestable(lots, 94.1, rule).empty());
}

TEST_CASE("the harvest price can be where another lot starts to qualify, its loss arriving at once") {
  // c = 0, f = 20%, min_loss = 70. Lot 0 (1 unit at 100) qualifies from
  // 100 × 0.8 = 80, lot 1 (100 units at 50) from 50 × 0.8 = 40.
  // Lot 0 alone: 100 − p = 70 at p = 30, below 40.
  // From 40 down both qualify; at 40: 1 × 60 + 100 × 10 = 1060 ≥ 70.
  // Just above 40 only lot 0 does, losing 60 < 70. So the answer is 40.
  const std::vector<Lot> lots{lot(0, 1, 100), lot(1, 100, 50)};
  const HarvestRule rule{.min_loss = 70, .min_loss_fraction = 0.2, .cost_fraction = 0};
  const double p = harvest_price(lots, rule);
  CHECK(p == Approx(40).epsilon(1e-12));
  CHECK(harvestable(lots, p, rule).loss == Approx(1060).epsilon(1e-9));
  CHECK(harvestable(lots, 40.001, rule).empty());
  CHECK(harvestable(lots, 39, rule).lots == std::vector<LotId>{0, 1});
}

TEST_CASE("with no thresholds at all the harvest price is the double just below the highest break-even") {
  // c = 0, f = 0, min_loss = 0: a lot at 100 qualifies at any p < 100 but
  // not at 100 itself (u = 0 is no loss).
  const std::vector<Lot> lots{lot(0, 5, 100), lot(1, 5, 60)};
  const double p = harvest_price(lots, HarvestRule{});
  CHECK(p == std::nextafter(100.0, 0.0));
  CHECK(harvestable(lots, 100, HarvestRule{}).empty());
  CHECK(harvestable(lots, p, HarvestRule{}).lots == std::vector<LotId>{0});
}

TEST_CASE("a holding whose lots cannot lose min_loss at any price has no harvest price") {
  // 1 unit at 100 loses at most 100 (at a price near 0); min_loss 150.
  CHECK(harvest_price(std::vector<Lot>{lot(0, 1, 100)}, HarvestRule{.min_loss = 150}) == 0);
  CHECK(harvest_price({}, HarvestRule{}) == 0);
  CHECK(harvestable({}, 10, HarvestRule{}).empty());
}

TEST_CASE("the harvest price is the last double at which random holdings are harvestable") {
  std::mt19937_64 rng(20260302);
  std::uniform_int_distribution<int> count(1, 12);
  std::uniform_real_distribution<double> quantity(0.1, 100), basis(10, 200), cost(0, 0.02), fraction(0, 0.3),
      share(0, 0.6), unit(0, 1);
  for (int round = 0; round < 3000; ++round) {
    std::vector<Lot> lots;
    const int n = count(rng);
    double total_basis = 0;
    for (int i = 0; i < n; ++i) {
      // Some lots share a basis, so that several start to qualify at one price.
      const double b = i > 0 && unit(rng) < 0.2 ? lots.back().cost_per_unit : basis(rng);
      lots.push_back(lot(static_cast<LotId>(i), quantity(rng), b, unit(rng) < 0.2 ? 5 : 0));
      total_basis += lots.back().quantity * lots.back().basis_per_unit();
    }
    HarvestRule rule;
    rule.cost_fraction = unit(rng) < 0.2 ? 0 : cost(rng);
    rule.min_loss_fraction = unit(rng) < 0.3 ? 0 : fraction(rng);
    rule.min_loss = unit(rng) < 0.3 ? 0 : share(rng) * total_basis;
    CAPTURE(round);
    const double p = harvest_price(lots, rule);
    REQUIRE(p > 0);  // min_loss ≤ 60% of the basis: harvestable near 0
    const HarvestPlan at = harvestable(lots, p, rule);
    REQUIRE_FALSE(at.empty());
    CHECK(at.loss >= rule.min_loss);
    CHECK(harvestable(lots, up(p), rule).empty());
    CHECK(harvestable(lots, p * (1 + 1e-9), rule).empty());
    CHECK(p == Approx(static_cast<double>(reference_price(lots, rule))).epsilon(1e-9));
    // Monotone: harvestable at every lower price, never above.
    for (int k = 0; k < 5; ++k) {
      const double q = p * unit(rng);
      if (q > 0) CHECK_FALSE(harvestable(lots, q, rule).empty());
      CHECK(harvestable(lots, p * (1 + unit(rng)) + 1e-6, rule).empty());
      // The predicate without the plan agrees, on either side of the price.
      const double r = p * 2 * unit(rng);
      CHECK(is_harvestable(lots, r, rule) == !harvestable(lots, r, rule).empty());
    }
  }
}

}  // namespace test_harvest
