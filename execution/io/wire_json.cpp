#include "execution/io/wire_json.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>

namespace ballast::execution::wire {
namespace {

namespace dom = simdjson::dom;

// 2262-01-01T00:00:00Z: the last whole year that 64-bit nanoseconds hold.
constexpr std::int64_t kMaxEpochSeconds = 9'214'646'400;
constexpr int kMaxYear = 2261;

// The whole text must be a number; out-of-range values read as non-finite.
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

bool seconds_to_ns(double s, core::TimeNs& out) {
  if (!std::isfinite(s) || s < 0 || s >= static_cast<double>(kMaxEpochSeconds)) return false;
  const double whole = std::floor(s);
  out = static_cast<core::TimeNs>(whole) * core::kNanosPerSecond + std::llround((s - whole) * 1e9);
  return true;
}

std::string missing(std::string_view name) { return "missing " + std::string(name); }

}  // namespace

std::string parse_fields(std::string_view json, std::span<const std::string_view> names, std::span<Slot> slots) {
  for (Slot& slot : slots) slot.reset();
  if (json.size() > kMaxFrameBytes) return "message over 64 KiB";
  thread_local dom::parser parser;
  dom::element root;
  if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS) return "invalid JSON";
  dom::object obj;
  if (root.get_object().get(obj) != simdjson::SUCCESS) return "not a JSON object";
  std::size_t seen = 0;  // bit i: names[i] met, also as null
  for (const dom::key_value_pair field : obj) {
    for (std::size_t i = 0; i < names.size() && i < slots.size(); ++i) {
      if (field.key != names[i]) continue;
      if (seen & (std::size_t{1} << i)) return "duplicate field " + std::string(names[i]);
      seen |= std::size_t{1} << i;
      if (!field.value.is_null()) slots[i] = field.value;
    }
  }
  return {};
}

std::string read_text(const Slot& slot, std::string_view name, std::string& out) {
  if (!slot) return missing(name);
  std::string_view s;
  if (slot->get_string().get(s) != simdjson::SUCCESS) return std::string(name) + " is not a string";
  if (s.empty()) return std::string(name) + " is empty";
  out.assign(s);
  return {};
}

std::string read_number(const Slot& slot, std::string_view name, double& out) {
  if (!slot) return missing(name);
  std::string_view text;
  if (slot->is_number()) {
    out = slot->get_double().value_unsafe();
  } else if (slot->get_string().get(text) == simdjson::SUCCESS) {
    if (!parse_number_text(text, out)) return std::string(name) + " is not a number";
  } else {
    return std::string(name) + " is not a number";
  }
  if (!std::isfinite(out)) return std::string(name) + " is not finite";
  return {};
}

std::string read_time(const Slot& slot, std::string_view name, core::TimeNs& out) {
  if (!slot) return missing(name);
  const std::string bad = std::string(name) + " is not a plausible time";
  double seconds = 0;
  std::string_view text;
  if (slot->is_number()) return seconds_to_ns(slot->get_double().value_unsafe(), out) ? std::string() : bad;
  if (slot->get_string().get(text) != simdjson::SUCCESS) return bad;
  if (parse_number_text(text, seconds)) return seconds_to_ns(seconds, out) ? std::string() : bad;
  // Times past 2262 overflow 64-bit nanoseconds: refuse them by year first.
  if (text.size() < 4) return bad;
  int year = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    if (text[i] < '0' || text[i] > '9') return bad;
    year = year * 10 + (text[i] - '0');
  }
  if (year < 1970 || year > kMaxYear) return bad;
  const std::optional<core::TimeNs> t = core::parse_iso8601(text);
  if (!t || *t < 0) return bad;
  out = *t;
  return {};
}

}  // namespace ballast::execution::wire
