#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "fleet/rebalancer.hpp"
#include "fleet/safe_zone.hpp"
#include "fleet_test_support.hpp"

namespace test_safe_zone {

using namespace ballast;
using namespace ballast::fleet;
using ballast::fleet::test::breached;
using ballast::fleet::test::breaches_in_box;
using ballast::fleet::test::one_account;
using ballast::fleet::test::random_targets;
using ballast::fleet::test::simple_model;

TEST_CASE("a 60/40 account with 5% bands has the radius worked out by hand") {
  // A at 0.60: the lower edge 0.55 binds with x = 0.6·0.45 / (0.55·0.4) = 0.27/0.22;
  // B at 0.40: the upper edge 0.45 gives the same x = 0.45·0.6 / (0.4·0.55).
  const AccountBook book = one_account(simple_model({0.6, 0.4}, 0.05), 0, {6, 4});
  const double expected = 0.5 * std::log(0.27 / 0.22);
  const std::vector<double> prices{100, 100};
  const double r = account_zone_radius(book, 0, prices);
  CHECK(r == doctest::Approx(expected).epsilon(1e-9));
  CHECK(r <= expected);
}

TEST_CASE("60/40: every move of at most r on each price keeps the account in band") {
  const AccountBook book = one_account(simple_model({0.6, 0.4}, 0.05), 0, {6, 4});
  const double r = account_zone_radius(book, 0, std::vector<double>{100, 100});
  for (const double da : {-r, -r / 2, 0.0, r / 2, r}) {
    for (const double db : {-r, -r / 2, 0.0, r / 2, r}) {
      CHECK_FALSE(breached(book, {100 * std::exp(da), 100 * std::exp(db)}));
    }
  }
  // The corner A −r, B +r lands on A's lower edge: the zone is tight there.
  const double pa = 100 * std::exp(-r), pb = 100 * std::exp(r);
  CHECK(6 * pa / (6 * pa + 4 * pb) == doctest::Approx(0.55).epsilon(1e-9));
  const double past = r * (1 + 1e-6);
  CHECK(breached(book, {100 * std::exp(-past), 100 * std::exp(past)}));
}

TEST_CASE("60/40: A alone breaches just past its exact breach prices, not before") {
  const AccountBook book = one_account(simple_model({0.6, 0.4}, 0.05), 0, {6, 4});
  // 6p / (6p + 400) = 0.55 ⇔ p = 220/2.7; = 0.65 ⇔ p = 260/2.1.
  const double low = 220 / 2.7, high = 260 / 2.1;
  CHECK_FALSE(breached(book, {low * (1 + 1e-9), 100}));
  CHECK(breached(book, {low * (1 - 1e-9), 100}));
  CHECK_FALSE(breached(book, {high * (1 - 1e-9), 100}));
  CHECK(breached(book, {high * (1 + 1e-9), 100}));
  // Alone, A can move 2r before it breaches: the zone is conservative by half.
  const double r = account_zone_radius(book, 0, std::vector<double>{100, 100});
  CHECK(std::log(100 / low) == doctest::Approx(2 * r).epsilon(1e-6));
}

TEST_CASE("the relative band narrows the zone around a small target") {
  // Target 0.1 with relative 0.2: the band is [0.08, 0.12], tighter than 5% absolute.
  Model m = simple_model({0.1, 0.9}, 0.05);
  m.bands.relative = 0.2;
  const AccountBook book = one_account(m, 0, {1, 9});
  const std::vector<double> prices{100, 100};
  const double x = std::min(0.12 * 0.9 / (0.1 * 0.88), 0.1 * 0.92 / (0.08 * 0.9));
  CHECK(account_zone_radius(book, 0, prices) == doctest::Approx(0.5 * std::log(x)).epsilon(1e-9));
}

TEST_CASE("a band multiplier of 2 gives the zone of a band twice as wide") {
  const std::vector<double> prices{100, 100};
  const AccountBook wide = one_account(simple_model({0.6, 0.4}, 0.10), 0, {6, 4});
  const AccountBook scaled = one_account(simple_model({0.6, 0.4}, 0.05), 0, {6, 4}, 2.0);
  CHECK(account_zone_radius(scaled, 0, prices) == doctest::Approx(account_zone_radius(wide, 0, prices)));
  CHECK(account_zone_radius(scaled, 0, prices) > account_zone_radius(one_account(simple_model({0.6, 0.4}, 0.05), 0, {6, 4}), 0, prices));
}

TEST_CASE("an account in breach or at its band edge has no zone") {
  const std::vector<double> prices{100, 100};
  CHECK(account_zone_radius(one_account(simple_model({0.6, 0.4}, 0.05), 0, {7, 3}), 0, prices) == -INFINITY);
  // Exactly on the edge (0.75 against 0.5 ± 0.25, all exact in binary):
  // not a breach (strict), but not certified either.
  const AccountBook edge = one_account(simple_model({0.5, 0.5}, 0.25), 0, {7.5, 2.5});
  CHECK_FALSE(breached(edge, {100, 100}));
  CHECK(account_zone_radius(edge, 0, prices) == -INFINITY);
}

TEST_CASE("bands that cover every weight give an unbounded zone") {
  const AccountBook book = one_account(simple_model({0.5, 0.5}, 0.6), 0, {5, 5});
  CHECK(account_zone_radius(book, 0, std::vector<double>{100, 100}) == INFINITY);
  CHECK(asset_zone_radius(0.5, 0.5, 0.6) == INFINITY);
  CHECK(asset_zone_radius(0.7, 0.5, 0.1) == -INFINITY);
}

TEST_CASE("random accounts with cash: every corner of the zone stays in band") {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> unit(0, 1);
  int checked = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const std::size_t n = 2 + trial % 4;
    double invested = 0;
    const std::vector<double> targets = random_targets(rng, n, invested);
    Model m = simple_model(targets, 0.01 + 0.05 * unit(rng));
    if (trial % 2) m.bands.relative = 0.1 + 0.3 * unit(rng);
    std::vector<double> q(n), prices(n);
    for (std::size_t i = 0; i < n; ++i) {
      prices[i] = 10 + 90 * unit(rng);
      q[i] = 1000 * targets[i] * (1 + 0.05 * (unit(rng) - 0.5)) / prices[i];
    }
    const AccountBook book = one_account(m, 1000 * (1 - invested), q);
    const double r = account_zone_radius(book, 0, prices);
    if (!(r > 0) || std::isinf(r)) continue;
    ++checked;
    CHECK_FALSE(breaches_in_box(book, prices, r));
  }
  CHECK(checked > 100);
}

