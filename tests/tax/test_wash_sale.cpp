#include <doctest/doctest.h>

#include <vector>

#include "tax/wash_sale.hpp"
#include "tests/tax/tax_test_support.hpp"

namespace test_wash_sale {

using namespace ballast;
using namespace ballast::tax;
using doctest::Approx;
using tax::test::Trades;

namespace {

constexpr core::SymbolId kX = 0;
constexpr core::SymbolId kVti = 1;
constexpr core::SymbolId kItot = 2;
constexpr HouseholdIndex kHome = 0;
constexpr HouseholdIndex kOther = 1;
constexpr AccountIndex kTaxable = 0;
constexpr AccountIndex kSpouse = 1;     // in kHome too
constexpr AccountIndex kNeighbour = 2;  // in kOther

const Lot& only_lot(Trades& t, AccountIndex account, core::SymbolId symbol, LotId id) {
  const Lot* lot = t.holding(account, symbol).find(id);
  REQUIRE(lot != nullptr);
  return *lot;
}

}  // namespace

// IRS Publication 550, "Wash Sales", Example 1: "You buy 100 shares of X
// stock for $1,000. You sell these shares for $750 and within 30 days from
// the sale you buy 100 shares of the same stock for $800." The $250 loss is
// disallowed and the new shares' basis is $800 + $250 = $1,050.
TEST_CASE("Publication 550 example 1: the whole loss moves into the replacement's basis") {
  Trades t;
  t.buy(kHome, kTaxable, kX, day_of(2023, 1, 3), 100, 10);
  const std::size_t line = t.sell(kHome, kTaxable, kX, day_of(2023, 3, 1), 100, 7.5);
  CHECK(t.last_matches.empty());
  CHECK(t.lines[line].gain == Approx(-250));
  const LotId replacement = t.buy(kHome, kTaxable, kX, day_of(2023, 3, 20), 100, 8);
  REQUIRE(t.last_matches.size() == 1);
  CHECK(t.last_matches[0].quantity == 100);
  CHECK(t.last_matches[0].disallowed == Approx(250));
  CHECK(t.lines[line].wash_disallowed == Approx(250));
  CHECK(t.lines[line].reported_gain() == Approx(0));
  const Lot& lot = only_lot(t, kTaxable, kX, replacement);
  CHECK(lot.quantity == 100);
  CHECK(lot.quantity * lot.basis_per_unit() == Approx(1050));
  CHECK(lot.wash_adjustment_per_unit == Approx(2.5));
  // The sold shares were held 57 days (from 2023-01-03 to 2023-03-01): the
  // replacement's holding period starts 57 days before its purchase.
  CHECK(lot.acquired == day_of(2023, 3, 20));
  CHECK(lot.holding_from == day_of(2023, 1, 22));
  // Sold later, the replacement realises the deferred loss.
  const std::size_t later = t.sell(kHome, kTaxable, kX, day_of(2023, 6, 1), 100, 9);
  CHECK(t.lines[later].gain == Approx(900 - 1050));
  CHECK(t.lines[later].basis == Approx(1050));
}

// IRS Publication 550 (2025), "Wash Sales", "More or less stock bought than
// sold", Example 1: 100 shares bought 2024-09-20 for $5,000; 50 substantially
// identical shares bought 2024-12-13 for $2,750 and 25 more on 2024-12-20 for
// $1,125; the September shares sold on 2025-01-03 for $4,000. The loss is
// $1,000; the replacements were bought in the 30 days before the sale, so the
// loss on 75 shares ($750) is disallowed and $250 is deductible. The new
// bases are $2,750 + $500 = $3,250 and $1,125 + $250 = $1,375.
TEST_CASE("Publication 550, more or less stock, example 1: replacements bought before the sale take 75 of its 100 shares") {
  Trades t;
  t.buy(kHome, kTaxable, kX, day_of(2024, 9, 20), 100, 50);
  const LotId december_13 = t.buy(kHome, kTaxable, kX, day_of(2024, 12, 13), 50, 55);
  const LotId december_20 = t.buy(kHome, kTaxable, kX, day_of(2024, 12, 20), 25, 45);
  // First in, first out: the sale closes the September lot, as in the example.
  const std::size_t line = t.sell(kHome, kTaxable, kX, day_of(2025, 1, 3), 100, 40);
  REQUIRE(t.lines.size() == line + 1);
  CHECK(t.lines[line].gain == Approx(-1000));
  CHECK(t.lines[line].wash_disallowed == Approx(750));
  CHECK(t.lines[line].reported_gain() == Approx(-250));
  const Lots& lots = t.holding(kTaxable, kX);
  CHECK(lots.find(december_13)->quantity * lots.find(december_13)->basis_per_unit() == Approx(3250));
  CHECK(lots.find(december_20)->quantity * lots.find(december_20)->basis_per_unit() == Approx(1375));
  CHECK(lots.lots().size() == 2);
}

// Publication 550 (2025), "More or less stock bought than sold", Example 2:
// 100 shares bought 2024-09-16 for $2,000 are sold on 2025-01-29 for $1,000;
// 50 substantially identical shares are bought on each of the 4 days from
// 2025-02-03 through 2025-02-06, for $500 each time. The whole $1,000 loss is
// disallowed: $500 goes to the basis of the shares of February 3 and $500 to
// those of February 4, matched in the order bought; the others keep their cost.
TEST_CASE("Publication 550, more or less stock, example 2: replacement shares are matched in the order bought") {
  Trades t;
  t.buy(kHome, kTaxable, kX, day_of(2024, 9, 16), 100, 20);
  const std::size_t line = t.sell(kHome, kTaxable, kX, day_of(2025, 1, 29), 100, 10);
  CHECK(t.lines[line].gain == Approx(-1000));
  CHECK(t.lines[line].term == Term::short_term);
  std::vector<LotId> bought;
  for (unsigned day = 3; day <= 6; ++day) bought.push_back(t.buy(kHome, kTaxable, kX, day_of(2025, 2, day), 50, 10));
  CHECK(t.lines[line].wash_disallowed == Approx(1000));
  CHECK(t.lines[line].reported_gain() == Approx(0));
  const Lots& lots = t.holding(kTaxable, kX);
  CHECK(lots.find(bought[0])->quantity * lots.find(bought[0])->basis_per_unit() == Approx(500 + 500));
  CHECK(lots.find(bought[1])->quantity * lots.find(bought[1])->basis_per_unit() == Approx(500 + 500));
  CHECK(lots.find(bought[2])->quantity * lots.find(bought[2])->basis_per_unit() == Approx(500));
  CHECK(lots.find(bought[3])->quantity * lots.find(bought[3])->basis_per_unit() == Approx(500));
  // The shares sold were held 135 days (2024-09-16 to 2025-01-29): each
  // replacement's holding period starts that long before its purchase; the
  // unmatched ones start on their own purchase day.
  CHECK(lots.find(bought[0])->holding_from == day_of(2024, 9, 21));
  CHECK(lots.find(bought[2])->holding_from == day_of(2025, 2, 5));
  CHECK(lots.lots().size() == 4);
}

// Publication 550 (2025), "Loss and gain on same day": 100 shares bought
// 2019-03-01 for $15,800, 100 on 2019-06-03 for $10,000 and 100 on 2019-09-03
// for $9,500 are all sold on 2024-12-27 for $37,500 ($125 a share), and 250
// substantially identical shares are bought on 2025-01-10. The $3,300 loss on
// the first block is disallowed; it may not reduce the gains on the other two
// blocks ($2,500 and $3,000), which are reported in full.
TEST_CASE("Publication 550, loss and gain on the same day: a washed loss does not reduce the other blocks' gains") {
  Trades t;
  t.buy(kHome, kTaxable, kX, day_of(2019, 3, 1), 100, 158);
  t.buy(kHome, kTaxable, kX, day_of(2019, 6, 3), 100, 100);
  t.buy(kHome, kTaxable, kX, day_of(2019, 9, 3), 100, 95);
  const std::size_t first = t.sell(kHome, kTaxable, kX, day_of(2024, 12, 27), 300, 125);
  REQUIRE(t.lines.size() == first + 3);
  CHECK(t.lines[first].gain == Approx(-3300));
  CHECK(t.lines[first + 1].gain == Approx(2500));
  CHECK(t.lines[first + 2].gain == Approx(3000));
  const LotId replacement = t.buy(kHome, kTaxable, kX, day_of(2025, 1, 10), 250, 125);
  CHECK(t.lines[first].wash_disallowed == Approx(3300));
  CHECK(t.lines[first].reported_gain() == Approx(0));
  CHECK(t.lines[first + 1].wash_disallowed == 0);
  CHECK(t.lines[first + 1].reported_gain() == Approx(2500));
  CHECK(t.lines[first + 2].reported_gain() == Approx(3000));
  // The disallowed loss goes to 100 of the 250 replacement shares ($33 a
  // share): they become a lot of their own; the other 150 keep their cost.
  const Lot& rest = only_lot(t, kTaxable, kX, replacement);
  CHECK(rest.quantity == 150);
  CHECK(rest.basis_per_unit() == 125);
  const Lots& lots = t.holding(kTaxable, kX);
  REQUIRE(lots.lots().size() == 2);
  double basis = 0;
  for (const Lot& l : lots.lots()) basis += l.quantity * l.basis_per_unit();
  CHECK(basis == Approx(250 * 125 + 3300));
  CHECK(lots.lots()[1].quantity == 100);
  CHECK(lots.lots()[1].basis_per_unit() == Approx(125 + 33));
}

TEST_CASE("a replacement larger than the loss sale takes the loss on as many units as were sold") {
  Trades t;
  t.buy(kHome, kTaxable, kX, day_of(2024, 1, 2), 100, 30);
  const std::size_t line = t.sell(kHome, kTaxable, kX, day_of(2024, 3, 1), 100, 20);
  const LotId bought = t.buy(kHome, kTaxable, kX, day_of(2024, 3, 5), 150, 21);
  CHECK(t.lines[line].wash_disallowed == Approx(1000));
  const Lots& lots = t.holding(kTaxable, kX);
  REQUIRE(lots.lots().size() == 2);
  // The lot bought keeps the 50 units that replace nothing; the 100 that do are split off.
  CHECK(lots.lots()[0].id == bought);
  CHECK(lots.lots()[0].quantity == 50);
  CHECK(lots.lots()[0].basis_per_unit() == 21);
  CHECK(lots.lots()[1].quantity == 100);
  CHECK(lots.lots()[1].basis_per_unit() == Approx(31));
  CHECK(lots.lots()[1].purchase == bought);
  CHECK(lots.lots()[1].holding_from == day_of(2024, 1, 6));
  // The 50 plain units can still replace a later loss; the 100 cannot.
  CHECK(t.ledger.replacement_units(kHome, kX, day_of(2024, 3, 10)) == 50);
}

TEST_CASE("a replacement bought before the loss sale washes it, its holding period starting with the sold lot's") {
  Trades t;
  t.buy(kHome, kTaxable, kX, day_of(2024, 1, 2), 100, 10);
  const LotId replacement = t.buy(kHome, kTaxable, kX, day_of(2024, 3, 1), 100, 8);
  const std::size_t line = t.sell(kHome, kTaxable, kX, day_of(2024, 3, 15), 100, 7);  // fifo: the January lot
  REQUIRE(t.lines[line].gain == Approx(-300));
  REQUIRE(t.last_matches.size() == 1);
  CHECK(t.last_matches[0].replacement_lot == replacement);
  CHECK(t.lines[line].wash_disallowed == Approx(300));
  const Lot& lot = only_lot(t, kTaxable, kX, replacement);
  CHECK(lot.basis_per_unit() == Approx(11));
  // Held together from January: no day of the overlap counts twice.
  CHECK(lot.holding_from == day_of(2024, 1, 2));
}

TEST_CASE("the units of the lot sold at a loss never replace themselves") {
  SUBCASE("the whole lot") {
    Trades t;
    t.buy(kHome, kTaxable, kX, day_of(2024, 3, 1), 100, 10);
    const std::size_t line = t.sell(kHome, kTaxable, kX, day_of(2024, 3, 10), 100, 9);
    CHECK(t.last_matches.empty());
    CHECK(t.lines[line].wash_disallowed == 0);
  }
  SUBCASE("part of the lot, the rest still held") {
    Trades t;
    t.buy(kHome, kTaxable, kX, day_of(2024, 3, 1), 100, 10);
    const std::size_t line = t.sell(kHome, kTaxable, kX, day_of(2024, 3, 10), 50, 9);
    CHECK(t.last_matches.empty());
    CHECK(t.lines[line].wash_disallowed == 0);
    // A new buy inside the window is a replacement.
    t.buy(kHome, kTaxable, kX, day_of(2024, 3, 20), 50, 9.5);
    CHECK(t.lines[line].wash_disallowed == Approx(50));
  }
}

TEST_CASE("units sold before the loss sale replace nothing") {
  Trades t;
  t.buy(kHome, kTaxable, kX, day_of(2024, 1, 2), 100, 10);
  const LotId short_lived = t.buy(kHome, kTaxable, kX, day_of(2024, 3, 1), 10, 8);
  t.sell(kHome, kTaxable, kX, day_of(2024, 3, 5), 10, 9, CloseMethod::specific, {{short_lived, 10}});
  const std::size_t line = t.sell(kHome, kTaxable, kX, day_of(2024, 3, 10), 100, 7);
  CHECK(t.last_matches.empty());
  CHECK(t.lines[line].wash_disallowed == 0);
  CHECK(t.ledger.replacement_units(kHome, kX, day_of(2024, 3, 10)) == 0);
}

TEST_CASE("a buy in another account of the household washes the loss, in that account's lot") {
  Trades t;
  t.buy(kHome, kTaxable, kX, day_of(2024, 1, 2), 100, 10);
  const std::size_t line = t.sell(kHome, kTaxable, kX, day_of(2024, 3, 1), 100, 8);
  const LotId bought = t.buy(kHome, kSpouse, kX, day_of(2024, 3, 4), 100, 8.2);
  REQUIRE(t.last_matches.size() == 1);
  CHECK(t.last_matches[0].loss_account == kTaxable);
  CHECK(t.last_matches[0].replacement_account == kSpouse);
  CHECK(t.lines[line].wash_disallowed == Approx(200));
  CHECK(only_lot(t, kSpouse, kX, bought).basis_per_unit() == Approx(10.2));
  CHECK(t.holding(kTaxable, kX).lots().empty());
}

TEST_CASE("a buy in another household washes nothing") {
  Trades t;
  t.buy(kHome, kTaxable, kX, day_of(2024, 1, 2), 100, 10);
  const std::size_t line = t.sell(kHome, kTaxable, kX, day_of(2024, 3, 1), 100, 8);
  CHECK(!t.ledger.would_wash(kOther, kX, day_of(2024, 3, 4), 100).washes());
  const LotId bought = t.buy(kOther, kNeighbour, kX, day_of(2024, 3, 4), 100, 8.2);
  CHECK(t.last_matches.empty());
  CHECK(t.lines[line].wash_disallowed == 0);
  CHECK(only_lot(t, kNeighbour, kX, bought).basis_per_unit() == 8.2);
  // Nor does a neighbour's earlier buy wash a later loss here.
  t.buy(kHome, kTaxable, kX, day_of(2024, 4, 15), 10, 8);
  t.buy(kOther, kNeighbour, kX, day_of(2024, 5, 1), 10, 8);
  t.sell(kHome, kTaxable, kX, day_of(2024, 5, 2), 10, 7);
  CHECK(t.last_matches.empty());
}

TEST_CASE("a sale at a gain is never a wash sale") {
  Trades t;
  t.buy(kHome, kTaxable, kX, day_of(2024, 1, 2), 100, 10);
  const std::size_t line = t.sell(kHome, kTaxable, kX, day_of(2024, 3, 1), 100, 12);
  CHECK(!t.ledger.would_wash(kHome, kX, day_of(2024, 3, 2), 100).washes());
  const LotId bought = t.buy(kHome, kTaxable, kX, day_of(2024, 3, 2), 100, 12);
  CHECK(t.last_matches.empty());
  CHECK(t.lines[line].wash_disallowed == 0);
  CHECK(only_lot(t, kTaxable, kX, bought).basis_per_unit() == 12);
  // Nor a sale at exactly its basis.
  t.sell(kHome, kTaxable, kX, day_of(2024, 3, 3), 100, 12);
  t.buy(kHome, kTaxable, kX, day_of(2024, 3, 4), 100, 11);
  CHECK(t.last_matches.empty());
}

TEST_CASE("the window is 30 days on each side of the sale: day 30 washes, day 31 does not") {
  const Day sale = day_of(2024, 3, 15);
  const auto washed_by_buy_on = [&](Day buy_day) {
    Trades t;
    t.buy(kHome, kTaxable, kX, day_of(2023, 6, 1), 100, 10);
    if (buy_day < sale) t.buy(kHome, kSpouse, kX, buy_day, 100, 9);
    const std::size_t line = t.sell(kHome, kTaxable, kX, sale, 100, 8);
    if (buy_day > sale) t.buy(kHome, kSpouse, kX, buy_day, 100, 9);
    return t.lines[line].wash_disallowed;
  };
  CHECK(washed_by_buy_on(day_of(2024, 4, 14)) == Approx(200));  // 30 days after
  CHECK(washed_by_buy_on(day_of(2024, 4, 15)) == 0);            // 31 days after
  CHECK(washed_by_buy_on(day_of(2024, 2, 14)) == Approx(200));  // 30 days before
  CHECK(washed_by_buy_on(day_of(2024, 2, 13)) == 0);            // 31 days before
  CHECK(washed_by_buy_on(sale + 1) == Approx(200));
}

TEST_CASE("only symbols declared substantially identical wash each other") {
  const auto harvest_vti_then_buy_itot = [](IdentityGroups groups) {
    Trades t(std::move(groups));
    t.buy(kHome, kTaxable, kVti, day_of(2024, 1, 2), 10, 250);
    const std::size_t line = t.sell(kHome, kTaxable, kVti, day_of(2024, 3, 1), 10, 240);
    t.buy(kHome, kTaxable, kItot, day_of(2024, 3, 2), 40, 60);
    return std::pair{t.lines[line].wash_disallowed, t.holding(kTaxable, kItot).lots().back().basis_per_unit()};
  };
  IdentityGroups declared;
  declared.declare_identical(kVti, kItot);
  const auto [washed, basis] = harvest_vti_then_buy_itot(declared);
  CHECK(washed == Approx(100));
  CHECK(basis == Approx(70));  // units match one for one: 10 of the 40 bought carry the $100 loss
  const auto [not_washed, plain_basis] = harvest_vti_then_buy_itot(IdentityGroups{});
  CHECK(not_washed == 0);
  CHECK(plain_basis == 60);
}

TEST_CASE("identity groups merge, and a symbol never declared is alone") {
  IdentityGroups groups;
  CHECK(groups.group_of(7) == 7);
  groups.declare_identical(1, 2);
  CHECK(groups.group_of(1) == groups.group_of(2));
  CHECK(groups.group_of(0) != groups.group_of(1));
  CHECK(groups.group_of(3) == 3);
  groups.declare_identical(5, 2);
  CHECK(groups.group_of(5) == groups.group_of(1));
  groups.declare_identical(8, 9);
  groups.declare_identical(9, 1);
  for (core::SymbolId s : {2u, 5u, 8u, 9u}) CHECK(groups.group_of(s) == groups.group_of(1));
  CHECK(groups.group_of(4) == 4);
  CHECK(groups.group_of(1000) == 1000);
}

TEST_CASE("each replacement unit absorbs one wash sale, and the earliest loss sale is washed first") {
  Trades t;
  t.buy(kHome, kTaxable, kX, day_of(2023, 1, 3), 200, 10);
  const std::size_t first = t.sell(kHome, kTaxable, kX, day_of(2024, 3, 1), 100, 8);
  const std::size_t second = t.sell(kHome, kTaxable, kX, day_of(2024, 3, 5), 100, 7);
  t.buy(kHome, kSpouse, kX, day_of(2024, 3, 10), 100, 7.5);
  CHECK(t.lines[first].wash_disallowed == Approx(200));
  CHECK(t.lines[second].wash_disallowed == 0);
  t.buy(kHome, kSpouse, kX, day_of(2024, 3, 12), 100, 7.5);
  CHECK(t.lines[second].wash_disallowed == Approx(300));
}

TEST_CASE("a replacement bought before two loss sales washes only the first") {
  Trades t;
  t.buy(kHome, kTaxable, kX, day_of(2023, 1, 3), 200, 10);
  const LotId replacement = t.buy(kHome, kSpouse, kX, day_of(2024, 2, 25), 100, 8.5);
  const std::size_t first = t.sell(kHome, kTaxable, kX, day_of(2024, 3, 1), 100, 8);
  const std::size_t second = t.sell(kHome, kTaxable, kX, day_of(2024, 3, 5), 100, 7);
  CHECK(t.lines[first].wash_disallowed == Approx(200));
  CHECK(t.lines[second].wash_disallowed == 0);
  CHECK(only_lot(t, kSpouse, kX, replacement).basis_per_unit() == Approx(10.5));
}

TEST_CASE("in a sale of lots at a gain and at a loss only the loss is washed") {
  Trades t;
  t.buy(kHome, kTaxable, kX, day_of(2024, 1, 2), 10, 10);
  t.buy(kHome, kTaxable, kX, day_of(2024, 1, 3), 10, 14);
  const std::size_t first = t.sell(kHome, kTaxable, kX, day_of(2024, 3, 1), 20, 12);
  REQUIRE(t.lines[first].gain == Approx(20));
  REQUIRE(t.lines[first + 1].gain == Approx(-20));
  const LotId bought = t.buy(kHome, kTaxable, kX, day_of(2024, 3, 2), 20, 12);
  REQUIRE(t.last_matches.size() == 1);
  CHECK(t.last_matches[0].loss_line == first + 1);
  CHECK(t.last_matches[0].quantity == 10);
  CHECK(t.lines[first].wash_disallowed == 0);
  CHECK(t.lines[first + 1].wash_disallowed == Approx(20));
  CHECK(t.holding(kTaxable, kX).find(bought)->quantity == 10);
  CHECK(t.ledger.replacement_units(kHome, kX, day_of(2024, 3, 3)) == 10);
}

TEST_CASE("would_wash tells which loss sales a buy would wash, and changes nothing") {
  Trades t;
  t.buy(kHome, kTaxable, kX, day_of(2023, 1, 3), 100, 10);
  const std::size_t line = t.sell(kHome, kTaxable, kX, day_of(2024, 3, 1), 100, 8);
  const std::size_t size = t.ledger.size();
  std::vector<WashMatch> matches;
  const WashPreview preview = t.ledger.would_wash(kHome, kX, day_of(2024, 3, 6), 60, &matches);
  CHECK(preview.washes());
  CHECK(preview.quantity == 60);
  CHECK(preview.disallowed == Approx(120));
  REQUIRE(matches.size() == 1);
  CHECK(matches[0].loss_line == line);
  CHECK(matches[0].loss_account == kTaxable);
  CHECK(matches[0].quantity == 60);
  CHECK(matches[0].holding_from == day_of(2023, 1, 8));
  CHECK(t.ledger.size() == size);
  CHECK(t.lines[line].wash_disallowed == 0);
  // A buy larger than the loss sale washes only as many units as were sold.
  CHECK(t.ledger.would_wash(kHome, kX, day_of(2024, 3, 6), 500).quantity == 100);
  CHECK(t.ledger.would_wash(kHome, kX, day_of(2024, 3, 6), 500).disallowed == Approx(200));
  CHECK(!t.ledger.would_wash(kHome, kX, day_of(2024, 4, 1), 60).washes());
  CHECK(!t.ledger.would_wash(kHome, kVti, day_of(2024, 3, 6), 60).washes());
  CHECK(!t.ledger.would_wash(kHome, kX, day_of(2024, 3, 6), 0).washes());
  // The buy itself then does what the preview said.
  t.buy(kHome, kSpouse, kX, day_of(2024, 3, 6), 60, 8);
  CHECK(t.lines[line].wash_disallowed == Approx(120));
}

TEST_CASE("a loss sale late in December washed by a January buy is disallowed in December's year") {
  Trades t;
  t.buy(kHome, kTaxable, kX, day_of(2024, 6, 3), 100, 10);
  t.sell(kHome, kTaxable, kX, day_of(2024, 12, 20), 100, 8);
  t.buy(kHome, kTaxable, kX, day_of(2025, 1, 6), 100, 8.5);
  t.sell(kHome, kTaxable, kX, day_of(2025, 3, 3), 100, 9);
  const std::vector<YearTotals> totals = totals_by_year(t.lines);
  REQUIRE(totals.size() == 2);
  CHECK(totals[0].year == 2024);
  CHECK(totals[0].short_term.gain == Approx(0));
  CHECK(totals[0].short_term.wash_disallowed == Approx(200));
  CHECK(totals[1].year == 2025);
  CHECK(totals[1].short_term.basis == Approx(1050));
  CHECK(totals[1].short_term.gain == Approx(-150));
}

TEST_CASE("the ledger forgets trades that nothing from a day on can match") {
  Trades t;
  t.buy(kHome, kTaxable, kX, day_of(2024, 1, 2), 100, 10);
  t.sell(kHome, kTaxable, kX, day_of(2024, 3, 1), 60, 8);
  CHECK(t.ledger.size() == 2);  // the buy's 40 units left and the loss
  t.ledger.forget_before(day_of(2024, 3, 31));
  CHECK(t.ledger.size() == 1);  // the loss on 2024-03-01 can still be washed on 2024-03-31
  CHECK(t.ledger.would_wash(kHome, kX, day_of(2024, 3, 31), 10).washes());
  t.ledger.forget_before(day_of(2024, 4, 1));
  CHECK(t.ledger.size() == 0);
}

// A restart: the ledger is rebuilt from what the lots and lines say, and
// goes on as the first one would have.
TEST_CASE("a ledger rebuilt from a loss line half washed disallows the rest of it, not more") {
  // 100 X bought at 10 and sold at 7.5 (−250); 40 bought back at 8 take 100
  // of it (40 × 2.5). Rebuilt: 60 units and 150 of loss wait.
  Trades t;
  t.buy(kHome, kTaxable, kX, day_of(2023, 1, 3), 100, 10);
  const std::size_t line = t.sell(kHome, kTaxable, kX, day_of(2023, 3, 1), 100, 7.5);
  t.buy(kHome, kTaxable, kX, day_of(2023, 3, 10), 40, 8);
  REQUIRE(t.lines[line].wash_disallowed == Approx(100));

  WashSaleLedger rebuilt;
  rebuilt.remember_loss(kHome, kTaxable, kX, t.lines[line], /*purchase=*/0, /*ref=*/line);
  std::vector<WashMatch> matches;
  rebuilt.record_buy(BuyRecord{kHome, kSpouse, kX, 0, day_of(2023, 3, 20), 100}, matches);
  REQUIRE(matches.size() == 1);
  CHECK(matches[0].loss_line == line);
  CHECK(matches[0].quantity == Approx(60));
  CHECK(matches[0].disallowed == Approx(150));
  // The sold units were held from 2023-01-03 to 2023-03-01 (57 days), tacked
  // on before the buy of 2023-03-20.
  CHECK(matches[0].holding_from == day_of(2023, 1, 22));
}

TEST_CASE("a rebuilt ledger keeps a remembered buy as a replacement for a later loss sale, and forgets a washed line") {
  WashSaleLedger rebuilt;
  // 30 X bought on 2023-02-20 and still held; a loss line disallowed in full is not kept.
  rebuilt.remember_buy(BuyRecord{kHome, kSpouse, kX, 3, day_of(2023, 2, 20), 30});
  RealisedLine washed;
  washed.quantity = 10;
  washed.gain = -50;
  washed.wash_disallowed = 50;
  washed.sold = day_of(2023, 2, 25);
  rebuilt.remember_loss(kHome, kTaxable, kX, washed, 0, 7);
  CHECK(rebuilt.size() == 1);

  // A loss of 20 units (−80) on 2023-03-01 is washed by 20 of the 30 remembered units.
  RealisedLine loss;
  loss.lot = loss.purchase = 1;
  loss.quantity = 20;
  loss.gain = -80;
  loss.acquired = loss.holding_from = day_of(2022, 12, 1);
  loss.sold = day_of(2023, 3, 1);
  std::vector<WashMatch> matches;
  rebuilt.record_sale(SaleRecord{kHome, kTaxable, kX, loss.sold, std::span<const RealisedLine>(&loss, 1), 9}, matches);
  REQUIRE(matches.size() == 1);
  CHECK(matches[0].replacement_account == kSpouse);
  CHECK(matches[0].replacement_lot == 3);
  CHECK(matches[0].quantity == Approx(20));
  CHECK(matches[0].disallowed == Approx(80));
  CHECK(rebuilt.replacement_units(kHome, kX, day_of(2023, 3, 2)) == Approx(10));
}

TEST_CASE("the ledger forgets an account's buys when its lots are replaced, and keeps its loss sales") {
  WashSaleLedger ledger;
  ledger.remember_buy(BuyRecord{kHome, kSpouse, kX, 3, day_of(2023, 2, 20), 30});
  ledger.remember_buy(BuyRecord{kHome, kTaxable, kX, 1, day_of(2023, 2, 21), 5});
  RealisedLine loss;
  loss.quantity = 10;
  loss.gain = -50;
  loss.sold = day_of(2023, 2, 25);
  ledger.remember_loss(kHome, kSpouse, kX, loss, 0, 7);
  ledger.forget_buys_of(kSpouse);
  CHECK(ledger.size() == 2);  // kTaxable's buy and kSpouse's loss
  CHECK(ledger.replacement_units(kHome, kX, day_of(2023, 2, 25)) == Approx(5));
  // The loss still waits for a replacement.
  std::vector<WashMatch> matches;
  ledger.record_buy(BuyRecord{kHome, kSpouse, kX, 9, day_of(2023, 3, 1), 10}, matches);
  REQUIRE(matches.size() == 1);
  CHECK(matches[0].loss_line == 7);
}

}  // namespace test_wash_sale
