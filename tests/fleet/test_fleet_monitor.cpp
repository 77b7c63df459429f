#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "fleet/brute_force_fleet.hpp"
#include "fleet/fleet_monitor.hpp"
#include "fleet_test_support.hpp"

namespace test_fleet_monitor {

using namespace ballast;
using namespace ballast::fleet;
using ballast::fleet::test::Groups;
using ballast::fleet::test::random_fleet;
using ballast::fleet::test::RandomFleet;
using ballast::fleet::test::ascending;
using ballast::fleet::test::require_same;
using ballast::fleet::test::simple_model;

TEST_CASE("random walks: the safe-zone monitor rebalances exactly the accounts the brute force does") {
  // Seed 3: half the models have substitute groups, most of their accounts
  // holding substitutes in place of primaries. Seed 4: a third of the models
  // have a total band, half of those alone. Seed 5: a quarter have a
  // volatility band.
  for (const std::uint64_t seed : {1u, 2u, 3u, 4u, 5u}) {
    CAPTURE(seed);
    RandomFleet f = random_fleet(seed, 20, 24, 2500, seed == 3 ? Groups::held : Groups::none, seed == 4, seed == 5);
    FleetMonitor fleet(f.book, f.prices);
    fleet.set_threads(seed == 2 ? 2 : 1);  // the resync split over threads decides alike
    // Seeds 2 and 3 rezone every few ticks (a few hundred accounts on their
    // own zones): rezoning changes no decision.
    if (seed != 1) fleet.set_rezone_at(2000);
    BruteForceFleet brute(f.book, f.prices);
    FleetOutput fo, bo;
    fleet.resync(fo);
    brute.resync(bo);
    require_same(fo, bo);
    CHECK(ascending(fo));
    std::size_t rebalances = bo.rebalances.size();
    std::size_t grouped_rebalances = 0;  // on ticks, of accounts whose model has substitutes
    std::size_t total_rebalances = 0;    // on ticks, of accounts whose model has a total band
    std::size_t volatility_rebalances = 0;  // on ticks, of accounts whose model has a volatility band
    std::size_t holders_checked = 0;
    std::mt19937_64 rng(seed * 77);
    std::normal_distribution<double> step(0, 0.004);
    std::vector<double> prices = f.prices;
    std::vector<std::size_t> holders(prices.size(), 0);
    for (AccountIndex a = 0; a < f.book.size(); ++a) {
      for (const auto j : f.book.model(a).symbols) ++holders[j];
    }
    for (int tick = 0; tick < 3000; ++tick) {
      auto j = static_cast<core::SymbolId>(rng() % prices.size());
      double price = prices[j] * std::exp(step(rng) + (tick % 1000 < 500 ? 0.0005 : -0.0005) * (j % 3));
      if (tick % 500 == 7) price = -1;   // unusable: both refuse it
      if (tick % 500 == 9) j = 1000;     // unknown symbol
      fo.clear();
      bo.clear();
      if (tick % 1000 == 999) {  // a resync mid-walk: every zone back on common prices
        fleet.resync(fo);
        brute.resync(bo);
        require_same(fo, bo);
        rebalances += bo.rebalances.size();
        fo.clear();
        bo.clear();
      }
      const auto before = fleet.counters().evaluations;
      const bool fleet_took = fleet.on_tick(j, price, fo);
      if (fleet_took && fleet.counters().evaluations - before > holders[j]) FAIL("checked more than the holders");
      REQUIRE(fleet_took == brute.on_tick(j, price, bo));
      if (fleet_took) {
        prices[j] = price;
        holders_checked += holders[j];
      }
      require_same(fo, bo);
      REQUIRE(ascending(fo));
      rebalances += bo.rebalances.size();
      for (const FleetRebalance& r : bo.rebalances) {
        grouped_rebalances += has_substitutes(f.book.model(r.account));
        total_rebalances += f.book.model(r.account).bands.total.has_value();
        volatility_rebalances += f.book.model(r.account).volatility.has_value();
      }
    }
    // The books end the same, to the bit.
    bool same_books = true;
    for (AccountIndex a = 0; a < f.book.size(); ++a) {
      const auto fq = fleet.book().quantities(a), bq = brute.book().quantities(a);
      same_books = same_books && fleet.book().cash(a) == brute.book().cash(a) &&
                   std::equal(fq.begin(), fq.end(), bq.begin(), bq.end());
    }
    CHECK(same_books);
    // Enough happened to mean something, and the monitor looked at fewer
    // accounts (this walk is rough on purpose: 40 bp steps, bands of 1–5%).
    CHECK(rebalances > 300);
    if (seed == 3) CHECK(grouped_rebalances > 100);
    if (seed == 4) CHECK(total_rebalances > 100);
    if (seed == 5) CHECK(volatility_rebalances > 100);
    CHECK(fleet.counters().evaluations * 2 < holders_checked);
    // Accounts in breach that no trade can mend have zones too
    // (account_stuck_radius), and the decisions are still the brute force's.
    std::size_t stuck_zoned = 0;
    for (AccountIndex a = 0; a < f.book.size(); ++a) {
      Rebalancer rb;
      if (rb.in_breach(fleet.book(), a, fleet.prices()) && fleet.zone_radius(a) > 0) ++stuck_zoned;
    }
    CHECK(stuck_zoned > 20);
    if (seed == 1)
      CHECK(fleet.counters().rezones == 0);
    else
      CHECK(fleet.counters().rezones > 50);
  }
}

TEST_CASE("before its first resync the monitor checks every holder, and still agrees") {
  RandomFleet f = random_fleet(11, 8, 6, 300);
  FleetMonitor fleet(f.book, f.prices);
  BruteForceFleet brute(f.book, f.prices);
  FleetOutput fo, bo;
  std::mt19937_64 rng(5);
  std::normal_distribution<double> step(0, 0.01);
  std::vector<double> prices = f.prices;
  for (int tick = 0; tick < 300; ++tick) {
    const auto j = static_cast<core::SymbolId>(rng() % prices.size());
    prices[j] *= std::exp(step(rng));
    fo.clear();
    bo.clear();
    fleet.on_tick(j, prices[j], fo);
    brute.on_tick(j, prices[j], bo);
    require_same(fo, bo);
  }
}

TEST_CASE("a resync at new prices decides every account at those prices at once, as a fresh check there does") {
  RandomFleet f = random_fleet(3, 12, 10, 600);
  FleetMonitor fleet(f.book, f.prices);
  FleetOutput fo, bo;
  // Every price moves by up to ±6% while nothing is decided (a halt); one stays unusable.
  std::mt19937_64 rng(9);
  std::uniform_real_distribution<double> move(-0.06, 0.06);
  std::vector<double> moved = f.prices;
  for (double& p : moved) p *= std::exp(move(rng));
  std::vector<double> given = moved;
  given[0] = NAN;
  moved[0] = f.prices[0];
  BruteForceFleet brute(f.book, moved);
  fleet.resync(given, fo);
  brute.resync(bo);
  CHECK(bo.rebalances.size() > 10);
  require_same(fo, bo);
  CHECK(std::equal(fleet.prices().begin(), fleet.prices().end(), moved.begin(), moved.end()));
  CHECK(fleet.counters().ticks == 0);
}

TEST_CASE("a tick inside every zone touches no account") {
  AccountBook book(2);
  REQUIRE_FALSE(book.add_model(simple_model({0.6, 0.4}, 0.05)));
  for (int a = 0; a < 100; ++a) REQUIRE_FALSE(book.add_account("a", 0, 0, std::vector<double>{6, 4}));
  FleetMonitor fleet(std::move(book), {100, 100});
  FleetOutput out;
  fleet.resync(out);
  CHECK(out.rebalances.empty());
  const float r = fleet.zone_radius(0);
  CHECK(r > 0.1);
  CHECK(fleet.on_tick(0, 100 * std::exp(0.9 * r), out));
  CHECK(fleet.on_tick(1, 100 * std::exp(-0.9 * r), out));
  CHECK(fleet.counters().evaluations == 0);
  // Past the zone on one symbol: all hundred are checked, none breaches
  // (alone, A can go 2r), and they get new zones around the new prices.
  CHECK(fleet.on_tick(0, 100 * std::exp(1.1 * r), out));
  CHECK(fleet.counters().evaluations == 100);
  CHECK(out.rebalances.empty());
  CHECK(fleet.zone_radius(0) < r);
  // Past twice the zone on A: every account breaches and trades back.
  CHECK(fleet.on_tick(0, 100 * std::exp(2.2 * r), out));
  CHECK(out.rebalances.size() == 100);
  CHECK(fleet.counters().rebalances == 100);
}

TEST_CASE("unusable ticks change nothing") {
  AccountBook book(2);
  REQUIRE_FALSE(book.add_model(simple_model({0.6, 0.4}, 0.05)));
  REQUIRE_FALSE(book.add_account("a", 0, 0, std::vector<double>{6, 4}));
  FleetMonitor fleet(std::move(book), {100, 100});
  FleetOutput out;
  fleet.resync(out);
  CHECK_FALSE(fleet.on_tick(0, 0, out));
  CHECK_FALSE(fleet.on_tick(0, -3, out));
  CHECK_FALSE(fleet.on_tick(0, NAN, out));
  CHECK_FALSE(fleet.on_tick(0, INFINITY, out));
  CHECK_FALSE(fleet.on_tick(2, 100, out));
  CHECK(fleet.prices()[0] == 100);
  CHECK(fleet.counters().ticks == 0);
}

}  // namespace test_fleet_monitor
