#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <optional>
#include <vector>

#include "tax/lots.hpp"

namespace test_lots {

using namespace ballast::tax;
using doctest::Approx;

namespace {

const Day kSaleDay = day_of(2025, 3, 1);

// Three lots of 10 units; sold on 2025-03-01 at 109.80 net a unit, lot 0
// has a long-term gain of 9.30 a unit, lot 1 a short-term loss of 10.20,
// lot 2 a short-term gain of 1.80.
Lots three_lots() {
  Lots lots;
  CHECK(lots.open(Buy{day_of(2024, 1, 10), 10, 100, 5}).lot == 0);  // 100.50 a unit, costs included
  CHECK(lots.open(Buy{day_of(2024, 6, 1), 10, 120, 0}).lot == 1);
  CHECK(lots.open(Buy{day_of(2025, 1, 15), 10, 108, 0}).lot == 2);
  return lots;
}

// 15 units at 110 less 3 of costs: 1,647 of proceeds, 109.80 a unit.
const Sale kSale{kSaleDay, 15, 110, 3};

void check_line(const RealisedLine& line, LotId lot, double quantity, double proceeds, double basis, Term term) {
  CHECK(line.lot == lot);
  CHECK(line.quantity == Approx(quantity));
  CHECK(line.proceeds == Approx(proceeds));
  CHECK(line.basis == Approx(basis));
  CHECK(line.gain == Approx(proceeds - basis));
  CHECK(line.term == term);
  CHECK(line.sold == kSaleDay);
  CHECK(line.wash_disallowed == 0);
}

struct Held {
  LotId id;
  double quantity;
};

void check_held(const Lots& lots, const std::vector<Held>& expected) {
  REQUIRE(lots.lots().size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CHECK(lots.lots()[i].id == expected[i].id);
    CHECK(lots.lots()[i].quantity == Approx(expected[i].quantity));
  }
}

}  // namespace

TEST_CASE("a buy opens a lot whose basis includes its costs") {
  Lots lots;
  const Lots::Opened opened = lots.open(Buy{day_of(2025, 3, 15), 10, 100, 5});
  REQUIRE(!opened.refused);
  const Lot* lot = lots.find(opened.lot);
  REQUIRE(lot != nullptr);
  CHECK(lot->quantity == 10);
  CHECK(lot->cost_per_unit == Approx(100.5));
  CHECK(lot->wash_adjustment_per_unit == 0);
  CHECK(lot->basis_per_unit() == Approx(100.5));
  CHECK(lot->acquired == day_of(2025, 3, 15));
  CHECK(lot->holding_from == day_of(2025, 3, 15));
  CHECK(lot->purchase == opened.lot);
  CHECK(lots.open(Buy{day_of(2025, 3, 16), 1, 1, 0}).lot == opened.lot + 1);
  CHECK(lots.quantity() == 11);
}

TEST_CASE("a buy that is not finite and positive opens nothing") {
  Lots lots;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(lots.open(Buy{0, 0, 100, 0}).refused == LotRefusal::bad_quantity);
  CHECK(lots.open(Buy{0, -1, 100, 0}).refused == LotRefusal::bad_quantity);
  CHECK(lots.open(Buy{0, nan, 100, 0}).refused == LotRefusal::bad_quantity);
  CHECK(lots.open(Buy{0, 1, 0, 0}).refused == LotRefusal::bad_price);
  CHECK(lots.open(Buy{0, 1, inf, 0}).refused == LotRefusal::bad_price);
  CHECK(lots.open(Buy{0, 1, 100, -1}).refused == LotRefusal::bad_costs);
  CHECK(lots.open(Buy{0, 1, 100, nan}).refused == LotRefusal::bad_costs);
  CHECK(lots.lots().empty());
  CHECK(lots.next_id() == 0);
}

TEST_CASE("lots stay small: no strings, five numbers") { CHECK(sizeof(Lot) <= 40); }

TEST_CASE("fifo closes the earliest lots first and splits the last one") {
  Lots lots = three_lots();
  std::vector<RealisedLine> out;
  REQUIRE(!lots.close(kSale, CloseMethod::fifo, {}, TermRule{}, out));
  REQUIRE(out.size() == 2);
  check_line(out[0], 0, 10, 1098, 1005, Term::long_term);
  check_line(out[1], 1, 5, 549, 600, Term::short_term);
  CHECK(out[0].acquired == day_of(2024, 1, 10));
  check_held(lots, {{1, 5}, {2, 10}});
}

TEST_CASE("hifo closes the highest basis per unit first") {
  Lots lots = three_lots();
  std::vector<RealisedLine> out;
  REQUIRE(!lots.close(kSale, CloseMethod::hifo, {}, TermRule{}, out));
  REQUIRE(out.size() == 2);
  check_line(out[0], 1, 10, 1098, 1200, Term::short_term);
  check_line(out[1], 2, 5, 549, 540, Term::short_term);
  check_held(lots, {{0, 10}, {2, 5}});
}

TEST_CASE("min_tax closes losses first, then long-term gains before short-term ones") {
  Lots lots = three_lots();
  std::vector<RealisedLine> out;
  REQUIRE(!lots.close(kSale, CloseMethod::min_tax, {}, TermRule{}, out));
  REQUIRE(out.size() == 2);
  check_line(out[0], 1, 10, 1098, 1200, Term::short_term);
  check_line(out[1], 0, 5, 549, 502.5, Term::long_term);
  check_held(lots, {{0, 5}, {2, 10}});
}

TEST_CASE("min_tax ranks the largest loss first, short-term first at equal losses, then the smallest gains") {
  Lots lots;
  const Day long_ago = day_of(2024, 1, 2);
  const Day lately = day_of(2025, 5, 1);
  lots.open(Buy{long_ago, 1, 108, 0});   // 0: long-term loss of 8
  lots.open(Buy{long_ago, 1, 105, 0});   // 1: long-term loss of 5
  lots.open(Buy{lately, 1, 105, 0});     // 2: short-term loss of 5
  lots.open(Buy{long_ago, 1, 97, 0});    // 3: long-term gain of 3
  lots.open(Buy{long_ago, 1, 99, 0});    // 4: long-term gain of 1
  lots.open(Buy{lately, 1, 99.5, 0});    // 5: short-term gain of 0.50
  lots.open(Buy{lately, 1, 90, 0});      // 6: short-term gain of 10
  std::vector<RealisedLine> out;
  REQUIRE(!lots.close(Sale{day_of(2025, 6, 2), 7, 100, 0}, CloseMethod::min_tax, {}, TermRule{}, out));
  std::vector<LotId> order;
  for (const RealisedLine& line : out) order.push_back(line.lot);
  CHECK(order == std::vector<LotId>{0, 2, 1, 4, 3, 5, 6});
  CHECK(lots.lots().empty());
}

TEST_CASE("min_tax with tax rates closes the lot whose sale saves the most tax first") {
  Lots lots;
  lots.open(Buy{day_of(2024, 1, 2), 1, 101.5, 0});  // 0: long-term loss of 1.50: saves 1.50 × 20% = 0.30
  lots.open(Buy{day_of(2025, 5, 1), 1, 101, 0});    // 1: short-term loss of 1.00: saves 1.00 × 37% = 0.37
  const TaxRates rates{0.37, 0.20};
  const Sale sale{day_of(2025, 6, 2), 1, 100, 0};

  Lots with_rates = lots;
  std::vector<RealisedLine> out;
  REQUIRE(!with_rates.close(sale, CloseMethod::min_tax, {}, TermRule{}, out, rates));
  REQUIRE(out.size() == 1);
  CHECK(out[0].lot == 1);
  CHECK(out[0].gain == Approx(-1.0));
  CHECK(out[0].term == Term::short_term);

  // Without rates the larger loss per unit goes first.
  Lots without = lots;
  out.clear();
  REQUIRE(!without.close(sale, CloseMethod::min_tax, {}, TermRule{}, out));
  REQUIRE(out.size() == 1);
  CHECK(out[0].lot == 0);
  CHECK(out[0].gain == Approx(-1.5));
}

TEST_CASE("min_tax with tax rates orders gains by their tax too, and equal taxes by the earliest acquired") {
  Lots lots;
  lots.open(Buy{day_of(2023, 6, 1), 1, 97, 0});    // 0: long-term gain of 3: 3 × 20% = 0.60
  lots.open(Buy{day_of(2025, 5, 1), 1, 99, 0});    // 1: short-term gain of 1: 1 × 37% = 0.37
  lots.open(Buy{day_of(2025, 5, 2), 1, 102, 0});   // 2: short-term loss of 2: −2 × 37% = −0.74
  lots.open(Buy{day_of(2024, 1, 2), 1, 99.5, 0});  // 3: long-term gain of 0.50: 0.50 × 20% = 0.10
  const Sale sale{day_of(2025, 6, 2), 4, 100, 0};
  const auto order_of = [&](const std::optional<TaxRates>& rates) {
    Lots copy = lots;
    std::vector<RealisedLine> out;
    REQUIRE(!copy.close(sale, CloseMethod::min_tax, {}, TermRule{}, out, rates));
    std::vector<LotId> order;
    for (const RealisedLine& line : out) order.push_back(line.lot);
    return order;
  };
  // −0.74, 0.10, 0.37, 0.60: the short-term gain before the larger long-term one.
  CHECK(order_of(TaxRates{0.37, 0.20}) == std::vector<LotId>{2, 3, 1, 0});
  // Without rates: the loss, the long-term gains (smallest first), then the short-term gain.
  CHECK(order_of(std::nullopt) == std::vector<LotId>{2, 3, 0, 1});
  // Long-term gains untaxed: lots 0 and 3 both realise 0 and the earlier acquired goes first.
  CHECK(order_of(TaxRates{0.37, 0}) == std::vector<LotId>{2, 0, 3, 1});
}

TEST_CASE("tax rates change only min_tax") {
  const TaxRates rates{0.37, 0.20};
  for (CloseMethod method : {CloseMethod::fifo, CloseMethod::hifo}) {
    Lots with_rates = three_lots();
    Lots without = three_lots();
    std::vector<RealisedLine> a, b;
    REQUIRE(!with_rates.close(kSale, method, {}, TermRule{}, a, rates));
    REQUIRE(!without.close(kSale, method, {}, TermRule{}, b));
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      CHECK(a[i].lot == b[i].lot);
      CHECK(a[i].quantity == b[i].quantity);
    }
    CHECK(with_rates.units_before_short_term_gain(method, 109.80, kSaleDay, TermRule{}, rates) ==
          without.units_before_short_term_gain(method, 109.80, kSaleDay, TermRule{}));
  }
}

