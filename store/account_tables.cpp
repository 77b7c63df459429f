#include "store/account_tables.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <unordered_set>

#include "core/number_text.hpp"
#include "execution/io/order_codec.hpp"

namespace ballast::store::sql {

const char* const kAccountsSchema = R"sql(
-- The account book: each account's own facts; the policy is its model's, in the config.
CREATE TABLE accounts (
  id TEXT PRIMARY KEY NOT NULL,
  model TEXT NOT NULL,
  cash REAL NOT NULL,
  household TEXT NOT NULL,          -- '' for none
  cash_target REAL,                 -- NULL: the model's
  band_multiplier REAL NOT NULL,
  holdings BLOB NOT NULL,           -- store/account_tables.hpp: encode_holdings
  restricted BLOB NOT NULL,         -- encode_restricted
  lots BLOB NOT NULL DEFAULT x'01', -- encode_lots (version 3; format 2 with lot ids)
  lot_method TEXT NOT NULL DEFAULT 'fifo' CHECK (lot_method IN ('fifo', 'hifo', 'min_tax'))
) STRICT, WITHOUT ROWID;
)sql";

// The same columns, as kAccountsSchema declares them: upgraded files and new ones alike.
const char* const kAccountsLotsUpgrade = R"sql(
ALTER TABLE accounts ADD COLUMN lots BLOB NOT NULL DEFAULT x'01';
ALTER TABLE accounts ADD COLUMN lot_method TEXT NOT NULL DEFAULT 'fifo' CHECK (lot_method IN ('fifo', 'hifo', 'min_tax'));
)sql";

const char* const kOrderAllocationsSchema = R"sql(
-- A block order's accounts and what each asked (core::Order::allocations), in order.
CREATE TABLE order_allocations (
  order_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  account TEXT NOT NULL,
  quantity REAL NOT NULL,
  lots BLOB NOT NULL DEFAULT x'01', -- encode_allocation_lots: the lots a sell names (version 4)
  PRIMARY KEY (order_id, seq)
) STRICT, WITHOUT ROWID;
)sql";

// The column as kOrderAllocationsSchema declares it: upgraded files and new ones alike.
const char* const kAllocationLotsUpgrade = R"sql(
ALTER TABLE order_allocations ADD COLUMN lots BLOB NOT NULL DEFAULT x'01';
)sql";

namespace {

constexpr char kBlobFormat = 1;
/// Format 1 kept no lot ids; format 2 follows each lot with its id.
constexpr char kLotsFormatWithoutIds = 1;
constexpr char kLotsFormat = 2;
constexpr char kAllocationLotsFormat = 1;
constexpr std::string_view kAccountsTable = "accounts";
constexpr const char* kAccountsColumns =
    "id, model, cash, household, cash_target, band_multiplier, holdings, restricted, lots, lot_method";

void put_length(std::size_t n, std::string& out) {
  do {
    const auto low = static_cast<unsigned char>(n & 0x7f);
    n >>= 7;
    out.push_back(static_cast<char>(n ? low | 0x80 : low));
  } while (n);
}

void put_symbol(std::string_view s, std::string& out) {
  put_length(s.size(), out);
  out.append(s);
}

/// Reads bytes of a blob front to back; every read fails softly past its end.
struct BlobReader {
  std::string_view rest;

  bool length(std::size_t& n) {
    n = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      if (rest.empty()) return false;
      const auto byte = static_cast<unsigned char>(rest.front());
      rest.remove_prefix(1);
      n |= static_cast<std::size_t>(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return true;
    }
    return false;
  }
  bool symbol(std::string_view& s) {
    std::size_t n = 0;
    if (!length(n) || n == 0 || n > rest.size()) return false;
    s = rest.substr(0, n);
    rest.remove_prefix(n);
    return true;
  }
  bool quantity(double& q) {
    if (rest.size() < 8) return false;
    std::uint64_t bits = 0;
    for (int i = 0; i < 8; ++i) bits |= static_cast<std::uint64_t>(static_cast<unsigned char>(rest[i])) << (8 * i);
    rest.remove_prefix(8);
    q = std::bit_cast<double>(bits);
    return true;
  }
  bool day(tax::Day& d) {
    if (rest.size() < 4) return false;
    std::uint32_t bits = 0;
    for (int i = 0; i < 4; ++i) bits |= static_cast<std::uint32_t>(static_cast<unsigned char>(rest[i])) << (8 * i);
    rest.remove_prefix(4);
    d = std::bit_cast<tax::Day>(bits);
    return true;
  }
  bool id(tax::LotId& id) {
    if (rest.size() < 4) return false;
    id = 0;
    for (int i = 0; i < 4; ++i) id |= static_cast<tax::LotId>(static_cast<unsigned char>(rest[i])) << (8 * i);
    rest.remove_prefix(4);
    return true;
  }
  bool format(char expected = kBlobFormat) {
    if (rest.empty() || rest.front() != expected) return false;
    rest.remove_prefix(1);
    return true;
  }
};

void put_double(double v, std::string& out) {
  const auto bits = std::bit_cast<std::uint64_t>(v);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
}

void put_day(tax::Day d, std::string& out) {
  const auto bits = std::bit_cast<std::uint32_t>(d);
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
}

void put_id(tax::LotId id, std::string& out) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((id >> (8 * i)) & 0xff));
}

