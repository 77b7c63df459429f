// The fleet live desk: windows, block orders, fills allocated back to the
// accounts, settling, restored blocks and the views, with expectations worked
// out by hand. Prices start at 100; the model holds AAA and BBB half and half
// with a band of 0.05, lots of 1, no cash target.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/symbol_table.hpp"
#include "core/time.hpp"
#include "fleet/fleet_desk.hpp"
#include "fleet_test_support.hpp"

namespace test_fleet_desk {

using namespace ballast;
using namespace ballast::fleet;
using ballast::fleet::test::simple_model;
using core::FillStatus;
using core::Side;

namespace {

constexpr core::SymbolId kA = 0;  // AAA
constexpr core::SymbolId kB = 1;  // BBB
constexpr core::SymbolId kC = 2;  // CCC: in the symbol table, in no account's model

const core::TimeNs t0 = core::parse_iso8601("2026-03-14T15:00:00Z").value();
constexpr core::DurationNs kSecond = core::kNanosPerSecond;

struct Holding {
  double a = 0, b = 0, cash = 0;
};

/// Accounts a0, a1, ... on one model over AAA and BBB, in a book of three symbols.
AccountBook book_of(const std::vector<Holding>& accounts) {
  AccountBook book(3);
  REQUIRE_FALSE(book.add_model(simple_model({0.5, 0.5}, 0.05)));
  for (std::size_t i = 0; i < accounts.size(); ++i) {
    const Holding& h = accounts[i];
    REQUIRE_FALSE(book.add_account("a" + std::to_string(i), 0, h.cash, std::vector<double>{h.a, h.b}));
  }
  return book;
}

core::SymbolTable symbol_table() {
  core::SymbolTable t;
  t.intern("AAA");
  t.intern("BBB");
  t.intern("CCC");
  return t;
}

/// A desk on its own symbol table, numbering its orders from `first_seq`.
struct Desk {
  Desk(AccountBook book, DeskOptions options, std::uint64_t first_seq = 1)
      : seq(first_seq),
        desk(FleetMonitor(std::move(book), {100, 100, 100}, Fills::on_settle), symbols, options,
             [this] { return seq++; }) {}

