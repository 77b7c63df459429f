#include "store/realised_table.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>

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

namespace {

constexpr std::string_view kTable = "realised_lots";
constexpr const char* kColumns =
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
  const std::int64_t v = r.integer(col, kTable);
  if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max()) {
    throw_corrupt(path, kTable, column, "holds " + std::to_string(v) + ", out of range");
  }
  return static_cast<T>(v);
}

void read_row(const Run& r, const std::string& path, RealisedRow& out) {
  out.account = r.text(0, kTable);
  out.symbol = r.text(1, kTable);
  tax::RealisedLine& l = out.line;
  l.lot = narrow<tax::LotId>(r, 2, path, "lot");
  l.purchase = narrow<tax::LotId>(r, 3, path, "purchase");
  l.quantity = r.real(4, kTable);
  l.acquired = narrow<tax::Day>(r, 5, path, "acquired");
  l.holding_from = narrow<tax::Day>(r, 6, path, "holding_from");
  l.sold = narrow<tax::Day>(r, 7, path, "sold");
  l.proceeds = r.real(8, kTable);
  l.basis = r.real(9, kTable);
  l.gain = r.real(10, kTable);
  l.term = r.word<tax::Term>(11, kTable, parse_term);
  l.wash_disallowed = r.real(12, kTable);
}

}  // namespace

void RealisedTable::prepare(sqlite3* db, const std::string* path) {
  path_ = path;
  const auto make = [&](const std::string& text) { return Statement(db, path, text, true); };
  insert_ = make(std::string("INSERT INTO realised_lots (") + kColumns +
                 ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
  of_year_ = make(std::string("SELECT ") + kColumns +
                  " FROM realised_lots WHERE sold >= ?1 AND sold < ?2 ORDER BY account, seq");
  of_account_ = make(std::string("SELECT ") + kColumns + " FROM realised_lots WHERE account = ?1 ORDER BY seq");
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
  Run(insert_, "append to realised_lots")
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

}  // namespace ballast::store::sql