TEST_CASE("random fleets: inside the no-trade radius a rebalance finds nothing to trade") {
  using ballast::fleet::test::random_fleet;
  auto f = random_fleet(21, 10, 24, 3000);
  // Most accounts a lot or so away from target in each asset (rounded to
  // lots), so that many cannot trade: the zone to test.
  for (AccountIndex a = 0; a < f.book.size(); ++a) {
    const Model& m = f.book.model(a);
    const auto held = f.book.quantities(a);
    double value = f.book.cash(a);
    for (std::size_t i = 0; i < m.size(); ++i) value += held[i] * f.prices[m.symbols[i]];
    std::vector<double> q(m.size());
    for (std::size_t i = 0; i < m.size(); ++i) {
      const double lots = m.targets[i] * value / f.prices[m.symbols[i]] / m.lot_sizes[i];
      q[i] = (a % 3 ? std::round(lots) : std::floor(lots)) * m.lot_sizes[i];
    }
    // A quarter short of cash: buys the sizing scales away.
    const double cash = a % 4 == 0 ? f.book.cash(a) * 0.02 : f.book.cash(a);
    REQUIRE_FALSE(f.book.set_account(a, f.book.model_index(a), cash, q, f.book.band_multiplier(a)));
  }
  std::mt19937_64 rng(4);
  std::uniform_real_distribution<double> unit(-1, 1);
  std::size_t zoned = 0, corners = 0;
  for (AccountIndex a = 0; a < f.book.size(); ++a) {
    const double r = account_no_trade_radius(f.book, a, f.prices);
    const double band = account_zone_radius(f.book, a, f.prices);
    CHECK(account_quiet_radius(f.book, a, f.prices) == (band >= 1e-3 ? band : std::max(band, r)));
    if (!(r > 0) || std::isinf(r)) continue;
    ++zoned;
    for (int k = 0; k < 20; ++k) {
      std::vector<double> moved = f.prices;
      // Corners and inside points of the zone, every symbol moving.
      for (double& p : moved) p *= std::exp(r * (k < 10 ? (rng() % 2 ? 1 : -1) : unit(rng)));
      AccountBook copy = f.book;
      FleetOutput out;
      Rebalancer rb;
      REQUIRE(rb.check(copy, a, moved, out) != Rebalancer::Outcome::traded);
      ++corners;
    }
  }
  CHECK(zoned > 100);
  CHECK(corners == 20 * zoned);
}