/// Assigns into a reused string, keeping its capacity.
void assign(std::string& to, std::string_view from) { to.assign(from.data(), from.size()); }

}  // namespace

void encode_holdings(const fleet::AccountRecord& record, std::string& out) {
  out.clear();
  out.push_back(kBlobFormat);
  for (const auto& [symbol, quantity] : record.holdings) {
    put_symbol(symbol, out);
    put_double(quantity, out);
  }
}

void encode_lots(const std::vector<fleet::RecordLot>& lots, std::string& out) {
  out.clear();
  out.push_back(kLotsFormat);
  for (std::size_t begin = 0, end = 0; begin < lots.size(); begin = end) {
    // A lot without an id (an import that gave none) is numbered as fleet::number_lots does.
    tax::LotId next_id = 0;
    for (end = begin; end < lots.size() && lots[end].symbol == lots[begin].symbol; ++end) {
      if (lots[end].id) next_id = std::max(next_id, static_cast<tax::LotId>(*lots[end].id + 1));
    }
    put_symbol(lots[begin].symbol, out);
    put_length(end - begin, out);
    for (std::size_t i = begin; i < end; ++i) {
      put_double(lots[i].quantity, out);
      put_double(lots[i].cost_per_unit, out);
      put_double(lots[i].wash_adjustment_per_unit, out);
      put_day(lots[i].acquired, out);
      put_day(lots[i].holding_from, out);
      put_id(lots[i].id ? *lots[i].id : next_id++, out);
    }
  }
}

bool decode_lots(std::string_view blob, std::vector<fleet::RecordLot>& out) {
  BlobReader r{blob};
  const bool with_ids = r.format(kLotsFormat);
  if (!with_ids && !r.format(kLotsFormatWithoutIds)) return false;
  std::unordered_set<tax::LotId> run_ids;  // of the run being read, to refuse a repeated id
  std::size_t n = 0;
  std::string_view previous;
  while (!r.rest.empty()) {
    std::string_view symbol;
    std::size_t count = 0;
    if (!r.symbol(symbol) || !r.length(count)) return false;
    if (count == 0 || count > fleet::kMaxLotsPerAccount - n) return false;
    if (n > 0 && !(previous < symbol)) return false;
    run_ids.clear();
    for (std::size_t i = 0; i < count; ++i, ++n) {
      if (n == out.size()) out.emplace_back();
      fleet::RecordLot& lot = out[n];
      if (!r.quantity(lot.quantity) || !r.quantity(lot.cost_per_unit) || !r.quantity(lot.wash_adjustment_per_unit) ||
          !r.day(lot.acquired) || !r.day(lot.holding_from)) {
        return false;
      }
      if (!(std::isfinite(lot.quantity) && lot.quantity > 0 && std::isfinite(lot.cost_per_unit) &&
            lot.cost_per_unit > 0 && std::isfinite(lot.wash_adjustment_per_unit) &&
            lot.wash_adjustment_per_unit >= 0 && lot.holding_from <= lot.acquired)) {
        return false;
      }
      // Format 1: the lots of a symbol numbered in order, as they were on every restore then.
      tax::LotId id = static_cast<tax::LotId>(i);
      if (with_ids && (!r.id(id) || !run_ids.insert(id).second)) return false;
      lot.id = id;
      assign(lot.symbol, symbol);
    }
    previous = symbol;
  }
  out.resize(n);
  return true;
}

void encode_restricted(const fleet::AccountRecord& record, std::string& out) {
  out.clear();
  out.push_back(kBlobFormat);
  for (const std::string& symbol : record.restricted) put_symbol(symbol, out);
}

