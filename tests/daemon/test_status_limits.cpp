// [status] limits as the status server gets them.
#include "daemon/status_limits.hpp"

#include <doctest/doctest.h>

#include <chrono>

#include "core/time.hpp"

namespace ballast::daemon {
namespace test_status_limits {
namespace {

using namespace std::chrono_literals;

TEST_CASE("an empty [status] gives the server its own defaults") {
  CHECK(status_limits(config::StatusConfig{}) == HttpServerLimits{});
}

TEST_CASE("every [status] limit reaches the server, timeouts rounded up to whole milliseconds") {
  config::StatusConfig status;
  status.header_timeout = 1500 * core::kNanosPerSecond / 1'000'000;  // 1.5 ms
  status.body_timeout = 2 * core::kNanosPerSecond;
  status.idle_timeout = core::kNanosPerSecond / 4;
  status.write_timeout = 3 * core::kNanosPerSecond;
  status.max_requests_per_connection = 7;
  status.max_connections = 9;
  status.max_header_bytes = 2048;
  status.max_body_bytes = 0;
  const HttpServerLimits limits = status_limits(status);
  CHECK(limits.header_timeout == 2ms);
  CHECK(limits.body_timeout == 2s);
  CHECK(limits.idle_timeout == 250ms);
  CHECK(limits.write_timeout == 3s);
  CHECK(limits.max_requests_per_connection == 7);
  CHECK(limits.max_connections == 9);
  CHECK(limits.max_header_bytes == 2048);
  CHECK(limits.max_body_bytes == 0);
}

}  // namespace
}  // namespace test_status_limits
}  // namespace ballast::daemon
