#pragma once
// Time as plain integers: the engine is handed `now`, it never reads a clock.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ballast::core {

/// Nanoseconds since the Unix epoch, UTC.
using TimeNs = std::int64_t;
/// A span of time in nanoseconds.
using DurationNs = std::int64_t;

inline constexpr DurationNs kNanosPerSecond = 1'000'000'000;
inline constexpr DurationNs kNanosPerDay = 86'400 * kNanosPerSecond;

constexpr DurationNs seconds(double s) { return static_cast<DurationNs>(s * 1e9); }
constexpr double to_seconds(DurationNs d) { return static_cast<double>(d) / 1e9; }

/// A rebalancing period: either a fixed duration or a number of calendar months
/// ("1mo", "3mo", "1y" = 12 months), added on the UTC calendar.
struct Period {
  DurationNs fixed = 0;
  int months = 0;
  bool is_calendar() const { return months > 0; }
  bool operator==(const Period&) const = default;
};

/// Parses "250ms", "30s", "15m", "1h", "1d", "1w"; nullopt on anything else
/// (no unit, negative, zero, unknown unit).
std::optional<DurationNs> parse_duration(std::string_view text);
/// parse_duration plus "1mo", "3mo", "1y".
std::optional<Period> parse_period(std::string_view text);
/// "30s", "1mo", ... the shortest exact spelling.
std::string format_period(const Period& p);

/// ISO-8601 / RFC 3339: "2026-11-23T14:30:00Z", fractions, "+01:00" offsets,
/// or a date alone ("2026-11-23" = midnight UTC). nullopt when malformed or
/// outside the years 1678..2261 that 64-bit nanoseconds hold.
std::optional<TimeNs> parse_iso8601(std::string_view text);
/// "2026-11-23T14:30:00.123Z" (milliseconds, UTC).
std::string format_iso8601(TimeNs t);
/// "20261123", the UTC calendar day.
std::string format_yyyymmdd(TimeNs t);

/// Days since 1970-01-01 for a proleptic Gregorian date.
std::int64_t days_from_civil(int year, unsigned month, unsigned day);
struct CivilDate { int year; unsigned month; unsigned day; };
CivilDate civil_from_days(std::int64_t days);

/// The day (since 1970-01-01) of a YYYY-MM-DD date of the years 1900 to
/// 2999; nullopt for anything else (another form, a day its month does not
/// have). The form of tax lots' dates in files, on the wire and in answers.
std::optional<std::int32_t> parse_day(std::string_view text);
/// The day as YYYY-MM-DD.
std::string format_day(std::int64_t day);

/// Adds whole calendar months in UTC; the day is clamped to the month's length
/// (Jan 31 + 1mo = Feb 28/29), the time of day is kept.
TimeNs add_months(TimeNs t, int months);
/// t + p, on the calendar when p is in months.
TimeNs add_period(TimeNs t, const Period& p);

/// The first due time strictly after `after` on the schedule anchor + k·p.
TimeNs next_due(TimeNs anchor, const Period& p, TimeNs after);

}  // namespace ballast::core
