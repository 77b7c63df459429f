#pragma once
// The account book's table in the state file (schema version 3): one row per
// account, its holdings, restricted symbols and tax lots packed into blobs, so
// that a million accounts load in one sequential scan of one b-tree. Also the
// block orders' allocations, with the lots each names (schema version 4).
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/types.hpp"
#include "fleet/account_record.hpp"
#include "store/sqlite_statement.hpp"

namespace ballast::store::sql {

/// The DDL of the accounts table: part of a new file's schema, and what the
/// upgrade from version 1 adds.
extern const char* const kAccountsSchema;
/// What the upgrade from version 2 adds to its accounts table: the lots and
/// lot_method columns (no lots, fifo, for the accounts already there).
extern const char* const kAccountsLotsUpgrade;
/// The DDL of the block orders' allocations: with the accounts table in a new
/// file and the upgrade from version 1; added by the upgrade from version 2
/// to a file written before block orders, which lacks it.
extern const char* const kOrderAllocationsSchema;
/// What the upgrade from version 2 or 3 adds to an order_allocations table
/// that is there: the lots column (no lots, for the allocations already there).
extern const char* const kAllocationLotsUpgrade;

/// Holdings as a blob: a format byte (1), then per holding the symbol's length
/// (LEB128), its bytes and the quantity as 8 little-endian bytes of its IEEE
/// double. Sorted by symbol, as the record holds them.
void encode_holdings(const fleet::AccountRecord& record, std::string& out);
/// Restricted symbols: the format byte, then per symbol its length and bytes.
void encode_restricted(const fleet::AccountRecord& record, std::string& out);
/// Fills `out`; false when the bytes are not a blob encode_* writes (a
/// truncated length, symbols out of order or empty, a quantity not finite and > 0).
bool decode_holdings(std::string_view blob, fleet::AccountRecord& out);
bool decode_restricted(std::string_view blob, fleet::AccountRecord& out);

/// Lots as a blob: a format byte (2), then per run of one symbol's lots the
/// symbol's length (LEB128) and bytes, the run's lot count (LEB128), and per
/// lot its quantity, cost per unit and wash adjustment per unit (8
/// little-endian bytes of each IEEE double), acquired and holding_from (4
/// little-endian bytes of each day) and its id (4 little-endian bytes). Runs
/// by ascending symbol, lots in their order. A lot without an id is given one
/// as fleet::number_lots would.
void encode_lots(const std::vector<fleet::RecordLot>& lots, std::string& out);
/// Fills `out`, every lot with its id; false when the bytes are not a blob
/// encode_lots writes (a truncated field, a run empty or out of order, more
/// than fleet::kMaxLotsPerAccount lots, a value check_account refuses, an id
/// repeated within a run). Also reads format 1, written before lot ids were
/// kept (the same without the ids): its lots are numbered 0, 1, … per symbol
/// in order, as every restart numbered them then.
bool decode_lots(std::string_view blob, std::vector<fleet::RecordLot>& out);

/// A block order's allocation's named lots (core::Allocation::lots) as a
/// blob: a format byte (1), then per lot, in order, its id (4 little-endian
/// bytes), its quantity (8 little-endian bytes of its IEEE double) and its
/// acquired day (4 little-endian bytes). No lots: the format byte alone.
void encode_allocation_lots(const std::vector<core::NamedLot>& lots, std::string& out);
/// What is wrong with `lots` as an allocation of `quantity` units names them
/// (more than execution::kLotsPerAllocation, a quantity not finite and > 0,
/// an id named twice, units adding up to more than `quantity`); empty when
/// nothing is.
std::string check_allocation_lots(const std::vector<core::NamedLot>& lots, double quantity);
/// Fills `out` from a blob encode_allocation_lots writes, for an allocation
/// of `quantity` units; what is wrong when the bytes are not such a blob (a
/// format byte not 1, a lot cut short) or check_allocation_lots refuses the
/// lots; empty when read.
std::string decode_allocation_lots(std::string_view blob, double quantity, std::vector<core::NamedLot>& out);

/// The statements on the accounts table; the caller runs them inside its transactions.
class AccountTables {
 public:
  AccountTables() = default;
  void prepare(sqlite3* db, const std::string* path);

  /// Inserts or replaces the account of `record.id`. Throws StoreError for a
  /// record whose shape the book cannot keep (fleet::check_account_shape).
  void upsert(const fleet::AccountRecord& record);
  /// Deletes the account; an unknown id changes nothing.
  void close(std::string_view id);

  /// Every account in id order, through one record reused for each. Throws
  /// StoreError for a row that cannot be read (the file is corrupt).
  void for_each(const std::function<void(const fleet::AccountRecord&)>& visit) const;
  std::optional<fleet::AccountRecord> find(std::string_view id) const;
  bool contains(std::string_view id) const;
  std::size_t count() const;

  /// An account's cash and holdings as the daemon booked them; the rest of
  /// its record stays. Throws StoreError for an unknown id, a cash that is not
  /// finite, or holdings not sorted by symbol with quantities finite and > 0.
  void set_positions(std::string_view id, double cash, const std::vector<std::pair<std::string, double>>& holdings);
  /// An account's lots and lot method as the daemon booked them; the rest of
  /// its record stays. Throws StoreError for an unknown id, or when the record
  /// they make fails fleet::check_account_shape.
  void set_lots(std::string_view id, const std::vector<fleet::RecordLot>& lots, tax::CloseMethod method);

  /// A block order's allocations with their named lots, replacing any
  /// written before (none for an order without them). Throws StoreError for
  /// lots check_allocation_lots refuses.
  void write_allocations(const core::Order& order);
  /// Fills `order.allocations`, their named lots too, from the file. Throws
  /// StoreError for lots that cannot be read back (the file is corrupt).
  void read_allocations(core::Order& order) const;

 private:
  const std::string* path_ = nullptr;
  Statement upsert_, delete_, scan_, find_, contains_, count_;
  Statement set_positions_, set_lots_, delete_allocations_, insert_allocation_, allocations_of_;
  fleet::AccountRecord positions_;  ///< reused by set_positions
  std::string holdings_, restricted_, lots_, allocation_lots_;  ///< encoding buffers, reused
};

}  // namespace ballast::store::sql
