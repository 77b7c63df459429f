// The wash-sale checks before the fact see what the checks of decided trades
// cannot: (a) a loss sale of the same rebalance as a buy of an identical
// symbol, in the same account (avoid_wash_sales); (b) a band rebalance's loss
// sale that a household buy, made in the last 30 days or decided and not yet
// final, would wash (avoid_washed_losses). Worked by hand; in each, the same
// decision without the setting shows the wash the ledger then records. Lot 1, no costs, a
// one-second window, fills reported at the blocks' reference prices.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "fleet/fleet_desk.hpp"
#include "fleet_test_support.hpp"

namespace test_fleet_desk_own_washes {

using namespace ballast;
using namespace ballast::fleet;
using ballast::fleet::test::simple_model;
using core::FillStatus;
using core::Side;

namespace {

constexpr core::SymbolId kVti = 0;
constexpr core::SymbolId kItot = 1;
constexpr core::SymbolId kSchb = 2;
constexpr core::SymbolId kBnd = 3;
const core::TimeNs t0 = core::parse_iso8601("2026-03-14T15:00:00Z").value();
constexpr core::TimeNs kSecond = core::kNanosPerSecond;

struct Account {
  const char* id;
  std::vector<double> holdings;  ///< VTI, ITOT, SCHB, BND
  const char* household;
  std::vector<RecordLot> lots;
  tax::CloseMethod method = tax::CloseMethod::fifo;
};

struct Desk {
  Desk(const Model& m, std::vector<double> prices, const std::vector<Account>& accounts)
      : desk(make(m, std::move(prices), accounts)) {
    for (std::size_t i = 0; i < accounts.size(); ++i) {
      if (accounts[i].lots.empty()) continue;
      AccountRecord r;
      r.id = accounts[i].id;
      r.lots = accounts[i].lots;
      r.lot_method = accounts[i].method;
      REQUIRE_FALSE(desk.set_lots(static_cast<AccountIndex>(i), r));
    }
  }
  core::SymbolTable symbols = [] {
    core::SymbolTable t;
    t.intern("VTI");
    t.intern("ITOT");
    t.intern("SCHB");
    t.intern("BND");
    return t;
  }();
  std::uint64_t seq = 1;
  FleetDesk desk;

