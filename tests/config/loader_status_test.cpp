// The loader on the status socket's limits in [status]: the defaults, exact
// values, and every out-of-range or mistyped limit at its line and column.
#include <doctest/doctest.h>

#include <string>

#include "config/config.hpp"
#include "core/time.hpp"
#include "tests/config/config_test_support.hpp"

namespace ballast::config {
namespace loader_status_test {
namespace {

using test::describe;
using test::only_error;
using test::valid;

constexpr core::DurationNs kSecond = core::kNanosPerSecond;
constexpr core::DurationNs kMilli = core::kNanosPerSecond / 1000;

TEST_CASE("status limits default to short timeouts and bounded counts") {
  const StatusConfig s = valid("").status;
  CHECK(s.header_timeout == 5 * kSecond);
  CHECK(s.body_timeout == 10 * kSecond);
  CHECK(s.idle_timeout == 5 * kSecond);
  CHECK(s.write_timeout == 10 * kSecond);
  CHECK(s.max_requests_per_connection == 100);
  CHECK(s.max_connections == 64);
  CHECK(s.max_header_bytes == 8192);
  CHECK(s.max_body_bytes == 65536);
}

TEST_CASE("status limits are read into exact values, at the ends of their ranges too") {
  const StatusConfig s = valid(R"([status]
header_timeout = "1ms"
body_timeout = "1h"
idle_timeout = "250ms"
write_timeout = "30s"
max_requests_per_connection = 1
max_connections = 10000
max_header_bytes = 1024
max_body_bytes = 0
)")
                             .status;
  CHECK(s.header_timeout == kMilli);
  CHECK(s.body_timeout == 3600 * kSecond);
  CHECK(s.idle_timeout == 250 * kMilli);
  CHECK(s.write_timeout == 30 * kSecond);
  CHECK(s.max_requests_per_connection == 1);
  CHECK(s.max_connections == 10000);
  CHECK(s.max_header_bytes == 1024);
  CHECK(s.max_body_bytes == 0);

  const StatusConfig high = valid(R"([status]
max_requests_per_connection = 1000000
max_connections = 1
max_header_bytes = 1048576
max_body_bytes = 16777216
)")
                                .status;
  CHECK(high.max_requests_per_connection == 1000000);
  CHECK(high.max_connections == 1);
  CHECK(high.max_header_bytes == 1048576);
  CHECK(high.max_body_bytes == 16777216);
}

TEST_CASE("a status timeout outside 1ms..1h, not a duration or not a string is located at its value") {
  SUBCASE("zero, which is not a positive duration") {
    const auto e = only_error("[status]\nheader_timeout = \"0s\"\n");
    CHECK_AT(e, 2, 18);
    CHECK(test::contains(e.message, "header_timeout: expected a duration, a positive number and a unit"));
  }
  SUBCASE("below a millisecond") {
    const auto e = only_error("[status]\nidle_timeout = \"999us\"\n");
    CHECK_AT(e, 2, 16);
    CHECK(e.message == "idle_timeout: must be between \"1ms\" and \"1h\", got \"999us\"");
  }
  SUBCASE("over an hour") {
    const auto e = only_error("[status]\nbody_timeout = \"61m\"\n");
    CHECK_AT(e, 2, 16);
    CHECK(e.message == "body_timeout: must be between \"1ms\" and \"1h\", got \"61m\"");
  }
  SUBCASE("no unit") {
    const auto e = only_error("[status]\nwrite_timeout = \"10\"\n");
    CHECK_AT(e, 2, 17);
    CHECK(test::contains(e.message, "write_timeout: expected a duration, "));
    CHECK(test::contains(e.message, "got \"10\""));
  }
  SUBCASE("a number") {
    const auto e = only_error("[status]\nheader_timeout = 5\n");
    CHECK_AT(e, 2, 18);
    CHECK(e.message == "header_timeout: expected a string, got an integer");
  }
}

TEST_CASE("a status count outside its range or not an integer is located at its value") {
  struct Case {
    const char* line;
    int column;
    const char* message;
  };
  for (const Case& c : {
           Case{"max_connections = 0", 19, "max_connections: must be an integer in 1..10000, got 0"},
           Case{"max_connections = 10001", 19, "max_connections: must be an integer in 1..10000, got 10001"},
           Case{"max_connections = -64", 19, "max_connections: must be an integer in 1..10000, got -64"},
           Case{"max_connections = \"64\"", 19, "max_connections: expected an integer, got a string"},
           Case{"max_connections = 64.5", 19, "max_connections: expected an integer, got a float"},
           Case{"max_requests_per_connection = 0", 31,
                "max_requests_per_connection: must be an integer in 1..1000000, got 0"},
           Case{"max_requests_per_connection = 1000001", 31,
                "max_requests_per_connection: must be an integer in 1..1000000, got 1000001"},
           Case{"max_header_bytes = 1023", 20, "max_header_bytes: must be an integer in 1024..1048576, got 1023"},
           Case{"max_header_bytes = 1048577", 20,
                "max_header_bytes: must be an integer in 1024..1048576, got 1048577"},
           Case{"max_body_bytes = -1", 18, "max_body_bytes: must be an integer in 0..16777216, got -1"},
           Case{"max_body_bytes = 16777217", 18, "max_body_bytes: must be an integer in 0..16777216, got 16777217"},
           Case{"max_body_bytes = true", 18, "max_body_bytes: expected an integer, got a boolean"},
       }) {
    const std::string line = c.line;
    CAPTURE(line);
    const auto e = only_error(std::string("[status]\n") + c.line + "\n");
    CHECK_AT(e, 2, c.column);
    CHECK(e.message == std::string(c.message));
  }
}

TEST_CASE("every broken status limit is reported at once, in file order") {
  const LoadResult r = parse_config(R"([status]
listen = "127.0.0.1:8787"
header_timeout = "0ms"
idle_timeout = "forever"
max_connections = 0
max_requests_per_connection = "many"
max_header_bytes = 10
keep_alive = true
)",
                                    "test.toml", Purpose::offline);
  INFO(describe(r));
  CHECK_FALSE(r.config.has_value());
  REQUIRE(r.errors.size() == 6);
  CHECK_AT(r.errors[0], 3, 18);
  CHECK_AT(r.errors[1], 4, 16);
  CHECK_AT(r.errors[2], 5, 19);
  CHECK_AT(r.errors[3], 6, 31);
  CHECK_AT(r.errors[4], 7, 20);
  CHECK_AT(r.errors[5], 8, 1);
  CHECK(r.errors[5].to_string().rfind("test.toml:8:1: unknown key \"keep_alive\" in [status]", 0) == 0);
}

}  // namespace
}  // namespace loader_status_test
}  // namespace ballast::config
