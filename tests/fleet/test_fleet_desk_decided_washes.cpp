// The wash-sale checks before a buy and before a harvest see the trades
// decided in the household and not yet final (in the window, in open
// blocks, in blocks restored after a restart). Worked by hand. The model:
// VTI 60% with ITOT as its substitute (target 0), BND 40%, a 5-point band;
// harvest a holding when its lots at a loss of at least 5% of their basis
// lose at least 100 in all, no costs. A one-second window, fills reported.
// Account "a" (household "h") holds 60 VTI, in one lot bought 2026-02-02 at
// 120, and 40 BND.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "fleet/fleet_desk.hpp"
#include "fleet_test_support.hpp"

namespace test_fleet_desk_decided_washes {

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
constexpr core::TimeNs kSecond = core::kNanosPerSecond;

Model harvest_model() {
  Model m = simple_model({0.6, 0, 0.4}, 0.05);
  m.group_of = {0, 0, 2};
  m.harvest = tax::HarvestRule{.min_loss = 100, .min_loss_fraction = 0.05, .cost_fraction = 0};
  return m;
}

AccountRecord vti_lot(const char* id) {
  AccountRecord r;
  r.id = id;
  r.lots = {{"VTI", 60, 120, tax::day_of(2026, 2, 2), tax::day_of(2026, 2, 2), 0}};
  return r;
}

struct Account {
  const char* id;
  std::vector<double> holdings;  ///< VTI, ITOT, BND
  const char* household;
  bool lot = false;              ///< its 60 VTI are one lot at 120, as a's
};

struct Desk {
  /// `prices`: VTI, ITOT, BND; "a" first, then `others`.
  Desk(std::vector<double> prices, std::vector<Account> others) : desk(make(std::move(prices), others)) {
    REQUIRE_FALSE(desk.set_lots(0, vti_lot("a")));
    for (std::size_t i = 0; i < others.size(); ++i) {
      if (others[i].lot) REQUIRE_FALSE(desk.set_lots(static_cast<AccountIndex>(i + 1), vti_lot(others[i].id)));
    }
  }
  core::SymbolTable symbols = [] {
    core::SymbolTable t;
    t.intern("VTI");
    t.intern("ITOT");
    t.intern("BND");
    return t;
  }();
  std::uint64_t seq = 1;
  FleetDesk desk;

  FleetDesk make(std::vector<double> prices, const std::vector<Account>& others) {
    AccountBook book(3);
    REQUIRE_FALSE(book.add_model(harvest_model()));
    REQUIRE_FALSE(book.add_account("a", 0, 0, std::vector<double>{60, 0, 40}, 1, "h"));
    for (const Account& o : others) REQUIRE_FALSE(book.add_account(o.id, 0, 0, o.holdings, 1, o.household));
    return FleetDesk(FleetMonitor(std::move(book), std::move(prices), Fills::on_settle), symbols,
                     DeskOptions{.window = kSecond, .book_on_send = false}, [this] { return seq++; });
  }
  /// Fills every order of `sent` in full at its reference price, on `now`.
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

std::vector<BlockAllocation> allocations_of(const DeskOutput& out, core::SymbolId symbol, Side side) {
  const DeskOrder* o = order_of(out, symbol, side);
  return o ? o->block.allocations : std::vector<BlockAllocation>{};
}

bool mentions(const std::vector<std::string>& lines, const std::string& part) {
  return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return l.find(part) != std::string::npos; });
}

/// A block left open by an earlier run, decided the day before t0, nothing filled.
DeskOrder restored(core::SymbolId symbol, Side side, AccountIndex account, std::uint64_t lots) {
  DeskOrder o;
  o.order_id = "fleet-20260313-000007";
  o.rebalance_id = o.order_id;
  o.created_at = t0 - kDay;
  o.block.symbol = symbol;
  o.block.side = side;
  o.block.lot_size = 1;
  o.block.reference_price = 100;
  o.block.allocations = {{account, lots}};
  o.block.lots = lots;
  return o;
}

}  // namespace

