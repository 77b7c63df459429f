#include "fleet/lot_text.hpp"

#include <cstdint>
#include <cstdio>
#include <limits>

#include "core/time.hpp"
#include "core/wire_values.hpp"

namespace ballast::fleet {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

/// Splits `text` at `sep`: the part before it, and `text` left after it (empty when there is none).
std::string_view take(std::string_view& text, char sep, bool& found) {
  const std::size_t at = text.find(sep);
  found = at != std::string_view::npos;
  const std::string_view part = text.substr(0, at);
  text.remove_prefix(found ? at + 1 : text.size());
  return part;
}

/// Digits only, at most tax::LotId's largest value.
std::optional<tax::LotId> parse_lot_id(std::string_view text) {
  if (text.empty() || text.size() > 10) return std::nullopt;
  std::uint64_t n = 0;
  for (const char c : text) {
    if (!is_digit(c)) return std::nullopt;
    n = n * 10 + static_cast<unsigned>(c - '0');
  }
  if (n > std::numeric_limits<tax::LotId>::max()) return std::nullopt;
  return static_cast<tax::LotId>(n);
}

/// One lot's text into `lot`; an empty string, or what is wrong with it.
std::string parse_lot(std::string_view text, RecordLot& lot) {
  bool more = false;
  const std::string_view symbol = trim(take(text, ':', more));
  if (symbol.empty()) return "the symbol is empty (a lot is SYM:QTY@COST:YYYY-MM-DD)";
  if (!more) return "no quantity after the symbol (a lot is SYM:QTY@COST:YYYY-MM-DD)";
  const std::string_view amount = trim(take(text, ':', more));
  const std::size_t at = amount.find('@');
  if (at == std::string_view::npos) return "expected QTY@COST after the symbol, not " + quoted_for_message(amount);
  const std::string_view quantity = trim(amount.substr(0, at));
  const std::string_view cost = trim(amount.substr(at + 1));
  if (!core::parse_number_text(quantity, lot.quantity)) {
    return "the quantity " + quoted_for_message(quantity) + " is not a number";
  }
  if (!core::parse_number_text(cost, lot.cost_per_unit)) {
    return "the cost per unit " + quoted_for_message(cost) + " is not a number";
  }
  if (!more) return "no acquired date after the cost (a lot is SYM:QTY@COST:YYYY-MM-DD)";
  const std::string_view acquired = trim(take(text, ':', more));
  const std::optional<tax::Day> day = core::parse_day(acquired);
  if (!day) return "the acquired date " + quoted_for_message(acquired) + " is not a date YYYY-MM-DD";
  lot.symbol.assign(symbol);
  lot.acquired = *day;
  lot.holding_from = *day;
  lot.wash_adjustment_per_unit = 0;
  lot.id.reset();
  bool seen_from = false;
  bool seen_wash = false;
  bool seen_id = false;
  while (more) {
    const std::string_view extra = trim(take(text, ':', more));
    if (extra.starts_with("from=")) {
      const std::string_view value = trim(extra.substr(5));
      if (seen_from) return "from= is given twice";
      seen_from = true;
      const std::optional<tax::Day> from = core::parse_day(value);
      if (!from) return "the holding period start (from=) " + quoted_for_message(value) + " is not a date YYYY-MM-DD";
      lot.holding_from = *from;
    } else if (extra.starts_with("wash=")) {
      const std::string_view value = trim(extra.substr(5));
      if (seen_wash) return "wash= is given twice";
      seen_wash = true;
      if (!core::parse_number_text(value, lot.wash_adjustment_per_unit)) {
        return "the wash adjustment (wash=) " + quoted_for_message(value) + " is not a number";
      }
    } else if (extra.starts_with("id=")) {
      const std::string_view value = trim(extra.substr(3));
      if (seen_id) return "id= is given twice";
      seen_id = true;
      const std::optional<tax::LotId> id = parse_lot_id(value);
      if (!id) return "the lot id (id=) " + quoted_for_message(value) + " is not a whole number from 0 to 4294967295";
      lot.id = *id;
    } else {
      return "unexpected " + quoted_for_message(extra) +
             " after the date (only from=YYYY-MM-DD, wash=AMOUNT and id=N may follow)";
    }
  }
  return {};
}

}  // namespace

LotsCell parse_lots_cell(std::string_view cell) {
  LotsCell out;
  if (trim(cell).empty()) return out;
  std::size_t n = 0;
  bool more = true;
  while (more) {
    const std::string_view text = trim(take(cell, ';', more));
    ++n;
    RecordLot lot;
    std::string problem = text.empty() ? std::string(more ? "is empty" : "is empty (a ';' at the end?)")
                                       : parse_lot(text, lot);
    if (!problem.empty()) {
      out.errors.push_back("lot " + std::to_string(n) + (text.empty() ? " " : ": ") + problem);
      continue;
    }
    if (out.errors.empty()) out.lots.push_back(std::move(lot));
  }
  if (!out.errors.empty()) out.lots.clear();
  return out;
}

}  // namespace ballast::fleet
