#include "cli/status_table.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <optional>
#include <vector>

namespace ballast::cli {

namespace {

using simdjson::dom::element;

constexpr std::string_view kMissing = "-";

// ------------------------------------------------------------ JSON access
// Every accessor answers nullopt for a missing key, null or another type, so
// that a daemon from another version renders as far as it can.

std::optional<element> member(const element& obj, std::string_view key) {
  element value;
  if (obj.at_key(key).get(value) != simdjson::SUCCESS || value.is_null()) return std::nullopt;
  return value;
}

std::optional<double> number_at(const element& obj, std::string_view key) {
  const auto value = member(obj, key);
  double d = 0;
  if (!value || !value->is_number() || value->get_double().get(d) != simdjson::SUCCESS) return std::nullopt;
  return d;
}

std::optional<std::string_view> string_at(const element& obj, std::string_view key) {
  const auto value = member(obj, key);
  std::string_view s;
  if (!value || value->get_string().get(s) != simdjson::SUCCESS) return std::nullopt;
  return s;
}

std::optional<bool> bool_at(const element& obj, std::string_view key) {
  const auto value = member(obj, key);
  bool b = false;
  if (!value || value->get_bool().get(b) != simdjson::SUCCESS) return std::nullopt;
  return b;
}

std::optional<simdjson::dom::array> array_at(const element& obj, std::string_view key) {
  const auto value = member(obj, key);
  simdjson::dom::array a;
  if (!value || value->get_array().get(a) != simdjson::SUCCESS) return std::nullopt;
  return a;
}

// ------------------------------------------------------------ formatting

std::string printf_double(const char* format, double v) {
  char buf[64];
  const int n = std::snprintf(buf, sizeof buf, format, v);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(std::min<int>(n, sizeof buf - 1))) : std::string();
}

/// Control characters would break the table's lines; the daemon's names are
/// configuration text, so this only guards against the unexpected.
std::string clean(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) out.push_back(static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c);
  return out;
}

std::string text_or_missing(const std::optional<std::string_view>& s) {
  return s ? clean(*s) : std::string(kMissing);
}

/// "1234567.891" → "1,234,567.89".
std::string money(std::optional<double> v) {
  if (!v || !std::isfinite(*v)) return std::string(kMissing);
  std::string digits = printf_double("%.2f", std::fabs(*v));
  const auto dot = digits.find('.');
  std::string grouped;
  for (std::size_t i = 0; i < dot; ++i) {
    if (i > 0 && (dot - i) % 3 == 0) grouped.push_back(',');
    grouped.push_back(digits[i]);
  }
  grouped += digits.substr(dot);
  const bool negative = *v < 0 && grouped.find_first_not_of("0.,") != std::string::npos;
  return negative ? "-" + grouped : grouped;
}

/// Two decimals from 1 up; below that four significant digits, so that a
/// price of 0.00001234 does not print as 0.00.
std::string price(std::optional<double> v) {
  if (!v || !std::isfinite(*v)) return std::string(kMissing);
  const double a = std::fabs(*v);
  if (a >= 1.0 || a == 0.0) return printf_double("%.2f", *v);
  const int decimals = std::clamp(3 - static_cast<int>(std::floor(std::log10(a))), 2, 12);
  char format[16];
  std::snprintf(format, sizeof format, "%%.%df", decimals);
  return printf_double(format, *v);
}

