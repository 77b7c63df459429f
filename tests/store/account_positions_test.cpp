// What the daemon's fleet writes into the state file: the cash and holdings
// it booked for accounts (Change::account_positions), and the allocations of
// its block orders, read back with the orders a restart must finish.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "store/state_store.hpp"
#include "store_test_support.hpp"
#include "tests/support/scratch_dir.hpp"

namespace account_positions_test {

using namespace ballast;
using namespace ballast::store;
using ballast::fleet::AccountRecord;
using ballast::store::test::contains;
using ballast::store::test::kAccountsSchemaV2First;
using ballast::store::test::kSchemaV1;
using ballast::store::test::open_error;
using ballast::store::test::open_ok;
using ballast::store::test::raw_sql;
using ballast::store::test::raw_value;
using ballast::testing::ScratchDir;

namespace {

using Holdings = std::vector<std::pair<std::string, double>>;

AccountRecord account(const std::string& id) {
  AccountRecord a;
  a.id = id;
  a.model = "balanced";
  a.cash = 100;
  a.holdings = {{"BND", 4}, {"VTI", 10}};
  a.household = "h1";
  a.restricted = {"XOM"};
  a.cash_target = 0.05;
  a.band_multiplier = 1.5;
  return a;
}

/// A store holding accounts a1 and a2.
StateStore with_two_accounts(const std::string& path) {
  StateStore store = open_ok(path);
  Change c;
  c.accounts = {account("a1"), account("a2")};
  store.commit(c);
  return store;
}

Change positions(const std::string& id, double cash, Holdings holdings) {
  Change c;
  c.account_positions.push_back({id, cash, std::move(holdings)});
  return c;
}

OrderRow block_order(const std::string& id, std::vector<core::Allocation> allocations) {
  OrderRow row;
  core::Order& o = row.order;
  o.order_id = id;
  o.portfolio = std::string(core::kBlockOrderPortfolio);
  o.symbol = "VTI";
  o.side = core::Side::buy;
  for (const core::Allocation& a : allocations) o.quantity += a.quantity;
  o.reference_price = 100;
  o.reason = "threshold";
  o.created_at = 1'000;
  o.allocations = std::move(allocations);
  row.state = OrderState::sent;
  row.updated_at = 1'000;
  return row;
}

OrderRow portfolio_order(const std::string& id) {
  OrderRow row;
  row.order.order_id = id;
  row.order.portfolio = "p1";
  row.order.symbol = "VTI";
  row.order.quantity = 3;
  row.order.reference_price = 100;
  row.state = OrderState::sent;
  return row;
}

}  // namespace

// ---- account positions -------------------------------------------------------

TEST_CASE("account positions replace the cash and holdings of their account only; the rest of its record stays") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  {
    StateStore store = with_two_accounts(path);
    store.commit(positions("a1", 12.25, {{"AGG", 3}, {"VTI", 0.1 + 0.2}}));
  }
  StateStore store = open_ok(path);
  AccountRecord expected = account("a1");
  expected.cash = 12.25;
  expected.holdings = {{"AGG", 3}, {"VTI", 0.1 + 0.2}};  // BND gone: not held any more
  CHECK(store.account("a1") == expected);
  CHECK(store.account("a2") == account("a2"));

  // Nothing held: an empty list.
  store.commit(positions("a2", 0, {}));
  expected = account("a2");
  expected.cash = 0;
  expected.holdings.clear();
  CHECK(store.account("a2") == expected);
  CHECK(store.account_count() == 2);
}

TEST_CASE("account positions come after the accounts of the same change, and may follow an account opened in it") {
  ScratchDir dir;
  StateStore store = open_ok(dir.file("state.db"));
  Change c = positions("a3", 7, {{"VTI", 2}});
  c.accounts = {account("a3")};
  store.commit(c);
  AccountRecord expected = account("a3");
  expected.cash = 7;
  expected.holdings = {{"VTI", 2}};
  CHECK(store.account("a3") == expected);
}

TEST_CASE("account positions for an account not in the book fail the whole commit") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  StateStore store = with_two_accounts(path);
  Change c = positions("a1", 5, {{"VTI", 1}});
  c.account_positions.push_back({"nobody", 5, {{"VTI", 1}}});
  c.orders = {block_order("fleet-20260314-000001", {{"a1", 1}})};
  PortfolioRow p;
  p.id = "p1";
  c.portfolios = {p};
  try {
    store.commit(c);
    FAIL("the commit succeeded");
  } catch (const StoreError& e) {
    CHECK(contains(e.what(), "\"nobody\""));
  }
  // Nothing of it: not a1's positions, not the order, not the portfolio.
  CHECK(store.account("a1") == account("a1"));
  const Snapshot snap = store.load();
  CHECK(snap.unfinished.empty());
  CHECK(snap.portfolios.empty());
  CHECK(raw_value(path, "SELECT count(*) FROM order_allocations") == "0");

  // A closed account is not in the book either.
  Change close;
  close.closed_accounts = {"a2"};
  store.commit(close);
  CHECK_THROWS_AS(store.commit(positions("a2", 1, {})), StoreError);
  CHECK_FALSE(store.has_account("a2"));
}

