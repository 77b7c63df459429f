#pragma once
// `[status]` limits → the status server's limits: one place that knows both.
#include "config/config.hpp"
#include "daemon/http_server.hpp"

namespace ballast::daemon {

/// The HttpServer limits a `[status]` table asks for. Timeouts are rounded up
/// to whole milliseconds; the loader has already bounded every value.
HttpServerLimits status_limits(const config::StatusConfig& status);

}  // namespace ballast::daemon
