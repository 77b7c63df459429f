#include "feeds/price_table.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <unordered_map>
#include <utility>

#include "core/numbers.hpp"

namespace ballast::feeds {
namespace {

// Enough to show a pattern in a broken file without burying the first problem.
constexpr std::size_t kMaxErrors = 50;
using core::kNaN;

enum class TimeKind { iso, epoch_or_iso };

class Errors {
 public:
  Errors(std::string_view name, std::vector<std::string>& out) : name_(name), out_(out) {}

  void add(std::size_t line, const std::string& message) {
    if (out_.size() < kMaxErrors) {
      out_.push_back(std::string(name_) + ":" + std::to_string(line) + ": " + message);
    } else {
      ++dropped_;
    }
  }
  void add_fileless(const std::string& message) { out_.push_back(std::string(name_) + ": " + message); }
  void finish() {
    if (dropped_ > 0) add_fileless(std::to_string(dropped_) + " more errors not shown");
  }

 private:
  std::string_view name_;
  std::vector<std::string>& out_;
  std::size_t dropped_ = 0;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// Splits one CSV line; double-quoted fields may hold commas and "" for a quote.
/// nullopt when a quote is left open (fields never span lines here).
std::optional<std::vector<std::string>> split_csv(std::string_view line) {
  std::vector<std::string> fields;
  std::size_t i = 0;
  while (true) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    std::string field;
    if (i < line.size() && line[i] == '"') {
      ++i;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        field.push_back(line[i++]);
      }
      if (!closed) return std::nullopt;
      while (i < line.size() && line[i] != ',') {
        if (line[i] != ' ' && line[i] != '\t') return std::nullopt;
        ++i;
      }
    } else {
      const std::size_t start = i;
      while (i < line.size() && line[i] != ',') ++i;
      field = std::string(trim(line.substr(start, i - start)));
    }
    fields.push_back(std::move(field));
    if (i >= line.size()) break;
    ++i;  // the comma
  }
  return fields;
}

bool is_missing(std::string_view cell) {
  if (cell.empty()) return true;
  const std::string l = lower(cell);
  return l == "na" || l == "n/a" || l == "nan" || l == "null";
}

/// Epoch seconds, exactly to the nanosecond when written in plain decimal.
std::optional<core::TimeNs> parse_epoch_seconds(std::string_view s) {
  if (s.empty()) return std::nullopt;
  if (s.find_first_of("eE") != std::string_view::npos) {
    double v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(v) || std::abs(v) > 9.2e9)
      return std::nullopt;
    return static_cast<core::TimeNs>(std::llround(v * 1e9));
  }
  std::size_t i = 0;
  const bool negative = s[0] == '-';
  if (negative) ++i;
  std::int64_t whole = 0;
  std::size_t digits = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++digits) {
    if (whole > 9'200'000'000LL / 10) return std::nullopt;
    whole = whole * 10 + (s[i] - '0');
  }
  if (whole > 9'200'000'000LL) return std::nullopt;
  std::int64_t frac_ns = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    std::int64_t scale = 100'000'000;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++digits) {
      frac_ns += (s[i] - '0') * scale;
      scale /= 10;  // digits past nanoseconds are truncated
    }
  }
  if (i != s.size() || digits == 0) return std::nullopt;
  const core::TimeNs ns = whole * core::kNanosPerSecond + frac_ns;
  return negative ? -ns : ns;
}

std::optional<core::TimeNs> parse_time(std::string_view cell, TimeKind kind) {
  if (kind == TimeKind::epoch_or_iso) {
    if (auto t = parse_epoch_seconds(cell)) return t;
  }
  return core::parse_iso8601(cell);
}

std::optional<TimeKind> time_kind_of(std::string_view header) {
  const std::string h = lower(header);
  if (h == "date" || h == "datetime") return TimeKind::iso;
  if (h == "ts" || h == "timestamp" || h == "time") return TimeKind::epoch_or_iso;
  return std::nullopt;
}

enum class PriceParse { ok, missing, unparseable, not_positive };

PriceParse parse_price(std::string_view cell, double& out) {
  if (is_missing(cell)) return PriceParse::missing;
  auto [ptr, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), out);
  if (ec == std::errc::result_out_of_range && ptr == cell.data() + cell.size()) return PriceParse::not_positive;
  if (ec != std::errc() || ptr != cell.data() + cell.size()) return PriceParse::unparseable;
  if (!std::isfinite(out) || out <= 0) return PriceParse::not_positive;
  return PriceParse::ok;
}