  core::SymbolTable symbols = symbol_table();
  std::uint64_t seq;
  FleetDesk desk;
};

DeskOptions with_reports(core::DurationNs window = 0) {
  DeskOptions o;
  o.window = window;
  o.book_on_send = false;
  return o;
}

core::FillReport report(const std::string& order_id, FillStatus status, double quantity, double price) {
  core::FillReport r;
  r.order_id = order_id;
  r.status = status;
  r.filled_quantity = quantity;
  r.avg_price = price;
  return r;
}

std::vector<double> held(const AccountBook& book, AccountIndex a) {
  const auto q = book.quantities(a);
  return {q.begin(), q.end()};
}

/// At 100/100: a0 (60/40) sells 10 AAA and buys 10 BBB, a2 (70/30) 20 and 20,
/// a3 (63/37) 13 and 13; a1 (50/50) is on target. Checked at t0 with a
/// window of 0, they leave as "…000001" (sell AAA, 43 lots) and "…000002"
/// (buy BBB, 43 lots), each allocated a0 10, a2 20, a3 13.
const std::vector<Holding> kThreeTrade = {{60, 40}, {50, 50}, {70, 30}, {63, 37}};
const std::string kSell = "fleet-20260314-000001";
const std::string kBuy = "fleet-20260314-000002";

void send_three(Desk& d) {
  DeskOutput out;
  d.desk.resync(t0, out);
  REQUIRE(out.orders.size() == 2);
  REQUIRE(out.orders[0].order_id == kSell);
  REQUIRE(out.orders[1].order_id == kBuy);
  REQUIRE(out.orders[1].block.allocations == std::vector<BlockAllocation>{{0, 10}, {2, 20}, {3, 13}});
}

}  // namespace

// ---- windows and blocks ------------------------------------------------------

TEST_CASE("with a window of 0 a rebalance's blocks leave at once, sells first, numbered by the sequence") {
  Desk d(book_of({{60, 40}, {50, 50}}), with_reports(0), 41);
  DeskOutput out;
  d.desk.resync(t0, out);
  CHECK(out.rebalances == 1);
  REQUIRE(out.orders.size() == 2);
  const DeskOrder& sell = out.orders[0];
  CHECK(sell.order_id == "fleet-20260314-000041");
  CHECK(sell.created_at == t0);
  CHECK(sell.block.symbol == kA);
  CHECK(sell.block.side == Side::sell);
  CHECK(sell.block.lots == 10);
  CHECK(sell.block.lot_size == 1);
  CHECK(sell.block.reference_price == 100);
  CHECK(sell.block.allocations == std::vector<BlockAllocation>{{0, 10}});
  const DeskOrder& buy = out.orders[1];
  CHECK(buy.order_id == "fleet-20260314-000042");
  CHECK(buy.block.symbol == kB);
  CHECK(buy.block.side == Side::buy);
  CHECK(buy.block.allocations == std::vector<BlockAllocation>{{0, 10}});
  CHECK(d.seq == 43);

  // Sent, not booked: the account waits for its reports.
  CHECK(out.changed.empty());
  CHECK(d.desk.window_closes_at() == 0);
  CHECK(d.desk.open_blocks() == 2);
  CHECK(d.desk.pending_accounts() == 1);
  CHECK(d.desk.monitor().state(0) == AccountState::pending);
  CHECK(d.desk.monitor().state(1) != AccountState::pending);
  CHECK(held(d.desk.book(), 0) == std::vector<double>{60, 40});
  CHECK(d.desk.counters().rebalances == 1);
  CHECK(d.desk.counters().blocks_sent == 2);
  CHECK(d.desk.counters().allocations_sent == 2);
}

TEST_CASE("a window gathers the trades of several accounts and ticks into one block per symbol and side") {
  Desk d(book_of({{60, 40}, {50, 50}, {70, 30}}), with_reports(10 * kSecond));
  DeskOutput out;
  d.desk.resync(t0, out);
  CHECK(out.rebalances == 2);  // a0 and a2
  CHECK(out.orders.empty());
  CHECK(d.desk.window_closes_at() == t0 + 10 * kSecond);
  CHECK(d.desk.pending_accounts() == 2);

  // BBB at 80: a1 (5000 + 4000) weighs BBB 0.444, out of its band; to target
  // it sells 5 AAA at 100 and buys 6.25 → 6 BBB at 80. The window stays as it was.
  out.clear();
  d.desk.on_tick(kB, 80, t0 + 3 * kSecond, out);
  CHECK(out.rebalances == 1);
  CHECK(out.orders.empty());
  CHECK(d.desk.window_closes_at() == t0 + 10 * kSecond);

  out.clear();
  d.desk.on_timer(t0 + 10 * kSecond - 1, out);
  CHECK(out.empty());
  CHECK(d.desk.open_blocks() == 0);

  d.desk.on_timer(t0 + 10 * kSecond, out);
  REQUIRE(out.orders.size() == 2);
  const BlockOrder& sell = out.orders[0].block;
  CHECK(out.orders[0].order_id == "fleet-20260314-000001");
  CHECK(out.orders[0].created_at == t0 + 10 * kSecond);
  CHECK(sell.symbol == kA);
  CHECK(sell.side == Side::sell);
  CHECK(sell.lots == 35);
  CHECK(sell.allocations == std::vector<BlockAllocation>{{0, 10}, {1, 5}, {2, 20}});
  CHECK(sell.reference_price == 100);
  const BlockOrder& buy = out.orders[1].block;
  CHECK(out.orders[1].order_id == "fleet-20260314-000002");
  CHECK(buy.symbol == kB);
  CHECK(buy.side == Side::buy);
  CHECK(buy.lots == 36);
  CHECK(buy.allocations == std::vector<BlockAllocation>{{0, 10}, {1, 6}, {2, 20}});
  // Weighted by lots: (10·100 + 6·80 + 20·100) / 36.
  CHECK(buy.reference_price == 3480.0 / 36);
  CHECK(d.desk.window_closes_at() == 0);
  CHECK(d.desk.open_blocks() == 2);
  CHECK(d.desk.pending_accounts() == 3);

  out.clear();
  d.desk.on_timer(t0 + 20 * kSecond, out);
  CHECK(out.empty());
}

TEST_CASE("booked on send, each block fills at its reference price and its accounts settle at once") {
  DeskOptions options;
  options.window = 0;
  options.book_on_send = true;
  Desk d(book_of({{60, 40}, {50, 50}, {70, 30}}), options);
  DeskOutput out;
  d.desk.resync(t0, out);
  CHECK(out.orders.size() == 2);
  CHECK(d.desk.open_blocks() == 0);
  CHECK(d.desk.pending_accounts() == 0);
  CHECK(held(d.desk.book(), 0) == std::vector<double>{50, 50});
  CHECK(d.desk.book().cash(0) == 0);
  CHECK(held(d.desk.book(), 2) == std::vector<double>{50, 50});
  CHECK(d.desk.book().cash(2) == 0);
  CHECK(held(d.desk.book(), 1) == std::vector<double>{50, 50});
  CHECK(d.desk.monitor().state(0) == AccountState::own_zone);
  CHECK(d.desk.monitor().state(2) == AccountState::own_zone);
  CHECK(std::find(out.changed.begin(), out.changed.end(), 0u) != out.changed.end());
  CHECK(std::find(out.changed.begin(), out.changed.end(), 2u) != out.changed.end());
  CHECK(std::find(out.changed.begin(), out.changed.end(), 1u) == out.changed.end());
  CHECK(d.desk.counters().fills_applied == 0);  // no report came
  CHECK_FALSE(d.desk.detail(0).pending);
  CHECK(d.desk.stuck_accounts() == 0);
}

// ---- fill reports ----------------------------------------------------------

TEST_CASE("a partial fill is allocated in whole lots by largest remainder; a later report books only the difference") {
  Desk d(book_of(kThreeTrade), with_reports());
  send_three(d);

  // 30 of 43: shares 300/43, 600/43, 390/43 = 6.98, 13.95, 9.07; floors 6,
  // 13, 9 leave 2 lots, to the largest remainders (a0 42/43, a2 41/43).
  DeskOutput out;
  DeskFill f = d.desk.on_fill(report(kBuy, FillStatus::partially_filled, 30, 99), t0, out);
  CHECK(f.result == DeskFill::Result::applied);
  CHECK_FALSE(f.final);
  CHECK(f.unallocated_quantity == 0);
  CHECK(out.changed == std::vector<AccountIndex>{0, 2, 3});
  Position p = d.desk.position(0);
  CHECK(p.quantities == std::vector<double>{60, 47});
  CHECK(p.cash == -693);
  CHECK(d.desk.position(2).quantities == std::vector<double>{70, 44});
  CHECK(d.desk.position(2).cash == -1386);
  CHECK(d.desk.position(3).quantities == std::vector<double>{63, 46});
  CHECK(d.desk.position(3).cash == -891);
  CHECK(d.desk.position(1).quantities == std::vector<double>{50, 50});  // in no block
  CHECK(d.desk.position(1).cash == 0);
  // The book itself waits for the blocks to be final.
  CHECK(held(d.desk.book(), 0) == std::vector<double>{60, 40});
  CHECK(d.desk.book().cash(0) == 0);

  // 37 at 98.5: shares 8.60, 17.21, 11.19 → 8, 17, 11 and the last lot to
  // a0 (26/43): 9, 17, 11. All the lots at the new average price.
  out.clear();
  f = d.desk.on_fill(report(kBuy, FillStatus::partially_filled, 37, 98.5), t0, out);
  CHECK(f.result == DeskFill::Result::applied);
  CHECK(out.changed == std::vector<AccountIndex>{0, 2, 3});
  CHECK(d.desk.position(0).quantities == std::vector<double>{60, 49});
  CHECK(d.desk.position(0).cash == -886.5);
  CHECK(d.desk.position(2).quantities == std::vector<double>{70, 47});
  CHECK(d.desk.position(2).cash == -1674.5);
  CHECK(d.desk.position(3).quantities == std::vector<double>{63, 48});
  CHECK(d.desk.position(3).cash == -1083.5);

  // Half a lot more changes no account: it stays unallocated until a lot is whole.
  out.clear();
  f = d.desk.on_fill(report(kBuy, FillStatus::partially_filled, 37.5, 98.5), t0, out);
  CHECK(f.result == DeskFill::Result::applied);
  CHECK(f.unallocated_quantity == 0.5);
  CHECK(out.changed.empty());
  CHECK(d.desk.position(0).quantities == std::vector<double>{60, 49});
  CHECK(d.desk.counters().fills_applied == 3);
  CHECK(d.desk.pending_accounts() == 3);
}

TEST_CASE("an account in a sell and a buy block waits for both, then settles with what they filled") {
  Desk d(book_of(kThreeTrade), with_reports());
  send_three(d);
  DeskOutput out;
  DeskFill f = d.desk.on_fill(report(kBuy, FillStatus::filled, 43, 98), t0, out);
  CHECK(f.result == DeskFill::Result::applied);
  CHECK(f.final);
  CHECK(d.desk.open_blocks() == 1);
  CHECK(d.desk.pending_accounts() == 3);  // the sell is still open
  CHECK(d.desk.monitor().state(0) == AccountState::pending);
  CHECK(d.desk.position(0).quantities == std::vector<double>{60, 50});
  CHECK(d.desk.position(0).cash == -980);
  CHECK(held(d.desk.book(), 0) == std::vector<double>{60, 40});
  CHECK(d.desk.detail(0).open_orders == std::vector<std::string>{kSell});

  out.clear();
  f = d.desk.on_fill(report(kSell, FillStatus::filled, 43, 101), t0, out);
  CHECK(f.final);
  CHECK(d.desk.open_blocks() == 0);
  CHECK(d.desk.pending_accounts() == 0);
  CHECK(d.desk.stuck_accounts() == 0);
  CHECK(out.refusals.empty());
  // a0: +10·101 − 10·98; a2: +20·101 − 20·98; a3: +13·101 − 13·98.
  CHECK(held(d.desk.book(), 0) == std::vector<double>{50, 50});
  CHECK(d.desk.book().cash(0) == 30);
  CHECK(held(d.desk.book(), 2) == std::vector<double>{50, 50});
  CHECK(d.desk.book().cash(2) == 60);
  CHECK(held(d.desk.book(), 3) == std::vector<double>{50, 50});
  CHECK(d.desk.book().cash(3) == 39);
  for (const AccountIndex a : {0u, 2u, 3u}) {
    CHECK(d.desk.monitor().state(a) == AccountState::own_zone);
    CHECK(std::find(out.changed.begin(), out.changed.end(), a) != out.changed.end());
  }
  const AccountDetail settled = d.desk.detail(0);
  CHECK_FALSE(settled.pending);
  CHECK(settled.open_orders.empty());
  CHECK(settled.view.cash == 30);
}

TEST_CASE("a cancelled and a rejected block are final too: their accounts settle with what filled") {
  Desk d(book_of(kThreeTrade), with_reports());
  send_three(d);
  DeskOutput out;
  // 20 of 43 sold: shares 4.65, 9.30, 6.05 → 4, 9, 6 and the last lot to a0.
  CHECK(d.desk.on_fill(report(kSell, FillStatus::partially_filled, 20, 101), t0, out).result ==
        DeskFill::Result::applied);
  DeskFill f = d.desk.on_fill(report(kSell, FillStatus::cancelled, 20, 101), t0, out);
  CHECK(f.result == DeskFill::Result::applied);
  CHECK(f.final);
  CHECK(d.desk.pending_accounts() == 3);
  // Nothing bought: a rejection with nothing filled needs no price.
  f = d.desk.on_fill(report(kBuy, FillStatus::rejected, 0, 0), t0, out);
  CHECK(f.result == DeskFill::Result::applied);
  CHECK(f.final);
  CHECK(d.desk.pending_accounts() == 0);
  CHECK(d.desk.stuck_accounts() == 0);
  CHECK(held(d.desk.book(), 0) == std::vector<double>{55, 40});
  CHECK(d.desk.book().cash(0) == 505);
  CHECK(held(d.desk.book(), 2) == std::vector<double>{61, 30});
  CHECK(d.desk.book().cash(2) == 909);
  CHECK(held(d.desk.book(), 3) == std::vector<double>{57, 37});
  CHECK(d.desk.book().cash(3) == 606);
}

TEST_CASE("a fill past the block gives every account what it asked and reports the rest as unallocated") {
  Desk d(book_of(kThreeTrade), with_reports());
  send_three(d);
  DeskOutput out;
  d.desk.on_fill(report(kSell, FillStatus::filled, 43, 100), t0, out);
  const DeskFill f = d.desk.on_fill(report(kBuy, FillStatus::filled, 45, 100), t0, out);
  CHECK(f.result == DeskFill::Result::applied);
  CHECK(f.final);
  CHECK(f.unallocated_quantity == 2);
  CHECK(held(d.desk.book(), 0) == std::vector<double>{50, 50});
  CHECK(held(d.desk.book(), 2) == std::vector<double>{50, 50});
  CHECK(held(d.desk.book(), 3) == std::vector<double>{50, 50});
  CHECK(d.desk.book().cash(3) == 0);
}

TEST_CASE("a refused report books nothing, leaves its block open and is counted") {
  Desk d(book_of(kThreeTrade), with_reports());
  send_three(d);
  DeskOutput out;
  const auto refused = [&](double quantity, double price, FillStatus status = FillStatus::partially_filled) {
    out.clear();
    const DeskFill f = d.desk.on_fill(report(kBuy, status, quantity, price), t0, out);
    CHECK(f.result == DeskFill::Result::refused);
    CHECK_FALSE(f.error.empty());
    CHECK_FALSE(f.final);
    CHECK(out.empty());
  };
  refused(10, NAN);
  refused(10, INFINITY);
  refused(10, 0);
  refused(10, -98);
  refused(NAN, 98);
  refused(-1, 98);
  refused(INFINITY, 98);
  refused(43, NAN, FillStatus::filled);  // a final report too: the block stays open
  CHECK(d.desk.counters().fills_refused == 8);
  CHECK(d.desk.counters().fills_applied == 0);
  CHECK(d.desk.open_blocks() == 2);
  CHECK(d.desk.position(0).quantities == std::vector<double>{60, 40});
  CHECK(d.desk.position(0).cash == 0);

  CHECK(d.desk.on_fill(report(kBuy, FillStatus::partially_filled, 30, 99), t0, out).result ==
        DeskFill::Result::applied);
  // The cumulative quantity went down: refused, the 30 stay booked.
  refused(20, 99);
  CHECK(d.desk.counters().fills_refused == 9);
  CHECK(d.desk.counters().fills_applied == 1);
  CHECK(d.desk.position(0).quantities == std::vector<double>{60, 47});
  CHECK(d.desk.position(0).cash == -693);
}

TEST_CASE("a report for an order the desk does not hold is not ours, and counts nothing") {
  Desk d(book_of(kThreeTrade), with_reports());
  send_three(d);
  DeskOutput out;
  CHECK(d.desk.on_fill(report("fleet-20260314-000099", FillStatus::filled, 1, 100), t0, out).result ==
        DeskFill::Result::not_ours);
  CHECK(d.desk.on_fill(report("p1-20260314-000001", FillStatus::filled, 1, 100), t0, out).result ==
        DeskFill::Result::not_ours);
  CHECK(out.empty());
  // Once final, a block is no longer the desk's either.
  d.desk.on_fill(report(kBuy, FillStatus::rejected, 0, 0), t0, out);
  out.clear();
  CHECK(d.desk.on_fill(report(kBuy, FillStatus::filled, 43, 100), t0, out).result == DeskFill::Result::not_ours);
  CHECK(out.empty());
  CHECK(d.desk.counters().fills_applied == 1);
  CHECK(d.desk.counters().fills_refused == 0);
}

TEST_CASE("fills that leave cash below zero are booked as they are, and the accounts go on") {
  Desk d(book_of(kThreeTrade), with_reports());
  send_three(d);
  DeskOutput out;
  // The buys fill, the sells that were to pay for them do not: cash below zero.
  d.desk.on_fill(report(kBuy, FillStatus::filled, 43, 98), t0, out);
  out.clear();
  const DeskFill f = d.desk.on_fill(report(kSell, FillStatus::rejected, 0, 0), t0, out);
  CHECK(f.result == DeskFill::Result::applied);
  CHECK(f.final);
  CHECK(d.desk.open_blocks() == 0);
  CHECK(d.desk.stuck_accounts() == 0);
  CHECK(out.refusals.empty());
  // Settled with what the fills did: the book holds it, below zero and all.
  CHECK(d.desk.pending_accounts() == 0);
  CHECK(d.desk.monitor().state(0) != AccountState::pending);
  CHECK(held(d.desk.book(), 0) == std::vector<double>{60, 50});
  CHECK(d.desk.book().cash(0) == -980);
  const AccountDetail after = d.desk.detail(0);
  CHECK_FALSE(after.pending);
  CHECK(after.view.cash == -980);
  // Still too much B and too little cash: the next tick sells to restore them.
  out.clear();
  d.desk.on_tick(kA, 100, t0 + kSecond, out);
  CHECK(out.rebalances >= 1);
}

// ---- views -------------------------------------------------------------------

TEST_CASE("detail lists an account's open blocks and whether it is pending, with the fills booked so far") {
  Desk d(book_of(kThreeTrade), with_reports());
  send_three(d);
  AccountDetail a0 = d.desk.detail(0);
  CHECK(a0.pending);
  CHECK(a0.open_orders == std::vector<std::string>{kSell, kBuy});
  CHECK(a0.last_rebalance == t0);
  REQUIRE(a0.view.assets.size() == 2);
  CHECK(a0.view.assets[0].quantity == 60);
  CHECK(a0.view.assets[1].quantity == 40);
  CHECK(a0.view.cash == 0);

  const AccountDetail a1 = d.desk.detail(1);
  CHECK_FALSE(a1.pending);
  CHECK(a1.open_orders.empty());
  CHECK(a1.last_rebalance == 0);
  CHECK(a1.view.value == 10000);
  CHECK_FALSE(a1.view.breaching);

  DeskOutput out;
  d.desk.on_fill(report(kSell, FillStatus::partially_filled, 20, 101), t0, out);
  a0 = d.desk.detail(0);
  CHECK(a0.view.assets[0].quantity == 55);
  CHECK(a0.view.cash == 505);
  CHECK(a0.view.value == 55 * 100 + 40 * 100 + 505);

  CHECK(d.desk.find("a3") == AccountIndex{3});
  CHECK_FALSE(d.desk.find("a4"));
  CHECK_FALSE(d.desk.find(""));
}

TEST_CASE("page walks the book after an account, up to a limit, or only the accounts outside a band") {
  // Breaching at 100/100: a0 (60/40), a2 (70/30), a3 (63/37); a1 and a4 (52/48) are inside.
  std::vector<Holding> accounts = kThreeTrade;
  accounts.push_back({52, 48});
  Desk d(book_of(accounts), with_reports());
  using Page = std::vector<AccountIndex>;
  const auto page = [&](std::optional<AccountIndex> after, std::size_t limit, bool only_breaching) {
    const FleetDesk::AccountPage p = d.desk.page(after, limit, only_breaching);
    CHECK_FALSE(p.go_on_after);  // never stopped short on a book this small
    return p.accounts;
  };
  CHECK(page(std::nullopt, 2, false) == Page{0, 1});
  CHECK(page(1, 2, false) == Page{2, 3});
  CHECK(page(3, 10, false) == Page{4});
  CHECK(page(4, 10, false).empty());
  CHECK(page(std::nullopt, 0, false).empty());
  CHECK(page(std::nullopt, 2, true) == Page{0, 2});
  CHECK(page(2, 10, true) == Page{3});
  CHECK(page(3, 10, true).empty());
  CHECK(page(std::nullopt, 10, true) == Page{0, 2, 3});

  // Looking at two accounts at most: the breaching ones come a page at a
  // time, a page may hold none, and each says where to go on until the end.
  FleetDesk::AccountPage p = d.desk.page(std::nullopt, 10, true, 2);
  CHECK(p.accounts == Page{0});
  CHECK(p.go_on_after == AccountIndex{1});
  p = d.desk.page(1, 10, true, 2);
  CHECK(p.accounts == Page{2, 3});
  CHECK(p.go_on_after == AccountIndex{3});
  p = d.desk.page(3, 10, true, 2);
  CHECK(p.accounts.empty());
  CHECK_FALSE(p.go_on_after);  // a4 looked at, and the end of the book
  p = d.desk.page(std::nullopt, 1, true, 2);
  CHECK(p.accounts == Page{0});
  CHECK_FALSE(p.go_on_after);  // the limit came first
  p = d.desk.page(0, 10, true, 1);
  CHECK(p.accounts.empty());
  CHECK(p.go_on_after == AccountIndex{1});
}

// ---- blocks restored after a restart ----------------------------------------

namespace {

/// The buy of BBB as the state file kept it: a0 10, a2 20, a3 13 lots.
DeskOrder restored_buy() {
  DeskOrder o;
  o.order_id = "fleet-20260313-000007";
  o.created_at = t0 - core::kNanosPerDay;
  o.block.symbol = kB;
  o.block.side = Side::buy;
  o.block.lot_size = 1;
  o.block.reference_price = 100;
  o.block.allocations = {{0, 10}, {2, 20}, {3, 13}};
  o.block.lots = 43;
  return o;
}

/// The book after 37 of the 43 lots were bought at 98.5 (9, 17 and 11 lots,
/// committed with the fills), with cash left over.
const std::vector<Holding> kAfterThirtySeven = {{60, 49, 1000}, {50, 50, 0}, {70, 47, 1000}, {63, 48, 1000}};

}  // namespace

TEST_CASE("a restored block re-allocates its fills, holds its accounts and books only what comes after") {
  Desk d(book_of(kAfterThirtySeven), with_reports());
  const std::vector<double> fills = {30, 37};
  REQUIRE_FALSE(d.desk.restore_block(restored_buy(), fills, 98.5));
  CHECK(d.desk.open_blocks() == 1);
  CHECK(d.desk.pending_accounts() == 3);
  for (const AccountIndex a : {0u, 2u, 3u}) CHECK(d.desk.monitor().state(a) == AccountState::pending);
  CHECK(d.desk.monitor().state(1) != AccountState::pending);
  // The fills before are in the book already: nothing added twice.
  CHECK(d.desk.position(0).quantities == std::vector<double>{60, 49});
  CHECK(d.desk.position(0).cash == 1000);
  CHECK(d.desk.detail(0).open_orders == std::vector<std::string>{"fleet-20260313-000007"});

  // Held accounts are not checked while they wait.
  DeskOutput out;
  d.desk.resync(t0, out);
  CHECK(out.rebalances == 0);

  // The rest at 98 on average: 10, 20, 13 lots, all at 98 (9·98.5 was booked).
  out.clear();
  const DeskFill f = d.desk.on_fill(report("fleet-20260313-000007", FillStatus::filled, 43, 98), t0, out);
  CHECK(f.result == DeskFill::Result::applied);
  CHECK(f.final);
  CHECK(d.desk.pending_accounts() == 0);
  CHECK(d.desk.open_blocks() == 0);
  CHECK(held(d.desk.book(), 0) == std::vector<double>{60, 50});
  CHECK(d.desk.book().cash(0) == 1000 - 980 + 886.5);
  CHECK(held(d.desk.book(), 2) == std::vector<double>{70, 50});
  CHECK(d.desk.book().cash(2) == 1000 - 1960 + 1674.5);
  CHECK(held(d.desk.book(), 3) == std::vector<double>{63, 50});
  CHECK(d.desk.book().cash(3) == 1000 - 1274 + 1083.5);
  for (const AccountIndex a : {0u, 2u, 3u}) CHECK(d.desk.monitor().state(a) == AccountState::own_zone);
}

TEST_CASE("a restored block without fills waits for its reports; a restored account in two blocks waits for both") {
  Desk d(book_of(kThreeTrade), with_reports());
  DeskOrder sell = restored_buy();
  sell.order_id = "fleet-20260313-000006";
  sell.block.symbol = kA;
  sell.block.side = Side::sell;
  REQUIRE_FALSE(d.desk.restore_block(sell, {}, 0));
  REQUIRE_FALSE(d.desk.restore_block(restored_buy(), {}, 0));
  CHECK(d.desk.open_blocks() == 2);
  CHECK(d.desk.pending_accounts() == 3);
  CHECK(d.desk.detail(0).open_orders == std::vector<std::string>{"fleet-20260313-000006", "fleet-20260313-000007"});
  DeskOutput out;
  d.desk.on_fill(report(sell.order_id, FillStatus::filled, 43, 100), t0, out);
  CHECK(d.desk.pending_accounts() == 3);
  d.desk.on_fill(report("fleet-20260313-000007", FillStatus::filled, 43, 100), t0, out);
  CHECK(d.desk.pending_accounts() == 0);
  CHECK(held(d.desk.book(), 3) == std::vector<double>{50, 50});
  CHECK(d.desk.book().cash(3) == 0);
}

TEST_CASE("a restored block that does not fit the book is refused and changes nothing") {
  Desk d(book_of(kAfterThirtySeven), with_reports());
  const auto refused = [&](const DeskOrder& o, std::vector<double> fills = {}, double price = 98.5) {
    CHECK(d.desk.restore_block(o, fills, price));
    CHECK(d.desk.open_blocks() == 0);
    CHECK(d.desk.pending_accounts() == 0);
    for (AccountIndex a = 0; a < 4; ++a) CHECK(d.desk.monitor().state(a) != AccountState::pending);
  };
  DeskOrder o = restored_buy();
  o.block.lots = 44;  // the allocations add up to 43
  refused(o);
  o = restored_buy();
  o.block.allocations = {{0, 10}, {2, 20}, {4, 13}};  // no account 4
  refused(o);
  o = restored_buy();
  o.block.allocations.clear();
  o.block.lots = 0;
  refused(o);
  o = restored_buy();
  refused(o, {37, 30});  // a cumulative fill that went down
  refused(o, {NAN});
  refused(o, {-1});
  refused(o, {30, 37}, NAN);  // something filled, at no usable price
  refused(o, {30, 37}, 0);
  o = restored_buy();
  o.block.symbol = kC;  // not in the accounts' model
  refused(o);
  o = restored_buy();
  o.block.lot_size = 0;
  refused(o);

  // The same order twice: the second is refused, the first stands alone.
  REQUIRE_FALSE(d.desk.restore_block(restored_buy(), {}, 0));
  CHECK(d.desk.restore_block(restored_buy(), {}, 0));
  CHECK(d.desk.open_blocks() == 1);
  DeskOutput out;
  d.desk.on_fill(report("fleet-20260313-000007", FillStatus::cancelled, 0, 0), t0, out);
  CHECK(d.desk.pending_accounts() == 0);
  CHECK(d.desk.stuck_accounts() == 0);
}

}  // namespace test_fleet_desk
