#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "fleet/rebalancer.hpp"
#include "fleet_test_support.hpp"

namespace test_rebalancer {

using namespace ballast;
using namespace ballast::fleet;
using ballast::fleet::test::one_account;
using ballast::fleet::test::simple_model;

namespace {
const std::vector<double> kAtPar{100, 100};
}  // namespace

TEST_CASE("an account inside its bands is left alone") {
  AccountBook book = one_account(simple_model({0.6, 0.4}, 0.05), 0, {6, 4});
  FleetOutput out;
  Rebalancer r;
  CHECK_FALSE(r.check_and_rebalance(book, 0, kAtPar, out));
  CHECK(out.rebalances.empty());
  CHECK(book.quantities(0)[0] == 6);
}

TEST_CASE("to target: a 70/30 account trades back to 60/40 and the book follows") {
  AccountBook book = one_account(simple_model({0.6, 0.4}, 0.05), 0, {7, 3});
  FleetOutput out;
  Rebalancer r;
  REQUIRE(r.check_and_rebalance(book, 0, kAtPar, out));
  REQUIRE(out.rebalances.size() == 1);
  CHECK(out.rebalances[0] == FleetRebalance{0, 0, 2});
  CHECK(out.trades[0] == FleetTrade{0, 0, core::Side::sell, 1, 100});
  CHECK(out.trades[1] == FleetTrade{0, 1, core::Side::buy, 1, 100});
  CHECK(book.quantities(0)[0] == 6);
  CHECK(book.quantities(0)[1] == 4);
  CHECK(book.cash(0) == doctest::Approx(0));
}

TEST_CASE("a calendar date (to_target) takes an account inside its bands to target when a trade is worth it") {
  // 62/38 is inside 5% bands around 60/40: a band leaves it, a date trades 2 and 2.
  Model m = simple_model({0.6, 0.4}, 0.05);
  AccountBook book = one_account(m, 0, {62, 38});
  FleetOutput out;
  Rebalancer r;
  CHECK(r.check(book, 0, kAtPar, out, true) == Rebalancer::Outcome::inside_bands);
  REQUIRE(r.check(book, 0, kAtPar, out, true, /*to_target=*/true) == Rebalancer::Outcome::traded);
  REQUIRE(out.trades.size() == 2);
  CHECK(out.trades[0] == FleetTrade{0, 0, core::Side::sell, 2, 100});
  CHECK(out.trades[1] == FleetTrade{0, 1, core::Side::buy, 2, 100});
  CHECK(book.quantities(0)[0] == 60);
  // On target: nothing to trade, inside its bands (not stuck).
  out = {};
  CHECK(r.check(book, 0, kAtPar, out, true, true) == Rebalancer::Outcome::inside_bands);
  CHECK(out.rebalances.empty());

  // Trades of $200 below a min_trade_value of 250: none.
  m.min_trade_value = 250;
  AccountBook small = one_account(m, 0, {62, 38});
  CHECK(r.check(small, 0, kAtPar, out, true, true) == Rebalancer::Outcome::inside_bands);
  // Band-edge trades only what is outside its bands: nothing here.
  m.min_trade_value = 0;
  m.rebalance_to = strategies::RebalanceTo::band_edge;
  AccountBook edge = one_account(m, 0, {62, 38});
  CHECK(r.check(edge, 0, kAtPar, out, true, true) == Rebalancer::Outcome::inside_bands);
  CHECK(out.rebalances.empty());
}

TEST_CASE("band-edge: 70/30 with 5% bands aims half way, at 65/35, and rounds lots outward") {
  Model m = simple_model({0.6, 0.4}, 0.05);
  m.rebalance_to = strategies::RebalanceTo::band_edge;
  m.lot_sizes = {0.3, 0.3};
  AccountBook book = one_account(m, 0, {7, 3});
  FleetOutput out;
  Rebalancer r;
  REQUIRE(r.check_and_rebalance(book, 0, kAtPar, out));
  // Half a share each way is 1.67 lots of 0.3: two lots, 0.6 shares.
  CHECK(book.quantities(0)[0] == doctest::Approx(6.4));
  CHECK(book.quantities(0)[1] == doctest::Approx(3.6));
  CHECK_FALSE(r.in_breach(book, 0, kAtPar));
}

TEST_CASE("band-edge rounds lots outward: whole lots land inside the band, not on it") {
  Model m = simple_model({0.6, 0.4}, 0.05);
  m.rebalance_to = strategies::RebalanceTo::band_edge;
  AccountBook book = one_account(m, 0, {7, 3});
  FleetOutput out;
  Rebalancer r;
  REQUIRE(r.check_and_rebalance(book, 0, kAtPar, out));
  // Half a share each way rounds out to one: the full trade to target.
  CHECK(book.quantities(0)[0] == 6);
  CHECK(book.quantities(0)[1] == 4);
}

TEST_CASE("lots: trades are whole lots, and a breach lots cannot mend makes no trade") {
  Model m = simple_model({0.6, 0.4}, 0.05);
  m.lot_sizes = {5, 1};
  // Sell 1 of A is a fifth of a lot: nothing sold, so no cash for B either.
  AccountBook book = one_account(m, 0, {7, 3});
  FleetOutput out;
  Rebalancer r;
  CHECK(r.in_breach(book, 0, kAtPar));
  CHECK_FALSE(r.check_and_rebalance(book, 0, kAtPar, out));
  CHECK(out.rebalances.empty());
  // 30/10 at 100 is 75/25: 6 of A to sell rounds to one lot of 5, whose
  // proceeds buy 5 of B (6 wanted, scaled to the cash).
  AccountBook more = one_account(m, 0, {30, 10});
  REQUIRE(r.check_and_rebalance(more, 0, kAtPar, out));
  CHECK(out.trades[0] == FleetTrade{0, 0, core::Side::sell, 5, 100});
  CHECK(out.trades[1] == FleetTrade{0, 1, core::Side::buy, 5, 100});
  CHECK(more.quantities(0)[0] == 25);
  CHECK(more.quantities(0)[1] == 15);
}

TEST_CASE("trades worth less than min_trade_value are not made") {
  Model m = simple_model({0.6, 0.4}, 0.05);
  m.min_trade_value = 150;
  AccountBook book = one_account(m, 0, {7, 3});
  FleetOutput out;
  Rebalancer r;
  CHECK_FALSE(r.check_and_rebalance(book, 0, kAtPar, out));
  CHECK(book.quantities(0)[0] == 7);
}

namespace {

// Value 10,000: A 37 @ 40 (0.148), B 43 @ 100 (0.43), C 41 @ 100 (0.41),
// cash 120 (0.012); targets 0.2 / 0.4 / 0.4, band ±0.05: A alone is outside,
// 0.052 under. Band-edge λ = 1 − 0.05 / 0.052 = 1/26: A to 0.15 (+0.5 share),
// B to 0.43 − 0.03/26 (−0.12 share), C to 0.41 − 0.01/26 (−0.04 share).
Model cheap_breach_model() {
  Model m = simple_model({0.2, 0.4, 0.4}, 0.05);
  m.rebalance_to = strategies::RebalanceTo::band_edge;
  m.min_trade_value = 50;
  return m;
}
const std::vector<double> kCheapBreachPrices{40, 100, 100};

}  // namespace

TEST_CASE("band-edge: an asset outside its band whose lot is worth less than min_trade_value still trades back") {
  // A's one share outward is $40 < 50: it was dropped and A left outside,
  // while B and C each traded a lot outward for their fraction of a share, on
  // this price and every one after (an account sold off share by share). A
  // is raised to ceil(50 / 40) = 2 shares ($80); B and C, inside their
  // bands, round to the nearest lot: none.
  AccountBook book = one_account(cheap_breach_model(), 120, {37, 43, 41});
  FleetOutput out;
  Rebalancer r;
  REQUIRE(r.check(book, 0, kCheapBreachPrices, out) == Rebalancer::Outcome::traded);
  REQUIRE(out.trades.size() == 1);
  CHECK(out.trades[0] == FleetTrade{0, 0, core::Side::buy, 2, 40});
  // A 39 @ 40 is 0.156: inside.
  CHECK(book.cash(0) == doctest::Approx(40));
  CHECK(r.check(book, 0, kCheapBreachPrices, out) == Rebalancer::Outcome::inside_bands);
}

TEST_CASE("band-edge: when the cash cannot pay for the cure, the assets inside their bands sell a lot outward") {
  // As above with C 42 and cash 20 (value 10,000): A's 2 shares ($80) are
  // more than the cash, and B's (−0.12) and C's (0.42 − 0.02/26: −0.08)
  // nearest lots are none. Outward they are one each, whose $200 pay for A.
  AccountBook book = one_account(cheap_breach_model(), 20, {37, 43, 42});
  FleetOutput out;
  Rebalancer r;
  REQUIRE(r.check(book, 0, kCheapBreachPrices, out) == Rebalancer::Outcome::traded);
  REQUIRE(out.trades.size() == 3);
  CHECK(out.trades[0] == FleetTrade{0, 1, core::Side::sell, 1, 100});
  CHECK(out.trades[1] == FleetTrade{0, 2, core::Side::sell, 1, 100});
  CHECK(out.trades[2] == FleetTrade{0, 0, core::Side::buy, 2, 40});
  CHECK(book.cash(0) == doctest::Approx(140));
  CHECK(r.check(book, 0, kCheapBreachPrices, out) == Rebalancer::Outcome::inside_bands);
}

TEST_CASE("band-edge: a breach lots cannot cure makes no trade, not one lot of every other asset on every price") {
  // A in lots of 100 shares ($4,000): its full trade, 13 shares, rounds to no
  // lot. B's and C's band-edge lots alone would leave A outside; they are not made.
  Model m = cheap_breach_model();
  m.lot_sizes = {100, 1, 1};
  AccountBook book = one_account(m, 120, {37, 43, 41});
  FleetOutput out;
  Rebalancer r;
  for (int tick = 0; tick < 3; ++tick) CHECK(r.check(book, 0, kCheapBreachPrices, out) == Rebalancer::Outcome::stuck);
  CHECK(out.trades.empty());
  CHECK(book.quantities(0)[1] == 43);
}

TEST_CASE("band-edge: beside a breach lots cannot cure, the others trade while one outside its band mends") {
  // D added: 4 @ 100 at a target of 0 is 0.04 over a band of 0.03: A as above
  // (no lot cures it), D curable. λ = 1 − 0.03 / 0.052 (A's).
  Model m = simple_model({0.2, 0.4, 0.4, 0.0}, 0.03);
  m.rebalance_to = strategies::RebalanceTo::band_edge;
  m.min_trade_value = 50;
  m.lot_sizes = {100, 1, 1, 1};
  // Value 10,000: A 37 @ 40 (0.148), B 41 (0.41), C 39 (0.39), D 4 (0.04), cash 120.
  AccountBook book = one_account(m, 120, {37, 41, 39, 4});
  const std::vector<double> prices{40, 100, 100, 100};
  FleetOutput out;
  Rebalancer r;
  REQUIRE(r.check(book, 0, prices, out) == Rebalancer::Outcome::traded);
  // D to 0.04 (1 − λ) = 0.0231: −1.69 shares, 2 outward. B to 0.41 − 0.01 λ
  // (−0.42) and C to 0.39 + 0.01 λ (+0.42) round to none at first; A stays
  // outside, so every asset rounds outward: B sells 1, C buys 1. D mends.
  REQUIRE(out.trades.size() == 3);
  CHECK(out.trades[0] == FleetTrade{0, 1, core::Side::sell, 1, 100});
  CHECK(out.trades[1] == FleetTrade{0, 3, core::Side::sell, 2, 100});
  CHECK(out.trades[2] == FleetTrade{0, 2, core::Side::buy, 1, 100});
  CHECK(book.cash(0) == doctest::Approx(320));
  // B and C at target, D at 0.02 inside: D's λ-move outward (one share)
  // would be the only trade, mending nothing. None is made, now or later.
  for (int tick = 0; tick < 3; ++tick) CHECK(r.check(book, 0, prices, out) == Rebalancer::Outcome::stuck);
  CHECK(out.trades.size() == 3);
  CHECK(book.quantities(0)[3] == 2);
}

TEST_CASE("band-edge: when λ's lots cannot pay for the mend, the rebalance goes the whole way to target") {
  // Value 10,000: A 1 @ 1,000 (0.10, 0.10 under 0.2: outside), B and C 44 @
  // 100 (0.44 each, inside 0.4 ± 0.05), cash 200. λ = 1 − 0.05 / 0.10 = ½:
  // A to 0.15 is half a share, one outward ($1,000); B and C to 0.42 sell 2
  // each: $600 in all, so A's buy is scaled to nothing, outward too. To
  // target, B and C sell 4 each: $1,000 pays for A's one share.
  Model m = simple_model({0.2, 0.4, 0.4}, 0.05);
  m.rebalance_to = strategies::RebalanceTo::band_edge;
  AccountBook book = one_account(m, 200, {1, 44, 44});
  const std::vector<double> prices{1000, 100, 100};
  FleetOutput out;
  Rebalancer r;
  REQUIRE(r.check(book, 0, prices, out) == Rebalancer::Outcome::traded);
  REQUIRE(out.trades.size() == 3);
  CHECK(out.trades[0] == FleetTrade{0, 1, core::Side::sell, 4, 100});
  CHECK(out.trades[1] == FleetTrade{0, 2, core::Side::sell, 4, 100});
  CHECK(out.trades[2] == FleetTrade{0, 0, core::Side::buy, 1, 1000});
  CHECK(book.cash(0) == 0);
  CHECK(r.check(book, 0, prices, out) == Rebalancer::Outcome::inside_bands);
}

TEST_CASE("band-edge at fixed prices: random accounts settle, inside their bands or stuck") {
  // Whole shares of 10–450 in accounts of 2,000–50,000, bands of 1–5
  // points, min_trade_value 0–200: lumpy enough that band-edge lots often
  // cannot cure a breach. At unchanged prices every rebalance moves an asset
  // outside its band toward its target, so an account ends inside its bands
  // or stuck; it never goes on trading.
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> u(0, 1);
  int most = 0;
  for (int k = 0; k < 3000; ++k) {
    const std::size_t n = 2 + k % 5;
    std::vector<double> targets(n), prices(n), q(n);
    double sum = 0;
    for (auto& t : targets) sum += t = 0.2 + u(rng);
    const double invested = 0.9 + 0.1 * u(rng);
    for (auto& t : targets) t *= invested / sum;
    Model m = simple_model(targets, 0.01 + 0.04 * u(rng));
    m.rebalance_to = strategies::RebalanceTo::band_edge;
    m.min_trade_value = 200 * u(rng);
    const double value = 2000 + 48000 * u(rng);
    double cash = value;
    for (std::size_t i = 0; i < n; ++i) {
      prices[i] = 10 + 440 * u(rng);
      const double w = std::max(0.0, targets[i] + (u(rng) - 0.5) * 0.2);
      q[i] = std::floor(w * value / prices[i]);
      cash -= q[i] * prices[i];
    }
    if (cash < 0) continue;
    AccountBook book = one_account(m, cash, q);
    FleetOutput out;
    Rebalancer r;
    int traded = 0;
    bool settled = false;
    for (int tick = 0; tick < 40 && !settled; ++tick) {
      if (r.check(book, 0, prices, out) == Rebalancer::Outcome::traded)
        ++traded;
      else
        settled = true;
    }
    CHECK(settled);
    most = std::max(most, traded);
  }
  MESSAGE("most rebalances of one account before it settled: " << most);
}

TEST_CASE("the band multiplier scales the account's bands") {
  // 70/30 is 10% off: in breach with 5% bands, inside them at twice the width.
  Rebalancer r;
  CHECK(r.in_breach(one_account(simple_model({0.6, 0.4}, 0.05), 0, {7, 3}), 0, kAtPar));
  CHECK_FALSE(r.in_breach(one_account(simple_model({0.6, 0.4}, 0.05), 0, {7, 3}, 2.5), 0, kAtPar));
  CHECK(r.in_breach(one_account(simple_model({0.6, 0.4}, 0.05), 0, {7, 3}, 1.5), 0, kAtPar));
}

TEST_CASE("cash counts in the value, and the implied cash target is kept") {
  // Targets 0.5/0.3 leave 0.2 in cash; 1000 of cash and nothing else buys both.
  AccountBook book = one_account(simple_model({0.5, 0.3}, 0.05), 1000, {0, 0});
  FleetOutput out;
  Rebalancer r;
  REQUIRE(r.check_and_rebalance(book, 0, kAtPar, out));
  CHECK(book.quantities(0)[0] == 5);
  CHECK(book.quantities(0)[1] == 3);
  CHECK(book.cash(0) == doctest::Approx(200));
}

namespace {

/// VTI (slot 0) 60%, BND (slot 1) 40%, and ITOT (slot 2): a substitute of
/// VTI at target 0. Lot 1, a 5-point absolute band, prices 100.
Model vti_itot() {
  Model m = simple_model({0.6, 0.4, 0.0}, 0.05);
  m.group_of = {0, 1, 0};
  return m;
}

const std::vector<double> kAtPar3{100, 100, 100};

}  // namespace

TEST_CASE("groups: a substitute held instead of its primary is inside the band") {
  // 3 VTI + 3 ITOT + 4 BND: the group weighs 0.6 against VTI's 0.6.
  Rebalancer r;
  FleetOutput out;
  AccountBook part = one_account(vti_itot(), 0, {3, 4, 3});
  CHECK_FALSE(r.in_breach(part, 0, kAtPar3));
  CHECK(r.check(part, 0, kAtPar3, out) == Rebalancer::Outcome::inside_bands);
  // All of it in ITOT: VTI alone would be 0.6 under target, the group is on it.
  AccountBook all = one_account(vti_itot(), 0, {0, 4, 6});
  CHECK_FALSE(r.in_breach(all, 0, kAtPar3));
  CHECK(r.check(all, 0, kAtPar3, out) == Rebalancer::Outcome::inside_bands);
  CHECK(out.rebalances.empty());
  // Without the group the same holdings breach: ITOT at 0.6 against 0.
  Model plain = vti_itot();
  plain.group_of.clear();
  CHECK(r.in_breach(one_account(plain, 0, {0, 4, 6}), 0, kAtPar3));
}

TEST_CASE("groups: a group over its band sells the substitute first, and the primary keeps its units") {
  // 4 VTI + 4 ITOT + 2 BND: the group weighs 0.8 (+0.2 over 0.6), BND 0.2.
  // To target the group gives up 0.2 = 2 units, all from ITOT's 4; BND buys 2.
  AccountBook book = one_account(vti_itot(), 0, {4, 2, 4});
  Rebalancer r;
  FleetOutput out;
  REQUIRE(r.check_and_rebalance(book, 0, kAtPar3, out));
  REQUIRE(out.trades.size() == 2);
  CHECK(out.trades[0] == FleetTrade{0, 2, core::Side::sell, 2, 100});
  CHECK(out.trades[1] == FleetTrade{0, 1, core::Side::buy, 2, 100});
  CHECK(book.quantities(0)[0] == 4);
  CHECK(book.quantities(0)[1] == 4);
  CHECK(book.quantities(0)[2] == 2);
  CHECK(book.cash(0) == doctest::Approx(0));
}

TEST_CASE("groups: a fall larger than the substitutes hold sells them all, then the primary") {
  // 7 VTI + 1 ITOT + 2 BND: the group gives up 0.2 = 2 units: ITOT's 1, then 1 of VTI.
  AccountBook book = one_account(vti_itot(), 0, {7, 2, 1});
  Rebalancer r;
  FleetOutput out;
  REQUIRE(r.check_and_rebalance(book, 0, kAtPar3, out));
  REQUIRE(out.trades.size() == 3);
  CHECK(out.trades[0] == FleetTrade{0, 0, core::Side::sell, 1, 100});
  CHECK(out.trades[1] == FleetTrade{0, 2, core::Side::sell, 1, 100});
  CHECK(out.trades[2] == FleetTrade{0, 1, core::Side::buy, 2, 100});
  CHECK(book.quantities(0)[0] == 6);
  CHECK(book.quantities(0)[2] == 0);
}

TEST_CASE("groups: a rise is bought in the primary, the substitute kept") {
  // 3 ITOT + 6 BND + 100 cash: the group weighs 0.3 (−0.3), BND 0.6 (+0.2).
  // VTI buys 0.6 − 0.3 = 0.3 = 3 units with the cash and 2 BND sold.
  AccountBook book = one_account(vti_itot(), 100, {0, 6, 3});
  Rebalancer r;
  FleetOutput out;
  REQUIRE(r.check_and_rebalance(book, 0, kAtPar3, out));
  REQUIRE(out.trades.size() == 2);
  CHECK(out.trades[0] == FleetTrade{0, 1, core::Side::sell, 2, 100});
  CHECK(out.trades[1] == FleetTrade{0, 0, core::Side::buy, 3, 100});
  CHECK(book.quantities(0)[2] == 3);
  CHECK(book.cash(0) == doctest::Approx(0));
}

TEST_CASE("groups at band-edge: λ is the group's, the fall comes from the substitute first, lots round outward") {
  Model m = vti_itot();
  m.rebalance_to = strategies::RebalanceTo::band_edge;
  m.lot_sizes = {0.2, 0.2, 0.2};
  Rebalancer r;
  FleetOutput out;
  // 5 VTI + 3 ITOT + 2 BND: the group at 0.8 is 0.2 off against a band of
  // 0.05, so λ = 1 − 0.05/0.2 = 0.75 and it aims at 0.65: 1.5 units, all
  // from ITOT (which holds 3). Outward: 7.5 lots → 8 = 1.6, within the full
  // trade (2 units, 10 lots). BND aims at 0.35: buys 1.5 → 1.6. VTI untouched.
  AccountBook covered = one_account(m, 0, {5, 2, 3});
  REQUIRE(r.check_and_rebalance(covered, 0, kAtPar3, out));
  REQUIRE(out.trades.size() == 2);
  CHECK(out.trades[0] == FleetTrade{0, 2, core::Side::sell, 1.6, 100});
  CHECK(out.trades[1] == FleetTrade{0, 1, core::Side::buy, 1.6, 100});
  CHECK(covered.quantities(0)[0] == 5);
  CHECK_FALSE(r.in_breach(covered, 0, kAtPar3));
  // 7 VTI + 1 ITOT + 2 BND: the same 1.5 units from the group: ITOT's 1,
  // then 0.5 of VTI (2.5 lots → 3 = 0.6, within VTI's full share of 1).
  // BND buys 1.5 → 1.6. The group lands at 0.64, BND at 0.36: in band.
  out.clear();
  AccountBook past = one_account(m, 0, {7, 2, 1});
  REQUIRE(r.check_and_rebalance(past, 0, kAtPar3, out));
  REQUIRE(out.trades.size() == 3);
  CHECK(out.trades[0] == FleetTrade{0, 0, core::Side::sell, 0.6, 100});
  CHECK(out.trades[1] == FleetTrade{0, 2, core::Side::sell, 1, 100});
  CHECK(out.trades[2] == FleetTrade{0, 1, core::Side::buy, 1.6, 100});
  CHECK(past.quantities(0)[0] == doctest::Approx(6.4));
  CHECK(past.quantities(0)[2] == 0);
  CHECK(past.quantities(0)[1] == doctest::Approx(3.6));
  CHECK_FALSE(r.in_breach(past, 0, kAtPar3));
}

TEST_CASE("groups: every slot its own group, or substitutes held at 0, decide to the bit as no groups") {
  using ballast::fleet::test::Groups;
  using ballast::fleet::test::random_fleet;
  using ballast::fleet::test::without_groups;
  for (const Groups groups : {Groups::own, Groups::unheld}) {
    auto f = random_fleet(31, 12, 16, 1500, groups);
    AccountBook plain = without_groups(f.book);
    std::mt19937_64 rng(6);
    std::normal_distribution<double> move(0, 0.05);
    std::size_t traded = 0;
    for (int round = 0; round < 3; ++round) {
      std::vector<double> prices = f.prices;
      for (double& p : prices) p *= std::exp(move(rng));
      FleetOutput grouped_out, plain_out;
      Rebalancer rg, rp;
      for (AccountIndex a = 0; a < f.book.size(); ++a) {
        REQUIRE(rg.in_breach(f.book, a, prices) == rp.in_breach(plain, a, prices));
        REQUIRE(rg.check(f.book, a, prices, grouped_out) == rp.check(plain, a, prices, plain_out));
      }
      test::require_same(grouped_out, plain_out);
      traded += grouped_out.rebalances.size();
    }
    CHECK(traded > 100);
  }
}

TEST_CASE("groups at band-edge: a primary whose substitutes take the whole move keeps every unit, however many") {
  // 60,000 VTI at 94.43 (lots of 0.001), 25,000 BND at 99.92, 7,000 ITOT at
  // 98.76: the group weighs 0.718 (+0.118), so λ = 1 − 0.05/0.118 and it
  // gives up 0.068, less than ITOT's 0.078: ITOT alone sells. Full, the group
  // would give up 0.118: VTI too. VTI's unchanged weight times the value is
  // its value less an ulp here; outward rounding turns 1e-8 of a lot into a
  // whole one unless the full move leaves VTI alone as the partial one does.
  Model m = vti_itot();
  m.rebalance_to = strategies::RebalanceTo::band_edge;
  m.lot_sizes = {0.001, 0.001, 0.001};
  AccountBook book = one_account(m, 0, {60000, 25000, 7000});
  const std::vector<double> prices{94.43, 99.92, 98.76};
  Rebalancer r;
  FleetOutput out;
  REQUIRE(r.check_and_rebalance(book, 0, prices, out));
  for (const FleetTrade& t : out.trades) CHECK(t.symbol != 0);
  CHECK(book.quantities(0)[0] == 60000);
  // ITOT sells the group to its band edge (outward: just inside). With no
  // cash, BND's buy is cut to the proceeds and may stop a hair short of its
  // own edge, as without groups.
  const double value = book.cash(0) + 60000 * 94.43 + book.quantities(0)[1] * 99.92 + book.quantities(0)[2] * 98.76;
  const double group = (60000 * 94.43 + book.quantities(0)[2] * 98.76) / value;
  CHECK(group < 0.65);
  CHECK(group > 0.649);
}

TEST_CASE("groups at band-edge: a substitute the partial fall does not reach keeps every unit, however many") {
  // VTI (none held), BND 25,000 at 107.99, ITOT 7,000 at 99.28 and SCHB
  // 60,000 at 95.84, both substitutes of VTI, lots of 0.001. The group weighs
  // 0.705 (+0.105): λ = 1 − 0.05/0.105, a fall of 0.055, less than ITOT's
  // 0.076. Full, the fall (0.105) would reach SCHB, whose unchanged weight
  // times the value is its value less an ulp here.
  Model m = simple_model({0.6, 0.4, 0.0, 0.0}, 0.05);
  m.group_of = {0, 1, 0, 0};
  m.rebalance_to = strategies::RebalanceTo::band_edge;
  m.lot_sizes = {0.001, 0.001, 0.001, 0.001};
  AccountBook book = one_account(m, 0, {0, 25000, 7000, 60000});
  const std::vector<double> prices{109.56, 107.99, 99.28, 95.84};
  Rebalancer r;
  FleetOutput out;
  REQUIRE(r.check_and_rebalance(book, 0, prices, out));
  for (const FleetTrade& t : out.trades) CHECK(t.symbol != 3);
  CHECK(book.quantities(0)[3] == 60000);
  const double value = book.cash(0) + book.quantities(0)[1] * 107.99 + book.quantities(0)[2] * 99.28 + 60000 * 95.84;
  const double group = (book.quantities(0)[2] * 99.28 + 60000 * 95.84) / value;
  CHECK(group < 0.65);
  CHECK(group > 0.649);
}

}  // namespace test_rebalancer