TEST_CASE("groups: a 60/40 account half in a substitute has the 60/40 radius worked out by hand") {
  // VTI 0.6 (slot 0), BND 0.4, ITOT (slot 2) a substitute of VTI. 3 VTI + 3
  // ITOT weigh 0.6 as a group: the same x = 0.27/0.22 as 6 VTI alone.
  Model m = simple_model({0.6, 0.4, 0.0}, 0.05);
  m.group_of = {0, 1, 0};
  const std::vector<double> prices{100, 100, 100};
  const AccountBook book = one_account(m, 0, {3, 4, 3});
  const double r = account_zone_radius(book, 0, prices);
  CHECK(r == doctest::Approx(0.5 * std::log(0.27 / 0.22)).epsilon(1e-9));
  // Without the group VTI alone is 0.3 under target: in breach, no zone.
  Model plain = m;
  plain.group_of.clear();
  CHECK(account_zone_radius(one_account(plain, 0, {3, 4, 3}), 0, prices) == -INFINITY);
  // Every corner of the zone (VTI and ITOT moving apart too) stays in band.
  for (std::size_t corner = 0; corner < 8; ++corner) {
    std::vector<double> moved(3);
    for (std::size_t i = 0; i < 3; ++i) moved[i] = 100 * std::exp((corner >> i) & 1 ? r : -r);
    CHECK_FALSE(breached(book, moved));
  }
  // The group's tight corner: VTI and ITOT down by r, BND up: the group at its lower edge.
  const double pa = 100 * std::exp(-r), pb = 100 * std::exp(r);
  CHECK(6 * pa / (6 * pa + 4 * pb) == doctest::Approx(0.55).epsilon(1e-9));
  const double past = r * (1 + 1e-6);
  CHECK(breached(book, {100 * std::exp(-past), 100 * std::exp(past), 100 * std::exp(-past)}));
}

TEST_CASE("groups: random accounts with substitutes held: every corner of the zone stays in band") {
  std::mt19937_64 rng(17);
  std::uniform_real_distribution<double> unit(0, 1);
  int checked = 0;
  for (int trial = 0; trial < 300; ++trial) {
    // 2 to 3 primaries, each with 0 to 2 substitutes after them.
    const std::size_t primaries = 2 + trial % 2;
    std::vector<double> targets;
    std::vector<std::uint32_t> group_of;
    double sum = 0;
    for (std::size_t p = 0; p < primaries; ++p) {
      const auto slot = static_cast<std::uint32_t>(targets.size());
      sum += targets.emplace_back(0.2 + unit(rng));
      group_of.push_back(slot);
      for (std::size_t s = 0; s < (trial / 2 + p) % 3; ++s) {
        targets.push_back(0);
        group_of.push_back(slot);
      }
    }
    const std::size_t n = targets.size();
    const double invested = 0.7 + 0.3 * unit(rng);
    for (auto& t : targets) t *= invested / sum;
    Model m = simple_model(targets, 0.01 + 0.05 * unit(rng));
    m.group_of = group_of;
    if (trial % 2) m.bands.relative = 0.1 + 0.3 * unit(rng);
    REQUIRE_FALSE(check_model(m, n));
    std::vector<double> q(n, 0.0), prices(n);
    for (std::size_t i = 0; i < n; ++i) prices[i] = 10 + 90 * unit(rng);
    for (std::size_t p = 0; p < n; ++p) {
      if (group_of[p] != p) continue;
      // The group's value, near target, spread over its members at random.
      const double value = 1000 * targets[p] * (1 + 0.05 * (unit(rng) - 0.5));
      std::vector<double> shares;
      double total = 0;
      for (std::size_t i = 0; i < n; ++i) total += group_of[i] == p ? shares.emplace_back(unit(rng)) : 0.0;
      std::size_t k = 0;
      for (std::size_t i = 0; i < n; ++i) {
        if (group_of[i] == p) q[i] = value * shares[k++] / total / prices[i];
      }
    }
    const AccountBook book = one_account(m, 1000 * (1 - invested), q);
    const double r = account_zone_radius(book, 0, prices);
    if (!(r > 0) || std::isinf(r)) continue;
    ++checked;
    for (std::size_t corner = 0; corner < (1u << n); ++corner) {
      std::vector<double> moved(n);
      for (std::size_t i = 0; i < n; ++i) moved[i] = prices[i] * std::exp((corner >> i) & 1 ? r : -r);
      CHECK_FALSE(breached(book, moved));
    }
  }
  CHECK(checked > 100);
}

