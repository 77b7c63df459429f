#include "offline/tax_report.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <ostream>

#include "core/time.hpp"
#include "fleet/account_record.hpp"
#include "offline/csv_text.hpp"

namespace ballast::offline {
namespace {

/// Cents added to `sum`; false when the sum would not fit.
bool add_cents(std::int64_t& sum, std::int64_t cents) { return !__builtin_add_overflow(sum, cents, &sum); }

struct Totals {
  std::int64_t proceeds = 0, basis = 0, wash = 0, gain = 0;
  bool add(std::int64_t p, std::int64_t b, std::int64_t w, std::int64_t g) {
    return add_cents(proceeds, p) && add_cents(basis, b) && add_cents(wash, w) && add_cents(gain, g);
  }
};

/// One row of a 1099b section: the boxes as text.
using Row = std::array<std::string, 7>;
/// Columns 0..2 are text (left-aligned), 3..6 money (right-aligned).
constexpr std::size_t kFirstMoneyColumn = 3;
const Row kHeader{"1a description", "1b acquired", "1c sold", "1d proceeds", "1e cost basis", "1g wash sale",
                  "gain or loss"};

void write_row(std::ostream& out, const Row& row, const std::array<std::size_t, 7>& widths) {
  std::string line;
  for (std::size_t c = 0; c < row.size(); ++c) {
    if (c > 0) line += "  ";
    const std::string pad(widths[c] - row[c].size(), ' ');
    if (c < kFirstMoneyColumn) {
      line += row[c];
      line += pad;
    } else {
      line += pad;
      line += row[c];
    }
  }
  out << line << '\n';
}

/// A rate as a percentage, in at most six significant digits: 0.37 → "37%",
/// 0.238 → "23.8%" (not the 23.799999999999997 of 0.238 × 100).
std::string percent_text(double rate) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g%%", rate * 100);
  return buf;
}

}  // namespace

std::string_view to_string(TaxReportFormat format) {
  switch (format) {
    case TaxReportFormat::csv: return "csv";
    case TaxReportFormat::form_1099b: return "1099b";
  }
  std::abort();
}

std::optional<TaxReportFormat> parse_tax_report_format(std::string_view name) {
  if (name == "csv") return TaxReportFormat::csv;
  if (name == "1099b") return TaxReportFormat::form_1099b;
  return std::nullopt;
}

std::string_view tax_report_csv_header() {
  return "account,symbol,quantity,acquired,holding_from,sold,proceeds,basis,wash_disallowed,gain,term\n";
}

std::optional<std::int64_t> cents_of(double amount) {
  if (!std::isfinite(amount) || std::abs(amount) >= 1e16) return std::nullopt;
  // The shortest fixed digits that read back as `amount`: at most 16 integer
  // digits here, and fewer than 400 in all even for the smallest subnormal.
  char buf[400];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, std::abs(amount), std::chars_format::fixed);
  if (ec != std::errc{}) return std::nullopt;
  const std::string_view digits(buf, static_cast<std::size_t>(end - buf));
  const std::size_t point = digits.find('.');
  const std::string_view whole = digits.substr(0, point);
  const std::string_view fraction = point == std::string_view::npos ? std::string_view{} : digits.substr(point + 1);
  std::int64_t cents = 0;
  for (const char c : whole) cents = cents * 10 + (c - '0');
  for (std::size_t i = 0; i < 2; ++i) cents = cents * 10 + (i < fraction.size() ? fraction[i] - '0' : 0);
  // Half away from zero: the third decimal alone decides, as the digits are exact.
  if (fraction.size() > 2 && fraction[2] >= '5') ++cents;
  return amount < 0 ? -cents : cents;
}

std::string cents_text(std::int64_t cents) {
  // In unsigned arithmetic, so that the most negative value has a magnitude.
  const std::uint64_t magnitude = cents < 0 ? 0 - static_cast<std::uint64_t>(cents) : static_cast<std::uint64_t>(cents);
  std::string fraction = std::to_string(magnitude % 100);
  if (fraction.size() < 2) fraction.insert(0, 1, '0');
  return (cents < 0 ? "-" : "") + std::to_string(magnitude / 100) + "." + fraction;
}

TaxReportWriter::TaxReportWriter(std::ostream& out, TaxReportFormat format, int year)
    : out_(out), format_(format), year_(year) {}

