#pragma once
// The import formats of the account book, parsed from text (no file I/O):
//
// CSV: a header line, then one account per line. Columns id, model and cash
// are required; household, band_multiplier, cash_target and restricted
// (symbols separated by ';'), lots (fleet/lot_text.hpp) and lot_method
// (fifo, hifo or min_tax; empty: fifo) are optional; every other column is a
// symbol, its cell the quantity held (empty: none). Fields may be quoted
// ("a,b", "" for a quote) but end on their line.
//
// JSON lines: one object per line, {"id":"a1","model":"balanced","cash":1000,
// "holdings":{"VTI":10},"household":"h1","restricted":["VTI"],
// "cash_target":0.02,"band_multiplier":1.5,"lots":[...],"lot_method":"hifo"}
// (lots as fleet/lot_json.hpp reads them); id, model and cash required,
// unknown keys refused, null for an optional key means absent.
//
// Blank lines are skipped in both. Every problem is reported with its line,
// and its column where one field is at fault; a file is read to its end
// whatever it holds, within the caps of ImportLimits.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fleet/account_record.hpp"

namespace ballast::fleet {

enum class AccountFormat { csv, json_lines };

/// The format a file name says: .csv, or .jsonl / .ndjson (any letter case); nullopt for any other name.
std::optional<AccountFormat> format_from_name(std::string_view path);
/// For a name that says nothing: JSON lines when the first non-blank character is '{', CSV otherwise.
AccountFormat sniff_format(std::string_view text);

/// Caps that keep a hostile file from taking unbounded memory or time per line.
struct ImportLimits {
  std::size_t max_line_bytes = 1 << 20;  ///< a longer line is an error (and skipped)
  std::size_t max_fields = 4096;         ///< CSV columns; JSON keys, holdings and restricted symbols of one line
  std::size_t max_records = 10'000'000;  ///< account lines in one file; reading stops past it
  std::size_t max_errors = 1000;         ///< errors kept; more are only counted
};

struct ImportError {
  std::size_t line = 0;    ///< 1-based
  std::size_t column = 0;  ///< 1-based byte in the line; 0 when the line as a whole is at fault
  std::string message;
  bool operator==(const ImportError&) const = default;
};

/// Reads the accounts of a text one at a time, so that a million of them need
/// not be held at once. Lines with a problem are reported and skipped.
class AccountReader {
 public:
  /// `text` must outlive the reader. With a catalog, each record is also
  /// checked (check_account) and a record with a problem is not returned.
  AccountReader(std::string_view text, AccountFormat format, const ModelCatalog* catalog = nullptr,
                ImportLimits limits = {});
  ~AccountReader();
  AccountReader(const AccountReader&) = delete;
  AccountReader& operator=(const AccountReader&) = delete;

  /// The next good record into `out` (reusing its storage); false at the end.
  bool next(AccountRecord& out);
  /// The 1-based line of the record next() returned last.
  std::size_t line() const;
  /// Account lines read so far, good or bad (not the header, not blank lines).
  std::size_t rows() const;
  /// Records a problem the caller found in a record (a duplicate of one in the
  /// book, say) under the same cap as the reader's own.
  void add_error(std::size_t line, std::size_t column, std::string message);
  /// The problems found so far, in line order, at most ImportLimits::max_errors.
  const std::vector<ImportError>& errors() const;
  /// Problems found beyond max_errors: counted, not kept.
  std::size_t errors_not_kept() const;
  std::size_t error_count() const { return errors().size() + errors_not_kept(); }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct ImportResult {
  std::vector<AccountRecord> records;  ///< the good records, in file order
  std::vector<ImportError> errors;     ///< at most max_errors
  std::size_t errors_not_kept = 0;
  std::size_t rows = 0;  ///< account lines read, good or bad
};

/// The whole text at once (see AccountReader).
ImportResult parse_accounts(std::string_view text, AccountFormat format, const ModelCatalog* catalog = nullptr,
                            ImportLimits limits = {});

/// One account on its own (a request body, a file of one account): the JSON
/// lines format, with line breaks allowed between tokens. The record, or
/// every problem without line or column; a problem found by check_account
/// starts with its field ("holdings: ..."). With a catalog the record is
/// checked against it, without one only its shape (check_account_shape).
struct AccountObject {
  std::optional<AccountRecord> record;
  std::vector<std::string> problems;
};
AccountObject parse_account_object(std::string_view text, const ModelCatalog* catalog = nullptr,
                                   ImportLimits limits = {});

}  // namespace ballast::fleet
