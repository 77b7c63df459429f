// The account book in the state file: round trips, all-or-nothing commits,
// the upgrade of a version-1 file, and damaged rows.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/account_tables.hpp"
#include "store/state_store.hpp"
#include "store_test_support.hpp"
#include "tests/support/scratch_dir.hpp"

namespace account_store_test {

using namespace ballast;
using namespace ballast::store;
using ballast::fleet::AccountRecord;
using ballast::store::test::contains;
using ballast::store::test::kSchemaV1;
using ballast::store::test::open_error;
using ballast::store::test::open_ok;
using ballast::store::test::raw_sql;
using ballast::store::test::raw_value;
using ballast::testing::file_bytes;
using ballast::testing::ScratchDir;

namespace {

AccountRecord account(const std::string& id, double cash = 100) {
  AccountRecord a;
  a.id = id;
  a.model = "balanced";
  a.cash = cash;
  a.holdings = {{"BND", 0.1 + 0.2}, {"VTI", 10}};
  return a;
}

std::vector<AccountRecord> all(const StateStore& store) {
  std::vector<AccountRecord> out;
  store.for_each_account([&](const AccountRecord& a) { out.push_back(a); });
  return out;
}

PortfolioRow portfolio(const std::string& id) {
  PortfolioRow p;
  p.id = id;
  p.cash = 1;
  return p;
}

}  // namespace

TEST_CASE("accounts round-trip through the file: every field, bit for bit, in id order") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  AccountRecord full = account("z-last", 1.0 / 3);
  full.household = "h:1";
  full.restricted = {"BND", std::string(200, 'L')};  // a symbol past one length byte
  full.holdings.emplace_back(std::string(300, 'Z'), 1e-300);
  full.cash_target = 0.025;
  full.band_multiplier = 1.75;
  {
    StateStore store = open_ok(path);
    CHECK(store.account_count() == 0);
    Change c;
    c.accounts = {full, account("a-first"), account("m-middle", 0)};
    c.accounts[2].holdings.clear();
    store.commit(c);
  }
  StateStore store = open_ok(path);
  CHECK(store.account_count() == 3);
  const auto got = all(store);
  REQUIRE(got.size() == 3);
  CHECK(got[0].id == "a-first");
  CHECK(got[1].id == "m-middle");
  CHECK(got[1].holdings.empty());
  CHECK(got[2] == full);
  CHECK(store.account("z-last") == full);
  CHECK_FALSE(store.account("nobody"));
  CHECK(store.has_account("a-first"));
  CHECK_FALSE(store.has_account("A-FIRST"));
}

TEST_CASE("an account is replaced whole by id, and closed") {
  ScratchDir dir;
  StateStore store = open_ok(dir.file("state.db"));
  Change c;
  AccountRecord a = account("a1");
  a.restricted = {"VTI"};
  c.accounts = {a, account("a2")};
  store.commit(c);

  AccountRecord replaced = account("a1", 5);
  replaced.holdings = {{"VXUS", 2}};
  replaced.model = "income";
  c = Change{};
  c.accounts = {replaced};
  c.closed_accounts = {"a2", "never-there"};
  store.commit(c);
  CHECK(store.account("a1") == replaced);  // no holding, restriction or override of the old record left
  CHECK_FALSE(store.has_account("a2"));
  CHECK(store.account_count() == 1);

  // Closed and opened again in one change: the new record.
  c = Change{};
  c.closed_accounts = {"a1"};
  c.accounts = {account("a1", 9)};
  store.commit(c);
  CHECK(store.account("a1")->cash == 9);
}