std::string TaxReportWriter::add(std::string_view account, std::string_view symbol, const tax::RealisedLine& line,
                                 const std::optional<tax::TaxRates>& rates) {
  if (lines_ > 0 && account < account_) {
    return "account " + fleet::quoted_for_message(account) + " comes after " + fleet::quoted_for_message(account_) +
           ": the lines are not grouped by account in ascending order";
  }
  if (format_ == TaxReportFormat::csv) {
    if (lines_ == 0) out_ << tax_report_csv_header();
    std::string row;
    append_csv_field(row, account);
    row += ',';
    append_csv_field(row, symbol);
    row += ',';
    append_csv_number(row, line.quantity);
    row += ',';
    row += core::format_day(line.acquired);
    row += ',';
    row += core::format_day(line.holding_from);
    row += ',';
    row += core::format_day(line.sold);
    row += ',';
    append_csv_number(row, line.proceeds);
    row += ',';
    append_csv_number(row, line.basis);
    row += ',';
    append_csv_number(row, line.wash_disallowed);
    row += ',';
    append_csv_number(row, line.reported_gain());
    row += ',';
    row += tax::to_string(line.term);
    row += '\n';
    out_ << row;
    account_ = account;
    ++lines_;
    return {};
  }

  if (lines_ > 0 && account != account_) {
    if (std::string e = flush_account(); !e.empty()) return e;
  }
  if (lines_ == 0) out_ << "Form 1099-B: proceeds from broker transactions, tax year " << year_ << "\n";
  account_ = account;
  rates_ = rates;
  Held held{std::string(symbol), line};
  const auto proceeds = cents_of(line.proceeds), basis = cents_of(line.basis), wash = cents_of(line.wash_disallowed);
  if (!proceeds || !basis || !wash) {
    return "account " + fleet::quoted_for_message(account) + ", " + fleet::quoted_for_message(symbol) + " sold " +
           core::format_day(line.sold) + ": an amount does not fit in cents";
  }
  held.proceeds = *proceeds;
  held.basis = *basis;
  held.wash = *wash;
  held_.push_back(std::move(held));
  ++lines_;
  return {};
}

std::string TaxReportWriter::flush_account() {
  std::string error;
  std::int64_t estimated_tax = 0;  // cents: the sum of the sections' estimates
  bool written = false;
  for (const tax::Term term : {tax::Term::short_term, tax::Term::long_term}) {
    std::vector<Row> rows{kHeader};
    Totals totals;
    for (const Held& h : held_) {
      if (h.line.term != term) continue;
      std::int64_t gain = h.proceeds;
      if (__builtin_sub_overflow(gain, h.basis, &gain) || !add_cents(gain, h.wash) ||
          !totals.add(h.proceeds, h.basis, h.wash, gain)) {
        error = "account " + fleet::quoted_for_message(account_) + ": its " + std::string(tax::to_string(term)) +
                " totals do not fit in cents";
        break;
      }
      std::string description;
      append_csv_number(description, h.line.quantity);
      description += ' ';
      description += h.symbol;
      rows.push_back({std::move(description), core::format_day(h.line.holding_from), core::format_day(h.line.sold),
                      cents_text(h.proceeds), cents_text(h.basis), cents_text(h.wash), cents_text(gain)});
    }
    if (!error.empty()) break;
    if (rows.size() == 1) continue;  // no lines of this term
    const char* name = term == tax::Term::short_term ? "Short-term" : "Long-term";
    rows.push_back({std::string("Total ") + (term == tax::Term::short_term ? "short-term" : "long-term"), "", "",
                    cents_text(totals.proceeds), cents_text(totals.basis), cents_text(totals.wash),
                    cents_text(totals.gain)});
    if (rates_) {
      // Of the printed total, so that the estimate follows from what the page shows.
      const auto tax = cents_of(rates_->tax_on(static_cast<double>(totals.gain) / 100, term));
      if (!tax || !add_cents(estimated_tax, *tax)) {
        error = "account " + fleet::quoted_for_message(account_) + ": its estimated tax does not fit in cents";
        break;
      }
      rows.push_back({"Estimated tax at " + percent_text(rates_->of(term)), "", "", "", "", "", cents_text(*tax)});
    }
    std::array<std::size_t, 7> widths{};
    for (const Row& r : rows) {
      for (std::size_t c = 0; c < r.size(); ++c) widths[c] = std::max(widths[c], r[c].size());
    }
    out_ << "\nAccount " << account_ << ", " << name << "\n";
    for (const Row& r : rows) write_row(out_, r, widths);
    written = true;
  }
  if (error.empty() && rates_ && written) {
    out_ << "\nAccount " << account_ << ", estimated tax: " << cents_text(estimated_tax) << "\n";
  }
  held_.clear();
  return error;
}

std::string TaxReportWriter::finish() {
  if (lines_ == 0) {
    if (format_ == TaxReportFormat::csv) {
      out_ << tax_report_csv_header();
    } else {
      out_ << "no sales in " << year_ << "\n";
    }
    return {};
  }
  return format_ == TaxReportFormat::form_1099b ? flush_account() : std::string{};
}

}  // namespace ballast::offline
