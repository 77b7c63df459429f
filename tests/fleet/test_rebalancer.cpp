#include <doctest/doctest.h>

#include <vector>

#include "fleet/rebalancer.hpp"
#include "fleet_test_support.hpp"

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
