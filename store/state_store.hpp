#pragma once
// Durable state in one SQLite database in WAL mode: portfolios, positions,
// orders and their states, fills, rebalances, the id counters, the account
// book (fleet::AccountRecord, one row per account, its tax lots included) and
// the accounts' realised gains (one line per lot a sale closed). The daemon
// commits what an engine step changed, in one transaction, before it acts on
// it (an order is committed before it is sent), and restores everything from
// here on restart. A file that is not ours, is damaged or is newer than this
// build is refused with a reason; the store never starts over silently.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/types.hpp"
#include "fleet/account_record.hpp"
#include "tax/lots.hpp"

namespace ballast::store {

/// How far a commit is on disk when commit() returns.
enum class Durability {
  full,    ///< synchronous=FULL: the WAL is fsynced on every commit; survives a power loss
  normal,  ///< synchronous=NORMAL: survives a process crash; a power loss may lose the last commits
};

struct PortfolioRow {
  std::string id;
  double cash = 0;
  std::uint64_t rebalances = 0;
  std::uint64_t orders = 0;
  double costs_estimated = 0;
  double costs_realized = 0;
  std::string seed;  ///< canonical text of the config cash and holdings it was seeded from
  bool operator==(const PortfolioRow&) const = default;
};

struct PositionRow {
  std::string portfolio;
  std::string symbol;
  double quantity = 0;
  bool operator==(const PositionRow&) const = default;
};

/// The rest of a sliced order: children not sent yet (engine::SlicePlan).
struct SliceRow {
  std::string portfolio;
  std::string symbol;
  core::Side side = core::Side::buy;
  double remaining = 0;  ///< quantity still to send
  double child = 0;      ///< quantity per child
  double lot_size = 1;
  core::TimeNs next_at = 0;
  core::DurationNs interval = 0;
  std::string reason;
  std::string rebalance_id;
  bool operator==(const SliceRow&) const = default;
};

/// An order's state, as core defines it; stored as core::to_string spells it
/// ("created", "sent", "partially_filled", ...).
using OrderState = core::OrderState;

struct OrderRow {
  core::Order order;  ///< every field, created_at included
  OrderState state = OrderState::created;
  double filled_quantity = 0;
  double filled_value = 0;
  core::TimeNs updated_at = 0;
};

struct FillRow {
  std::string order_id;
  core::FillStatus status = core::FillStatus::filled;
  double filled_quantity = 0;
  double avg_price = 0;
  core::TimeNs ts = 0;
  core::TimeNs received_at = 0;
  bool operator==(const FillRow&) const = default;
};

struct RebalanceRow {
  std::string rebalance_id, portfolio, reason, detail;
  core::TimeNs at = 0;
  double value = 0, max_abs_drift = 0, total_drift = 0, traded_value = 0, cost = 0;
  std::uint64_t orders = 0;
  bool operator==(const RebalanceRow&) const = default;
};

struct Counters {
  std::uint64_t next_order = 1;
  std::uint64_t next_rebalance = 1;
  bool operator==(const Counters&) const = default;
};

struct Snapshot {
  bool fresh = true;  ///< the file was created by this open()
  std::vector<PortfolioRow> portfolios;  ///< by id
  std::vector<PositionRow> positions;    ///< by portfolio, then symbol
  /// Orders in state created, sent or partially_filled, in the order they were
  /// first committed: the ones a restart must re-send or wait for.
  std::vector<OrderRow> unfinished;
  std::vector<SliceRow> slices;  ///< by portfolio, symbol, side
  Counters counters;
};

/// A new state for an order already in the file.
struct OrderUpdate {
  std::string order_id;
  OrderState state = OrderState::sent;
  double filled_quantity = 0;  ///< cumulative; ignored with from_created_only
  double filled_value = 0;     ///< cumulative; ignored with from_created_only
  core::TimeNs updated_at = 0;
  /// Applies only while the order is still "created" (the shell's "it left"
  /// mark, which must not undo a report that came first); the fill stays as it is.
  bool from_created_only = false;
  /// With from_created_only: the reference price the order left with, which
  /// replaces the one written when it was decided (a sliced child of the
  /// fleet leaves at the price of its time); absent: the row's stays.
  std::optional<double> reference_price;
};

/// An account's cash and holdings as booked by the daemon's fleet.
struct AccountPositions {
  std::string id;
  double cash = 0;
  std::vector<std::pair<std::string, double>> holdings;  ///< sorted by symbol, quantities > 0
  bool operator==(const AccountPositions&) const = default;
};

/// An account's tax lots as the daemon booked them: all of them, replacing those in the book.
struct AccountLotsRow {
  std::string id;
  std::vector<fleet::RecordLot> lots;  ///< as fleet::AccountRecord::lots
  tax::CloseMethod lot_method = tax::CloseMethod::fifo;
  bool operator==(const AccountLotsRow&) const = default;
};

/// One lot's part of a sale of an account's holding, as the realised gains table keeps it.
struct RealisedRow {
  std::string account;
  std::string symbol;
  tax::RealisedLine line;
  /// The line's place in the table, > 0 once written (a tax::LineRef for the
  /// wash-sale ledger). On append, 0 takes the next one.
  std::uint64_t seq = 0;
};

/// More of a realised line's loss disallowed by a wash sale (a replacement
/// bought within 30 days of the loss sale).
struct RealisedWash {
  std::uint64_t seq = 0;      ///< the line's RealisedRow::seq
  double add_disallowed = 0;  ///< added to its wash_disallowed; > 0
};

/// Everything one engine step changed, written in ONE transaction. Applied in
/// this order: removed_portfolios, portfolios, positions, slices, orders,
/// order_updates, fills, rebalances, counters, closed_accounts, accounts,
/// account_positions, account_lots, realised, realised_wash.
struct Change {
  /// Upserted by id. For every portfolio listed here its positions are
  /// replaced by the rows of `positions` that name it (none: it holds nothing).
  std::vector<PortfolioRow> portfolios;
  /// A row for a portfolio not listed in `portfolios` is upserted on its own;
  /// its portfolio must exist.
  std::vector<PositionRow> positions;
  /// Like positions: for every portfolio listed in `portfolios`, its slices
  /// are replaced by the rows here that name it (none: nothing left to slice).
  std::vector<SliceRow> slices;
  std::vector<OrderRow> orders;  ///< upserted by order_id
  std::vector<OrderUpdate> order_updates;  ///< after `orders`; an unknown order_id changes nothing
  std::vector<FillRow> fills;    ///< appended; the order must exist (in the file or in `orders`)
  std::vector<RebalanceRow> rebalances;  ///< appended; a rebalance_id is written once
  std::optional<Counters> counters;
  /// The portfolio and its positions are deleted. Its orders, fills and
  /// rebalances stay as history: an open order of a removed portfolio is still
  /// in Snapshot::unfinished unless this change also finishes it.
  std::vector<std::string> removed_portfolios;
  /// Upserted by id (replacing the whole record). A record the book cannot
  /// keep (fleet::check_account_shape) fails the commit; the models are not
  /// the store's to check.
  std::vector<fleet::AccountRecord> accounts;
  /// Removed from the book; an unknown id changes nothing. Before `accounts`:
  /// an id in both is closed and opened again as the record says.
  std::vector<std::string> closed_accounts;
  /// After `accounts`: the cash and holdings the daemon booked for accounts
  /// already in the book (the rest of each record stays). An unknown id fails the commit.
  std::vector<AccountPositions> account_positions;
  /// After `account_positions`: each account's lots and lot method replaced
  /// (the rest of its record stays). The lots must pass
  /// fleet::check_booked_lots (not compared with the holdings, which a sale
  /// in progress has moved before its lots); an unknown id fails the commit.
  std::vector<AccountLotsRow> account_lots;
  /// Appended to the realised gains table, in order. A row's seq 0 takes the
  /// next one (the last in the table + 1); a seq > 0 is written as that seq,
  /// and must be greater than every seq in the table (the rows before it in
  /// this change included). Refused (failing the commit): a seq > 0 not above
  /// the table's last (StateStore::last_realised_seq) or not below 2^63, a
  /// malformed account id, an empty symbol, a number that is not finite, a
  /// quantity not > 0, a wash_disallowed < 0, a term that is not one of
  /// tax::Term's. The account need not be in the book: its history outlives it.
  std::vector<RealisedRow> realised;
  /// After `realised` (so a line appended by this change can be adjusted too),
  /// in order: each adds add_disallowed to the wash_disallowed of line seq.
  /// Refused (failing the commit): an unknown seq, add_disallowed not finite
  /// or not > 0, a line that is not a loss (gain >= 0), and a total above the
  /// line's loss (−gain) by more than 1e-9 × |gain| + 1e-9; a total above it
  /// within that is written as −gain exactly.
  std::vector<RealisedWash> realised_wash;
  bool empty() const;
};

/// An I/O failure, a refused write (a NaN, a fill for an unknown order, a
/// rebalance_id written twice) or corruption found while reading; what() names
/// the file and carries SQLite's message.
class StoreError : public std::runtime_error {
 public:
  StoreError(const std::string& message, int sqlite_code) : std::runtime_error(message), code_(sqlite_code) {}
  /// SQLite's extended result code (SQLITE_CORRUPT for a value of the wrong type).
  int sqlite_code() const { return code_; }

