#include "store/state_store.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <utility>

#include "store/account_tables.hpp"
#include "store/realised_table.hpp"
#include "store/sqlite_statement.hpp"

namespace ballast::store {

using sql::Db;
using sql::Run;
using sql::sqlite_message;
using sql::Statement;


std::string state_file_in(std::string_view state_dir) {
  return (std::filesystem::path(state_dir) / "state.db").string();
}

bool Change::empty() const {
  return portfolios.empty() && positions.empty() && slices.empty() && orders.empty() && order_updates.empty() &&
         fills.empty() &&
         rebalances.empty() && !counters && removed_portfolios.empty() && accounts.empty() &&
         closed_accounts.empty() && account_positions.empty() && account_lots.empty() && realised.empty() &&
         realised_wash.empty();
}

namespace {

/// The state file, its -wal and -shm, and its lock: read and written by the daemon's user only.
constexpr mode_t kStateFileMode = 0600;

// "BLST": lets open() tell our files from any other SQLite database.
constexpr std::int32_t kApplicationId = 0x424C5354;
constexpr std::int64_t kSchemaVersion = 4;
constexpr int kBusyTimeoutMs = 5000;

// The tables of schema version 1; version 2 adds sql::kAccountsSchema and
// sql::kOrderAllocationsSchema; version 3 the accounts' lots
// (sql::kAccountsLotsUpgrade) and sql::kRealisedSchema; version 4 the lots a
// block order's allocation names (sql::kAllocationLotsUpgrade).
// meta's schema_version is written by create_database or the upgrade, its
// wal_restarts (absent until the first) by checkpoint(); readers skip keys
// they do not know. STRICT tables refuse a value of the wrong type on write;
// load() still checks every value, since a damaged file can hold anything.
// A typical rebalance commit writes 9 to 12 pages to the WAL: one per table
// and index it changes. WITHOUT ROWID where the key is the only lookup keeps
// one b-tree instead of a table and its key index.
constexpr const char* kSchema = R"sql(
CREATE TABLE meta (
  key TEXT PRIMARY KEY NOT NULL,
  value ANY NOT NULL
) STRICT;
INSERT INTO meta (key, value) VALUES ('application', 'ballast');

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

// The column lists, in the order the row readers expect them.
constexpr const char* kOrderColumns =
    "order_id, portfolio, symbol, side, quantity, order_type, limit_price, reference_price, reason, rebalance_id, "
    "created_at, state, filled_quantity, filled_value, updated_at";
constexpr const char* kFillColumns = "order_id, status, filled_quantity, avg_price, ts, received_at";
constexpr const char* kRebalanceColumns =
    "rebalance_id, portfolio, reason, detail, at, value, max_abs_drift, total_drift, traded_value, cost, orders";

std::optional<core::Side> parse_side(std::string_view w) {
  if (w == "buy") return core::Side::buy;
  if (w == "sell") return core::Side::sell;
  return std::nullopt;
}
std::optional<core::OrderType> parse_order_type(std::string_view w) {
  if (w == "market") return core::OrderType::market;
  if (w == "limit") return core::OrderType::limit;
  return std::nullopt;
}
std::optional<core::FillStatus> parse_fill_status(std::string_view w) {
  for (const core::FillStatus s : {core::FillStatus::filled, core::FillStatus::partially_filled,
                                   core::FillStatus::rejected, core::FillStatus::cancelled}) {
    if (core::to_string(s) == w) return s;
  }
  return std::nullopt;
}

OrderRow read_order(const Run& r) {
  constexpr std::string_view t = "orders";
  OrderRow row;
  core::Order& o = row.order;
  o.order_id = r.text(0, t);
  o.portfolio = r.text(1, t);
  o.symbol = r.text(2, t);
  o.side = r.word<core::Side>(3, t, parse_side);
  o.quantity = r.real(4, t);
  o.order_type = r.word<core::OrderType>(5, t, parse_order_type);
  o.limit_price = r.real(6, t);
  o.reference_price = r.real(7, t);
  o.reason = r.text(8, t);
  o.rebalance_id = r.text(9, t);
  o.created_at = r.integer(10, t);
  row.state = r.word<OrderState>(11, t, core::parse_order_state);
  row.filled_quantity = r.real(12, t);
  row.filled_value = r.real(13, t);
  row.updated_at = r.integer(14, t);
  return row;
}

FillRow read_fill(const Run& r) {
  constexpr std::string_view t = "fills";
  FillRow f;
  f.order_id = r.text(0, t);
  f.status = r.word<core::FillStatus>(1, t, parse_fill_status);
  f.filled_quantity = r.real(2, t);
  f.avg_price = r.real(3, t);
  f.ts = r.integer(4, t);
  f.received_at = r.integer(5, t);
  return f;
}

RebalanceRow read_rebalance(const Run& r) {
  constexpr std::string_view t = "rebalances";
  RebalanceRow b;
  b.rebalance_id = r.text(0, t);
  b.portfolio = r.text(1, t);
  b.reason = r.text(2, t);
  b.detail = r.text(3, t);
  b.at = r.integer(4, t);
  b.value = r.real(5, t);
  b.max_abs_drift = r.real(6, t);
  b.total_drift = r.real(7, t);
  b.traded_value = r.real(8, t);
  b.cost = r.real(9, t);
  b.orders = r.count(10, t);
  return b;
}

// ------------------------------------------------------ opening

/// A refusal inside open(), turned into an OpenError at its end.
struct OpenFailure {
  std::string message;
  bool in_use = false;
};

std::string errno_text(int err) { return std::strerror(err); }

/// The file's directory, synced so that a rename in it is durable.
void sync_directory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

/// An flock on `<path>.lock`, held while the store is open. A separate file:
/// closing any descriptor of the database itself would drop SQLite's own POSIX
/// locks on it.
class LockFile {
 public:
  LockFile() = default;
  ~LockFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  LockFile(LockFile&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  LockFile& operator=(LockFile&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }

  void acquire(const std::string& db_path) {
    const std::string lock_path = db_path + ".lock";
    fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, kStateFileMode);
    if (fd_ < 0) {
      const int err = errno;
      throw OpenFailure{"cannot open lock file " + lock_path + ": " + errno_text(err)};
    }
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      if (err != EWOULDBLOCK) throw OpenFailure{"cannot lock " + lock_path + ": " + errno_text(err)};
      std::array<char, 32> pid{};
      const ssize_t n = ::pread(fd_, pid.data(), pid.size() - 1, 0);
      std::string holder = n > 0 ? std::string(pid.data(), static_cast<std::size_t>(n)) : std::string();
      while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
      // The file is fine: what the operator must do is stop the other daemon,
      // not repair, move or replace the file.
      throw OpenFailure{"state file " + db_path + " is in use by another ballastd (" +
                            (holder.empty() ? std::string("its pid is not recorded") : "pid " + holder) +
                            "), which holds " + lock_path +
                            ": two daemons must not share one state. Stop that one first, or give this one a "
                            "state_dir of its own; the file is fine, do not move it",
                        true};
    }
    // The holder's pid, for the message above and for an operator; best effort.
    const std::string me = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd_, 0) == 0 && ::pwrite(fd_, me.data(), me.size(), 0) < 0) {
    }
  }

 private:
  int fd_ = -1;
};