TEST_CASE("a buy decided after a household's harvest in the same window goes to the substitute") {
  // "b" (household "h") and "c" (household "o") hold 60 VTI and 40 BND, no
  // lots. At VTI 120 every account is inside its band (7200 of 11200, 64.3%).
  Desk d({120, 50, 100}, {{"b", {60, 0, 40}, "h"}, {"c", {60, 0, 40}, "o"}});
  DeskOutput out;
  d.desk.resync(t0, out);
  CHECK(out.rebalances == 0);

  // VTI at 100: a's lot loses 60 × 20 = 1200, 16.7%: harvested at the timer
  // (60 VTI sold, 6000 buy 120 ITOT at 50). b and c stay at 60%.
  d.desk.on_tick(kVti, 100, t0 + 1, out);
  d.desk.on_timer(t0 + 1, out);
  CHECK(mentions(out.tax_decisions, "account a: harvest VTI 60 at 100, into ITOT 120 at 50"));
  CHECK(out.orders.empty());  // the window is open
  // a's sale, 60 units at a loss, and its buy of ITOT.
  CHECK(d.desk.decided_trades() == 2);

  // BND at 150, in the same window: b and c hold 6000 VTI and 6000 BND, 50%;
  // to 60/40 each sells 8 BND (1200) and buys 12 VTI. b's would wash a's
  // loss, decided and not yet final: it buys 1200 / 50 = 24 ITOT instead.
  // c is of another household: its buy stays.
  d.desk.on_tick(kBnd, 150, t0 + 2, out);
  CHECK(out.rebalances == 2);
  CHECK(mentions(out.tax_decisions, "account b: buy VTI 12 would wash a loss sold in the household within 30 days; "
                                    "bought ITOT 24 instead"));
  CHECK_FALSE(mentions(out.tax_decisions, "account c: buy VTI"));
  CHECK(d.desk.counters().buys_redirected == 1);
  // Also b's buy of ITOT and c's of VTI; their sells of BND realise no loss
  // (no lots): not kept.
  CHECK(d.desk.decided_trades() == 4);

  d.desk.on_timer(t0 + 1 + kSecond, out);
  REQUIRE(out.orders.size() == 4);
  CHECK(allocations_of(out, kVti, Side::sell) == std::vector<BlockAllocation>{{0, 60}});
  CHECK(allocations_of(out, kBnd, Side::sell) == std::vector<BlockAllocation>{{1, 8}, {2, 8}});
  CHECK(allocations_of(out, kItot, Side::buy) == std::vector<BlockAllocation>{{0, 120}, {1, 24}});
  CHECK(allocations_of(out, kVti, Side::buy) == std::vector<BlockAllocation>{{2, 12}});

  // Final: the decided trades are dropped; the ledger has what was done, and
  // nothing was washed (ITOT is a substitute, not identical; c is another household).
  const DeskOutput filled = d.fill_all(out, t0 + 3);
  CHECK(d.desk.decided_trades() == 0);
  REQUIRE(filled.realised.size() == 1);
  CHECK(filled.realised[0].line.gain == doctest::Approx(-1200));
  CHECK(filled.washes.empty());
  CHECK(d.desk.lots().lots(1, kVti).empty());
  REQUIRE(d.desk.lots().lots(1, kItot).size() == 1);
  CHECK(d.desk.lots().lots(1, kItot)[0].quantity == 24);
}

