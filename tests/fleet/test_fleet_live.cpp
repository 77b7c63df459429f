#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "fleet/brute_force_fleet.hpp"
#include "fleet/fleet_monitor.hpp"
#include "fleet_test_support.hpp"

namespace test_fleet_live {

using namespace ballast;
using namespace ballast::fleet;
using ballast::fleet::test::random_fleet;
using ballast::fleet::test::require_same;
using ballast::fleet::test::simple_model;

namespace {

/// Settles every rebalance of `out` with exactly its trades, filled at their
/// prices in their order (sells first), as a fill at once would.
void settle_all(FleetMonitor& fleet, const FleetOutput& out) {
  for (const FleetRebalance& r : out.rebalances) {
    REQUIRE(fleet.state(r.account) == AccountState::pending);
    const std::span<const double> held = fleet.book().quantities(r.account);
    std::vector<double> q(held.begin(), held.end());
    double cash = fleet.book().cash(r.account);
    const Model& m = fleet.book().model(r.account);
    for (std::uint32_t k = r.first_trade; k < r.first_trade + r.trade_count; ++k) {
      const FleetTrade& t = out.trades[k];
      const auto i = static_cast<std::size_t>(std::find(m.symbols.begin(), m.symbols.end(), t.symbol) - m.symbols.begin());
      q[i] = apply_fill(q[i], t.side, t.quantity);
      cash += t.side == core::Side::sell ? t.quantity * t.price : -(t.quantity * t.price);
    }
    REQUIRE_FALSE(fleet.settle(r.account, q, cash));
    REQUIRE(fleet.state(r.account) == AccountState::own_zone);
  }
}

/// A random walk of `ticks` ticks through both, the same output required on each.
void walk(FleetMonitor& fleet, BruteForceFleet& brute, std::uint64_t seed, int ticks, bool settle) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> step(0, 0.004);
  FleetOutput fo, bo;
  for (int tick = 0; tick < ticks; ++tick) {
    const auto j = static_cast<core::SymbolId>(rng() % fleet.prices().size());
    const double price = fleet.prices()[j] * std::exp(step(rng) + (tick % 1000 < 500 ? 0.0005 : -0.0005) * (j % 3));
    fo.clear();
    bo.clear();
    REQUIRE(fleet.on_tick(j, price, fo));
    REQUIRE(brute.on_tick(j, price, bo));
    require_same(fo, bo);
    if (settle) settle_all(fleet, fo);
  }
}

bool same_books(const AccountBook& x, const AccountBook& y) {
  if (x.size() != y.size()) return false;
  for (AccountIndex a = 0; a < x.size(); ++a) {
    const auto xq = x.quantities(a), yq = y.quantities(a);
    if (!(x.cash(a) == y.cash(a) && x.model_index(a) == y.model_index(a) &&
          std::equal(xq.begin(), xq.end(), yq.begin(), yq.end()))) {
      return false;
    }
  }
  return true;
}

}  // namespace

TEST_CASE("settled at once with exactly its trades, the live monitor rebalances as the brute force does") {
  auto f = random_fleet(3, 20, 24, 2500);
  FleetMonitor fleet(f.book, f.prices, Fills::on_settle);
  CHECK(fleet.fills() == Fills::on_settle);
  BruteForceFleet brute(f.book, f.prices);
  FleetOutput fo, bo;
  fleet.resync(fo);
  brute.resync(bo);
  require_same(fo, bo);
  CHECK_FALSE(fo.rebalances.empty());
  settle_all(fleet, fo);
  walk(fleet, brute, 9, 3000, true);
  CHECK(fleet.counters().rebalances > 300);
  CHECK(same_books(fleet.book(), brute.book()));
}

