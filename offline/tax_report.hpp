#pragma once
// What `ballast tax report` prints: the realised lines of one tax year (one
// line per lot a sale closed, tax::RealisedLine), account by account, in one
// of two formats. Pure: text onto a stream, the lines handed in one at a time
// so that a year of a million accounts is never held at once.
//
// csv: a header and one row per line, nothing else:
//   account,symbol,quantity,acquired,holding_from,sold,proceeds,basis,wash_disallowed,gain,term
// Numbers are the stored doubles in the shortest digits that read back as
// the same double (as the orders CSV writes them): no rounding, so basis with
// fractions of a cent survives. gain is the reported gain, gain +
// wash_disallowed; term is short_term or long_term.
//
// 1099b: fixed-width text as a broker's Form 1099-B shows the lines: per
// account, a short-term and then a long-term section (a term without lines is
// left out), each line with boxes 1a (quantity and symbol), 1b (holding_from:
// the date acquired that the term follows), 1c, 1d, 1e, 1g and the gain or
// loss, then the section's total line (Schedule D's sums). Money is in cents,
// each amount rounded half away from zero from its shortest decimal digits
// (2.675 → 2.68); the gain is 1d − 1e + 1g of the rounded boxes, as Form
// 8949's column (h), and the totals are sums of the rounded lines, so every
// printed figure adds up. For an account whose model has tax rates, each
// total line is followed by the tax estimated on it ("Estimated tax at 37%":
// the total's gain × the term's rate, rounded as the boxes are; a loss's is
// negative, what it saves), and the account's sections by the sum of those.
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tax/lots.hpp"
#include "tax/tax_rates.hpp"

namespace ballast::offline {

enum class TaxReportFormat : std::uint8_t { csv, form_1099b };
/// "csv", "1099b".
std::string_view to_string(TaxReportFormat format);
/// The inverse of to_string; nullopt for any other name.
std::optional<TaxReportFormat> parse_tax_report_format(std::string_view name);

/// The csv format's header line, '\n' included.
std::string_view tax_report_csv_header();

/// An amount in whole cents, rounded half away from zero from its shortest
/// decimal digits; nullopt when it is not finite or its size is 1e16 or more
/// (no sum of such lines fits the cents' 64 bits).
std::optional<std::int64_t> cents_of(double amount);
/// Cents as a decimal amount: -123456 → "-1234.56".
std::string cents_text(std::int64_t cents);

/// Writes one tax year's report to `out` as lines are added. Lines must come
/// grouped by account, accounts in ascending byte order (as
/// store::StateStore::for_each_realised visits them); the 1099b format holds
/// one account's lines until the next account starts.
class TaxReportWriter {
 public:
  TaxReportWriter(std::ostream& out, TaxReportFormat format, int year);

  /// Empty, or why the line cannot be written (an account out of order, an
  /// amount that does not fit in cents, totals that overflow): the report is
  /// then incomplete and must not be used. `rates`: those of the account's
  /// model, when it has them (the same for each line of an account); the
  /// 1099b format estimates the account's tax by them, the csv ignores them.
  std::string add(std::string_view account, std::string_view symbol, const tax::RealisedLine& line,
                  const std::optional<tax::TaxRates>& rates = std::nullopt);
  /// Writes what is held: the last account's sections, or the csv header /
  /// the 1099b "no sales" line when no line was added. Call once, at the end.
  /// Empty, or why the last account could not be written.
  std::string finish();

  /// How many lines were added.
  std::size_t lines() const { return lines_; }

 private:
  struct Held {
    std::string symbol;
    tax::RealisedLine line;
    std::int64_t proceeds = 0, basis = 0, wash = 0;  ///< cents
  };
  std::string flush_account();

  std::ostream& out_;
  TaxReportFormat format_;
  int year_;
  std::size_t lines_ = 0;
  std::string account_;  ///< the account being written; empty before the first line
  std::vector<Held> held_;  ///< 1099b: the current account's lines
  std::optional<tax::TaxRates> rates_;  ///< 1099b: the current account's
};

}  // namespace ballast::offline