std::string shown(std::string_view s) {
  constexpr std::size_t kShown = 40;
  std::string out = "'";
  out += s.substr(0, kShown);
  if (s.size() > kShown) out += "...";
  out += "'";
  return out;
}

struct Line {
  std::size_t number = 0;
  std::vector<std::string> fields;
};

class Parser {
 public:
  Parser(std::string_view name, PriceTableResult& result) : errors_(name, result.errors), result_(result) {}

  void run(std::string_view text) {
    // A byte-order mark is what spreadsheet exports put before the header.
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    const std::vector<Line> lines = split_lines(text);
    if (lines.empty()) {
      errors_.add_fileless("empty file");
      errors_.finish();
      return;
    }
    const Line& header = lines.front();
    if (header.fields.size() < 2 || !time_kind_of(header.fields[0])) {
      errors_.add(header.number,
                  "unknown header form: expected 'date,SYM1,SYM2,...', 'ts,SYM1,...' or 'ts,symbol,price'");
      errors_.finish();
      return;
    }
    kind_ = *time_kind_of(header.fields[0]);
    if (lines.size() == 1) {
      errors_.add(header.number, "no data rows after the header");
      errors_.finish();
      return;
    }
    const bool long_form = header.fields.size() == 3 && lower(header.fields[1]) == "symbol" &&
                           lower(header.fields[2]) == "price";
    if (long_form) {
      parse_long(lines);
    } else {
      parse_wide(lines);
    }
    errors_.finish();
  }

 private:
  std::vector<Line> split_lines(std::string_view text) {
    std::vector<Line> lines;
    std::size_t number = 0;
    std::size_t pos = 0;
    while (pos <= text.size()) {
      std::size_t end = text.find('\n', pos);
      if (end == std::string_view::npos) end = text.size();
      std::string_view raw = text.substr(pos, end - pos);
      ++number;
      pos = end + 1;
      if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
      if (trim(raw).empty()) {
        if (end == text.size()) break;
        continue;
      }
      auto fields = split_csv(raw);
      if (!fields) {
        errors_.add(number, "unterminated quoted field");
      } else {
        lines.push_back({number, std::move(*fields)});
      }
      if (end == text.size()) break;
    }
    return lines;
  }

  std::optional<core::TimeNs> row_time(const Line& line) {
    auto t = parse_time(line.fields[0], kind_);
    if (!t) {
      errors_.add(line.number, "unparseable time " + shown(line.fields[0]) +
                                   (kind_ == TimeKind::iso ? " (expected YYYY-MM-DD or an ISO-8601 date-time)"
                                                           : " (expected epoch seconds or an ISO-8601 date-time)"));
    }
    return t;
  }

  void parse_wide(const std::vector<Line>& lines) {
    const Line& header = lines.front();
    PriceTable& table = result_.table;
    std::unordered_map<std::string, std::size_t> seen;
    bool header_ok = true;
    for (std::size_t c = 1; c < header.fields.size(); ++c) {
      const std::string& symbol = header.fields[c];
      if (symbol.empty()) {
        errors_.add(header.number, "column " + std::to_string(c + 1) + " has an empty symbol name");
        header_ok = false;
      } else if (!seen.emplace(symbol, c).second) {
        errors_.add(header.number, "symbol " + symbol + " appears twice in the header");
        header_ok = false;
      }
      table.symbols.push_back(symbol);
    }
    if (!header_ok) return;

    const std::size_t ncols = header.fields.size();
    std::size_t previous_line = 0;
    std::vector<double> row(ncols - 1);
    for (std::size_t i = 1; i < lines.size(); ++i) {
      const Line& line = lines[i];
      if (line.fields.size() != ncols) {
        errors_.add(line.number, "wrong column count: expected " + std::to_string(ncols) + ", got " +
                                     std::to_string(line.fields.size()));
        continue;
      }
      const auto t = row_time(line);
      bool row_ok = t.has_value();
      for (std::size_t c = 1; c < ncols; ++c) {
        double price = kNaN;
        const std::string& cell = line.fields[c];
        const std::string where = "column " + std::to_string(c + 1) + " (" + table.symbols[c - 1] + "): ";
        switch (parse_price(cell, price)) {
          case PriceParse::ok: break;
          case PriceParse::missing: price = kNaN; break;
          case PriceParse::unparseable:
            errors_.add(line.number, where + "unparseable number " + shown(cell));
            row_ok = false;
            break;
          case PriceParse::not_positive:
            errors_.add(line.number, where + "price must be a finite number > 0, got " + shown(cell));
            row_ok = false;
            break;
        }
        row[c - 1] = price;
      }
      if (!row_ok) continue;
      if (!table.times.empty() && *t <= table.times.back()) {
        errors_.add(line.number, "times not increasing: " + shown(line.fields[0]) + " is not after the time on line " +
                                     std::to_string(previous_line));
        continue;
      }
      table.times.push_back(*t);
      table.prices.insert(table.prices.end(), row.begin(), row.end());
      previous_line = line.number;
    }
  }

