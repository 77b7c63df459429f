#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/symbol_table.hpp"
#include "fleet/account_lots.hpp"
#include "tax/wash_sale.hpp"

namespace test_account_lots {

using namespace ballast;
using namespace ballast::fleet;
using doctest::Approx;
using tax::day_of;

namespace {

// Ids differ from the names' order: ZED is 0, ABC 1, MID 2.
struct Fixture {
  Fixture() {
    symbols.intern("ZED");
    symbols.intern("ABC");
    symbols.intern("MID");
  }
  core::SymbolTable symbols;
  AccountLots lots;
};

constexpr core::SymbolId kZed = 0;
constexpr core::SymbolId kAbc = 1;
constexpr core::SymbolId kMid = 2;

void check_line(const tax::RealisedLine& line, tax::LotId lot, double quantity, double proceeds, double basis,
                tax::Term term) {
  CHECK(line.lot == lot);
  CHECK(line.quantity == Approx(quantity));
  CHECK(line.proceeds == Approx(proceeds));
  CHECK(line.basis == Approx(basis));
  CHECK(line.gain == Approx(proceeds - basis));
  CHECK(line.term == term);
}

void check_term(const tax::TermTotals& t, double proceeds, double basis, double wash_disallowed, double gain) {
  CHECK(t.proceeds == Approx(proceeds));
  CHECK(t.basis == Approx(basis));
  CHECK(t.wash_disallowed == Approx(wash_disallowed));
  CHECK(t.gain == Approx(gain));
}

// Two lots of ZED in account 7: 10 bought 2024-01-10 at 100 with 5 of costs
// (100.50 a unit) and 10 bought 2024-06-01 at 120. Sold on 2025-03-01, the
// first is long-term, the second short-term.
void two_lots(AccountLots& lots) {
  REQUIRE_FALSE(lots.buy(7, kZed, day_of(2024, 1, 10), 10, 100, 5).refused);
  REQUIRE_FALSE(lots.buy(7, kZed, day_of(2024, 6, 1), 10, 120, 0).refused);
}

RecordLot record_lot(std::string symbol, double quantity, double cost, tax::Day acquired) {
  RecordLot r;
  r.symbol = std::move(symbol);
  r.quantity = quantity;
  r.cost_per_unit = cost;
  r.acquired = acquired;
  r.holding_from = acquired;
  return r;
}

}  // namespace

// 15 units at 110 less 3 of costs: 1,647 of proceeds, 109.80 a unit.
TEST_CASE("a partial sale under fifo closes the oldest lot first") {
  Fixture f;
  two_lots(f.lots);
  const LotSale sale = f.lots.sell(7, kZed, day_of(2025, 3, 1), 15, 110, 3, 20);
  REQUIRE_FALSE(sale.refused);
  CHECK(sale.unknown_basis_units == 0);
  REQUIRE(sale.lines.size() == 2);
  // 10 × 109.80 − 10 × 100.50 = +93 long-term; 5 × 109.80 − 5 × 120 = −51 short-term.
  check_line(sale.lines[0], 0, 10, 1098, 1005, tax::Term::long_term);
  check_line(sale.lines[1], 1, 5, 549, 600, tax::Term::short_term);
  const auto left = f.lots.lots(7, kZed);
  REQUIRE(left.size() == 1);
  CHECK(left[0].id == 1);
  CHECK(left[0].quantity == Approx(5));
  const tax::YearTotals y = f.lots.realised(7, 2025);
  check_term(y.long_term, 1098, 1005, 0, 93);
  check_term(y.short_term, 549, 600, 0, -51);
}

TEST_CASE("a partial sale under hifo closes the dearest lot first") {
  Fixture f;
  AccountRecord r;
  r.id = "acct";
  r.lot_method = tax::CloseMethod::hifo;
  REQUIRE_FALSE(f.lots.restore(7, r, f.symbols));
  CHECK(f.lots.method(7) == tax::CloseMethod::hifo);
  two_lots(f.lots);
  const LotSale sale = f.lots.sell(7, kZed, day_of(2025, 3, 1), 15, 110, 3, 20);
  REQUIRE_FALSE(sale.refused);
  REQUIRE(sale.lines.size() == 2);
  // 10 × 109.80 − 10 × 120 = −102 short-term; 5 × 109.80 − 5 × 100.50 = +46.50 long-term.
  check_line(sale.lines[0], 1, 10, 1098, 1200, tax::Term::short_term);
  check_line(sale.lines[1], 0, 5, 549, 502.5, tax::Term::long_term);
  const auto left = f.lots.lots(7, kZed);
  REQUIRE(left.size() == 1);
  CHECK(left[0].id == 0);
  CHECK(left[0].quantity == Approx(5));
}

TEST_CASE("min_tax sells the lot at a loss before older lots at a gain") {
  Fixture f;
  AccountRecord r;
  r.id = "acct";
  r.lot_method = tax::CloseMethod::min_tax;
  r.lots = {record_lot("ZED", 10, 50, day_of(2023, 1, 10)), record_lot("ZED", 10, 130, day_of(2025, 1, 15)),
            record_lot("ZED", 10, 90, day_of(2024, 12, 1))};
  REQUIRE_FALSE(f.lots.restore(3, r, f.symbols));
  // At 110 only the lot bought at 130 is at a loss: 5 × (110 − 130) = −100.
  const LotSale sale = f.lots.sell(3, kZed, day_of(2025, 3, 1), 5, 110, 0, 30);
  REQUIRE_FALSE(sale.refused);
  REQUIRE(sale.lines.size() == 1);
  check_line(sale.lines[0], 1, 5, 550, 650, tax::Term::short_term);
  CHECK(f.lots.lots(3, kZed)[1].quantity == Approx(5));
}

TEST_CASE("with tax rates min_tax sells the lot whose sale saves the most tax first") {
  // At 110 on 2025-03-01, at 37% short-term and 20% long-term, per unit:
  // lot 0 a long-term loss of 1.50 (saves 0.30), lot 1 a short-term loss of
  // 1.00 (saves 0.37), lot 2 a short-term gain of 5 (taxed 1.85), lot 3 a
  // long-term gain of 10 (taxed 2.00).
  AccountRecord r;
  r.id = "acct";
  r.lot_method = tax::CloseMethod::min_tax;
  r.lots = {record_lot("ZED", 10, 111.5, day_of(2024, 1, 10)), record_lot("ZED", 10, 111, day_of(2025, 1, 15)),
            record_lot("ZED", 10, 105, day_of(2025, 2, 1)), record_lot("ZED", 10, 100, day_of(2023, 1, 10))};
  const tax::TaxRates rates{0.37, 0.20};
  const tax::Day day = day_of(2025, 3, 1);

  Fixture with_rates;
  REQUIRE_FALSE(with_rates.lots.restore(3, r, with_rates.symbols));
  // Lots 1 and 0 come before the short-term gain; without rates lot 3's
  // long-term gain does too.
  CHECK(with_rates.lots.sellable_without_short_term_gain(3, kZed, day, 110, 40, rates) == 20);
  CHECK(with_rates.lots.sellable_without_short_term_gain(3, kZed, day, 110, 40) == 30);
  const LotSale sale = with_rates.lots.sell(3, kZed, day, 15, 110, 0, 40, rates);
  REQUIRE_FALSE(sale.refused);
  REQUIRE(sale.lines.size() == 2);
  check_line(sale.lines[0], 1, 10, 1100, 1110, tax::Term::short_term);
  check_line(sale.lines[1], 0, 5, 550, 557.5, tax::Term::long_term);

  Fixture without;
  REQUIRE_FALSE(without.lots.restore(3, r, without.symbols));
  const LotSale plain = without.lots.sell(3, kZed, day, 15, 110, 0, 40);
  REQUIRE(plain.lines.size() == 2);
  check_line(plain.lines[0], 0, 10, 1100, 1115, tax::Term::long_term);
  check_line(plain.lines[1], 1, 5, 550, 555, tax::Term::short_term);
}

TEST_CASE("a preview of a sale gives the lines the sale would realise and changes nothing") {
  // The lots of the fifo case above: 15 at 110 less 3 of costs close 10 of
  // lot 0 (+93, long-term) and 5 of lot 1 (−51, short-term).
  Fixture f;
  two_lots(f.lots);
  const tax::Day day = day_of(2025, 3, 1);
  const LotSale preview = f.lots.preview_sale(7, kZed, day, 15, 110, 3, 20);
  REQUIRE_FALSE(preview.refused);
  REQUIRE(preview.lines.size() == 2);
  check_line(preview.lines[0], 0, 10, 1098, 1005, tax::Term::long_term);
  check_line(preview.lines[1], 1, 5, 549, 600, tax::Term::short_term);
  const auto kept = f.lots.lots(7, kZed);
  REQUIRE(kept.size() == 2);
  CHECK(kept[0].quantity == 10);
  CHECK(kept[1].quantity == 10);
  CHECK(f.lots.realised(7).empty());

  SUBCASE("as a harvest: the dearest lot first, all of it at a loss") {
    // 10 of lot 1 at 110: 10 × 110 − 10 × 120 = −100.
    const LotSale harvest = f.lots.preview_sale(7, kZed, day, 10, 110, 0, 20, std::nullopt, SaleKind::harvest);
    REQUIRE(harvest.lines.size() == 1);
    check_line(harvest.lines[0], 1, 10, 1100, 1200, tax::Term::short_term);
  }
  SUBCASE("units beyond the lots are sold first, without a line") {
    // 25 held, 20 in lots: 5 of unknown basis, then 5 of lot 0 at 110: +47.50.
    const LotSale beyond = f.lots.preview_sale(7, kZed, day, 10, 110, 0, 25);
    CHECK(beyond.unknown_basis_units == Approx(5));
    REQUIRE(beyond.lines.size() == 1);
    check_line(beyond.lines[0], 0, 5, 550, 502.5, tax::Term::long_term);
  }
  SUBCASE("what the sale would refuse, the preview refuses") {
    CHECK(f.lots.preview_sale(7, kZed, day, 21, 110, 0, 20).refused == tax::LotRefusal::not_enough_held);
    CHECK(f.lots.preview_sale(7, kZed, day, 1, 0, 0, 20).refused == tax::LotRefusal::bad_price);
    CHECK(f.lots.preview_sale(8, kZed, day, 1, 110, 0, 0).refused == tax::LotRefusal::not_enough_held);
  }
  // Then the sale itself realises what the preview said.
  const LotSale sale = f.lots.sell(7, kZed, day, 15, 110, 3, 20);
  REQUIRE(sale.lines.size() == 2);
  CHECK(sale.lines[0].gain == Approx(preview.lines[0].gain));
  CHECK(sale.lines[1].gain == Approx(preview.lines[1].gain));
}

TEST_CASE("units held beyond the lots have no known basis and are sold first, without a line") {
  Fixture f;
  REQUIRE_FALSE(f.lots.buy(2, kAbc, day_of(2025, 1, 2), 10, 100, 0).refused);

  SUBCASE("a sale within the units of unknown basis touches no lot") {
    const LotSale sale = f.lots.sell(2, kAbc, day_of(2025, 2, 3), 10, 110, 4, 25);
    REQUIRE_FALSE(sale.refused);
    CHECK(sale.lines.empty());
    CHECK(sale.unknown_basis_units == Approx(10));
    CHECK(f.lots.lots(2, kAbc)[0].quantity == 10);
    CHECK(f.lots.realised(2).empty());
  }
  SUBCASE("a sale beyond them closes lots for the rest, with its part of the costs") {
    // 20 sold of 25 held, 10 in lots: 15 of unknown basis, 5 from the lot,
    // which bears 5/20 of the 4 of costs: 5 × 110 − 1 = 549.
    const LotSale sale = f.lots.sell(2, kAbc, day_of(2025, 2, 3), 20, 110, 4, 25);
    REQUIRE_FALSE(sale.refused);
    CHECK(sale.unknown_basis_units == Approx(15));
    REQUIRE(sale.lines.size() == 1);
    check_line(sale.lines[0], 0, 5, 549, 500, tax::Term::short_term);
    CHECK(f.lots.lots(2, kAbc)[0].quantity == Approx(5));
    check_term(f.lots.realised(2, 2025).short_term, 549, 500, 0, 49);
  }
  SUBCASE("selling more than was held is refused and changes nothing") {
    const LotSale sale = f.lots.sell(2, kAbc, day_of(2025, 2, 3), 12, 110, 0, 10);
    CHECK(sale.refused == tax::LotRefusal::not_enough_held);
    CHECK(sale.lines.empty());
    CHECK(sale.unknown_basis_units == 0);
    CHECK(f.lots.lots(2, kAbc)[0].quantity == 10);
    CHECK(f.lots.realised(2).empty());
  }
  SUBCASE("a fill out of range is refused") {
    CHECK(f.lots.sell(2, kAbc, 0, 0, 110, 0, 10).refused == tax::LotRefusal::bad_quantity);
    CHECK(f.lots.sell(2, kAbc, 0, 1, std::nan(""), 0, 10).refused == tax::LotRefusal::bad_price);
    CHECK(f.lots.sell(2, kAbc, 0, 1, 110, -1, 10).refused == tax::LotRefusal::bad_costs);
    CHECK(f.lots.buy(2, kAbc, 0, 1, 0, 0).refused == tax::LotRefusal::bad_price);
    CHECK(f.lots.lots(2, kAbc).size() == 1);
  }
}

TEST_CASE("a lot sold on its first anniversary is short-term, the day after long-term") {
  Fixture f;
  REQUIRE_FALSE(f.lots.buy(1, kZed, day_of(2025, 3, 15), 10, 100, 0).refused);
  const LotSale on = f.lots.sell(1, kZed, day_of(2026, 3, 15), 4, 110, 0, 10);
  const LotSale after = f.lots.sell(1, kZed, day_of(2026, 3, 16), 4, 110, 0, 6);
  REQUIRE(on.lines.size() == 1);
  REQUIRE(after.lines.size() == 1);
  CHECK(on.lines[0].term == tax::Term::short_term);
  CHECK(after.lines[0].term == tax::Term::long_term);
  const tax::YearTotals y = f.lots.realised(1, 2026);
  check_term(y.short_term, 440, 400, 0, 40);
  check_term(y.long_term, 440, 400, 0, 40);
}

TEST_CASE("realised totals are kept per year of sale, restored lines included") {
  Fixture f;
  REQUIRE_FALSE(f.lots.buy(4, kMid, day_of(2024, 2, 1), 20, 50, 0).refused);
  // 5 × (60 − 50) = +50 short-term in 2024; 10 × (40 − 50) = −100 long-term in 2025.
  REQUIRE(f.lots.sell(4, kMid, day_of(2024, 11, 1), 5, 60, 0, 20).lines.size() == 1);
  REQUIRE(f.lots.sell(4, kMid, day_of(2025, 3, 1), 10, 40, 0, 15).lines.size() == 1);
  tax::RealisedLine earlier;
  earlier.quantity = 2;
  earlier.sold = day_of(2025, 1, 20);
  earlier.proceeds = 100;
  earlier.basis = 80;
  earlier.gain = 20;
  f.lots.add_realised(4, std::vector<tax::RealisedLine>{earlier});

  const std::vector<tax::YearTotals> years = f.lots.realised(4);
  REQUIRE(years.size() == 2);
  CHECK(years[0].year == 2024);
  check_term(years[0].short_term, 300, 250, 0, 50);
  check_term(years[0].long_term, 0, 0, 0, 0);
  CHECK(years[1].year == 2025);
  check_term(years[1].short_term, 100, 80, 0, 20);
  check_term(years[1].long_term, 400, 500, 0, -100);
  CHECK(f.lots.realised(4, 2025) == years[1]);
  const tax::YearTotals none = f.lots.realised(4, 2023);
  CHECK(none.year == 2023);
  check_term(none.short_term, 0, 0, 0, 0);
}

TEST_CASE("lots restored from a record come back the same, sorted by symbol name") {
  Fixture f;
  AccountRecord r;
  r.id = "acct";
  r.lots = {record_lot("ABC", 3, 20, day_of(2024, 5, 1)), record_lot("ABC", 2, 22, day_of(2024, 6, 1)),
            record_lot("ZED", 4, 10, day_of(2023, 1, 1))};
  r.lots[2].holding_from = day_of(2022, 12, 1);
  r.lots[2].wash_adjustment_per_unit = 1.5;
  REQUIRE_FALSE(f.lots.restore(9, r, f.symbols));
  const auto abc = f.lots.lots(9, kAbc);
  REQUIRE(abc.size() == 2);
  CHECK(abc[0].id == 0);
  CHECK(abc[1].id == 1);
  CHECK(abc[1].cost_per_unit == 22);
  CHECK(f.lots.lots(9, kZed)[0].basis_per_unit() == Approx(11.5));
  // Given back with the ids they were given.
  std::vector<RecordLot> numbered = r.lots;
  number_lots(numbered);
  CHECK(f.lots.record_lots(9, f.symbols) == numbered);

  // A buy of ZED (id 0) lands after ABC (id 1) by name, and gets the next id.
  CHECK(f.lots.buy(9, kZed, day_of(2025, 1, 2), 1, 10, 0).lot == 1);
  const std::vector<RecordLot> kept = f.lots.record_lots(9, f.symbols);
  REQUIRE(kept.size() == 4);
  CHECK(kept[3].symbol == "ZED");
  CHECK(kept[3].acquired == day_of(2025, 1, 2));
}

TEST_CASE("lots keep the ids a record gives them; a new lot's id is above every id of its holding") {
  Fixture f;
  AccountRecord r;
  r.id = "acct";
  r.lots = {record_lot("ABC", 3, 20, day_of(2024, 5, 1)), record_lot("ABC", 2, 22, day_of(2024, 6, 1)),
            record_lot("ABC", 1, 24, day_of(2024, 7, 1)), record_lot("ZED", 4, 10, day_of(2023, 1, 1))};
  r.lots[0].id = 12;
  r.lots[1].id = 4;  // the third has none: it is numbered after 12
  r.lots[3].id = 0;
  REQUIRE_FALSE(f.lots.restore(9, r, f.symbols));
  const auto abc = f.lots.lots(9, kAbc);
  REQUIRE(abc.size() == 3);
  CHECK(abc[0].id == 12);
  CHECK(abc[1].id == 4);
  CHECK(abc[2].id == 13);
  CHECK(abc[1].purchase == 4);
  CHECK(f.lots.buy(9, kAbc, day_of(2025, 1, 2), 1, 10, 0).lot == 14);
  CHECK(f.lots.buy(9, kZed, day_of(2025, 1, 2), 1, 10, 0).lot == 1);
  const std::vector<RecordLot> kept = f.lots.record_lots(9, f.symbols);
  REQUIRE(kept.size() == 6);
  CHECK(kept[0].id == 12u);
  CHECK(kept[2].id == 13u);
  CHECK(kept[3].id == 14u);

  // Kept again, they come back the same: a restart changes no id.
  AccountRecord again;
  again.id = "acct";
  again.lots = kept;
  REQUIRE_FALSE(f.lots.restore(10, again, f.symbols));
  CHECK(f.lots.record_lots(10, f.symbols) == kept);

  // Two lots of one symbol with one id are refused.
  r.lots[2].id = 12;
  CHECK(f.lots.restore(9, r, f.symbols) ==
        std::string("account \"acct\": the lots of \"ABC\" cannot be restored: two of them have the same id"));
  CHECK(f.lots.lots(9, kAbc).size() == 4);
}

TEST_CASE("a record with an unknown symbol or a bad lot is refused and changes nothing") {
  Fixture f;
  REQUIRE_FALSE(f.lots.buy(5, kAbc, day_of(2025, 1, 2), 10, 100, 0).refused);
  AccountRecord r;
  r.id = "acct";
  r.lots = {record_lot("ABC", 3, 20, day_of(2024, 5, 1)), record_lot("XYZ", 2, 22, day_of(2024, 6, 1))};
  CHECK(f.lots.restore(5, r, f.symbols) ==
        std::string("account \"acct\", lot 2 (\"XYZ\"): the symbol is not one of the fleet's"));
  r.lots[1] = record_lot("ABC", 0, 22, day_of(2024, 6, 1));
  CHECK(f.lots.restore(5, r, f.symbols) ==
        std::string("account \"acct\", lot 2 (\"ABC\"): its quantity is not a finite number > 0"));
  r.lots[1] = record_lot("ABC", 1, 22, day_of(2024, 6, 1));
  r.lots[1].holding_from = day_of(2024, 6, 2);
  CHECK(f.lots.restore(5, r, f.symbols).has_value());
  r.lots[1] = record_lot("ABC", 1, std::numeric_limits<double>::infinity(), day_of(2024, 6, 1));
  CHECK(f.lots.restore(5, r, f.symbols).has_value());
  r.lots.pop_back();
  r.lot_method = tax::CloseMethod::specific;
  CHECK(f.lots.restore(5, r, f.symbols).has_value());
  const auto kept = f.lots.lots(5, kAbc);
  REQUIRE(kept.size() == 1);
  CHECK(kept[0].quantity == 10);
  CHECK(kept[0].cost_per_unit == 100);
  CHECK(f.lots.method(5) == tax::CloseMethod::fifo);
}

TEST_CASE("a record without lots leaves the account none") {
  Fixture f;
  REQUIRE_FALSE(f.lots.buy(5, kAbc, day_of(2025, 1, 2), 10, 100, 0).refused);
  AccountRecord r;
  r.id = "acct";
  REQUIRE_FALSE(f.lots.restore(5, r, f.symbols));
  CHECK(f.lots.lots(5, kAbc).empty());
  CHECK(f.lots.record_lots(5, f.symbols).empty());
  CHECK(f.lots.size() == 0);
}

TEST_CASE("the view prices each lot and splits unrealised gains by term, leaving unpriced lots out") {
  Fixture f;
  REQUIRE_FALSE(f.lots.buy(6, kZed, day_of(2024, 1, 10), 10, 100, 5).refused);  // 100.50 a unit
  REQUIRE_FALSE(f.lots.buy(6, kAbc, day_of(2025, 1, 15), 5, 200, 0).refused);
  REQUIRE_FALSE(f.lots.buy(6, kMid, day_of(2025, 2, 1), 3, 10, 0).refused);
  const std::vector<double> prices{110, 190, 0};
  const AccountLotsView v = f.lots.view(6, day_of(2025, 3, 1), prices);
  REQUIRE(v.lots.size() == 3);
  // By symbol id: ZED, ABC, MID.
  CHECK(v.lots[0].symbol == kZed);
  CHECK(v.lots[0].term == tax::Term::long_term);
  CHECK(v.lots[0].basis_per_unit == Approx(100.5));
  CHECK(v.lots[0].unrealised_gain == Approx(95));  // 10 × (110 − 100.50)
  CHECK(v.lots[1].term == tax::Term::short_term);
  CHECK(v.lots[1].unrealised_gain == Approx(-50));  // 5 × (190 − 200)
  CHECK(v.lots[1].acquired == day_of(2025, 1, 15));
  CHECK_FALSE(v.lots[2].priced);
  CHECK(v.lots[2].unrealised_gain == 0);
  CHECK(v.unrealised_long_term == Approx(95));
  CHECK(v.unrealised_short_term == Approx(-50));
  CHECK(v.unpriced_lots == 1);

  // A price list shorter than the symbols prices none beyond it.
  const AccountLotsView short_list = f.lots.view(6, day_of(2025, 3, 1), std::vector<double>{110});
  CHECK(short_list.unpriced_lots == 2);
  CHECK(short_list.unrealised_short_term == 0);
  CHECK(short_list.unrealised_long_term == Approx(95));
}

// Bought 10 at 100 on 2025-01-02 and sold at 80 on 2025-02-03 (a loss of 200
// after 32 days), then 10 bought at 85 on 2025-02-10: the whole loss is
// disallowed, the replacement's basis becomes 85 + 20 a unit and its holding
// period starts 32 days before its purchase, on 2025-01-09.
TEST_CASE("a wash sale moves the disallowed loss into the replacement's basis and out of the year's loss") {
  Fixture f;
  tax::WashSaleLedger ledger;
  std::vector<tax::RealisedLine> kept_lines;
  std::vector<tax::WashMatch> matches;

  const tax::Lots::Opened first = f.lots.buy(0, kZed, day_of(2025, 1, 2), 10, 100, 0);
  ledger.record_buy(tax::BuyRecord{0, 0, kZed, first.lot, day_of(2025, 1, 2), 10}, matches);
  const LotSale sale = f.lots.sell(0, kZed, day_of(2025, 2, 3), 10, 80, 0, 10);
  REQUIRE(sale.lines.size() == 1);
  kept_lines = sale.lines;
  ledger.record_sale(tax::SaleRecord{0, 0, kZed, day_of(2025, 2, 3), kept_lines, 0}, matches);
  CHECK(matches.empty());
  check_term(f.lots.realised(0, 2025).short_term, 800, 1000, 0, -200);

  const tax::Lots::Opened replacement = f.lots.buy(0, kZed, day_of(2025, 2, 10), 10, 85, 0);
  CHECK(replacement.lot == 1);
  ledger.record_buy(tax::BuyRecord{0, 0, kZed, replacement.lot, day_of(2025, 2, 10), 10}, matches);
  REQUIRE(matches.size() == 1);
  CHECK(f.lots.apply_wash_to_replacement(matches[0]) == replacement.lot);
  f.lots.apply_wash_to_loss_line(kept_lines.at(matches[0].loss_line), matches[0]);

  const auto lots = f.lots.lots(0, kZed);
  REQUIRE(lots.size() == 1);
  CHECK(lots[0].basis_per_unit() == Approx(105));
  CHECK(lots[0].wash_adjustment_per_unit == Approx(20));
  CHECK(lots[0].acquired == day_of(2025, 2, 10));
  CHECK(lots[0].holding_from == day_of(2025, 1, 9));
  CHECK(kept_lines[0].wash_disallowed == Approx(200));
  check_term(f.lots.realised(0, 2025).short_term, 800, 1000, 200, 0);

  tax::WashMatch elsewhere = matches[0];
  elsewhere.replacement_account = 99;
  CHECK_FALSE(f.lots.apply_wash_to_replacement(elsewhere));
  CHECK(f.lots.size() == 1);
}

TEST_CASE("erase forgets an account's lots, method and realised totals") {
  Fixture f;
  AccountRecord r;
  r.id = "acct";
  r.lot_method = tax::CloseMethod::hifo;
  r.lots = {record_lot("ABC", 3, 20, day_of(2024, 5, 1))};
  REQUIRE_FALSE(f.lots.restore(8, r, f.symbols));
  REQUIRE(f.lots.sell(8, kAbc, day_of(2025, 1, 2), 1, 25, 0, 3).lines.size() == 1);
  REQUIRE_FALSE(f.lots.buy(3, kAbc, day_of(2025, 1, 2), 1, 25, 0).refused);
  CHECK(f.lots.accounts_with_lots() == std::vector<AccountIndex>{3, 8});
  f.lots.erase(8);
  CHECK(f.lots.lots(8, kAbc).empty());
  CHECK(f.lots.realised(8).empty());
  CHECK(f.lots.method(8) == tax::CloseMethod::fifo);
  CHECK(f.lots.accounts_with_lots() == std::vector<AccountIndex>{3});
  CHECK(f.lots.size() == 1);
}

TEST_CASE("an account without lots has no entry, whatever is asked of it") {
  Fixture f;
  const std::size_t empty_bytes = f.lots.memory_bytes();
  REQUIRE_FALSE(f.lots.buy(0, kAbc, day_of(2025, 1, 2), 10, 100, 0).refused);
  CHECK(f.lots.size() == 1);
  CHECK(f.lots.memory_bytes() > empty_bytes);

  AccountRecord r;
  r.id = "other";
  REQUIRE_FALSE(f.lots.restore(1, r, f.symbols));
  CHECK(f.lots.method(1) == tax::CloseMethod::fifo);
  CHECK(f.lots.lots(1, kAbc).empty());
  CHECK(f.lots.record_lots(1, f.symbols).empty());
  CHECK(f.lots.view(1, day_of(2025, 3, 1), std::vector<double>{1, 1, 1}).lots.empty());
  CHECK(f.lots.realised(1).empty());
  CHECK(f.lots.realised(1, 2025).short_term.gain == 0);
  CHECK(f.lots.buy(1, kAbc, 0, -1, 100, 0).refused == tax::LotRefusal::bad_quantity);
  const LotSale unknown = f.lots.sell(1, kAbc, day_of(2025, 1, 3), 4, 100, 0, 4);
  CHECK_FALSE(unknown.refused);
  CHECK(unknown.unknown_basis_units == 4);
  CHECK(f.lots.sell(1, kAbc, day_of(2025, 1, 3), 5, 100, 0, 4).refused == tax::LotRefusal::not_enough_held);
  f.lots.add_realised(1, {});
  f.lots.erase(2);
  CHECK(f.lots.size() == 1);
  CHECK(f.lots.accounts_with_lots() == std::vector<AccountIndex>{0});
  // The estimate is the table's bytes and each account's, as a slice at a time adds them up.
  CHECK(f.lots.account_bytes(1) == 0);
  CHECK(f.lots.account_bytes(0) >= sizeof(tax::Lot));
  CHECK(f.lots.memory_bytes() == f.lots.table_bytes() + f.lots.account_bytes(0));
}

TEST_CASE("the term follows the fleet's rule: with 6 months, a lot held 7 months is long-term") {
  // Bought 2024-06-01 at 120, sold 2025-01-02 at 130: the anniversary under a
  // 6-month rule is 2024-12-01, so the sale is after it (long-term); under
  // the 12-month rule it is short-term.
  for (const int months : {6, 12}) {
    AccountLots lots{tax::TermRule{months}};
    REQUIRE_FALSE(lots.buy(7, kZed, day_of(2024, 6, 1), 10, 120, 0).refused);
    const LotSale sale = lots.sell(7, kZed, day_of(2025, 1, 2), 10, 130, 0, 10);
    REQUIRE(sale.lines.size() == 1);
    CHECK(sale.lines[0].term == (months == 6 ? tax::Term::long_term : tax::Term::short_term));
  }
}

TEST_CASE("choose_lots names what a sell would close from the lots, leaving out units of unknown basis") {
  Fixture f;
  two_lots(f.lots);  // fifo: lot 0 (100.50, 2024-01-10), lot 1 (120, 2024-06-01)
  const tax::Day day = day_of(2025, 3, 1);
  const auto named = [](const std::vector<tax::SpecificLot>& lots) {
    std::vector<std::pair<tax::LotId, double>> out;
    for (const tax::SpecificLot& s : lots) out.emplace_back(s.lot, s.quantity);
    return out;
  };
  using Named = std::vector<std::pair<tax::LotId, double>>;
  CHECK(named(f.lots.choose_lots(7, kZed, day, 15, 110, 20)) == Named{{0, 10}, {1, 5}});
  // 5 units beyond the lots are sold first and named by no lot.
  CHECK(named(f.lots.choose_lots(7, kZed, day, 15, 110, 25)) == Named{{0, 10}});
  CHECK(f.lots.choose_lots(7, kZed, day, 5, 110, 25).empty());
  // A harvest: the lots first, the dearest first; the unknown units last.
  CHECK(named(f.lots.choose_lots(7, kZed, day, 15, 110, 25, std::nullopt, SaleKind::harvest)) ==
        Named{{1, 10}, {0, 5}});
  CHECK(named(f.lots.choose_lots(7, kZed, day, 22, 110, 25, std::nullopt, SaleKind::harvest)) ==
        Named{{1, 10}, {0, 10}});
  CHECK(f.lots.choose_lots(7, kAbc, day, 5, 110, 5).empty());  // no lots of ABC
  CHECK(f.lots.choose_lots(7, kZed, day, 25, 110, 20).empty());  // more than is held
}

TEST_CASE("a sell closes the lots it names, in order, then by the method") {
  Fixture f;
  two_lots(f.lots);
  const tax::Day day = day_of(2025, 3, 1);
  const std::vector<tax::SpecificLot> dearest_first{{1, 10}, {0, 5}};

  SUBCASE("all of it: lot 1, then 5 of lot 0, against the account's fifo") {
    const LotSale s = f.lots.sell(7, kZed, day, 15, 110, 0, 20, std::nullopt, SaleKind::by_method, dearest_first);
    REQUIRE_FALSE(s.refused);
    CHECK_FALSE(s.named_refused);
    REQUIRE(s.lines.size() == 2);
    check_line(s.lines[0], 1, 10, 1100, 1200, tax::Term::short_term);
    check_line(s.lines[1], 0, 5, 550, 502.5, tax::Term::long_term);
  }
  SUBCASE("a partial fill of 8 closes the first listed lot only") {
    const LotSale s = f.lots.sell(7, kZed, day, 8, 110, 0, 20, std::nullopt, SaleKind::by_method, dearest_first);
    REQUIRE(s.lines.size() == 1);
    check_line(s.lines[0], 1, 8, 880, 960, tax::Term::short_term);
    CHECK(f.lots.lots(7, kZed)[1].quantity == Approx(2));
  }
  SUBCASE("past the named lots, by the method: 4 of lot 1 named, then fifo's 8 of lot 0") {
    const std::vector<tax::SpecificLot> four{{1, 4}};
    const LotSale s = f.lots.sell(7, kZed, day, 12, 110, 0, 20, std::nullopt, SaleKind::by_method, four);
    REQUIRE(s.lines.size() == 2);
    check_line(s.lines[0], 1, 4, 440, 480, tax::Term::short_term);
    check_line(s.lines[1], 0, 8, 880, 804, tax::Term::long_term);
  }
  SUBCASE("units of unknown basis still go first; the named lot takes the rest") {
    const std::vector<tax::SpecificLot> one{{1, 10}};
    const LotSale s = f.lots.sell(7, kZed, day, 15, 110, 0, 25, std::nullopt, SaleKind::by_method, one);
    CHECK(s.unknown_basis_units == Approx(5));
    REQUIRE(s.lines.size() == 1);
    check_line(s.lines[0], 1, 10, 1100, 1200, tax::Term::short_term);
  }
  SUBCASE("a lot named that is gone: the sale closes by the method, and says so") {
    const std::vector<tax::SpecificLot> gone{{9, 15}};
    const LotSale s = f.lots.sell(7, kZed, day, 15, 110, 0, 20, std::nullopt, SaleKind::by_method, gone);
    REQUIRE_FALSE(s.refused);
    CHECK(s.named_refused == tax::LotRefusal::unknown_lot);
    REQUIRE(s.lines.size() == 2);
    check_line(s.lines[0], 0, 10, 1100, 1005, tax::Term::long_term);
    check_line(s.lines[1], 1, 5, 550, 600, tax::Term::short_term);
  }
  SUBCASE("costs are shared pro rata to units across the named and the method's lots") {
    const std::vector<tax::SpecificLot> four{{1, 4}};
    // 12 at 110 less 12 of costs: 1 a unit.
    const LotSale s = f.lots.sell(7, kZed, day, 12, 110, 12, 20, std::nullopt, SaleKind::by_method, four);
    REQUIRE(s.lines.size() == 2);
    check_line(s.lines[0], 1, 4, 436, 480, tax::Term::short_term);
    check_line(s.lines[1], 0, 8, 872, 804, tax::Term::long_term);
  }
  // The realised totals follow whatever was closed.
  CHECK(f.lots.realised(7).size() == 1);
}

}  // namespace test_account_lots
