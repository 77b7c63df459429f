// The desk's live account changes (the control API's): added, replaced and
// closed accounts keep the desk's index, its pending state and its checks
// consistent, and none trades inside the call.
#include <doctest/doctest.h>

#include <cmath>

#include <string>
#include <vector>

#include "fleet/fleet_desk.hpp"
#include "fleet_test_support.hpp"

namespace test_fleet_desk_accounts {

using namespace ballast;
using namespace ballast::fleet;
using ballast::fleet::test::simple_model;

namespace {

/// 60/40 over SPY (0) and AGG (1) in a 5-point band, both at 100; fills come as reports.
struct Desk {
  core::SymbolTable symbols = [] {
    core::SymbolTable t;
    t.intern("SPY");
    t.intern("AGG");
    return t;
  }();
  std::uint64_t seq = 1;
  FleetDesk desk = make();
  DeskOutput out;

  FleetDesk make() {
    AccountBook book(2);
    REQUIRE_FALSE(book.add_model(simple_model({0.6, 0.4}, 0.05)));
    REQUIRE_FALSE(book.add_account("first", 0, 0, std::vector<double>{6, 4}));
    return FleetDesk(FleetMonitor(std::move(book), {100, 100}, Fills::on_settle), symbols,
                     DeskOptions{.window = 0, .book_on_send = false}, [this] { return seq++; });
  }
  AccountIndex index(std::string_view id) const {
    const auto a = desk.find(id);
    REQUIRE(a);
    return *a;
  }
  /// A tick at the price of now, which checks whoever waits for one.
  void tick(core::SymbolId s = 0) {
    out.clear();
    desk.on_tick(s, desk.monitor().prices()[s], 1, out);
  }
  void fill(const DeskOrder& o, core::FillStatus status, double quantity) {
    DeskOutput ignored;
    const DeskFill r = desk.on_fill({o.order_id, status, quantity, o.block.reference_price, 1}, 1, ignored);
    REQUIRE(r.result == DeskFill::Result::applied);
  }
};

const std::vector<double> kOnTarget{6, 4};
const std::vector<double> kAllSpy{10, 0};

}  // namespace

TEST_CASE("an account added live is found by its id and trades on the next tick, not in the call") {
  Desk d;
  // Enough ids that the book's id bytes move as it grows: every id still finds its account.
  for (int i = 0; i < 300; ++i) REQUIRE_FALSE(d.desk.add_account("on-target-" + std::to_string(i), 0, 0, kOnTarget, 1));
  REQUIRE_FALSE(d.desk.add_account("breaching", 0, 0, kAllSpy, 1));
  for (int i = 0; i < 300; ++i) CHECK(d.desk.book().id(d.index("on-target-" + std::to_string(i))) == "on-target-" + std::to_string(i));
  CHECK(d.index("first") == 0);
  CHECK(d.desk.open_blocks() == 0);
  CHECK(d.desk.detail(d.index("breaching")).last_rebalance == 0);

  d.tick();
  REQUIRE(d.out.orders.size() == 2);
  for (const DeskOrder& o : d.out.orders) {
    REQUIRE(o.block.allocations.size() == 1);
    CHECK(o.block.allocations[0].account == d.index("breaching"));
  }
  CHECK(d.desk.detail(d.index("breaching")).last_rebalance == 1);
}

TEST_CASE("adding an id the book holds is refused, a closed account's too") {
  Desk d;
  CHECK(d.desk.add_account("first", 0, 0, kOnTarget, 1));
  REQUIRE_FALSE(d.desk.close_account(0));
  CHECK(d.desk.add_account("first", 0, 0, kOnTarget, 1));
  CHECK(d.desk.book().size() == 1);
  // What the monitor refuses changes nothing either.
  CHECK(d.desk.add_account("bad", 7, 0, kOnTarget, 1));
  CHECK(d.desk.add_account("bad", 0, NAN, kOnTarget, 1));
  CHECK_FALSE(d.desk.find("bad"));
}

TEST_CASE("an account waiting for its blocks cannot be changed or closed until they are final") {
  Desk d;
  REQUIRE_FALSE(d.desk.set_account(0, 0, 0, kAllSpy, 1));
  CHECK(d.desk.open_blocks() == 0);  // replaced, not traded
  d.tick();
  REQUIRE(d.out.orders.size() == 2);
  CHECK(d.desk.busy(0));
  CHECK(d.desk.set_account(0, 0, 0, kOnTarget, 1));
  CHECK(d.desk.close_account(0));
  CHECK(d.desk.book().quantities(0)[0] == 10);

  const std::vector<DeskOrder> orders = d.out.orders;
  d.fill(orders[0], core::FillStatus::filled, orders[0].block.quantity());
  CHECK(d.desk.busy(0));
  d.fill(orders[1], core::FillStatus::filled, orders[1].block.quantity());
  CHECK_FALSE(d.desk.busy(0));
  CHECK(d.desk.pending_accounts() == 0);
  REQUIRE_FALSE(d.desk.set_account(0, 0, 500, kOnTarget, 2));
  CHECK(d.desk.book().cash(0) == 500);
  CHECK(d.desk.book().band_multiplier(0) == 2);
}

TEST_CASE("a replaced account is checked again at the current prices on the next tick") {
  Desk d;
  d.tick();
  CHECK(d.out.orders.empty());
  REQUIRE_FALSE(d.desk.set_account(0, 0, 0, kAllSpy, 1));
  CHECK(d.desk.detail(0).view.breaching);
  d.tick(1);  // a tick of any of its symbols
  CHECK(d.out.orders.size() == 2);
}

TEST_CASE("a closed account is never checked again and leaves pages and the summary") {
  Desk d;
  REQUIRE_FALSE(d.desk.add_account("second", 0, 0, kAllSpy, 1));
  CHECK(d.desk.summary().accounts == 2);
  CHECK(d.desk.summary().breaching == 1);
  REQUIRE_FALSE(d.desk.close_account(d.index("second")));
  CHECK(d.desk.closed(d.index("second")));
  CHECK(d.desk.closed_accounts() == 1);
  CHECK(d.desk.close_account(d.index("second")));  // closed already
  CHECK(d.desk.set_account(d.index("second"), 0, 0, kOnTarget, 1));
  CHECK(d.desk.page(std::nullopt, 10, false).accounts == std::vector<AccountIndex>{0});
  CHECK(d.desk.summary().accounts == 1);
  CHECK(d.desk.summary().breaching == 0);
  d.tick();
  d.desk.resync(2, d.out);
  CHECK(d.out.orders.empty());
}

TEST_CASE("a variant model added live can be given to accounts") {
  Desk d;
  const auto before = d.desk.book().models().size();
  REQUIRE_FALSE(d.desk.add_model(simple_model({0.5, 0.3}, 0.05)));
  REQUIRE(d.desk.book().models().size() == before + 1);
  REQUIRE_FALSE(d.desk.set_account(0, static_cast<ModelIndex>(before), 0, kOnTarget, 1));
  CHECK(d.desk.book().model_index(0) == before);
  Model broken = simple_model({0.5, 0.3}, 0.05);
  broken.symbols[1] = 9;  // not a symbol of the book
  CHECK(d.desk.add_model(broken));
}

TEST_CASE("an update replaces what fills left below zero cash with what the broker says") {
  Desk d;
  REQUIRE_FALSE(d.desk.set_account(0, 0, 0, kAllSpy, 1));
  d.tick();
  REQUIRE(d.out.orders.size() == 2);
  const DeskOrder sell = d.out.orders[0].block.side == core::Side::sell ? d.out.orders[0] : d.out.orders[1];
  const DeskOrder buy = d.out.orders[0].block.side == core::Side::sell ? d.out.orders[1] : d.out.orders[0];
  // The sell fails, the buy fills: 400 spent that never came in.
  d.fill(sell, core::FillStatus::rejected, 0);
  d.fill(buy, core::FillStatus::filled, buy.block.quantity());
  CHECK(d.desk.stuck_accounts() == 0);
  CHECK(d.desk.book().cash(0) < 0);  // booked as it is
  CHECK_FALSE(d.desk.detail(0).pending);
  CHECK_FALSE(d.desk.busy(0));

  // The operator books what the broker says it holds.
  REQUIRE_FALSE(d.desk.set_account(0, 0, 0, std::vector<double>{6, 4}, 1));
  CHECK(d.desk.stuck_accounts() == 0);
  CHECK(d.desk.pending_accounts() == 0);
  CHECK_FALSE(d.desk.detail(0).pending);
  CHECK(d.desk.monitor().state(0) != AccountState::pending);
  CHECK(d.desk.position(0).quantities == std::vector<double>{6, 4});
}

TEST_CASE("an account whose fills left it below zero cash may be closed") {
  Desk d;
  REQUIRE_FALSE(d.desk.set_account(0, 0, 0, kAllSpy, 1));
  d.tick();
  REQUIRE(d.out.orders.size() == 2);
  const std::vector<DeskOrder> orders = d.out.orders;
  for (const DeskOrder& o : orders) {
    if (o.block.side == core::Side::sell) d.fill(o, core::FillStatus::rejected, 0);
  }
  for (const DeskOrder& o : orders) {
    if (o.block.side == core::Side::buy) d.fill(o, core::FillStatus::filled, o.block.quantity());
  }
  REQUIRE(d.desk.book().cash(0) < 0);
  REQUIRE_FALSE(d.desk.close_account(0));
  CHECK(d.desk.closed(0));
  CHECK(d.desk.pending_accounts() == 0);
}

TEST_CASE("an account added or updated live takes the household it is given") {
  Desk d;
  REQUIRE_FALSE(d.desk.add_account("second", 0, 0, kOnTarget, 1, "smith"));
  REQUIRE_FALSE(d.desk.add_account("third", 0, 0, kOnTarget, 1, "smith"));
  const AccountBook& book = d.desk.book();
  const AccountIndex second = d.index("second");
  const AccountIndex third = d.index("third");
  CHECK(book.household(0) == AccountBook::kNoHousehold);
  CHECK(book.household_name(book.household(second)) == "smith");
  CHECK(book.wash_household(third) == book.wash_household(second));

  // An update moves it to another household, and one without a household clears it.
  REQUIRE_FALSE(d.desk.set_account(third, 0, 10, kOnTarget, 1, "jones"));
  CHECK(book.household_name(book.household(third)) == "jones");
  CHECK(book.household_name(book.household(second)) == "smith");
  REQUIRE_FALSE(d.desk.set_account(0, 0, 0, kOnTarget, 1, "jones"));
  CHECK(book.wash_household(0) == book.wash_household(third));
  REQUIRE_FALSE(d.desk.set_account(third, 0, 10, kOnTarget, 1));
  CHECK(book.household(third) == AccountBook::kNoHousehold);
  CHECK(book.wash_household(third) != book.wash_household(0));
  CHECK(book.wash_household(third) != book.wash_household(second));
  CHECK(book.household_count() == 2);
}

TEST_CASE("a refused update leaves the account's household as it was") {
  Desk d;
  REQUIRE_FALSE(d.desk.set_account(0, 0, 0, kAllSpy, 1, "smith"));
  d.tick();
  REQUIRE(d.desk.busy(0));
  CHECK(d.desk.set_account(0, 0, 0, kOnTarget, 1, "jones"));
  CHECK(d.desk.book().household_name(d.desk.book().household(0)) == "smith");
  REQUIRE_FALSE(d.desk.add_account("second", 0, 0, kOnTarget, 1, "lee"));
  CHECK(d.desk.set_account(d.index("second"), 0, NAN, kOnTarget, 1, "jones"));
  CHECK(d.desk.book().household_name(d.desk.book().household(d.index("second"))) == "lee");
  CHECK(d.desk.book().household_count() == 2);  // "jones" was never interned
}

}  // namespace test_fleet_desk_accounts