TEST_CASE("ties close the earliest acquired first, and on one day the lot bought first") {
  Lots lots;
  lots.open(Buy{day_of(2025, 2, 2), 1, 100, 0});  // 0
  lots.open(Buy{day_of(2025, 2, 1), 1, 100, 0});  // 1: same basis, acquired earlier
  lots.open(Buy{day_of(2025, 2, 1), 1, 90, 0});   // 2: same day as 1, bought after it
  const auto order_of = [&](CloseMethod method) {
    Lots copy = lots;
    std::vector<RealisedLine> out;
    REQUIRE(!copy.close(Sale{day_of(2025, 3, 1), 3, 95, 0}, method, {}, TermRule{}, out));
    std::vector<LotId> order;
    for (const RealisedLine& line : out) order.push_back(line.lot);
    return order;
  };
  CHECK(order_of(CloseMethod::fifo) == std::vector<LotId>{1, 2, 0});
  CHECK(order_of(CloseMethod::hifo) == std::vector<LotId>{1, 0, 2});
  // Losses of 5 on lots 1 and 0 (same term): the earlier first; then the gain.
  CHECK(order_of(CloseMethod::min_tax) == std::vector<LotId>{1, 0, 2});
}

TEST_CASE("a lot closed in parts keeps its id, and its basis follows the units") {
  Lots lots;
  lots.open(Buy{day_of(2025, 1, 2), 10, 50, 10});  // 51 a unit
  std::vector<RealisedLine> out;
  REQUIRE(!lots.close(Sale{day_of(2025, 2, 3), 4, 60, 0}, CloseMethod::fifo, {}, TermRule{}, out));
  check_held(lots, {{0, 6}});
  REQUIRE(!lots.close(Sale{day_of(2025, 2, 4), 4, 40, 2}, CloseMethod::hifo, {}, TermRule{}, out));
  check_held(lots, {{0, 2}});
  REQUIRE(!lots.close(Sale{day_of(2025, 2, 5), 2, 55, 0}, CloseMethod::min_tax, {}, TermRule{}, out));
  CHECK(lots.lots().empty());
  REQUIRE(out.size() == 3);
  CHECK(out[0].basis == Approx(204));
  CHECK(out[0].gain == Approx(36));
  CHECK(out[1].proceeds == Approx(158));
  CHECK(out[1].gain == Approx(-46));
  CHECK(out[2].gain == Approx(8));
  for (const RealisedLine& line : out) CHECK(line.lot == 0);
}