/// Whole numbers without decimals, fractional lots with up to eight (a
/// satoshi is 1e-8); anything smaller in scientific notation rather than "0".
std::string quantity(std::optional<double> v) {
  if (!v || !std::isfinite(*v)) return std::string(kMissing);
  if (std::fabs(*v) >= 1e15 || std::fabs(*v - std::round(*v)) < 1e-9) {
    const double whole = std::round(*v);
    return printf_double("%.0f", whole == 0.0 ? 0.0 : whole);  // no "-0"
  }
  if (std::fabs(*v) < 1e-8) return printf_double("%.3g", *v);
  std::string s = printf_double("%.8f", *v);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

std::string count(std::optional<double> v) {
  if (!v || !std::isfinite(*v)) return std::string(kMissing);
  return printf_double("%.0f", *v);
}

std::string percent(std::optional<double> fraction, const char* format) {
  if (!fraction || !std::isfinite(*fraction)) return std::string(kMissing);
  return printf_double(format, *fraction * 100.0) + "%";
}

/// Signed percentage points; a drift that rounds to zero has no sign.
std::string drift_pp(std::optional<double> drift) {
  if (!drift || !std::isfinite(*drift)) return std::string(kMissing);
  const double pp = *drift * 100.0;
  if (std::fabs(pp) < 0.005) return "0.00pp";
  return printf_double("%+.2f", pp) + "pp";
}

/// "45s", "12m 05s", "3h 02m 05s", "2d 03h 04m".
std::string duration(double seconds) {
  const auto total = static_cast<std::int64_t>(std::floor(seconds));
  const std::int64_t d = total / 86400;
  const std::int64_t h = total % 86400 / 3600;
  const std::int64_t m = total % 3600 / 60;
  const std::int64_t s = total % 60;
  char buf[64];
  if (d > 0) {
    std::snprintf(buf, sizeof buf, "%lldd %02lldh %02lldm", static_cast<long long>(d), static_cast<long long>(h),
                  static_cast<long long>(m));
  } else if (h > 0) {
    std::snprintf(buf, sizeof buf, "%lldh %02lldm %02llds", static_cast<long long>(h), static_cast<long long>(m),
                  static_cast<long long>(s));
  } else if (m > 0) {
    std::snprintf(buf, sizeof buf, "%lldm %02llds", static_cast<long long>(m), static_cast<long long>(s));
  } else {
    std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(s));
  }
  return buf;
}

std::string uptime(std::optional<double> seconds) {
  if (!seconds || !std::isfinite(*seconds) || *seconds < 0 || *seconds > 1e12) return std::string(kMissing);
  return duration(*seconds);
}

/// A tick age keeps its fractions while they matter: "0.01s ago", "12.3s ago", "5m 03s ago".
std::string tick_age(std::optional<double> seconds) {
  if (!seconds || !std::isfinite(*seconds) || *seconds < 0 || *seconds > 1e12) return std::string(kMissing);
  if (*seconds < 10.0) return printf_double("%.2f", *seconds) + "s ago";
  if (*seconds < 60.0) return printf_double("%.1f", *seconds) + "s ago";
  return duration(*seconds) + " ago";
}

std::string scalar(const element& value) {
  double d = 0;
  std::string_view s;
  bool b = false;
  if (value.get_string().get(s) == simdjson::SUCCESS) return clean(s);
  if (value.is_number() && value.get_double().get(d) == simdjson::SUCCESS) {
    if (value.is_int64() || value.is_uint64()) return printf_double("%.0f", d);
    return printf_double("%.10g", d);
  }
  if (value.get_bool().get(b) == simdjson::SUCCESS) return b ? "true" : "false";
  if (value.is_null()) return "null";
  return std::string();
}

/// {"malformed": 2, "jump": 0, "bad_price": 1} → "malformed=2 bad_price=1";
/// nothing rejected → "0".
std::string rejected(const element& feed) {
  const auto value = member(feed, "rejected");
  if (!value) return std::string(kMissing);
  if (value->is_number()) return scalar(*value);
  simdjson::dom::object obj;
  if (value->get_object().get(obj) != simdjson::SUCCESS) return std::string(kMissing);
  std::string out;
  for (const auto field : obj) {
    double n = 0;
    if (!field.value.is_number() || field.value.get_double().get(n) != simdjson::SUCCESS || n == 0) continue;
    if (!out.empty()) out.push_back(' ');
    out += clean(field.key);
    out.push_back('=');
    out += scalar(field.value);
  }
  return out.empty() ? "0" : out;
}

