#pragma once
// Small text helpers for messages: printf-style formatting into a string and
// a name in double quotes. One place for them, so that no file keeps its own.
#include <cstdio>
#include <string>
#include <string_view>

namespace ballast::core {

/// printf-style formatting into a string of at most 255 characters (longer
/// output is cut): for messages of numbers and short names.
template <typename... Args>
std::string printf_string(const char* format, Args... args) {
  char buf[256];
  std::snprintf(buf, sizeof buf, format, args...);
  return buf;
}

/// `s` in double quotes, as it is (no escaping): for names already checked.
/// Not named `quoted`: std::quoted would win by argument-dependent lookup
/// wherever <iomanip> or <filesystem> is included.
inline std::string quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

}  // namespace ballast::core
