// Tax-loss harvesting in the desk, and buys kept from washing a loss. Worked
// by hand. The model: VTI 60% with ITOT as its substitute (target 0), BND
// 40%, a 5-point band; harvest a holding when its lots at a loss of at least
// 5% of their basis lose at least 100 in all, no costs. One account holds 60
// VTI, in one lot bought 2026-02-02 at 120, and 40 BND.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "fleet/fleet_desk.hpp"
#include "fleet_test_support.hpp"

namespace test_fleet_desk_harvest {

using namespace ballast;
using namespace ballast::fleet;
using ballast::fleet::test::simple_model;
using core::FillStatus;
using core::Side;

namespace {

constexpr core::SymbolId kVti = 0;
constexpr core::SymbolId kItot = 1;
constexpr core::SymbolId kBnd = 2;
const core::TimeNs t0 = core::parse_iso8601("2026-03-14T15:00:00Z").value();
constexpr core::TimeNs kDay = core::kNanosPerDay;

core::SymbolTable symbols3() {
  core::SymbolTable t;
  t.intern("VTI");
  t.intern("ITOT");
  t.intern("BND");
  return t;
}

Model harvest_model(double cost_fraction = 0) {
  Model m = simple_model({0.6, 0, 0.4}, 0.05);
  m.group_of = {0, 0, 2};
  m.harvest = tax::HarvestRule{.min_loss = 100, .min_loss_fraction = 0.05, .cost_fraction = cost_fraction};
  return m;
}

AccountRecord vti_lot(const char* id, double quantity, double cost, tax::Day acquired) {
  AccountRecord r;
  r.id = id;
  r.lots = {{"VTI", quantity, cost, acquired, acquired, 0}};
  return r;
}

struct Desk {
  /// `prices`: VTI, ITOT, BND. A second account "b" in the same household
  /// holds 60 VTI and 40 BND, without lots, when `second`.
  explicit Desk(std::vector<double> prices, bool second = false, Model m = harvest_model())
      : desk(make(std::move(prices), second, std::move(m))) {
    REQUIRE_FALSE(desk.set_lots(0, vti_lot("a", 60, 120, tax::day_of(2026, 2, 2))));
  }
  core::SymbolTable symbols = symbols3();
  std::uint64_t seq = 1;
  FleetDesk desk;

  FleetDesk make(std::vector<double> prices, bool second, Model m) {
    AccountBook book(3);
    REQUIRE_FALSE(book.add_model(m));
    REQUIRE_FALSE(book.add_account("a", 0, 0, std::vector<double>{60, 0, 40}, 1, "h"));
    if (second) REQUIRE_FALSE(book.add_account("b", 0, 0, std::vector<double>{60, 0, 40}, 1, "h"));
    return FleetDesk(FleetMonitor(std::move(book), std::move(prices), Fills::on_settle), symbols,
                     DeskOptions{.window = 0, .book_on_send = false}, [this] { return seq++; });
  }
  /// At VTI 100: the start's harvest (60 VTI into 120 ITOT), filled.
  void harvest_at_start() {
    DeskOutput sent;
    desk.resync(t0, sent);
    REQUIRE(sent.orders.size() == 2);
    fill_all(sent, t0);
  }
  /// Fills every order of `out` in full at its reference price, on `now`.
  DeskOutput fill_all(const DeskOutput& sent, core::TimeNs now) {
    DeskOutput out;
    for (const DeskOrder& o : sent.orders) {
      const core::FillReport r{o.order_id, FillStatus::filled, o.block.quantity(), o.block.reference_price, now};
      REQUIRE(desk.on_fill(r, now, out).result == DeskFill::Result::applied);
    }
    return out;
  }
};

const DeskOrder* order_of(const DeskOutput& out, core::SymbolId symbol, Side side) {
  for (const DeskOrder& o : out.orders) {
    if (o.block.symbol == symbol && o.block.side == side) return &o;
  }
  return nullptr;
}

bool mentions(const std::vector<std::string>& lines, const std::string& part) {
  return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return l.find(part) != std::string::npos; });
}

}  // namespace

