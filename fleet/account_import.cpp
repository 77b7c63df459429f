#include "fleet/account_import.hpp"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <unordered_map>
#include <utility>

#include "core/wire_values.hpp"
#include "fleet/lot_json.hpp"
#include "fleet/lot_text.hpp"

namespace ballast::fleet {

namespace od = simdjson::ondemand;

namespace {

constexpr std::size_t kFieldCount = 10;  // the AccountField values
constexpr std::string_view kJsonKeys =
    "id, model, cash, holdings, household, restricted, cash_target, band_multiplier, lots, lot_method";

/// A lot_method that names no method. `specific` does name one: check_account refuses it, saying why.
std::string bad_lot_method(std::string_view text) {
  return "lot_method " + quoted_for_message(text) + " is not fifo, hifo or min_tax";
}

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool blank(std::string_view s) { return std::all_of(s.begin(), s.end(), [](char c) { return is_space(c); }); }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::optional<AccountField> fixed_column(std::string_view name) {
  for (std::size_t f = 0; f < kFieldCount; ++f) {
    const auto field = static_cast<AccountField>(f);
    if (field != AccountField::holdings && to_string(field) == name) return field;
  }
  return std::nullopt;
}

/// The problems of one line, put in column order before they are reported.
struct LineErrors {
  std::vector<ImportError> list;
  std::array<bool, kFieldCount> failed{};  ///< a field that did not parse: check_account says nothing of it
  bool unreadable = false;  ///< the line as a whole could not be read: its one error is all there is to say
  void whole_line(std::size_t line, std::string message) {
    list.clear();
    unreadable = true;
    add(line, 0, std::move(message));
  }
  void add(std::size_t line, std::size_t column, std::string message) {
    list.push_back(ImportError{line, column, std::move(message)});
  }
  void field(AccountField f, std::size_t line, std::size_t column, std::string message) {
    failed[static_cast<std::size_t>(f)] = true;
    add(line, column, std::move(message));
  }
  bool any() const { return !list.empty(); }
};

}  // namespace

std::optional<AccountFormat> format_from_name(std::string_view path) {
  const std::size_t slash = path.find_last_of('/');
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const std::size_t dot = name.find_last_of('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const std::string ext = lower(name.substr(dot + 1));
  if (ext == "csv") return AccountFormat::csv;
  if (ext == "jsonl" || ext == "ndjson") return AccountFormat::json_lines;
  return std::nullopt;
}

AccountFormat sniff_format(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  for (const char c : text) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    return c == '{' ? AccountFormat::json_lines : AccountFormat::csv;
  }
  return AccountFormat::csv;
}

// ------------------------------------------------------------------ the reader

struct AccountReader::Impl {
  Impl(std::string_view t, AccountFormat f, const ModelCatalog* c, ImportLimits l)
      : text(t), format(f), catalog(c), limits(l) {
    if (text.starts_with("\xEF\xBB\xBF")) {
      text.remove_prefix(3);
      bom = 3;
    }
  }

  std::string_view text;
  AccountFormat format;
  const ModelCatalog* catalog;
  ImportLimits limits;
  std::size_t bom = 0;  ///< bytes of a byte-order mark before line 1, for its columns

  std::size_t pos = 0;      ///< the next byte of `text` to read
  std::size_t line_no = 0;  ///< the line last taken
  std::size_t record_line = 0;
  std::size_t rows = 0;
  bool done = false;
  std::vector<ImportError> errors;
  std::size_t errors_not_kept = 0;
  std::unordered_map<std::string, std::size_t> first_line_of;  ///< account id → its line: repeats are errors

  // CSV: the header's columns.
  struct Column {
    std::string name;
    std::optional<AccountField> field;  ///< nullopt: a symbol
    std::size_t column = 0;             ///< in the header line, for messages
    bool usable = true;                 ///< false: a symbol no model holds (reported once, at the header)
  };
  bool header_read = false;
  std::vector<Column> columns;
  std::array<std::optional<std::size_t>, kFieldCount> column_of_field{};  ///< index into columns
  struct Cell {
    std::size_t column = 0;  ///< 1-based byte of the line where the field starts
    std::string_view text;   ///< trimmed; into the line or into `unescaped`
  };
  std::vector<Cell> cells;
  std::string unescaped;  ///< quoted fields without their quotes; reserved per line so views stay valid