TEST_CASE("a pending account is not checked on ticks nor by resync until it settles") {
  AccountBook book(2);
  REQUIRE_FALSE(book.add_model(simple_model({0.6, 0.4}, 0.05)));
  REQUIRE_FALSE(book.add_account("a", 0, 0, std::vector<double>{7, 3}));  // 70/30: in breach
  REQUIRE_FALSE(book.add_account("b", 0, 0, std::vector<double>{6, 4}));
  FleetMonitor fleet(std::move(book), {100, 100}, Fills::on_settle);
  FleetOutput out;
  fleet.resync(out);
  REQUIRE(out.rebalances.size() == 1);
  CHECK(out.rebalances[0].account == 0);
  CHECK(out.trades.size() == 2);  // sell 1 A, buy 1 B
  // Reported, not applied.
  CHECK(fleet.book().quantities(0)[0] == 7);
  CHECK(fleet.state(0) == AccountState::pending);
  CHECK(fleet.state(1) == AccountState::resync_zone);
  out.clear();
  for (int k = 0; k < 5; ++k) fleet.on_tick(0, 150 + k, out);  // far out of every band
  fleet.resync(out);
  for (const FleetRebalance& r : out.rebalances) CHECK(r.account == 1);
  CHECK(out.rebalances.size() == 1);  // b traded once, then pending too
  CHECK(fleet.state(1) == AccountState::pending);
  // The fills: a partial one (only the sell), back at 150-odd prices.
  REQUIRE_FALSE(fleet.settle(0, std::vector<double>{6, 3}, 100));
  CHECK(fleet.state(0) == AccountState::own_zone);
  CHECK(fleet.book().quantities(0)[0] == 6);
  CHECK(fleet.book().cash(0) == 100);
  // In breach at today's prices: not traded by settle, checked on the next tick.
  CHECK(fleet.zone_radius(0) == -INFINITY);
  out.clear();
  fleet.on_tick(1, 100, out);
  REQUIRE(out.rebalances.size() == 1);
  CHECK(out.rebalances[0].account == 0);
}

TEST_CASE("settle refuses what it cannot use and changes nothing") {
  AccountBook book(2);
  REQUIRE_FALSE(book.add_model(simple_model({0.6, 0.4}, 0.05)));
  REQUIRE_FALSE(book.add_account("a", 0, 0, std::vector<double>{7, 3}));
  REQUIRE_FALSE(book.add_account("b", 0, 0, std::vector<double>{6, 4}));
  FleetMonitor fleet(std::move(book), {100, 100}, Fills::on_settle);
  FleetOutput out;
  fleet.resync(out);
  REQUIRE(fleet.state(0) == AccountState::pending);
  CHECK(fleet.settle(1, std::vector<double>{6, 4}, 0) == "the account has no rebalance pending");
  CHECK(fleet.settle(2, std::vector<double>{6, 4}, 0) == "unknown account");
  CHECK(fleet.settle(0, std::vector<double>{6}, 0));
  CHECK(fleet.settle(0, std::vector<double>{6, -1}, 0));
  CHECK(fleet.settle(0, std::vector<double>{6, NAN}, 0));
  CHECK(fleet.settle(0, std::vector<double>{6, 4}, INFINITY));
  CHECK(fleet.state(0) == AccountState::pending);
  CHECK(fleet.book().quantities(0)[0] == 7);
}

TEST_CASE("a fill that costs more than the cash left is booked as it is, below zero, and the account goes on") {
  AccountBook book(2);
  REQUIRE_FALSE(book.add_model(simple_model({0.6, 0.4}, 0.05)));
  REQUIRE_FALSE(book.add_account("a", 0, 0, std::vector<double>{7, 3}));  // sell 1 A, buy 1 B at 100
  FleetMonitor fleet(std::move(book), {100, 100}, Fills::on_settle);
  FleetOutput out;
  fleet.resync(out);
  REQUIRE(fleet.state(0) == AccountState::pending);
  // The buy filled at 100.50, all in: 50 cents short.
  REQUIRE_FALSE(fleet.settle(0, std::vector<double>{6, 4}, -0.5));
  CHECK(fleet.book().cash(0) == -0.5);
  CHECK(fleet.zone_radius(0) == -INFINITY);  // no zone below zero: checked exactly
  out.clear();
  fleet.on_tick(0, 100.01, out);
  CHECK(out.rebalances.empty());  // 60/40 of 999.56 is inside its band
  CHECK(fleet.state(0) != AccountState::pending);
}

