#include "core/wire_values.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>

namespace ballast::core {
namespace {
// 2262-01-01T00:00:00Z in epoch seconds.
constexpr double kMaxEpochSeconds = 9'214'646'400.0;
}  // namespace

bool parse_number_text(std::string_view s, double& out) {
  if (s.empty()) return false;
  const char* last = s.data() + s.size();
  const auto [ptr, ec] = std::from_chars(s.data(), last, out);
  if (ptr != last) return false;
  if (ec == std::errc::result_out_of_range) {
    out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  return ec == std::errc();
}

std::optional<TimeNs> epoch_seconds_to_ns(double s) {
  if (!std::isfinite(s) || s < 0 || s >= kMaxEpochSeconds) return std::nullopt;
  // Whole and fractional seconds apart: 1.7e18 ns as one double would lose
  // the fraction's last digits.
  const double whole = std::floor(s);
  return static_cast<TimeNs>(whole) * kNanosPerSecond + std::llround((s - whole) * 1e9);
}

std::optional<TimeNs> parse_wire_time(std::string_view text) {
  double seconds = 0;
  if (parse_number_text(text, seconds)) return epoch_seconds_to_ns(seconds);
  const std::optional<TimeNs> t = parse_iso8601(text);
  if (!t || *t < 0) return std::nullopt;
  return t;
}

}  // namespace ballast::core
