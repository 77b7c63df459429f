#include "offline/csv_text.hpp"

#include <cmath>

#include "core/json_writer.hpp"

namespace ballast::offline {

void append_csv_field(std::string& out, std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += s;
    return;
  }
  out += '"';
  for (const char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void append_csv_number(std::string& out, double d) {
  if (!std::isfinite(d)) return;
  if (d == 0) d = 0;  // -0.0 prints as 0
  core::append_json_number(out, d);
}

}  // namespace ballast::offline