  FleetDesk make(const Model& m, std::vector<double> prices, const std::vector<Account>& accounts) {
    AccountBook book(4);
    REQUIRE_FALSE(book.add_model(m));
    for (const Account& a : accounts) REQUIRE_FALSE(book.add_account(a.id, 0, 0, a.holdings, 1, a.household));
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

std::vector<BlockAllocation> allocations_of(const DeskOutput& out, core::SymbolId symbol, Side side) {
  for (const DeskOrder& o : out.orders) {
    if (o.block.symbol == symbol && o.block.side == side) return o.block.allocations;
  }
  return {};
}

bool mentions(const std::vector<std::string>& lines, const std::string& part) {
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& l) { return l.find(part) != std::string::npos; });
}

RecordLot lot(const char* symbol, double quantity, double cost, tax::Day acquired) {
  return {symbol, quantity, cost, acquired, acquired, 0, std::nullopt};
}

/// VTI 30%, ITOT 30% (declared identical to VTI), BND 40%, a 5-point band;
/// SCHB (target 0) is ITOT's substitute, not identical to either.
Model identical_model() {
  Model m = simple_model({0.3, 0.3, 0, 0.4}, 0.05);
  m.group_of = {0, 1, 1, 3};
  m.identical = {{kVti, kItot}};
  return m;
}

/// VTI 60%, BND 40%, a 5-point band; no substitutes; band sales a buy
/// would wash are cut (avoid_washed_losses).
Model vti_bnd_model() {
  Model m = simple_model({0.6, 0, 0, 0.4}, 0.05);
  m.avoid_washed_losses = true;
  return m;
}

}  // namespace

TEST_CASE("a buy identical to a loss sale of the same rebalance goes to a substitute, or is held back") {
  // "a" (household "h") holds 40 VTI, in one lot bought 2026-02-02 at 120,
  // 20 ITOT and 40 BND. At 100, 100, 50 (SCHB), 100 it holds 4000 VTI of
  // 10000, 40%, and 2000 ITOT, 20%: to 30% each it sells 10 VTI, at a loss
  // of 10 × (100 − 120) = −200, and buys 10 ITOT, which would wash all of it.
  const Account a{"a", {40, 20, 0, 40}, "h", {lot("VTI", 40, 120, tax::day_of(2026, 2, 2))}};

  SUBCASE("redirected: 1000 buys 20 SCHB; the loss stands") {
    Desk d(identical_model(), {100, 100, 50, 100}, {a});
    DeskOutput out;
    d.desk.resync(t0, out);
    CHECK(out.rebalances == 1);
    CHECK(mentions(out.tax_decisions, "account a: buy ITOT 10 would wash the loss of its sell of VTI in the same "
                                      "rebalance; bought SCHB 20 instead"));
    CHECK(d.desk.counters().buys_redirected == 1);
    CHECK(d.desk.counters().buys_held_back == 0);
    CHECK(d.desk.counters().sells_held_back == 0);
    d.desk.on_timer(t0 + kSecond, out);
    REQUIRE(out.orders.size() == 2);
    CHECK(allocations_of(out, kVti, Side::sell) == std::vector<BlockAllocation>{{0, 10}});
    CHECK(allocations_of(out, kSchb, Side::buy) == std::vector<BlockAllocation>{{0, 20}});

    const DeskOutput filled = d.fill_all(out, t0 + 2 * kSecond);
    REQUIRE(filled.realised.size() == 1);
    CHECK(filled.realised[0].line.quantity == 10);
    CHECK(filled.realised[0].line.gain == doctest::Approx(-200));
    CHECK(filled.washes.empty());
    CHECK(d.desk.lots().lots(0, kItot).empty());
    REQUIRE(d.desk.lots().lots(0, kSchb).size() == 1);
    CHECK(d.desk.lots().lots(0, kSchb)[0].quantity == 20);
    CHECK(d.desk.lots().lots(0, kSchb)[0].wash_adjustment_per_unit == 0);
    const Position p = d.desk.position(0);
    CHECK(p.quantities == std::vector<double>{30, 20, 20, 40});
    CHECK(p.cash == doctest::Approx(0));
  }
  SUBCASE("held back when no substitute is left: the cash stays") {
    Model m = identical_model();
    m.group_of = {0, 1, 2, 3};
    Desk d(m, {100, 100, 50, 100}, {a});
    DeskOutput out;
    d.desk.resync(t0, out);
    CHECK(mentions(out.tax_decisions, "account a: buy ITOT 10 would wash the loss of its sell of VTI in the same "
                                      "rebalance; held back (no substitute would not)"));
    CHECK(d.desk.counters().buys_held_back == 1);
    d.desk.on_timer(t0 + kSecond, out);
    REQUIRE(out.orders.size() == 1);
    CHECK(allocations_of(out, kVti, Side::sell) == std::vector<BlockAllocation>{{0, 10}});
    const DeskOutput filled = d.fill_all(out, t0 + 2 * kSecond);
    CHECK(filled.washes.empty());
    const Position p = d.desk.position(0);
    CHECK(p.quantities == std::vector<double>{30, 20, 0, 40});
    CHECK(p.cash == doctest::Approx(1000));
  }
  SUBCASE("without avoid_wash_sales the buy stays, and the ledger washes the loss into it") {
    Model m = identical_model();
    m.avoid_wash_sales = false;
    Desk d(m, {100, 100, 50, 100}, {a});
    DeskOutput out;
    d.desk.resync(t0, out);
    CHECK(out.tax_decisions.empty());
    d.desk.on_timer(t0 + kSecond, out);
    REQUIRE(out.orders.size() == 2);
    CHECK(allocations_of(out, kItot, Side::buy) == std::vector<BlockAllocation>{{0, 10}});
    const DeskOutput filled = d.fill_all(out, t0 + 2 * kSecond);
    REQUIRE(filled.realised.size() == 1);
    REQUIRE(filled.washes.size() == 1);
    CHECK(filled.washes[0].seq == filled.realised[0].seq);
    CHECK(filled.washes[0].add_disallowed == doctest::Approx(200));
    // The 10 ITOT bought at 100 carry the 20 a unit disallowed.
    REQUIRE(d.desk.lots().lots(0, kItot).size() == 1);
    CHECK(d.desk.lots().lots(0, kItot)[0].wash_adjustment_per_unit == doctest::Approx(20));
  }
}

TEST_CASE("a band rebalance's sale whose loss a household buy would wash sells only what realises no loss") {
  // "a" (household "h") holds 70 VTI — 20 bought 2025-01-02 at 80, 50
  // bought 2026-02-02 at 120 — and 10 BND. At 100 and 100 it holds 7000 of
  // 8000, 87.5%: to 60% it sells 22 VTI and buys 22 BND. By fifo the sale
  // closes the 20 at 80 (+400) and 2 at 120 (2 × −20 = −40).
  const std::vector<RecordLot> a_lots = {lot("VTI", 20, 80, tax::day_of(2025, 1, 2)),
                                         lot("VTI", 50, 120, tax::day_of(2026, 2, 2))};

  SUBCASE("a buy of the household decided in the same window: 20 sold, 2 held back; 20 BND bought") {
    // "b" (same household, decided first) holds 50 VTI and 50 BND, no lots:
    // at 50% it buys 10 VTI and sells 10 BND.
    Desk d(vti_bnd_model(), {100, 50, 50, 100},
           {{"b", {50, 0, 0, 50}, "h", {}}, {"a", {70, 0, 0, 10}, "h", a_lots}});
    DeskOutput out;
    d.desk.resync(t0, out);
    CHECK(out.rebalances == 2);
    CHECK(mentions(out.tax_decisions, "account a: sell VTI cut from 22 to 20: the rest would realise a loss of 40 "
                                      "on 2 units that a buy in the household within 30 days would wash; held back"));
    CHECK(d.desk.counters().sells_held_back == 1);
    // The 2000 the sale brings buys 20 BND of the 22.
    d.desk.on_timer(t0 + kSecond, out);
    REQUIRE(out.orders.size() == 4);
    CHECK(allocations_of(out, kVti, Side::sell) == std::vector<BlockAllocation>{{1, 20}});
    CHECK(allocations_of(out, kBnd, Side::buy) == std::vector<BlockAllocation>{{1, 20}});
    CHECK(allocations_of(out, kVti, Side::buy) == std::vector<BlockAllocation>{{0, 10}});
    CHECK(allocations_of(out, kBnd, Side::sell) == std::vector<BlockAllocation>{{0, 10}});

    const DeskOutput filled = d.fill_all(out, t0 + 2 * kSecond);
    REQUIRE(filled.realised.size() == 1);
    CHECK(filled.realised[0].line.quantity == 20);
    CHECK(filled.realised[0].line.gain == doctest::Approx(400));
    CHECK(filled.washes.empty());
    REQUIRE(d.desk.lots().lots(1, kVti).size() == 1);
    CHECK(d.desk.lots().lots(1, kVti)[0].quantity == 50);
    CHECK(d.desk.lots().lots(1, kVti)[0].cost_per_unit == 120);
    const Position p = d.desk.position(1);
    CHECK(p.quantities == std::vector<double>{50, 0, 0, 30});
    CHECK(p.cash == doctest::Approx(0));
  }
  SUBCASE("the same without avoid_washed_losses (the default): 22 sold, and b's buy washes the loss on 2") {
    Model m = vti_bnd_model();
    m.avoid_washed_losses = false;
    Desk d(m, {100, 50, 50, 100}, {{"b", {50, 0, 0, 50}, "h", {}}, {"a", {70, 0, 0, 10}, "h", a_lots}});
    DeskOutput out;
    d.desk.resync(t0, out);
    d.desk.on_timer(t0 + kSecond, out);
    CHECK(allocations_of(out, kVti, Side::sell) == std::vector<BlockAllocation>{{1, 22}});
    const DeskOutput filled = d.fill_all(out, t0 + 2 * kSecond);
    REQUIRE(filled.realised.size() == 2);
    CHECK(filled.realised[1].line.gain == doctest::Approx(-40));
    REQUIRE(filled.washes.size() == 1);
    CHECK(filled.washes[0].seq == filled.realised[1].seq);
    CHECK(filled.washes[0].add_disallowed == doctest::Approx(40));
  }
  SUBCASE("a buy of the household made within 30 days; hifo sells the lot at a loss first: nothing is sold") {
    // "b" bought 10 VTI at 100 on 2026-03-04, 10 days before (in the
    // ledger), and is inside its band (60 VTI, 40 BND). By hifo the sale
    // would close 22 of the lot at 120: a loss of 440, all held back, and
    // with no proceeds no BND is bought. a decides nothing, and stays in breach.
    Desk d(vti_bnd_model(), {100, 50, 50, 100},
           {{"b", {60, 0, 0, 40}, "h", {lot("VTI", 10, 100, tax::day_of(2026, 3, 4))}},
            {"a", {70, 0, 0, 10}, "h", a_lots, tax::CloseMethod::hifo}});
    d.desk.remember_buys(tax::day_of(t0));
    DeskOutput out;
    d.desk.resync(t0, out);
    CHECK(mentions(out.tax_decisions, "account a: sell VTI cut from 22 to 0: the rest would realise a loss of 440 "
                                      "on 22 units that a buy in the household within 30 days would wash; held back"));
    CHECK(d.desk.counters().sells_held_back == 1);
    d.desk.on_timer(t0 + kSecond, out);
    CHECK(out.orders.empty());
    CHECK_FALSE(d.desk.busy(1));
    CHECK(d.desk.stuck_accounts() == 0);
    CHECK(d.desk.position(1).quantities == std::vector<double>{70, 0, 0, 10});
    CHECK(d.desk.lots().lots(1, kVti).size() == 2);
  }
  SUBCASE("its own lot of the last 30 days that the sale closes in part replaces nothing of it") {
    // The 50 at 120 bought 2026-03-04, 10 days before: the sale closes 2 of
    // them; the 48 kept are of the same purchase. The sale goes whole.
    Desk d(vti_bnd_model(), {100, 50, 50, 100},
           {{"a", {70, 0, 0, 10}, "h",
             {lot("VTI", 20, 80, tax::day_of(2025, 1, 2)), lot("VTI", 50, 120, tax::day_of(2026, 3, 4))}}});
    d.desk.remember_buys(tax::day_of(t0));
    DeskOutput out;
    d.desk.resync(t0, out);
    CHECK(d.desk.counters().sells_held_back == 0);
    d.desk.on_timer(t0 + kSecond, out);
    CHECK(allocations_of(out, kVti, Side::sell) == std::vector<BlockAllocation>{{0, 22}});
  }
  SUBCASE("a buy of another household, or 31 days old, holds nothing back") {
    Desk d(vti_bnd_model(), {100, 50, 50, 100},
           {{"b", {60, 0, 0, 40}, "o", {lot("VTI", 10, 100, tax::day_of(2026, 3, 4))}},
            {"c", {60, 0, 0, 40}, "h", {lot("VTI", 10, 100, tax::day_of(2026, 2, 11))}},
            {"a", {70, 0, 0, 10}, "h", a_lots}});
    d.desk.remember_buys(tax::day_of(t0));
    DeskOutput out;
    d.desk.resync(t0, out);
    CHECK(d.desk.counters().sells_held_back == 0);
    d.desk.on_timer(t0 + kSecond, out);
    CHECK(allocations_of(out, kVti, Side::sell) == std::vector<BlockAllocation>{{2, 22}});
    CHECK(allocations_of(out, kBnd, Side::buy) == std::vector<BlockAllocation>{{2, 22}});
  }
}

TEST_CASE("a harvest skips a substitute identical to what it sells") {
  // VTI 60% with ITOT and SCHB as its substitutes, ITOT declared identical
  // to VTI; BND 40%. Harvest a holding when its lots at a loss of at least 5%
  // of their basis lose at least 100 in all. "a" holds 60 VTI, one lot
  // bought 2026-02-02 at 120, and 40 BND: at VTI 120 it holds 7200 of 11200,
  // 64.3%, inside. At 100 its lot loses 60 × 20 = 1200, 16.7%: harvested.
  // Buying ITOT would wash the loss on every unit; 6000 buys 120 SCHB at 50.
  Model m = simple_model({0.6, 0, 0, 0.4}, 0.05);
  m.group_of = {0, 0, 0, 3};
  m.harvest = tax::HarvestRule{.min_loss = 100, .min_loss_fraction = 0.05, .cost_fraction = 0};
  for (const bool identical : {true, false}) {
    CAPTURE(identical);
    m.identical.clear();
    if (identical) m.identical = {{kVti, kItot}};
    Desk d(m, {120, 50, 50, 100}, {{"a", {60, 0, 0, 40}, "h", {lot("VTI", 60, 120, tax::day_of(2026, 2, 2))}}});
    DeskOutput out;
    d.desk.resync(t0, out);
    CHECK(out.rebalances == 0);
    d.desk.on_tick(kVti, 100, t0 + 1, out);
    d.desk.on_timer(t0 + 1, out);
    CHECK(d.desk.counters().harvests == 1);
    CHECK(mentions(out.tax_decisions, identical ? "account a: harvest VTI 60 at 100, into SCHB 120 at 50"
                                                : "account a: harvest VTI 60 at 100, into ITOT 120 at 50"));
  }
}

}  // namespace test_fleet_desk_own_washes
