#pragma once
// Typed, located access to one TOML table: every wrong type, out-of-range
// number and unknown key becomes a ConfigError, and reading carries on so that
// the user sees every problem in one pass.
#include <toml++/toml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostics.hpp"

namespace ballast::config {

/// The range a number must fall in.
enum class Bound {
  any,
  non_negative,   ///< >= 0
  positive,       ///< > 0
  unit,           ///< [0, 1], a weight
  unit_positive,  ///< (0, 1], a non-zero fraction
  unit_below_one, ///< [0, 1), a rate that cannot take everything
};

/// A number from an integer or a float; reports (as `name`) and returns nullopt
/// on another type, a non-finite float or a value outside `bound`.
std::optional<double> read_number(const toml::node& node, std::string_view name, Bound bound, Diagnostics& diag);
/// A string; reports and returns nullopt on another type.
std::optional<std::string> read_string(const toml::node& node, std::string_view name, Diagnostics& diag);
/// A string that must not be empty.
std::optional<std::string> read_nonempty_string(const toml::node& node, std::string_view name, Diagnostics& diag);

/// A relative path in the file means relative to the file, not to the daemon's
/// working directory, so that a config and its data can move together.
std::string beside_config(const std::string& config_path, const std::string& path);

class TableReader {
 public:
  /// Reports every key of `table` not in `known`. `name` is how messages call the
  /// table ("[execution]", "a calendar trigger"; empty for the top level);
  /// `prefix` is put before key names in messages ("fields" → "fields.price").
  TableReader(const toml::table& table, std::string name, std::string prefix,
              std::initializer_list<std::string_view> known, Diagnostics& diag);

  const toml::node* node(std::string_view key) const { return table_.get(key); }
  bool has(std::string_view key) const { return table_.contains(key); }
  /// The key as messages spell it.
  std::string name(std::string_view key) const { return key_path(prefix_, key); }

  /// Reports a required key that is absent, at the table that lacks it.
  void missing(std::string_view key, std::string_view hint = {});

  std::optional<std::string> string(std::string_view key);
  std::optional<std::string> nonempty_string(std::string_view key);
  std::optional<double> number(std::string_view key, Bound bound);
  std::optional<std::int64_t> integer(std::string_view key);
  std::optional<bool> boolean(std::string_view key);
  /// A string that must be one of `choices`; the message lists them.
  std::optional<std::string> one_of(std::string_view key, std::initializer_list<std::string_view> choices);
  /// A table (standard or inline); nullptr when absent or of another type.
  const toml::table* table(std::string_view key);
  /// An array whose elements are tables (`[[key]]` or an inline array of inline
  /// tables); elements of another type are reported and skipped. nullopt when
  /// absent or not an array. `header` is how the file spells one element ("[[feeds]]").
  std::optional<std::vector<const toml::table*>> array_of_tables(std::string_view key, std::string_view header);

 private:
  const toml::table& table_;
  std::string name_;
  std::string prefix_;
  Diagnostics& diag_;
};

}  // namespace ballast::config