TEST_CASE("a sale's proceeds are shared pro rata to quantity and add up to its net proceeds") {
  Lots lots;
  lots.open(Buy{day_of(2025, 1, 2), 1, 10, 0});
  lots.open(Buy{day_of(2025, 1, 3), 2, 10, 0});
  lots.open(Buy{day_of(2025, 1, 4), 4, 10, 0});
  std::vector<RealisedLine> out;
  REQUIRE(!lots.close(Sale{day_of(2025, 2, 3), 7, 3.3, 1.1}, CloseMethod::fifo, {}, TermRule{}, out));
  REQUIRE(out.size() == 3);
  const double net = 7 * 3.3 - 1.1;
  CHECK(out[0].proceeds == Approx(net / 7));
  CHECK(out[1].proceeds == Approx(net * 2 / 7));
  CHECK(out[2].proceeds == Approx(net * 4 / 7));
  CHECK(out[0].proceeds + out[1].proceeds + out[2].proceeds == Approx(net).epsilon(1e-15));
}

TEST_CASE("specific identification closes the named lots, in the order named") {
  Lots lots = three_lots();
  std::vector<RealisedLine> out;
  const std::vector<SpecificLot> named{{2, 4}, {0, 6}};
  REQUIRE(!lots.close(Sale{kSaleDay, 10, 110, 0}, CloseMethod::specific, named, TermRule{}, out));
  REQUIRE(out.size() == 2);
  check_line(out[0], 2, 4, 440, 432, Term::short_term);
  check_line(out[1], 0, 6, 660, 603, Term::long_term);
  check_held(lots, {{0, 4}, {1, 10}, {2, 6}});
  const std::vector<SpecificLot> whole{{1, 10}};
  REQUIRE(!lots.close(Sale{kSaleDay, 10, 110, 0}, CloseMethod::specific, whole, TermRule{}, out));
  check_held(lots, {{0, 4}, {2, 6}});
}