TEST_CASE("account positions the book cannot keep fail the commit and change nothing") {
  ScratchDir dir;
  StateStore store = with_two_accounts(dir.file("state.db"));
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  constexpr double inf = std::numeric_limits<double>::infinity();
  const std::vector<Change> refused = {
      positions("a1", nan, {{"VTI", 1}}),
      positions("a1", inf, {{"VTI", 1}}),
      positions("a1", -inf, {{"VTI", 1}}),
      positions("a1", 5, {{"VTI", 1}, {"AGG", 1}}),  // not sorted
      positions("a1", 5, {{"VTI", 1}, {"VTI", 2}}),  // repeated
      positions("a1", 5, {{"VTI", 0}}),              // held nothing: left out, not 0
      positions("a1", 5, {{"VTI", -1}}),
      positions("a1", 5, {{"VTI", nan}}),
      positions("a1", 5, {{"VTI", inf}}),
  };
  for (const Change& c : refused) {
    CAPTURE(c.account_positions[0].cash);
    CHECK_THROWS_AS(store.commit(c), StoreError);
    CHECK(store.account("a1") == account("a1"));
  }
}

TEST_CASE("cash below zero is kept as booked: an account's buys may fill before the sells that pay for them") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  {
    StateStore store = with_two_accounts(path);
    store.commit(positions("a1", -980, {{"BND", 4}, {"VTI", 20}}));
  }
  StateStore store = open_ok(path);
  REQUIRE(store.account("a1"));
  CHECK(store.account("a1")->cash == -980);
}

// ---- block orders' allocations ----------------------------------------------

TEST_CASE("a block order's allocations come back in their order with it while it is unfinished") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  const std::vector<core::Allocation> asked = {{"a3", 13}, {"a0", 10}, {"a2", 0.1 + 0.2}};
  {
    StateStore store = open_ok(path);
    Change c;
    c.orders = {portfolio_order("p1-20260314-000001"), block_order("fleet-20260314-000002", asked),
                block_order("fleet-20260314-000003", {{"a9", 1}})};
    c.orders[2].state = OrderState::created;
    store.commit(c);
  }
  StateStore store = open_ok(path);
  const Snapshot snap = store.load();
  REQUIRE(snap.unfinished.size() == 3);
  CHECK(snap.unfinished[0].order.order_id == "p1-20260314-000001");
  CHECK(snap.unfinished[0].order.allocations.empty());
  CHECK(snap.unfinished[1].order.order_id == "fleet-20260314-000002");
  CHECK(snap.unfinished[1].order.allocations == asked);  // bit for bit, in the order written
  CHECK(snap.unfinished[1].order.quantity == 23 + (0.1 + 0.2));
  CHECK(snap.unfinished[2].order.allocations == std::vector<core::Allocation>{{"a9", 1}});
}

TEST_CASE("allocations written again replace the earlier ones; an order written without any keeps them") {
  ScratchDir dir;
  StateStore store = open_ok(dir.file("state.db"));
  Change c;
  c.orders = {block_order("fleet-20260314-000001", {{"a1", 5}, {"a2", 6}, {"a3", 7}})};
  store.commit(c);
  c.orders = {block_order("fleet-20260314-000001", {{"a2", 4}})};
  store.commit(c);
  Snapshot snap = store.load();
  REQUIRE(snap.unfinished.size() == 1);
  CHECK(snap.unfinished[0].order.allocations == std::vector<core::Allocation>{{"a2", 4}});

  c.orders[0].order.allocations.clear();
  c.orders[0].state = OrderState::partially_filled;
  c.orders[0].filled_quantity = 2;
  store.commit(c);
  snap = store.load();
  REQUIRE(snap.unfinished.size() == 1);
  CHECK(snap.unfinished[0].state == OrderState::partially_filled);
  CHECK(snap.unfinished[0].order.allocations == std::vector<core::Allocation>{{"a2", 4}});
}