  // JSON lines.
  od::parser parser;
  std::unique_ptr<char[]> buffer;  ///< a line and simdjson's padding

  void error(std::size_t line, std::size_t column, std::string message) {
    if (errors.size() < limits.max_errors) {
      errors.push_back(ImportError{line, column, std::move(message)});
    } else {
      ++errors_not_kept;
    }
  }

  void report(LineErrors& e) {
    std::stable_sort(e.list.begin(), e.list.end(),
                     [](const ImportError& a, const ImportError& b) { return a.column < b.column; });
    for (ImportError& x : e.list) error(x.line, x.column, std::move(x.message));
  }

  enum class Take { line, too_long, end };

  /// The next line that is not blank, without its line break.
  Take next_line(std::string_view& out) {
    while (pos < text.size()) {
      const std::size_t end = text.find('\n', pos);
      const std::size_t stop = end == std::string_view::npos ? text.size() : end;
      std::string_view line = text.substr(pos, stop - pos);
      pos = end == std::string_view::npos ? text.size() : end + 1;
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.size() > limits.max_line_bytes) {
        error(line_no, 0,
              "the line is " + std::to_string(line.size()) + " bytes long; at most " +
                  std::to_string(limits.max_line_bytes) + " are read");
        return Take::too_long;
      }
      if (blank(line)) continue;
      out = line;
      return Take::line;
    }
    return Take::end;
  }

  /// Counts an account line; false (reported) past max_records: reading stops.
  bool count_row() {
    if (rows == limits.max_records) {
      error(line_no, 0, "more than " + std::to_string(limits.max_records) + " accounts in one file; the rest is not read");
      done = true;
      return false;
    }
    ++rows;
    return true;
  }

  bool next(AccountRecord& out) {
    while (!done) {
      std::string_view line;
      const Take take = next_line(line);
      if (take == Take::end) {
        if (format == AccountFormat::csv && !header_read) error(line_no == 0 ? 1 : line_no, 0, "no header line: the file is empty");
        done = true;
        break;
      }
      if (format == AccountFormat::csv && !header_read) {
        // Without its header no row can be read.
        if (take == Take::too_long || !read_header(line)) done = true;
        continue;
      }
      if (!count_row() || take == Take::too_long) continue;
      LineErrors e;
      clear(out);
      if (format == AccountFormat::csv) {
        read_csv_row(line, out, e);
      } else {
        read_json_line(line, out, e);
      }
      if (!e.unreadable) finish(out, e);
      if (!e.any()) {
        record_line = line_no;
        return true;
      }
      report(e);
    }
    return false;
  }

  static void clear(AccountRecord& r) {
    r.id.clear();
    r.model.clear();
    r.cash = 0;
    r.holdings.clear();
    r.household.clear();
    r.restricted.clear();
    r.cash_target.reset();
    r.band_multiplier = 1;
    r.lots.clear();
    r.lot_method = tax::CloseMethod::fifo;
  }

  /// Where a problem of check_account points: its field's cell in a CSV row.
  std::size_t column_of(const AccountProblem& p) const {
    if (format != AccountFormat::csv || cells.size() != columns.size()) return 0;
    if (p.field == AccountField::holdings) {
      for (std::size_t i = 0; i < columns.size(); ++i) {
        if (!columns[i].field && columns[i].name == p.symbol) return cells[i].column;
      }
      return 0;
    }
    const auto& i = column_of_field[static_cast<std::size_t>(p.field)];
    return i ? cells[*i].column : 0;
  }

  /// The checks every record gets: repeated ids, and the catalog's when there is one.
  void finish(AccountRecord& r, LineErrors& e) {
    normalize(r);
    if (!e.failed[static_cast<std::size_t>(AccountField::id)] && valid_account_id(r.id)) {
      const auto [it, fresh] = first_line_of.try_emplace(r.id, line_no);
      if (!fresh) {
        e.add(line_no, column_of(AccountProblem{AccountField::id, {}, {}}),
              "account id " + quoted_for_message(r.id) + " is given twice (first on line " +
                  std::to_string(it->second) + ")");
      }
    }
    if (!catalog) return;
    for (AccountProblem& p : check_account(r, *catalog)) {
      if (e.failed[static_cast<std::size_t>(p.field)]) continue;
      e.add(line_no, column_of(p), std::move(p.message));
    }
  }