/// Runs SQL text with no result rows; throws StoreError.
void exec(sqlite3* db, const std::string& path, const char* sql, const char* what) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    const std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    throw StoreError("state file " + path + ": " + what + ": " + msg, sqlite3_extended_errcode(db));
  }
}

/// A StoreError's message without its leading "state file <path>: ", for
/// messages of open() that name the file their own way.
std::string detail(const StoreError& e, const std::string& path) {
  const std::string prefix = "state file " + path + ": ";
  std::string text = e.what();
  if (text.rfind(prefix, 0) == 0) text.erase(0, prefix.size());
  return text;
}

/// Writes a complete schema-1 database at `<path>.creating`, then renames it
/// to `path`: the path holds either nothing or a whole state file. The lock is
/// held, so no other store creates the same file meanwhile.
void create_database(const std::string& path, const std::string& dir) {
  const std::string tmp = path + ".creating";
  for (const char* suffix : {"", "-journal", "-wal", "-shm"}) ::unlink((tmp + suffix).c_str());
  // Made here, owner-only, before SQLite opens it: SQLite would create it
  // 0644, and gives the -wal and -shm files the mode of the database.
  if (const int fd = ::open(tmp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, kStateFileMode); fd >= 0) {
    ::close(fd);
  } else {
    throw OpenFailure{"cannot create state file " + tmp + ": " + errno_text(errno)};
  }
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(tmp.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                                        SQLITE_OPEN_EXRESCODE | SQLITE_OPEN_NOMUTEX, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) throw OpenFailure{"cannot create state file " + tmp + ": " + sqlite_message(raw, rc)};
  try {
    // A rollback journal here: when the connection closes nothing is left
    // beside the file, which can then be renamed alone. synchronous=FULL
    // fsyncs the file at COMMIT.
    exec(db.get(), tmp, "PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL", "set up");
    const std::string setup = "BEGIN; PRAGMA application_id=" + std::to_string(kApplicationId) + ";" + kSchema +
                              sql::kAccountsSchema + sql::kOrderAllocationsSchema + sql::kRealisedSchema +
                              "INSERT INTO meta (key, value) VALUES ('schema_version', " +
                              std::to_string(kSchemaVersion) + "); COMMIT;";
    exec(db.get(), tmp, setup.c_str(), "create the schema");
  } catch (const StoreError& e) {
    db.reset();
    ::unlink(tmp.c_str());
    throw OpenFailure{"cannot create state file " + path + ": " + detail(e, tmp)};
  }
  if (const int closed = sqlite3_close(db.release()); closed != SQLITE_OK) {
    ::unlink(tmp.c_str());
    throw OpenFailure{"cannot create state file " + path + ": " + sqlite3_errstr(closed)};
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw OpenFailure{"cannot create state file " + path + ": " + errno_text(err)};
  }
  sync_directory(dir);
}

