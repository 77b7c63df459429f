#pragma once
// Numbers and times as they arrive in untrusted JSON (ticks, fills, orders):
// shared by every decoder so they all accept and refuse the same things.
#include <optional>
#include <string_view>

#include "core/time.hpp"

namespace ballast::core {

/// Venues send numbers as strings ("189.23"). True when the whole text is a
/// number; "NaN" and "inf" read as non-finite, out-of-range values as NaN.
bool parse_number_text(std::string_view text, double& out);

/// Epoch seconds (fractions allowed) as nanoseconds; nullopt unless the time
/// lies from 1970 up to 2262-01-01, the last whole year 64-bit nanoseconds hold.
std::optional<TimeNs> epoch_seconds_to_ns(double seconds);

/// A time sent as text: epoch seconds in a string, or ISO-8601; the same range.
std::optional<TimeNs> parse_wire_time(std::string_view text);

}  // namespace ballast::core
