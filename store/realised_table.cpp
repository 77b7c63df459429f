#include "store/realised_table.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>

#include "core/number_text.hpp"
#include "tax/holding_period.hpp"

namespace ballast::store::sql {

const char* const kRealisedSchema = R"sql(
-- Realised gains: one line per lot a sale of an account closed (tax/lots.hpp
-- RealisedLine). Days count from 1970-01-01. Kept when the account is closed.
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

// INDEXED BY: the recent lines are few of many, and the planner, which has no
// statistics, would rather walk the whole table in seq order than sort them.
const char* const kRealisedSoldSince =
    "SELECT seq, account, symbol, lot, purchase, quantity, acquired, holding_from, sold, proceeds, basis, gain, "
    "term, wash_disallowed FROM realised_lots INDEXED BY realised_lots_by_sold WHERE sold >= ?1 ORDER BY seq";

namespace {

constexpr std::string_view kRealisedTable = "realised_lots";
constexpr const char* kRealisedColumns =
    "account, symbol, lot, purchase, quantity, acquired, holding_from, sold, proceeds, basis, gain, term, "
    "wash_disallowed";

std::optional<tax::Term> parse_term(std::string_view text) {
  if (text == "short_term") return tax::Term::short_term;
  if (text == "long_term") return tax::Term::long_term;
  return std::nullopt;
}

/// A stored integer that must fit its type; the file is corrupt otherwise.
template <class T>
T narrow(const Run& r, int col, const std::string& path, const char* column) {
  const std::int64_t v = r.integer(col, kRealisedTable);
  if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max()) {
    throw_corrupt(path, kRealisedTable, column, "holds " + std::to_string(v) + ", out of range");
  }
  return static_cast<T>(v);
}

/// The columns a read selects: seq, then kRealisedColumns.
std::string select_columns() { return std::string("SELECT seq, ") + kRealisedColumns; }

void read_row(const Run& r, const std::string& path, RealisedRow& out) {
  const std::int64_t seq = r.integer(0, kRealisedTable);
  if (seq <= 0) throw_corrupt(path, kRealisedTable, "seq", "holds " + std::to_string(seq) + ", not > 0");
  out.seq = static_cast<std::uint64_t>(seq);
  out.account = r.text(1, kRealisedTable);
  out.symbol = r.text(2, kRealisedTable);
  tax::RealisedLine& l = out.line;
  l.lot = narrow<tax::LotId>(r, 3, path, "lot");
  l.purchase = narrow<tax::LotId>(r, 4, path, "purchase");
  l.quantity = r.real(5, kRealisedTable);
  l.acquired = narrow<tax::Day>(r, 6, path, "acquired");
  l.holding_from = narrow<tax::Day>(r, 7, path, "holding_from");
  l.sold = narrow<tax::Day>(r, 8, path, "sold");
  l.proceeds = r.real(9, kRealisedTable);
  l.basis = r.real(10, kRealisedTable);
  l.gain = r.real(11, kRealisedTable);
  l.term = r.word<tax::Term>(12, kRealisedTable, parse_term);
  l.wash_disallowed = r.real(13, kRealisedTable);
}

}  // namespace

