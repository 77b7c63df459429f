#pragma once
// Execution reports on the wire (SPEC §4).
#include <string>
#include <string_view>

#include "core/types.hpp"

namespace ballast::execution {

/// Appends the SPEC §4 JSON object for `fill` to `out` (ts as ISO-8601).
void encode_fill(const core::FillReport& fill, std::string& out);

struct DecodedFill {
  bool ok = false;
  std::string error;  ///< why the bytes are not a report, when !ok
  core::FillReport fill;
};
/// Parses a fill report; `received_at` stands in for a missing ts. Never throws.
DecodedFill decode_fill(std::string_view json, core::TimeNs received_at);

}  // namespace ballast::execution
