#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "fleet/account_book.hpp"
#include "fleet_test_support.hpp"

using namespace ballast;
using namespace ballast::fleet;
using ballast::fleet::test::simple_model;

TEST_CASE("accounts keep their ids, models and quantities in flat arrays") {
  AccountBook book(3);
  REQUIRE_FALSE(book.add_model(simple_model({0.5, 0.5}, 0.05)));
  Model three = simple_model({0.3, 0.3, 0.3}, 0.05);
  REQUIRE_FALSE(book.add_model(three));
  REQUIRE_FALSE(book.add_account("alice", 0, 10, std::vector<double>{1, 2}));
  REQUIRE_FALSE(book.add_account("bob", 1, 0, std::vector<double>{3, 4, 5}, 1.5));
  REQUIRE_FALSE(book.add_account("", 0, 0, std::vector<double>{6, 7}));
  CHECK(book.size() == 3);
  CHECK(book.slot_count() == 7);
  CHECK(book.id(0) == "alice");
  CHECK(book.id(1) == "bob");
  CHECK(book.id(2).empty());
  CHECK(book.model(1).size() == 3);
  CHECK(book.band_multiplier(1) == 1.5);
  CHECK(book.quantities(1)[2] == 5);
  CHECK(book.first_slot(2) == 5);
  for (SlotIndex s = 0; s < 7; ++s) CHECK(book.account_of_slot(s) == (s < 2 ? 0u : s < 5 ? 1u : 2u));
}

TEST_CASE("bad accounts are refused with a reason and leave the book as it was") {
  AccountBook book(2);
  REQUIRE_FALSE(book.add_model(simple_model({0.5, 0.5}, 0.05)));
  CHECK(book.add_account("a", 1, 0, std::vector<double>{1, 1}) == "unknown model");
  CHECK(book.add_account("a", 0, 0, std::vector<double>{1}) == "one quantity per model symbol expected");
  CHECK(book.add_account("a", 0, 0, std::vector<double>{1, -1}).has_value());
  CHECK(book.add_account("a", 0, 0, std::vector<double>{1, NAN}).has_value());
  CHECK(book.add_account("a", 0, INFINITY, std::vector<double>{1, 1}).has_value());
  CHECK(book.add_account("a", 0, 0, std::vector<double>{1, 1}, 0).has_value());
  CHECK(book.add_account("a", 0, 0, std::vector<double>{1, 1}, INFINITY).has_value());
  CHECK(book.size() == 0);
  CHECK(book.slot_count() == 0);
}

TEST_CASE("bad models are refused with a reason") {
  const auto refused = [](Model m) { return check_model(m, 3).has_value(); };
  Model ok = simple_model({0.5, 0.4}, 0.05);
  CHECK_FALSE(check_model(ok, 3));
  CHECK(refused(Model{}));
  Model m = ok;
  m.symbols = {0, 0};
  CHECK(refused(m));
  m = ok;
  m.symbols = {0, 7};
  CHECK(refused(m));
  m = ok;
  m.targets = {0.7, 0.7};
  CHECK(refused(m));
  m = ok;
  m.targets = {0.5};
  CHECK(refused(m));
  m = ok;
  m.lot_sizes = {1, 0};
  CHECK(refused(m));
  m = ok;
  m.bands = {};
  CHECK(refused(m));
  m = ok;
  m.bands.relative = -0.1;
  CHECK(refused(m));
  m = ok;
  m.bands.total = 0.1;
  CHECK(refused(m));
  m = ok;
  m.min_trade_value = -1;
  CHECK(refused(m));
  CHECK(ok.cash_target() == doctest::Approx(0.1));
}
