#include "config/table_reader.hpp"

#include <algorithm>
#include <cmath>

#include "core/number_text.hpp"
#include "core/text_format.hpp"

namespace ballast::config {
namespace {

void wrong_type(const toml::node& node, std::string_view name, std::string_view expected, Diagnostics& diag) {
  diag.error(node.source(), std::string(name) + ": expected " + std::string(expected) + ", got " +
                                std::string(type_name(node.type())));
}

bool within(double v, Bound bound) {
  switch (bound) {
    case Bound::any: return true;
    case Bound::non_negative: return v >= 0;
    case Bound::positive: return v > 0;
    case Bound::unit: return v >= 0 && v <= 1;
    case Bound::unit_positive: return v > 0 && v <= 1;
    case Bound::unit_below_one: return v >= 0 && v < 1;
  }
  return true;
}

std::string_view describe(Bound bound) {
  switch (bound) {
    case Bound::any: break;
    case Bound::non_negative: return "must be >= 0";
    case Bound::positive: return "must be > 0";
    case Bound::unit: return "must be in [0, 1]";
    case Bound::unit_positive: return "must be in (0, 1]";
    case Bound::unit_below_one: return "must be in [0, 1)";
  }
  return "";
}

using core::quote;

}  // namespace

std::string beside_config(const std::string& config_path, const std::string& path) {
  if (!path.empty() && path.front() == '/') return path;
  const std::size_t slash = config_path.rfind('/');
  if (slash == std::string::npos) return path;
  return config_path.substr(0, slash + 1) + path;
}

std::optional<double> read_number(const toml::node& node, std::string_view name, Bound bound, Diagnostics& diag) {
  double v = 0;
  if (const auto* i = node.as_integer()) {
    v = static_cast<double>(i->get());
  } else if (const auto* f = node.as_floating_point()) {
    v = f->get();
    if (!std::isfinite(v)) {
      diag.error(node.source(), std::string(name) + ": expected a finite number, got " + core::shortest(v));
      return std::nullopt;
    }
  } else {
    wrong_type(node, name, "a number", diag);
    return std::nullopt;
  }
  if (!within(v, bound)) {
    std::string message = std::string(name) + ": " + std::string(describe(bound)) + ", got " + core::shortest(v);
    // The commonest slip with weights and drift limits is writing 60 for 60 %.
    if ((bound == Bound::unit || bound == Bound::unit_positive || bound == Bound::unit_below_one) && v > 1) {
      message += " (a fraction, not percent)";
    }
    diag.error(node.source(), std::move(message));
    return std::nullopt;
  }
  return v;
}

std::optional<std::string> read_string(const toml::node& node, std::string_view name, Diagnostics& diag) {
  if (const auto* s = node.as_string()) return s->get();
  wrong_type(node, name, "a string", diag);
  return std::nullopt;
}

std::optional<std::string> read_nonempty_string(const toml::node& node, std::string_view name, Diagnostics& diag) {
  auto s = read_string(node, name, diag);
  if (s && s->empty()) {
    diag.error(node.source(), std::string(name) + ": expected a non-empty string");
    return std::nullopt;
  }
  return s;
}

TableReader::TableReader(const toml::table& table, std::string name, std::string prefix,
                         std::initializer_list<std::string_view> known, Diagnostics& diag)
    : table_(table), name_(std::move(name)), prefix_(std::move(prefix)), diag_(diag) {
  for (auto&& [key, value] : table_) {
    if (std::find(known.begin(), known.end(), key.str()) != known.end()) continue;
    std::string message = "unknown key " + quote(key.str()) + (name_.empty() ? " at the top level" : " in " + name_);
    message += " (expected one of: ";
    bool first = true;
    for (std::string_view k : known) {
      if (!first) message += ", ";
      message += k;
      first = false;
    }
    message += ")";
    diag_.error(key.source(), std::move(message));
  }
}

void TableReader::missing(std::string_view key, std::string_view hint) {
  std::string message =
      (name_.empty() ? std::string("the top level") : name_) + " is missing required key " + quote(key);
  if (!hint.empty()) message += " (" + std::string(hint) + ")";
  diag_.error(table_.source(), std::move(message));
}

std::optional<std::string> TableReader::string(std::string_view key) {
  const toml::node* n = node(key);
  return n ? read_string(*n, name(key), diag_) : std::nullopt;
}

std::optional<std::string> TableReader::nonempty_string(std::string_view key) {
  const toml::node* n = node(key);
  return n ? read_nonempty_string(*n, name(key), diag_) : std::nullopt;
}

std::optional<double> TableReader::number(std::string_view key, Bound bound) {
  const toml::node* n = node(key);
  return n ? read_number(*n, name(key), bound, diag_) : std::nullopt;
}

std::optional<std::int64_t> TableReader::integer(std::string_view key) {
  const toml::node* n = node(key);
  if (!n) return std::nullopt;
  if (const auto* i = n->as_integer()) return i->get();
  wrong_type(*n, name(key), "an integer", diag_);
  return std::nullopt;
}

std::optional<bool> TableReader::boolean(std::string_view key) {
  const toml::node* n = node(key);
  if (!n) return std::nullopt;
  if (const auto* b = n->as_boolean()) return b->get();
  wrong_type(*n, name(key), "a boolean (true or false)", diag_);
  return std::nullopt;
}

std::optional<std::string> TableReader::one_of(std::string_view key, std::initializer_list<std::string_view> choices) {
  const toml::node* n = node(key);
  if (!n) return std::nullopt;
  std::string expected;
  std::size_t i = 0;
  for (std::string_view c : choices) {
    if (i > 0) expected += (i + 1 == choices.size()) ? (choices.size() == 2 ? " or " : ", or ") : ", ";
    expected += quote(c);
    ++i;
  }
  const auto* s = n->as_string();
  if (!s) {
    wrong_type(*n, name(key), expected, diag_);
    return std::nullopt;
  }
  if (std::find(choices.begin(), choices.end(), s->get()) != choices.end()) return s->get();
  diag_.error(n->source(), name(key) + ": expected " + expected + ", got " + quote(s->get()));
  return std::nullopt;
}

const toml::table* TableReader::table(std::string_view key) {
  const toml::node* n = node(key);
  if (!n) return nullptr;
  if (const auto* t = n->as_table()) return t;
  wrong_type(*n, name(key), "a table", diag_);
  return nullptr;
}

std::optional<std::vector<const toml::table*>> TableReader::array_of_tables(std::string_view key,
                                                                            std::string_view header) {
  const toml::node* n = node(key);
  if (!n) return std::nullopt;
  const auto* a = n->as_array();
  if (!a) {
    wrong_type(*n, name(key), "an array of tables (" + std::string(header) + ")", diag_);
    return std::nullopt;
  }
  std::vector<const toml::table*> tables;
  for (const toml::node& element : *a) {
    if (const auto* t = element.as_table()) {
      tables.push_back(t);
    } else {
      wrong_type(element, name(key), "every element to be a table", diag_);
    }
  }
  return tables;
}

}  // namespace ballast::config