TEST_CASE("a specific sale naming lots wrongly changes nothing") {
  const Sale sale{kSaleDay, 10, 110, 0};
  const auto refusal = [&](std::vector<SpecificLot> named) {
    Lots lots = three_lots();
    std::vector<RealisedLine> out;
    const std::optional<LotRefusal> refused = lots.close(sale, CloseMethod::specific, named, TermRule{}, out);
    CHECK(out.empty());
    check_held(lots, {{0, 10}, {1, 10}, {2, 10}});
    return refused;
  };
  CHECK(refusal({{9, 10}}) == LotRefusal::unknown_lot);
  CHECK(refusal({{0, 5}, {0, 5}}) == LotRefusal::lot_named_twice);
  CHECK(refusal({{0, 11}}) == LotRefusal::more_than_lot_holds);
  CHECK(refusal({{0, 5}, {1, 4}}) == LotRefusal::specific_mismatch);
  CHECK(refusal({{0, 5}, {1, 6}}) == LotRefusal::specific_mismatch);
  CHECK(refusal({}) == LotRefusal::specific_mismatch);
  CHECK(refusal({{0, 0}, {1, 10}}) == LotRefusal::bad_quantity);
  CHECK(refusal({{0, std::nan("")}}) == LotRefusal::bad_quantity);
}

