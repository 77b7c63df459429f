#pragma once
// `ballast status`: the daemon's GET /status JSON (SPEC §5) as a text table.
#include <string>
#include <string_view>

namespace ballast::cli {

struct StatusTable {
  std::string text;   ///< the table, every line ending in '\n'; empty on error
  std::string error;  ///< why the JSON could not be rendered; empty on success
  /// False when the daemon says it is not healthy (or does not say it is).
  bool healthy = false;

  bool ok() const { return error.empty(); }
};

/// Renders a header line (version, mode, paused, uptime), a block of feeds and
/// a block per portfolio with one row per asset. Weights and targets print in
/// percent, drift in signed percentage points. Fields it does not know are
/// ignored; known fields that are missing, null or of another type print as
/// "-". Only JSON that does not parse, or whose root is not an object, is an
/// error. Never throws.
StatusTable render_status_table(std::string_view status_json);

/// `ballast orders`: the unfinished orders of /status (`execution.open`),
/// unknown ones first, one row each. Same rules as above.
StatusTable render_orders_table(std::string_view status_json);

}  // namespace ballast::cli
