#pragma once
// State files of earlier versions written by hand, and SQLite read and
// written behind the store's back, for the store's tests.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <string>
#include <variant>

#include "store/state_store.hpp"

namespace ballast::store::test {

// The schema of version 1 exactly as the first release with a state file wrote it.
inline constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE meta (
  key TEXT PRIMARY KEY NOT NULL,
  value ANY NOT NULL
) STRICT;
INSERT INTO meta (key, value) VALUES ('application', 'ballast'), ('schema_version', 1);

CREATE TABLE portfolios (
  id TEXT PRIMARY KEY NOT NULL,
  cash REAL NOT NULL,
  rebalances INTEGER NOT NULL,
  orders INTEGER NOT NULL,
  costs_estimated REAL NOT NULL,
  costs_realized REAL NOT NULL,
  seed TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE positions (
  portfolio TEXT NOT NULL REFERENCES portfolios (id) ON DELETE CASCADE,
  symbol TEXT NOT NULL,
  quantity REAL NOT NULL,
  PRIMARY KEY (portfolio, symbol)
) STRICT, WITHOUT ROWID;

-- What is left of sliced orders: the child orders not sent yet.
CREATE TABLE slices (
  portfolio TEXT NOT NULL REFERENCES portfolios (id) ON DELETE CASCADE,
  symbol TEXT NOT NULL,
  side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
  remaining REAL NOT NULL,
  child REAL NOT NULL,
  lot_size REAL NOT NULL,
  next_at INTEGER NOT NULL,
  interval INTEGER NOT NULL,
  reason TEXT NOT NULL,
  rebalance_id TEXT NOT NULL,
  PRIMARY KEY (portfolio, symbol, side)
) STRICT, WITHOUT ROWID;

CREATE TABLE orders (
  order_id TEXT PRIMARY KEY NOT NULL,
  portfolio TEXT NOT NULL,
  symbol TEXT NOT NULL,
  side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
  quantity REAL NOT NULL,
  order_type TEXT NOT NULL CHECK (order_type IN ('market', 'limit')),
  limit_price REAL NOT NULL,
  reference_price REAL NOT NULL,
  reason TEXT NOT NULL,
  rebalance_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  state TEXT NOT NULL
    CHECK (state IN ('created', 'sent', 'partially_filled', 'filled', 'rejected', 'cancelled', 'expired')),
  filled_quantity REAL NOT NULL,
  filled_value REAL NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
-- Only the orders a restart must look at: stays small however long the history.
CREATE INDEX orders_unfinished ON orders (state) WHERE state IN ('created', 'sent', 'partially_filled');
CREATE INDEX orders_by_rebalance ON orders (rebalance_id);

CREATE TABLE fills (
  seq INTEGER PRIMARY KEY,
  order_id TEXT NOT NULL REFERENCES orders (order_id),
  status TEXT NOT NULL CHECK (status IN ('filled', 'partially_filled', 'rejected', 'cancelled')),
  filled_quantity REAL NOT NULL,
  avg_price REAL NOT NULL,
  ts INTEGER NOT NULL,
  received_at INTEGER NOT NULL
) STRICT;
CREATE INDEX fills_by_order ON fills (order_id);

CREATE TABLE rebalances (
  seq INTEGER PRIMARY KEY,
  rebalance_id TEXT NOT NULL UNIQUE,
  portfolio TEXT NOT NULL,
  reason TEXT NOT NULL,
  detail TEXT NOT NULL,
  at INTEGER NOT NULL,
  value REAL NOT NULL,
  max_abs_drift REAL NOT NULL,
  total_drift REAL NOT NULL,
  traded_value REAL NOT NULL,
  cost REAL NOT NULL,
  orders INTEGER NOT NULL
) STRICT;
CREATE INDEX rebalances_by_portfolio ON rebalances (portfolio, seq);

CREATE TABLE counters (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  next_order INTEGER NOT NULL,
  next_rebalance INTEGER NOT NULL
) STRICT;
INSERT INTO counters (id, next_order, next_rebalance) VALUES (1, 1, 1);
)sql";

inline StateStore open_ok(const std::string& path) {
  auto opened = StateStore::open(path, Durability::normal);
  if (auto* error = std::get_if<OpenError>(&opened)) FAIL("open failed: " << error->message);
  return std::move(std::get<StateStore>(opened));
}

inline std::string open_error(const std::string& path) {
  auto opened = StateStore::open(path, Durability::normal);
  if (!std::holds_alternative<OpenError>(opened)) FAIL("open of " << path << " succeeded");
  return std::get<OpenError>(opened).message;
}

inline void raw_sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  const std::string message = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  REQUIRE_MESSAGE(rc == SQLITE_OK, message);
}

/// One value of a query on the file, read with SQLite itself.
inline std::string raw_value(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
  std::string out;
  if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0)) {
    out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

/// The account book as schema version 2 first added it, before the block
/// orders' allocations (order_allocations): the version-2 files of that release.
inline constexpr const char* kAccountsSchemaV2First = R"sql(
-- The account book: each account's own facts; the policy is its model's, in the config.
CREATE TABLE accounts (
  id TEXT PRIMARY KEY NOT NULL,
  model TEXT NOT NULL,
  cash REAL NOT NULL,
  household TEXT NOT NULL,          -- '' for none
  cash_target REAL,                 -- NULL: the model's
  band_multiplier REAL NOT NULL,
  holdings BLOB NOT NULL,           -- store/account_tables.hpp: encode_holdings
  restricted BLOB NOT NULL          -- encode_restricted
) STRICT, WITHOUT ROWID;
)sql";

