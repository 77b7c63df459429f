// fleet::book_of_models and fleet::add_record: the configuration's models and
// account records into an account book, as the daemon and the offline commands build it.
#include <doctest/doctest.h>

#include <cmath>

#include <string>
#include <vector>

#include "fleet/book_builder.hpp"

namespace test_book_builder {

using namespace ballast;

namespace {

strategies::PortfolioSpec spec(std::string id, std::vector<strategies::AssetSpec> assets, double absolute) {
  strategies::PortfolioSpec s;
  s.id = std::move(id);
  s.assets = std::move(assets);
  s.triggers.push_back(strategies::ThresholdTrigger{.absolute = absolute});
  return s;
}

std::vector<strategies::PortfolioSpec> models() {
  return {spec("ab", {{"A", 0.5}, {"B", 0.5}}, 0.05), spec("c", {{"C", 0.9}}, 0.1)};
}

fleet::AccountRecord record(std::string id, std::string model, double cash,
                            std::vector<std::pair<std::string, double>> holdings) {
  fleet::AccountRecord r;
  r.id = std::move(id);
  r.model = std::move(model);
  r.cash = cash;
  r.holdings = std::move(holdings);
  return r;
}

}  // namespace

TEST_CASE("book_of_models: one model per spec, in order, over the symbols it interns") {
  core::SymbolTable symbols;
  const fleet::BookOfModels built = fleet::book_of_models(models(), symbols);
  REQUIRE(built.book);
  CHECK(built.error.empty());
  CHECK(built.model_ids == std::vector<std::string>{"ab", "c"});
  CHECK(built.book->models().size() == 2);
  CHECK(built.book->symbol_count() == 3);
  CHECK(built.book->size() == 0);
}

TEST_CASE("add_record: holdings go to their model's slots; an unknown model or symbol is refused, nothing added") {
  core::SymbolTable symbols;
  fleet::BookOfModels built = fleet::book_of_models(models(), symbols);
  REQUIRE(built.book);
  fleet::AccountBook& book = *built.book;
  fleet::ModelVariants variants(built.model_ids);
  fleet::BookPlace scratch;
  CHECK_FALSE(fleet::add_record(book, variants, symbols, record("a1", "ab", 10, {{"B", 3}}), scratch));
  REQUIRE(book.size() == 1);
  CHECK(book.model_index(0) == 0);
  CHECK(book.cash(0) == 10);
  CHECK(book.quantities(0)[0] == 0);
  CHECK(book.quantities(0)[1] == 3);

  const auto unknown = fleet::add_record(book, variants, symbols, record("a2", "growth", 1, {}), scratch);
  REQUIRE(unknown);
  CHECK(*unknown == "account a2 follows model growth, which the configuration does not define");
  const auto foreign = fleet::add_record(book, variants, symbols, record("a3", "c", 1, {{"A", 1}}), scratch);
  REQUIRE(foreign);
  CHECK(*foreign == "account a3 holds A, which its model c does not");
  const auto nowhere = fleet::add_record(book, variants, symbols, record("a4", "c", 1, {{"Z", 1}}), scratch);
  REQUIRE(nowhere);
  const auto refused = fleet::add_record(book, variants, symbols, record("a5", "c", NAN, {}), scratch);
  REQUIRE(refused);
  CHECK(refused->rfind("account a5: ", 0) == 0);
  CHECK(book.size() == 1);

  // An account's own cash target makes a variant of its model, added to the book.
  fleet::AccountRecord own = record("a6", "ab", 10, {});
  own.cash_target = 0.5;
  REQUIRE_FALSE(fleet::add_record(book, variants, symbols, own, scratch));
  CHECK(book.model_index(1) == 2);
  CHECK(variants.base(2) == 0);
  CHECK(book.models()[2].cash_target() == doctest::Approx(0.5));
}

TEST_CASE("add_record: an account keeps its record's household, or none") {
  core::SymbolTable symbols;
  fleet::BookOfModels built = fleet::book_of_models(models(), symbols);
  REQUIRE(built.book);
  fleet::AccountBook& book = *built.book;
  fleet::ModelVariants variants(built.model_ids);
  fleet::BookPlace scratch;
  fleet::AccountRecord first = record("a1", "ab", 10, {});
  first.household = "h1";
  fleet::AccountRecord second = record("a2", "c", 0, {{"C", 1}});
  second.household = "h1";
  fleet::AccountRecord alone = record("a3", "ab", 0, {});
  // A variant of its model (its own cash target) keeps the household too.
  fleet::AccountRecord variant = record("a4", "ab", 0, {});
  variant.household = "h2";
  variant.cash_target = 0.5;
  for (const fleet::AccountRecord& r : {first, second, alone, variant}) {
    REQUIRE_FALSE(fleet::add_record(book, variants, symbols, r, scratch));
  }
  REQUIRE(book.size() == 4);
  CHECK(book.household_name(book.household(0)) == "h1");
  CHECK(book.household(1) == book.household(0));
  CHECK(book.household(2) == fleet::AccountBook::kNoHousehold);
  CHECK(book.household_name(book.household(3)) == "h2");
  CHECK(book.household_count() == 2);
}

}  // namespace test_book_builder