/// The first lines of quick_check's report, on one line.
std::string first_problems(const std::string& report) {
  std::string out;
  std::size_t lines = 0;
  std::size_t begin = 0;
  while (begin < report.size()) {
    std::size_t end = report.find('\n', begin);
    if (end == std::string::npos) end = report.size();
    const std::string line = report.substr(begin, end - begin);
    begin = end + 1;
    if (line.empty() || line.rfind("***", 0) == 0) continue;  // "*** in database main ***"
    if (lines++ == 3) {
      out += "; ...";
      break;
    }
    out += (out.empty() ? "" : "; ") + line;
  }
  return out.empty() ? report : out;
}

/// What a StoreError met while checking an existing file says about it.
std::string describe_read_failure(const std::string& path, const StoreError& e) {
  const int primary = e.sqlite_code() & 0xff;
  if (primary == SQLITE_NOTADB) return "state file " + path + " is not a Ballast state database: file is not a database";
  if (primary == SQLITE_CORRUPT) return "state file " + path + " is corrupt: " + sqlite3_errstr(e.sqlite_code());
  return "cannot read state file " + path + ": " + detail(e, path);
}

}  // namespace

// ---------------------------------------------------------------- the store

struct StateStore::Impl {
  // Declared in the order they must be set up; destroyed in reverse: the
  // statements before the connection, the connection before the lock.
  std::string path;
  LockFile lock;
  Db db;
  bool fresh = false;

  Statement begin, begin_read, commit, rollback;
  Statement upsert_portfolio, delete_positions, upsert_position, delete_portfolio;
  Statement delete_slices, insert_slice, load_slices;
  Statement upsert_order, update_order, mark_created_order, insert_fill, insert_rebalance, update_counters;
  Statement checkpoint;
  Statement restart_wal;  ///< a one-page write (meta's wal_restarts): the WAL starts over here, not in the next commit
  Statement load_portfolios, load_positions, load_unfinished, load_counters;
  Statement orders_of_rebalance, fills_of, rebalances;
  sql::AccountTables accounts;
  sql::RealisedTable realised;
  std::int64_t schema_version = kSchemaVersion;  ///< the file's, as verify() found it

  Statement prepare(const std::string& sql) const { return Statement(db.get(), &path, sql, true); }

