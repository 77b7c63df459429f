#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "fleet/lot_text.hpp"
#include "tax/holding_period.hpp"

namespace test_lot_text {

using namespace ballast::fleet;
using ballast::tax::day_of;

namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

/// The one error of a cell that must have exactly one.
std::string error_of(std::string_view cell) {
  const LotsCell parsed = parse_lots_cell(cell);
  CHECK(parsed.lots.empty());
  REQUIRE_MESSAGE(parsed.errors.size() == 1, cell);
  return parsed.errors[0];
}

}  // namespace

TEST_CASE("a lots cell: SYM:QTY@COST:DATE lots separated by ';', with optional from= and wash=") {
  const LotsCell parsed =
      parse_lots_cell(" VTI:10@201.5:2024-03-01 ; VTI : 2.5 @ 188 : 2024-09-16 : from=2024-06-03 : wash=4.25;"
                      "BND:1e2@72:2020-01-02:wash=0.5:from=2019-12-01");
  INFO(parsed.errors.size());
  REQUIRE(parsed.errors.empty());
  REQUIRE(parsed.lots.size() == 3);
  CHECK(parsed.lots[0] == RecordLot{"VTI", 10, 201.5, day_of(2024, 3, 1), day_of(2024, 3, 1), 0});
  CHECK(parsed.lots[1] == RecordLot{"VTI", 2.5, 188, day_of(2024, 9, 16), day_of(2024, 6, 3), 4.25});
  CHECK(parsed.lots[2] == RecordLot{"BND", 100, 72, day_of(2020, 1, 2), day_of(2019, 12, 1), 0.5});
  CHECK(parse_lots_cell("").lots.empty());
  CHECK(parse_lots_cell("").errors.empty());
  CHECK(parse_lots_cell("   ").errors.empty());
}

TEST_CASE("a lots cell's values are read, not judged: check_account judges them") {
  const LotsCell parsed = parse_lots_cell("VTI:-1@0:2024-03-01:from=2024-04-01:wash=-2");
  REQUIRE(parsed.errors.empty());
  REQUIRE(parsed.lots.size() == 1);
  CHECK(parsed.lots[0].quantity == -1);
  CHECK(parsed.lots[0].cost_per_unit == 0);
  CHECK(parsed.lots[0].holding_from > parsed.lots[0].acquired);
  CHECK(parsed.lots[0].wash_adjustment_per_unit == -2);
}

TEST_CASE("a bad lots cell names each bad lot by its place and says what is wrong") {
  CHECK(error_of("VTI:1@2:2024-01-01;") == "lot 2 is empty (a ';' at the end?)");
  CHECK(error_of(";VTI:1@2:2024-01-01") == "lot 1 is empty");
  CHECK(error_of("VTI:1@2:2024-01-01;;BND:1@2:2024-01-01") == "lot 2 is empty");
  CHECK(has(error_of(":1@2:2024-01-01"), "lot 1: the symbol is empty"));
  CHECK(has(error_of("VTI"), "lot 1: no quantity after the symbol"));
  CHECK(has(error_of("VTI:1@2"), "lot 1: no acquired date after the cost"));
  CHECK(has(error_of("VTI:10:2024-01-01"), "lot 1: expected QTY@COST after the symbol, not \"10\""));
  CHECK(has(error_of("VTI:ten@2:2024-01-01"), "lot 1: the quantity \"ten\" is not a number"));
  CHECK(has(error_of("VTI:@2:2024-01-01"), "lot 1: the quantity \"\" is not a number"));
  CHECK(has(error_of("VTI:1@:2024-01-01"), "lot 1: the cost per unit \"\" is not a number"));
  CHECK(has(error_of("VTI:1@2$:2024-01-01"), "lot 1: the cost per unit \"2$\" is not a number"));
  CHECK(has(error_of("VTI:1@2:2025-02-29"), "lot 1: the acquired date \"2025-02-29\" is not a date YYYY-MM-DD"));
  CHECK(has(error_of("VTI:1@2:"), "lot 1: the acquired date \"\" is not a date"));
  CHECK(has(error_of("VTI:1@2:2024-01-01:from=2024-02-30"), "lot 1: the holding period start (from=) \"2024-02-30\""));
  CHECK(has(error_of("VTI:1@2:2024-01-01:wash=x"), "lot 1: the wash adjustment (wash=) \"x\" is not a number"));
  CHECK(has(error_of("VTI:1@2:2024-01-01:wash=1:wash=2"), "lot 1: wash= is given twice"));
  CHECK(has(error_of("VTI:1@2:2024-01-01:from=2023-01-01:from=2023-01-01"), "lot 1: from= is given twice"));
  CHECK(has(error_of("VTI:1@2:2024-01-01:"), "lot 1: unexpected \"\" after the date"));
  CHECK(has(error_of("VTI:1@2:2024-01-01:2023-01-01"), "lot 1: unexpected \"2023-01-01\" after the date"));
}

TEST_CASE("every bad lot of a cell is reported, and then no lot is returned") {
  const LotsCell parsed = parse_lots_cell("VTI:x@1:2024-01-01;VTI:1@1:2024-01-01;BND:1@1:2024-02-30;");
  CHECK(parsed.lots.empty());
  REQUIRE(parsed.errors.size() == 3);
  CHECK(has(parsed.errors[0], "lot 1: the quantity"));
  CHECK(has(parsed.errors[1], "lot 3: the acquired date"));
  CHECK(has(parsed.errors[2], "lot 4 is empty"));
}

}  // namespace test_lot_text
