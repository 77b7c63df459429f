#include <doctest/doctest.h>

#include <cmath>

#include "core/wire_values.hpp"

namespace test_wire_values {

using namespace ballast::core;

TEST_CASE("number text: the whole text must be a number") {
  double v = 0;
  CHECK(parse_number_text("189.23", v));
  CHECK(v == 189.23);
  CHECK(parse_number_text("-1e3", v));
  CHECK(v == -1000);
  CHECK(parse_number_text("1e400", v));
  CHECK(std::isnan(v));
  for (const char* bad : {"", " 1", "1 ", "1,5", "abc", "0x10", "1.2.3"}) CHECK_MESSAGE(!parse_number_text(bad, v), bad);
}

TEST_CASE("wire times: epoch seconds or ISO-8601, from 1970 to 2262") {
  CHECK(epoch_seconds_to_ns(1700000000.25) == 1700000000LL * kNanosPerSecond + 250'000'000);
  CHECK(!epoch_seconds_to_ns(-1));
  CHECK(!epoch_seconds_to_ns(1.7e12));  // epoch milliseconds sent as seconds
  CHECK(!epoch_seconds_to_ns(NAN));
  CHECK(parse_wire_time("1700000000.5") == 1700000000LL * kNanosPerSecond + 500'000'000);
  CHECK(parse_wire_time("2026-11-23T14:30:00Z") == 1795444200LL * kNanosPerSecond);
  CHECK(!parse_wire_time("3000-01-01T00:00:00Z"));
  CHECK(!parse_wire_time("1969-12-31T23:59:59Z"));
  CHECK(!parse_wire_time("yesterday"));
}

TEST_CASE("ISO-8601 refuses years that 64-bit nanoseconds cannot hold") {
  CHECK(!parse_iso8601("2262-05-01T00:00:00Z"));
  CHECK(!parse_iso8601("1600-01-01"));
  CHECK(parse_iso8601("2261-12-31T23:59:59Z").has_value());
}

}  // namespace test_wire_values