  // -------------------------------------------------------------- CSV

  /// Splits a line into cells; false (reported) for a broken quote or too many fields.
  bool split(std::string_view line, LineErrors& e) {
    cells.clear();
    unescaped.clear();
    unescaped.reserve(line.size());
    const std::size_t shift = line_no == 1 ? bom : 0;
    std::size_t p = 0;
    while (true) {
      if (cells.size() == limits.max_fields) {
        e.whole_line(line_no, "more than " + std::to_string(limits.max_fields) + " fields in one line");
        return false;
      }
      std::size_t q = p;
      while (q < line.size() && is_space(line[q])) ++q;
      if (q < line.size() && line[q] == '"') {
        const std::size_t open = q;
        const std::size_t from = unescaped.size();
        ++q;
        while (true) {
          const std::size_t close = line.find('"', q);
          if (close == std::string_view::npos) {
            e.whole_line(line_no, "a quoted field (column " + std::to_string(open + 1 + shift) +
                                      ") is not closed on its line");
            return false;
          }
          unescaped.append(line.substr(q, close - q));
          if (close + 1 < line.size() && line[close + 1] == '"') {
            unescaped.push_back('"');
            q = close + 2;
            continue;
          }
          q = close + 1;
          break;
        }
        while (q < line.size() && is_space(line[q])) ++q;
        if (q < line.size() && line[q] != ',') {
          e.whole_line(line_no, "text after the closing quote of a field (column " + std::to_string(q + 1 + shift) + ")");
          return false;
        }
        cells.push_back(Cell{open + 1 + shift, std::string_view(unescaped).substr(from)});
        p = q;
      } else {
        const std::size_t comma = line.find(',', p);
        const std::size_t end = comma == std::string_view::npos ? line.size() : comma;
        cells.push_back(Cell{p + 1 + shift, trim(line.substr(p, end - p))});
        p = end;
      }
      if (p >= line.size()) return true;
      ++p;  // past the comma; a comma at the end leaves one empty field
    }
  }

  bool read_header(std::string_view line) {
    header_read = true;
    LineErrors e;
    if (!split(line, e)) {
      report(e);
      return false;
    }
    std::unordered_map<std::string_view, std::size_t> seen;
    for (const Cell& c : cells) {
      Column col{std::string(c.text), fixed_column(c.text), c.column, true};
      if (col.name.empty()) {
        e.add(line_no, c.column, "a column has no name");
        continue;
      }
      if (const auto [it, fresh] = seen.try_emplace(c.text, c.column); !fresh) {
        e.add(line_no, c.column, "column " + quoted_for_message(c.text) + " is given twice");
        continue;
      }
      if (col.field) {
        column_of_field[static_cast<std::size_t>(*col.field)] = columns.size();
      } else if (catalog && std::none_of(catalog->begin(), catalog->end(),
                                         [&](const auto& m) { return m.second.contains(col.name); })) {
        e.add(line_no, c.column,
              "column " + quoted_for_message(c.text) +
                  " is neither an account column (id, model, cash, household, band_multiplier, cash_target, "
                  "restricted, lots, lot_method) nor a symbol of any model");
        col.usable = false;
      }
      columns.push_back(std::move(col));
    }
    for (const AccountField required : {AccountField::id, AccountField::model, AccountField::cash}) {
      if (!column_of_field[static_cast<std::size_t>(required)]) {
        e.add(line_no, 0, "the header has no " + std::string(to_string(required)) + " column");
      }
    }
    // A header with a problem reads no row: its columns cannot be trusted.
    const bool ok = !e.any();
    report(e);
    return ok;
  }