  void parse_long(const std::vector<Line>& lines) {
    struct Group {
      core::TimeNs time;
      std::vector<std::pair<std::size_t, double>> prices;
      std::vector<std::size_t> lines;  // parallel to prices, for duplicate reports
    };
    std::vector<Group> groups;
    std::unordered_map<std::string, std::size_t> symbol_index;
    std::vector<std::string> symbols;
    std::size_t previous_line = 0;
    for (std::size_t i = 1; i < lines.size(); ++i) {
      const Line& line = lines[i];
      if (line.fields.size() != 3) {
        errors_.add(line.number, "wrong column count: expected 3, got " + std::to_string(line.fields.size()));
        continue;
      }
      const auto t = row_time(line);
      bool row_ok = t.has_value();
      const std::string& symbol = line.fields[1];
      if (symbol.empty()) {
        errors_.add(line.number, "empty symbol");
        row_ok = false;
      }
      double price = kNaN;
      switch (parse_price(line.fields[2], price)) {
        case PriceParse::ok: break;
        case PriceParse::missing: price = kNaN; break;
        case PriceParse::unparseable:
          errors_.add(line.number, "unparseable number " + shown(line.fields[2]));
          row_ok = false;
          break;
        case PriceParse::not_positive:
          errors_.add(line.number, "price must be a finite number > 0, got " + shown(line.fields[2]));
          row_ok = false;
          break;
      }
      if (!row_ok) continue;
      if (!groups.empty() && *t < groups.back().time) {
        errors_.add(line.number, "times not increasing: " + shown(line.fields[0]) + " is before the time on line " +
                                     std::to_string(previous_line));
        continue;
      }
      auto [it, inserted] = symbol_index.emplace(symbol, symbols.size());
      if (inserted) symbols.push_back(symbol);
      if (groups.empty() || *t > groups.back().time) groups.push_back({*t, {}, {}});
      Group& g = groups.back();
      bool duplicate = false;
      for (std::size_t k = 0; k < g.prices.size(); ++k) {
        if (g.prices[k].first == it->second) {
          errors_.add(line.number, "second price for " + symbol + " at the same time (first on line " +
                                       std::to_string(g.lines[k]) + ")");
          duplicate = true;
          break;
        }
      }
      if (duplicate) continue;
      g.prices.emplace_back(it->second, price);
      g.lines.push_back(line.number);
      previous_line = line.number;
    }

    PriceTable& table = result_.table;
    table.symbols = std::move(symbols);
    table.times.reserve(groups.size());
    table.prices.assign(groups.size() * table.symbols.size(), kNaN);
    for (std::size_t r = 0; r < groups.size(); ++r) {
      table.times.push_back(groups[r].time);
      for (const auto& [col, price] : groups[r].prices) table.prices[r * table.symbols.size() + col] = price;
    }
  }

  Errors errors_;
  PriceTableResult& result_;
  TimeKind kind_ = TimeKind::iso;
};

}  // namespace

PriceTableResult parse_price_table(std::string_view text, std::string_view name) {
  PriceTableResult result;
  try {
    Parser(name, result).run(text);
  } catch (const std::exception& e) {
    // Only allocation can throw here; report it like any other unreadable input.
    result.errors.push_back(std::string(name) + ": " + e.what());
  }
  return result;
}

PriceTableResult load_price_table(const std::string& path) {
  PriceTableResult result;
  try {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      result.errors.push_back(path + ": is a directory, not a CSV file");
      return result;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      result.errors.push_back(path + ": cannot open: " + std::strerror(errno));
      return result;
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) {
      result.errors.push_back(path + ": read error");
      return result;
    }
    return parse_price_table(buffer.str(), path);
  } catch (const std::exception& e) {
    result.errors.push_back(path + ": " + e.what());
  }
  return result;
}

}  // namespace ballast::feeds
