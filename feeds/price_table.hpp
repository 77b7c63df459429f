#pragma once
// Historical prices from a CSV file (SPEC §7): the input of `ballast backtest`
// and `ballast feed replay`.
//
// Accepted forms (header names are case-insensitive, fields may be quoted):
//   wide:  date,SYM1,SYM2,...   one row per time, one price per symbol
//          ts,SYM1,SYM2,...
//   long:  ts,symbol,price      one row per price; rows with the same time are
//          date,symbol,price    grouped into one row of the table
// Time columns: `date`/`datetime` hold ISO-8601 dates or date-times;
// `ts`/`timestamp`/`time` hold epoch seconds (fractions allowed) or ISO-8601.
// An empty cell (or NA, N/A, NaN, null) in the wide form means "no price then".
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"

namespace ballast::feeds {

struct PriceTable {
  std::vector<std::string> symbols;
  /// Strictly increasing.
  std::vector<core::TimeNs> times;
  /// Row-major times × symbols; NaN where a symbol has no price at that time.
  std::vector<double> prices;

  std::size_t rows() const { return times.size(); }
  std::size_t cols() const { return symbols.size(); }
  double at(std::size_t row, std::size_t col) const { return prices[row * symbols.size() + col]; }
};

struct PriceTableResult {
  PriceTable table;  ///< complete only when ok()
  /// "name:line: what is wrong", in file order; at most a few dozen, the last
  /// one saying how many more were found.
  std::vector<std::string> errors;
  bool ok() const { return errors.empty(); }
};

/// Parses CSV text; `name` prefixes every error (usually the file's path). Never throws.
PriceTableResult parse_price_table(std::string_view text, std::string_view name);
/// Reads and parses a file; an unreadable file is an error in the result. Never throws.
PriceTableResult load_price_table(const std::string& path);

}  // namespace ballast::feeds