TEST_CASE("groups: no no-trade radius while a substitute is held; without one, the model's without groups") {
  Model m = simple_model({0.6, 0.4, 0.0}, 0.05);
  m.group_of = {0, 1, 0};
  m.lot_sizes = {10, 10, 10};  // lots of 1000: 6/4 units are far from a trade
  const std::vector<double> prices{100, 100, 100};
  // 59 VTI (5900) + 41 BND (4100): 1 unit from target, a tenth of a lot.
  const AccountBook unheld = one_account(m, 0, {59, 41, 0});
  Model plain = m;
  plain.group_of.clear();
  const double r = account_no_trade_radius(unheld, 0, prices);
  CHECK(r > 0);
  CHECK(r == account_no_trade_radius(one_account(plain, 0, {59, 41, 0}), 0, prices));
  CHECK(account_no_trade_radius(one_account(m, 0, {58, 41, 1}), 0, prices) == -INFINITY);
}

TEST_CASE("groups: random fleets with substitutes unheld: inside the no-trade radius nothing trades") {
  using ballast::fleet::test::Groups;
  using ballast::fleet::test::random_fleet;
  auto f = random_fleet(22, 10, 24, 3000, Groups::unheld);
  // As in the test without groups: holdings rounded to lots near target.
  for (AccountIndex a = 0; a < f.book.size(); ++a) {
    const Model& m = f.book.model(a);
    const auto held = f.book.quantities(a);
    double value = f.book.cash(a);
    for (std::size_t i = 0; i < m.size(); ++i) value += held[i] * f.prices[m.symbols[i]];
    std::vector<double> q(m.size());
    for (std::size_t i = 0; i < m.size(); ++i) {
      const double lots = m.targets[i] * value / f.prices[m.symbols[i]] / m.lot_sizes[i];
      q[i] = (a % 3 ? std::round(lots) : std::floor(lots)) * m.lot_sizes[i];
    }
    const double cash = a % 4 == 0 ? f.book.cash(a) * 0.02 : f.book.cash(a);
    REQUIRE_FALSE(f.book.set_account(a, f.book.model_index(a), cash, q, f.book.band_multiplier(a)));
  }
  std::mt19937_64 rng(8);
  std::uniform_real_distribution<double> unit(-1, 1);
  std::size_t zoned = 0;
  for (AccountIndex a = 0; a < f.book.size(); ++a) {
    if (!has_substitutes(f.book.model(a))) continue;
    const double r = account_no_trade_radius(f.book, a, f.prices);
    if (!(r > 0) || std::isinf(r)) continue;
    ++zoned;
    for (int k = 0; k < 20; ++k) {
      std::vector<double> moved = f.prices;
      for (double& p : moved) p *= std::exp(r * (k < 10 ? (rng() % 2 ? 1 : -1) : unit(rng)));
      AccountBook copy = f.book;
      FleetOutput out;
      Rebalancer rb;
      REQUIRE(rb.check(copy, a, moved, out) != Rebalancer::Outcome::traded);
    }
  }
  CHECK(zoned > 50);
}