TEST_CASE("accounts commit in the same transaction as fills: a refused part writes nothing") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  StateStore store = open_ok(path);
  Change first;
  first.portfolios = {portfolio("p")};
  first.accounts = {account("a1", 100)};
  store.commit(first);

  SUBCASE("a fill of an unknown order") {
    Change c;
    c.accounts = {account("a1", 50), account("a2")};
    c.fills = {FillRow{"no-such-order", core::FillStatus::filled, 1, 1, 1, 1}};
    CHECK_THROWS_AS(store.commit(c), StoreError);
  }
  SUBCASE("an account the book cannot keep") {
    Change c;
    c.portfolios = {portfolio("q")};
    c.accounts = {account("a2"), account("a1", std::nan(""))};
    try {
      store.commit(c);
      FAIL("a NaN cash was committed");
    } catch (const StoreError& e) {
      CHECK(contains(e.what(), "refused account \"a1\""));
      CHECK(contains(e.what(), "cash"));
    }
  }
  SUBCASE("a malformed id, unsorted holdings, a quantity of 0") {
    for (int i = 0; i < 3; ++i) {
      AccountRecord bad = account("a2");
      if (i == 0) bad.id = "a 2";
      if (i == 1) bad.holdings = {{"VTI", 1}, {"BND", 1}};
      if (i == 2) bad.holdings = {{"VTI", 0}};
      Change c;
      c.accounts = {bad};
      CHECK_THROWS_AS(store.commit(c), StoreError);
    }
  }
  CHECK(store.account_count() == 1);
  CHECK(store.account("a1")->cash == 100);
  CHECK(store.load().portfolios.size() == 1);
}

TEST_CASE("commit_accounts streams records into one transaction, all or nothing") {
  ScratchDir dir;
  StateStore store = open_ok(dir.file("state.db"));
  int n = 0;
  const std::size_t written = store.commit_accounts([&](AccountRecord& r) {
    if (n == 1000) return false;
    r = account("acct-" + std::to_string(n++));
    return true;
  });
  CHECK(written == 1000);
  CHECK(store.account_count() == 1000);

  n = 0;
  CHECK_THROWS_AS(store.commit_accounts([&](AccountRecord& r) {
    if (n == 10) throw std::runtime_error("the source failed");
    r = account("new-" + std::to_string(n++));
    return true;
  }),
                  std::runtime_error);
  n = 0;
  CHECK_THROWS_AS(store.commit_accounts([&](AccountRecord& r) {
    if (n == 2) return false;
    r = account(n == 0 ? "new-ok" : "bad id", 1);
    ++n;
    return true;
  }),
                  StoreError);
  CHECK(store.account_count() == 1000);
  CHECK_FALSE(store.has_account("new-0"));
  CHECK_FALSE(store.has_account("new-ok"));
}

TEST_CASE("a new state file has schema version 4 with an empty account book and no realised lines") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  { open_ok(path); }
  CHECK(raw_value(path, "SELECT value FROM meta WHERE key = 'schema_version'") == "4");
  CHECK(raw_value(path, "SELECT count(*) FROM accounts") == "0");
  CHECK(raw_value(path, "SELECT count(*) FROM realised_lots") == "0");
}

TEST_CASE("a version-1 state file is upgraded in place, its state kept") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  raw_sql(path, std::string("PRAGMA application_id = 1112298324;") + kSchemaV1 +
                    "UPDATE meta SET value = 1 WHERE key = 'schema_version';"
                    "INSERT INTO portfolios VALUES ('p', 12.5, 3, 4, 0.5, 0.25, 'seed');"
                    "INSERT INTO positions VALUES ('p', 'VTI', 7);"
                    "UPDATE counters SET next_order = 42, next_rebalance = 9;");
  {
    StateStore store = open_ok(path);
    const Snapshot snap = store.load();
    CHECK_FALSE(snap.fresh);
    REQUIRE(snap.portfolios.size() == 1);
    CHECK(snap.portfolios[0].cash == 12.5);
    CHECK(snap.portfolios[0].seed == "seed");
    REQUIRE(snap.positions.size() == 1);
    CHECK(snap.positions[0].quantity == 7);
    CHECK(snap.counters.next_order == 42);
    CHECK(store.account_count() == 0);
    Change c;
    c.accounts = {account("a1")};
    store.commit(c);
  }
  CHECK(raw_value(path, "SELECT value FROM meta WHERE key = 'schema_version'") == "4");
  StateStore again = open_ok(path);  // a second open finds version 4: nothing to upgrade
  CHECK(again.account("a1") == account("a1"));
}

