// The total band on a model: Σ|w − t| / 2 (cash included) past `total`
// fires. Its safe zone (account_zone_radius), the rebalance it makes and its
// stuck radius, worked out by hand and checked at the zone's corners.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "fleet/rebalancer.hpp"
#include "fleet/safe_zone.hpp"
#include "fleet/zone_sweep.hpp"
#include "fleet_test_support.hpp"

namespace test_safe_zone_total {

using namespace ballast;
using namespace ballast::fleet;
using ballast::fleet::test::breached;
using ballast::fleet::test::breaches_in_box;
using ballast::fleet::test::one_account;
using ballast::fleet::test::random_targets;
using ballast::fleet::test::simple_model;

namespace {

constexpr double kNone = -std::numeric_limits<double>::infinity();

/// Targets `targets` with only a total band `total`, lots of 1.
Model total_model(std::vector<double> targets, double total) {
  Model m = simple_model(std::move(targets), 0);
  m.bands.absolute.reset();
  m.bands.total = total;
  return m;
}

}  // namespace

TEST_CASE("total band: a 50/50 account at 52/48 has the radius worked out by hand") {
  // D = (0.02 + 0.02) / 2 = 0.02; S = 2 · 0.52 · 0.48 = 0.4992;
  // x = 1 + 2 (0.05 − 0.02) / 0.4992.
  const AccountBook book = one_account(total_model({0.5, 0.5}, 0.05), 0, {52, 48});
  const std::vector<double> prices{100, 100};
  const double expected = 0.5 * std::log(1 + 0.06 / 0.4992);
  const double r = account_zone_radius(book, 0, prices);
  CHECK(r == doctest::Approx(expected).epsilon(1e-9));
  CHECK(r <= expected);
  CHECK_FALSE(breaches_in_box(book, prices, r));
  // A alone breaches where 52p / (52p + 4,800) = 0.55: p = 2,640 / 23.4.
  const double breach_price = 2640 / 23.4;
  CHECK_FALSE(breached(book, {breach_price * (1 - 1e-9), 100}));
  CHECK(breached(book, {breach_price * (1 + 1e-9), 100}));
  CHECK(std::log(breach_price / 100) > 2 * r);
  // Past the band: no zone.
  CHECK(account_zone_radius(one_account(total_model({0.5, 0.5}, 0.05), 0, {56, 44}), 0, prices) == kNone);
}

TEST_CASE("total band: four equal assets take the bound by half the factors' range") {
  // On target at 25% each, T = 0.05: S = 4 · 0.25 · 0.75 = 0.75 > ½, so
  // x = 1 + 2 · 0.05 / 0.5 = 1.2. Two up and two down by r, the drift is
  // ½ · tanh r = 0.04545 at that r: inside, as at every corner.
  const AccountBook book = one_account(total_model({0.25, 0.25, 0.25, 0.25}, 0.05), 0, {25, 25, 25, 25});
  const std::vector<double> prices{100, 100, 100, 100};
  const double r = account_zone_radius(book, 0, prices);
  CHECK(r == doctest::Approx(0.5 * std::log(1.2)).epsilon(1e-9));
  CHECK_FALSE(breaches_in_box(book, prices, r));
  CHECK(0.5 * std::tanh(r) == doctest::Approx(0.04545).epsilon(1e-3));
}

TEST_CASE("total band: with cash and an absolute band, the tighter bound is the account's") {
  // 60/30 and 10% cash, on target: D = 0, S = 0.6·0.4 + 0.3·0.7 + 0.1·0.9 = 0.54,
  // above ½: x = 1 + 2 · 0.03 / 0.5 = 1.12. The absolute band's least factor,
  // 0.6·0.45 / (0.55·0.4) = 1.2273 for A's lower edge, is larger.
  Model m = simple_model({0.6, 0.3}, 0.05);
  m.bands.total = 0.03;
  const AccountBook book = one_account(m, 1000, {60, 30});
  const std::vector<double> prices{100, 100};
  CHECK(account_zone_radius(book, 0, prices) == doctest::Approx(0.5 * std::log(1.12)).epsilon(1e-9));
  // A multiplier of 2 doubles the total band too: x = 1 + 2 · 0.06 / 0.5 = 1.24,
  // under the absolute band's least factor at ±10%, 0.6·0.5 / (0.5·0.4) = 1.5.
  const AccountBook wide = one_account(m, 1000, {60, 30}, 2.0);
  CHECK(account_zone_radius(wide, 0, prices) == doctest::Approx(0.5 * std::log(1.24)).epsilon(1e-9));
  // The resync's sweep bounds it alike, but for its sums' order and its
  // logarithm (at most 4e-7 below; fleet/zone_sweep.hpp).
  const ZoneSweep sweep(book, prices);
  CHECK(sweep.radius(book, 0) <= account_zone_radius(book, 0, prices) * (1 + 1e-12));
  CHECK(sweep.radius(book, 0) == doctest::Approx(0.5 * std::log(1.12)).epsilon(1e-6));
}

TEST_CASE("total band: random accounts with cash: every corner of the zone stays inside") {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> unit(0, 1);
  int checked = 0;
  for (int trial = 0; trial < 300; ++trial) {
    // Up to 8 assets: past 2 or 3 the bound by half the factors' range binds.
    const std::size_t n = 2 + trial % 7;
    double invested = 0;
    const std::vector<double> targets = random_targets(rng, n, invested);
    Model m = total_model(targets, 0.02 + 0.05 * unit(rng));
    if (trial % 3 == 1) m.bands.absolute = 0.02 + 0.05 * unit(rng);
    std::vector<double> q(n), prices(n);
    for (std::size_t i = 0; i < n; ++i) {
      prices[i] = 10 + 90 * unit(rng);
      q[i] = 1000 * targets[i] * (1 + 0.1 * (unit(rng) - 0.5)) / prices[i];
    }
    const AccountBook book = one_account(m, 1000 * (1 - invested) * 2 * unit(rng), q, trial % 2 ? 1.0 : 0.7);
    const double r = account_zone_radius(book, 0, prices);
    if (!(r > 0) || std::isinf(r)) continue;
    ++checked;
    CHECK_FALSE(breaches_in_box(book, prices, r));
  }
  CHECK(checked > 100);
}

TEST_CASE("total band: past it every asset off target trades, none of them outside its own band") {
  // 50/50 at 57/43, absolute 10%, total 5%: no asset is outside its own band
  // (7% off), the total drift is 7%.
  Model m = simple_model({0.5, 0.5}, 0.10);
  m.bands.total = 0.05;
  const std::vector<double> prices{100, 100};
  AccountBook book = one_account(m, 0, {57, 43});
  Rebalancer rb;
  FleetOutput out;
  REQUIRE(rb.check(book, 0, prices, out) == Rebalancer::Outcome::traded);
  REQUIRE(out.trades.size() == 2);
  CHECK(out.trades[0].side == core::Side::sell);
  CHECK(out.trades[0].quantity == doctest::Approx(7));
  CHECK(out.trades[1].side == core::Side::buy);
  CHECK(out.trades[1].quantity == doctest::Approx(7));
  // To the band's edge: λ = 1 − 0.05 / 0.07 = 2/7 of the way, 0.57 → 0.55:
  // two shares each way, and the account is back inside (D = 0.05, not past it).
  m.rebalance_to = strategies::RebalanceTo::band_edge;
  AccountBook edge = one_account(m, 0, {57, 43});
  out.clear();
  REQUIRE(rb.check(edge, 0, prices, out) == Rebalancer::Outcome::traded);
  REQUIRE(out.trades.size() == 2);
  CHECK(out.trades[0].quantity == doctest::Approx(2));
  CHECK(out.trades[1].quantity == doctest::Approx(2));
  CHECK(edge.quantities(0)[0] == doctest::Approx(55));
}

TEST_CASE("total band: stuck at the band's edge, every asset is bounded by its lots") {
  // Targets 50/30/20, total band 4%, lots of 20, holdings 56, 28, 16 at 100,
  // no cash: D = (0.06 + 0.02 + 0.04) / 2 = 0.06, past the band. Every full
  // trade to target (−6, +2, +4) is under half a lot: nothing trades.
  Model m = total_model({0.5, 0.3, 0.2}, 0.04);
  m.rebalance_to = strategies::RebalanceTo::band_edge;
  m.lot_sizes = {20, 20, 20};
  const std::vector<double> prices{100, 100, 100};
  const AccountBook book = one_account(m, 0, {56, 28, 16});
  Rebalancer rb;
  FleetOutput out;
  AccountBook copy = book;
  REQUIRE(rb.check(copy, 0, prices, out) == Rebalancer::Outcome::stuck);
  // Factors e^{2r} with h = 10: A, 50/(56 − 10) = 1.0870 and (56 + 10)/50;
  // B, 30/(28 − 10) and (28 + 10)/30; C holds less than a lot, (16 + 10)/20.
  // A's sale binds: r = ½ ln(50/46).
  const double r = account_stuck_radius(book, 0, prices);
  CHECK(r == doctest::Approx(0.5 * std::log(50.0 / 46)).epsilon(1e-6));
  for (int corner = 0; corner < 8; ++corner) {
    std::vector<double> moved = prices;
    for (int j = 0; j < 3; ++j) moved[j] *= std::exp((corner >> j & 1 ? 1 : -1) * r * 0.999999);
    AccountBook c = book;
    FleetOutput o;
    CHECK(rb.check(c, 0, moved, o) != Rebalancer::Outcome::traded);
  }
  // With lots of 1, B's and C's buys could trade past the total band (the
  // others' sales paying): no stuck radius.
  m.lot_sizes = {20, 1, 1};
  CHECK(account_stuck_radius(one_account(m, 0, {56, 28, 16}), 0, prices) == kNone);
}

}  // namespace test_safe_zone_total
