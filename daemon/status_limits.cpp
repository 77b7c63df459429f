#include "daemon/status_limits.hpp"

#include <chrono>

namespace ballast::daemon {

namespace {

std::chrono::milliseconds to_millis(core::DurationNs ns) {
  return std::chrono::ceil<std::chrono::milliseconds>(std::chrono::nanoseconds(ns));
}

}  // namespace

HttpServerLimits status_limits(const config::StatusConfig& status) {
  HttpServerLimits limits;
  limits.max_body_bytes = static_cast<std::size_t>(status.max_body_bytes);
  limits.max_header_bytes = static_cast<std::size_t>(status.max_header_bytes);
  limits.header_timeout = to_millis(status.header_timeout);
  limits.body_timeout = to_millis(status.body_timeout);
  limits.idle_timeout = to_millis(status.idle_timeout);
  limits.write_timeout = to_millis(status.write_timeout);
  limits.max_requests_per_connection = static_cast<std::size_t>(status.max_requests_per_connection);
  limits.max_connections = static_cast<std::size_t>(status.max_connections);
  return limits;
}

}  // namespace ballast::daemon
