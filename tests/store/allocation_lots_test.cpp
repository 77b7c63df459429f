// The lots a fleet sell's allocations name (core::Allocation::lots), kept in
// the state file with the open order (schema version 4) so that a restart
// sends the order again naming them, and the upgrade that adds them.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "store/state_store.hpp"
#include "store_test_support.hpp"
#include "tests/support/scratch_dir.hpp"

namespace allocation_lots_test {

using namespace ballast;
using namespace ballast::store;
using ballast::store::test::contains;
using ballast::store::test::kAccountsSchemaV2First;
using ballast::store::test::kOrderAllocationsSchemaV2;
using ballast::store::test::kSchemaV1;
using ballast::store::test::open_error;
using ballast::store::test::open_ok;
using ballast::store::test::raw_sql;
using ballast::store::test::raw_value;
using ballast::store::test::schema_v3_file;
using ballast::testing::ScratchDir;

namespace {

constexpr std::int32_t kMarch1st2024 = 19783;  // days since 1970-01-01: 365 × 54 + 13 leap days

OrderRow sell_block(const std::string& id, std::vector<core::Allocation> allocations) {
  OrderRow row;
  core::Order& o = row.order;
  o.order_id = id;
  o.portfolio = std::string(core::kBlockOrderPortfolio);
  o.symbol = "VTI";
  o.side = core::Side::sell;
  for (const core::Allocation& a : allocations) o.quantity += a.quantity;
  o.reference_price = 100;
  o.reason = "threshold";
  o.created_at = 1'000;
  o.allocations = std::move(allocations);
  row.state = OrderState::sent;
  row.updated_at = 1'000;
  return row;
}

/// a1 sells 3 naming lot 7 (2.5 units) and lot 300 (0.5); a2 sells 4 naming none.
OrderRow two_accounts() {
  core::Allocation a1{"a1", 3, {{7, 2.5, kMarch1st2024}, {300, 0.5, -1}}};
  core::Allocation a2{"a2", 4, {}};
  return sell_block("fleet-20260314-000001", {a1, a2});
}

/// A store holding two_accounts() as an open order.
void write_two_accounts(const std::string& path) {
  StateStore store = open_ok(path);
  Change c;
  c.orders = {two_accounts()};
  store.commit(c);
}

std::string load_error(const std::string& path) {
  StateStore store = open_ok(path);
  try {
    store.load();
  } catch (const StoreError& e) {
    return e.what();
  }
  FAIL("load of " << path << " succeeded");
  return {};
}

}  // namespace

TEST_CASE("an open sell block's allocations come back with the lots they name, exactly and in order") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  write_two_accounts(path);
  StateStore store = open_ok(path);
  const Snapshot snap = store.load();
  REQUIRE(snap.unfinished.size() == 1);
  CHECK(snap.unfinished[0].order.allocations == two_accounts().order.allocations);
  REQUIRE(snap.unfinished[0].order.allocations.size() == 2);
  CHECK(snap.unfinished[0].order.allocations[0].lots ==
        std::vector<core::NamedLot>{{7, 2.5, kMarch1st2024}, {300, 0.5, -1}});
  CHECK(snap.unfinished[0].order.allocations[1].lots.empty());
}

TEST_CASE("an allocation's lots are stored as the format byte, then per lot its id, quantity and acquired day") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  write_two_accounts(path);
  // 01 | id 7: 07000000, 2.5: 0x4004000000000000 little-endian, day 19783 = 0x4D47
  //    | id 300 = 0x12C: 2C010000, 0.5: 0x3FE0000000000000, day -1: FFFFFFFF
  CHECK(raw_value(path, "SELECT hex(lots) FROM order_allocations WHERE seq = 0") ==
        "01" "07000000" "0000000000000440" "474D0000" "2C010000" "000000000000E03F" "FFFFFFFF");
  CHECK(raw_value(path, "SELECT hex(lots) FROM order_allocations WHERE seq = 1") == "01");
}

TEST_CASE("allocation lots written again replace the earlier ones") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  write_two_accounts(path);
  {
    StateStore store = open_ok(path);
    Change c;
    OrderRow row = two_accounts();
    row.order.allocations[0].lots = {{9, 1, kMarch1st2024}};
    c.orders = {row};
    store.commit(c);
  }
  StateStore store = open_ok(path);
  const Snapshot snap = store.load();
  REQUIRE(snap.unfinished.size() == 1);
  CHECK(snap.unfinished[0].order.allocations[0].lots == std::vector<core::NamedLot>{{9, 1, kMarch1st2024}});
}

TEST_CASE("allocation lots the store cannot keep fail the commit and change nothing") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  StateStore store = open_ok(path);
  OrderRow row = two_accounts();
  std::string expected;
  SUBCASE("a negative quantity") {
    row.order.allocations[0].lots[1].quantity = -0.5;
    expected = "lot 300 (entry 1) has quantity -0.5: finite and > 0 expected";
  }
  SUBCASE("a quantity not finite") {
    row.order.allocations[0].lots[0].quantity = std::numeric_limits<double>::quiet_NaN();
    expected = "lot 7 (entry 0) has quantity nan: finite and > 0 expected";
  }
  SUBCASE("a lot named twice") {
    row.order.allocations[0].lots[1].id = 7;
    expected = "lot 7 is named twice";
  }
  SUBCASE("more units than the allocation") {
    row.order.allocations[0].lots[1].quantity = 1;  // 2.5 + 1 > 3
    expected = "its lots name 3.5 units, more than the allocation's 3";
  }
  SUBCASE("more lots than an allocation may name") {
    row.order.allocations[1].lots.clear();
    for (std::uint32_t id = 0; id < 51; ++id) row.order.allocations[1].lots.push_back({id, 0.01, kMarch1st2024});
    expected = "51 lots, more than the 50 an allocation may name";
  }
  Change c;
  c.orders = {row};
  try {
    store.commit(c);
    FAIL("the commit succeeded");
  } catch (const StoreError& e) {
    CHECK(contains(e.what(), "refused the lots of order fleet-20260314-000001's allocation to"));
    CHECK(contains(e.what(), expected));
  }
  CHECK(store.load().unfinished.empty());
}