/// The scalar members of the last rebalance as key=value, whatever they are:
/// its shape is the daemon's to choose.
std::string last_rebalance(const element& portfolio) {
  const auto value = member(portfolio, "last_rebalance");
  if (!value) return std::string(kMissing);
  simdjson::dom::object obj;
  if (value->get_object().get(obj) != simdjson::SUCCESS) {
    const std::string s = scalar(*value);
    return s.empty() ? std::string(kMissing) : s;
  }
  std::string out;
  for (const auto field : obj) {
    if (field.value.is_object() || field.value.is_array()) continue;
    if (!out.empty()) out.push_back(' ');
    out += clean(field.key);
    out.push_back('=');
    out += scalar(field.value);
  }
  return out.empty() ? std::string(kMissing) : out;
}

// ------------------------------------------------------------ table layout

/// UTF-8 code points, so that a symbol such as "€STOXX" still lines up.
std::size_t display_width(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

class Table {
 public:
  /// `right_aligned[i]` for numeric columns.
  explicit Table(std::vector<bool> right_aligned) : right_(std::move(right_aligned)) {}

  void add_row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }

  void render(std::string& out, std::string_view indent) const {
    std::vector<std::size_t> widths(right_.size(), 0);
    for (const auto& row : rows_) {
      for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) {
        widths[i] = std::max(widths[i], display_width(row[i]));
      }
    }
    for (const auto& row : rows_) {
      std::string line(indent);
      for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) {
        const std::size_t pad = widths[i] - display_width(row[i]);
        if (i > 0) line += "  ";
        if (right_[i]) line.append(pad, ' ');
        line += row[i];
        if (!right_[i]) line.append(pad, ' ');
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line;
      out.push_back('\n');
    }
  }

 private:
  std::vector<bool> right_;
  std::vector<std::vector<std::string>> rows_;
};

void render_feeds(const element& root, std::string& out) {
  const auto feeds = array_at(root, "feeds");
  if (!feeds) {
    out += "Feeds: -\n";
    return;
  }
  if (feeds->size() == 0) {
    out += "Feeds: none\n";
    return;
  }
  out += "Feeds\n";
  Table table({false, false, true, false, true});
  table.add_row({"NAME", "ENDPOINT", "TICKS", "REJECTED", "LAST TICK"});
  for (const element feed : *feeds) {
    if (!feed.is_object()) continue;
    table.add_row({text_or_missing(string_at(feed, "name")), text_or_missing(string_at(feed, "endpoint")),
                   count(number_at(feed, "ticks")), rejected(feed), tick_age(number_at(feed, "last_tick_age_s"))});
  }
  table.render(out, "  ");
}

/// "health: ok", or "health: DEGRADED" and one line per problem.
void render_health(const element& root, std::string& out, bool& healthy) {
  const auto said = bool_at(root, "healthy");
  healthy = said.value_or(false);  // a daemon that does not say is not known to be healthy
  out += "health: ";
  out += !said ? std::string(kMissing) : *said ? "ok" : "DEGRADED";
  out.push_back('\n');
  const auto health = member(root, "health");
  const auto problems = health ? array_at(*health, "problems") : std::nullopt;
  if (!problems) return;
  for (const element p : *problems) {
    std::string_view text;
    if (p.get_string().get(text) == simdjson::SUCCESS) out += "  - " + clean(text) + "\n";
  }
}

void render_orders(const simdjson::dom::array& open, std::string& out) {
  Table table({false, false, false, false, true, true, false, true});
  table.add_row({"ORDER", "PORTFOLIO", "SYMBOL", "SIDE", "QUANTITY", "FILLED", "STATE", "AGE"});
  // Unknown orders first: they are the ones an operator must act on.
  for (const bool unknown_pass : {true, false}) {
    for (const element o : open) {
      if (!o.is_object()) continue;
      const auto state = string_at(o, "state");
      if ((state && *state == "unknown") != unknown_pass) continue;
      table.add_row({text_or_missing(string_at(o, "order_id")), text_or_missing(string_at(o, "portfolio")),
                     text_or_missing(string_at(o, "symbol")), text_or_missing(string_at(o, "side")),
                     quantity(number_at(o, "quantity")), quantity(number_at(o, "filled_quantity")),
                     text_or_missing(state), uptime(number_at(o, "age_s"))});
    }
  }
  table.render(out, "");
}