TEST_CASE("a holding whose loss reaches the thresholds is sold and its value bought in the substitute") {
  // At VTI 100 the lot loses 60 × (120 − 100) = 1200, 16.7% of its basis of
  // 7200: harvested. 6000 of proceeds buy 120 ITOT at 50. The group keeps
  // its 6000 of 10000 (BND 40 × 100): no band moves.
  Desk d({100, 50, 100});
  DeskOutput out;
  d.desk.resync(t0, out);
  REQUIRE(out.orders.size() == 2);
  const DeskOrder* sell = order_of(out, kVti, Side::sell);
  const DeskOrder* buy = order_of(out, kItot, Side::buy);
  REQUIRE(sell);
  REQUIRE(buy);
  CHECK(sell->block.quantity() == 60);
  CHECK(buy->block.quantity() == 120);
  CHECK(mentions(out.tax_decisions, "account a: harvest VTI 60 at 100, into ITOT 120 at 50"));
  CHECK(d.desk.counters().harvests == 1);

  const DeskOutput filled = d.fill_all(out, t0);
  REQUIRE(filled.realised.size() == 1);
  CHECK(filled.realised[0].line.gain == doctest::Approx(-1200));
  CHECK(filled.realised[0].line.term == tax::Term::short_term);
  CHECK(d.desk.lots().lots(0, kVti).empty());
  const auto itot = d.desk.lots().lots(0, kItot);
  REQUIRE(itot.size() == 1);
  CHECK(itot[0].quantity == 120);
  CHECK(itot[0].cost_per_unit == 50);
  CHECK(d.desk.book().quantities(0)[kVti] == 0);
  CHECK(d.desk.book().quantities(0)[kItot] == 120);
}

TEST_CASE("the harvest waits for a tick at or below the holding's trigger price") {
  // The lot qualifies below 120 × 0.95 = 114 (a 5% loss); there it loses
  // 60 × 6 = 360 ≥ 100. So 114 is the trigger. At VTI 120 the account is
  // worth 7200 + 4000: VTI at 64.3%, inside its band.
  Desk d({120, 50, 100});
  DeskOutput out;
  d.desk.resync(t0, out);
  CHECK(out.orders.empty());
  d.desk.on_tick(kVti, 114.5, t0 + 1, out);
  d.desk.on_timer(t0 + 1, out);
  CHECK(out.orders.empty());
  // The tick queues it; the timer decides it, at the prices of then.
  d.desk.on_tick(kVti, 113.9, t0 + 2, out);
  CHECK(out.orders.empty());
  d.desk.on_timer(t0 + 2, out);
  REQUIRE(out.orders.size() == 2);
  CHECK(order_of(out, kVti, Side::sell)->block.quantity() == 60);
  // 60 × 113.9 = 6834 buys 136 ITOT at 50 (6800).
  CHECK(order_of(out, kItot, Side::buy)->block.quantity() == 136);
}

TEST_CASE("costs count against the loss: the trigger falls by the round trip") {
  // With 1% each way a unit's loss net of costs is 120 − 1.02 p; the lot
  // qualifies when that is ≥ 6 (5% of 120): p ≤ 114 / 1.02 = 111.76…
  Desk d({120, 50, 100}, false, harvest_model(0.01));
  DeskOutput out;
  d.desk.resync(t0, out);
  d.desk.on_tick(kVti, 112, t0 + 1, out);
  d.desk.on_timer(t0 + 1, out);
  CHECK(out.orders.empty());
  d.desk.on_tick(kVti, 111.7, t0 + 2, out);
  d.desk.on_timer(t0 + 2, out);
  REQUIRE(out.orders.size() == 2);
  // Proceeds net of the sale's cost: 60 × 111.7 × 0.99 = 6634.98 → 132 ITOT.
  CHECK(order_of(out, kItot, Side::buy)->block.quantity() == 132);
}

TEST_CASE("no harvest while a buy of the household in the last 30 days would wash its loss") {
  // "b" bought 10 VTI on 2026-03-01, 13 days before: the harvest's loss would
  // be disallowed on 10 units. It waits; 31 days after that buy it goes.
  Desk d({100, 50, 100}, /*second=*/true);
  REQUIRE_FALSE(d.desk.set_lots(1, vti_lot("b", 10, 100, tax::day_of(2026, 3, 1))));
  d.desk.remember_buys(tax::day_of(t0));
  DeskOutput out;
  d.desk.resync(t0, out);
  CHECK(out.orders.empty());
  CHECK(d.desk.counters().harvests == 0);
  d.desk.on_tick(kVti, 99, t0 + kDay, out);  // a new day, still within the window
  d.desk.on_timer(t0 + kDay, out);
  CHECK(out.orders.empty());
  const core::TimeNs april = core::parse_iso8601("2026-04-01T15:00:00Z").value();
  d.desk.on_tick(kVti, 98, april, out);
  d.desk.on_timer(april, out);
  REQUIRE(out.orders.size() == 2);
  CHECK(d.desk.counters().harvests == 1);
}

