#pragma once
// The accounts' realised gains in the state file (schema version 3): one row
// per lot a sale closed (tax::RealisedLine), appended with an increasing seq
// and never changed. Rows outlive their account: tax records must.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "store/sqlite_statement.hpp"
#include "store/state_store.hpp"

namespace ballast::store::sql {

/// The DDL of the realised gains table and its indexes: part of a new file's
/// schema, and what the upgrades from versions 1 and 2 add.
extern const char* const kRealisedSchema;

/// The statements on the realised gains table; the caller runs them inside its transactions.
class RealisedTable {
 public:
  RealisedTable() = default;
  void prepare(sqlite3* db, const std::string* path);

  /// Appends one row. Throws StoreError for a row Change::realised refuses.
  void append(const RealisedRow& row);
  /// The rows of sales in `year`, by account, then seq. Throws StoreError for a
  /// row that cannot be read (the file is corrupt).
  void for_each_of_year(int year, const std::function<void(const RealisedRow&)>& visit) const;
  /// An account's rows in seq order.
  std::vector<RealisedRow> of_account(std::string_view account) const;

 private:
  const std::string* path_ = nullptr;
  Statement insert_, of_year_, of_account_;
};

}  // namespace ballast::store::sql
