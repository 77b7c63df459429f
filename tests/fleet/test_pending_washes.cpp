#include <doctest/doctest.h>

#include "fleet/pending_washes.hpp"

namespace test_pending_washes {

using namespace ballast;
using namespace ballast::fleet;
using core::Side;

namespace {

// Households 1 and 2; group 0 holds symbols 0 and 3 (identical), group 5 symbol 5.
constexpr tax::HouseholdIndex kHome = 1;
constexpr tax::HouseholdIndex kOther = 2;

}  // namespace

TEST_CASE("decided trades add up per household and group, by side") {
  PendingWashes p;
  CHECK(p.empty());
  p.add(kHome, 0, 10, 0, Side::sell, 60);  // account 10 sells 60 of symbol 0 at a loss
  p.add(kHome, 0, 11, 3, Side::buy, 12);   // account 11 buys 12 of symbol 3, identical
  p.add(kHome, 5, 11, 5, Side::buy, 7);
  p.add(kOther, 0, 20, 0, Side::buy, 30);
  p.add(kHome, 0, 12, 0, Side::sell, 0);  // a sale at no loss: nothing
  CHECK(p.size() == 4);
  CHECK(p.loss_units(kHome, 0) == 60);
  CHECK(p.buy_units(kHome, 0) == 12);
  CHECK(p.buy_units(kHome, 5) == 7);
  CHECK(p.loss_units(kHome, 5) == 0);
  CHECK(p.buy_units(kOther, 0) == 30);
  CHECK(p.loss_units(kOther, 0) == 0);
  CHECK(p.buy_units(3, 0) == 0);

  SUBCASE("a second trade of the same account, symbol and side adds to the first") {
    p.add(kHome, 0, 10, 0, Side::sell, 5);
    CHECK(p.size() == 4);
    CHECK(p.loss_units(kHome, 0) == 65);
    p.drop(10, 0, Side::sell);
    CHECK(p.loss_units(kHome, 0) == 0);
  }
  SUBCASE("a drop takes out one trade; the account's others stay") {
    p.drop(11, 3, Side::buy);
    CHECK(p.buy_units(kHome, 0) == 0);
    CHECK(p.loss_units(kHome, 0) == 60);
    CHECK(p.buy_units(kHome, 5) == 7);
    p.drop(11, 3, Side::buy);  // again: nothing
    p.drop(11, 5, Side::sell);  // the other side: nothing
    CHECK(p.buy_units(kHome, 5) == 7);
    p.drop(11, 5, Side::buy);
    CHECK(p.size() == 2);
  }
  SUBCASE("drop_all takes out every trade of the account") {
    p.drop_all(11);
    CHECK(p.size() == 2);
    CHECK(p.buy_units(kHome, 0) == 0);
    CHECK(p.buy_units(kHome, 5) == 0);
    p.drop_all(10);
    p.drop_all(20);
    p.drop_all(99);  // none: nothing
    CHECK(p.empty());
  }
}

}  // namespace test_pending_washes