TEST_CASE("a version-1 file whose upgrade fails is refused and left at version 1") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  // Something already named accounts: the upgrade's CREATE TABLE fails half-way through.
  raw_sql(path, std::string("PRAGMA application_id = 1112298324;") + kSchemaV1 +
                    "UPDATE meta SET value = 1 WHERE key = 'schema_version';"
                    "CREATE TABLE accounts (x);");
  const std::string message = open_error(path);
  CHECK(contains(message, "cannot upgrade state file " + path + " from schema version 1 to 4"));
  CHECK(contains(message, "left as it was"));
  CHECK(raw_value(path, "SELECT value FROM meta WHERE key = 'schema_version'") == "1");
  CHECK(raw_value(path, "SELECT count(*) FROM sqlite_schema WHERE name = 'accounts' AND sql LIKE '%holdings%'") == "0");
}

TEST_CASE("a damaged account row is named by table and column when read") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  {
    StateStore store = open_ok(path);
    Change c;
    c.accounts = {account("a1"), account("a2")};
    store.commit(c);
  }
  SUBCASE("a holdings blob cut short") {
    raw_sql(path, "UPDATE accounts SET holdings = substr(holdings, 1, 5) WHERE id = 'a2'");
  }
  SUBCASE("a blob of another format") {
    raw_sql(path, "UPDATE accounts SET holdings = x'02' WHERE id = 'a2'");
  }
  SUBCASE("a negative quantity") {
    // BND 0.3 then VTI 10: flip the sign bit of the last quantity's last byte.
    raw_sql(path,
            "UPDATE accounts SET holdings = CAST(substr(holdings, 1, length(holdings) - 1) || x'C0' AS BLOB) "
            "WHERE id = 'a2'");
  }
  StateStore store = open_ok(path);
  try {
    store.for_each_account([](const AccountRecord&) {});
    FAIL("a damaged row was read");
  } catch (const StoreError& e) {
    CHECK(contains(e.what(), "is corrupt: accounts.holdings of account \"a2\" is malformed"));
    CHECK(e.sqlite_code() == SQLITE_CORRUPT);
  }
  CHECK_THROWS_AS((void)store.account("a2"), StoreError);
  CHECK(store.account("a1") == account("a1"));
}

TEST_CASE("the blobs decode what they encode and refuse anything else") {
  AccountRecord a = account("x");
  a.restricted = {"A", "B"};
  std::string h, r;
  sql::encode_holdings(a, h);
  sql::encode_restricted(a, r);
  AccountRecord back;
  back.holdings = {{"stale", 1}, {"stale2", 2}, {"stale3", 3}};
  REQUIRE(sql::decode_holdings(h, back));
  REQUIRE(sql::decode_restricted(r, back));
  CHECK(back.holdings == a.holdings);
  CHECK(back.restricted == a.restricted);
  for (std::size_t cut = 0; cut < h.size(); ++cut) {
    AccountRecord t;
    if (cut == 1 || cut == 13) continue;  // the format byte alone, or BND's entry whole: valid
    CHECK_MESSAGE(!sql::decode_holdings(std::string_view(h).substr(0, cut), t), cut);
  }
  CHECK_FALSE(sql::decode_restricted("\x01\x80\x80\x80\x80\x80\x01", back));  // a length that never ends
  CHECK_FALSE(sql::decode_restricted(std::string("\x01\x00", 2), back));     // an empty symbol
  CHECK_FALSE(sql::decode_restricted("\x01\x01" "B" "\x01" "A", back));       // out of order
}

}  // namespace account_store_test
