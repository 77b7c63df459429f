#pragma once
// Helpers shared by the config loader tests.
#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "config/config.hpp"

/// Checks a ConfigError's line and column (1-based).
#define CHECK_AT(error, l, c)     \
  do {                            \
    CHECK((error).line == (l));   \
    CHECK((error).column == (c)); \
  } while (false)

namespace ballast::config::test {

/// A 60/40 portfolio on lines 1-3; what a test appends starts at line 4.
inline constexpr std::string_view kHead = R"([[portfolios]]
id = "p"
targets = { SPY = 0.6, AGG = 0.4 }
)";

inline std::string with_head(std::string_view rest) { return std::string(kHead) + std::string(rest); }


inline std::string describe(const LoadResult& r) {
  std::string out;
  for (const ConfigError& e : r.errors) out += e.to_string() + "\n";
  return out;
}

inline bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

/// Parses `text` and requires exactly one error, which it returns.
inline ConfigError only_error(std::string_view text, Purpose purpose = Purpose::offline) {
  const LoadResult r = parse_config(text, "test.toml", purpose);
  const std::string all = describe(r);
  INFO("errors:\n", all);
  REQUIRE(r.errors.size() == 1);
  CHECK_FALSE(r.config.has_value());
  return r.errors.front();
}

/// Parses `text` and requires that it is valid.
inline Config valid(std::string_view text, Purpose purpose = Purpose::offline) {
  LoadResult r = parse_config(text, "test.toml", purpose);
  const std::string all = describe(r);
  INFO("errors:\n", all);
  REQUIRE(r.errors.empty());
  REQUIRE(r.config.has_value());
  return std::move(*r.config);
}

}  // namespace ballast::config::test