TEST_CASE("stored allocation lots that cannot be read back are an error naming the order, not a crash") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  write_two_accounts(path);
  std::string blob;
  std::string expected;
  SUBCASE("an unknown format byte") {
    blob = "02";
    expected = "has format byte 2, not 1";
  }
  SUBCASE("no format byte") {
    blob = "";
    expected = "is empty: a format byte (1) expected";
  }
  SUBCASE("a lot cut short") {
    blob = "01" "07000000" "0000000000000440" "474D";
    expected = "has 14 bytes of lots, not a whole number of 16-byte lots";
  }
  SUBCASE("a negative quantity") {
    // -2.5: 0xC004000000000000
    blob = "01" "07000000" "00000000000004C0" "474D0000";
    expected = "lot 7 (entry 0) has quantity -2.5: finite and > 0 expected";
  }
  SUBCASE("a lot named twice") {
    blob = "01" "07000000" "000000000000F03F" "474D0000" "07000000" "000000000000F03F" "474D0000";
    expected = "lot 7 is named twice";
  }
  SUBCASE("more units than the allocation") {
    // 4 (0x4010000000000000) of an allocation of 3
    blob = "01" "07000000" "0000000000001040" "474D0000";
    expected = "its lots name 4 units, more than the allocation's 3";
  }
  raw_sql(path, "UPDATE order_allocations SET lots = x'" + blob + "' WHERE seq = 0");
  const std::string message = load_error(path);
  CHECK(contains(message, "state file " + path + " is corrupt: order_allocations.lots of order "
                          "fleet-20260314-000001's allocation 0 (account \"a1\") " + expected));
}

// ---- files of earlier versions -----------------------------------------------

TEST_CASE("a version-3 state file is upgraded to 4: its open block orders name no lots, and new ones keep theirs") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  raw_sql(path, schema_v3_file() +
                    "INSERT INTO accounts (id, model, cash, household, cash_target, band_multiplier, holdings, "
                    "restricted) VALUES ('a1', 'balanced', 100, 'h1', NULL, 1, X'01', X'01');"
                    "INSERT INTO orders VALUES ('fleet-20260314-000001', 'fleet', 'VTI', 'sell', 3, 'market', 0, "
                    "100, 'threshold', '', 1000, 'sent', 0, 0, 1000);"
                    "INSERT INTO order_allocations VALUES ('fleet-20260314-000001', 0, 'a1', 3);");
  {
    StateStore store = open_ok(path);
    const Snapshot snap = store.load();
    REQUIRE(snap.unfinished.size() == 1);
    CHECK(snap.unfinished[0].order.allocations == std::vector<core::Allocation>{{"a1", 3, {}}});
    Change c;
    OrderRow row = two_accounts();
    row.order.order_id = "fleet-20260314-000002";
    c.orders = {row};
    store.commit(c);
  }
  CHECK(raw_value(path, "SELECT value FROM meta WHERE key = 'schema_version'") == "4");
  CHECK(raw_value(path, "SELECT hex(lots) FROM order_allocations WHERE order_id = 'fleet-20260314-000001'") == "01");
  StateStore store = open_ok(path);  // a second open finds version 4: nothing to do
  const Snapshot snap = store.load();
  REQUIRE(snap.unfinished.size() == 2);
  CHECK(snap.unfinished[1].order.allocations[0].lots ==
        std::vector<core::NamedLot>{{7, 2.5, kMarch1st2024}, {300, 0.5, -1}});
  CHECK(store.account("a1").has_value());
}

TEST_CASE("a version-2 state file with block orders is upgraded to 4: its allocations are given the lots column") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  raw_sql(path, std::string("PRAGMA application_id = 1112298324;") + kSchemaV1 + kAccountsSchemaV2First +
                    kOrderAllocationsSchemaV2 +
                    "UPDATE meta SET value = 2 WHERE key = 'schema_version';"
                    "INSERT INTO orders VALUES ('fleet-20260314-000001', 'fleet', 'VTI', 'sell', 3, 'market', 0, "
                    "100, 'threshold', '', 1000, 'sent', 0, 0, 1000);"
                    "INSERT INTO order_allocations VALUES ('fleet-20260314-000001', 0, 'a1', 3);");
  StateStore store = open_ok(path);
  const Snapshot snap = store.load();
  REQUIRE(snap.unfinished.size() == 1);
  CHECK(snap.unfinished[0].order.allocations == std::vector<core::Allocation>{{"a1", 3, {}}});
  CHECK(raw_value(path, "SELECT value FROM meta WHERE key = 'schema_version'") == "4");
}

TEST_CASE("a version-3 file whose upgrade fails is refused and left at version 3") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  // Its order_allocations has a lots column already: the ALTER TABLE fails.
  raw_sql(path, schema_v3_file() + "ALTER TABLE order_allocations ADD COLUMN lots TEXT;");
  const std::string message = open_error(path);
  CHECK(contains(message, "cannot upgrade state file " + path + " from schema version 3 to 4"));
  CHECK(contains(message, "left as it was"));
  CHECK(raw_value(path, "SELECT value FROM meta WHERE key = 'schema_version'") == "3");
}

}  // namespace allocation_lots_test