 private:
  int code_;
};

struct OpenError {
  std::string message;  ///< e.g. "state file /var/lib/ballast/state.db is not a Ballast state database: file is not a database"
  /// Another process holds the file's lock: the file itself is fine (the
  /// message names the holder's pid when the lock file records it).
  bool in_use = false;
};

/// The state file of a state directory, `<state_dir>/state.db`: where the
/// daemon keeps its state and `ballast accounts import` writes the book.
std::string state_file_in(std::string_view state_dir);

/// One state file, opened by one process at a time (a lock file `<path>.lock`
/// keeps a second daemon out). Use from one thread. Doubles round-trip
/// bit-exactly, except that -0.0 reads back as 0.0 (SQLite stores a whole REAL
/// as an integer) and NaN is refused by commit().
class StateStore {
 public:
  /// Opens or creates `path` (its directory must exist). Fails, never starting
  /// fresh, when the file exists but is not a SQLite database, is corrupt
  /// (PRAGMA quick_check), is another application's, has a newer schema than
  /// this build knows, cannot be opened read-write, is locked by another
  /// process, or cannot switch to WAL; also when the file is missing but its
  /// write-ahead log is not. A refused file is left as it was. A missing file
  /// is created complete (written aside, then renamed), so a crash during the
  /// first start leaves no half-made file behind.
  static std::variant<StateStore, OpenError> open(const std::string& path, Durability durability);
  /// Opens an existing state file to read it while its daemon may hold it
  /// (a report): no lock is taken and nothing is ever written — commit()
  /// and checkpoint() throw StoreError. Refused like open() refuses a file,
  /// and also when it is missing or of an older schema (which only a writer
  /// upgrades). Reads see the last committed state, as of each call.
  static std::variant<StateStore, OpenError> open_for_reading(const std::string& path);

