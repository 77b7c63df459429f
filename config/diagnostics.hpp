#pragma once
// Collects located configuration problems so that a user sees all of them at once.
#include <toml++/toml.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.hpp"

namespace ballast::config {

class Diagnostics {
 public:
  explicit Diagnostics(std::string file) : file_(std::move(file)) {}

  /// Reports at the start of `where`, which toml++ records for every key and value.
  void error(const toml::source_region& where, std::string message);
  void error_at(int line, int column, std::string message);

  bool empty() const { return errors_.empty(); }
  std::size_t count() const { return errors_.size(); }
  const std::string& file() const { return file_; }

  /// The errors in file order; problems at the same place keep the order they were found in.
  std::vector<ConfigError> take_sorted();

 private:
  std::string file_;
  std::vector<ConfigError> errors_;
};

/// Whether `a` starts before `b` in the file (line, then column).
bool before(const toml::source_region& a, const toml::source_region& b);

/// "an integer", "a table", ... for "expected X, got Y" messages.
std::string_view type_name(toml::node_type type);

/// `parent.key`, quoting the key when it is not a bare TOML key (so that
/// "BTC.USD" cannot be mistaken for a nested table in a message).
std::string key_path(std::string_view parent, std::string_view key);

}  // namespace ballast::config