  void prepare_all() {
    begin = prepare("BEGIN IMMEDIATE");
    begin_read = prepare("BEGIN");
    commit = prepare("COMMIT");
    rollback = prepare("ROLLBACK");
    upsert_portfolio = prepare(
        "INSERT INTO portfolios (id, cash, rebalances, orders, costs_estimated, costs_realized, seed) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id) DO UPDATE SET cash = excluded.cash, "
        "rebalances = excluded.rebalances, orders = excluded.orders, costs_estimated = excluded.costs_estimated, "
        "costs_realized = excluded.costs_realized, seed = excluded.seed");
    delete_positions = prepare("DELETE FROM positions WHERE portfolio = ?1");
    delete_slices = prepare("DELETE FROM slices WHERE portfolio = ?1");
    insert_slice = prepare(
        "INSERT INTO slices (portfolio, symbol, side, remaining, child, lot_size, next_at, interval, reason, "
        "rebalance_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    load_slices = prepare(
        "SELECT portfolio, symbol, side, remaining, child, lot_size, next_at, interval, reason, rebalance_id "
        "FROM slices ORDER BY portfolio, symbol, side");
    upsert_position = prepare(
        "INSERT INTO positions (portfolio, symbol, quantity) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (portfolio, symbol) DO UPDATE SET quantity = excluded.quantity");
    delete_portfolio = prepare("DELETE FROM portfolios WHERE id = ?1");
    upsert_order = prepare(std::string("INSERT INTO orders (") + kOrderColumns +
                           ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) "
                           "ON CONFLICT (order_id) DO UPDATE SET portfolio = excluded.portfolio, "
                           "symbol = excluded.symbol, side = excluded.side, quantity = excluded.quantity, "
                           "order_type = excluded.order_type, limit_price = excluded.limit_price, "
                           "reference_price = excluded.reference_price, reason = excluded.reason, "
                           "rebalance_id = excluded.rebalance_id, created_at = excluded.created_at, "
                           "state = excluded.state, filled_quantity = excluded.filled_quantity, "
                           "filled_value = excluded.filled_value, updated_at = excluded.updated_at");
    update_order = prepare(
        "UPDATE orders SET state = ?2, filled_quantity = ?3, filled_value = ?4, updated_at = ?5 WHERE order_id = ?1");
    mark_created_order = prepare(
        "UPDATE orders SET state = ?2, updated_at = ?3, reference_price = COALESCE(?4, reference_price) "
        "WHERE order_id = ?1 AND state = 'created'");
    insert_fill =
        prepare(std::string("INSERT INTO fills (") + kFillColumns + ") VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    insert_rebalance = prepare(std::string("INSERT INTO rebalances (") + kRebalanceColumns +
                               ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    update_counters = prepare("UPDATE counters SET next_order = ?1, next_rebalance = ?2 WHERE id = 1");
    checkpoint = prepare("PRAGMA wal_checkpoint(PASSIVE)");
    // A changed value: SQLite does not write a page whose row is unchanged.
    restart_wal = prepare(
        "INSERT INTO meta (key, value) VALUES ('wal_restarts', 1) "
        "ON CONFLICT (key) DO UPDATE SET value = value + 1");
    load_portfolios = prepare(
        "SELECT id, cash, rebalances, orders, costs_estimated, costs_realized, seed FROM portfolios ORDER BY id");
    load_positions = prepare("SELECT portfolio, symbol, quantity FROM positions ORDER BY portfolio, symbol");
    load_unfinished = prepare(std::string("SELECT ") + kOrderColumns +
                              " FROM orders WHERE state IN ('created', 'sent', 'partially_filled') ORDER BY rowid");
    load_counters = prepare("SELECT next_order, next_rebalance FROM counters WHERE id = 1");
    orders_of_rebalance =
        prepare(std::string("SELECT ") + kOrderColumns + " FROM orders WHERE rebalance_id = ?1 ORDER BY rowid");
    fills_of = prepare(std::string("SELECT ") + kFillColumns + " FROM fills WHERE order_id = ?1 ORDER BY seq");
    rebalances = prepare(std::string("SELECT ") + kRebalanceColumns +
                         " FROM rebalances WHERE portfolio = ?1 ORDER BY seq DESC LIMIT ?2");
    accounts.prepare(db.get(), &path);
    realised.prepare(db.get(), &path);
  }

  /// Checks that an existing file is a whole Ballast state database of a
  /// schema this build knows, reading only.
  /// prepare_all(), a failure refusing the file: it lacks this schema's tables.
  void prepare_for_use() {
    try {
      prepare_all();
    } catch (const StoreError& e) {
      throw OpenFailure{"state file " + path + " does not have the tables of schema version " +
                        std::to_string(kSchemaVersion) + ": " + detail(e, path)};
    }
  }

  void verify() {
    sqlite3* d = db.get();
    std::int64_t application_id = 0;
    try {
      Statement s(d, &path, "PRAGMA application_id", false);
      Run r(s, "read the application id");
      if (r.step()) application_id = r.integer(0, "header");
    } catch (const StoreError& e) {
      throw OpenFailure{describe_read_failure(path, e)};
    }
    if (application_id != kApplicationId) throw OpenFailure{foreign_file_message(application_id)};

    try {
      // Stops at the fifth problem: one is enough to refuse the file.
      Statement s(d, &path, "PRAGMA quick_check(5)", false);
      Run r(s, "quick_check");
      const std::string first = r.step() ? r.text(0, "quick_check") : "no answer";
      if (first != "ok") {
        throw OpenFailure{"state file " + path + " is corrupt (quick_check: " + first_problems(first) + ")"};
      }
    } catch (const StoreError& e) {
      throw OpenFailure{describe_read_failure(path, e)};
    }

    std::string application;
    std::optional<std::int64_t> version;
    try {
      Statement s(d, &path, "SELECT key, value FROM meta", false);
      Run r(s, "read meta");
      while (r.step()) {
        const std::string key = r.text(0, "meta");
        if (key == "application") application = r.text(1, "meta");
        else if (key == "schema_version") version = r.integer(1, "meta");
      }
    } catch (const StoreError& e) {
      throw OpenFailure{"state file " + path + " is not a valid Ballast state database: " + detail(e, path)};
    }
    if (application != "ballast") {
      throw OpenFailure{"state file " + path + " is not a Ballast state database: meta names the application '" +
                        application + "'"};
    }
    if (!version) throw OpenFailure{"state file " + path + " is corrupt: meta has no schema_version"};
    if (*version > kSchemaVersion) {
      throw OpenFailure{"state file " + path + " has schema version " + std::to_string(*version) +
                        ", written by a newer Ballast; this build knows version " + std::to_string(kSchemaVersion) +
                        " only. Run the newer ballastd, or restore a state file of this version"};
    }
    schema_version = *version;
    if (*version < 1) {
      throw OpenFailure{"state file " + path + " is corrupt: schema_version " + std::to_string(*version)};
    }
  }

  std::string foreign_file_message(std::int64_t application_id) const {
    std::error_code ec;
    if (std::filesystem::file_size(path, ec) == 0 && !ec) {
      return "state file " + path + " is not a Ballast state database: the file is empty";
    }
    std::string tables;
    try {
      Statement s(db.get(), &path, "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name LIMIT 4",
                  false);
      Run r(s, "list tables");
      for (int n = 0; r.step(); ++n) tables += (n ? ", " : "") + (n == 3 ? std::string("...") : r.text(0, "schema"));
    } catch (const StoreError&) {
    }
    char id[16];
    std::snprintf(id, sizeof id, "0x%08llx", static_cast<unsigned long long>(static_cast<std::uint32_t>(application_id)));
    return "state file " + path + " is not a Ballast state database: it is a SQLite database of another " +
           "application (application_id " + id + ", tables: " + (tables.empty() ? "none" : tables) + ")";
  }

  /// Brings a file of an older schema to this build's, in one transaction:
  /// all of the upgrade or, when it fails, the file as it was. Only after
  /// the lock is held and configure().
  void upgrade() {
    sqlite3* d = db.get();
    if (schema_version == kSchemaVersion) return;
    std::string steps = "BEGIN IMMEDIATE;";
    if (schema_version == 1) {
      // Version 1 → 4: the account book as it is now, the block orders' allocations.
      steps += std::string(sql::kAccountsSchema) + sql::kOrderAllocationsSchema + sql::kRealisedSchema;
    } else if (schema_version == 2) {
      // Version 2 → 4. Files written before block orders lack their allocations.
      bool has_allocations = false;
      try {
        Statement s(d, &path, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'order_allocations'",
                    false);
        has_allocations = Run(s, "read the schema").step();
      } catch (const StoreError& e) {
        throw OpenFailure{"cannot read state file " + path + ": " + detail(e, path)};
      }
      steps += has_allocations ? sql::kAllocationLotsUpgrade : sql::kOrderAllocationsSchema;
      steps += std::string(sql::kAccountsLotsUpgrade) + sql::kRealisedSchema;
    } else {
      // Version 3 → 4: the allocations' named lots.
      steps += sql::kAllocationLotsUpgrade;
    }
    steps += "UPDATE meta SET value = " + std::to_string(kSchemaVersion) + " WHERE key = 'schema_version'; COMMIT;";
    try {
      exec(d, path, steps.c_str(), "upgrade");
    } catch (const StoreError& e) {
      if (sqlite3_get_autocommit(d) == 0) sqlite3_exec(d, "ROLLBACK", nullptr, nullptr, nullptr);
      throw OpenFailure{"cannot upgrade state file " + path + " from schema version " +
                        std::to_string(schema_version) + " to " + std::to_string(kSchemaVersion) + " (" +
                        detail(e, path) + "); the file is left as it was"};
    }
    schema_version = kSchemaVersion;
  }

  /// WAL, the durability, foreign keys. Only after verify(): these may write.
  void configure(Durability durability) {
    sqlite3* d = db.get();
    std::string mode;
    try {
      Statement s(d, &path, "PRAGMA journal_mode=WAL", false);
      Run r(s, "switch to WAL");
      if (r.step()) mode = r.text(0, "journal_mode");
    } catch (const StoreError& e) {
      throw OpenFailure{"cannot switch state file " + path + " to WAL: " + detail(e, path)};
    }
    if (mode != "wal") {
      throw OpenFailure{"cannot switch state file " + path + " to WAL: the journal mode stays '" + mode + "'"};
    }
    try {
      exec(d, path, durability == Durability::full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL",
           "set synchronous");
      exec(d, path, "PRAGMA foreign_keys=ON", "enable foreign keys");
      // A very large commit grows the WAL; give the space back after the checkpoint.
      exec(d, path, "PRAGMA journal_size_limit=67108864", "limit the WAL");
      // The daemon checkpoints between decisions, once a second (Persistence::checkpoint);
      // SQLite's own, inside a commit, would stall the order being written.
      exec(d, path, "PRAGMA wal_autocheckpoint=10000", "set the WAL's checkpoint");
    } catch (const StoreError& e) {
      throw OpenFailure{"cannot open state file " + path + ": " + detail(e, path)};
    }
  }
};

StateStore::StateStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StateStore::StateStore(StateStore&&) noexcept = default;
StateStore& StateStore::operator=(StateStore&&) noexcept = default;
StateStore::~StateStore() = default;

const std::string& StateStore::path() const { return impl_->path; }

std::variant<StateStore, OpenError> StateStore::open(const std::string& path, Durability durability) {
  namespace fs = std::filesystem;
  try {
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    std::string dir = fs::path(path).parent_path().string();
    if (dir.empty()) dir = ".";

    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) {
      const int err = errno;
      throw OpenFailure{"cannot open state file " + path + ": directory " + dir +
                        (err == ENOENT ? std::string(" does not exist") : ": " + errno_text(err))};
    }
    if (!S_ISDIR(st.st_mode)) {
      throw OpenFailure{"cannot open state file " + path + ": " + dir + " is not a directory"};
    }
    // WAL keeps -wal and -shm files beside the database, and the lock file
    // lives there too: a read-only directory is refused up front.
    if (::access(dir.c_str(), W_OK | X_OK) != 0) {
      const int err = errno;
      throw OpenFailure{"cannot open state file " + path + ": directory " + dir + " is not writable (" +
                        errno_text(err) + "); the state needs its lock, -wal and -shm files beside it"};
    }
    const bool exists = ::stat(path.c_str(), &st) == 0;
    if (const int err = errno; !exists && err != ENOENT) {
      throw OpenFailure{"cannot open state file " + path + ": " + errno_text(err)};
    }
    if (exists) {
      if (!S_ISREG(st.st_mode)) throw OpenFailure{"state file " + path + " is not a regular file"};
      if (::access(path.c_str(), R_OK | W_OK) != 0) {
        const int err = errno;
        throw OpenFailure{"state file " + path + " cannot be opened read-write: " + errno_text(err)};
      }
      // Files of older versions were made 0644: positions and orders are
      // nobody else's business.
      for (const char* suffix : {"", "-wal", "-shm"}) {
        const std::string file = path + suffix;
        struct stat fst {};
        if (::stat(file.c_str(), &fst) == 0 && (fst.st_mode & 077) != 0) ::chmod(file.c_str(), kStateFileMode);
      }
    }

    if (!exists) {
      // Locked before it is created, so that two starting daemons cannot both create it.
      impl->lock.acquire(path);
      // The database gone but its write-ahead log still there: the last
      // commits are in that log, and a new file must not be paired with it.
      const std::string wal = path + "-wal";
      if (::stat(wal.c_str(), &st) == 0 && st.st_size > 0) {
        throw OpenFailure{"state file " + path + " is missing but its write-ahead log " + wal +
                          " is not: the state was moved or deleted in part. Restore " + path + ", or remove " +
                          wal + " to start from nothing"};
      }
      create_database(path, dir);
      impl->fresh = true;
    }

    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_EXRESCODE |
                                                           SQLITE_OPEN_NOMUTEX, nullptr);
    impl->db.reset(raw);
    if (rc != SQLITE_OK) throw OpenFailure{"cannot open state file " + path + ": " + sqlite_message(raw, rc)};
    if (sqlite3_db_readonly(raw, "main") != 0) {
      throw OpenFailure{"state file " + path + " cannot be opened read-write (SQLite opened it read-only)"};
    }
    sqlite3_busy_timeout(raw, kBusyTimeoutMs);