  void read_csv_row(std::string_view line, AccountRecord& r, LineErrors& e) {
    if (!split(line, e)) return;
    if (cells.size() != columns.size()) {
      e.whole_line(line_no, "the line has " + std::to_string(cells.size()) + " fields; the header has " +
                                std::to_string(columns.size()));
      return;
    }
    for (std::size_t i = 0; i < cells.size(); ++i) {
      const Column& col = columns[i];
      const Cell& cell = cells[i];
      if (!col.field) {
        if (cell.text.empty() || !col.usable) continue;
        double q = 0;
        if (!core::parse_number_text(cell.text, q)) {
          // Not added to the record: the checks say nothing more of it.
          e.add(line_no, cell.column,
                "the quantity of " + quoted_for_message(col.name) + ", " + quoted_for_message(cell.text) +
                    ", is not a number");
          continue;
        }
        if (q != 0) r.holdings.emplace_back(col.name, q);
        continue;
      }
      switch (*col.field) {
        case AccountField::id: r.id.assign(cell.text); break;
        case AccountField::model: r.model.assign(cell.text); break;
        case AccountField::household: r.household.assign(cell.text); break;
        case AccountField::cash:
          if (cell.text.empty()) {
            e.field(AccountField::cash, line_no, cell.column, "cash is empty (write 0 for none)");
          } else if (!core::parse_number_text(cell.text, r.cash)) {
            e.field(AccountField::cash, line_no, cell.column, "cash " + quoted_for_message(cell.text) + " is not a number");
          }
          break;
        case AccountField::band_multiplier:
          if (!cell.text.empty() && !core::parse_number_text(cell.text, r.band_multiplier)) {
            e.field(AccountField::band_multiplier, line_no, cell.column,
                    "band_multiplier " + quoted_for_message(cell.text) + " is not a number");
          }
          break;
        case AccountField::cash_target:
          if (!cell.text.empty()) {
            double t = 0;
            if (core::parse_number_text(cell.text, t)) {
              r.cash_target = t;
            } else {
              e.field(AccountField::cash_target, line_no, cell.column,
                      "cash_target " + quoted_for_message(cell.text) + " is not a number");
            }
          }
          break;
        case AccountField::restricted: {
          std::string_view rest = cell.text;
          while (!rest.empty()) {
            const std::size_t semi = rest.find(';');
            const std::string_view symbol = trim(rest.substr(0, semi));
            if (!symbol.empty()) r.restricted.emplace_back(symbol);
            if (semi == std::string_view::npos) break;
            rest.remove_prefix(semi + 1);
          }
          break;
        }
        case AccountField::lots: {
          LotsCell lots = parse_lots_cell(cell.text);
          for (std::string& message : lots.errors) {
            e.field(AccountField::lots, line_no, cell.column, "lots: " + std::move(message));
          }
          r.lots = std::move(lots.lots);
          break;
        }
        case AccountField::lot_method:
          if (cell.text.empty()) break;
          if (const auto method = tax::parse_close_method(cell.text)) {
            r.lot_method = *method;
          } else {
            e.field(AccountField::lot_method, line_no, cell.column, bad_lot_method(cell.text));
          }
          break;
        case AccountField::holdings: break;  // never a fixed column
      }
    }
  }

  // -------------------------------------------------------- JSON lines

