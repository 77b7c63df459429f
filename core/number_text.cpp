#include "core/number_text.hpp"

#include <charconv>

namespace ballast::core {

void append_shortest(std::string& out, double v) {
  // 32 bytes hold any double's shortest form ("-1.2345678901234567e-308" is 24).
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  out.append(buf, end);
}

std::string shortest(double v) {
  std::string out;
  append_shortest(out, v);
  return out;
}

}  // namespace ballast::core