TEST_CASE("a bad sale or one of more than is held changes nothing") {
  const auto refusal = [](const Sale& sale, CloseMethod method) {
    Lots lots = three_lots();
    std::vector<RealisedLine> out;
    const std::optional<LotRefusal> refused = lots.close(sale, method, {}, TermRule{}, out);
    CHECK(out.empty());
    check_held(lots, {{0, 10}, {1, 10}, {2, 10}});
    return refused;
  };
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (CloseMethod method : {CloseMethod::fifo, CloseMethod::hifo, CloseMethod::min_tax}) {
    CHECK(refusal(Sale{kSaleDay, 31, 110, 0}, method) == LotRefusal::not_enough_held);
    CHECK(refusal(Sale{kSaleDay, 0, 110, 0}, method) == LotRefusal::bad_quantity);
    CHECK(refusal(Sale{kSaleDay, -1, 110, 0}, method) == LotRefusal::bad_quantity);
    CHECK(refusal(Sale{kSaleDay, nan, 110, 0}, method) == LotRefusal::bad_quantity);
    CHECK(refusal(Sale{kSaleDay, 1, 0, 0}, method) == LotRefusal::bad_price);
    CHECK(refusal(Sale{kSaleDay, 1, nan, 0}, method) == LotRefusal::bad_price);
    CHECK(refusal(Sale{kSaleDay, 1, 110, -0.01}, method) == LotRefusal::bad_costs);
  }
  Lots empty;
  std::vector<RealisedLine> out;
  CHECK(empty.close(Sale{kSaleDay, 1, 110, 0}, CloseMethod::fifo, {}, TermRule{}, out) == LotRefusal::not_enough_held);
}

TEST_CASE("selling what is held, give or take binary noise, closes every lot") {
  Lots lots;
  lots.open(Buy{day_of(2025, 1, 2), 0.1, 10, 0});
  lots.open(Buy{day_of(2025, 1, 3), 0.2, 10, 0});
  std::vector<RealisedLine> out;
  REQUIRE(!lots.close(Sale{day_of(2025, 2, 3), 0.3, 10, 0}, CloseMethod::fifo, {}, TermRule{}, out));
  CHECK(lots.lots().empty());
  CHECK(out.size() == 2);
}

TEST_CASE("a sale's term follows the rule it is given") {
  Lots lots;
  lots.open(Buy{day_of(2025, 1, 31), 1, 10, 0});
  std::vector<RealisedLine> out;
  Lots copy = lots;
  REQUIRE(!lots.close(Sale{day_of(2025, 8, 1), 1, 12, 0}, CloseMethod::fifo, {}, TermRule{6}, out));
  REQUIRE(!copy.close(Sale{day_of(2025, 8, 1), 1, 12, 0}, CloseMethod::fifo, {}, TermRule{}, out));
  CHECK(out[0].term == Term::long_term);
  CHECK(out[1].term == Term::short_term);
}

TEST_CASE("a wash-sale adjustment of part of a lot splits it; of all of it, changes it") {
  Lots lots;
  lots.open(Buy{day_of(2025, 3, 1), 10, 8, 0});  // 0
  lots.open(Buy{day_of(2025, 3, 2), 10, 9, 0});  // 1
  const std::optional<LotId> piece = lots.adjust_for_wash_sale(0, 4, 2.5, day_of(2025, 1, 20));
  REQUIRE(piece == 2);
  check_held(lots, {{0, 6}, {2, 4}, {1, 10}});
  const Lot& split = lots.lots()[1];
  CHECK(split.purchase == 0);
  CHECK(split.acquired == day_of(2025, 3, 1));
  CHECK(split.holding_from == day_of(2025, 1, 20));
  CHECK(split.basis_per_unit() == Approx(10.5));
  CHECK(lots.lots()[0].basis_per_unit() == 8);
  CHECK(lots.lots()[0].holding_from == day_of(2025, 3, 1));

  CHECK(lots.adjust_for_wash_sale(1, 10, 1, day_of(2025, 2, 1)) == 1);
  CHECK(lots.find(1)->basis_per_unit() == 10);
  CHECK(lots.find(1)->holding_from == day_of(2025, 2, 1));

  CHECK(!lots.adjust_for_wash_sale(7, 1, 1, 0));
  CHECK(!lots.adjust_for_wash_sale(0, 6.5, 1, 0));
  CHECK(!lots.adjust_for_wash_sale(0, 1, -1, 0));
  CHECK(!lots.adjust_for_wash_sale(0, 0, 1, 0));
  check_held(lots, {{0, 6}, {2, 4}, {1, 10}});
}