TEST_CASE("after a harvest a buy of the primary is redirected to the substitute; 31 days on it switches back") {
  Desk d({100, 50, 100});
  d.harvest_at_start();
  // Now 120 ITOT (6000) and 40 BND. BND at 150 (6000): the group falls to
  // 50%, out of its band; the rebalance to 60/40 buys the primary, VTI —
  // which would wash the loss sold today. It buys ITOT instead.
  // Target: 7200 in the group, 4800 in BND: sell 8 BND (1200), buy 1200 of
  // the group: 12 VTI at 100, redirected to 24 ITOT at 50.
  DeskOutput out;
  d.desk.on_tick(kBnd, 150, t0 + 1, out);
  REQUIRE(out.orders.size() == 2);
  CHECK(order_of(out, kBnd, Side::sell)->block.quantity() == 8);
  CHECK(order_of(out, kVti, Side::buy) == nullptr);
  REQUIRE(order_of(out, kItot, Side::buy));
  CHECK(order_of(out, kItot, Side::buy)->block.quantity() == 24);
  CHECK(mentions(out.tax_decisions, "buy VTI 12 would wash a loss sold in the household within 30 days; "
                                    "bought ITOT 24 instead"));
  CHECK(d.desk.counters().buys_redirected == 1);
  d.fill_all(out, t0 + 1);

  // 31 days on, ITOT at 49 is below both its lots' cost (50): selling them
  // realises a loss, and VTI washes nothing any more: it switches back.
  // 144 ITOT × 49 = 7056 buys 70 VTI at 100.
  const core::TimeNs later = t0 + 31 * kDay;
  DeskOutput back;
  d.desk.on_tick(kItot, 49, later, back);
  d.desk.on_timer(later, back);
  REQUIRE(back.orders.size() == 2);
  CHECK(order_of(back, kItot, Side::sell)->block.quantity() == 144);
  CHECK(order_of(back, kVti, Side::buy)->block.quantity() == 70);
  CHECK(mentions(back.tax_decisions, "switch back from ITOT 144 at 49, into VTI 70 at 100"));
  CHECK(d.desk.counters().switches_back == 1);
}

TEST_CASE("a substitute within the wash window does not switch back; it waits") {
  Desk d({100, 50, 100});
  d.harvest_at_start();
  // Ten days on ITOT is at 49: a loss, but VTI was sold at a loss 10 days
  // ago, so buying it back would wash that loss. ITOT's own loss of
  // 120 × 1 = 120 is 2% of its basis, under the 5% to harvest it again.
  DeskOutput out;
  d.desk.on_tick(kItot, 49, t0 + 10 * kDay, out);
  d.desk.on_timer(t0 + 10 * kDay, out);
  CHECK(out.orders.empty());
  CHECK(d.desk.counters().switches_back == 0);
}

TEST_CASE("a buy that would wash a loss and has no substitute is held back") {
  // Model AAA/BBB 50/50 without substitutes. "a" sold 10 AAA at a loss
  // of 100 today (booked); then "b" in the same household needs AAA.
  AccountBook book(2);
  REQUIRE_FALSE(book.add_model(simple_model({0.5, 0.5}, 0.05)));
  REQUIRE_FALSE(book.add_account("a", 0, 0, std::vector<double>{60, 40}, 1, "h"));
  REQUIRE_FALSE(book.add_account("b", 0, 0, std::vector<double>{50, 50}, 1, "h"));
  core::SymbolTable symbols;
  symbols.intern("AAA");
  symbols.intern("BBB");
  std::uint64_t seq = 1;
  FleetDesk desk(FleetMonitor(std::move(book), {100, 100}, Fills::on_settle), symbols,
                 DeskOptions{.window = 0, .book_on_send = false}, [&seq] { return seq++; });
  AccountRecord r;
  r.id = "a";
  r.lots = {{"AAA", 60, 110, tax::day_of(2026, 1, 5), tax::day_of(2026, 1, 5), 0}};
  REQUIRE_FALSE(desk.set_lots(0, r));
  DeskOutput out;
  desk.resync(t0, out);
  REQUIRE(out.orders.size() == 2);
  DeskOutput filled;
  for (const DeskOrder& o : out.orders) {
    desk.on_fill({o.order_id, FillStatus::filled, o.block.quantity(), 100, t0}, t0, filled);
  }
  REQUIRE(filled.realised.size() == 1);
  CHECK(filled.realised[0].line.gain == doctest::Approx(-100));
  // BBB at 130: both hold 50 AAA (5000) and 50 BBB (6500), AAA at 43.5%:
  // each would sell BBB and buy AAA — a wash of a's loss, in either account
  // of the household. The buys are held back; the sells go, in one block.
  DeskOutput next;
  desk.on_tick(1, 130, t0 + 1, next);
  REQUIRE(next.orders.size() == 1);
  CHECK(next.orders[0].block.side == Side::sell);
  CHECK(next.orders[0].block.allocations.size() == 2);
  CHECK(mentions(next.tax_decisions, "account a: buy AAA "));
  CHECK(mentions(next.tax_decisions, "account b: buy AAA "));
  CHECK(mentions(next.tax_decisions, " would wash a loss sold in the household within 30 days; held back"));
  CHECK(desk.counters().buys_held_back == 2);
}