  void read_json_line(std::string_view line, AccountRecord& r, LineErrors& e) {
    if (!buffer) buffer = std::make_unique<char[]>(limits.max_line_bytes + simdjson::SIMDJSON_PADDING);
    std::memcpy(buffer.get(), line.data(), line.size());
    std::memset(buffer.get() + line.size(), 0, simdjson::SIMDJSON_PADDING);
    const auto broken = [&](simdjson::error_code code) {
      e.whole_line(line_no, std::string("not valid JSON (") + simdjson::error_message(code) + ")");
    };
    od::document doc;
    if (const auto err = parser.iterate(buffer.get(), line.size(), limits.max_line_bytes + simdjson::SIMDJSON_PADDING)
                             .get(doc);
        err != simdjson::SUCCESS) {
      return broken(err);
    }
    od::object obj;
    if (const auto err = doc.get_object().get(obj); err != simdjson::SUCCESS) {
      if (err == simdjson::INCORRECT_TYPE) {
        e.whole_line(line_no, "the line is not a JSON object");
      } else {
        broken(err);
      }
      return;
    }
    std::array<bool, kFieldCount> seen{};
    std::size_t fields = 0;
    const auto too_many = [&] {
      if (++fields <= limits.max_fields) return false;
      e.whole_line(line_no,
                   "more than " + std::to_string(limits.max_fields) + " keys, holdings and restricted symbols in one line");
      return true;
    };
    for (auto member : obj) {
      od::field field;
      if (const auto err = std::move(member).get(field); err != simdjson::SUCCESS) return broken(err);
      std::string_view key;
      if (const auto err = field.unescaped_key().get(key); err != simdjson::SUCCESS) return broken(err);
      if (too_many()) return;
      const std::optional<AccountField> f =
          key == "holdings" ? std::optional<AccountField>(AccountField::holdings) : fixed_column(key);
      if (!f) {
        e.add(line_no, 0, "unknown key " + quoted_for_message(key) + " (the keys are " + std::string(kJsonKeys) + ")");
        continue;
      }
      if (seen[static_cast<std::size_t>(*f)]) {
        e.field(*f, line_no, 0, "key " + quoted_for_message(key) + " is given twice");
        continue;
      }
      seen[static_cast<std::size_t>(*f)] = true;
      od::value v = field.value();
      od::json_type type;
      if (const auto err = v.type().get(type); err != simdjson::SUCCESS) return broken(err);
      const bool required = *f == AccountField::id || *f == AccountField::model || *f == AccountField::cash;
      if (type == od::json_type::null && !required) continue;  // absent
      const auto wrong = [&](const char* expected) {
        e.field(*f, line_no, 0, std::string(to_string(*f)) + " must be " + expected);
      };
      switch (*f) {
        case AccountField::id:
        case AccountField::model:
        case AccountField::household: {
          std::string_view s;
          if (type != od::json_type::string) {
            wrong("a string");
            break;
          }
          if (const auto err = v.get_string().get(s); err != simdjson::SUCCESS) return broken(err);
          (*f == AccountField::id ? r.id : *f == AccountField::model ? r.model : r.household).assign(s);
          break;
        }
        case AccountField::cash:
        case AccountField::cash_target:
        case AccountField::band_multiplier: {
          if (type != od::json_type::number) {
            wrong("a number");
            break;
          }
          double x = 0;
          if (const auto err = v.get_double().get(x); err != simdjson::SUCCESS) {
            if (err != simdjson::NUMBER_ERROR) return broken(err);
            wrong("a number a double can hold");
            break;
          }
          if (*f == AccountField::cash) r.cash = x;
          else if (*f == AccountField::band_multiplier) r.band_multiplier = x;
          else r.cash_target = x;
          break;
        }
        case AccountField::holdings: {
          od::object h;
          if (type != od::json_type::object) {
            wrong("an object of symbol: quantity");
            break;
          }
          if (const auto err = v.get_object().get(h); err != simdjson::SUCCESS) return broken(err);
          for (auto entry : h) {
            od::field holding;
            if (const auto err = std::move(entry).get(holding); err != simdjson::SUCCESS) return broken(err);
            std::string_view symbol;
            if (const auto err = holding.unescaped_key().get(symbol); err != simdjson::SUCCESS) return broken(err);
            if (too_many()) return;
            od::value q = holding.value();
            od::json_type qt;
            if (const auto err = q.type().get(qt); err != simdjson::SUCCESS) return broken(err);
            double x = 0;
            if (qt != od::json_type::number) {
              e.add(line_no, 0, "the quantity of " + quoted_for_message(symbol) + " must be a number");
              continue;
            }
            if (const auto err = q.get_double().get(x); err != simdjson::SUCCESS) {
              if (err != simdjson::NUMBER_ERROR) return broken(err);
              e.add(line_no, 0, "the quantity of " + quoted_for_message(symbol) + " must be a number a double can hold");
              continue;
            }
            if (x != 0) r.holdings.emplace_back(std::string(symbol), x);
          }
          break;
        }
        case AccountField::restricted: {
          od::array a;
          if (type != od::json_type::array) {
            wrong("an array of symbols");
            break;
          }
          if (const auto err = v.get_array().get(a); err != simdjson::SUCCESS) return broken(err);
          for (auto item : a) {
            od::value s;
            if (const auto err = std::move(item).get(s); err != simdjson::SUCCESS) return broken(err);
            if (too_many()) return;
            od::json_type st;
            if (const auto err = s.type().get(st); err != simdjson::SUCCESS) return broken(err);
            std::string_view symbol;
            if (st != od::json_type::string) {
              e.add(line_no, 0, "restricted must hold strings (symbols)");
              continue;
            }
            if (const auto err = s.get_string().get(symbol); err != simdjson::SUCCESS) return broken(err);
            if (!symbol.empty()) r.restricted.emplace_back(symbol);
          }
          break;
        }
        case AccountField::lots: {
          LotsJson lots = read_lots_json(v);
          if (lots.broken != simdjson::SUCCESS) return broken(lots.broken);
          for (std::string& message : lots.problems) e.field(AccountField::lots, line_no, 0, "lots: " + std::move(message));
          r.lots = std::move(lots.lots);
          break;
        }
        case AccountField::lot_method: {
          std::string_view s;
          if (type != od::json_type::string) {
            wrong("a string (fifo, hifo or min_tax)");
            break;
          }
          if (const auto err = v.get_string().get(s); err != simdjson::SUCCESS) return broken(err);
          if (const auto method = tax::parse_close_method(s)) {
            r.lot_method = *method;
          } else {
            e.field(AccountField::lot_method, line_no, 0, bad_lot_method(s));
          }
          break;
        }
      }
    }
    // `{...} {...}` or `{...} 1` parse as one object followed by more input.
    if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) {
      e.whole_line(line_no, "trailing content after the object");
      return;
    }
    for (const AccountField required : {AccountField::id, AccountField::model, AccountField::cash}) {
      if (!seen[static_cast<std::size_t>(required)]) {
        e.field(required, line_no, 0, "key \"" + std::string(to_string(required)) + "\" is missing");
      }
    }
  }
};