  /// Everything the daemon restores, read in one transaction. Throws StoreError
  /// on an I/O failure, or when a value has the wrong type or is NULL (named by
  /// table and column: the file is corrupt).
  Snapshot load() const;
  /// Writes `change` in one transaction: all of it or, after a StoreError,
  /// none of it (rolled back). Nothing to do for an empty change.
  void commit(const Change& change);

  /// Copies the WAL into the database now (a passive checkpoint: it never
  /// waits for a reader). SQLite also does this inside the commit that takes
  /// the WAL past 10,000 pages, which costs that commit a few milliseconds of
  /// syncing; calling this when idle keeps that off the commit path. When
  /// every frame was copied, it also starts the WAL over (a one-page write,
  /// whose header sync would otherwise fall in the next commit). Throws StoreError.
  void checkpoint();

  /// The orders of one rebalance, in the order they were first committed.
  std::vector<OrderRow> orders_of_rebalance(std::string_view rebalance_id) const;
  /// The fills of one order, in the order they were appended.
  std::vector<FillRow> fills_of(std::string_view order_id) const;
  /// The last `limit` rebalances of a portfolio, newest first.
  std::vector<RebalanceRow> rebalances(std::string_view portfolio, std::size_t limit) const;

  /// Every account of the book in id order, streamed through one record that
  /// is reused (copy what must outlive the call). `visit` must not use this
  /// store. Throws StoreError on an I/O failure or a row that cannot be read.
  void for_each_account(const std::function<void(const fleet::AccountRecord&)>& visit) const;
  std::optional<fleet::AccountRecord> account(std::string_view id) const;
  bool has_account(std::string_view id) const;
  std::size_t account_count() const;
  /// Upserts every record `next` fills until it returns false, all in one
  /// transaction, like Change::accounts but without holding them all at once
  /// (an import of a million accounts). Returns how many; after a StoreError
  /// (or an exception from `next`) nothing of it is written.
  std::size_t commit_accounts(const std::function<bool(fleet::AccountRecord&)>& next);

  /// Every account's realised lines of sales in `year` (of the sale day), by
  /// account, then in the order they were appended; closed accounts' too.
  /// `visit` must not use this store. Throws StoreError for a row that cannot be read.
  void for_each_realised(int year, const std::function<void(const RealisedRow&)>& visit) const;
  /// An account's realised lines, in the order they were appended.
  std::vector<RealisedRow> realised_of(std::string_view account) const;
  /// Every account's realised lines sold on `from` or later, in seq order
  /// (the recent loss sales a restart gives back to the wash-sale ledger).
  /// `visit` must not use this store. Throws StoreError for a row that cannot be read.
  void for_each_realised_sold_since(tax::Day from, const std::function<void(const RealisedRow&)>& visit) const;
  /// The seq of the last realised line appended; 0 when there is none.
  std::uint64_t last_realised_seq() const;

  const std::string& path() const;

  StateStore(StateStore&&) noexcept;
  StateStore& operator=(StateStore&&) noexcept;
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;
  /// Closes the database (checkpointing the WAL) and releases the lock.
  ~StateStore();

 private:
  struct Impl;
  explicit StateStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;  ///< null only in a moved-from store, which may only be destroyed or assigned
};

}  // namespace ballast::store