    // An existing file is checked before it is locked: a file that is not
    // ours gets no lock file beside it.
    impl->verify();
    if (exists) impl->lock.acquire(path);
    impl->configure(durability);
    impl->upgrade();
    impl->prepare_for_use();
    return StateStore(std::move(impl));
  } catch (const OpenFailure& f) {
    return OpenError{f.message, f.in_use};
  }
}

std::variant<StateStore, OpenError> StateStore::open_for_reading(const std::string& path) {
  try {
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      const int err = errno;
      throw OpenFailure{"cannot open state file " + path + ": " + errno_text(err)};
    }
    if (!S_ISREG(st.st_mode)) throw OpenFailure{"state file " + path + " is not a regular file"};
    // Read-write at the file level (a WAL reader maps the -shm file), but
    // query_only below: this connection never writes, and takes no lock file.
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_EXRESCODE |
                                                           SQLITE_OPEN_NOMUTEX, nullptr);
    impl->db.reset(raw);
    if (rc != SQLITE_OK) throw OpenFailure{"cannot open state file " + path + ": " + sqlite_message(raw, rc)};
    sqlite3_busy_timeout(raw, kBusyTimeoutMs);
    impl->verify();
    if (impl->schema_version != kSchemaVersion) {
      throw OpenFailure{"state file " + path + " has schema version " + std::to_string(impl->schema_version) +
                        "; this build reads version " + std::to_string(kSchemaVersion) +
                        ". Start ballastd on it once (or run ballast accounts import), which upgrades it"};
    }
    char* error = nullptr;
    if (sqlite3_exec(raw, "PRAGMA query_only = 1", nullptr, nullptr, &error) != SQLITE_OK) {
      const std::string message = error ? error : "unknown error";
      sqlite3_free(error);
      throw OpenFailure{"cannot open state file " + path + " for reading: " + message};
    }
    impl->prepare_for_use();
    return StateStore(std::move(impl));
  } catch (const OpenFailure& f) {
    return OpenError{f.message, f.in_use};
  }
}