AccountReader::AccountReader(std::string_view text, AccountFormat format, const ModelCatalog* catalog,
                             ImportLimits limits)
    : impl_(std::make_unique<Impl>(text, format, catalog, limits)) {}
AccountReader::~AccountReader() = default;

bool AccountReader::next(AccountRecord& out) { return impl_->next(out); }
std::size_t AccountReader::line() const { return impl_->record_line; }
std::size_t AccountReader::rows() const { return impl_->rows; }
void AccountReader::add_error(std::size_t line, std::size_t column, std::string message) {
  impl_->error(line, column, std::move(message));
}
const std::vector<ImportError>& AccountReader::errors() const { return impl_->errors; }
std::size_t AccountReader::errors_not_kept() const { return impl_->errors_not_kept; }

ImportResult parse_accounts(std::string_view text, AccountFormat format, const ModelCatalog* catalog,
                            ImportLimits limits) {
  ImportResult result;
  AccountReader reader(text, format, catalog, limits);
  AccountRecord record;
  while (reader.next(record)) result.records.push_back(record);
  result.errors = reader.errors();
  result.errors_not_kept = reader.errors_not_kept();
  result.rows = reader.rows();
  return result;
}

AccountObject parse_account_object(std::string_view text, const ModelCatalog* catalog, ImportLimits limits) {
  AccountObject result;
  // One line for the reader: a line break is whitespace between JSON tokens,
  // and never valid inside a string.
  std::string flat(text);
  std::replace_if(flat.begin(), flat.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  const std::size_t first = flat.find_first_not_of(" \t");
  if (first == std::string::npos || flat[first] != '{') {
    result.problems.emplace_back(
        "expected one account as a JSON object, such as {\"id\":\"a1\",\"model\":\"balanced\",\"cash\":1000}");
    return result;
  }
  // The reader's line buffer need not be larger than the text.
  limits.max_line_bytes = std::min(limits.max_line_bytes, flat.size());
  AccountReader reader(flat, AccountFormat::json_lines, nullptr, limits);
  AccountRecord record;
  if (!reader.next(record)) {
    for (const ImportError& e : reader.errors()) result.problems.push_back(e.message);
    if (result.problems.empty()) result.problems.emplace_back("no account in the text");
    return result;
  }
  for (AccountProblem& p : catalog ? check_account(record, *catalog) : check_account_shape(record)) {
    result.problems.push_back(std::string(to_string(p.field)) + ": " + p.message);
  }
  if (result.problems.empty()) result.record = std::move(record);
  return result;
}

}  // namespace ballast::fleet