TEST_CASE("lots restored from a state file keep their ids and the next id follows them") {
  std::vector<Lot> kept{{5, 10, 0, 3, 3, day_of(2025, 1, 2), day_of(2025, 1, 2)},
                        {2, 11, 1.5, 7, 3, day_of(2025, 1, 9), day_of(2024, 12, 1)}};
  std::optional<Lots> lots = Lots::restore(kept);
  REQUIRE(lots);
  CHECK(std::vector<Lot>(lots->lots().begin(), lots->lots().end()) == kept);
  CHECK(lots->next_id() == 8);
  CHECK(lots->open(Buy{day_of(2025, 2, 1), 1, 1, 0}).lot == 8);
  CHECK(Lots::restore({})->next_id() == 0);

  auto broken = [&](auto change) {
    std::vector<Lot> copy = kept;
    change(copy);
    return !Lots::restore(copy);
  };
  CHECK(broken([](std::vector<Lot>& l) { l[1].id = 3; }));
  CHECK(broken([](std::vector<Lot>& l) { l[0].quantity = 0; }));
  CHECK(broken([](std::vector<Lot>& l) { l[0].cost_per_unit = std::nan(""); }));
  CHECK(broken([](std::vector<Lot>& l) { l[0].wash_adjustment_per_unit = -1; }));
  CHECK(broken([](std::vector<Lot>& l) { l[0].holding_from = l[0].acquired + 1; }));
}

TEST_CASE("realised lines add up per year and term, disallowed losses not counted") {
  std::vector<RealisedLine> lines(4);
  lines[0] = {0, 0, 10, day_of(2023, 1, 1), day_of(2023, 1, 1), day_of(2024, 12, 30), 1000, 1200, -200,
              Term::short_term, 150};
  lines[1] = {1, 1, 5, day_of(2020, 1, 1), day_of(2020, 1, 1), day_of(2024, 6, 1), 500, 300, 200, Term::long_term, 0};
  lines[2] = {2, 2, 1, day_of(2024, 12, 1), day_of(2024, 12, 1), day_of(2025, 1, 2), 100, 90, 10, Term::short_term, 0};
  lines[3] = {3, 3, 1, day_of(2024, 1, 1), day_of(2024, 1, 1), day_of(2024, 2, 1), 50, 40, 10, Term::short_term, 0};
  const std::vector<YearTotals> totals = totals_by_year(lines);
  REQUIRE(totals.size() == 2);
  CHECK(totals[0] == YearTotals{2024, TermTotals{1050, 1240, 150, -40}, TermTotals{500, 300, 0, 200}});
  CHECK(totals[1] == YearTotals{2025, TermTotals{100, 90, 0, 10}, TermTotals{}});
  CHECK(lines[0].reported_gain() == -50);
  CHECK(totals_by_year({}).empty());
}

TEST_CASE("close methods and refusals have names") {
  for (CloseMethod m : {CloseMethod::fifo, CloseMethod::hifo, CloseMethod::min_tax, CloseMethod::specific}) {
    CHECK(parse_close_method(to_string(m)) == m);
  }
  CHECK(to_string(CloseMethod::min_tax) == "min_tax");
  CHECK(!parse_close_method("lifo"));
  CHECK(!parse_close_method("FIFO"));
  CHECK(!parse_close_method(""));
  CHECK(to_string(LotRefusal::not_enough_held) == "not_enough_held");
}

