#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "offline/metrics.hpp"

namespace test_metrics {

using namespace ballast;
using namespace ballast::offline;

namespace {

constexpr core::TimeNs kT0 = 1'000'000'000LL * core::kNanosPerSecond;
/// Nanoseconds in `years` calendar years of 365.25 days.
core::TimeNs years(double y) { return static_cast<core::TimeNs>(y * kNanosPerYear); }

}  // namespace

TEST_CASE("years are 365.25 days on the series' own clock") {
  CHECK(years_between(kT0, kT0 + 365 * core::kNanosPerDay + core::kNanosPerDay / 4) == doctest::Approx(1.0));
  CHECK(years_between(kT0, kT0 + 730 * core::kNanosPerDay) == doctest::Approx(730 / 365.25));
  const std::vector<core::TimeNs> t{kT0, kT0 + years(0.25), kT0 + years(0.5), kT0 + years(1)};
  CHECK(periods_per_year(t) == doctest::Approx(3.0));
}

TEST_CASE("three values over one year, every figure by hand") {
  // 100 → 110 → 99 over half a year each.
  const std::vector<core::TimeNs> t{kT0, kT0 + years(0.5), kT0 + years(1)};
  const std::vector<double> v{100, 110, 99};
  // Total: 99 / 100 − 1 = −1 %; over exactly one year the CAGR is the same.
  CHECK(total_return(v) == doctest::Approx(-0.01));
  CHECK(annualised_return(t, v) == doctest::Approx(-0.01));
  // Log returns ln 1.1 = 0.0953102 and ln 0.9 = −0.1053605. The sample standard
  // deviation of two numbers is |a − b| / √2; two periods a year multiply it by
  // √2, so the volatility is |a − b| = ln(1.1 / 0.9) = ln(11/9) = 0.2006707.
  const auto r = period_returns(v);
  REQUIRE(r.size() == 2);
  CHECK(r[0] == doctest::Approx(0.0953102).epsilon(1e-6));
  CHECK(r[1] == doctest::Approx(-0.1053605).epsilon(1e-6));
  CHECK(annualised_volatility(t, v) == doctest::Approx(std::log(11.0 / 9.0)));
  // Simple returns +10 % and −10 %: volatility |0.1 − (−0.1)| = 0.2.
  CHECK(annualised_volatility(t, v, ReturnKind::simple) == doctest::Approx(0.2));
  // Sharpe: −0.01 / 0.2006707 = −0.0498329; with 2 % risk-free, −0.03 / 0.2006707 = −0.1494986.
  CHECK(sharpe_ratio(t, v) == doctest::Approx(-0.0498329).epsilon(1e-6));
  CHECK(sharpe_ratio(t, v, 0.02) == doctest::Approx(-0.1494986).epsilon(1e-6));
  // From the peak 110 to 99: 11 / 110 = 10 %.
  const Drawdown dd = max_drawdown(v);
  CHECK(dd.max == doctest::Approx(0.10));
  CHECK(dd.peak == 1);
  CHECK(dd.trough == 2);

  const SeriesStats s = summarize(t, v, 0.02);
  CHECK(s.years == doctest::Approx(1.0));
  CHECK(s.periods_per_year == doctest::Approx(2.0));
  CHECK(s.total_return == doctest::Approx(-0.01));
  CHECK(s.annualised_return == doctest::Approx(-0.01));
  CHECK(s.annualised_volatility == doctest::Approx(std::log(11.0 / 9.0)));
  CHECK(s.sharpe_ratio == doctest::Approx(-0.1494986).epsilon(1e-6));
  CHECK(s.drawdown.max == doctest::Approx(0.10));
}

TEST_CASE("the annualised return compounds over calendar time") {
  // Doubling in two years: √2 − 1 = 41.42 % a year, whatever the number of rows.
  const std::vector<core::TimeNs> t{kT0, kT0 + years(0.7), kT0 + years(2)};
  const std::vector<double> v{50, 80, 100};
  CHECK(annualised_return(t, v) == doctest::Approx(std::sqrt(2.0) - 1));
  // Doubling in three months: 2⁴ − 1 = 15.
  const std::vector<core::TimeNs> q{kT0, kT0 + years(0.25)};
  const std::vector<double> w{1, 2};
  CHECK(annualised_return(q, w) == doctest::Approx(15.0));
}

TEST_CASE("drawdown keeps the deepest fall, not the latest") {
  // Peak 120 → 90 is 25 %; the later 150 → 135 is only 10 %.
  const std::vector<double> v{100, 120, 90, 110, 150, 135, 140};
  const Drawdown dd = max_drawdown(v);
  CHECK(dd.max == doctest::Approx(0.25));
  CHECK(dd.peak == 1);
  CHECK(dd.trough == 2);
  const std::vector<double> rising{1, 2, 3};
  CHECK(max_drawdown(rising).max == 0);
  CHECK(max_drawdown(std::vector<double>{}).max == 0);
}

TEST_CASE("tracking error is the annualised spread of the return differences") {
  // Four quarters. Simple returns: a = +10 %, 0, −10 %... against b flat:
  // a = 100, 110, 110, 99, 99   → +0.10, 0, −0.10, 0
  // b = 100, 100, 100, 100, 100 → 0, 0, 0, 0
  // Differences 0.10, 0, −0.10, 0: mean 0, Σd² = 0.02, sample variance 0.02 / 3,
  // standard deviation 0.0816497; four periods a year → × 2 = 0.1632993.
  const std::vector<core::TimeNs> t{kT0, kT0 + years(0.25), kT0 + years(0.5), kT0 + years(0.75), kT0 + years(1)};
  const std::vector<double> a{100, 110, 110, 99, 99};
  const std::vector<double> b{100, 100, 100, 100, 100};
  CHECK(tracking_error(t, a, b, ReturnKind::simple) == doctest::Approx(0.1632993).epsilon(1e-6));
  // Against itself, or against a series that differs by a constant factor: 0.
  CHECK(tracking_error(t, a, a) == doctest::Approx(0.0));
  const std::vector<double> scaled{200, 220, 220, 198, 198};
  CHECK(tracking_error(t, a, scaled) == doctest::Approx(0.0));
}

TEST_CASE("figures that cannot be computed are NaN, never a crash") {
  const std::vector<core::TimeNs> one_t{kT0};
  const std::vector<double> one_v{100};
  CHECK(std::isnan(total_return(one_v)));
  CHECK(std::isnan(annualised_return(one_t, one_v)));
  CHECK(std::isnan(annualised_volatility(one_t, one_v)));
  CHECK(std::isnan(sharpe_ratio(one_t, one_v)));
  // Two values: a return, but no spread of returns.
  const std::vector<core::TimeNs> two_t{kT0, kT0 + years(1)};
  const std::vector<double> two_v{100, 105};
  CHECK(annualised_return(two_t, two_v) == doctest::Approx(0.05));
  CHECK(std::isnan(annualised_volatility(two_t, two_v)));
  // A flat series has zero volatility and so no Sharpe ratio.
  const std::vector<core::TimeNs> t3{kT0, kT0 + years(0.5), kT0 + years(1)};
  const std::vector<double> flat{100, 100, 100};
  CHECK(annualised_volatility(t3, flat) == 0);
  CHECK(std::isnan(sharpe_ratio(t3, flat)));
  // Log returns need positive values; a wipe-out is a −100 % annual return.
  const std::vector<double> wiped{100, 50, 0};
  CHECK(std::isnan(annualised_volatility(t3, wiped)));
  CHECK(annualised_return(t3, wiped) == -1);
  CHECK(max_drawdown(wiped).max == doctest::Approx(1.0));
  const SeriesStats s = summarize(one_t, one_v);
  CHECK(s.years == 0);
  CHECK(std::isnan(s.sharpe_ratio));
}

namespace {

/// Midnight UTC of a calendar date.
core::TimeNs date(int y, unsigned m, unsigned d) { return core::days_from_civil(y, m, d) * core::kNanosPerDay; }

}  // namespace

TEST_CASE("the drawdown series is the fall below the running peak at every value") {
  // Peaks 100, 120, 120, 120, 150, 150, 150:
  // falls 0, 0, 1 − 90/120 = 0.25, 1 − 110/120 = 0.0833…, 0, 1 − 135/150 = 0.10, 1 − 140/150 = 0.0666…
  const std::vector<double> v{100, 120, 90, 110, 150, 135, 140};
  const std::vector<double> d = drawdown_series(v);
  REQUIRE(d.size() == v.size());
  CHECK(d[0] == 0);
  CHECK(d[1] == 0);
  CHECK(d[2] == doctest::Approx(0.25));
  CHECK(d[3] == doctest::Approx(1.0 / 12.0));
  CHECK(d[4] == 0);
  CHECK(d[5] == doctest::Approx(0.10));
  CHECK(d[6] == doctest::Approx(1.0 / 15.0));
  // Its deepest point is the maximum drawdown.
  CHECK(*std::max_element(d.begin(), d.end()) == doctest::Approx(max_drawdown(v).max));
  CHECK(drawdown_series(std::vector<double>{}).empty());
  // A wipe-out is a fall of 100 %; a peak that is not positive is no peak.
  CHECK(drawdown_series(std::vector<double>{100, 0})[1] == doctest::Approx(1.0));
  CHECK(drawdown_series(std::vector<double>{0, -5})[1] == 0);
}

TEST_CASE("values relative to a benchmark are v / b − 1, NaN where the benchmark is not positive") {
  const std::vector<double> v{100, 103, 99, 50};
  const std::vector<double> b{100, 100, 110, 0};
  const std::vector<double> r = relative_to(v, b);
  REQUIRE(r.size() == 4);
  CHECK(r[0] == 0);
  CHECK(r[1] == doctest::Approx(0.03));
  CHECK(r[2] == doctest::Approx(-0.10));  // 99 / 110 = 0.9
  CHECK(std::isnan(r[3]));
}

TEST_CASE("monthly and yearly returns run from the last value of the period before, across a year boundary") {
  // Six rows over three months and two years:
  //   2025-11-28 100   first row: November's return starts here
  //   2025-11-30 104   November ends at 104        → 104 / 100 − 1 = +4 %
  //   2025-12-15  98
  //   2025-12-31 102   December ends at 102        → 102 / 104 − 1 = −1.923 %
  //   2026-01-02 112.2
  //   2026-01-20 107.1 January (and 2026) end     → 107.1 / 102 − 1 = +5 %
  // Years: 2025 from 100 to 102 = +2 %; 2026 from 102 to 107.1 = +5 %.
  const std::vector<core::TimeNs> t{date(2025, 11, 28), date(2025, 11, 30), date(2025, 12, 15),
                                    date(2025, 12, 31), date(2026, 1, 2),   date(2026, 1, 20)};
  const std::vector<double> v{100, 104, 98, 102, 112.2, 107.1};

  const std::vector<PeriodReturn> months = calendar_returns(t, v, CalendarPeriod::month);
  REQUIRE(months.size() == 3);
  CHECK(months[0].year == 2025);
  CHECK(months[0].month == 11);
  CHECK(months[0].first == 0);
  CHECK(months[0].last == 1);
  CHECK(months[0].value == doctest::Approx(0.04));
  CHECK(months[1].year == 2025);
  CHECK(months[1].month == 12);
  CHECK(months[1].first == 2);
  CHECK(months[1].last == 3);
  CHECK(months[1].value == doctest::Approx(102.0 / 104.0 - 1));
  CHECK(months[2].year == 2026);
  CHECK(months[2].month == 1);
  CHECK(months[2].first == 4);
  CHECK(months[2].last == 5);
  CHECK(months[2].value == doctest::Approx(0.05));

  const std::vector<PeriodReturn> years = calendar_returns(t, v, CalendarPeriod::year);
  REQUIRE(years.size() == 2);
  CHECK(years[0].year == 2025);
  CHECK(years[0].month == 0);
  CHECK(years[0].value == doctest::Approx(0.02));
  CHECK(years[1].year == 2026);
  CHECK(years[1].value == doctest::Approx(0.05));

  // The periods compound to the total return: 1.04 × (102/104) × 1.05 = 1.071.
  double growth = 1;
  for (const auto& m : months) growth *= 1 + m.value;
  CHECK(growth - 1 == doctest::Approx(total_return(v)));
}

TEST_CASE("calendar returns: one value, a month with no rows, times within a day") {
  // One value: one period with a return of 0.
  const std::vector<core::TimeNs> one{date(2026, 3, 4)};
  const auto single = calendar_returns(one, std::vector<double>{100}, CalendarPeriod::month);
  REQUIRE(single.size() == 1);
  CHECK(single[0].value == 0);
  // A month with no rows has no entry: March runs from February's last value.
  // Times during the day count in their UTC date: 23:00 on the 31st is still January.
  const std::vector<core::TimeNs> t{date(2026, 1, 31) + 23 * 3600 * core::kNanosPerSecond, date(2026, 2, 1),
                                    date(2026, 3, 2)};
  const auto m = calendar_returns(t, std::vector<double>{100, 110, 121}, CalendarPeriod::month);
  REQUIRE(m.size() == 3);
  CHECK(m[0].month == 1);
  CHECK(m[1].month == 2);
  CHECK(m[1].value == doctest::Approx(0.10));
  CHECK(m[2].month == 3);
  CHECK(m[2].value == doctest::Approx(0.10));
  // A value it starts from that is not positive gives NaN, not a crash.
  const auto bad = calendar_returns(t, std::vector<double>{100, 0, 121}, CalendarPeriod::month);
  CHECK(std::isnan(bad[2].value));
  CHECK(calendar_returns(std::vector<core::TimeNs>{}, std::vector<double>{}, CalendarPeriod::year).empty());
}

}  // namespace test_metrics
