// A model's calendar dates on the desk: the first timer schedules, each date
// rebalances every account of the model to target when a trade is worth it,
// a slice of accounts per timer; an account busy on its date is rebalanced
// once it settles; the window's orders say "calendar". Prices 100; the model
// holds AAA and BBB half and half with a band of 0.05, lots of 1, and a
// calendar of "1d" (midnight UTC).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/symbol_table.hpp"
#include "core/time.hpp"
#include "fleet/fleet_desk.hpp"
#include "fleet_test_support.hpp"

namespace test_fleet_desk_calendar {

using namespace ballast;
using namespace ballast::fleet;
using ballast::fleet::test::simple_model;

namespace {

const core::TimeNs t0 = core::parse_iso8601("2026-03-14T15:00:00Z").value();
const core::TimeNs kMidnight = core::parse_iso8601("2026-03-15T00:00:00Z").value();
constexpr core::DurationNs kSecond = core::kNanosPerSecond;

/// By default a0 52/48 (inside its band, off target), a1 50/50 (on
/// target), a2 60/40 (outside: the start's check trades it).
AccountBook calendar_book(const std::vector<std::vector<double>>& held = {{52, 48}, {50, 50}, {60, 40}}) {
  AccountBook book(2);
  Model m = simple_model({0.5, 0.5}, 0.05);
  m.calendars.push_back({core::parse_period("1d").value(), std::nullopt});
  REQUIRE_FALSE(book.add_model(m));
  for (std::size_t i = 0; i < held.size(); ++i) REQUIRE_FALSE(book.add_account("a" + std::to_string(i), 0, 0, held[i]));
  return book;
}

struct Desk {
  Desk(bool book_on_send, std::size_t slice, std::size_t trades = 256, AccountBook book = calendar_book())
      : desk(FleetMonitor(std::move(book), {100, 100}, Fills::on_settle), symbols,
             DeskOptions{.window = 0, .book_on_send = book_on_send, .calendar_slice = slice, .calendar_trades = trades},
             [this] { return seq++; }) {}
  core::SymbolTable symbols = ballast::fleet::test::aaa_bbb();
  std::uint64_t seq = 1;
  FleetDesk desk;
};

std::vector<double> held(const FleetDesk& d, AccountIndex a) {
  const auto q = d.book().quantities(a);
  return {q.begin(), q.end()};
}

}  // namespace

TEST_CASE("a calendar date rebalances the model's accounts to target, a slice per timer, and says so") {
  Desk d(/*book_on_send=*/true, /*slice=*/1);
  DeskOutput out;
  d.desk.resync(t0, out);
  REQUIRE(out.orders.size() == 2);  // a2's band rebalance
  CHECK(out.orders[0].reason == "threshold");
  CHECK(held(d.desk, 2) == std::vector<double>{50, 50});

  // The first timer schedules the next date; nothing before it.
  out.clear();
  d.desk.on_timer(t0, out);
  d.desk.on_timer(kMidnight - 1, out);
  CHECK(out.orders.empty());
  CHECK_FALSE(d.desk.calendar_running());

  // At midnight, one account a timer: a0 sells 2 AAA and buys 2 BBB.
  d.desk.on_timer(kMidnight, out);
  REQUIRE(out.orders.size() == 2);
  CHECK(out.orders[0].reason == "calendar");
  CHECK(out.orders[0].block.side == core::Side::sell);
  CHECK(out.orders[0].block.allocations == std::vector<BlockAllocation>{{0, 2}});
  CHECK(out.orders[1].block.allocations == std::vector<BlockAllocation>{{0, 2}});
  CHECK(held(d.desk, 0) == std::vector<double>{50, 50});
  CHECK(d.desk.calendar_running());
  CHECK(d.desk.counters().calendar_rebalances == 1);
  // a1 and a2 are on target: nothing to trade.
  out.clear();
  d.desk.on_timer(kMidnight + kSecond, out);
  d.desk.on_timer(kMidnight + 2 * kSecond, out);
  CHECK(out.orders.empty());
  CHECK_FALSE(d.desk.calendar_running());
  CHECK(d.desk.counters().calendar_rebalances == 1);
  CHECK(d.desk.counters().rebalances == 2);

  // The next date is the next midnight.
  d.desk.on_timer(kMidnight + core::kNanosPerDay - 1, out);
  CHECK_FALSE(d.desk.calendar_running());
}

TEST_CASE("an account busy on its date is rebalanced to target once its blocks are final") {
  Desk d(/*book_on_send=*/false, /*slice=*/0);
  DeskOutput out;
  d.desk.resync(t0, out);
  REQUIRE(out.orders.size() == 2);  // a2 sells 10 AAA and buys 10 BBB, and waits for them
  const std::string sell = out.orders[0].order_id, buy = out.orders[1].order_id;
  out.clear();
  d.desk.on_timer(t0, out);
  d.desk.on_timer(kMidnight, out);
  REQUIRE(out.orders.size() == 2);  // a0 only: a2 is busy
  CHECK(out.orders[0].block.allocations == std::vector<BlockAllocation>{{0, 2}});
  // a2's blocks end 8 and 8 lots filled: 52/48, inside its band, off target.
  out.clear();
  d.desk.on_fill({sell, core::FillStatus::cancelled, 8, 100, kMidnight}, kMidnight, out);
  d.desk.on_fill({buy, core::FillStatus::cancelled, 8, 100, kMidnight}, kMidnight, out);
  CHECK(d.desk.position(2).quantities == std::vector<double>{52, 48});
  out.clear();
  d.desk.on_timer(kMidnight + kSecond, out);
  REQUIRE(out.orders.size() == 2);
  CHECK(out.orders[0].reason == "calendar");
  CHECK(out.orders[0].block.allocations == std::vector<BlockAllocation>{{2, 2}});
  CHECK(out.orders[1].block.allocations == std::vector<BlockAllocation>{{2, 2}});
  CHECK(d.desk.counters().calendar_rebalances == 2);
}

TEST_CASE("a timer's share of a date also ends once calendar_trades accounts have traded") {
  // a0 52/48 and a1 48/52 trade on the date, a2 is on target: one trade a timer.
  Desk d(/*book_on_send=*/true, /*slice=*/0, /*trades=*/1, calendar_book({{52, 48}, {48, 52}, {50, 50}}));
  DeskOutput out;
  d.desk.on_timer(t0, out);
  d.desk.on_timer(kMidnight, out);
  REQUIRE(out.orders.size() == 2);
  CHECK(out.orders[0].block.allocations == std::vector<BlockAllocation>{{0, 2}});
  CHECK(d.desk.calendar_running());
  out.clear();
  d.desk.on_timer(kMidnight + kSecond, out);
  REQUIRE(out.orders.size() == 2);
  CHECK(out.orders[0].block.allocations == std::vector<BlockAllocation>{{1, 2}});
  CHECK(out.orders[0].block.side == core::Side::sell);
  CHECK(out.orders[0].block.symbol == 1);  // a1 sells BBB
  out.clear();
  d.desk.on_timer(kMidnight + 2 * kSecond, out);
  CHECK(out.orders.empty());
  CHECK_FALSE(d.desk.calendar_running());
  CHECK(d.desk.counters().calendar_rebalances == 2);
}

}  // namespace test_fleet_desk_calendar
