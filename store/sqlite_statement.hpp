#pragma once
// The SQLite wrappers of the state file's code: a connection, prepared
// statements, and one execution of a statement that binds, steps, reads typed
// values (a value of the wrong type names its table and column: the file is
// corrupt) and resets itself.
#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "store/state_store.hpp"

namespace ballast::store::sql {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;

inline std::string sqlite_message(sqlite3* db, int rc) {
  const char* msg = db ? sqlite3_errmsg(db) : nullptr;
  return msg ? msg : sqlite3_errstr(rc);
}

/// A prepared statement, finalized on destruction.
class Statement {
 public:
  Statement() = default;
  /// `persistent`: kept for the life of the connection (the commit path).
  Statement(sqlite3* db, const std::string* path, const std::string& sql, bool persistent) : db_(db), path_(path) {
    const int rc = sqlite3_prepare_v3(db, sql.c_str(), static_cast<int>(sql.size()) + 1,
                                      persistent ? SQLITE_PREPARE_PERSISTENT : 0, &stmt_, nullptr);
    if (rc != SQLITE_OK) {
      throw StoreError("state file " + *path_ + ": cannot prepare \"" + sql + "\": " + sqlite_message(db, rc), rc);
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(Statement&& o) noexcept
      : db_(o.db_), path_(o.path_), stmt_(std::exchange(o.stmt_, nullptr)) {}
  Statement& operator=(Statement&& o) noexcept {
    std::swap(db_, o.db_);
    std::swap(path_, o.path_);
    std::swap(stmt_, o.stmt_);
    return *this;
  }

  sqlite3* db() const { return db_; }
  sqlite3_stmt* get() const { return stmt_; }
  const std::string& path() const { return *path_; }

 private:
  sqlite3* db_ = nullptr;
  const std::string* path_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

/// A value that has the wrong type, is NULL or is out of its domain: the file is corrupt.
[[noreturn]] inline void throw_corrupt(const std::string& path, std::string_view table, const char* column,
                                const std::string& problem) {
  throw StoreError(
      "state file " + path + " is corrupt: " + std::string(table) + "." + (column ? column : "?") + " " + problem,
      SQLITE_CORRUPT);
}

inline const char* type_name(int type) {
  switch (type) {
    case SQLITE_INTEGER: return "an integer";
    case SQLITE_FLOAT: return "a real number";
    case SQLITE_TEXT: return "text";
    case SQLITE_BLOB: return "a blob";
    default: return "NULL";
  }
}

/// One execution of a statement: binds in order, steps, reads the current
/// row, and resets the statement when it goes out of scope (a statement left
/// mid-way would hold a read transaction open and stall checkpoints).
class Run {
 public:
  /// `what` names the step in error messages ("insert into fills").
  Run(const Statement& s, const char* what) : s_(s), what_(what) {}
  ~Run() {
    sqlite3_reset(s_.get());
    sqlite3_clear_bindings(s_.get());
  }
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;

  Run& bind(std::string_view text) {
    // SQLITE_STATIC: the caller's strings outlive this Run. A null pointer
    // would bind NULL, so an empty view points at a literal.
    check(sqlite3_bind_text(s_.get(), ++index_, text.data() ? text.data() : "", static_cast<int>(text.size()),
                            SQLITE_STATIC));
    return *this;
  }
  Run& bind(double v) {
    check(sqlite3_bind_double(s_.get(), ++index_, v));
    return *this;
  }
  Run& bind(std::int64_t v) {
    check(sqlite3_bind_int64(s_.get(), ++index_, v));
    return *this;
  }
  /// Bytes stored as a BLOB; like text, they must outlive this Run.
  Run& bind_blob(std::string_view bytes) {
    check(sqlite3_bind_blob(s_.get(), ++index_, bytes.data() ? bytes.data() : "", static_cast<int>(bytes.size()),
                            SQLITE_STATIC));
    return *this;
  }
  Run& bind(std::optional<double> v) {
    if (v) return bind(*v);
    check(sqlite3_bind_null(s_.get(), ++index_));
    return *this;
  }
  /// Stored as the signed 64-bit integer of the same bits: every value round-trips.
  Run& bind(std::uint64_t v) { return bind(static_cast<std::int64_t>(v)); }

  /// True while there is a row to read.
  bool step() {
    const int rc = sqlite3_step(s_.get());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(rc);
  }
  void execute() {
    while (step()) {
    }
  }

  // Readers for the current row; `table` names it in corruption errors.
  std::string text(int col, std::string_view table) const {
    expect(col, SQLITE_TEXT, table);
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_.get(), col));
    return std::string(p ? p : "", static_cast<std::size_t>(sqlite3_column_bytes(s_.get(), col)));
  }
  double real(int col, std::string_view table) const {
    expect(col, SQLITE_FLOAT, table);
    return sqlite3_column_double(s_.get(), col);
  }
  /// A REAL column that may be NULL (nullopt).
  std::optional<double> nullable_real(int col, std::string_view table) const {
    if (sqlite3_column_type(s_.get(), col) == SQLITE_NULL) return std::nullopt;
    return real(col, table);
  }
  /// A BLOB's bytes, valid until the next step or the end of this Run.
  std::string_view blob(int col, std::string_view table) const {
    expect(col, SQLITE_BLOB, table);
    const void* p = sqlite3_column_blob(s_.get(), col);
    return {static_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(s_.get(), col))};
  }
  /// A text column's bytes, without a copy; valid like blob().
  std::string_view text_view(int col, std::string_view table) const {
    expect(col, SQLITE_TEXT, table);
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_.get(), col));
    return {p ? p : "", static_cast<std::size_t>(sqlite3_column_bytes(s_.get(), col))};
  }
  std::int64_t integer(int col, std::string_view table) const {
    expect(col, SQLITE_INTEGER, table);
    return sqlite3_column_int64(s_.get(), col);
  }
  std::uint64_t count(int col, std::string_view table) const {
    return static_cast<std::uint64_t>(integer(col, table));
  }
  /// A text column holding one of an enum's words.
  template <class Enum, class Parse>
  Enum word(int col, std::string_view table, Parse parse) const {
    const std::string w = text(col, table);
    if (const std::optional<Enum> e = parse(w)) return *e;
    throw_corrupt(s_.path(), table, sqlite3_column_name(s_.get(), col), "holds '" + w + "', not a known value");
  }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK) fail(rc);
  }
  [[noreturn]] void fail(int rc) const {
    const int code = sqlite3_extended_errcode(s_.db());
    throw StoreError("state file " + s_.path() + ": " + what_ + ": " + sqlite_message(s_.db(), rc),
                     code != SQLITE_OK ? code : rc);
  }
  void expect(int col, int type, std::string_view table) const {
    const int got = sqlite3_column_type(s_.get(), col);
    if (got == type) return;
    throw_corrupt(s_.path(), table, sqlite3_column_name(s_.get(), col),
                  std::string(got == SQLITE_NULL ? "is NULL" : std::string("holds ") + type_name(got)) +
                      " where " + type_name(type) + " is required");
  }

  const Statement& s_;
  const char* what_;
  int index_ = 0;
};

}  // namespace ballast::store::sql