bool decode_holdings(std::string_view blob, fleet::AccountRecord& out) {
  BlobReader r{blob};
  if (!r.format()) return false;
  // Entries are reused: a million loads do not allocate a string per symbol.
  std::size_t n = 0;
  while (!r.rest.empty()) {
    std::string_view symbol;
    double quantity = 0;
    if (!r.symbol(symbol) || !r.quantity(quantity)) return false;
    if (!(std::isfinite(quantity) && quantity > 0)) return false;
    if (n > 0 && !(out.holdings[n - 1].first < symbol)) return false;
    if (n == out.holdings.size()) out.holdings.emplace_back();
    assign(out.holdings[n].first, symbol);
    out.holdings[n].second = quantity;
    ++n;
  }
  out.holdings.resize(n);
  return true;
}

bool decode_restricted(std::string_view blob, fleet::AccountRecord& out) {
  BlobReader r{blob};
  if (!r.format()) return false;
  std::size_t n = 0;
  while (!r.rest.empty()) {
    std::string_view symbol;
    if (!r.symbol(symbol)) return false;
    if (n > 0 && !(out.restricted[n - 1] < symbol)) return false;
    if (n == out.restricted.size()) out.restricted.emplace_back();
    assign(out.restricted[n], symbol);
    ++n;
  }
  out.restricted.resize(n);
  return true;
}

void encode_allocation_lots(const std::vector<core::NamedLot>& lots, std::string& out) {
  out.clear();
  out.push_back(kAllocationLotsFormat);
  for (const core::NamedLot& lot : lots) {
    put_id(lot.id, out);
    put_double(lot.quantity, out);
    put_day(lot.acquired, out);
  }
}

std::string check_allocation_lots(const std::vector<core::NamedLot>& lots, double quantity) {
  if (lots.size() > execution::kLotsPerAllocation) {
    return std::to_string(lots.size()) + " lots, more than the " + std::to_string(execution::kLotsPerAllocation) +
           " an allocation may name";
  }
  double sum = 0;
  std::unordered_set<std::uint32_t> ids;
  for (std::size_t i = 0; i < lots.size(); ++i) {
    const core::NamedLot& lot = lots[i];
    if (!(std::isfinite(lot.quantity) && lot.quantity > 0)) {
      return "lot " + std::to_string(lot.id) + " (entry " + std::to_string(i) + ") has quantity " +
             core::shortest(lot.quantity) + ": finite and > 0 expected";
    }
    if (!ids.insert(lot.id).second) return "lot " + std::to_string(lot.id) + " is named twice";
    sum += lot.quantity;
  }
  // The tolerance of the orders wire (execution/io/order_codec.cpp).
  if (sum > quantity * (1 + 1e-9)) {
    return "its lots name " + core::shortest(sum) + " units, more than the allocation's " +
           core::shortest(quantity);
  }
  return {};
}

std::string decode_allocation_lots(std::string_view blob, double quantity, std::vector<core::NamedLot>& out) {
  out.clear();
  BlobReader r{blob};
  if (!r.format(kAllocationLotsFormat)) {
    return blob.empty() ? std::string("is empty: a format byte (1) expected")
                        : "has format byte " + std::to_string(static_cast<unsigned char>(blob.front())) +
                              ", not 1";
  }
  constexpr std::size_t kLotBytes = 16;
  if (r.rest.size() % kLotBytes != 0) {
    return "has " + std::to_string(r.rest.size()) + " bytes of lots, not a whole number of " +
           std::to_string(kLotBytes) + "-byte lots";
  }
  // Checked before reading: a damaged blob's length allocates nothing.
  if (r.rest.size() / kLotBytes > execution::kLotsPerAllocation) {
    return "holds " + std::to_string(r.rest.size() / kLotBytes) + " lots, more than the " +
           std::to_string(execution::kLotsPerAllocation) + " an allocation may name";
  }
  while (!r.rest.empty()) {
    core::NamedLot& lot = out.emplace_back();
    tax::Day acquired = 0;
    r.id(lot.id);
    r.quantity(lot.quantity);
    r.day(acquired);
    lot.acquired = acquired;
  }
  return check_allocation_lots(out, quantity);
}

