#pragma once
// A harness's own assertions: a property that does not hold is a finding,
// reported and stopped like a crash, in any build type.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#define BALLAST_FUZZ_CHECK(cond) ((cond) ? static_cast<void>(0) : ::ballast::fuzz::broken(#cond, __FILE__, __LINE__))

namespace ballast::fuzz {

[[noreturn]] inline void broken(const char* property, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: property does not hold: %s\n", file, line, property);
  std::abort();
}

/// Equal, or both NaN.
inline bool same_number(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

/// The bytes libFuzzer hands over, as text.
inline std::string_view as_text(const unsigned char* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace ballast::fuzz
