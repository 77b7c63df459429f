// The desk hands the account's model's tax rates to its lots: a min_tax sale
// closes the lot whose sale saves the most tax, and avoid_short_term_gains
// cuts at the first short-term gain in that order. Worked by hand.
// One account, 60 AAA and 40 BBB at 100 on a 50/50 model with a 5-point
// band: it sells 10 AAA and buys 10 BBB on 2026-03-14.
#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "fleet/fleet_desk.hpp"
#include "fleet_test_support.hpp"

namespace test_fleet_desk_tax_rates {

using namespace ballast;
using namespace ballast::fleet;
using ballast::fleet::test::aaa_bbb;
using ballast::fleet::test::simple_model;
using core::FillStatus;
using core::Side;

namespace {

constexpr core::SymbolId kA = 0;  // AAA
const core::TimeNs t0 = core::parse_iso8601("2026-03-14T15:00:00Z").value();
const std::string kSell = "fleet-20260314-000001";
const tax::TaxRates kRates{0.37, 0.20};

struct Desk {
  Desk(std::optional<tax::TaxRates> rates, bool avoid_short_term_gains) : desk(make(rates, avoid_short_term_gains)) {}
  core::SymbolTable symbols = aaa_bbb();
  std::uint64_t seq = 1;
  FleetDesk desk;

  FleetDesk make(std::optional<tax::TaxRates> rates, bool avoid_short_term_gains) {
    AccountBook book(2);
    Model m = simple_model({0.5, 0.5}, 0.05);
    m.tax_rates = rates;
    m.avoid_short_term_gains = avoid_short_term_gains;
    REQUIRE_FALSE(book.add_model(m));
    REQUIRE_FALSE(book.add_account("acct", 0, 0, std::vector<double>{60, 40}));
    return FleetDesk(FleetMonitor(std::move(book), {100, 100}, Fills::on_settle), symbols,
                     DeskOptions{.window = 0, .book_on_send = false}, [this] { return seq++; });
  }
};

AccountRecord min_tax_lots(std::vector<RecordLot> lots) {
  AccountRecord r;
  r.id = "acct";
  r.lot_method = tax::CloseMethod::min_tax;
  r.lots = std::move(lots);
  return r;
}

/// The realised line of selling the 10 AAA at 100.
tax::RealisedLine sell_ten(std::optional<tax::TaxRates> rates) {
  // 30 AAA bought 2025-01-10 at 101.50: long-term, a loss of 1.50 a unit
  // that saves 1.50 × 20% = 0.30; 30 bought 2026-01-05 at 101: short-term,
  // a loss of 1.00 a unit that saves 1.00 × 37% = 0.37.
  Desk d(rates, false);
  REQUIRE_FALSE(d.desk.set_lots(0, min_tax_lots({{"AAA", 30, 101.5, tax::day_of(2025, 1, 10), tax::day_of(2025, 1, 10), 0},
                                                  {"AAA", 30, 101, tax::day_of(2026, 1, 5), tax::day_of(2026, 1, 5), 0}})));
  DeskOutput out;
  d.desk.resync(t0, out);
  REQUIRE(out.orders.size() == 2);
  REQUIRE(out.orders[0].order_id == kSell);
  DeskOutput filled;
  REQUIRE(d.desk.on_fill({kSell, FillStatus::filled, 10, 100, t0}, t0, filled).result == DeskFill::Result::applied);
  REQUIRE(filled.realised.size() == 1);
  CHECK(filled.realised[0].symbol == kA);
  return filled.realised[0].line;
}

/// What is left of the sell of 10 AAA when the model avoids short-term gains.
double sell_cut_to(std::optional<tax::TaxRates> rates) {
  // 5 AAA bought 2025-01-10 at 90: long-term, a gain of 10 a unit taxed
  // 10 × 20% = 2.00; 55 bought 2026-01-05 at 99: short-term, a gain of 1 a
  // unit taxed 1 × 37% = 0.37.
  Desk d(rates, true);
  REQUIRE_FALSE(d.desk.set_lots(0, min_tax_lots({{"AAA", 5, 90, tax::day_of(2025, 1, 10), tax::day_of(2025, 1, 10), 0},
                                                  {"AAA", 55, 99, tax::day_of(2026, 1, 5), tax::day_of(2026, 1, 5), 0}})));
  DeskOutput out;
  d.desk.resync(t0, out);
  double sold = 0;
  for (const auto& o : out.orders) {
    if (o.block.side == Side::sell) sold += o.block.quantity();
  }
  return sold;
}

}  // namespace

TEST_CASE("with its model's rates a min_tax sale closes the short-term loss, which saves more tax") {
  const tax::RealisedLine line = sell_ten(kRates);
  CHECK(line.term == tax::Term::short_term);
  CHECK(line.gain == doctest::Approx(-10));  // 10 × (100 − 101)
}

TEST_CASE("without rates a min_tax sale closes the larger loss per unit, the long-term one") {
  const tax::RealisedLine line = sell_ten(std::nullopt);
  CHECK(line.term == tax::Term::long_term);
  CHECK(line.gain == doctest::Approx(-15));  // 10 × (100 − 101.50)
}

TEST_CASE("avoiding short-term gains stops at the first short-term gain of the order the rates give") {
  // Without rates the long-term gain comes first: 5 sold. With them the
  // short-term gain, taxed less, comes first: nothing is sold.
  CHECK(sell_cut_to(std::nullopt) == 5);
  CHECK(sell_cut_to(kRates) == 0);
}

}  // namespace test_fleet_desk_tax_rates