/// The fleet's summary: counts by state, block orders, the drift histogram.
void render_fleet(const element& fleet, std::string& out) {
  out += "Fleet\n  accounts " + count(number_at(fleet, "accounts")) + " on " + count(number_at(fleet, "models")) +
         " models";
  if (const auto started = bool_at(fleet, "started"); started && !*started) {
    out += " (waiting for a price of every symbol)\n";
    return;
  }
  if (const auto states = member(fleet, "states")) {
    out += ": " + count(number_at(*states, "breaching")) + " breaching, " + count(number_at(*states, "pending")) +
           " pending, " + count(number_at(*states, "stuck")) + " stuck";
  }
  // Counts an older daemon does not send, or zero, are left out.
  const auto some = [&](const char* key) {
    const auto v = number_at(fleet, key);
    return v && *v > 0 ? v : std::nullopt;
  };
  out += "\n  rebalances " + count(number_at(fleet, "rebalances")) + " (last minute " +
         count(number_at(fleet, "rebalances_last_minute"));
  if (const auto dates = some("calendar_rebalances")) out += ", " + count(dates) + " on calendar dates";
  out += "), block orders " + count(number_at(fleet, "block_orders")) + " (" +
         count(number_at(fleet, "open_block_orders")) + " open";
  if (const auto scheduled = some("children_scheduled")) out += ", " + count(scheduled) + " children scheduled";
  out += ")\n";
  if (const auto unknown = array_at(fleet, "unknown_block_orders"); unknown && unknown->size() > 0) {
    out += "  UNKNOWN block orders:";
    for (const element id : *unknown) {
      std::string_view text;
      if (id.get_string().get(text) == simdjson::SUCCESS) out += " " + clean(text);
    }
    out += "\n";
  }
  const auto histogram = array_at(fleet, "drift_histogram");
  if (!histogram) return;
  out += "  max drift";
  for (const element bucket : *histogram) {
    if (!bucket.is_object()) continue;
    const auto to = number_at(bucket, "to");
    out += "  " + (to ? "<" + percent(to, "%g") : ">" + percent(number_at(bucket, "from"), "%g")) + " " +
           count(number_at(bucket, "accounts"));
  }
  out += "\n";
}

/// The fleet's block orders whose fate is unknown, as one line (an operator
/// resolves them as any order); empty when there are none.
std::string unknown_blocks_line(const element& root) {
  const auto fleet = member(root, "fleet");
  if (!fleet) return {};
  const auto unknown = array_at(*fleet, "unknown_block_orders");
  if (!unknown || unknown->size() == 0) return {};
  std::string line = "unknown block orders of the fleet:";
  for (const element id : *unknown) {
    std::string_view text;
    if (id.get_string().get(text) == simdjson::SUCCESS) line += " " + clean(text);
  }
  return line + "\n";
}

