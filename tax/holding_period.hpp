#pragma once
// Calendar days and the holding period that decides whether a gain is short-
// or long-term. Tax dates are whole UTC calendar days: a trade's time of day
// never matters, and day arithmetic stays exact.
#include <cstdint>
#include <string_view>

#include "core/time.hpp"

namespace ballast::tax {

/// Days since 1970-01-01 on the UTC calendar (negative before it).
using Day = std::int32_t;

/// The day of a proleptic Gregorian date.
Day day_of(int year, unsigned month, unsigned day);
/// The UTC calendar day that holds `t`.
Day day_of(core::TimeNs t);
/// The year of `day`.
int year_of(Day day);

enum class Term : std::uint8_t { short_term, long_term };
/// "short_term", "long_term".
std::string_view to_string(Term term);

/// When a holding becomes long-term. The IRS rule (Publication 550, "Holding
/// Period"): the holding period starts the day after acquisition and includes
/// the day of disposal; it is long-term when it is more than one year. So a
/// lot acquired 2025-03-15 is short-term when sold on 2026-03-15 and long-term
/// from 2026-03-16 on: long-term exactly when the sale day is after the
/// anniversary, counted in calendar months (a lot acquired on February 29 has
/// its anniversary on February 28 of a year without one).
struct TermRule {
  /// Long-term when held more than this many calendar months; 1 to 1200.
  int long_term_after_months = 12;

  bool valid() const { return long_term_after_months >= 1 && long_term_after_months <= 1200; }
  /// The last day on which a holding that started on `holding_from` is still short-term.
  Day last_short_term_day(Day holding_from) const;
  Term term(Day holding_from, Day sold) const {
    return sold > last_short_term_day(holding_from) ? Term::long_term : Term::short_term;
  }
};

}  // namespace ballast::tax
