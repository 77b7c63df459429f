#pragma once
// The page at GET / of the status socket: a live view of the fleet that polls
// /status. One self-contained HTML document (its chart library inline, no
// address outside the daemon), embedded at build time from daemon/dashboard/.
#include <string_view>

namespace ballast::daemon {

/// The whole page; a static string, the same for every request.
std::string_view dashboard_page();

}  // namespace ballast::daemon