TEST_CASE("the units a method sells before it reaches a short-term gain") {
  // At 109.80 net on 2025-03-01: lot 0 a long-term gain, lot 1 a short-term
  // loss, lot 2 (bought 2025-01-15 at 108) a short-term gain.
  const Lots lots = three_lots();
  const TermRule rule;
  // fifo: lots 0 and 1, then lot 2.
  CHECK(lots.units_before_short_term_gain(CloseMethod::fifo, 109.80, kSaleDay, rule) == 20);
  // hifo: lot 1 (120), then lot 2 (108) stops it: lot 0 (100.50) comes after.
  CHECK(lots.units_before_short_term_gain(CloseMethod::hifo, 109.80, kSaleDay, rule) == 10);
  // min_tax: the loss, the long-term gain, then the short-term gain.
  CHECK(lots.units_before_short_term_gain(CloseMethod::min_tax, 109.80, kSaleDay, rule) == 20);
  // min_tax at 37% short-term and 20% long-term: the loss (10.20 × 37% =
  // −3.774), then the short-term gain (1.80 × 37% = 0.666) before the
  // long-term one (9.30 × 20% = 1.86): it stops at once after the loss.
  CHECK(lots.units_before_short_term_gain(CloseMethod::min_tax, 109.80, kSaleDay, rule, TaxRates{0.37, 0.20}) == 10);
  // At 107 lot 2 is a loss too: nothing stops any method.
  CHECK(lots.units_before_short_term_gain(CloseMethod::hifo, 107, kSaleDay, rule) == 30);
  // A year on, every lot is long-term.
  CHECK(lots.units_before_short_term_gain(CloseMethod::fifo, 200, day_of(2026, 1, 16), rule) == 30);
}

TEST_CASE("choose names the lots and units a sale by a method would close, and a specific sale of them closes the same") {
  // Net 109.80 a unit: fifo takes lot 0 whole and 5 of lot 1; hifo lot 1
  // (120) whole and 5 of lot 2 (108); min_tax the loss (lot 1) first, then
  // the long-term gain (lot 0).
  const Lots lots = three_lots();
  const auto fifo = lots.choose(CloseMethod::fifo, 15, 109.8, kSaleDay, TermRule{});
  REQUIRE(fifo);
  REQUIRE(fifo->size() == 2);
  CHECK((*fifo)[0].lot == 0);
  CHECK((*fifo)[0].quantity == 10);
  CHECK((*fifo)[1].lot == 1);
  CHECK((*fifo)[1].quantity == 5);
  const auto hifo = lots.choose(CloseMethod::hifo, 15, 109.8, kSaleDay, TermRule{});
  REQUIRE(hifo);
  REQUIRE(hifo->size() == 2);
  CHECK((*hifo)[0].lot == 1);
  CHECK((*hifo)[1].lot == 2);
  CHECK((*hifo)[1].quantity == 5);
  const auto min_tax = lots.choose(CloseMethod::min_tax, 15, 109.8, kSaleDay, TermRule{});
  REQUIRE(min_tax);
  REQUIRE(min_tax->size() == 2);
  CHECK((*min_tax)[0].lot == 1);
  CHECK((*min_tax)[0].quantity == 10);
  CHECK((*min_tax)[1].lot == 0);
  CHECK((*min_tax)[1].quantity == 5);
  CHECK_FALSE(lots.choose(CloseMethod::fifo, 30.5, 109.8, kSaleDay, TermRule{}));
  CHECK_FALSE(lots.choose(CloseMethod::fifo, 0, 109.8, kSaleDay, TermRule{}));
  CHECK_FALSE(lots.choose(CloseMethod::specific, 5, 109.8, kSaleDay, TermRule{}));

  // Closed by name, the fifo choice gives the fifo sale's lines.
  Lots by_method = three_lots();
  Lots by_name = three_lots();
  std::vector<RealisedLine> a, b;
  REQUIRE_FALSE(by_method.close(kSale, CloseMethod::fifo, {}, TermRule{}, a));
  REQUIRE_FALSE(by_name.close(kSale, CloseMethod::specific, *fifo, TermRule{}, b));
  REQUIRE(a.size() == 2);
  REQUIRE(b.size() == 2);
  // Lot 0: 10 of 15 units of 1,647 = 1,098 against 1,005; lot 1: 549 against 600.
  check_line(b[0], 0, 10, 1098, 1005, Term::long_term);
  check_line(b[1], 1, 5, 549, 600, Term::short_term);
  CHECK(a[0].proceeds == b[0].proceeds);
  CHECK(a[1].proceeds == b[1].proceeds);
  CHECK(by_method.lots().size() == by_name.lots().size());
}

}  // namespace test_lots
