#include "core/time.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace ballast::core {
namespace {

bool parse_number(std::string_view s, double& out) {
  if (s.empty()) return false;
  const char* first = s.data();
  const char* last = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(first, last, out);
  return ec == std::errc() && ptr == last;
}

template <class Int>
bool parse_fixed(std::string_view s, std::size_t pos, std::size_t len, Int& out) {
  if (pos + len > s.size()) return false;
  Int v = 0;
  for (std::size_t i = pos; i < pos + len; ++i) {
    const char c = s[i];
    if (c < '0' || c > '9') return false;
    v = static_cast<Int>(v * 10 + (c - '0'));
  }
  out = v;
  return true;
}

}  // namespace

std::optional<DurationNs> parse_duration(std::string_view text) {
  std::size_t split = 0;
  while (split < text.size() && ((text[split] >= '0' && text[split] <= '9') || text[split] == '.')) ++split;
  const std::string_view number = text.substr(0, split);
  const std::string_view unit = text.substr(split);
  double value = 0;
  if (!parse_number(number, value) || !std::isfinite(value) || value <= 0) return std::nullopt;
  double scale = 0;
  if (unit == "ns") scale = 1;
  else if (unit == "us") scale = 1e3;
  else if (unit == "ms") scale = 1e6;
  else if (unit == "s") scale = 1e9;
  else if (unit == "m") scale = 60e9;
  else if (unit == "h") scale = 3600e9;
  else if (unit == "d") scale = 86400e9;
  else if (unit == "w") scale = 7 * 86400e9;
  else return std::nullopt;
  const double ns = value * scale;
  if (ns < 1 || ns > 9.2e18) return std::nullopt;
  return static_cast<DurationNs>(std::llround(ns));
}

std::optional<Period> parse_period(std::string_view text) {
  auto whole_units = [&](std::string_view suffix, int months_per_unit) -> std::optional<Period> {
    if (text.size() <= suffix.size() || text.substr(text.size() - suffix.size()) != suffix) return std::nullopt;
    int n = 0;
    const std::string_view digits = text.substr(0, text.size() - suffix.size());
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc() || ptr != digits.data() + digits.size() || n <= 0 || n > 1200) return std::nullopt;
    return Period{0, n * months_per_unit};
  };
  if (auto p = whole_units("mo", 1)) return p;
  if (auto p = whole_units("y", 12)) return p;
  if (auto d = parse_duration(text)) return Period{*d, 0};
  return std::nullopt;
}

std::string format_period(const Period& p) {
  if (p.is_calendar()) {
    if (p.months % 12 == 0) return std::to_string(p.months / 12) + "y";
    return std::to_string(p.months) + "mo";
  }
  struct Unit { DurationNs ns; const char* name; };
  static constexpr std::array<Unit, 7> units{{{7 * 86400 * kNanosPerSecond, "w"}, {86400 * kNanosPerSecond, "d"},
                                              {3600 * kNanosPerSecond, "h"}, {60 * kNanosPerSecond, "m"},
                                              {kNanosPerSecond, "s"}, {1'000'000, "ms"}, {1'000, "us"}}};
  for (const auto& u : units) {
    if (p.fixed % u.ns == 0) return std::to_string(p.fixed / u.ns) + u.name;
  }
  return std::to_string(p.fixed) + "ns";
}

std::int64_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

CivilDate civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int>(y + (m <= 2)), m, d};
}

namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
unsigned days_in_month(int y, unsigned m) {
  static constexpr unsigned lengths[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : lengths[m - 1];
}
}  // namespace

std::optional<TimeNs> parse_iso8601(std::string_view s) {
  int year = 0;
  unsigned month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!parse_fixed(s, 0, 4, year) || s.size() < 10 || s[4] != '-' || !parse_fixed(s, 5, 2, month) || s[7] != '-' ||
      !parse_fixed(s, 8, 2, day))
    return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return std::nullopt;
  // 64-bit nanoseconds since 1970 span 1677-09-21 to 2262-04-11: refuse years
  // outside the whole ones in between rather than overflow.
  if (year < 1678 || year > 2261) return std::nullopt;
  std::int64_t frac_ns = 0;
  std::int64_t offset_s = 0;
  std::size_t pos = 10;
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return std::nullopt;
    if (!parse_fixed(s, pos + 1, 2, hour) || s.size() < pos + 9 || s[pos + 3] != ':' ||
        !parse_fixed(s, pos + 4, 2, minute) || s[pos + 6] != ':' || !parse_fixed(s, pos + 7, 2, second))
      return std::nullopt;
    if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
    pos += 9;
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
      ++pos;
      std::int64_t scale = 100'000'000;
      const std::size_t start = pos;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
        frac_ns += (s[pos] - '0') * scale;
        scale /= 10;
        ++pos;
      }
      if (pos == start) return std::nullopt;
    }
    if (pos < s.size()) {
      if (s[pos] == 'Z' || s[pos] == 'z') {
        ++pos;
      } else if (s[pos] == '+' || s[pos] == '-') {
        unsigned oh = 0, om = 0;
        const int sign = s[pos] == '-' ? -1 : 1;
        if (!parse_fixed(s, pos + 1, 2, oh)) return std::nullopt;
        std::size_t next = pos + 3;
        if (next < s.size() && s[next] == ':') ++next;
        if (!parse_fixed(s, next, 2, om) || oh > 23 || om > 59) return std::nullopt;
        offset_s = sign * static_cast<std::int64_t>(oh * 3600 + om * 60);
        pos = next + 2;
      } else {
        return std::nullopt;
      }
    }
    if (pos != s.size()) return std::nullopt;
  }
  const std::int64_t secs = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset_s;
  return secs * kNanosPerSecond + frac_ns;
}