void AccountTables::prepare(sqlite3* db, const std::string* path) {
  path_ = path;
  const auto make = [&](const std::string& text) { return Statement(db, path, text, true); };
  upsert_ = make(std::string("INSERT INTO accounts (") + kAccountsColumns +
                 ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (id) DO UPDATE SET "
                 "model = excluded.model, cash = excluded.cash, household = excluded.household, "
                 "cash_target = excluded.cash_target, band_multiplier = excluded.band_multiplier, "
                 "holdings = excluded.holdings, restricted = excluded.restricted, lots = excluded.lots, "
                 "lot_method = excluded.lot_method");
  delete_ = make("DELETE FROM accounts WHERE id = ?1");
  scan_ = make(std::string("SELECT ") + kAccountsColumns + " FROM accounts ORDER BY id");
  find_ = make(std::string("SELECT ") + kAccountsColumns + " FROM accounts WHERE id = ?1");
  contains_ = make("SELECT 1 FROM accounts WHERE id = ?1");
  count_ = make("SELECT count(*) FROM accounts");
  set_positions_ = make("UPDATE accounts SET cash = ?2, holdings = ?3 WHERE id = ?1");
  set_lots_ = make("UPDATE accounts SET lots = ?2, lot_method = ?3 WHERE id = ?1");
  delete_allocations_ = make("DELETE FROM order_allocations WHERE order_id = ?1");
  insert_allocation_ =
      make("INSERT INTO order_allocations (order_id, seq, account, quantity, lots) VALUES (?1, ?2, ?3, ?4, ?5)");
  allocations_of_ = make("SELECT seq, account, quantity, lots FROM order_allocations WHERE order_id = ?1 ORDER BY seq");
}

void AccountTables::set_positions(std::string_view id, double cash,
                                  const std::vector<std::pair<std::string, double>>& holdings) {
  positions_.id = std::string(id);
  positions_.cash = cash;
  positions_.holdings = holdings;
  if (!std::isfinite(cash)) {
    throw StoreError("state file " + *path_ + ": refused cash of account " + fleet::quoted_for_message(id) +
                         ": not finite",
                     SQLITE_CONSTRAINT);
  }
  for (std::size_t i = 0; i < holdings.size(); ++i) {
    if (!(holdings[i].second > 0 && std::isfinite(holdings[i].second)) ||
        (i > 0 && !(holdings[i - 1].first < holdings[i].first))) {
      throw StoreError("state file " + *path_ + ": refused holdings of account " + fleet::quoted_for_message(id) +
                           ": sorted symbols with quantities finite and > 0 expected",
                       SQLITE_CONSTRAINT);
    }
  }
  encode_holdings(positions_, holdings_);
  Run(set_positions_, "update accounts").bind(id).bind(cash).bind_blob(holdings_).execute();
  if (sqlite3_changes(set_positions_.db()) != 1) {
    throw StoreError("state file " + *path_ + ": no account " + fleet::quoted_for_message(id) + " to update",
                     SQLITE_CONSTRAINT);
  }
}

void AccountTables::set_lots(std::string_view id, const std::vector<fleet::RecordLot>& lots,
                             tax::CloseMethod method) {
  // The lots alone: the holdings written with them may be those of a sale in
  // progress, which closes its lots only when it is final.
  if (const auto problems = fleet::check_booked_lots(lots, method); !problems.empty()) {
    throw StoreError("state file " + *path_ + ": refused lots of account " + fleet::quoted_for_message(id) + ": " +
                         problems.front().message,
                     SQLITE_CONSTRAINT);
  }
  encode_lots(lots, lots_);
  Run(set_lots_, "update accounts").bind(id).bind_blob(lots_).bind(tax::to_string(method)).execute();
  if (sqlite3_changes(set_lots_.db()) != 1) {
    throw StoreError("state file " + *path_ + ": no account " + fleet::quoted_for_message(id) + " to update",
                     SQLITE_CONSTRAINT);
  }
}

void AccountTables::write_allocations(const core::Order& order) {
  Run(delete_allocations_, "write order allocations").bind(order.order_id).execute();
  std::int64_t seq = 0;
  for (const core::Allocation& a : order.allocations) {
    if (const std::string problem = check_allocation_lots(a.lots, a.quantity); !problem.empty()) {
      throw StoreError("state file " + *path_ + ": refused the lots of order " + order.order_id + "'s allocation to " +
                           fleet::quoted_for_message(a.account) + ": " + problem,
                       SQLITE_CONSTRAINT);
    }
    encode_allocation_lots(a.lots, allocation_lots_);
    Run(insert_allocation_, "write order allocations")
        .bind(order.order_id)
        .bind(seq++)
        .bind(a.account)
        .bind(a.quantity)
        .bind_blob(allocation_lots_)
        .execute();
  }
}