TEST_CASE("a harvest queued by one symbol's tick buys the substitute at the price it has when decided") {
  // VTI falls to 100 and, before the timer, ITOT to 40: the 6000 buy 150
  // ITOT at 40, not 120 at the 50 it had at VTI's tick.
  Desk d({120, 50, 100});
  DeskOutput out;
  d.desk.resync(t0, out);
  d.desk.on_tick(kVti, 100, t0 + 1, out);
  d.desk.on_tick(kItot, 40, t0 + 2, out);
  d.desk.on_timer(t0 + 3, out);
  REQUIRE(order_of(out, kItot, Side::buy));
  CHECK(order_of(out, kItot, Side::buy)->block.quantity() == 150);
  CHECK(order_of(out, kItot, Side::buy)->block.reference_price == 40);
}

TEST_CASE("a model without a harvest table keeps its losses") {
  Model m = harvest_model();
  m.harvest.reset();
  Desk d({100, 50, 100}, false, m);
  DeskOutput out;
  d.desk.resync(t0, out);
  CHECK(out.orders.empty());
  CHECK(d.desk.counters().harvests == 0);
}

TEST_CASE("a buy of a symbol declared identical to one sold at a loss is held back too") {
  // Model X holds AAA/BBB 50/50, model Y CCC/BBB 50/50; both declare AAA and
  // CCC identical (each also names the other at target 0). "a" (X) sells 10
  // AAA at a loss of 100; then "b" (Y, same household) needs CCC: a wash.
  Model x = simple_model({0.5, 0.5, 0}, 0.05);
  x.identical = {{0, 2}};
  Model y = simple_model({0, 0.5, 0.5}, 0.05);
  y.identical = {{0, 2}};
  AccountBook book(3);
  REQUIRE_FALSE(book.add_model(x));
  REQUIRE_FALSE(book.add_model(y));
  REQUIRE_FALSE(book.add_account("a", 0, 0, std::vector<double>{60, 40, 0}, 1, "h"));
  REQUIRE_FALSE(book.add_account("b", 1, 0, std::vector<double>{0, 50, 50}, 1, "h"));
  core::SymbolTable symbols;
  symbols.intern("AAA");
  symbols.intern("BBB");
  symbols.intern("CCC");
  std::uint64_t seq = 1;
  FleetDesk desk(FleetMonitor(std::move(book), {100, 100, 100}, Fills::on_settle), symbols,
                 DeskOptions{.window = 0, .book_on_send = false}, [&seq] { return seq++; });
  AccountRecord r;
  r.id = "a";
  r.lots = {{"AAA", 60, 110, tax::day_of(2026, 1, 5), tax::day_of(2026, 1, 5), 0}};
  REQUIRE_FALSE(desk.set_lots(0, r));
  DeskOutput out;
  desk.resync(t0, out);
  REQUIRE(out.orders.size() == 2);
  DeskOutput filled;
  for (const DeskOrder& o : out.orders) {
    desk.on_fill({o.order_id, FillStatus::filled, o.block.quantity(), 100, t0}, t0, filled);
  }
  REQUIRE(filled.realised.size() == 1);
  // BBB at 130: "b" holds 5000 CCC and 6500 BBB and would buy CCC.
  DeskOutput next;
  desk.on_tick(1, 130, t0 + 1, next);
  CHECK(mentions(next.tax_decisions, "account b: buy CCC "));
  CHECK(order_of(next, 2, Side::buy) == nullptr);
}

}  // namespace test_fleet_desk_harvest
