#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "fleet/account_book.hpp"
#include "fleet_test_support.hpp"

namespace test_account_book {

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
  CHECK_FALSE(refused(m));
  m.bands.absolute.reset();
  CHECK_FALSE(refused(m));  // a total band alone is a band
  m.bands.total = 0;
  CHECK(refused(m));
  m.bands.total = INFINITY;
  CHECK(refused(m));
  m = ok;
  m.min_trade_value = -1;
  CHECK(refused(m));
  CHECK(ok.cash_target() == doctest::Approx(0.1));
}

TEST_CASE("households are interned once: accounts of one household share its index") {
  AccountBook book(2);
  REQUIRE_FALSE(book.add_model(simple_model({0.5, 0.5}, 0.05)));
  const std::vector<double> q{1, 1};
  REQUIRE_FALSE(book.add_account("a", 0, 0, q, 1, "smith"));
  REQUIRE_FALSE(book.add_account("b", 0, 0, q, 1, "jones"));
  REQUIRE_FALSE(book.add_account("c", 0, 0, q, 1, "smith"));
  REQUIRE_FALSE(book.add_account("d", 0, 0, q, 1, "lee"));
  CHECK(book.household_count() == 3);
  CHECK(book.household(0) == 0);
  CHECK(book.household(1) == 1);
  CHECK(book.household(2) == 0);
  CHECK(book.household(3) == 2);
  CHECK(book.household_name(0) == "smith");
  CHECK(book.household_name(1) == "jones");
  CHECK(book.household_name(2) == "lee");
  // The wash-sale ledger sees a household's accounts as one.
  CHECK(book.wash_household(0) == 0);
  CHECK(book.wash_household(2) == 0);
  CHECK(book.wash_household(3) == 2);
}

TEST_CASE("an account of no household is a wash-sale household of its own") {
  AccountBook book(2);
  REQUIRE_FALSE(book.add_model(simple_model({0.5, 0.5}, 0.05)));
  const std::vector<double> q{1, 1};
  REQUIRE_FALSE(book.add_account("a", 0, 0, q));
  REQUIRE_FALSE(book.add_account("b", 0, 0, q, 1, ""));
  REQUIRE_FALSE(book.add_account("c", 0, 0, q, 1, "smith"));
  CHECK(book.household_count() == 1);
  CHECK(book.household(0) == AccountBook::kNoHousehold);
  CHECK(book.household(1) == AccountBook::kNoHousehold);
  CHECK(book.household_name(book.household(0)).empty());
  CHECK(book.wash_household(0) == 0x8000'0000u);
  CHECK(book.wash_household(1) == 0x8000'0001u);
  CHECK(book.wash_household(2) == 0);
}

TEST_CASE("set_household moves an account between households, clears it, and keeps every index") {
  AccountBook book(2);
  REQUIRE_FALSE(book.add_model(simple_model({0.5, 0.5}, 0.05)));
  const std::vector<double> q{1, 1};
  REQUIRE_FALSE(book.add_account("a", 0, 0, q, 1, "smith"));
  REQUIRE_FALSE(book.add_account("b", 0, 0, q));
  REQUIRE_FALSE(book.set_household(1, "smith"));
  CHECK(book.household(1) == 0);
  REQUIRE_FALSE(book.set_household(0, "jones"));
  CHECK(book.household(0) == 1);
  CHECK(book.household_name(1) == "jones");
  // "smith" keeps its index with b still in it; emptied, it is still interned.
  REQUIRE_FALSE(book.set_household(1, ""));
  CHECK(book.household(1) == AccountBook::kNoHousehold);
  CHECK(book.wash_household(1) == 0x8000'0001u);
  CHECK(book.household_count() == 2);
  REQUIRE_FALSE(book.set_household(1, "smith"));
  CHECK(book.household(1) == 0);
  CHECK(book.household_count() == 2);
  CHECK(book.set_household(2, "smith") == "unknown account");
  // Replacing an account's figures keeps its household.
  REQUIRE_FALSE(book.set_account(0, 0, 5, q, 2));
  CHECK(book.household(0) == 1);
}

TEST_CASE("households count in the book's memory") {
  AccountBook book(2);
  REQUIRE_FALSE(book.add_model(simple_model({0.5, 0.5}, 0.05)));
  const std::vector<double> q{1, 1};
  REQUIRE_FALSE(book.add_account("a", 0, 0, q));
  const std::size_t without = book.memory_bytes();
  REQUIRE_FALSE(book.set_household(0, std::string(60, 'h')));
  // The name's bytes, twice (its entry and its key), at least.
  CHECK(book.memory_bytes() >= without + 2 * 60);
}

}  // namespace test_account_book