TEST_CASE("live changes to accounts re-zone them, and the monitor agrees with a brute force of the new book") {
  auto f = random_fleet(5, 20, 24, 1500);
  FleetMonitor fleet(f.book, f.prices);
  FleetOutput out;
  fleet.resync(out);
  // Some ticks first, so that accounts hold zones of both kinds.
  {
    BruteForceFleet brute(fleet.book(), std::vector<double>(fleet.prices().begin(), fleet.prices().end()));
    walk(fleet, brute, 1, 500, false);
  }
  std::mt19937_64 rng(8);
  std::vector<double> q;
  for (int change = 0; change < 300; ++change) {
    const auto a = static_cast<AccountIndex>(rng() % fleet.book().size());
    // Half keep their model (in place), half move to another (holdings may change in number).
    const ModelIndex model =
        change % 2 ? fleet.book().model_index(a) : static_cast<ModelIndex>(rng() % fleet.book().models().size());
    const Model& m = fleet.book().models()[model];
    q.clear();
    for (std::size_t i = 0; i < m.size(); ++i) q.push_back(static_cast<double>(rng() % 400) * m.lot_sizes[i]);
    REQUIRE_FALSE(fleet.set_account(a, model, static_cast<double>(rng() % 5000), q, change % 3 ? 1.0 : 1.5));
    CHECK(fleet.state(a) == AccountState::own_zone);
    CHECK(fleet.book().model_index(a) == model);
    CHECK(fleet.book().quantities(a).size() == m.size());
  }
  // New accounts, zoned at once.
  for (int k = 0; k < 100; ++k) {
    const auto model = static_cast<ModelIndex>(rng() % fleet.book().models().size());
    const Model& m = fleet.book().models()[model];
    q.assign(m.size(), 0);
    for (std::size_t i = 0; i < m.size(); ++i) q[i] = static_cast<double>(rng() % 300) * m.lot_sizes[i];
    REQUIRE_FALSE(fleet.add_account("new", model, 1000, q));
    CHECK(fleet.state(static_cast<AccountIndex>(fleet.book().size() - 1)) == AccountState::own_zone);
  }
  CHECK(fleet.book().size() == 1600);
  // From here on, the monitor is held to a brute force of the book as it now is.
  BruteForceFleet brute(fleet.book(), std::vector<double>(fleet.prices().begin(), fleet.prices().end()));
  walk(fleet, brute, 2, 3000, false);
  CHECK(same_books(fleet.book(), brute.book()));
  // And a resync of both agrees too.
  FleetOutput fo, bo;
  fleet.resync(fo);
  brute.resync(bo);
  require_same(fo, bo);
}

TEST_CASE("bad live changes are refused with a reason and change nothing") {
  AccountBook book(3);
  REQUIRE_FALSE(book.add_model(simple_model({0.6, 0.4}, 0.05)));
  REQUIRE_FALSE(book.add_account("a", 0, 0, std::vector<double>{6, 4}));
  FleetMonitor fleet(std::move(book), {100, 100, 100});
  FleetOutput out;
  fleet.resync(out);
  CHECK(fleet.set_account(1, 0, 0, std::vector<double>{6, 4}) == "unknown account");
  CHECK(fleet.set_account(0, 5, 0, std::vector<double>{6, 4}) == "unknown model");
  CHECK(fleet.set_account(0, 0, NAN, std::vector<double>{6, 4}));
  CHECK(fleet.set_account(0, 0, 0, std::vector<double>{6, 4, 1}));
  CHECK(fleet.set_account(0, 0, 0, std::vector<double>{6, 4}, 0));
  CHECK(fleet.add_account("b", 3, 0, std::vector<double>{6, 4}) == "unknown model");
  CHECK(fleet.add_model(simple_model({0.6, 0.6}, 0.05)));  // targets past 1
  CHECK(fleet.book().size() == 1);
  CHECK(fleet.state(0) == AccountState::resync_zone);
  CHECK(fleet.book().quantities(0)[0] == 6);
  Model three = simple_model({0.3, 0.3, 0.3}, 0.05);
  REQUIRE_FALSE(fleet.add_model(three));
  REQUIRE_FALSE(fleet.add_account("c", 1, 0, std::vector<double>{3, 3, 3}));
  CHECK(fleet.book().model_index(1) == 1);
}

TEST_CASE("a closed account is never checked again, and closing twice is refused") {
  AccountBook book(2);
  REQUIRE_FALSE(book.add_model(simple_model({0.6, 0.4}, 0.05)));
  REQUIRE_FALSE(book.add_account("a", 0, 0, std::vector<double>{6, 4}));
  REQUIRE_FALSE(book.add_account("b", 0, 0, std::vector<double>{6, 4}));
  FleetMonitor fleet(std::move(book), {100, 100});
  FleetOutput out;
  fleet.resync(out);
  fleet.on_tick(0, 101, out);  // inside the zones
  REQUIRE_FALSE(fleet.close_account(0));
  CHECK(fleet.state(0) == AccountState::closed);
  CHECK(fleet.close_account(0) == "the account is closed already");
  CHECK(fleet.close_account(2) == "unknown account");
  CHECK(fleet.set_account(0, 0, 0, std::vector<double>{6, 4}) == "the account is closed");
  fleet.on_tick(0, 200, out);  // both far out of band: only b trades
  fleet.resync(out);
  for (const FleetRebalance& r : out.rebalances) CHECK(r.account == 1);
  CHECK_FALSE(out.rebalances.empty());
  CHECK(fleet.book().quantities(0)[0] == 6);
}

}  // namespace test_fleet_live