TEST_CASE("a harvest decided after a household's buy in the same window waits; another household's goes") {
  // "b" (household "h") holds 52 VTI and 48 BND, no lots: at VTI 120 it
  // holds 6240 of 11040, 56.5%, inside its band. "c" (household "o") holds
  // what a holds, in the same lot.
  Desk d({120, 50, 100}, {{"b", {52, 0, 48}, "h"}, {"c", {60, 0, 40}, "o", /*lot=*/true}});
  DeskOutput out;
  d.desk.resync(t0, out);
  CHECK(out.rebalances == 0);

  // VTI at 100: b holds 5200 of 10000, 52%, and buys 8 VTI (selling 8 BND)
  // at once; a's and c's harvests are decided at the timer. a's loss would
  // be washed by b's buy, decided and not yet final: it waits. c's goes.
  d.desk.on_tick(kVti, 100, t0 + 1, out);
  CHECK(out.rebalances == 1);
  CHECK(d.desk.decided_trades() == 1);  // b's buy; its sell realises no loss
  d.desk.on_timer(t0 + 1, out);
  CHECK_FALSE(mentions(out.tax_decisions, "account a: harvest"));
  CHECK(mentions(out.tax_decisions, "account c: harvest VTI 60 at 100, into ITOT 120 at 50"));
  CHECK(d.desk.counters().harvests == 1);

  d.desk.on_timer(t0 + 1 + kSecond, out);
  REQUIRE(out.orders.size() == 4);
  CHECK(allocations_of(out, kVti, Side::buy) == std::vector<BlockAllocation>{{1, 8}});
  CHECK(allocations_of(out, kBnd, Side::sell) == std::vector<BlockAllocation>{{1, 8}});
  CHECK(allocations_of(out, kVti, Side::sell) == std::vector<BlockAllocation>{{2, 60}});
  CHECK(allocations_of(out, kItot, Side::buy) == std::vector<BlockAllocation>{{2, 120}});

  d.fill_all(out, t0 + 3);
  CHECK(d.desk.decided_trades() == 0);
  // b's buy is in the ledger now: a day on, a's harvest still waits (the
  // buy is within 30 days), as it did before this window.
  DeskOutput next;
  d.desk.on_tick(kVti, 99, t0 + kDay, next);
  d.desk.on_timer(t0 + kDay, next);
  CHECK(next.orders.empty());
  CHECK(d.desk.counters().harvests == 1);
}

TEST_CASE("blocks restored after a restart are decided trades to the wash-sale checks") {
  SUBCASE("a harvest waits for a restored buy of the household; once it ends unfilled, it goes") {
    // "b" (household "h") bought 10 VTI before the restart, not yet final.
    Desk d({100, 50, 100}, {{"b", {60, 0, 40}, "h"}});
    REQUIRE_FALSE(d.desk.restore_block(restored(kVti, Side::buy, 1, 10), {}, 0));
    CHECK(d.desk.decided_trades() == 1);
    DeskOutput out;
    d.desk.resync(t0, out);
    d.desk.on_timer(t0, out);
    CHECK(d.desk.counters().harvests == 0);
    CHECK_FALSE(mentions(out.tax_decisions, "account a: harvest"));

    // Cancelled with nothing filled: nothing was bought, nothing is kept; on
    // the next day a's harvest goes.
    DeskOutput done;
    const core::FillReport cancel{"fleet-20260313-000007", FillStatus::cancelled, 0, 0, t0 + 1};
    REQUIRE(d.desk.on_fill(cancel, t0 + 1, done).final);
    CHECK(d.desk.decided_trades() == 0);
    DeskOutput next;
    d.desk.on_tick(kVti, 99, t0 + kDay, next);
    d.desk.on_timer(t0 + kDay, next);
    CHECK(d.desk.counters().harvests == 1);
  }
  SUBCASE("a buy is redirected by a restored sale at a loss") {
    // a sold its 60 VTI before the restart, not yet final: at the block's
    // 100 its lot at 120 sells at a loss on all 60 units.
    Desk d({100, 50, 100}, {{"b", {60, 0, 40}, "h"}});
    REQUIRE_FALSE(d.desk.restore_block(restored(kVti, Side::sell, 0, 60), {}, 0));
    CHECK(d.desk.decided_trades() == 1);
    DeskOutput out;
    d.desk.resync(t0, out);
    // BND at 150: b buys 12 VTI — 24 ITOT instead.
    d.desk.on_tick(kBnd, 150, t0 + 1, out);
    CHECK(mentions(out.tax_decisions, "account b: buy VTI 12 would wash a loss sold in the household within 30 days; "
                                      "bought ITOT 24 instead"));
    d.desk.on_timer(t0 + 1 + kSecond, out);
    CHECK(allocations_of(out, kItot, Side::buy) == std::vector<BlockAllocation>{{1, 24}});
    CHECK(order_of(out, kVti, Side::buy) == nullptr);
  }
  SUBCASE("a restored sale at a gain keeps nothing") {
    // At 130 the lot at 120 sells at a gain.
    Desk d({130, 50, 100}, {{"b", {60, 0, 40}, "h"}});
    DeskOrder sell = restored(kVti, Side::sell, 0, 60);
    sell.block.reference_price = 130;
    REQUIRE_FALSE(d.desk.restore_block(sell, {}, 0));
    CHECK(d.desk.decided_trades() == 0);
  }
}

}  // namespace test_fleet_desk_decided_washes
