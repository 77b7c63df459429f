#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "fleet/account_ids.hpp"
#include "fleet_test_support.hpp"

namespace test_account_ids {

using namespace ballast::fleet;
using ballast::fleet::test::simple_model;

namespace {

AccountBook book_of(int n) {
  AccountBook book(2);
  REQUIRE_FALSE(book.add_model(simple_model({0.5, 0.5}, 0.05)));
  for (int i = 0; i < n; ++i)
    REQUIRE_FALSE(book.add_account("acct-" + std::to_string(i), 0, 1, std::vector<double>{1, 1}));
  return book;
}

}  // namespace

TEST_CASE("every account of the book is found by its id, and an unknown id is not") {
  const AccountBook book = book_of(1000);
  const AccountIds ids(book);
  for (AccountIndex a = 0; a < 1000; ++a) CHECK(ids.find(book, "acct-" + std::to_string(a)) == a);
  CHECK_FALSE(ids.find(book, "acct-1000").has_value());
  CHECK_FALSE(ids.find(book, "").has_value());
  CHECK_FALSE(ids.find(book, "acct-").has_value());
  CHECK(ids.memory_bytes() == 2048 * sizeof(AccountIndex));  // the smallest power of two ≥ 2 × 1000
}

TEST_CASE("accounts added later are found, across the table's growth and the book's") {
  AccountBook book = book_of(3);
  AccountIds ids(book);
  for (int i = 3; i < 5000; ++i) {
    REQUIRE_FALSE(book.add_account("acct-" + std::to_string(i), 0, 1, std::vector<double>{1, 1}));
    ids.add(book, static_cast<AccountIndex>(book.size() - 1));
  }
  for (AccountIndex a = 0; a < 5000; ++a) REQUIRE(ids.find(book, "acct-" + std::to_string(a)) == a);
  CHECK_FALSE(ids.find(book, "acct-5000").has_value());
  CHECK(ids.memory_bytes() == 16384 * sizeof(AccountIndex));
}

TEST_CASE("an empty book finds nothing; of equal ids the first is found") {
  AccountBook book = book_of(0);
  AccountIds ids(book);
  CHECK_FALSE(ids.find(book, "x").has_value());
  REQUIRE_FALSE(book.add_account("x", 0, 1, std::vector<double>{1, 1}));
  ids.add(book, 0);
  REQUIRE_FALSE(book.add_account("x", 0, 2, std::vector<double>{1, 1}));
  ids.add(book, 1);
  CHECK(ids.find(book, "x") == 0u);
  CHECK(ids.find(book, "") == std::nullopt);
}

}  // namespace test_account_ids
