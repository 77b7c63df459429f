#include <doctest/doctest.h>

#include "core/time.hpp"
#include "tax/holding_period.hpp"

namespace test_holding_period {

using namespace ballast;
using namespace ballast::tax;

TEST_CASE("tax days are UTC calendar days, whatever the time of day") {
  CHECK(day_of(1970, 1, 1) == 0);
  CHECK(day_of(1970, 1, 2) == 1);
  CHECK(day_of(1969, 12, 31) == -1);
  CHECK(day_of(*core::parse_iso8601("2026-11-23T00:00:00Z")) == day_of(2026, 11, 23));
  CHECK(day_of(*core::parse_iso8601("2026-11-23T23:59:59.999Z")) == day_of(2026, 11, 23));
  CHECK(day_of(*core::parse_iso8601("2026-11-23T23:30:00-05:00")) == day_of(2026, 11, 24));
  CHECK(day_of(core::TimeNs{-1}) == -1);
  CHECK(year_of(day_of(2025, 12, 31)) == 2025);
  CHECK(year_of(day_of(2026, 1, 1)) == 2026);
}

// IRS Publication 550, "Holding Period": the holding period starts the day
// after acquisition and includes the day of disposal; more than one year is
// long-term. Bought 2025-03-15: its one year runs to 2026-03-15 inclusive.
TEST_CASE("a lot becomes long-term the day after its first anniversary, not on it") {
  const TermRule rule;
  const Day bought = day_of(2025, 3, 15);
  CHECK(rule.last_short_term_day(bought) == day_of(2026, 3, 15));
  CHECK(rule.term(bought, day_of(2025, 3, 15)) == Term::short_term);
  CHECK(rule.term(bought, day_of(2026, 3, 14)) == Term::short_term);
  CHECK(rule.term(bought, day_of(2026, 3, 15)) == Term::short_term);
  CHECK(rule.term(bought, day_of(2026, 3, 16)) == Term::long_term);
  CHECK(rule.term(bought, day_of(2030, 1, 1)) == Term::long_term);
}

TEST_CASE("the year counts calendar months, across a leap day and from one") {
  const TermRule rule;
  // 2024-01-10 to 2025-01-10 is 366 days (2024 is a leap year), still one year.
  CHECK(rule.term(day_of(2024, 1, 10), day_of(2025, 1, 10)) == Term::short_term);
  CHECK(rule.term(day_of(2024, 1, 10), day_of(2025, 1, 11)) == Term::long_term);
  // Bought on a leap day: its anniversary is February 28 of the next year.
  CHECK(rule.last_short_term_day(day_of(2024, 2, 29)) == day_of(2025, 2, 28));
  CHECK(rule.term(day_of(2024, 2, 29), day_of(2025, 2, 28)) == Term::short_term);
  CHECK(rule.term(day_of(2024, 2, 29), day_of(2025, 3, 1)) == Term::long_term);
  // Bought at the end of a year.
  CHECK(rule.term(day_of(2024, 12, 31), day_of(2025, 12, 31)) == Term::short_term);
  CHECK(rule.term(day_of(2024, 12, 31), day_of(2026, 1, 1)) == Term::long_term);
}

TEST_CASE("the long-term threshold is a number of calendar months") {
  const TermRule six{6};
  CHECK(six.valid());
  CHECK(six.last_short_term_day(day_of(2025, 1, 31)) == day_of(2025, 7, 31));
  CHECK(six.term(day_of(2025, 1, 31), day_of(2025, 7, 31)) == Term::short_term);
  CHECK(six.term(day_of(2025, 1, 31), day_of(2025, 8, 1)) == Term::long_term);
  // August 31 + 6 months is the last day of February.
  CHECK(six.last_short_term_day(day_of(2025, 8, 31)) == day_of(2026, 2, 28));
  const TermRule two_years{24};
  CHECK(two_years.term(day_of(2025, 3, 15), day_of(2026, 3, 16)) == Term::short_term);
  CHECK(two_years.term(day_of(2025, 3, 15), day_of(2027, 3, 16)) == Term::long_term);
}

TEST_CASE("a threshold of no months or of more than a century is not valid") {
  CHECK(TermRule{}.valid());
  CHECK(TermRule{}.long_term_after_months == 12);
  CHECK(!TermRule{0}.valid());
  CHECK(!TermRule{-12}.valid());
  CHECK(TermRule{1200}.valid());
  CHECK(!TermRule{1201}.valid());
}

TEST_CASE("terms have the names reports use") {
  CHECK(to_string(Term::short_term) == "short_term");
  CHECK(to_string(Term::long_term) == "long_term");
}

}  // namespace test_holding_period