namespace {

/// BEGIN ... COMMIT; rolls back unless committed. Writes begin IMMEDIATE, taking
/// the write lock up front, so that they wait out a reader's checkpoint once
/// (busy_timeout) rather than fail half-way.
class Transaction {
 public:
  Transaction(const Statement& begin, const Statement& commit, const Statement& rollback)
      : commit_(commit), rollback_(rollback) {
    Run(begin, "begin a transaction").execute();
  }
  ~Transaction() {
    // After some errors SQLite has rolled back already; then there is nothing to undo.
    if (!done_ && sqlite3_get_autocommit(rollback_.db()) == 0) {
      sqlite3_step(rollback_.get());
      sqlite3_reset(rollback_.get());
    }
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit() {
    Run(commit_, "commit").execute();
    done_ = true;
  }

 private:
  const Statement& commit_;
  const Statement& rollback_;
  bool done_ = false;
};

}  // namespace

void StateStore::commit(const Change& change) {
  if (change.empty()) return;
  Impl& s = *impl_;
  Transaction tx(s.begin, s.commit, s.rollback);
  for (const std::string& id : change.removed_portfolios) {
    Run(s.delete_positions, "delete positions").bind(id).execute();
    Run(s.delete_slices, "delete slices").bind(id).execute();
    Run(s.delete_portfolio, "delete from portfolios").bind(id).execute();
  }
  for (const PortfolioRow& p : change.portfolios) {
    Run(s.upsert_portfolio, "write portfolios")
        .bind(p.id)
        .bind(p.cash)
        .bind(p.rebalances)
        .bind(p.orders)
        .bind(p.costs_estimated)
        .bind(p.costs_realized)
        .bind(p.seed)
        .execute();
    Run(s.delete_positions, "replace positions").bind(p.id).execute();
    Run(s.delete_slices, "replace slices").bind(p.id).execute();
  }
  for (const PositionRow& p : change.positions) {
    Run(s.upsert_position, "write positions").bind(p.portfolio).bind(p.symbol).bind(p.quantity).execute();
  }
  for (const SliceRow& c : change.slices) {
    Run(s.insert_slice, "write slices")
        .bind(c.portfolio)
        .bind(c.symbol)
        .bind(core::to_string(c.side))
        .bind(c.remaining)
        .bind(c.child)
        .bind(c.lot_size)
        .bind(std::int64_t{c.next_at})
        .bind(std::int64_t{c.interval})
        .bind(c.reason)
        .bind(c.rebalance_id)
        .execute();
  }
  for (const OrderRow& row : change.orders) {
    const core::Order& o = row.order;
    Run(s.upsert_order, "write orders")
        .bind(o.order_id)
        .bind(o.portfolio)
        .bind(o.symbol)
        .bind(core::to_string(o.side))
        .bind(o.quantity)
        .bind(core::to_string(o.order_type))
        .bind(o.limit_price)
        .bind(o.reference_price)
        .bind(o.reason)
        .bind(o.rebalance_id)
        .bind(std::int64_t{o.created_at})
        .bind(core::to_string(row.state))
        .bind(row.filled_quantity)
        .bind(row.filled_value)
        .bind(std::int64_t{row.updated_at})
        .execute();
    if (!o.allocations.empty()) s.accounts.write_allocations(o);
  }
  for (const OrderUpdate& u : change.order_updates) {
    if (u.from_created_only) {
      Run(s.mark_created_order, "update orders")
          .bind(u.order_id)
          .bind(core::to_string(u.state))
          .bind(std::int64_t{u.updated_at})
          .bind(u.reference_price)
          .execute();
    } else {
      Run(s.update_order, "update orders")
          .bind(u.order_id)
          .bind(core::to_string(u.state))
          .bind(u.filled_quantity)
          .bind(u.filled_value)
          .bind(std::int64_t{u.updated_at})
          .execute();
    }
  }
  for (const FillRow& f : change.fills) {
    Run(s.insert_fill, "append to fills")
        .bind(f.order_id)
        .bind(core::to_string(f.status))
        .bind(f.filled_quantity)
        .bind(f.avg_price)
        .bind(std::int64_t{f.ts})
        .bind(std::int64_t{f.received_at})
        .execute();
  }
  for (const RebalanceRow& b : change.rebalances) {
    Run(s.insert_rebalance, "append to rebalances")
        .bind(b.rebalance_id)
        .bind(b.portfolio)
        .bind(b.reason)
        .bind(b.detail)
        .bind(std::int64_t{b.at})
        .bind(b.value)
        .bind(b.max_abs_drift)
        .bind(b.total_drift)
        .bind(b.traded_value)
        .bind(b.cost)
        .bind(b.orders)
        .execute();
  }
  if (change.counters) {
    Run(s.update_counters, "write counters").bind(change.counters->next_order).bind(change.counters->next_rebalance)
        .execute();
    if (sqlite3_changes(s.db.get()) != 1) {
      throw StoreError("state file " + s.path + " is corrupt: counters has no row", SQLITE_CORRUPT);
    }
  }
  for (const std::string& id : change.closed_accounts) s.accounts.close(id);
  for (const fleet::AccountRecord& a : change.accounts) s.accounts.upsert(a);
  for (const AccountPositions& p : change.account_positions) s.accounts.set_positions(p.id, p.cash, p.holdings);
  for (const AccountLotsRow& l : change.account_lots) s.accounts.set_lots(l.id, l.lots, l.lot_method);
  for (const RealisedRow& r : change.realised) s.realised.append(r);
  for (const RealisedWash& w : change.realised_wash) s.realised.add_wash(w);
  tx.commit();
}

std::size_t StateStore::commit_accounts(const std::function<bool(fleet::AccountRecord&)>& next) {
  Impl& s = *impl_;
  Transaction tx(s.begin, s.commit, s.rollback);
  fleet::AccountRecord record;
  std::size_t written = 0;
  while (next(record)) {
    s.accounts.upsert(record);
    ++written;
  }
  tx.commit();
  return written;
}

void StateStore::for_each_account(const std::function<void(const fleet::AccountRecord&)>& visit) const {
  impl_->accounts.for_each(visit);
}

std::optional<fleet::AccountRecord> StateStore::account(std::string_view id) const { return impl_->accounts.find(id); }

bool StateStore::has_account(std::string_view id) const { return impl_->accounts.contains(id); }

std::size_t StateStore::account_count() const { return impl_->accounts.count(); }

void StateStore::for_each_realised(int year, const std::function<void(const RealisedRow&)>& visit) const {
  impl_->realised.for_each_of_year(year, visit);
}

std::vector<RealisedRow> StateStore::realised_of(std::string_view account) const {
  return impl_->realised.of_account(account);
}

void StateStore::for_each_realised_sold_since(tax::Day from,
                                              const std::function<void(const RealisedRow&)>& visit) const {
  impl_->realised.for_each_sold_since(from, visit);
}

std::uint64_t StateStore::last_realised_seq() const { return impl_->realised.last_seq(); }

Snapshot StateStore::load() const {
  Impl& s = *impl_;
  Snapshot snap;
  snap.fresh = s.fresh;
  // One read transaction, so that the parts agree with each other.
  Transaction tx(s.begin_read, s.commit, s.rollback);
  {
    Run r(s.load_portfolios, "read portfolios");
    while (r.step()) {
      constexpr std::string_view t = "portfolios";
      PortfolioRow p;
      p.id = r.text(0, t);
      p.cash = r.real(1, t);
      p.rebalances = r.count(2, t);
      p.orders = r.count(3, t);
      p.costs_estimated = r.real(4, t);
      p.costs_realized = r.real(5, t);
      p.seed = r.text(6, t);
      snap.portfolios.push_back(std::move(p));
    }
  }
  {
    Run r(s.load_positions, "read positions");
    while (r.step()) {
      constexpr std::string_view t = "positions";
      snap.positions.push_back(PositionRow{r.text(0, t), r.text(1, t), r.real(2, t)});
    }
  }
  {
    Run r(s.load_slices, "read slices");
    while (r.step()) {
      constexpr std::string_view t = "slices";
      SliceRow c;
      c.portfolio = r.text(0, t);
      c.symbol = r.text(1, t);
      c.side = r.word<core::Side>(2, t, parse_side);
      c.remaining = r.real(3, t);
      c.child = r.real(4, t);
      c.lot_size = r.real(5, t);
      c.next_at = r.integer(6, t);
      c.interval = r.integer(7, t);
      c.reason = r.text(8, t);
      c.rebalance_id = r.text(9, t);
      snap.slices.push_back(std::move(c));
    }
  }
  {
    Run r(s.load_unfinished, "read orders");
    while (r.step()) snap.unfinished.push_back(read_order(r));
  }
  for (OrderRow& row : snap.unfinished) {
    if (row.order.portfolio == core::kBlockOrderPortfolio) s.accounts.read_allocations(row.order);
  }
  {
    Run r(s.load_counters, "read counters");
    if (!r.step()) throw StoreError("state file " + s.path + " is corrupt: counters has no row", SQLITE_CORRUPT);
    snap.counters.next_order = r.count(0, "counters");
    snap.counters.next_rebalance = r.count(1, "counters");
  }
  tx.commit();
  return snap;
}

void StateStore::checkpoint() {
  Impl& s = *impl_;
  bool whole = false;
  {
    // One row: busy, the WAL's frames, the frames copied into the database.
    Run r(s.checkpoint, "checkpoint");
    if (r.step()) {
      const std::int64_t frames = r.integer(1, "checkpoint"), copied = r.integer(2, "checkpoint");
      whole = r.integer(0, "checkpoint") == 0 && frames > 0 && copied == frames;
    }
  }
  if (!whole) return;
  // Every frame is in the database: the next write starts the WAL over,
  // writing its header and (synchronous NORMAL or FULL) syncing it. That
  // sync, about a millisecond here, would land in the next commit, which
  // an order may be waiting for; a one-page write takes it now.
  Transaction tx(s.begin, s.commit, s.rollback);
  Run(s.restart_wal, "start the WAL over").execute();
  tx.commit();
}

std::vector<OrderRow> StateStore::orders_of_rebalance(std::string_view rebalance_id) const {
  std::vector<OrderRow> out;
  Run r(impl_->orders_of_rebalance, "read orders");
  r.bind(rebalance_id);
  while (r.step()) out.push_back(read_order(r));
  return out;
}

std::vector<FillRow> StateStore::fills_of(std::string_view order_id) const {
  std::vector<FillRow> out;
  Run r(impl_->fills_of, "read fills");
  r.bind(order_id);
  while (r.step()) out.push_back(read_fill(r));
  return out;
}

std::vector<RebalanceRow> StateStore::rebalances(std::string_view portfolio, std::size_t limit) const {
  std::vector<RebalanceRow> out;
  Run r(impl_->rebalances, "read rebalances");
  // LIMIT takes a signed 64-bit integer; anything above is "no limit".
  r.bind(portfolio).bind(static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)));
  while (r.step()) out.push_back(read_rebalance(r));
  return out;
}

}  // namespace ballast::store
