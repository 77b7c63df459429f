// An account as GET /accounts/ID shows it, and the fleet summary, checked
// against weights and drifts worked out by hand.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "fleet/account_view.hpp"
#include "fleet/fleet_summary.hpp"
#include "fleet/rebalancer.hpp"
#include "tests/fleet/fleet_test_support.hpp"

namespace ballast::fleet {
namespace test_account_view {
namespace {

using doctest::Approx;

TEST_CASE("an account's view: value, weights, drifts and bands worked out by hand") {
  // 60/40 with a 5-point band. 10 × 70 = 700 and 30 × 10 = 300, cash 0:
  // weights 0.7 and 0.3, drifts +0.10 and −0.10, both outside ±0.05.
  const AccountBook book = test::one_account(test::simple_model({0.6, 0.4}, 0.05), 0, {10, 30});
  const std::vector<double> prices{70, 10};
  const AccountView v = view_account(book, 0, prices);
  CHECK(v.value == Approx(1000));
  CHECK(v.cash_weight == 0);
  CHECK(v.cash_target == Approx(0));
  REQUIRE(v.assets.size() == 2);
  CHECK(v.assets[0].symbol == 0);
  CHECK(v.assets[0].value == Approx(700));
  CHECK(v.assets[0].weight == Approx(0.7));
  CHECK(v.assets[0].drift == Approx(0.1));
  CHECK(v.assets[0].band == Approx(0.05));
  CHECK(v.assets[0].breaching);
  CHECK(v.assets[1].drift == Approx(-0.1));
  CHECK(v.assets[1].breaching);
  CHECK(v.max_abs_drift == Approx(0.1));
  CHECK(v.breaching);
}

TEST_CASE("inside the bands nothing breaches, and a multiplier widens them") {
  // 62/38 against 60/40: drift 0.02, inside a band of 0.05 and of 0.05 × 0.5 = 0.025.
  const std::vector<double> prices{62, 38};
  const AccountBook plain = test::one_account(test::simple_model({0.6, 0.4}, 0.05), 0, {10, 10});
  CHECK_FALSE(view_account(plain, 0, prices).breaching);
  // Narrowed to 0.05 × 0.3 = 0.015: now outside.
  const AccountBook narrow = test::one_account(test::simple_model({0.6, 0.4}, 0.05), 0, {10, 10}, 0.3);
  const AccountView v = view_account(narrow, 0, prices);
  CHECK(v.assets[0].band == Approx(0.015));
  CHECK(v.assets[0].breaching);
  CHECK(v.breaching);
}

TEST_CASE("the total drift counts the cash, and breaches past the total band alone") {
  // Targets 0.5 / 0.3 / cash 0.2; holdings 560 + 300 and cash 140 of 1,000:
  // drifts +0.06, 0, −0.06 in cash: D = 0.12 / 2 = 0.06. Total band 0.05 × 1.1.
  Model m = test::simple_model({0.5, 0.3}, 0.10);
  m.bands.total = 0.05;
  const AccountBook book = test::one_account(m, 140, {5.6, 3}, 1.1);
  const AccountView v = view_account(book, 0, std::vector<double>{100, 100});
  CHECK(v.total_drift == Approx(0.06));
  CHECK(v.total_band == Approx(0.055));
  CHECK_FALSE(v.assets[0].breaching);  // 0.06 inside its own band of 0.11
  CHECK(v.breaching);
  // Without a total band the view says so (+∞), and the same account is inside.
  const AccountView plain = view_account(test::one_account(test::simple_model({0.5, 0.3}, 0.10), 140, {5.6, 3}), 0,
                                         std::vector<double>{100, 100});
  CHECK(plain.total_drift == Approx(0.06));
  CHECK(std::isinf(plain.total_band));
  CHECK_FALSE(plain.breaching);
}

TEST_CASE("cash counts in the value and keeps its own target") {
  // Targets 0.5 + 0.3 leave 0.2 in cash. 5 × 100 = 500, 3 × 100 = 300, cash 200.
  const AccountBook book = test::one_account(test::simple_model({0.5, 0.3}, 0.05), 200, {5, 3});
  const AccountView v = view_account(book, 0, std::vector<double>{100, 100});
  CHECK(v.value == Approx(1000));
  CHECK(v.cash_weight == Approx(0.2));
  CHECK(v.cash_target == Approx(0.2));
  CHECK(v.max_abs_drift == Approx(0).epsilon(1e-12));
  CHECK_FALSE(v.breaching);
}

TEST_CASE("an account worth nothing has no weights and never breaches") {
  const AccountBook book = test::one_account(test::simple_model({0.6, 0.4}, 0.05), 0, {0, 0});
  const AccountView v = view_account(book, 0, std::vector<double>{10, 10});
  CHECK(v.value == 0);
  CHECK(v.assets[0].weight == 0);
  CHECK_FALSE(v.assets[0].breaching);
  CHECK_FALSE(v.breaching);
  CHECK(max_abs_drift(book, 0, std::vector<double>{10, 10}) == 0);
}

TEST_CASE("the drift histogram's buckets are half-open at their upper edges") {
  CHECK(DriftHistogram::bucket(0) == 0);
  CHECK(DriftHistogram::bucket(0.0049) == 0);
  CHECK(DriftHistogram::bucket(0.005) == 1);
  CHECK(DriftHistogram::bucket(0.015) == 2);
  CHECK(DriftHistogram::bucket(0.02) == 3);
  CHECK(DriftHistogram::bucket(0.07) == 4);
  CHECK(DriftHistogram::bucket(0.10) == 5);
  CHECK(DriftHistogram::bucket(3.0) == 5);
}

TEST_CASE("the fleet summary counts accounts by state and drift") {
  AccountBook book(2);
  REQUIRE_FALSE(book.add_model(test::simple_model({0.6, 0.4}, 0.05)));
  const std::vector<std::vector<double>> holdings{
      {6, 4},    // on target: drift 0
      {7, 3},    // drift 0.10: breaching, last bucket
      {61, 39},  // drift 0.01: bucket [1%, 2%)
      {0, 0},    // worth nothing
  };
  for (std::size_t i = 0; i < holdings.size(); ++i) {
    REQUIRE_FALSE(book.add_account("a" + std::to_string(i), 0, 0, holdings[i]));
  }
  const FleetSummary s = summarise(book, std::vector<double>{10, 10});
  CHECK(s.accounts == 4);
  CHECK(s.unvalued == 1);
  CHECK(s.breaching == 1);
  CHECK(s.drift.counts == std::array<std::uint64_t, 6>{1, 0, 1, 0, 0, 1});

  // Taken in parts (as the daemon takes it, a slice at a time), and past the
  // end of the book: the same counts; a skipped account is in none of them.
  FleetSummary parts;
  for (AccountIndex begin = 0; begin < 6; begin += 3) {
    summarise(book, std::vector<double>{10, 10}, begin, begin + 3, {}, parts);
  }
  CHECK(parts.accounts == s.accounts);
  CHECK(parts.unvalued == s.unvalued);
  CHECK(parts.breaching == s.breaching);
  CHECK(parts.drift.counts == s.drift.counts);
  FleetSummary skipped;
  summarise(
      book, std::vector<double>{10, 10}, 0, 4, [](AccountIndex a) { return a == 1; }, skipped);
  CHECK(skipped.accounts == 3);
  CHECK(skipped.breaching == 0);
  CHECK(skipped.drift.counts == std::array<std::uint64_t, 6>{1, 0, 1, 0, 0, 0});
}

TEST_CASE("the view and the decision agree on every account of a random fleet") {
  // Breach by the view's per-asset flags, by its summary flag, and by the rebalancer.
  AccountBook book(3);
  REQUIRE_FALSE(book.add_model(test::simple_model({0.5, 0.3, 0.1}, 0.03)));
  std::uint64_t state = 12345;
  auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) / 9007199254740992.0;
  };
  for (int i = 0; i < 500; ++i) {
    REQUIRE_FALSE(book.add_account("a" + std::to_string(i), 0, next() * 100,
                                   std::vector<double>{std::floor(next() * 10), std::floor(next() * 10),
                                                       std::floor(next() * 10)}));
  }
  const std::vector<double> prices{10, 11, 12};
  Rebalancer decide;
  for (AccountIndex a = 0; a < book.size(); ++a) {
    const AccountView v = view_account(book, a, prices);
    bool any = false;
    for (const AssetView& asset : v.assets) any = any || asset.breaching;
    CHECK(v.breaching == decide.in_breach(book, a, prices));
    CHECK(any == v.breaching);
  }
}

TEST_CASE("groups: a substitute held in place of its primary reads as in band, with the group's drift") {
  // VTI 0.6 (slot 0), BND 0.4, ITOT (slot 2) a substitute of VTI.
  Model m = test::simple_model({0.6, 0.4, 0.0}, 0.05);
  m.group_of = {0, 1, 0};
  const std::vector<double> prices{100, 100, 100};
  // 2 VTI + 4 ITOT + 4 BND: VTI weighs 0.2, ITOT 0.4, the group 0.6.
  const AccountBook book = test::one_account(m, 0, {2, 4, 4});
  const AccountView v = view_account(book, 0, prices);
  REQUIRE(v.assets.size() == 3);
  CHECK(v.assets[0].weight == Approx(0.2));
  CHECK(v.assets[0].target == Approx(0.6));
  CHECK(v.assets[2].weight == Approx(0.4));
  CHECK(v.assets[2].target == 0);
  for (const std::size_t i : {0, 2}) {
    CHECK(v.assets[i].group_weight == Approx(0.6));
    CHECK(v.assets[i].group_target == Approx(0.6));
    CHECK(v.assets[i].drift == Approx(0).epsilon(1e-12));
    CHECK(v.assets[i].band == Approx(0.05));
    CHECK_FALSE(v.assets[i].breaching);
  }
  CHECK(v.assets[1].group_weight == Approx(0.4));
  CHECK(v.max_abs_drift == Approx(0).epsilon(1e-12));
  CHECK(max_abs_drift(book, 0, prices) == Approx(0).epsilon(1e-12));
  CHECK_FALSE(v.breaching);

  // 4 VTI + 4 ITOT + 2 BND: the group at 0.8 is +0.2 out, BND −0.2.
  const AccountBook over = test::one_account(m, 0, {4, 2, 4});
  const AccountView o = view_account(over, 0, prices);
  CHECK(o.assets[0].drift == Approx(0.2));
  CHECK(o.assets[2].drift == Approx(0.2));
  CHECK(o.assets[2].breaching);
  CHECK(o.assets[1].drift == Approx(-0.2));
  CHECK(o.max_abs_drift == Approx(0.2));
  CHECK(max_abs_drift(over, 0, prices) == Approx(0.2));
  CHECK(o.breaching);
}

TEST_CASE("groups: the view and the decision agree on every account of a random fleet with substitutes") {
  auto f = test::random_fleet(41, 10, 12, 800, test::Groups::held);
  Rebalancer decide;
  for (AccountIndex a = 0; a < f.book.size(); ++a) {
    const AccountView v = view_account(f.book, a, f.prices);
    bool any = false;
    for (const AssetView& asset : v.assets) any = any || asset.breaching;
    CHECK(v.breaching == decide.in_breach(f.book, a, f.prices));
    CHECK(any == v.breaching);
    CHECK(v.max_abs_drift == max_abs_drift(f.book, a, f.prices));
  }
}

}  // namespace
}  // namespace test_account_view
}  // namespace ballast::fleet