namespace {
// Writes `v` as exactly `width` decimal digits (zero-padded); no locale, no printf.
char* put_digits(char* p, std::int64_t v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return p + width;
}
}  // namespace

std::string format_iso8601(TimeNs t) {
  const std::int64_t days = floor_div(t, kNanosPerDay);
  const std::int64_t ms = (t - days * kNanosPerDay) / 1'000'000;
  const CivilDate d = civil_from_days(days);
  char buf[24];
  char* p = put_digits(buf, d.year, 4);
  *p++ = '-';
  p = put_digits(p, d.month, 2);
  *p++ = '-';
  p = put_digits(p, d.day, 2);
  *p++ = 'T';
  p = put_digits(p, ms / 3'600'000, 2);
  *p++ = ':';
  p = put_digits(p, ms / 60'000 % 60, 2);
  *p++ = ':';
  p = put_digits(p, ms / 1000 % 60, 2);
  *p++ = '.';
  p = put_digits(p, ms % 1000, 3);
  *p++ = 'Z';
  return std::string(buf, p);
}

std::string format_yyyymmdd(TimeNs t) {
  const CivilDate d = civil_from_days(floor_div(t, kNanosPerDay));
  char buf[8];
  put_digits(buf, static_cast<std::int64_t>(d.year) * 10000 + d.month * 100 + d.day, 8);
  return std::string(buf, 8);
}

TimeNs add_months(TimeNs t, int months) {
  const std::int64_t days = floor_div(t, kNanosPerDay);
  const std::int64_t in_day = t - days * kNanosPerDay;
  const CivilDate d = civil_from_days(days);
  const int total = d.year * 12 + static_cast<int>(d.month - 1) + months;
  const int year = floor_div(total, 12);
  const unsigned month = static_cast<unsigned>(total - year * 12 + 1);
  const unsigned day = std::min(d.day, days_in_month(year, month));
  return days_from_civil(year, month, day) * kNanosPerDay + in_day;
}

TimeNs add_period(TimeNs t, const Period& p) { return p.is_calendar() ? add_months(t, p.months) : t + p.fixed; }

TimeNs next_due(TimeNs anchor, const Period& p, TimeNs after) {
  if (!p.is_calendar()) {
    if (p.fixed <= 0) return after + 1;
    const std::int64_t k = floor_div(after - anchor, p.fixed) + 1;
    return anchor + k * p.fixed;
  }
  // Months: estimate k from the elapsed months, then step; always from the anchor
  // so that Jan 31 → Feb 28 → Mar 31 keeps the anchor's day where it can.
  const CivilDate a = civil_from_days(floor_div(anchor, kNanosPerDay));
  const CivilDate b = civil_from_days(floor_div(after, kNanosPerDay));
  std::int64_t k = floor_div((b.year - a.year) * 12 + static_cast<int>(b.month) - static_cast<int>(a.month), p.months) - 1;
  TimeNs due = add_months(anchor, static_cast<int>(k * p.months));
  while (due <= after) {
    ++k;
    due = add_months(anchor, static_cast<int>(k * p.months));
  }
  return due;
}

std::optional<std::int32_t> parse_day(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  unsigned v[3] = {0, 0, 0};
  const std::size_t starts[3] = {0, 5, 8};
  const std::size_t lengths[3] = {4, 2, 2};
  for (int part = 0; part < 3; ++part) {
    for (std::size_t i = starts[part]; i < starts[part] + lengths[part]; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      v[part] = v[part] * 10 + static_cast<unsigned>(text[i] - '0');
    }
  }
  if (v[0] < 1900 || v[0] > 2999 || v[1] < 1 || v[1] > 12 || v[2] < 1) return std::nullopt;
  const std::int64_t days = days_from_civil(static_cast<int>(v[0]), v[1], v[2]);
  // A day past its month's end comes back as another date.
  const CivilDate back = civil_from_days(days);
  if (back.month != v[1] || back.day != v[2]) return std::nullopt;
  return static_cast<std::int32_t>(days);
}

std::string format_day(std::int64_t day) {
  const CivilDate d = civil_from_days(day);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", d.year, d.month, d.day);
  return buf;
}

}  // namespace ballast::core