TEST_CASE("finished block orders do not come back, with or without their allocations") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  {
    StateStore store = open_ok(path);
    Change c;
    c.orders = {block_order("fleet-20260314-000001", {{"a1", 5}}), block_order("fleet-20260314-000002", {{"a1", 6}}),
                block_order("fleet-20260314-000003", {{"a1", 7}}), block_order("fleet-20260314-000004", {{"a1", 8}})};
    store.commit(c);
    Change done;
    done.order_updates = {{"fleet-20260314-000001", OrderState::filled, 5, 500, 2'000},
                          {"fleet-20260314-000002", OrderState::cancelled, 1, 100, 2'000},
                          {"fleet-20260314-000003", OrderState::rejected, 0, 0, 2'000}};
    store.commit(done);
  }
  StateStore store = open_ok(path);
  const Snapshot snap = store.load();
  REQUIRE(snap.unfinished.size() == 1);
  CHECK(snap.unfinished[0].order.order_id == "fleet-20260314-000004");
  CHECK(snap.unfinished[0].order.allocations == std::vector<core::Allocation>{{"a1", 8}});
  // Their allocations stay in the file as history.
  CHECK(raw_value(path, "SELECT count(*) FROM order_allocations") == "4");
}

// ---- files of earlier versions -----------------------------------------------

TEST_CASE("a version-1 state file is upgraded with the allocations table: block orders round-trip") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  raw_sql(path, std::string("PRAGMA application_id = 1112298324;") + kSchemaV1);
  {
    StateStore store = open_ok(path);
    Change c;
    c.orders = {block_order("fleet-20260314-000001", {{"a1", 5}, {"a2", 6}})};
    store.commit(c);
  }
  CHECK(raw_value(path, "SELECT value FROM meta WHERE key = 'schema_version'") == "4");
  StateStore store = open_ok(path);
  const Snapshot snap = store.load();
  REQUIRE(snap.unfinished.size() == 1);
  CHECK(snap.unfinished[0].order.allocations == std::vector<core::Allocation>{{"a1", 5}, {"a2", 6}});
}

TEST_CASE("a version-2 state file written before block orders is given their allocations table and lots, its state kept") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  // As a build of version 2 without order_allocations left it: an imported
  // account (holding nothing, restricted nothing), a portfolio, counters.
  raw_sql(path, std::string("PRAGMA application_id = 1112298324;") + kSchemaV1 + kAccountsSchemaV2First +
                    "UPDATE meta SET value = 2 WHERE key = 'schema_version';"
                    "INSERT INTO accounts VALUES ('a1', 'balanced', 100, 'h1', NULL, 1.5, X'01', X'01');"
                    "INSERT INTO portfolios VALUES ('p', 12.5, 3, 4, 0.5, 0.25, 'seed');"
                    "UPDATE counters SET next_order = 42, next_rebalance = 9;");
  {
    StateStore store = open_ok(path);
    AccountRecord a1;
    a1.id = "a1";
    a1.model = "balanced";
    a1.cash = 100;
    a1.household = "h1";
    a1.band_multiplier = 1.5;
    CHECK(store.account("a1") == a1);
    const Snapshot snap = store.load();
    REQUIRE(snap.portfolios.size() == 1);
    CHECK(snap.portfolios[0].cash == 12.5);
    CHECK(snap.counters.next_order == 42);
    Change c;
    c.orders = {block_order("fleet-20260314-000042", {{"a1", 5}})};
    store.commit(c);
  }
  CHECK(raw_value(path, "SELECT value FROM meta WHERE key = 'schema_version'") == "4");
  StateStore store = open_ok(path);  // a second open finds version 4: nothing to do
  const Snapshot snap = store.load();
  REQUIRE(snap.unfinished.size() == 1);
  CHECK(snap.unfinished[0].order.allocations == std::vector<core::Allocation>{{"a1", 5}});
}

TEST_CASE("a version-2 file that cannot be given the allocations table is refused and left as it was") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  // Something else already named order_allocations: the CREATE TABLE fails.
  raw_sql(path, std::string("PRAGMA application_id = 1112298324;") + kSchemaV1 + kAccountsSchemaV2First +
                    "UPDATE meta SET value = 2 WHERE key = 'schema_version';"
                    "CREATE VIEW order_allocations AS SELECT 1;");
  const std::string message = open_error(path);
  CHECK(contains(message, "cannot upgrade state file " + path + " from schema version 2 to 4"));
  CHECK(contains(message, "left as it was"));
  CHECK(raw_value(path, "SELECT type FROM sqlite_schema WHERE name = 'order_allocations'") == "view");
  CHECK(raw_value(path, "SELECT value FROM meta WHERE key = 'schema_version'") == "2");
  CHECK(raw_value(path, "SELECT count(*) FROM pragma_table_info('accounts') WHERE name = 'lots'") == "0");
}

}  // namespace account_positions_test
