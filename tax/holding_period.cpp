#include "tax/holding_period.hpp"

#include <cstdlib>

namespace ballast::tax {

Day day_of(int year, unsigned month, unsigned day) {
  return static_cast<Day>(core::days_from_civil(year, month, day));
}

Day day_of(core::TimeNs t) {
  const core::TimeNs days = t / core::kNanosPerDay;
  // Floor, not truncation: an instant before 1970 belongs to the day before.
  return static_cast<Day>(t % core::kNanosPerDay < 0 ? days - 1 : days);
}

int year_of(Day day) { return core::civil_from_days(day).year; }

std::string_view to_string(Term term) {
  switch (term) {
    case Term::short_term: return "short_term";
    case Term::long_term: return "long_term";
  }
  std::abort();
}

Day TermRule::last_short_term_day(Day holding_from) const {
  const core::TimeNs anniversary =
      core::add_months(static_cast<core::TimeNs>(holding_from) * core::kNanosPerDay, long_term_after_months);
  return day_of(anniversary);
}

}  // namespace ballast::tax
