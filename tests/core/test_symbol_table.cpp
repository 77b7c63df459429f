#include <doctest/doctest.h>

#include "core/symbol_table.hpp"

namespace test_symbol_table {

using namespace ballast::core;

TEST_CASE("symbol ids are dense and stable") {
  SymbolTable t;
  CHECK(t.intern("SPY") == 0);
  CHECK(t.intern("AGG") == 1);
  CHECK(t.intern("SPY") == 0);
  CHECK(t.find("AGG") == 1);
  CHECK(t.find("QQQ") == kNoSymbol);
  CHECK(t.name(1) == "AGG");
  CHECK(t.size() == 2);
}

}  // namespace test_symbol_table