void render_portfolio(const element& portfolio, std::string& out) {
  out += "Portfolio ";
  out += text_or_missing(string_at(portfolio, "id"));
  out += "\n  value ";
  out += money(number_at(portfolio, "value"));
  out += "  cash ";
  out += money(number_at(portfolio, "cash"));
  out += "  rebalances ";
  out += count(number_at(portfolio, "rebalances"));
  out += "  orders ";
  out += count(number_at(portfolio, "orders"));
  // Shown only when the daemon reports them (and, for counts, when not zero).
  if (const auto open = number_at(portfolio, "open_orders"); open && *open > 0) out += "  open " + count(open);
  if (const auto unknown = number_at(portfolio, "unknown_orders"); unknown && *unknown > 0) {
    out += "  UNKNOWN " + count(unknown);
  }
  if (const auto denied = number_at(portfolio, "denied"); denied && *denied > 0) out += "  denied " + count(denied);
  if (const auto costs = member(portfolio, "costs")) out += "  costs " + money(number_at(*costs, "estimated"));
  out += "\n  last rebalance: ";
  out += last_rebalance(portfolio);
  out.push_back('\n');

  const auto assets = array_at(portfolio, "assets");
  if (!assets || assets->size() == 0) {
    out += assets ? "  assets: none\n" : "  assets: -\n";
    return;
  }
  Table table({false, true, true, true, true, true, true});
  table.add_row({"SYMBOL", "PRICE", "QUANTITY", "WEIGHT", "TARGET", "DRIFT", "VOL"});
  for (const element asset : *assets) {
    if (!asset.is_object()) continue;
    table.add_row({text_or_missing(string_at(asset, "symbol")), price(number_at(asset, "price")),
                   quantity(number_at(asset, "quantity")), percent(number_at(asset, "weight"), "%.2f"),
                   percent(number_at(asset, "target"), "%.2f"), drift_pp(number_at(asset, "drift")),
                   percent(number_at(asset, "volatility"), "%.1f")});
  }
  table.render(out, "  ");
}

}  // namespace

StatusTable render_status_table(std::string_view status_json) {
  StatusTable result;
  try {
    simdjson::dom::parser parser;
    const simdjson::padded_string padded(status_json);
    element root;
    if (const auto error = parser.parse(padded).get(root); error != simdjson::SUCCESS) {
      result.error = std::string("the status is not valid JSON: ") + simdjson::error_message(error);
      return result;
    }
    if (!root.is_object()) {
      result.error = "the status is not a JSON object";
      return result;
    }

    std::string& out = result.text;
    const auto paused = bool_at(root, "paused");
    out += "ballastd ";
    out += text_or_missing(string_at(root, "version"));
    out += "  mode: ";
    out += text_or_missing(string_at(root, "mode"));
    out += "  paused: ";
    out += paused ? (*paused ? "yes" : "no") : std::string(kMissing);
    out += "  uptime: ";
    out += uptime(number_at(root, "uptime_s"));
    if (bool_at(root, "kill_switch").value_or(false)) out += "  KILL SWITCH ON";
    out += "\n";
    render_health(root, out, result.healthy);
    out += "\n";

    render_feeds(root, out);

    if (const auto fleet = member(root, "fleet"); fleet && fleet->is_object()) {
      out.push_back('\n');
      render_fleet(*fleet, out);
    }
    const auto portfolios = array_at(root, "portfolios");
    if (!portfolios || portfolios->size() == 0) {
      out += portfolios ? "\nPortfolios: none\n" : "\nPortfolios: -\n";
    } else {
      for (const element portfolio : *portfolios) {
        if (!portfolio.is_object()) continue;
        out.push_back('\n');
        render_portfolio(portfolio, out);
      }
    }
  } catch (const std::exception& e) {
    result = StatusTable{};
    result.error = std::string("cannot render the status: ") + e.what();
  }
  return result;
}

StatusTable render_orders_table(std::string_view status_json) {
  StatusTable result;
  try {
    simdjson::dom::parser parser;
    const simdjson::padded_string padded(status_json);
    element root;
    if (const auto error = parser.parse(padded).get(root); error != simdjson::SUCCESS) {
      result.error = std::string("the status is not valid JSON: ") + simdjson::error_message(error);
      return result;
    }
    result.healthy = bool_at(root, "healthy").value_or(false);
    const auto execution = root.is_object() ? member(root, "execution") : std::nullopt;
    const auto open = execution ? array_at(*execution, "open") : std::nullopt;
    if (!open) {
      result.error = "the status has no execution.open list of orders";
      return result;
    }
    const std::string blocks = unknown_blocks_line(root);
    if (open->size() > 0) render_orders(*open, result.text);
    else if (blocks.empty()) result.text = "no unfinished orders\n";
    result.text += blocks;
  } catch (const std::exception& e) {
    result = StatusTable{};
    result.error = std::string("cannot render the orders: ") + e.what();
  }
  return result;
}

}  // namespace ballast::cli