TEST_CASE("stuck at the band's edge: the radius worked out by hand, and nothing trades inside it") {
  // Targets A 50%, B 30%, C 20%, bands ±5%, A in lots of 20; prices 100,
  // holdings 56, 28, 16, no cash: V = 10,000, w = 0.56 (A outside),
  // 0.28, 0.16 (inside). A's full trade, 50 − 56 = −6, is under half a lot:
  // it cannot trade, and the buys of B and C have no cash nor proceeds.
  Model m = simple_model({0.5, 0.3, 0.2}, 0.05);
  m.rebalance_to = strategies::RebalanceTo::band_edge;
  m.lot_sizes[0] = 20;
  const std::vector<double> prices{100, 100, 100};
  AccountBook book = one_account(m, 0, {56, 28, 16});
  Rebalancer rb;
  FleetOutput out;
  AccountBook copy = book;
  REQUIRE(rb.check(copy, 0, prices, out) == Rebalancer::Outcome::stuck);
  // Factors e^{2r}: B inside, 0.35·0.72/(0.28·0.65) = 1.385 and
  // 0.28·0.75/(0.25·0.72) = 1.167; C inside, 0.25·0.84/(0.16·0.75) = 1.75 and
  // 0.16·0.85/(0.15·0.84) = 1.0794; A, (56 + 10)/50 = 1.32 and 50/(56 − 10)
  // = 1.0870. The least is C's: r = ½ ln(0.136/0.126) = 0.03819.
  const double r = account_stuck_radius(book, 0, prices);
  CHECK(r == doctest::Approx(0.5 * std::log(0.136 / 0.126)).epsilon(1e-9));
  CHECK(r < 0.5 * std::log(0.136 / 0.126));
  // Every corner of the zone stays stuck; past C's bound (C down, the rest
  // up, by a little more than r) C leaves its band and the account trades.
  for (int corner = 0; corner < 8; ++corner) {
    std::vector<double> moved = prices;
    for (int j = 0; j < 3; ++j) moved[j] *= std::exp((corner >> j & 1 ? 1 : -1) * r * 0.999999);
    AccountBook c = book;
    FleetOutput o;
    CHECK(rb.check(c, 0, moved, o) != Rebalancer::Outcome::traded);  // stuck, or A back inside
  }
  const std::vector<double> past{100 * std::exp(r * 1.01), 100 * std::exp(r * 1.01), 100 * std::exp(-r * 1.01)};
  CHECK(rb.in_breach(book, 0, past));
  CHECK(account_zone_radius(book, 0, past) == -std::numeric_limits<double>::infinity());
  // A's full trade reaching half a lot (lots of 10): no such radius.
  m.lot_sizes[0] = 10;
  CHECK(account_stuck_radius(one_account(m, 0, {56, 28, 16}), 0, prices) == -std::numeric_limits<double>::infinity());
  // To target instead of the band's edge: none either.
  m.lot_sizes[0] = 20;
  m.rebalance_to = strategies::RebalanceTo::target;
  CHECK(account_stuck_radius(one_account(m, 0, {56, 28, 16}), 0, prices) == -std::numeric_limits<double>::infinity());
}

TEST_CASE("random fleets: inside the stuck radius a band-edge account in breach trades nothing") {
  using ballast::fleet::test::random_fleet;
  auto f = random_fleet(23, 10, 24, 4000);
  // Coarse lots and little cash: many accounts in breach cannot trade.
  std::mt19937_64 rng(9);
  std::uniform_real_distribution<double> unit(-1, 1);
  std::size_t zoned = 0, stuck = 0;
  for (AccountIndex a = 0; a < f.book.size(); ++a) {
    const Model& m = f.book.model(a);
    if (m.rebalance_to != strategies::RebalanceTo::band_edge || !m.group_of.empty()) continue;
    // A small account: worth 1 to 7 of its largest lot, each weight off
    // its target by up to 60%, in fractions of lots.
    double largest_lot = 0;
    for (std::size_t i = 0; i < m.size(); ++i)
      largest_lot = std::max(largest_lot, m.lot_sizes[i] * f.prices[m.symbols[i]]);
    const double value = largest_lot * (4 + 3 * unit(rng));
    std::vector<double> q(m.size());
    for (std::size_t i = 0; i < m.size(); ++i) {
      const double w = std::max(0.0, m.targets[i] * (1 + 0.6 * unit(rng)));
      q[i] = w * value / f.prices[m.symbols[i]];
    }
    REQUIRE_FALSE(f.book.set_account(a, f.book.model_index(a), value * 0.001, q, f.book.band_multiplier(a)));
    Rebalancer rb;
    FleetOutput out;
    AccountBook copy = f.book;
    if (rb.check(copy, a, f.prices, out) != Rebalancer::Outcome::stuck) continue;
    ++stuck;
    const double r = account_stuck_radius(f.book, a, f.prices);
    if (!(r > 0)) continue;
    ++zoned;
    for (int k = 0; k < 20; ++k) {
      std::vector<double> moved = f.prices;
      for (double& p : moved) p *= std::exp(r * (k < 10 ? (rng() % 2 ? 1 : -1) : unit(rng)));
      AccountBook c = f.book;
      FleetOutput o;
      REQUIRE(rb.check(c, a, moved, o) != Rebalancer::Outcome::traded);
    }
  }
  // Most of the stuck accounts get a zone (the rest: cash or lots might let an asset outside trade).
  CHECK(zoned > 200);
  CHECK(zoned * 3 > stuck);
}

}  // namespace test_safe_zone