void AccountTables::read_allocations(core::Order& order) const {
  constexpr std::string_view kAllocations = "order_allocations";
  order.allocations.clear();
  Run r(allocations_of_, "read order allocations");
  r.bind(order.order_id);
  while (r.step()) {
    core::Allocation& a = order.allocations.emplace_back();
    const std::int64_t seq = r.integer(0, kAllocations);
    a.account = r.text(1, kAllocations);
    a.quantity = r.real(2, kAllocations);
    if (const std::string problem = decode_allocation_lots(r.blob(3, kAllocations), a.quantity, a.lots);
        !problem.empty()) {
      throw_corrupt(*path_, kAllocations, "lots",
                    "of order " + order.order_id + "'s allocation " + std::to_string(seq) + " (account " +
                        fleet::quoted_for_message(a.account) + ") " + problem);
    }
  }
}

void AccountTables::upsert(const fleet::AccountRecord& a) {
  if (const auto problems = fleet::check_account_shape(a); !problems.empty()) {
    throw StoreError("state file " + *path_ + ": refused account " + fleet::quoted_for_message(a.id) + ": " +
                         problems.front().message,
                     SQLITE_CONSTRAINT);
  }
  encode_holdings(a, holdings_);
  encode_restricted(a, restricted_);
  encode_lots(a.lots, lots_);
  Run(upsert_, "write accounts")
      .bind(a.id)
      .bind(a.model)
      .bind(a.cash)
      .bind(a.household)
      .bind(a.cash_target)
      .bind(a.band_multiplier)
      .bind_blob(holdings_)
      .bind_blob(restricted_)
      .bind_blob(lots_)
      .bind(tax::to_string(a.lot_method))
      .execute();
}

void AccountTables::close(std::string_view id) { Run(delete_, "delete from accounts").bind(id).execute(); }

namespace {

/// An account's lot method: `specific` is not one.
std::optional<tax::CloseMethod> parse_account_method(std::string_view text) {
  const auto method = tax::parse_close_method(text);
  if (method == tax::CloseMethod::specific) return std::nullopt;
  return method;
}

void read_account(const Run& r, const std::string& path, fleet::AccountRecord& a) {
  assign(a.id, r.text_view(0, kAccountsTable));
  assign(a.model, r.text_view(1, kAccountsTable));
  a.cash = r.real(2, kAccountsTable);
  assign(a.household, r.text_view(3, kAccountsTable));
  a.cash_target = r.nullable_real(4, kAccountsTable);
  a.band_multiplier = r.real(5, kAccountsTable);
  if (!decode_holdings(r.blob(6, kAccountsTable), a)) {
    throw_corrupt(path, kAccountsTable, "holdings", "of account " + fleet::quoted_for_message(a.id) + " is malformed");
  }
  if (!decode_restricted(r.blob(7, kAccountsTable), a)) {
    throw_corrupt(path, kAccountsTable, "restricted",
                  "of account " + fleet::quoted_for_message(a.id) + " is malformed");
  }
  if (!decode_lots(r.blob(8, kAccountsTable), a.lots)) {
    throw_corrupt(path, kAccountsTable, "lots", "of account " + fleet::quoted_for_message(a.id) + " is malformed");
  }
  a.lot_method = r.word<tax::CloseMethod>(9, kAccountsTable, parse_account_method);
}

}  // namespace

void AccountTables::for_each(const std::function<void(const fleet::AccountRecord&)>& visit) const {
  fleet::AccountRecord record;
  Run r(scan_, "read accounts");
  while (r.step()) {
    read_account(r, *path_, record);
    visit(record);
  }
}

std::optional<fleet::AccountRecord> AccountTables::find(std::string_view id) const {
  Run r(find_, "read accounts");
  r.bind(id);
  if (!r.step()) return std::nullopt;
  fleet::AccountRecord record;
  read_account(r, *path_, record);
  return record;
}

bool AccountTables::contains(std::string_view id) const {
  Run r(contains_, "read accounts");
  r.bind(id);
  return r.step();
}

std::size_t AccountTables::count() const {
  Run r(count_, "count accounts");
  if (!r.step()) return 0;
  return static_cast<std::size_t>(r.integer(0, kAccountsTable));
}

}  // namespace ballast::store::sql