void RealisedTable::prepare(sqlite3* db, const std::string* path) {
  path_ = path;
  const auto make = [&](const std::string& text) { return Statement(db, path, text, true); };
  // seq NULL (bound as 0) lets SQLite take the last rowid + 1.
  insert_ = make(std::string("INSERT INTO realised_lots (seq, ") + kRealisedColumns +
                 ") VALUES (nullif(?1, 0), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
  last_seq_ = make("SELECT coalesce(max(seq), 0) FROM realised_lots");
  loss_of_ = make("SELECT gain, wash_disallowed FROM realised_lots WHERE seq = ?1");
  set_wash_ = make("UPDATE realised_lots SET wash_disallowed = ?2 WHERE seq = ?1");
  of_year_ = make(select_columns() + " FROM realised_lots WHERE sold >= ?1 AND sold < ?2 ORDER BY account, seq");
  of_account_ = make(select_columns() + " FROM realised_lots WHERE account = ?1 ORDER BY seq");
  sold_since_ = make(kRealisedSoldSince);
}

void RealisedTable::append(const RealisedRow& row) {
  const tax::RealisedLine& l = row.line;
  const auto refuse = [&](const std::string& why) {
    throw StoreError("state file " + *path_ + ": refused a realised line of account " +
                         fleet::quoted_for_message(row.account) + ": " + why,
                     SQLITE_CONSTRAINT);
  };
  if (!fleet::valid_account_id(row.account)) refuse("the account id is malformed");
  if (row.symbol.empty()) refuse("the symbol is empty");
  if (!(std::isfinite(l.quantity) && l.quantity > 0)) refuse("the quantity must be a finite number > 0");
  if (!(std::isfinite(l.proceeds) && std::isfinite(l.basis) && std::isfinite(l.gain))) {
    refuse("proceeds, basis and gain must be finite");
  }
  if (!(std::isfinite(l.wash_disallowed) && l.wash_disallowed >= 0)) {
    refuse("wash_disallowed must be a finite number >= 0");
  }
  if (l.term != tax::Term::short_term && l.term != tax::Term::long_term) refuse("the term is neither short nor long");
  if (row.seq > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    refuse("seq " + std::to_string(row.seq) + " is not below 2^63");
  }
  if (row.seq > 0) {
    const std::uint64_t last = last_seq();
    if (row.seq <= last) {
      refuse("seq " + std::to_string(row.seq) + " is not above the last one in the table, " + std::to_string(last));
    }
  }
  Run(insert_, "append to realised_lots")
      .bind(row.seq)
      .bind(row.account)
      .bind(row.symbol)
      .bind(std::int64_t{l.lot})
      .bind(std::int64_t{l.purchase})
      .bind(l.quantity)
      .bind(std::int64_t{l.acquired})
      .bind(std::int64_t{l.holding_from})
      .bind(std::int64_t{l.sold})
      .bind(l.proceeds)
      .bind(l.basis)
      .bind(l.gain)
      .bind(tax::to_string(l.term))
      .bind(l.wash_disallowed)
      .execute();
}

void RealisedTable::add_wash(const RealisedWash& wash) {
  const auto refuse = [&](const std::string& why) {
    throw StoreError("state file " + *path_ + ": refused a wash sale on realised line " + std::to_string(wash.seq) +
                         ": " + why,
                     SQLITE_CONSTRAINT);
  };
  if (!(std::isfinite(wash.add_disallowed) && wash.add_disallowed > 0)) {
    refuse("the loss disallowed must be a finite number > 0");
  }
  double gain = 0;
  double disallowed = 0;
  {
    Run r(loss_of_, "read realised_lots");
    // A seq of 2^63 or more reads back as a negative one: no line has it.
    if (wash.seq == 0 || !r.bind(wash.seq).step()) refuse("there is no such line");
    gain = r.real(0, kRealisedTable);
    disallowed = r.real(1, kRealisedTable);
  }
  if (!(gain < 0)) refuse("the line is not a loss (its gain is " + core::shortest(gain) + ")");
  const double loss = -gain;
  double total = disallowed + wash.add_disallowed;
  if (total > loss) {
    // Sums of shares of a loss may land a rounding above it: that much is the whole loss.
    if (total - loss > 1e-9 * loss + 1e-9) {
      refuse("the loss disallowed would be " + core::shortest(total) + ", more than the line's loss of " +
             core::shortest(loss));
    }
    total = loss;
  }
  Run(set_wash_, "update realised_lots").bind(wash.seq).bind(total).execute();
}

std::uint64_t RealisedTable::last_seq() const {
  Run r(last_seq_, "read realised_lots");
  if (!r.step()) return 0;
  const std::int64_t last = r.integer(0, kRealisedTable);
  if (last < 0) throw_corrupt(*path_, kRealisedTable, "seq", "holds " + std::to_string(last) + ", not > 0");
  return static_cast<std::uint64_t>(last);
}

void RealisedTable::for_each_of_year(int year, const std::function<void(const RealisedRow&)>& visit) const {
  RealisedRow row;
  Run r(of_year_, "read realised_lots");
  r.bind(std::int64_t{tax::day_of(year, 1, 1)}).bind(std::int64_t{tax::day_of(year + 1, 1, 1)});
  while (r.step()) {
    read_row(r, *path_, row);
    visit(row);
  }
}

std::vector<RealisedRow> RealisedTable::of_account(std::string_view account) const {
  std::vector<RealisedRow> out;
  Run r(of_account_, "read realised_lots");
  r.bind(account);
  while (r.step()) read_row(r, *path_, out.emplace_back());
  return out;
}

void RealisedTable::for_each_sold_since(tax::Day from, const std::function<void(const RealisedRow&)>& visit) const {
  RealisedRow row;
  Run r(sold_since_, "read realised_lots");
  r.bind(std::int64_t{from});
  while (r.step()) {
    read_row(r, *path_, row);
    visit(row);
  }
}

}  // namespace ballast::store::sql
