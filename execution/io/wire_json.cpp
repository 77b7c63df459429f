#include "execution/io/wire_json.hpp"

#include "core/wire_values.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>

namespace ballast::execution::wire {
namespace {

namespace dom = simdjson::dom;

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
    if (!core::parse_number_text(text, out)) return std::string(name) + " is not a number";
  } else {
    return std::string(name) + " is not a number";
  }
  if (!std::isfinite(out)) return std::string(name) + " is not finite";
  return {};
}

std::string read_time(const Slot& slot, std::string_view name, core::TimeNs& out) {
  if (!slot) return missing(name);
  std::optional<core::TimeNs> t;
  std::string_view text;
  if (slot->is_number()) t = core::epoch_seconds_to_ns(slot->get_double().value_unsafe());
  else if (slot->get_string().get(text) == simdjson::SUCCESS) t = core::parse_wire_time(text);
  if (!t) return std::string(name) + " is not a plausible time";
  out = *t;
  return {};
}

}  // namespace ballast::execution::wire
