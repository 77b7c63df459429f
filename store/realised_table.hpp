#pragma once
// The accounts' realised gains in the state file (schema version 3): one row
// per lot a sale closed (tax::RealisedLine), appended with an increasing seq
// and never changed but for the loss a later wash sale disallows (raised,
// never above the loss). Rows outlive their account: tax records must.
#include <cstdint>
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
/// The query of RealisedTable::for_each_sold_since, bound to the first day (?1).
extern const char* const kRealisedSoldSince;

/// The statements on the realised gains table; the caller runs them inside its transactions.
class RealisedTable {
 public:
  RealisedTable() = default;
  void prepare(sqlite3* db, const std::string* path);

  /// Appends one row, as row.seq or (0) the next. Throws StoreError for a row Change::realised refuses.
  void append(const RealisedRow& row);
  /// Raises a row's wash_disallowed. Throws StoreError for what Change::realised_wash refuses.
  void add_wash(const RealisedWash& wash);
  /// The greatest seq in the table; 0 when it is empty.
  std::uint64_t last_seq() const;
  /// The rows of sales in `year`, by account, then seq. Throws StoreError for a
  /// row that cannot be read (the file is corrupt).
  void for_each_of_year(int year, const std::function<void(const RealisedRow&)>& visit) const;
  /// An account's rows in seq order.
  std::vector<RealisedRow> of_account(std::string_view account) const;
  /// Every row with sold >= `from`, in seq order, found through the index on sold.
  void for_each_sold_since(tax::Day from, const std::function<void(const RealisedRow&)>& visit) const;

 private:
  const std::string* path_ = nullptr;
  Statement insert_, last_seq_, loss_of_, set_wash_, of_year_, of_account_, sold_since_;
};

}  // namespace ballast::store::sql
