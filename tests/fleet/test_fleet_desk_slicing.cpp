// The desk with a model's slicing: a window's blocks leave as children one
// interval apart, each a block of its own with its fills allocated to its
// accounts; the accounts wait for the last; scheduled children wait for
// their time, can be resolved before they leave, come back after a restart,
// and keep their interval when the desk could not send them in time. Prices 100; the model holds AAA and BBB half and
// half with a band of 0.05, lots of 1, slicing = { max_child_value = 2000, interval = "30s" }.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/symbol_table.hpp"
#include "core/time.hpp"
#include "fleet/fleet_desk.hpp"
#include "fleet_test_support.hpp"

namespace test_fleet_desk_slicing {

using namespace ballast;
using namespace ballast::fleet;
using ballast::fleet::test::simple_model;
using core::FillStatus;
using core::Side;

namespace {

constexpr core::SymbolId kA = 0;
constexpr core::SymbolId kB = 1;
const core::TimeNs t0 = core::parse_iso8601("2026-03-14T15:00:00Z").value();
constexpr core::DurationNs kSecond = core::kNanosPerSecond;
constexpr core::DurationNs kInterval = 30 * kSecond;

/// a0 (60/40) sells 10 AAA and buys 10 BBB, a1 (70/30) 20 and 20, a2 (63/37)
/// 13 and 13: blocks of 43 lots, $4,300, in steps of 20 lots ($2,000).
AccountBook sliced_book(double max_child_value = 2000) {
  AccountBook book(2);
  Model m = simple_model({0.5, 0.5}, 0.05);
  m.slicing = core::Slicing{max_child_value, kInterval};
  REQUIRE_FALSE(book.add_model(m));
  const double held[][2] = {{60, 40}, {70, 30}, {63, 37}};
  for (int i = 0; i < 3; ++i) {
    REQUIRE_FALSE(book.add_account("a" + std::to_string(i), 0, 0, std::vector<double>{held[i][0], held[i][1]}));
  }
  return book;
}

struct Desk {
  explicit Desk(AccountBook book, bool book_on_send = false)
      : desk(FleetMonitor(std::move(book), {100, 100}, Fills::on_settle), symbols,
             DeskOptions{.window = 0, .book_on_send = book_on_send}, [this] { return seq++; }) {}
  core::SymbolTable symbols = ballast::fleet::test::aaa_bbb();
  std::uint64_t seq = 1;
  FleetDesk desk;
};

std::string id(int n) { return "fleet-20260314-00000" + std::to_string(n); }

core::FillReport filled(const std::string& order_id, double quantity, double price) {
  core::FillReport r;
  r.order_id = order_id;
  r.status = FillStatus::filled;
  r.filled_quantity = quantity;
  r.avg_price = price;
  return r;
}

std::vector<double> held(const FleetDesk& d, AccountIndex a) {
  const auto q = d.book().quantities(a);
  return {q.begin(), q.end()};
}

// Asks 10, 20, 13 of 43 lots. After 20 lots: 4.65, 9.30, 6.05 → 5, 9, 6.
// After 40: 9.30, 18.60, 12.09 → 9, 19, 12. Then the rest.
const std::vector<BlockAllocation> kStep0 = {{0, 5}, {1, 9}, {2, 6}};
const std::vector<BlockAllocation> kStep1 = {{0, 4}, {1, 10}, {2, 6}};
const std::vector<BlockAllocation> kStep2 = {{0, 1}, {1, 1}, {2, 1}};

}  // namespace

TEST_CASE("a sliced window: children numbered in the order they leave, the first of each side at once") {
  Desk d(sliced_book());
  DeskOutput out;
  d.desk.resync(t0, out);
  CHECK(out.rebalances == 3);
  REQUIRE(out.orders.size() == 6);
  const Side sides[] = {Side::sell, Side::buy};
  const std::vector<BlockAllocation>* steps[] = {&kStep0, &kStep1, &kStep2};
  for (int k = 0; k < 3; ++k) {
    for (int s = 0; s < 2; ++s) {
      const DeskOrder& o = out.orders[static_cast<std::size_t>(2 * k + s)];
      CAPTURE(o.order_id);
      CHECK(o.order_id == id(2 * k + s + 1));
      CHECK(o.rebalance_id == id(1));
      CHECK(o.block.side == sides[s]);
      CHECK(o.block.symbol == (s == 0 ? kA : kB));
      CHECK(o.block.allocations == *steps[k]);
      CHECK(o.block.reference_price == 100);
      CHECK(o.created_at == t0 + k * kInterval);
      CHECK(o.scheduled == (k > 0));
    }
  }
  CHECK(d.desk.open_blocks() == 6);
  CHECK(d.desk.scheduled_children() == 4);
  CHECK(d.desk.counters().blocks_sent == 2);
  CHECK(d.desk.counters().blocks_sliced == 2);
  CHECK(d.desk.pending_accounts() == 3);
  CHECK(d.desk.detail(0).open_orders.size() == 6);

  // Nothing before its time; at it, the step's two children, sell first.
  out.clear();
  d.desk.on_timer(t0 + kInterval - 1, out);
  CHECK(out.released.empty());
  d.desk.on_timer(t0 + kInterval, out);
  REQUIRE(out.released.size() == 2);
  CHECK(out.released[0].order_id == id(3));
  CHECK(out.released[1].order_id == id(4));
  CHECK_FALSE(out.released[0].scheduled);
  CHECK(out.orders.empty());
  CHECK(d.desk.scheduled_children() == 2);
  CHECK(d.desk.counters().blocks_sent == 4);

  // The timeout counts from when each left; a child not sent is never unknown.
  CHECK(d.desk.time_out(t0 + kInterval + 20 * kSecond, 40 * kSecond) == std::vector<std::string>{id(1), id(2)});

  out.clear();
  d.desk.on_timer(t0 + 10 * kInterval, out);
  REQUIRE(out.released.size() == 2);
  CHECK(d.desk.scheduled_children() == 0);
}

TEST_CASE("each child's fills are allocated within it; the accounts settle when the last is final") {
  Desk d(sliced_book());
  DeskOutput out;
  d.desk.resync(t0, out);
  d.desk.on_timer(t0 + 2 * kInterval, out);
  // The sells at 101, the buys at 99, all filled, in an order of their own.
  for (const int n : {1, 3, 5, 2, 4}) {
    out.clear();
    const bool sell = n % 2 == 1;
    const std::vector<BlockAllocation>& step = n <= 2 ? kStep0 : n <= 4 ? kStep1 : kStep2;
    double lots = 0;
    for (const BlockAllocation& a : step) lots += static_cast<double>(a.lots);
    const DeskFill f = d.desk.on_fill(filled(id(n), lots, sell ? 101 : 99), t0 + 3 * kInterval, out);
    CHECK(f.result == DeskFill::Result::applied);
    CHECK(f.final);
    CHECK(d.desk.pending_accounts() == 3);  // the last buy is open still
  }
  // A partial fill of the last: 2 of 3 lots; largest remainder over asks
  // 1, 1, 1 gives a0 and a1 one each.
  out.clear();
  core::FillReport part = filled(id(6), 2, 99);
  part.status = FillStatus::partially_filled;
  CHECK(d.desk.on_fill(part, t0 + 3 * kInterval, out).result == DeskFill::Result::applied);
  CHECK(d.desk.position(2).quantities == std::vector<double>{50, 49});
  CHECK(d.desk.position(0).quantities == std::vector<double>{50, 50});
  out.clear();
  d.desk.on_fill(filled(id(6), 3, 99), t0 + 3 * kInterval, out);
  CHECK(d.desk.pending_accounts() == 0);
  CHECK(d.desk.open_blocks() == 0);
  CHECK(held(d.desk, 0) == std::vector<double>{50, 50});
  CHECK(d.desk.book().cash(0) == 10 * 101 - 10 * 99);
  CHECK(held(d.desk, 1) == std::vector<double>{50, 50});
  CHECK(d.desk.book().cash(1) == 20 * 101 - 20 * 99);
  CHECK(held(d.desk, 2) == std::vector<double>{50, 50});
  CHECK(d.desk.book().cash(2) == 13 * 101 - 13 * 99);
}

TEST_CASE("a scheduled child resolved before it leaves is never sent; its accounts keep what the others did") {
  Desk d(sliced_book());
  DeskOutput out;
  d.desk.resync(t0, out);
  std::string error;
  // Cancelled with nothing filled: the operator stops the last sell child.
  const auto report = d.desk.resolution(id(5), 0.0, 0, error);
  REQUIRE(report);
  CHECK(report->status == FillStatus::cancelled);
  out.clear();
  CHECK(d.desk.on_fill(*report, t0, out).final);
  CHECK(d.desk.scheduled_children() == 3);
  out.clear();
  d.desk.on_timer(t0 + kInterval, out);
  d.desk.on_timer(t0 + 2 * kInterval, out);
  REQUIRE(out.released.size() == 3);
  CHECK(out.released[0].order_id == id(3));
  CHECK(out.released[1].order_id == id(4));
  CHECK(out.released[2].order_id == id(6));
}

TEST_CASE("a window worth no more than one child is not sliced") {
  Desk d(sliced_book(4300));
  DeskOutput out;
  d.desk.resync(t0, out);
  REQUIRE(out.orders.size() == 2);
  CHECK(out.orders[0].block.lots == 43);
  CHECK_FALSE(out.orders[1].scheduled);
  CHECK(d.desk.scheduled_children() == 0);
  CHECK(d.desk.counters().blocks_sliced == 0);
}

TEST_CASE("booked on send, each child is booked as it leaves, and the accounts settle after the last") {
  Desk d(sliced_book(), /*book_on_send=*/true);
  DeskOutput out;
  d.desk.resync(t0, out);
  CHECK(d.desk.open_blocks() == 4);
  CHECK(d.desk.position(0).quantities == std::vector<double>{55, 45});
  CHECK(d.desk.pending_accounts() == 3);
  out.clear();
  d.desk.on_timer(t0 + kInterval, out);
  CHECK(out.released.size() == 2);
  CHECK(d.desk.position(1).quantities == std::vector<double>{51, 49});
  out.clear();
  d.desk.on_timer(t0 + 2 * kInterval, out);
  CHECK(d.desk.pending_accounts() == 0);
  CHECK(held(d.desk, 2) == std::vector<double>{50, 50});
  CHECK(d.desk.book().cash(2) == 0);
}

TEST_CASE("a child leaves at the price of its time, not its window's, and is booked at it") {
  Desk d(sliced_book(), /*book_on_send=*/true);
  DeskOutput out;
  d.desk.resync(t0, out);
  REQUIRE(out.orders.size() == 6);
  CHECK(out.orders[0].block.reference_price == 100);
  // AAA rises to 104 before the second step; the accounts wait for their
  // blocks, so the tick decides nothing.
  out.clear();
  d.desk.on_tick(kA, 104, t0 + 10 * kSecond, out);
  CHECK(out.orders.empty());
  d.desk.on_timer(t0 + kInterval, out);
  REQUIRE(out.released.size() == 2);
  CHECK(out.released[0].block.symbol == kA);
  CHECK(out.released[0].block.reference_price == 104);
  CHECK(out.released[1].block.reference_price == 100);
  // a2 sold 6 AAA and bought 6 BBB at 100 in the first step; now 6 AAA at
  // 104 against 6 BBB at 100 (its position as booked; the book's settles
  // after the last child).
  CHECK(d.desk.position(2).cash == 6 * 104 - 6 * 100);
}

TEST_CASE("restored after a restart, a scheduled child waits for its time again") {
  Desk first(sliced_book());
  DeskOutput out;
  first.desk.resync(t0, out);
  REQUIRE(out.orders.size() == 6);
  const std::vector<DeskOrder> orders = out.orders;

  Desk d(sliced_book());
  for (const DeskOrder& o : orders) REQUIRE_FALSE(d.desk.restore_block(o, {}, 0));
  CHECK(d.desk.open_blocks() == 6);
  CHECK(d.desk.scheduled_children() == 4);
  CHECK(d.desk.pending_accounts() == 3);
  out.clear();
  d.desk.on_timer(t0 + kInterval, out);
  REQUIRE(out.released.size() == 2);
  CHECK(out.released[0].order_id == id(3));
}

TEST_CASE("children past their time leave one interval apart from when the desk can send again") {
  // Steps at t0, t0 + 30 s and t0 + 60 s. Nothing is released until t0 + 100 s
  // (stopped, paused or killed): then step 1 leaves, and step 2 a full
  // interval later, at t0 + 130 s, not with it.
  Desk d(sliced_book());
  DeskOutput out;
  d.desk.resync(t0, out);
  REQUIRE(out.orders.size() == 6);
  out.clear();
  d.desk.on_timer(t0 + 100 * kSecond, out);
  REQUIRE(out.released.size() == 2);
  CHECK(out.released[0].order_id == id(3));
  CHECK(out.released[1].order_id == id(4));
  CHECK(d.desk.scheduled_children() == 2);
  out.clear();
  d.desk.on_timer(t0 + 130 * kSecond - 1, out);
  CHECK(out.released.empty());
  d.desk.on_timer(t0 + 130 * kSecond, out);
  REQUIRE(out.released.size() == 2);
  CHECK(out.released[0].order_id == id(5));
  CHECK(out.released[0].created_at == t0 + 130 * kSecond);  // its time, moved with it
  CHECK(d.desk.scheduled_children() == 0);

  // A child only a little late (a timer's tick) moves nothing.
  Desk e(sliced_book());
  out.clear();
  e.desk.resync(t0, out);
  out.clear();
  e.desk.on_timer(t0 + kInterval + 2 * kSecond, out);
  REQUIRE(out.released.size() == 2);
  out.clear();
  e.desk.on_timer(t0 + 2 * kInterval, out);
  CHECK(out.released.size() == 2);
}

}  // namespace test_fleet_desk_slicing
