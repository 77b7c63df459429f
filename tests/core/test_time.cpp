#include <doctest/doctest.h>

#include "core/time.hpp"

namespace test_time {

using namespace ballast::core;

TEST_CASE("durations parse with their units and reject everything else") {
  CHECK(parse_duration("30s") == 30 * kNanosPerSecond);
  CHECK(parse_duration("250ms") == 250'000'000);
  CHECK(parse_duration("15m") == 900 * kNanosPerSecond);
  CHECK(parse_duration("1h") == 3600 * kNanosPerSecond);
  CHECK(parse_duration("1d") == 86400 * kNanosPerSecond);
  CHECK(parse_duration("1w") == 7 * 86400 * kNanosPerSecond);
  CHECK(parse_duration("1.5s") == 1'500'000'000);
  for (const char* bad : {"", "30", "s", "-1s", "0s", "1x", "1 s", "1s ", "1mo", "1y", "nan s", "1e3s"}) {
    CHECK_MESSAGE(!parse_duration(bad), bad);
  }
}

TEST_CASE("periods include calendar months and years") {
  CHECK(parse_period("1mo") == Period{0, 1});
  CHECK(parse_period("3mo") == Period{0, 3});
  CHECK(parse_period("1y") == Period{0, 12});
  CHECK(parse_period("1d") == Period{86400 * kNanosPerSecond, 0});
  CHECK(!parse_period("0mo"));
  CHECK(!parse_period("mo"));
  CHECK(!parse_period("1.5mo"));
  CHECK(format_period(*parse_period("3mo")) == "3mo");
  CHECK(format_period(*parse_period("1y")) == "1y");
  CHECK(format_period(*parse_period("90m")) == "90m");
  CHECK(format_period(*parse_period("1w")) == "1w");
}

TEST_CASE("ISO-8601 times parse to UTC nanoseconds") {
  CHECK(parse_iso8601("1970-01-01T00:00:00Z") == 0);
  CHECK(parse_iso8601("2026-11-23T14:30:00Z") == 1795444200LL * kNanosPerSecond);
  CHECK(parse_iso8601("2026-11-23T14:30:00.123Z") == 1795444200LL * kNanosPerSecond + 123'000'000);
  CHECK(parse_iso8601("2026-11-23T15:30:00+01:00") == 1795444200LL * kNanosPerSecond);
  CHECK(parse_iso8601("2026-11-23T09:30:00-0500") == 1795444200LL * kNanosPerSecond);
  CHECK(parse_iso8601("2026-11-23") == 1795392000LL * kNanosPerSecond);
  CHECK(parse_iso8601("2024-02-29") == 1709164800LL * kNanosPerSecond);
  for (const char* bad : {"", "2026-13-01", "2026-02-30", "2023-02-29", "2026-11-23T25:00:00Z", "2026-11-23T14:30",
                          "2026-11-23T14:30:00.Z", "2026-11-23T14:30:00Q", "20261123", "2026-11-23T14:30:00+1"}) {
    CHECK_MESSAGE(!parse_iso8601(bad), bad);
  }
  CHECK(format_iso8601(1795444200LL * kNanosPerSecond + 123'456'789) == "2026-11-23T14:30:00.123Z");
  CHECK(format_yyyymmdd(1795444200LL * kNanosPerSecond) == "20261123");
  CHECK(format_iso8601(-kNanosPerSecond) == "1969-12-31T23:59:59.000Z");
}

TEST_CASE("calendar months clamp the day and keep the time") {
  const TimeNs jan31 = *parse_iso8601("2026-01-31T10:00:00Z");
  CHECK(add_months(jan31, 1) == *parse_iso8601("2026-02-28T10:00:00Z"));
  CHECK(add_months(jan31, 13) == *parse_iso8601("2027-02-28T10:00:00Z"));
  CHECK(add_months(*parse_iso8601("2024-01-31"), 1) == *parse_iso8601("2024-02-29"));
  CHECK(add_months(*parse_iso8601("2026-11-15"), -12) == *parse_iso8601("2025-11-15"));
}

TEST_CASE("next due time follows the anchor's schedule") {
  const Period month{0, 1};
  const TimeNs now = *parse_iso8601("2026-11-23T14:30:00Z");
  CHECK(next_due(0, month, now) == *parse_iso8601("2026-12-01"));
  CHECK(next_due(0, month, *parse_iso8601("2026-12-01")) == *parse_iso8601("2027-01-01"));
  CHECK(next_due(0, Period{0, 3}, now) == *parse_iso8601("2027-01-01"));
  CHECK(next_due(0, Period{0, 12}, now) == *parse_iso8601("2027-01-01"));
  const TimeNs anchor = *parse_iso8601("2026-01-31T16:00:00Z");
  CHECK(next_due(anchor, month, *parse_iso8601("2026-02-10")) == *parse_iso8601("2026-02-28T16:00:00Z"));
  CHECK(next_due(anchor, month, *parse_iso8601("2026-03-01")) == *parse_iso8601("2026-03-31T16:00:00Z"));
  const Period day{86400 * kNanosPerSecond, 0};
  CHECK(next_due(0, day, now) == *parse_iso8601("2026-11-24"));
  CHECK(next_due(0, Period{30 * kNanosPerSecond, 0}, now) == now + 30 * kNanosPerSecond);
}

TEST_CASE("days are YYYY-MM-DD calendar dates of the years 1900 to 2999") {
  CHECK(parse_day("1970-01-01") == 0);
  CHECK(parse_day("2024-02-29") == 19782);  // 54 years of 365 days, 13 leap days, 59 days into 2024
  CHECK(parse_day("1969-12-31") == -1);
  CHECK(parse_day("1900-01-01") == days_from_civil(1900, 1, 1));
  CHECK(parse_day("2999-12-31") == days_from_civil(2999, 12, 31));
  CHECK(parse_day("2000-02-29") == days_from_civil(2000, 2, 29));  // 2000 is a leap year, 1900 is not
  for (const char* bad : {"2025-02-29", "1900-02-29", "2024-04-31", "2024-13-01", "2024-00-10", "2024-01-00",
                          "1899-12-31", "3000-01-01", "2024-1-05", "24-01-05", "2024/01/05", "2024-01-05 ",
                          " 2024-01-05", "2024-01-5x", "+024-01-05", "", "2024-01-05T00:00:00Z", "20240105"}) {
    CHECK_MESSAGE(!parse_day(bad), bad);
  }
}

TEST_CASE("a day prints as YYYY-MM-DD and reads back") {
  CHECK(format_day(0) == "1970-01-01");
  CHECK(format_day(19782) == "2024-02-29");
  CHECK(format_day(-1) == "1969-12-31");
  for (const char* text : {"1900-01-01", "1999-12-31", "2000-02-29", "2025-03-15", "2999-12-31"}) {
    const auto day = parse_day(text);
    REQUIRE(day);
    CHECK(format_day(*day) == text);
  }
}

}  // namespace test_time
