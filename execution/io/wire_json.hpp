#pragma once
// Reading the flat JSON objects of the execution wire (orders, fills): the field
// rules both codecs share. Internal to execution/io.
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "core/time.hpp"

namespace ballast::execution::wire {

/// Larger frames are refused: an order or a report is a few hundred bytes.
inline constexpr std::size_t kMaxFrameBytes = 64 * 1024;

/// One known field of an object; empty when absent or null.
using Slot = std::optional<simdjson::dom::element>;

/// Parses `json` as one JSON object (fully validated, nothing after it) and puts
/// the field called names[i] into slots[i]; other fields are ignored, a known
/// field given twice is an error. Returns an error text, empty on success. The
/// elements live in a thread-local parser until the next call on this thread.
std::string parse_fields(std::string_view json, std::span<const std::string_view> names, std::span<Slot> slots);

/// A non-empty string. Returns an error text, empty on success.
std::string read_text(const Slot& slot, std::string_view name, std::string& out);
/// A finite number, or a string holding one ("589.12"). Error text or empty.
std::string read_number(const Slot& slot, std::string_view name, double& out);
/// Epoch seconds (number or numeric string) or an ISO-8601 string, between 1970
/// and 2262 (the end of 64-bit nanoseconds). Error text or empty.
std::string read_time(const Slot& slot, std::string_view name, core::TimeNs& out);

}  // namespace ballast::execution::wire