/// The block orders' allocations as version 2 added them: with
/// kAccountsSchemaV2First, the version-2 files of the release before lots.
inline constexpr const char* kOrderAllocationsSchemaV2 = R"sql(
CREATE TABLE order_allocations (
  order_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  account TEXT NOT NULL,
  quantity REAL NOT NULL,
  PRIMARY KEY (order_id, seq)
) STRICT, WITHOUT ROWID;
)sql";

/// The account book as schema version 3 left it: kAccountsSchemaV2First with
/// the lots and lot_method columns.
inline constexpr const char* kAccountsSchemaV3 = R"sql(
CREATE TABLE accounts (
  id TEXT PRIMARY KEY NOT NULL,
  model TEXT NOT NULL,
  cash REAL NOT NULL,
  household TEXT NOT NULL,
  cash_target REAL,
  band_multiplier REAL NOT NULL,
  holdings BLOB NOT NULL,
  restricted BLOB NOT NULL,
  lots BLOB NOT NULL DEFAULT x'01',
  lot_method TEXT NOT NULL DEFAULT 'fifo' CHECK (lot_method IN ('fifo', 'hifo', 'min_tax'))
) STRICT, WITHOUT ROWID;
)sql";

/// The realised gains as schema version 3 added them.
inline constexpr const char* kRealisedSchemaV3 = R"sql(
CREATE TABLE realised_lots (
  seq INTEGER PRIMARY KEY,
  account TEXT NOT NULL,
  symbol TEXT NOT NULL,
  lot INTEGER NOT NULL,
  purchase INTEGER NOT NULL,
  quantity REAL NOT NULL,
  acquired INTEGER NOT NULL,
  holding_from INTEGER NOT NULL,
  sold INTEGER NOT NULL,
  proceeds REAL NOT NULL,
  basis REAL NOT NULL,
  gain REAL NOT NULL,
  term TEXT NOT NULL CHECK (term IN ('short_term', 'long_term')),
  wash_disallowed REAL NOT NULL
) STRICT;
CREATE INDEX realised_lots_by_account ON realised_lots (account, seq);
CREATE INDEX realised_lots_by_sold ON realised_lots (sold);
)sql";

/// A whole file of schema version 3, the last before the allocations' named
/// lots: order_allocations without its lots column.
inline std::string schema_v3_file() {
  return std::string("PRAGMA application_id = 1112298324;") + kSchemaV1 + kAccountsSchemaV3 +
         kOrderAllocationsSchemaV2 + kRealisedSchemaV3 + "UPDATE meta SET value = 3 WHERE key = 'schema_version';";
}

}  // namespace ballast::store::test
